package main

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// heldStream is a child's stdout whose first write blocks until the test lets it go, as a pipe
// to a busy parent can.
type heldStream struct {
	armed   bool // set before the goroutines start
	once    sync.Once
	writing chan struct{} // closed when the first write since armed has begun
	release chan struct{}
}

func (s *heldStream) Write(p []byte) (int, error) {
	if s.armed {
		s.once.Do(func() {
			close(s.writing)
			<-s.release
		})
	}
	return len(p), nil
}

// A run that may crash must have streamed a task's outcome when r.done returns: the goroutine
// that recorded it may end the program next (negative-counter's extra Done panics right after)
// and the parent has only what was streamed. Here goroutine A has recorded a task and pushed its
// row, and goroutine B's flush took that row and is still writing it: A's own flush must not
// return before B's line is out. (It did: it found nothing pending and returned, and the parent
// once counted negative-counter's tasks as {successful 2, cancelled 1} where all 3 finished.)
func TestFlushReturnsOnlyOnceItsRowsAreWritten(t *testing.T) {
	out := &heldStream{writing: make(chan struct{}), release: make(chan struct{})}
	r := newRun("waitgroup-misuse", "negative-counter", baseParams(), out, false)
	r.begin()
	out.armed = true
	// A's doneAt and point, up to its flush: the task counted, its row pending.
	r.mu.Lock()
	r.tasks.Successful++
	r.pending.push(r.nowMs(), 1, 0)
	r.mu.Unlock()
	go r.flush() // B takes the row and blocks in Write
	<-out.writing
	aReturned := make(chan struct{})
	go func() { // A's flush
		r.flush()
		close(aReturned)
	}()
	select {
	case <-aReturned:
		t.Error("A's flush returned while the line with A's task was still being written")
	case <-time.After(50 * time.Millisecond):
	}
	close(out.release)
	select {
	case <-aReturned:
	case <-time.After(5 * time.Second):
		t.Fatal("A's flush did not return after the line was written")
	}
}

// waitgroup-misuse/negative-counter: the program dies at the fourth Done, after every task's
// r.done, so the parent must see all three successful, run after run.
func TestNegativeCounterStreamsEveryTask(t *testing.T) {
	for i := 0; i < 20; i++ {
		r := run(t, "waitgroup-misuse", "-variant", "negative-counter", "-time_scale", "20")
		expect(t, r, "tasks", fmt.Sprint(r.Tasks.Successful, r.Tasks.Cancelled), "3 0")
		if t.Failed() {
			t.Fatalf("run %d", i+1)
		}
	}
}
