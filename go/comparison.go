package main

import (
	"runtime"
	"sync"
	"time"
)

func init() {
	register(&scenario{
		id:       "control-comparison",
		defaults: []string{"tasks=1000", "workers=10", "queue=100", "work_iterations=1000000"},
		uses:     []string{"tasks", "workers", "queue", "work_iterations", "seed", "mode"},
		variants: []*variant{{id: "default", kind: "demo", main: controlComparison}},
		peak:     func(p Params) uint64 { return p.Tasks + 2 },
	})
}

// snippet:start control-comparison
// measureGoroutines is the guide's measurement, with the true peak beside it: the guide's
// "peak" is runtime.NumGoroutine() read after fn returned and things settled, which is the
// count after the run, not its peak.
// It returns the phase's runtime ms, for main_alone_ms.
func measureGoroutines(r *Run, label string, fn func()) float64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r.startPhase()
	start, t0 := time.Now(), r.nowMs()
	fn()
	elapsed, span := time.Since(start), r.nowMs()-t0
	truePeak := r.endPhase()
	runtime.GC()
	time.Sleep(100 * time.Millisecond) // let things settle, as the guide does
	guidePeak := r.goroutines()
	runtime.ReadMemStats(&after)
	r.number(label+"_guide_peak", float64(guidePeak))
	r.number(label+"_peak", float64(truePeak))
	r.number(label+"_alloc", float64(after.TotalAlloc-before.TotalAlloc))
	r.number(label+"_ms", float64(elapsed)/1e6)
	r.logf("%s: goroutines (before → guide's \"peak\") 1 → %d; true peak %d; %v", label, guidePeak, truePeak, elapsed)
	return span
}

func withoutWorkerPool(r *Run, numTasks int) {
	var wg sync.WaitGroup
	for i := 0; i < numTasks; i++ {
		wg.Add(1)
		r.submitted(1)
		queued := r.nowMs()
		go func(id int) {
			defer wg.Done()
			doWork(r.p.WorkIterations)
			r.done(Successful, queued)
		}(i)
		r.sample()
	}
	wg.Wait()
}

func withWorkerPool(r *Run, numTasks, numWorkers int) {
	jobs := make(chan Job, r.p.Queue)
	var wg sync.WaitGroup
	for w := 0; w < numWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				doWork(r.p.WorkIterations)
				r.done(Successful, job.Queued)
			}
		}()
		r.sample()
	}
	for i := 0; i < numTasks; i++ {
		r.submitted(1)
		jobs <- Job{ID: i, Queued: r.nowMs()}
	}
	close(jobs)
	wg.Wait()
}

func controlComparison(r *Run) {
	u := measureGoroutines(r, "unlimited", func() { withoutWorkerPool(r, int(r.p.Tasks)) })
	p := measureGoroutines(r, "pool", func() { withWorkerPool(r, int(r.p.Tasks), int(r.p.Workers)) })
	// Runtime outside both phases, as the Rust program's sentence gives it: main alone, settling.
	r.number("main_alone_ms", r.nowMs()-u-p)
}

// snippet:end control-comparison
