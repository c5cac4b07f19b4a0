package main

import (
	"sync"
	"time"
)

func init() {
	register(&scenario{
		id: "rate-limit",
		defaults: []string{"tasks=60", "workers=10", "rate_per_s=20", "burst=5",
			"sleep_max_ms=100", "time_scale=10"},
		uses: []string{"tasks", "workers", "rate_per_s", "burst", "sleep_max_ms", "seed",
			"time_scale", "mode"},
		variants: []*variant{
			{id: "token-bucket", kind: "right", main: rateLimit},
			{id: "no-limit", kind: "wrong", main: rateLimit},
		},
	})
}

// snippet:start rate-limit/token-bucket
// snippet:start rate-limit/no-limit
// rateLimit: `workers` workers take `tasks` queued tasks; with the token bucket, a task starts
// only with a token, and a refiller adds one every 1/rate_per_s seconds (the bucket holds
// `burst`, full at the start).
func rateLimit(r *Run) {
	limited := r.variant == "token-bucket"
	tokens := make(chan struct{}, r.p.Burst)
	for i := 0; i < int(r.p.Burst); i++ {
		tokens <- struct{}{}
	}
	stop := make(chan struct{})
	if limited {
		every := time.Duration(float64(time.Second) / r.p.RatePerS)
		go func() { // the refiller
			for {
				select {
				case <-stop:
					return
				case <-r.after(every):
					select { // add a token unless the bucket is full
					case tokens <- struct{}{}:
					default:
					}
				}
			}
		}()
		r.sample()
	}
	var startsMu sync.Mutex
	var starts []float64 // runtime ms at which each task started
	jobs := make(chan Job, r.p.Tasks)
	var wg sync.WaitGroup
	for w := 1; w <= int(r.p.Workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				if limited {
					<-tokens // wait for the bucket
				}
				startsMu.Lock()
				starts = append(starts, r.nowMs())
				startsMu.Unlock()
				r.sleep(ms(DrawTask(r.p.Seed, uint64(job.ID), r.p.SleepMaxMs, 0).SleepMs))
				r.done(Successful, job.Queued)
			}
		}()
		r.sample()
	}
	for id := 1; id <= int(r.p.Tasks); id++ {
		jobs <- Job{ID: id, Queued: r.nowMs()}
		r.submitted(1)
	}
	close(jobs)
	wg.Wait()
	select { // stop the refiller
	case stop <- struct{}{}:
	default:
	}
	busiest, over := judgeRate(starts, r.p.RatePerS, r.p.Burst)
	r.number("max_starts_per_s", float64(busiest))
	r.number("over_limit", float64(over))
	r.number("limit_per_s", r.p.RatePerS)
}

// snippet:end rate-limit/no-limit
// snippet:end rate-limit/token-bucket

// judgeRate: the most starts in any one second, and how many starts a token bucket of this
// rate and burst (full at t = 0, refilled continuously) would have refused. The same rule as
// the Rust engine's, so both judge a run alike.
func judgeRate(starts []float64, ratePerS float64, burst uint64) (busiest, over int) {
	for i, t := range starts {
		n := 0
		for _, u := range starts[i:] {
			if u >= t+1000 {
				break
			}
			n++
		}
		if n > busiest {
			busiest = n
		}
	}
	tokens, last := float64(burst), 0.0
	for _, t := range starts {
		tokens += (t - last) / 1e3 * ratePerS
		if tokens > float64(burst) {
			tokens = float64(burst)
		}
		last = t
		if tokens >= 1-1e-9 { // a hair of slack for float rounding
			tokens--
		} else {
			over++
		}
	}
	return busiest, over
}
