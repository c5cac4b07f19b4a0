package main

import (
	"fmt"
	"sync"
)

func init() {
	register(&scenario{
		id:       "send-on-closed",
		defaults: []string{"tasks=5", "senders=3", "trials=1", "time_scale=10"},
		uses:     []string{"tasks", "senders", "trials", "seed", "time_scale", "mode"},
		variants: []*variant{
			{id: "wrong", kind: "wrong", main: sendOnClosedWrong, crashes: always},
			{id: "single-sender", kind: "right", main: sendSingleSender},
			{id: "many-senders", kind: "right", main: sendManySenders},
			{id: "guide-timing", kind: "guide_bug", defaults: []string{"trials=50"}, main: sendGuideTiming},
		},
	})
}

// snippet:start send-on-closed/wrong
// snippet:start send-on-closed/single-sender
// snippet:start send-on-closed/many-senders
// snippet:start send-on-closed/guide-timing
// consume counts what arrives on jobs until it is closed, taking `each` ms per job.
func consume(r *Run, jobs <-chan int, wg *sync.WaitGroup, each uint64) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range jobs {
			start := r.nowMs()
			r.sleep(ms(each))
			r.done(Successful, start)
			r.addNumber("delivered", 1)
		}
	}()
	r.sample()
}

// snippet:end send-on-closed/many-senders
// snippet:end send-on-closed/single-sender

// owner sends `tasks` values, pausing 20 ms after each, then closes jobs (at about 100 ms).
// The channel it returns is closed once jobs is.
func owner(r *Run, jobs chan<- int) <-chan struct{} {
	closed := make(chan struct{})
	go func() {
		for i := 0; i < int(r.p.Tasks); i++ {
			jobs <- i
			r.submitted(1)
			r.sleep(ms(20))
		}
		close(jobs)
		r.number("closed_at_ms", r.nowMs())
		close(closed)
	}()
	r.sample()
	return closed
}

// snippet:end send-on-closed/guide-timing
// snippet:end send-on-closed/wrong

// snippet:start send-on-closed/wrong
// The second sender does not own the channel: it sends 999 once the owner is done, so after
// the close (the guide's sends at 50 ms and races the close: variant guide-timing), and nothing
// recovers. The program dies with Go's "panic: send on closed channel", exit status 2.
func sendOnClosedWrong(r *Run) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	consume(r, jobs, &wg, 10)
	<-owner(r, jobs)
	r.number("late_send_at_ms", r.nowMs())
	jobs <- 999 // panic: send on closed channel
	wg.Wait()
}

// snippet:end send-on-closed/wrong

// snippet:start send-on-closed/single-sender
// One goroutine sends and closes: no send can come after the close.
func sendSingleSender(r *Run) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	consume(r, jobs, &wg, 0)
	func() {
		defer close(jobs)
		for i := 0; i < int(r.p.Tasks); i++ {
			jobs <- i
			r.submitted(1)
		}
	}()
	wg.Wait()
}

// snippet:end send-on-closed/single-sender

// snippet:start send-on-closed/many-senders
// Many senders; one closer closes after all of them are done.
func sendManySenders(r *Run) {
	jobs := make(chan int, 10)
	var senders, workers sync.WaitGroup
	consume(r, jobs, &workers, 0)
	for s := 0; s < int(r.p.Senders); s++ {
		senders.Add(1)
		go func(senderID int) {
			defer senders.Done()
			for i := 0; i < int(r.p.Tasks); i++ {
				jobs <- senderID*100 + i
				r.submitted(1)
				r.maxNumber("last_send_at_ms", r.nowMs())
			}
		}(s)
		r.sample()
	}
	go func() { // the closer
		senders.Wait()
		// Timed just before the close: once jobs is closed, main may return and end the run.
		r.number("closed_at_ms", r.nowMs())
		close(jobs)
	}()
	r.sample()
	workers.Wait()
}

// snippet:end send-on-closed/many-senders

// snippet:start send-on-closed/guide-timing
// The guide's exact timings: the late send at 50 ms, with a recover. The channel is still open
// then, so it rarely panics: this runs it `trials` times and counts.
func sendGuideTimingOnce(r *Run) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	consume(r, jobs, &wg, 10)
	owner(r, jobs)
	r.sleep(ms(50))
	defer wg.Wait() // not in the guide: each trial ends before the next starts
	defer func() {
		if v := recover(); v != nil {
			r.addNumber("panicked", 1)
			r.finding("recovered_panic", fmt.Sprintf("panic: %v [recovered]", v))
		}
	}()
	jobs <- 999
	r.submitted(1)
	r.addNumber("late_send_delivered", 1)
}

func sendGuideTiming(r *Run) {
	for t := 0; t < int(r.p.Trials); t++ {
		sendGuideTimingOnce(r)
	}
	r.logf("%v of %d trials panicked", r.numbers["panicked"], r.p.Trials)
}

// snippet:end send-on-closed/guide-timing
