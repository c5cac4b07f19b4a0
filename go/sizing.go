package main

import (
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
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
// sweepPool runs `tasks` tasks (ids 1..) on the guide's fixed pool of w workers: CPU-bound
// (doWork) or I/O-bound (a sleep drawn from the generator). Jobs and results are buffered for
// every task; main sends them all, closes jobs, waits for the workers, then reads the results.
// It returns tasks per second (of wall time for CPU work, of runtime for I/O) and, for CPU
// work, one doWork's mean wall time in µs (whether the threads had a core each: review F8).
func sweepPool(r *Run, w int, cpu bool) (float64, float64) {
	n := int(r.p.Tasks)
	jobs := make(chan int, n)
	results := make(chan float64, n) // when each job ended (runtime ms)
	var wg sync.WaitGroup
	var busyNs int64 // doWork's wall time, summed over the tasks
	for i := 0; i < w; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				if cpu {
					t := time.Now()
					doWork(r.p.WorkIterations)
					atomic.AddInt64(&busyNs, int64(time.Since(t)))
				} else {
					r.sleep(ms(DrawTask(r.p.Seed, uint64(id), r.p.SleepMaxMs, 0).SleepMs))
				}
				results <- r.nowMs()
			}
		}()
		r.sample()
	}
	wall, t0 := time.Now(), r.nowMs()
	for id := 1; id <= n; id++ {
		jobs <- id
	}
	close(jobs)
	r.submitted(uint64(n))
	wg.Wait()
	close(results)
	for range results {
		r.done(Successful, t0)
	}
	if cpu {
		return float64(n) / time.Since(wall).Seconds(), float64(busyNs) / 1e3 / float64(n)
	}
	return float64(n) / ((r.nowMs() - t0) / 1e3), 0
}

// sweepSizes are 1, 2, 4, … up to workers, and workers itself.
func sweepSizes(workers int) []int {
	var sizes []int
	for s := 1; s <= workers; s *= 2 {
		sizes = append(sizes, s)
	}
	if sizes[len(sizes)-1] != workers {
		sizes = append(sizes, workers)
	}
	return sizes
}

// cpuRounds is how many times each size runs the CPU-bound tasks, as the Rust program's
// CPU_ROUNDS: one measurement of tens of ms per size was noise (review R13).
const cpuRounds = 5

// spreadOf is the slowest, the middle and the fastest of rounds.
func spreadOf(rounds []float64) (min, median, max float64) {
	v := append([]float64(nil), rounds...)
	sort.Float64s(v)
	return v[0], v[len(v)/2], v[len(v)-1]
}

// sizingSweep: the CPU rounds, interleaved across sizes (a slow spell of a shared machine lands
// on every size), then each size with I/O tasks.
func sizingSweep(r *Run) {
	// A warm-up round, not reported, as the Rust program has: a browser compiles the Rust
	// doWork in the background, and both programs count the same tasks.
	sweepPool(r, runtime.GOMAXPROCS(0), true)
	sizes := sweepSizes(int(r.p.Workers))
	rounds := make([][]float64, len(sizes))
	taskUs := make([]map[float64]float64, len(sizes)) // each round's doWork µs, by its tasks/s
	for k := 0; k < cpuRounds; k++ {
		for i, w := range sizes {
			tps, us := sweepPool(r, w, true)
			rounds[i] = append(rounds[i], tps)
			if taskUs[i] == nil {
				taskUs[i] = map[float64]float64{}
			}
			taskUs[i][tps] = us
		}
	}
	median := map[int]float64{}
	knee, top := sizes[0], sizes[len(sizes)-1] // the largest size not above GOMAXPROCS, the largest
	for _, w := range sizes {
		if w <= runtime.GOMAXPROCS(0) {
			knee = w
		}
	}
	bestCPU, bestIO := [2]float64{}, [2]float64{}
	var ios []float64
	for i, w := range sizes {
		lo, cpu, hi := spreadOf(rounds[i])
		io, _ := sweepPool(r, w, false)
		median[w] = cpu
		ios = append(ios, io)
		if w == knee {
			r.number("cpu_task_us_knee", taskUs[i][cpu]) // the median round's
		}
		r.number(fmt.Sprintf("cpu_tps_%d", w), cpu)
		r.number(fmt.Sprintf("cpu_tps_min_%d", w), lo)
		r.number(fmt.Sprintf("cpu_tps_max_%d", w), hi)
		r.number(fmt.Sprintf("io_tps_%d", w), io)
		r.logf("workers %2d: CPU %7.1f tasks/s (%.1f–%.1f over %d rounds) | I/O %7.1f tasks/s", w, cpu, lo, hi, cpuRounds, io)
		if cpu > bestCPU[1] {
			bestCPU = [2]float64{float64(w), cpu}
		}
		if io > bestIO[1] {
			bestIO = [2]float64{float64(w), io}
		}
	}
	r.number("gomaxprocs", float64(runtime.GOMAXPROCS(0)))
	r.number("cpu_rounds", cpuRounds)
	r.number("best_cpu_workers", bestCPU[0])
	r.number("best_io_workers", bestIO[0])
	// The Rust program's headline ratios, read at the same places beside it: only the ratios
	// the sweep has, as in the Rust Report.
	if knee > 1 {
		r.number("cpu_gain_knee", median[knee]/median[1])
	}
	if top > knee {
		r.number("cpu_gain_top", median[top]/median[knee])
	}
	r.number("io_gain", ios[len(ios)-1]/ios[0])
}

// snippet:end sizing-sweep
