package main

import "sync"

func init() {
	register(&scenario{
		id:       "deadlock-unbuffered",
		defaults: []string{"tasks=10", "workers=2", "queue=10"},
		uses:     []string{"tasks", "workers", "queue", "seed", "time_scale", "mode"},
		variants: []*variant{
			{id: "wrong", kind: "wrong", main: deadlockWrong, crashes: always},
			{id: "buffered", kind: "right", main: deadlockBuffered},
			{id: "separate-goroutines", kind: "right", main: deadlockSeparate},
			{id: "blocked-workers", kind: "demo", defaults: []string{"tasks=5", "queue=5"}, main: deadlockBlockedWorkers},
			{id: "small-buffer", kind: "wrong", defaults: []string{"queue=3"}, main: deadlockSmallBuffer, crashes: always},
		},
	})
}

// snippet:start deadlock-unbuffered/wrong
// snippet:start deadlock-unbuffered/buffered
// snippet:start deadlock-unbuffered/separate-goroutines
// snippet:start deadlock-unbuffered/blocked-workers
// snippet:start deadlock-unbuffered/small-buffer
// doublingWorkers start `workers` goroutines that send job*2 on results for every job.
func doublingWorkers(r *Run, jobs <-chan int, results chan<- int, wg *sync.WaitGroup) {
	for w := 0; w < int(r.p.Workers); w++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for job := range jobs {
				start := r.nowMs()
				results <- job * 2 // blocks until someone receives (or the buffer has room)
				r.addNumber("blocked_ms", r.nowMs()-start)
				r.maxNumber("max_blocked_ms", r.nowMs()-start)
				r.done(Successful, start)
			}
		}(w)
		r.sample()
	}
}

// snippet:end deadlock-unbuffered/small-buffer
// snippet:end deadlock-unbuffered/blocked-workers
// snippet:end deadlock-unbuffered/separate-goroutines
// snippet:end deadlock-unbuffered/buffered
// snippet:end deadlock-unbuffered/wrong

// snippet:start deadlock-unbuffered/wrong
// snippet:start deadlock-unbuffered/small-buffer
// sendThenRead sends every job before reading any result, on channels of the given capacity.
// Unbuffered (wrong): the workers block handing over results nobody reads, main blocks handing
// over the next job. Buffers smaller than the work (small-buffer: 3 and 3, with a job in each
// of 2 workers, hold 8 of 10 jobs): the same, a little later.
// fatal error: all goroutines are asleep - deadlock!
func sendThenRead(r *Run, capacity uint64) {
	jobs := make(chan int, capacity)
	results := make(chan int, capacity)
	var wg sync.WaitGroup
	doublingWorkers(r, jobs, results, &wg)
	for i := 0; i < int(r.p.Tasks); i++ {
		jobs <- i
		r.submitted(1)
	}
	close(jobs)
	for i := 0; i < int(r.p.Tasks); i++ {
		<-results
	}
	wg.Wait()
}

// snippet:end deadlock-unbuffered/small-buffer
func deadlockWrong(r *Run) { sendThenRead(r, 0) }

// snippet:end deadlock-unbuffered/wrong

// snippet:start deadlock-unbuffered/small-buffer
func deadlockSmallBuffer(r *Run) { sendThenRead(r, r.p.Queue) }

// snippet:end deadlock-unbuffered/small-buffer

// snippet:start deadlock-unbuffered/buffered
// Buffers of `queue` (10) that hold every job and result: nobody waits on anybody.
func deadlockBuffered(r *Run) {
	jobs := make(chan int, r.p.Queue)
	results := make(chan int, r.p.Queue)
	var wg sync.WaitGroup
	doublingWorkers(r, jobs, results, &wg)
	for i := 0; i < int(r.p.Tasks); i++ {
		jobs <- i
		r.submitted(1)
	}
	close(jobs)
	go func() { // the closer
		wg.Wait()
		close(results)
	}()
	r.sample()
	for range results {
	}
}

// snippet:end deadlock-unbuffered/buffered

// snippet:start deadlock-unbuffered/separate-goroutines
// Unbuffered is fine once sending and receiving happen in different goroutines.
func deadlockSeparate(r *Run) {
	jobs := make(chan int)
	results := make(chan int)
	var wg sync.WaitGroup
	doublingWorkers(r, jobs, results, &wg)
	go func() { // the sender
		for i := 0; i < int(r.p.Tasks); i++ {
			jobs <- i
			r.submitted(1)
		}
		close(jobs)
	}()
	r.sample()
	go func() { // the closer
		wg.Wait()
		close(results)
	}()
	r.sample()
	count := 0
	for range results {
		count++
	}
	r.logf("Processed %d results", count)
}

// snippet:end deadlock-unbuffered/separate-goroutines

// snippet:start deadlock-unbuffered/blocked-workers
// Results unbuffered and read only after a 2 s sleep: no deadlock, but the workers stand still.
func deadlockBlockedWorkers(r *Run) {
	jobs := make(chan int, r.p.Queue)
	results := make(chan int)
	var wg sync.WaitGroup
	doublingWorkers(r, jobs, results, &wg)
	for i := 0; i < int(r.p.Tasks); i++ {
		jobs <- i
		r.submitted(1)
	}
	close(jobs)
	r.sleep(ms(2000))
	r.number("workers_blocked_at_read", float64(r.blockedIn("doublingWorkers")))
	r.number("jobs_queued_at_read", float64(len(jobs)))
	for i := 0; i < int(r.p.Tasks); i++ {
		<-results
	}
	wg.Wait()
}

// snippet:end deadlock-unbuffered/blocked-workers
