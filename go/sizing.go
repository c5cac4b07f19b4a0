package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func init() {
	register(&scenario{
		id:       "sizing-sweep",
		defaults: []string{"tasks=200", "workers=64", "work_iterations=200000", "sleep_max_ms=100", "time_scale=20"},
		uses:     []string{"tasks", "workers", "work_iterations", "sleep_max_ms", "seed", "time_scale", "mode"},
		variants: []*variant{{id: "default", kind: "demo", main: sizingSweep}},
	})
}

// snippet:start sizing-sweep
// sweepPool runs `tasks` tasks (ids 0..) on a pool of w workers: CPU-bound (doWork) or I/O-bound
// (a sleep drawn from the generator). The queue holds every task (nobody waits to submit); a
// closer goroutine closes results when the workers are done. It returns tasks per second: of
// wall time for CPU work, of runtime for I/O.
func sweepPool(r *Run, w int, cpu bool) float64 {
	n := int(r.p.Tasks)
	jobs := make(chan Job, n)
	results := make(chan float64, n)
	var wg sync.WaitGroup
	for i := 0; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				if cpu {
					doWork(r.p.WorkIterations)
				} else {
					maxSleep := r.p.SleepMaxMs
					if maxSleep == 0 {
						maxSleep = 1
					}
					r.sleep(ms(DrawTask(r.p.Seed, uint64(job.ID), maxSleep, 0).SleepMs))
				}
				results <- job.Queued
			}
		}()
		r.sample()
	}
	go func() { // the results closer
		wg.Wait()
		close(results)
	}()
	r.sample()
	wall, t0 := time.Now(), r.nowMs()
	for id := 0; id < n; id++ {
		jobs <- Job{ID: id, Queued: t0}
	}
	close(jobs)
	r.submitted(uint64(n))
	for queued := range results {
		r.done(Successful, queued)
	}
	if cpu {
		return float64(n) / time.Since(wall).Seconds()
	}
	return float64(n) / ((r.nowMs() - t0) / 1e3)
}

// sizingSweep: pool sizes 1, 2, 4, … up to `workers`, each with CPU and then I/O tasks.
func sizingSweep(r *Run) {
	bestCPU, bestIO := [2]float64{}, [2]float64{}
	for w := 1; w <= int(r.p.Workers) && w <= 64; w *= 2 {
		cpu := sweepPool(r, w, true)
		io := sweepPool(r, w, false)
		r.number(fmt.Sprintf("cpu_tps_%d", w), cpu)
		r.number(fmt.Sprintf("io_tps_%d", w), io)
		r.logf("workers %2d: CPU %7.1f tasks/s | I/O %7.1f tasks/s", w, cpu, io)
		if cpu > bestCPU[1] {
			bestCPU = [2]float64{float64(w), cpu}
		}
		if io > bestIO[1] {
			bestIO = [2]float64{float64(w), io}
		}
	}
	r.number("gomaxprocs", float64(runtime.GOMAXPROCS(0)))
	r.number("best_cpu_workers", bestCPU[0])
	r.number("best_io_workers", bestIO[0])
}

// snippet:end sizing-sweep
