package main

import (
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
)

func init() {
	register(&scenario{
		id:       "waitgroup-misuse",
		defaults: []string{"tasks=3", "timeout_ms=2000", "time_scale=10"},
		uses:     []string{"tasks", "timeout_ms", "seed", "time_scale", "mode"},
		variants: []*variant{
			{id: "add-inside", kind: "wrong", defaults: []string{"tasks=5"}, main: wgAddInside},
			{id: "by-value", kind: "wrong", main: wgByValue},
			{id: "forgot-done", kind: "wrong", main: wgForgotDone},
			{id: "right", kind: "right", main: wgRight},
			{id: "negative-counter", kind: "wrong", main: wgNegativeCounter, crashes: always},
		},
	})
}

// snippet:start waitgroup-misuse/add-inside
// snippet:start waitgroup-misuse/by-value
// snippet:start waitgroup-misuse/forgot-done
// snippet:start waitgroup-misuse/right
// snippet:start waitgroup-misuse/negative-counter
// wgTask is the guide's worker body: 100 ms of work.
func wgTask(r *Run, finished *int64) {
	start := r.nowMs()
	r.sleep(ms(100))
	atomic.AddInt64(finished, 1)
	r.done(Successful, start)
}

// snippet:end waitgroup-misuse/negative-counter
// snippet:end waitgroup-misuse/right
// snippet:end waitgroup-misuse/forgot-done
// snippet:end waitgroup-misuse/by-value
// snippet:end waitgroup-misuse/add-inside

// snippet:start waitgroup-misuse/by-value
// snippet:start waitgroup-misuse/forgot-done
// waitOrHang is the guide's guard against hanging: Wait in a helper goroutine, give up after
// timeout_ms. It reports a hang, and the run ends "hung", when Wait did not return in time.
func waitOrHang(r *Run, wg *sync.WaitGroup) {
	done := make(chan bool)
	go func() {
		wg.Wait()
		done <- true
	}()
	r.sample()
	select {
	case <-done:
	case <-r.after(ms(r.p.TimeoutMs)):
		r.number("counter_at_timeout", float64(counterOf(wg)))
		r.finding("hang", fmt.Sprintf("wg.Wait() did not return within %d ms", r.p.TimeoutMs))
		r.setEnded(EndedHung)
	}
}

// snippet:end waitgroup-misuse/forgot-done
// snippet:end waitgroup-misuse/by-value

// snippet:start waitgroup-misuse/add-inside
// wg.Add(1) inside the goroutine: main reaches Wait before the goroutines run their Add, so
// Wait sees a counter of 0 and returns at once.
func wgAddInside(r *Run) {
	var wg sync.WaitGroup
	var finished int64
	n := int(r.p.Tasks)
	r.submitted(uint64(n))
	for i := 0; i < n; i++ {
		go func(id int) {
			wg.Add(1) // too late: main may already be in Wait
			defer wg.Done()
			wgTask(r, &finished)
		}(i)
		r.sample()
	}
	wg.Wait()
	r.number("finished_at_wait", float64(atomic.LoadInt64(&finished)))
	if notDone := n - int(atomic.LoadInt64(&finished)); notDone > 0 {
		r.finding("early_return", fmt.Sprintf("wg.Wait() returned while %d of %d goroutines had not finished", notDone, n))
	}
	r.sleep(ms(500)) // the guide's main pauses here
}

// snippet:end waitgroup-misuse/add-inside

// snippet:start waitgroup-misuse/by-value
// The guide passes the WaitGroup by value: `func incorrectWorker(id int, wg sync.WaitGroup)`.
// go vet rejects that ("passes lock by value", see testdata/byvalue.go and its test), so this
// file makes the same copy where vet does not look, with reflect: each worker gets its own
// WaitGroup holding a copy of the counter, and its Done decrements the copy.
func copyOf(wg *sync.WaitGroup) *sync.WaitGroup {
	c := new(sync.WaitGroup)
	reflect.ValueOf(c).Elem().Set(reflect.ValueOf(wg).Elem())
	return c
}

func wgByValue(r *Run) {
	var wg sync.WaitGroup
	var finished int64
	r.submitted(r.p.Tasks)
	for i := 0; i < int(r.p.Tasks); i++ {
		wg.Add(1)
		go func(id int, wg *sync.WaitGroup) {
			defer wg.Done() // modifies the copy, not the original
			wgTask(r, &finished)
		}(i, copyOf(&wg))
		r.sample()
	}
	waitOrHang(r, &wg) // the original never reaches 0
}

// snippet:end waitgroup-misuse/by-value

// snippet:start waitgroup-misuse/forgot-done
// Worker 1 returns early without Done: the counter never reaches 0.
func wgForgotDone(r *Run) {
	var wg sync.WaitGroup
	var finished int64
	r.submitted(r.p.Tasks)
	for i := 0; i < int(r.p.Tasks); i++ {
		wg.Add(1)
		go func(id int) {
			wgTask(r, &finished)
			if id == 1 {
				return // early return without Done()
			}
			wg.Done()
		}(i)
		r.sample()
	}
	waitOrHang(r, &wg)
}

// snippet:end waitgroup-misuse/forgot-done

// snippet:start waitgroup-misuse/right
// Add before `go`, defer Done: every way out calls Done, early returns included.
func wgRight(r *Run) {
	var wg sync.WaitGroup
	var finished int64
	r.submitted(r.p.Tasks)
	for i := 0; i < int(r.p.Tasks); i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			wgTask(r, &finished)
			if id == 1 {
				return // safe: the deferred Done runs
			}
		}(i)
		r.sample()
	}
	wg.Wait()
	r.number("finished_at_wait", float64(atomic.LoadInt64(&finished)))
}

// snippet:end waitgroup-misuse/right

// snippet:start waitgroup-misuse/negative-counter
// One Done too many: panic: sync: negative WaitGroup counter.
func wgNegativeCounter(r *Run) {
	var wg sync.WaitGroup
	var finished int64
	r.submitted(r.p.Tasks)
	for i := 0; i < int(r.p.Tasks); i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			wgTask(r, &finished)
			if id == 1 {
				wg.Done() // on its error path, and again in the defer: one Done too many
			}
		}(i)
		r.sample()
	}
	wg.Wait() // returns early: the extra Done brought the counter to 0
	r.number("finished_at_wait", float64(atomic.LoadInt64(&finished)))
	r.sleep(ms(500)) // the guide's main pauses; the fourth Done panics meanwhile
}

// snippet:end waitgroup-misuse/negative-counter

// counterOf reads a WaitGroup's counter (the high 32 bits of its state), for the report only:
// sync.WaitGroup does not export it.
// (Go 1.19's layout: state1 holds counter<<32 | waiters.) -1 when the layout is not that.
func counterOf(wg *sync.WaitGroup) int32 {
	state := reflect.ValueOf(wg).Elem().FieldByName("state1")
	if state.Kind() != reflect.Uint64 {
		return -1
	}
	return int32(state.Uint() >> 32)
}
