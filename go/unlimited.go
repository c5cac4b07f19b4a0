package main

import "sync"

func init() {
	register(&scenario{
		id:       "unlimited",
		defaults: []string{"tasks=1000", "workload=io", "sleep_max_ms=1000", "work_iterations=1000000", "time_scale=10"},
		uses:     []string{"tasks", "workload", "sleep_max_ms", "work_iterations", "failure_rate", "seed", "time_scale", "mode"},
		variants: []*variant{{id: "default", kind: "wrong", main: unlimited}},
		peak:     func(p Params) uint64 { return p.Tasks + 2 },
	})
}

// snippet:start unlimited
// unlimited starts one goroutine per task: nothing bounds how many are alive at once.
func unlimited(r *Run) {
	var wg sync.WaitGroup
	for i := 1; i <= int(r.p.Tasks); i++ {
		wg.Add(1)
		r.submitted(1)
		queued := r.nowMs()
		go func(taskID int) {
			defer wg.Done()
			err := r.work(taskID) // sleeps below(sleep_max_ms), or doWork
			r.done(outcomeOf(err), queued)
		}(i)
		r.sample() // the live count peaks right after a `go`
	}
	wg.Wait()
}

// snippet:end unlimited
