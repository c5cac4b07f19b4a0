package main

import "sync"

func init() {
	register(&scenario{
		id:       "fixed-pool",
		defaults: []string{"tasks=1000", "workers=5", "queue=100", "workload=io", "sleep_max_ms=1000", "work_iterations=1000000", "time_scale=50"},
		uses:     []string{"tasks", "workers", "queue", "workload", "sleep_max_ms", "work_iterations", "failure_rate", "seed", "time_scale", "mode"},
		variants: []*variant{{id: "default", kind: "right", main: fixedPool}},
	})
}

// snippet:start fixed-pool
// Job is a task to process, stamped with when it was queued (runtime ms).
type Job struct {
	ID     int
	Queued float64
}

// Result is the outcome of one job.
type Result struct {
	JobID int
	Err   error
}

// poolWorker processes jobs until the jobs channel is closed and drained.
func poolWorker(r *Run, jobs <-chan Job, results chan<- Result, wg *sync.WaitGroup) {
	defer wg.Done()
	for job := range jobs {
		err := r.work(job.ID)
		r.done(outcomeOf(err), job.Queued)
		results <- Result{JobID: job.ID, Err: err}
	}
}

// fixedPool runs the tasks on a fixed number of workers fed by a buffered channel.
func fixedPool(r *Run) {
	jobs := make(chan Job, r.p.Queue)
	results := make(chan Result, r.p.Queue)
	var wg sync.WaitGroup
	for w := 1; w <= int(r.p.Workers); w++ {
		wg.Add(1)
		go poolWorker(r, jobs, results, &wg)
		r.sample()
	}
	go func() { // the sender
		for j := 1; j <= int(r.p.Tasks); j++ {
			jobs <- Job{ID: j, Queued: r.nowMs()}
			r.submitted(1)
		}
		close(jobs)
	}()
	r.sample()
	go func() { // the closer: results close once every worker is done
		wg.Wait()
		close(results)
	}()
	r.sample()
	succeeded := 0
	for res := range results {
		if res.Err == nil {
			succeeded++
		}
	}
	r.logf("Successfully processed: %d/%d jobs", succeeded, r.p.Tasks)
}

// snippet:end fixed-pool
