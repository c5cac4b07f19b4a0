package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

func init() {
	register(&scenario{
		id: "best-practices",
		defaults: []string{"tasks=20", "workers=5", "queue=50", "timeout_ms=10000",
			"task_timeout_ms=5000", "break=0", "time_scale=10"},
		uses: []string{"tasks", "workers", "queue", "timeout_ms", "task_timeout_ms", "break", "seed",
			"time_scale", "mode"},
		variants: []*variant{
			// Breaks 7 and 10 end the program by design (no recover; no sync.Once), and with
			// break 3 a worker that runs its Add after Close's Wait returned sends on the closed
			// results channel: any break may crash, so every run is a child process.
			{id: "default", kind: "right", main: bestPractices, crashes: always},
			{id: "guide-cancel", kind: "guide_bug", main: bestPractices, crashes: always},
			{id: "inner-panic", kind: "guide_bug", main: bestPractices, crashes: always},
		},
	})
}

// The run has three parts, as in the Rust engine (src/scenario/best_practices.rs), so that every
// practice meets the situation it is for: a cancel drill (a pool whose workers are busy, whose
// queue is full and whose submitter is blocked gets its own cancel: practices 1, 5, 9), a
// lifecycle drill (the same, ended by cancelling main's context: 12), and the guide's program
// (5 workers, buffer 50, 20 tasks of 100 ms; task 7 panics and task 13 outlasts the 5 s task
// timeout; the submitter closes the pool twice, as cleanup code often does). `break` N switches
// practice N off.
const (
	panickingTask  = 7
	slowTask       = 13
	bpWorkMs       = 100
	drillWorkMs    = 1000 // a drill's tasks are long: its workers are busy at the cancel
	drillIDs       = 1000 // ids of the drills' tasks start here
	drillSettleMs  = 20
	drillObserveMs = 1500 // as the Rust drill (best_practices.rs says why)
	drillPollMs    = 5
	depthWarning   = 40
)

// snippet:start best-practices/default
// snippet:start best-practices/guide-cancel
// snippet:start best-practices/inner-panic
// BPTask is a task: its id and when it was submitted. Go's zero value, BPTask{}, is task 0.
type BPTask struct {
	ID        int
	Submitted float64
}

// BPResult is a task's result.
type BPResult struct {
	Task    BPTask
	Worker  int
	Err     error
	Outcome Outcome
}

// BestPracticeWorkerPool is the guide's pool; brk switches one practice off.
type BestPracticeWorkerPool struct {
	r           *Run
	brk         uint64
	variant     string
	workerCount int
	taskTimeout time.Duration
	tasks       chan BPTask
	results     chan BPResult
	wg          sync.WaitGroup
	ctx         context.Context
	cancel      context.CancelFunc // practice 1: the pool's own cancel (nil when broken)
	once        sync.Once          // practice 10
	record      bool               // the guide's pool records; a drill's pool does not
	running     int64              // workers running now
	endLife     context.CancelFunc // a drill's lifecycle (cancelled by the lifecycle drill only)
	lateStarts  int64              // tasks started after the pool's context was done
}

func NewBestPracticeWorkerPool(r *Run, ctx context.Context, record bool) *BestPracticeWorkerPool {
	bp := &BestPracticeWorkerPool{r: r, brk: r.p.Break, variant: r.variant, record: record,
		workerCount: int(r.p.Workers), taskTimeout: ms(r.p.TaskTimeoutMs)}
	switch bp.brk {
	case 1: // broken 1: the caller's context as is, no cancel of its own
		bp.ctx = ctx
	case 12: // broken 12: not derived from main's lifecycle
		bp.ctx, bp.cancel = context.WithCancel(context.Background())
	default: // 1 and 12: derived from the caller's context, with a cancel of its own
		bp.ctx, bp.cancel = context.WithCancel(ctx)
	}
	buffer := int(r.p.Queue)
	if bp.brk == 2 { // broken 2: unbuffered
		buffer = 0
	}
	bp.tasks = make(chan BPTask, buffer)
	bp.results = make(chan BPResult, buffer)
	if bp.brk == 13 { // broken 13: one worker, whatever the work
		bp.workerCount = 1
	}
	return bp
}

// Start: practice 3, wg.Add(1) before each `go bp.worker(i)`.
func (bp *BestPracticeWorkerPool) Start() {
	for i := 1; i <= bp.workerCount; i++ {
		if bp.brk != 3 {
			bp.wg.Add(1)
		}
		go bp.worker(i)
		bp.r.sample()
	}
}

func (bp *BestPracticeWorkerPool) note(name string) {
	if bp.record {
		bp.r.addNumber(name, 1)
	}
}

func (bp *BestPracticeWorkerPool) worker(id int) {
	atomic.AddInt64(&bp.running, 1)
	defer atomic.AddInt64(&bp.running, -1)
	if bp.brk == 3 {
		bp.wg.Add(1) // broken 3: Add inside the goroutine, racing Wait
	}
	// 4: defer wg.Done(). Broken: Done at the end of worker(), which every return below skips.
	if bp.brk != 4 {
		defer func() {
			bp.wg.Done()
			bp.note("dones")
		}()
	}
	for {
		var task BPTask
		var ok bool
		if bp.brk == 5 { // broken 5: only the receive, no ctx.Done()
			task, ok = <-bp.tasks
		} else {
			select {
			case <-bp.ctx.Done(): // 5: respect cancellation
				bp.note("exits_cancelled")
				return
			case task, ok = <-bp.tasks:
			}
		}
		if !ok { // 6: check if the channel is closed
			if bp.brk != 6 {
				bp.note("exits_closed")
				return
			}
			bp.note("zero_tasks") // broken 6: the closed channel's zero value, taken as a task
		}
		if bp.ctx.Err() != nil {
			atomic.AddInt64(&bp.lateStarts, 1)
		}
		if bp.brk == 7 { // broken 7: no recover; a panic ends the program
			bp.handle(id, task)
			continue
		}
		func() { // 7: handle panics in workers
			defer func() {
				if v := recover(); v != nil {
					if bp.record {
						bp.r.addNumber("panics_recovered", 1)
					}
					bp.results <- BPResult{Task: task, Worker: id, Outcome: Failed,
						Err: fmt.Errorf("panic in worker %d: %v", id, v)}
				}
			}()
			bp.handle(id, task)
		}()
	}
}

// handle processes a task and sends its result.
func (bp *BestPracticeWorkerPool) handle(id int, task BPTask) {
	result := bp.processTask(id, task)
	if bp.brk == 5 { // broken 5: a plain send
		bp.results <- result
		return
	}
	select {
	case bp.results <- result:
	case <-bp.ctx.Done():
		// Thrown away: it counts cancelled here, as a main that dies first never counts it
		// (task 0, the zero value of a closed channel, is no task).
		if bp.record && task.ID != 0 {
			bp.r.cancelled(1)
		}
	}
}

// processTask: the work runs in an inner goroutine; practice 8's timeout bounds the wait for it.
func (bp *BestPracticeWorkerPool) processTask(workerID int, task BPTask) BPResult {
	if task.ID == panickingTask && bp.variant == "default" {
		panic(fmt.Sprintf("task %d hit a bug", task.ID))
	}
	var ctx context.Context
	var cancel context.CancelFunc
	if bp.brk == 8 { // broken 8: no deadline, cancellation only
		ctx, cancel = context.WithCancel(bp.ctx)
	} else {
		ctx, cancel = bp.r.withTimeout(bp.ctx, bp.taskTimeout) // 8: add timeouts
	}
	defer cancel()
	work := ms(bpWorkMs)
	switch {
	case task.ID == slowTask:
		work = bp.taskTimeout + time.Second
	case task.ID > drillIDs:
		work = ms(drillWorkMs)
	}
	done := make(chan int, 1)
	go func() {
		bp.r.sleep(work)
		if task.ID == panickingTask && bp.variant == "inner-panic" {
			panic(fmt.Sprintf("task %d hit a bug", task.ID)) // no recover reaches this goroutine
		}
		done <- task.ID
	}()
	bp.r.sample()
	start := bp.r.nowMs()
	select {
	case <-done:
		return BPResult{Task: task, Worker: workerID, Outcome: Successful}
	case <-ctx.Done():
		if task.ID == slowTask && bp.record {
			bp.r.number("slow_task_ran_ms", bp.r.nowMs()-start)
		}
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			if bp.record {
				bp.r.number("timed_out_after_ms", bp.r.nowMs()-start)
			}
			return BPResult{Task: task, Worker: workerID, Outcome: TimedOut, Err: errors.New("task timeout")}
		}
		return BPResult{Task: task, Worker: workerID, Outcome: Cancelled, Err: errors.New("task cancelled")}
	}
}

// Submit: practice 9, check the context before blocking.
func (bp *BestPracticeWorkerPool) Submit(task BPTask) error {
	if bp.brk == 9 { // broken 9: a plain send, which waits as long as the queue stays full
		bp.tasks <- task
		return nil
	}
	select {
	case bp.tasks <- task:
		return nil
	case <-bp.ctx.Done():
		return bp.ctx.Err()
	}
}

// Close: practice 10, sync.Once. Broken: a second Close closes again and panics.
func (bp *BestPracticeWorkerPool) Close() {
	closeAll := func() {
		close(bp.tasks)
		bp.wg.Wait()
		close(bp.results)
	}
	if bp.brk == 10 {
		closeAll()
		return
	}
	bp.once.Do(closeAll)
}

// GuideCancel is the guide's Cancel: cancel, wait, close results, then drain tasks, which
// only ends once somebody closes it.
func (bp *BestPracticeWorkerPool) GuideCancel() {
	if bp.cancel != nil {
		bp.cancel()
	}
	bp.wg.Wait()
	close(bp.results)
	for range bp.tasks {
		bp.r.cancelled(1) // thrown away by Cancel (what is left when it deadlocks is unfinished)
	}
}

// Stats: practice 11, monitoring. Broken: the pool offers none.
func (bp *BestPracticeWorkerPool) Stats() (queuedTasks, queuedResults int, ok bool) {
	if bp.brk == 11 {
		return 0, 0, false
	}
	return len(bp.tasks), len(bp.results), true
}

// snippet:end best-practices/inner-panic
// snippet:end best-practices/guide-cancel
// snippet:end best-practices/default

// drill: busy workers, a full queue, a blocked submitter; then the cancel (the pool's own, or
// main's lifecycle context); then what happened within the next 500 ms.
func drill(r *Run, parent context.Context, lifecycle bool) {
	key := "drill_cancel"
	if lifecycle {
		key = "drill_lifecycle"
	}
	// The drill's context is never cancelled at its end: its pool becomes garbage, unless a
	// broken practice keeps its workers running, and that is the evidence.
	life, endLife := context.WithCancel(parent)
	pool := NewBestPracticeWorkerPool(r, life, false)
	pool.endLife = endLife
	pool.Start()
	var returnedAt int64 = math.MaxInt64 // runtime µs when the blocked Submit came back
	go func() {
		for i := 1; ; i++ {
			if pool.Submit(BPTask{ID: drillIDs + i, Submitted: r.nowMs()}) != nil {
				break
			}
		}
		atomic.StoreInt64(&returnedAt, int64(r.nowMs()*1e3))
	}()
	r.sample()
	r.sleep(ms(drillSettleMs))
	tCancel := r.nowMs()
	if lifecycle {
		pool.endLife()
	} else if pool.cancel != nil {
		pool.cancel()
	}
	for r.nowMs() < tCancel+drillObserveMs &&
		(atomic.LoadInt64(&pool.running) > 0 || atomic.LoadInt64(&returnedAt) == math.MaxInt64) {
		r.sleep(ms(drillPollMs))
	}
	submitMs := -1.0
	if at := atomic.LoadInt64(&returnedAt); at != math.MaxInt64 {
		submitMs = math.Max(float64(at)/1e3-tCancel, 0)
	}
	ctxDone := 0.0
	if pool.ctx.Err() != nil {
		ctxDone = 1
	}
	r.number(key+"_ctx_done", ctxDone)
	r.number(key+"_workers_alive_after", float64(atomic.LoadInt64(&pool.running)))
	r.number(key+"_started_after_cancel", float64(atomic.LoadInt64(&pool.lateStarts)))
	r.number(key+"_submit_returned_after_ms", submitMs)
}

// snippet:start best-practices/default
// snippet:start best-practices/guide-cancel
// snippet:start best-practices/inner-panic
func bestPractices(r *Run) {
	// 12: the application's lifecycle.
	var life context.Context
	var endLife context.CancelFunc
	if r.p.TimeoutMs > 0 {
		life, endLife = r.withTimeout(context.Background(), ms(r.p.TimeoutMs))
	} else {
		life, endLife = context.WithCancel(context.Background())
	}
	defer endLife()
	if r.variant == "default" {
		drill(r, life, false)
		drill(r, life, true)
	}
	pool := NewBestPracticeWorkerPool(r, life, true)
	pool.Start()
	r.number("counter_after_start", float64(counterOf(&pool.wg)))
	r.number("pool_workers", float64(pool.workerCount))
	r.number("gomaxprocs", float64(runtime.GOMAXPROCS(0)))

	go func() { // the submitter
		for i := 1; i <= int(r.p.Tasks); i++ {
			t0 := r.nowMs()
			if len(pool.tasks) >= cap(pool.tasks) {
				r.addNumber("submits_without_room", 1) // 2's evidence: this send has to wait
			}
			if err := pool.Submit(BPTask{ID: i, Submitted: t0}); err != nil {
				r.logf("Failed to submit task %d: %v", i, err)
				break
			}
			r.submitted(1)
			r.maxNumber("max_submit_wait_ms", r.nowMs()-t0)
		}
		// 14: close the pool when done submitting; broken: never closed.
		if r.p.Break != 14 && r.variant != "guide-cancel" {
			r.number("close_called", 1)
			pool.Close()
			r.number("close_returned", 1)
			pool.Close() // cleanup code closing again (`defer pool.Close()`)
			r.number("second_close_returned", 1)
		}
	}()
	r.sample()

	succeeded, failed := 0, 0
	for {
		var res BPResult
		var ok bool
		select { // main ranges over results, but gives up at the end of its lifecycle (12)
		case res, ok = <-pool.results:
		case <-life.Done():
			r.number("gave_up_at_ms", r.nowMs())
			r.finding("hang", fmt.Sprintf("main gave up waiting for results at its %d ms lifecycle deadline", r.p.TimeoutMs))
			r.setEnded(EndedHung)
		}
		if !ok {
			break
		}
		if res.Task.ID == 0 { // the zero value a closed channel yields (practice 6 off)
			r.addNumber("zero_value_results", 1)
			continue
		}
		r.doneAt(res.Outcome, res.Task.Submitted, r.nowMs())
		if res.Err == nil {
			succeeded++
		} else {
			failed++
			r.logf("Task %d failed: %v", res.Task.ID, res.Err)
		}
		if r.p.Break != 15 { // 15: monitor queue depth, through 11's Stats()
			if queued, _, ok := pool.Stats(); ok {
				r.addNumber("stats_calls", 1)
				r.maxNumber("max_depth_seen", float64(queued))
				if queued > depthWarning {
					r.addNumber("depth_warnings", 1)
				}
			}
		}
		r.addNumber("results", 1)
		half := int(r.p.Tasks) / 2
		if half < 1 {
			half = 1
		}
		if r.variant == "guide-cancel" && succeeded+failed == half {
			r.logf("Cancel() after %d results", succeeded+failed)
			pool.GuideCancel()
		}
	}
	r.logf("Final Results: Success %d | Errors %d", succeeded, failed)
}

// snippet:end best-practices/inner-panic
// snippet:end best-practices/guide-cancel
// snippet:end best-practices/default
