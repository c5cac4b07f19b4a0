package main

import (
	"fmt"
	"sync"
)

func init() {
	register(&scenario{
		id:       "send-on-closed",
		defaults: []string{"tasks=5", "senders=3"},
		uses:     []string{"tasks", "senders", "trials", "seed", "time_scale", "mode"},
		variants: []*variant{
			{id: "wrong", kind: "wrong", main: sendOnClosedWrong, crashes: always},
			{id: "single-sender", kind: "right", main: sendSingleSender},
			{id: "many-senders", kind: "right", main: sendManySenders},
			{id: "guide-timing", kind: "guide_bug", defaults: []string{"trials=20"}, main: sendGuideTiming},
		},
	})
}

// snippet:start send-on-closed/wrong
// snippet:start send-on-closed/single-sender
// snippet:start send-on-closed/many-senders
// snippet:start send-on-closed/guide-timing
// consume counts what arrives on jobs until it is closed, taking `each` of runtime per job.
func consume(r *Run, jobs <-chan int, wg *sync.WaitGroup, each uint64) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range jobs {
			r.sleep(ms(each))
			r.done(Successful, r.nowMs())
			r.addNumber("delivered", 1)
		}
	}()
	r.sample()
}

// snippet:end send-on-closed/guide-timing
// snippet:end send-on-closed/many-senders
// snippet:end send-on-closed/single-sender
// snippet:end send-on-closed/wrong

// snippet:start send-on-closed/wrong
// The owner sends every 20 ms and closes; a second sender, not knowing, sends after the close.
// Nothing recovers: the program dies with Go's "panic: send on closed channel", exit status 2.
func sendOnClosedWrong(r *Run) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	consume(r, jobs, &wg, 10)
	closed := make(chan struct{}) // lets the late sender come after the close (always, not by luck)
	go func() {                   // the owner
		for i := 0; i < int(r.p.Tasks); i++ {
			r.submitted(1)
			jobs <- i
			r.sleep(ms(20))
		}
		close(jobs)
		close(closed)
	}()
	r.sample()
	<-closed
	r.submitted(1)
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
			r.submitted(1)
			jobs <- i
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
				r.submitted(1)
				jobs <- senderID*100 + i
			}
		}(s)
		r.sample()
	}
	go func() { // the closer
		senders.Wait()
		close(jobs)
	}()
	r.sample()
	workers.Wait()
}

// snippet:end send-on-closed/many-senders

// snippet:start send-on-closed/guide-timing
// The guide's exact timings: sends every 20 ms, a 10 ms worker, the late send at 50 ms with a
// recover. At these timings the late send comes before the close, so it rarely panics: this
// runs it `trials` times and counts.
func sendGuideTimingOnce(r *Run) (panicked bool) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	consume(r, jobs, &wg, 10)
	go func() {
		for i := 0; i < 5; i++ {
			r.submitted(1)
			jobs <- i
			r.sleep(ms(20))
		}
		close(jobs)
	}()
	r.sample()
	r.sleep(ms(50))
	defer func() {
		if v := recover(); v != nil {
			panicked = true
			r.finding("recovered_panic", fmt.Sprintf("panic: %v [recovered]", v))
		}
	}()
	r.submitted(1)
	jobs <- 999
	wg.Wait()
	return false
}

func sendGuideTiming(r *Run) {
	n := 0
	for t := 0; t < int(r.p.Trials); t++ {
		if sendGuideTimingOnce(r) {
			n++
		}
	}
	r.number("trials", float64(r.p.Trials))
	r.number("panicked", float64(n))
	r.logf("the late send panicked in %d of %d trials", n, r.p.Trials)
}

// snippet:end send-on-closed/guide-timing
