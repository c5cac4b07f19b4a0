package main

import (
	"sync"
	"time"
)

func init() {
	register(&scenario{
		id: "backpressure",
		defaults: []string{"tasks=200", "workers=4", "queue=20", "sleep_max_ms=100",
			"submit_every_ms=5", "time_scale=10"},
		uses: []string{"tasks", "workers", "queue", "sleep_max_ms", "submit_every_ms", "seed",
			"time_scale", "mode"},
		variants: []*variant{
			{id: "block", kind: "right", main: backpressure},
			{id: "drop", kind: "right", main: backpressure},
			{id: "unbounded", kind: "wrong", main: backpressure},
		},
	})
}

// payloadBytes: each request carries a body, so a queue that grows holds real memory.
const payloadBytes = 1024

// snippet:start backpressure/block
// snippet:start backpressure/drop
// snippet:start backpressure/unbounded
// Request is a task with its body, stamped with when the producer offered it.
type Request struct {
	ID      int
	Offered float64
	Body    []byte
}

// backpressure: main produces a task every submit_every_ms, faster than the workers finish
// them. What happens to the work the pool cannot take at once is the variant's policy.
func backpressure(r *Run) {
	capacity := int(r.p.Queue)
	if r.variant == "unbounded" {
		capacity = int(r.p.Tasks) // Go has no unbounded channel: a buffer for all the work
	}
	jobs := make(chan Request, capacity)
	var wg sync.WaitGroup
	for w := 1; w <= int(r.p.Workers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range jobs {
				r.sleep(ms(DrawTask(r.p.Seed, uint64(job.ID), r.p.SleepMaxMs, 0).SleepMs))
				r.done(Successful, job.Offered)
			}
		}()
		r.sample()
	}
	started := r.nowMs()
	for id := 1; id <= int(r.p.Tasks); id++ {
		job := Request{ID: id, Offered: r.nowMs(), Body: make([]byte, payloadBytes)}
		switch r.variant {
		case "block": // a full queue makes the producer wait: backpressure
			t := r.nowMs()
			jobs <- job
			r.submitted(1)
			r.addNumber("producer_blocked_ms", r.nowMs()-t)
		case "drop": // a full queue refuses the task: graceful degradation
			select {
			case jobs <- job:
				r.submitted(1)
			default:
				r.done(Dropped, job.Offered)
			}
		case "unbounded": // the queue never fills: everything waits in memory
			jobs <- job
			r.submitted(1)
		}
		r.maxNumber("max_queue_depth", float64(len(jobs)))
		r.sleep(time.Duration(r.p.SubmitEveryMs * float64(time.Millisecond)))
	}
	r.number("producer_ms", r.nowMs()-started)
	r.number("intended_ms", float64(r.p.Tasks)*r.p.SubmitEveryMs)
	close(jobs)
	wg.Wait()
}

// snippet:end backpressure/unbounded
// snippet:end backpressure/drop
// snippet:end backpressure/block
