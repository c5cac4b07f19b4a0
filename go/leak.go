package main

import (
	"runtime"
	"sync"
)

func init() {
	register(&scenario{
		id:       "leak-unclosed-channel",
		defaults: []string{"tasks=10", "workers=5"},
		uses:     []string{"tasks", "workers", "seed", "time_scale", "mode"},
		variants: []*variant{
			{id: "wrong", kind: "wrong", main: leakWrong},
			{id: "right", kind: "right", main: leakRight},
		},
	})
}

// snippet:start leak-unclosed-channel/wrong
// snippet:start leak-unclosed-channel/right
// sendJobs sends `tasks` jobs, one at a time (the channel is unbuffered).
func sendJobs(r *Run, jobs chan<- int) {
	for i := 0; i < int(r.p.Tasks); i++ {
		jobs <- i
		r.submitted(1)
	}
}

// startRangeWorkers starts workers that range over jobs until it is closed.
func startRangeWorkers(r *Run, jobs chan int, wg *sync.WaitGroup) {
	r.addNumber("workers_returned", 0) // counted from 0: a leak says 0, not nothing
	for w := 0; w < int(r.p.Workers); w++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for job := range jobs { // returns only when jobs is closed
				r.done(Successful, r.nowMs())
				_ = job
			}
			r.addNumber("workers_returned", 1) // the lesson's measure, as the Rust engine's
		}(w)
		r.sample()
	}
}

// snippet:end leak-unclosed-channel/right
// snippet:end leak-unclosed-channel/wrong

// snippet:start leak-unclosed-channel/wrong
// The jobs channel is never closed: every worker stays in `range jobs` after main returns.
func leakWrong(r *Run) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	startRangeWorkers(r, jobs, &wg)
	sendJobs(r, jobs)
	// No close(jobs), and wg.Wait() here would deadlock.
	r.logf("Main finished, but workers are still waiting... goroutines: %d", runtime.NumGoroutine()-r.offset)
	r.sleep(ms(500)) // the guide's time.Sleep(500 * time.Millisecond) before counting
}

// snippet:end leak-unclosed-channel/wrong

// snippet:start leak-unclosed-channel/right
// close(jobs) ends every `range jobs`; wg.Wait() then returns.
func leakRight(r *Run) {
	jobs := make(chan int)
	var wg sync.WaitGroup
	startRangeWorkers(r, jobs, &wg)
	sendJobs(r, jobs)
	close(jobs)
	wg.Wait()
	r.logf("All workers shut down cleanly")
}

// snippet:end leak-unclosed-channel/right
