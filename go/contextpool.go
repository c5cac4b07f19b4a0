package main

import (
	"context"
	"sync"
)

func init() {
	register(&scenario{
		id: "context-pool",
		defaults: []string{"tasks=20", "workers=3", "queue=10", "sleep_max_ms=500",
			"failure_rate=0.1", "timeout_ms=10000", "time_scale=10"},
		uses: []string{"tasks", "workers", "queue", "sleep_max_ms", "failure_rate", "timeout_ms",
			"seed", "time_scale", "mode"},
		variants: []*variant{
			{id: "close", kind: "right", main: contextPoolClose},
			{id: "cancel", kind: "right", main: contextPoolCancel},
			{id: "guide-cancel", kind: "guide_bug", main: contextPoolGuideCancel, crashes: always},
		},
	})
}

// snippet:start context-pool/close
// snippet:start context-pool/cancel
// snippet:start context-pool/guide-cancel
// Task is work for the pool, stamped with when it was submitted (runtime ms).
type Task struct {
	ID        int
	Submitted float64
}

// TaskResult is the outcome of one task, with when it was submitted and when it ended.
type TaskResult struct {
	TaskID    int
	Err       error
	Submitted float64
	Ended     float64
}

// WorkerPool is the guide's pool with a context: tasks and results both buffered.
type WorkerPool struct {
	r           *Run
	workerCount int
	tasks       chan Task
	results     chan TaskResult
	wg          sync.WaitGroup
	ctx         context.Context
	cancel      context.CancelFunc
	closeOnce   sync.Once // cancel variant: results closed exactly once
	guideCancel bool      // guide-cancel variant: Cancel closes results itself, as the guide does
}

func NewWorkerPool(r *Run, ctx context.Context, workerCount, bufferSize int) *WorkerPool {
	ctx, cancel := context.WithCancel(ctx)
	return &WorkerPool{r: r, workerCount: workerCount,
		tasks:   make(chan Task, bufferSize),
		results: make(chan TaskResult, bufferSize),
		ctx:     ctx, cancel: cancel}
}

func (wp *WorkerPool) Start() {
	for i := 1; i <= wp.workerCount; i++ {
		wp.wg.Add(1)
		go wp.worker(i)
		wp.r.sample()
	}
}

func (wp *WorkerPool) worker(id int) {
	defer wp.wg.Done()
	for {
		select {
		case <-wp.ctx.Done():
			return
		case task, ok := <-wp.tasks:
			if !ok {
				return
			}
			err := wp.r.work(task.ID) // sleep below(500) ms; fails at failure_rate
			result := TaskResult{TaskID: task.ID, Err: err, Submitted: task.Submitted, Ended: wp.r.nowMs()}
			select {
			case wp.results <- result:
			case <-wp.ctx.Done():
				// Thrown away: counted here, as the Rust engine counts it, so a main that
				// dies in Cancel's close still has it (its cancelledRest never runs).
				wp.r.cancelled(1)
				return
			}
		}
	}
}

// Submit queues a task, or returns the context's error once the pool is cancelled.
func (wp *WorkerPool) Submit(task Task) error {
	select {
	case wp.tasks <- task:
		return nil
	case <-wp.ctx.Done():
		return wp.ctx.Err()
	}
}

// Close: no more tasks; wait for the workers; close results.
func (wp *WorkerPool) Close() {
	close(wp.tasks)
	wp.wg.Wait()
	wp.closeResults()
}

// Cancel stops the workers now, then closes results.
func (wp *WorkerPool) Cancel() {
	wp.cancel()
	wp.wg.Wait()
	wp.closeResults()
}

func (wp *WorkerPool) closeResults() {
	if wp.guideCancel {
		close(wp.results) // the guide's Cancel and Close both do this: the second one panics
		return
	}
	wp.closeOnce.Do(func() { close(wp.results) })
}

func (wp *WorkerPool) Results() <-chan TaskResult { return wp.results }

// runContextPool submits from a goroutine that stops at the first refused submit, and reads
// results; cancelAfter > 0 cancels the pool after that many results.
func runContextPool(r *Run, guideCancel bool, cancelAfter int) {
	ctx, cancel := r.withTimeout(context.Background(), ms(r.p.TimeoutMs))
	defer cancel()
	pool := NewWorkerPool(r, ctx, int(r.p.Workers), int(r.p.Queue))
	pool.guideCancel = guideCancel
	pool.Start()
	go func() { // the submitter
		for i := 1; i <= int(r.p.Tasks); i++ {
			if err := pool.Submit(Task{ID: i, Submitted: r.nowMs()}); err != nil {
				r.logf("Failed to submit task %d: %v", i, err)
				break
			}
			r.submitted(1)
		}
		pool.Close()
	}()
	r.sample()
	received := 0
	for res := range pool.Results() {
		received++
		r.doneAt(outcomeOf(res.Err), res.Submitted, res.Ended)
		if res.Err != nil {
			r.logf("Task %d failed: %v", res.TaskID, res.Err)
		}
		if received == cancelAfter {
			r.logf("Cancel() after %d results", received)
			r.number("cancelled_at_ms", r.nowMs()) // the lesson's measure, as the Rust engine's
			pool.Cancel()
		}
	}
	// Submitted tasks without a result were cancelled: queued at the cancel (a result dropped
	// by a worker that saw ctx.Done() counted where it was dropped).
	r.cancelledRest()
	r.number("results", float64(received))
}

// snippet:end context-pool/guide-cancel
// snippet:end context-pool/cancel
// snippet:end context-pool/close

// snippet:start context-pool/close
func contextPoolClose(r *Run) { runContextPool(r, false, 0) }

// snippet:end context-pool/close

// snippet:start context-pool/cancel
// Cancel after half the results; results are closed once whoever gets there first.
func contextPoolCancel(r *Run) { runContextPool(r, false, int(r.p.Tasks)/2) }

// snippet:end context-pool/cancel

// snippet:start context-pool/guide-cancel
// The guide's Cancel closes results, then the submitter's Close closes them again:
// panic: close of closed channel.
func contextPoolGuideCancel(r *Run) { runContextPool(r, true, int(r.p.Tasks)/2) }

// snippet:end context-pool/guide-cancel
