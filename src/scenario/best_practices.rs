//! The guide's `BestPracticeWorkerPool`, with each of its 15 practices checked against what
//! happened in this run, and `break` (1 to 15) to run the same pool with one practice off.
//!
//! The run has three parts, so that every practice meets the situation it is for:
//!
//! 1. *Cancel drill*: a pool whose workers are busy, whose queue is full and whose submitter is
//!    blocked gets its own `cancel()` (practices 1, 5, 9).
//! 2. *Lifecycle drill*: the same, ended by cancelling main's lifecycle context (12, 5, 9).
//! 3. *The guide's program*: 5 workers, buffer 50, 20 tasks of 100 ms; task 7 panics and task 13
//!    outlasts the 5 s task timeout, so that practices 7 and 8 have something to do; the
//!    submitter closes the pool, twice, as cleanup code often does (2, 3, 4, 6, 7, 8, 10, 11,
//!    13, 14, 15).
//!
//! The checklist is computed after the run from what it recorded (`numbers`) and how it ended,
//! so a program that died or hung still gets one: a check whose situation never came (the
//! program died first) says so and is neither ticked nor crossed (`ok: null`).

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use super::{
    count, gauge, measures, now_ms, variants, At, AtMs, Check, Ctx, Ended, Gauge, MarkKind,
    Measure, Named, Of, Param, Report, Spec, TaskField, TaskOutcome, Unit,
};
use crate::{
    chan::{Chan, Select},
    context::{self, CancelFunc, Context, ContextError},
    params::Value,
    runtime::{goid, gomaxprocs, goroutines, recover, FindingKind},
    sync::WaitGroup,
    time,
};

variants! {
    /// The guide's pool, and two bugs of the guide's own code.
    enum Variant {
        Default = "default", Right, "the guide's pool, all 15 practices (break one with `break`)";
        GuideCancel = "guide-cancel", GuideBug, "the guide's Cancel(): it drains a queue nobody closes";
        InnerPanic = "inner-panic", GuideBug, "a panic in processTask's inner goroutine";
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(20)),
    (Param::Workers, Value::Int(5)),
    (Param::Queue, Value::Int(50)),
    (Param::TimeoutMs, Value::Int(10_000)),
    (Param::TaskTimeoutMs, Value::Int(5000)),
    (Param::Break, Value::Int(0)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(10.0)),
    (Param::Mode, Value::Choice("real")),
];

/// Task 7 panics: in `processTask` (recovered by practice 7), or in its inner goroutine
/// (`inner-panic`: nothing can recover it).
pub const PANICKING_TASK: u64 = 7;
/// Task 13 takes the task timeout plus a second: practice 8's timeout stops it.
pub const SLOW_TASK: u64 = 13;
/// The guide's `processTask` sleeps 100 ms.
const WORK_MS: u64 = 100;
/// A drill's tasks are long, so its workers are busy when the cancel comes.
const DRILL_WORK_MS: u64 = 1000;
/// How long a drill waits before cancelling (everyone busy or blocked by then), how long it
/// watches for the workers and the blocked Submit to come back after, and how often it looks.
const DRILL_SETTLE_MS: u64 = 20;
/// Long enough that a loaded machine does not read as workers ignoring the cancel: at 500 ms
/// (50 ms of wall time at the default time scale) a browser under load once printed "workers
/// ignored ctx.Done()" on the guide's own pool, where a 20 ms sleep had ended 730 ms late
/// (review s20 F3). Workers that respect the cancel are gone within a millisecond or two, and the
/// watch ends then; only a broken practice waits the whole window, twice, inside main's 10 s
/// lifecycle (3000 ms made break 5 outlast it).
const DRILL_OBSERVE_MS: u64 = 1500;
const DRILL_POLL_MS: u64 = 5;
/// The guide's warning threshold for queue depth.
const DEPTH_WARNING: usize = 40;

pub(super) fn spec() -> Spec {
    Spec {
        id: "best-practices",
        section: "Best Practices Summary",
        title: "The best-practices pool",
        shows:
            "all 15 practices, each checked against this run; break one and watch its check fail",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(main(c)),
        lesson,
        checklist,
        measures: lesson_measures,
        // main, the submitter, the workers, one task goroutine per worker, and the drills'
        // pools (each its workers and a submitter), which may outlive their drill when broken.
        // main, the submitter, the workers, one task goroutine per worker, and the drills'
        // pools (each its workers and a submitter), which may outlive their drill when broken.
        need: |p, _| (2 + 2 * p.workers + 2 * (p.workers + 1)) * 1271 + p.tasks * 947,
    }
}

/// The practices, in the guide's words and order.
pub const PRACTICES: [&str; 15] = [
    "Use context.Context for cancellation",
    "Use buffered channels",
    "Call wg.Add() before starting goroutines",
    "Always use defer for cleanup",
    "Respect context cancellation",
    "Check if channels are closed",
    "Handle panics in workers",
    "Add timeouts to operations",
    "Check context before blocking",
    "Use sync.Once for cleanup",
    "Provide monitoring/metrics",
    "Use context for lifecycle",
    "Size workers appropriately",
    "Close pool when done",
    "Monitor queue depth",
];

/// A task: its id and when it was submitted. (Go's zero value, `Task{}`, is task 0.)
#[derive(Debug, Clone, Copy, Default)]
struct Task {
    id: u64,
    submitted_ms: f64,
}

/// Ids of the drills' tasks start here.
const DRILL_IDS: u64 = 1000;

/// A result: the task, who ran it, and its error if any.
#[derive(Debug)]
struct TaskResult {
    task: Task,
    worker: u64,
    err: Option<String>,
    outcome: TaskOutcome,
    /// The task's own end, runtime ms: main counts its latency to there when it reads it.
    end_ms: f64,
}

/// `sync.WaitGroup`, panicking as Go's does on a negative counter.
#[derive(Clone)]
struct Wg {
    wg: WaitGroup,
}

impl Wg {
    fn add(&self) {
        self.wg.add(1).expect("counting up");
    }
    fn done(&self) {
        if let Err(e) = self.wg.done() {
            panic!("{e}");
        }
    }
}

/// `defer wg.Done()` (counted in `dones` for the guide's pool).
struct DoneGuard(Wg, Option<Arc<Ctx>>);
impl Drop for DoneGuard {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            // Counted before the Done: the last Done lets Close()'s Wait return and the run end,
            // and counted after it, it could miss the Report (best_practices_breaks on Web
            // Workers, clean-clone CI, session 22: "5 workers returned … (4 Done calls)").
            if let Some(c) = &self.1 {
                c.rec.number("dones", 1.0);
            }
            self.0.done();
        }
    }
}

/// Counts a worker as running until it returns, however it returns.
struct Running<'a>(&'a PoolObs);
impl Drop for Running<'_> {
    fn drop(&mut self) {
        // The last one out stamps the time (µs), so a drill says when its workers returned, not
        // when its watch next looked.
        if self.0.running.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0
                .last_return_us
                .store((now_ms() * 1e3) as u64, Ordering::Release);
        }
    }
}

/// Counts a task in the `in_flight` gauge until it is dropped, a panic's unwinding included.
struct InFlight<'a>(Option<&'a Gauge>);
impl<'a> InFlight<'a> {
    fn enter(g: Option<&'a Gauge>) -> InFlight<'a> {
        if let Some(g) = g {
            g.add(1);
        }
        InFlight(g)
    }
}
impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        if let Some(g) = self.0 {
            g.add(-1);
        }
    }
}

/// What a drill's pool saw around its cancel.
#[derive(Default)]
struct PoolObs {
    running: AtomicU64,
    started_after_cancel: AtomicU64,
    /// When `running` last fell to 0, µs of runtime.
    last_return_us: AtomicU64,
}

// snippet:start best-practices
/// The guide's `BestPracticeWorkerPool`; `brk` switches one practice off.
struct Pool {
    brk: u64,
    variant: Variant,
    workers: u64,
    task_timeout: Duration,
    tasks: Chan<Task>,
    results: Chan<TaskResult>,
    wg: Wg,
    ctx: Context,
    /// Practice 1: the pool's own cancel (none when it is broken).
    cancel: Option<CancelFunc>,
    /// Practice 10: `sync.Once` around Close (the second call returns at once).
    closed_once: AtomicBool,
    name: &'static str,
    /// The guide's pool records its workers' exits and Dones; a drill's pool does not.
    record: bool,
    obs: PoolObs,
    depth: Option<Gauge>,
    in_flight: Option<Gauge>,
}

impl Pool {
    /// `NewBestPracticeWorkerPool(ctx, workerCount, bufferSize)`.
    fn new(c: &Ctx, parent: &Context, name: &'static str, record: bool) -> Pool {
        let (brk, p) = (c.p.break_practice, &c.p);
        // 1: context.WithCancel(ctx); broken: the caller's context as is, no cancel of its own.
        // 12: derived from the caller's (main's lifecycle); broken: from context.Background().
        let (ctx, cancel) = match brk {
            1 => (parent.clone(), None),
            12 => {
                let (ctx, cancel) = context::with_cancel(&context::background());
                (ctx, Some(cancel))
            }
            _ => {
                let (ctx, cancel) = context::with_cancel(parent);
                (ctx, Some(cancel))
            }
        };
        // 2: buffered channels; broken: unbuffered.
        let cap = if brk == 2 { 0 } else { p.queue as usize };
        Pool {
            brk,
            variant: Variant::of(c.variant),
            // 13: sized for the workload; broken: one worker whatever the work.
            workers: if brk == 13 { 1 } else { p.workers },
            task_timeout: Duration::from_millis(p.task_timeout_ms),
            tasks: Chan::new(cap).named("tasks"),
            results: Chan::new(cap).named("results"),
            wg: Wg {
                wg: WaitGroup::named("wg"),
            },
            ctx,
            cancel,
            closed_once: AtomicBool::new(false),
            name,
            record,
            obs: PoolObs::default(),
            depth: record.then(|| gauge("queue_depth")),
            in_flight: record.then(|| gauge("in_flight")),
        }
    }

    /// `Start()`: practice 3, `wg.Add(1)` before each `go bp.worker(i)`.
    fn start(self: &Arc<Self>, c: &Arc<Ctx>) {
        for i in 1..=self.workers {
            if self.brk != 3 {
                self.wg.add();
            }
            let (p, c2) = (self.clone(), c.clone());
            // The guide's pool's workers are the timeline's rows (a drill's are not drawn).
            let id = c.go(self.name, async move { p.worker(i, &c2).await });
            if self.record {
                c.rec.row_goroutine(i, id);
            }
        }
    }

    async fn worker(&self, id: u64, c: &Arc<Ctx>) {
        self.obs.running.fetch_add(1, Ordering::AcqRel);
        let _running = Running(&self.obs);
        if self.brk == 3 {
            self.wg.add(); // broken 3: Add inside the goroutine, racing Wait
        }
        // 4: defer wg.Done(); broken: `wg.Done()` at the end of worker(), which every exit
        // below skips by returning.
        let _done =
            (self.brk != 4).then(|| DoneGuard(self.wg.clone(), self.record.then(|| c.clone())));
        let note = |name: &str| {
            if self.record {
                c.rec.number(name, 1.0);
            }
        };
        loop {
            // 5: select { case <-bp.ctx.Done(): return; case task, ok := <-bp.tasks: }
            // broken: only the receive.
            let got = if self.brk == 5 {
                self.tasks.recv().await
            } else {
                let mut sel = Select::new();
                let cancelled = sel.recv(self.ctx.done());
                let next = sel.recv(&self.tasks);
                if sel.wait().await == cancelled.index() {
                    note("exits_cancelled");
                    return;
                }
                sel.recv_value(next)
            };
            self.show_depth();
            // 6: if !ok { return }; broken: a closed channel's zero value is taken as a task.
            let task = match got {
                Some(task) => task,
                None if self.brk == 6 => {
                    note("zero_tasks");
                    Task::default()
                }
                None => {
                    note("exits_closed");
                    return;
                }
            };
            if self.ctx.err().is_some() {
                self.obs.started_after_cancel.fetch_add(1, Ordering::AcqRel);
            }
            // 7: func() { defer func() { if r := recover(); r != nil { results <- err } }() … }()
            // broken: no recover, a panic ends the program.
            let handled = if self.brk == 7 {
                self.handle(id, task, c).await;
                Ok(())
            } else {
                recover(self.handle(id, task, c)).await
            };
            if let Err(panic) = handled {
                let panicked_at = now_ms();
                if self.record {
                    c.rec.number("panics_recovered", 1.0);
                }
                let r = TaskResult {
                    task,
                    worker: id,
                    err: Some(format!("panic in worker {id}: {panic}")),
                    outcome: TaskOutcome::Panicked,
                    end_ms: panicked_at,
                };
                // The guide sends from the deferred function; on a closed channel that panics
                // again, and nothing recovers that one.
                if let Err(e) = self.results.send(r).await {
                    panic!("{e}");
                }
                // The recovered task ends at its panic: it had stayed open to the program's
                // end, "unfinished" beside "unfinished 0" (review F1, session 20).
                if self.draws(&task) {
                    c.rec.sent(id, task.id, panicked_at);
                }
            }
        }
    }

    /// The body of the guide's per-task `func()`: process, then send the result.
    async fn handle(&self, worker: u64, task: Task, c: &Arc<Ctx>) {
        if self.draws(&task) {
            c.rec.begin(worker, task.id, now_ms());
        }
        // In flight until processTask returns or panics (task 7's panic unwinds through here).
        let in_flight = InFlight::enter(self.in_flight.as_ref());
        let (err, outcome) = self.process_task(worker, task, c).await;
        drop(in_flight);
        // The task's own end; it is drawn once its result is handed over (unread until main
        // reads it: `Recorder::read`) or dropped, and stays open to the program's end while the
        // worker is stuck on the send.
        let end_ms = now_ms();
        let r = TaskResult {
            task,
            worker,
            err,
            outcome,
            end_ms,
        };
        // 5: select { case bp.results <- result: case <-bp.ctx.Done(): }; broken: a plain send.
        if self.brk == 5 {
            if let Err(e) = self.results.send(r).await {
                panic!("{e}");
            }
            if self.draws(&task) {
                c.rec.sent(worker, task.id, end_ms);
            }
            return;
        }
        let mut sel = Select::new();
        let sent = sel.send(&self.results, r);
        sel.recv(self.ctx.done());
        let fired = sel.wait().await;
        let delivered = match sel.send_result(sent) {
            Ok(()) => true,
            // results closed while this worker still ran. Go's select panics when it picks the
            // send on the closed channel, even with ctx.Done() ready too (it picks at random).
            Err(e) if fired == sent.index() => panic!("{e}"),
            Err(_) => false,
        };
        if self.draws(&task) {
            if delivered {
                c.rec.sent(worker, task.id, end_ms);
            } else {
                // ctx.Done() won: the result is thrown away, the task never produced one.
                c.rec.thrown_away(worker, task.id, end_ms);
            }
        }
    }

    // snippet:start best-practices/inner-panic
    /// `processTask`: the work runs in an inner goroutine; 8: a timeout bounds the wait for it.
    async fn process_task(
        &self,
        worker: u64,
        task: Task,
        c: &Arc<Ctx>,
    ) -> (Option<String>, TaskOutcome) {
        if task.id == PANICKING_TASK && self.variant == Variant::Default {
            panic!("task {} hit a bug", task.id);
        }
        // 8: context.WithTimeout(bp.ctx, 5*time.Second); broken: no deadline (cancel only).
        let (tctx, tcancel) = if self.brk == 8 {
            context::with_cancel(&self.ctx)
        } else {
            context::with_timeout(&self.ctx, self.task_timeout)
        };
        // The guide's work is a fixed 100 ms sleep; task 13 and the drills' tasks take longer.
        let work_ms = match task.id {
            SLOW_TASK => self.task_timeout.as_millis() as u64 + 1000,
            id if id > DRILL_IDS => DRILL_WORK_MS,
            _ => WORK_MS,
        };
        let done: Chan<u64> = Chan::new(1).named("done");
        let (d, inner_panics) = (
            done.clone(),
            task.id == PANICKING_TASK && self.variant == Variant::InnerPanic,
        );
        let inner = c.go("task", async move {
            time::sleep(Duration::from_millis(work_ms)).await;
            if inner_panics {
                panic!("task {} hit a bug", task.id); // no recover reaches this goroutine
            }
            let _ = d.send(task.id).await;
        });
        if inner_panics && self.record {
            // Who started the goroutine that panics: the picture draws the worker, with its
            // recover, and the goroutine it started, with the panic (review D5, session 17:
            // which goroutine panicked was not shown).
            c.rec.set_number("inner_panic_worker", worker as f64);
            c.rec
                .set_number("inner_panic_worker_goroutine", goid() as f64);
            c.rec.set_number("inner_panic_goroutine", inner as f64);
            c.rec.set_number("inner_panic_started_ms", now_ms());
        }
        let mut sel = Select::new();
        let finished = sel.recv(&done);
        sel.recv(tctx.done());
        let start = now_ms();
        let fired = sel.wait().await;
        tcancel.cancel(); // defer cancel()
        if task.id == SLOW_TASK && self.record {
            c.rec.set_number("slow_task_ran_ms", now_ms() - start);
        }
        if fired == finished.index() {
            (None, TaskOutcome::Success)
        } else if tctx.err() == Some(ContextError::DeadlineExceeded) {
            if self.record {
                c.rec.set_number("timed_out_after_ms", now_ms() - start);
                c.mark(MarkKind::Timeout, format!("task {} timed out", task.id));
            }
            (Some("task timeout".into()), TaskOutcome::TimedOut)
        } else {
            (Some("task cancelled".into()), TaskOutcome::Cancelled)
        }
    }
    // snippet:end best-practices/inner-panic

    /// `Submit`: 9, `select { case bp.tasks <- task: case <-bp.ctx.Done(): return ctx.Err() }`;
    /// broken: a plain send, which waits as long as the queue stays full.
    async fn submit(&self, task: Task) -> Result<(), ContextError> {
        if self.brk == 9 {
            if let Err(e) = self.tasks.send(task).await {
                panic!("{e}");
            }
        } else {
            let mut sel = Select::new();
            let sent = sel.send(&self.tasks, task);
            sel.recv(self.ctx.done());
            sel.wait().await;
            if sel.send_result(sent).is_err() {
                return Err(self.ctx.err().unwrap_or(ContextError::Canceled));
            }
        }
        self.show_depth();
        Ok(())
    }

    /// `Close`: 10, `bp.once.Do(func() { close(tasks); wg.Wait(); close(results) })`;
    /// broken: no Once, a second Close closes again and panics. (The second call here comes
    /// after the first returned, so Once's waiting for a concurrent first call never arises.)
    async fn close(&self, c: &Ctx) {
        if self.brk != 10 && self.closed_once.swap(true, Ordering::AcqRel) {
            return;
        }
        if let Err(e) = self.tasks.close() {
            panic!("{e}");
        }
        c.mark(MarkKind::Close, "Close(): close(tasks)");
        self.wg.wg.wait().await;
        if let Err(e) = self.results.close() {
            panic!("{e}");
        }
    }

    // snippet:start best-practices/guide-cancel
    /// The guide's `Cancel`: cancel, wait, close results, then drain the tasks channel, which
    /// only ends once somebody closes it.
    async fn guide_cancel(&self, c: &Ctx) {
        if let Some(cancel) = &self.cancel {
            cancel.cancel();
        }
        c.mark(MarkKind::Cancel, "Cancel()");
        self.wg.wg.wait().await;
        if let Err(e) = self.results.close() {
            panic!("{e}");
        }
        c.rec.log("Cancel(): draining tasks (for range bp.tasks)…");
        // Each task drained is thrown away by Cancel: cancelled. What is still unread when
        // the drain deadlocks is unfinished (review R18).
        while self.tasks.recv().await.is_some() {
            // The queue's gauge follows the drain too: it held the depth before the cancel to
            // the end (3 beside the graph's "tasks (0/50 buffered)": review F8, session 18).
            self.show_depth();
            c.rec.cancelled(1);
        }
    }
    // snippet:end best-practices/guide-cancel

    /// 11: `Stats()`: queued tasks and queued results; broken: the pool offers no metrics.
    fn stats(&self) -> Option<(usize, usize)> {
        (self.brk != 11).then(|| (self.tasks.len(), self.results.len()))
    }

    /// Whether this task goes on the Report's timeline and counts: the guide's pool's tasks,
    /// not a drill's, nor the zero value a closed channel yields (practice 6 off), which main
    /// does not count as a task either.
    fn draws(&self, task: &Task) -> bool {
        self.record && task.id != 0
    }

    fn show_depth(&self) {
        if let Some(g) = &self.depth {
            g.set(self.tasks.len() as u64);
        }
    }
}
// snippet:end best-practices

/// How a drill ends the pool's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DrillEnd {
    /// The pool's own `cancel()` (practice 1).
    PoolCancel,
    /// Main's lifecycle context is cancelled (practice 12).
    Lifecycle,
}

/// Busy workers, a full queue, a blocked submitter; then the cancel; then what happened.
async fn drill(c: &Arc<Ctx>, parent: &Context, end: DrillEnd) {
    let key = match end {
        DrillEnd::PoolCancel => "drill_cancel",
        DrillEnd::Lifecycle => "drill_lifecycle",
    };
    let (life, end_life) = context::with_cancel(parent);
    let pool = Arc::new(Pool::new(c, &life, "drill worker", false));
    pool.start(c);
    // A producer that submits until Submit refuses: it fills the queue while the workers are
    // busy, then blocks. After the cancel, a Submit that checks the context is refused (at
    // once, or at the latest when the queue is full again); one that does not blocks for good.
    let returned = Arc::new(AtomicU64::new(u64::MAX));
    let (p, r) = (pool.clone(), returned.clone());
    c.go("drill submitter", async move {
        for i in 1.. {
            let task = Task {
                id: DRILL_IDS + i,
                submitted_ms: now_ms(),
            };
            if p.submit(task).await.is_err() {
                break;
            }
        }
        r.store((now_ms() * 1e3) as u64, Ordering::Release);
    });
    time::sleep(Duration::from_millis(DRILL_SETTLE_MS)).await;
    let t_cancel = now_ms();
    match end {
        DrillEnd::PoolCancel => {
            if let Some(cancel) = &pool.cancel {
                cancel.cancel();
            }
            // On a pool of its own, before the main pool starts: drawn on the main pool's chart,
            // the bare label read as a cancel that did nothing (independent review, session 19).
            // At most 32 characters (MARK_LABEL_MAX in www/render/marks.js), or the charts and
            // the timeline draw the bare kind ("cancel") instead. "own pool" did not say whose
            // (independent review, session 20, F11).
            c.mark(MarkKind::Cancel, "cancel drill, separate pool");
        }
        DrillEnd::Lifecycle => {
            end_life.cancel();
            c.mark(MarkKind::Cancel, "lifecycle drill, separate pool");
        }
    }
    // Watch until the workers are gone and the blocked Submit is back, or the window ends.
    let deadline = t_cancel + DRILL_OBSERVE_MS as f64;
    while now_ms() < deadline
        && (pool.obs.running.load(Ordering::Acquire) > 0
            || returned.load(Ordering::Acquire) == u64::MAX)
    {
        time::sleep(Duration::from_millis(DRILL_POLL_MS)).await;
    }
    let alive = pool.obs.running.load(Ordering::Acquire);
    // When the last worker returned (-1: still running at the window's end).
    let gone_ms = match alive {
        0 => (pool.obs.last_return_us.load(Ordering::Acquire) as f64 / 1e3 - t_cancel).max(0.0),
        _ => -1.0,
    };
    let submit_ms = match returned.load(Ordering::Acquire) {
        u64::MAX => -1.0,
        us => (us as f64 / 1e3 - t_cancel).max(0.0),
    };
    let set = |name: &str, v: f64| c.rec.set_number(&format!("{key}_{name}"), v);
    set("ctx_done", pool.ctx.err().is_some() as u8 as f64);
    set("workers_alive_after", alive as f64);
    set("workers_gone_after_ms", gone_ms);
    set(
        "started_after_cancel",
        pool.obs.started_after_cancel.load(Ordering::Acquire) as f64,
    );
    set("submit_returned_after_ms", submit_ms);
    c.rec.log(format!(
        "{key}: context done {}, {alive} workers still running {DRILL_OBSERVE_MS} ms later, blocked Submit {}",
        pool.ctx.err().is_some(),
        if submit_ms < 0.0 {
            "still blocked".to_string()
        } else {
            format!("returned after {submit_ms:.1} ms")
        }
    ));
    // The drill's tasks, goroutines and queue are garbage now, unless a broken practice keeps
    // its workers running: that is the evidence.
}

async fn main(c: Arc<Ctx>) {
    let v = Variant::of(c.variant);
    let p = &c.p;
    // 12: the application's lifecycle: ctx, cancel := context.WithTimeout(background, 10s)
    let (life, end_life) = if p.timeout_ms > 0 {
        context::with_timeout(&context::background(), Duration::from_millis(p.timeout_ms))
    } else {
        context::with_cancel(&context::background())
    };
    if v == Variant::Default {
        drill(&c, &life, DrillEnd::PoolCancel).await;
        drill(&c, &life, DrillEnd::Lifecycle).await;
    }
    let pool = Arc::new(Pool::new(&c, &life, "worker", true));
    pool.start(&c);
    // Read before this goroutine yields: the counter as Start() left it.
    c.rec
        .set_number("counter_after_start", pool.wg.wg.count() as f64);
    c.rec.set_number("pool_workers", pool.workers as f64);
    c.rec.set_number("gomaxprocs", gomaxprocs() as f64);

    // snippet:start best-practices/default
    let (pl, c2) = (pool.clone(), c.clone());
    c.go("submitter", async move {
        for i in 1..=c2.p.tasks {
            let t0 = now_ms();
            let task = Task {
                id: i,
                submitted_ms: t0,
            };
            // 2's evidence: would this send have to wait (no room in the buffer)?
            if pl.tasks.len() >= pl.tasks.cap() {
                c2.rec.number("submits_without_room", 1.0);
            }
            if let Err(e) = pl.submit(task).await {
                c2.rec.log(format!("Failed to submit task {i}: {e}"));
                break;
            }
            c2.rec.submitted(1);
            c2.rec.number_max("max_submit_wait_ms", now_ms() - t0);
        }
        // 14: close the pool when done submitting; broken: never closed.
        if pl.brk != 14 && v != Variant::GuideCancel {
            c2.rec.set_number("close_called", 1.0);
            pl.close(&c2).await;
            c2.rec.set_number("close_returned", 1.0);
            pl.close(&c2).await; // cleanup code closing again (`defer pool.Close()`)
            c2.rec.set_number("second_close_returned", 1.0);
        }
    });
    // snippet:end best-practices/default

    let (mut ok, mut failed) = (0u64, 0u64);
    loop {
        // main ranges over results, but gives up at the end of its lifecycle (12).
        let mut sel = Select::new();
        let next = sel.recv(&pool.results);
        let over = sel.recv(life.done());
        if sel.wait().await == over.index() {
            c.rec.set_number("gave_up_at_ms", now_ms());
            c.rec.hang(
                format!(
                    "main gave up waiting for results at its {} ms lifecycle deadline",
                    p.timeout_ms
                ),
                now_ms(),
                goroutines()
                    .into_iter()
                    .filter(|g| g.name == "submitter" || g.name == "worker")
                    .collect(),
            );
            break;
        }
        let Some(r) = sel.recv_value(next) else {
            break; // results closed: every worker is done
        };
        drop(sel);
        if r.task.id == 0 {
            // Not a submitted task: the zero value a closed channel yields (practice 6 off).
            c.rec.number("zero_value_results", 1.0);
            continue;
        }
        // Counted as main reads it (a result sent and never read is not: inner-panic's
        // workers had counted 6 successes where main read 5, review of session 28), drawn to
        // the task's own end (main's receipt came after that worker had taken its next task:
        // review F13, session 20).
        if pool.draws(&r.task) {
            c.rec.read(
                r.task.id,
                r.outcome,
                r.end_ms,
                r.end_ms - r.task.submitted_ms,
            );
        }
        match (&r.err, r.outcome) {
            (None, _) => {
                ok += 1;
                c.rec.log(format!(
                    "✓ Task {}: processed by worker {}",
                    r.task.id, r.worker
                ));
            }
            (Some(e), _) => {
                failed += 1;
                c.rec.log(format!("❌ Task {} failed: {e}", r.task.id));
            }
        }
        // 15: monitor queue depth, through 11's Stats().
        if p.break_practice != 15 {
            if let Some((queued, _)) = pool.stats() {
                c.rec.number("stats_calls", 1.0);
                c.rec.number_max("max_depth_seen", queued as f64);
                if queued > DEPTH_WARNING {
                    c.rec.number("depth_warnings", 1.0);
                    c.rec
                        .log(format!("⚠️  Warning: Queue depth high ({queued} tasks)"));
                }
            }
        }
        c.rec.number("results", 1.0);
        // snippet:start best-practices/guide-cancel
        if v == Variant::GuideCancel && ok + failed == (p.tasks / 2).max(1) {
            c.rec.log(format!("Cancel() after {} results", ok + failed));
            pool.guide_cancel(&c).await;
        }
        // snippet:end best-practices/guide-cancel
    }
    // defer cancel(): the end of main's lifecycle.
    end_life.cancel();
    c.rec
        .log(format!("📊 Final Results: Success {ok} | Errors {failed}"));
}

/// The checklist, computed from what the run recorded and how it ended.
fn checklist(r: &Report, v: usize) -> Vec<Check> {
    match Variant::of(v) {
        Variant::Default => PRACTICES
            .iter()
            .enumerate()
            .map(|(i, practice)| {
                let n = i as u8 + 1;
                let (ok, evidence) = check(r, n);
                Check {
                    n,
                    practice: (*practice).into(),
                    evidence,
                    ok,
                }
            })
            .collect(),
        Variant::GuideCancel | Variant::InnerPanic => vec![],
    }
}

/// What a drill's workers did after its cancel, as measured: when the last one returned, or how
/// many still ran at the end of the watch. Not "its workers stopped" typed in (review s20 F3:
/// printed beside a practice 5 that counted one still running).
fn drill_workers(r: &Report, key: &str) -> String {
    let x = |name: &str| r.number(&format!("{key}_{name}"));
    let (n, started) = (
        r.number("pool_workers"),
        count(
            x("started_after_cancel"),
            "queued task started",
            "queued tasks started",
        ),
    );
    match x("workers_alive_after") {
        0.0 => format!(
            "all {n:.0} of its busy workers returned, the last {:.1} ms after the cancel ({started} first)",
            x("workers_gone_after_ms")
        ),
        alive => format!(
            "{alive:.0} of its {n:.0} workers were still running {DRILL_OBSERVE_MS} ms after the cancel ({started} after it)"
        ),
    }
}

/// One practice: `Some(true)` holds, `Some(false)` fails, `None` its situation never came.
fn check(r: &Report, n: u8) -> (Option<bool>, String) {
    let x = |name: &str| r.number(name);
    let has = |name: &str| r.numbers.contains_key(name);
    let died = r
        .findings_of(FindingKind::Panic)
        .first()
        .map(|f| (f.message.clone(), AtMs(f.at_ms)));
    let not_reached = |what: &str| -> (Option<bool>, String) {
        match &died {
            Some((m, at)) => (
                None,
                format!("not reached: the program died at {at} (\"{m}\") before {what}"),
            ),
            None => (
                None,
                format!("not reached: {what} never happened in this run"),
            ),
        }
    };
    let workers = x("pool_workers");
    let drill = |key: &str, what: &str| -> Option<(bool, String)> {
        if !has(&format!("{key}_ctx_done")) {
            return None;
        }
        let done = x(&format!("{key}_ctx_done")) == 1.0;
        Some((done, what.to_string()))
    };
    match n {
        1 => match drill("drill_cancel", "") {
            None => not_reached("the cancel drill"),
            Some((true, _)) => (
                Some(true),
                format!(
                    "cancel drill: pool.cancel() closed the pool's ctx.Done(): \"context canceled\"; {}",
                    drill_workers(r, "drill_cancel")
                ),
            ),
            Some((false, _)) => (
                Some(false),
                format!(
                    "cancel drill: the pool has no context of its own, so cancel() reached nothing: {:.0} workers still ran {DRILL_OBSERVE_MS} ms later and {:.0} queued tasks started after it",
                    x("drill_cancel_workers_alive_after"),
                    x("drill_cancel_started_after_cancel")
                ),
            ),
        },
        2 => {
            if !has("max_submit_wait_ms") {
                return not_reached("the first submit");
            }
            let (w, blocked) = (x("max_submit_wait_ms"), x("submits_without_room"));
            let held = blocked == 0.0;
            (
                Some(held),
                if held {
                    format!("{} tasks submitted, each found room in the {}-slot buffer (the longest submit took {w:.2} ms)", r.tasks.submitted, r.params.queue)
                } else {
                    format!("{blocked:.0} of {} submits found no room and waited for a worker to take the task, up to {w:.0} ms (unbuffered queue)", r.tasks.submitted)
                },
            )
        }
        3 => {
            let at_start = x("counter_after_start");
            let held = at_start == workers;
            (
                Some(held),
                if held {
                    format!("wg counter {at_start:.0} when Start() returned, before any worker ran: Wait cannot return early")
                } else {
                    format!("wg counter {at_start:.0}, not {workers:.0}, when Start() returned: each worker adds itself, so a Wait that comes first returns while they still run")
                },
            )
        }
        4 => {
            let exits = x("exits_closed") + x("exits_cancelled");
            if exits == 0.0 {
                return not_reached("the workers returned");
            }
            let dones = x("dones");
            let held = dones >= exits;
            (
                Some(held),
                if held {
                    format!("{exits:.0} workers returned and {dones:.0} deferred Done() calls ran, early returns included")
                } else {
                    format!("{exits:.0} workers returned through early returns that skip a Done() written at the end ({dones:.0} Done calls): the counter stayed above 0, so Close()'s wg.Wait() never returned{}",
                        if has("gave_up_at_ms") { format!(" (main gave up at {})", AtMs(x("gave_up_at_ms"))) } else { String::new() })
                },
            )
        }
        5 => {
            let mut seen = vec![];
            for (key, name) in [("drill_cancel", "cancel"), ("drill_lifecycle", "lifecycle")] {
                if x(&format!("{key}_ctx_done")) == 1.0 {
                    seen.push((
                        name,
                        x(&format!("{key}_workers_alive_after")),
                        x(&format!("{key}_started_after_cancel")),
                    ));
                }
            }
            if seen.is_empty() {
                return not_reached("a cancelled context in either drill");
            }
            // Go's select picks at random among ready cases, so a worker may still take a task
            // or two after the cancel; respecting it means every worker is gone soon after.
            let held = seen.iter().all(|(_, alive, _)| *alive == 0.0);
            let parts: Vec<String> = seen
                .iter()
                .map(|(name, _, _)| format!("{name} drill: {}", drill_workers(r, &format!("drill_{name}"))))
                .collect();
            (
                Some(held),
                if held {
                    format!("workers selected on ctx.Done() and returned (a select picks at random between a ready task and ctx.Done(), so a worker may take a task first): {}", parts.join("; "))
                } else {
                    format!("workers did not return after the cancel: {}", parts.join("; "))
                },
            )
        }
        6 => {
            let (closed, zero) = (x("exits_closed"), x("zero_tasks"));
            if zero > 0.0 {
                (
                    Some(false),
                    format!("after close(tasks) workers took the closed channel's zero value as a task {zero:.0} times ({:.0} results for task 0)", x("zero_value_results")),
                )
            } else if closed > 0.0 {
                (
                    Some(true),
                    format!("{closed:.0} workers saw ok == false on the closed tasks channel and returned"),
                )
            } else {
                not_reached("close(tasks)")
            }
        }
        7 => {
            if x("panics_recovered") > 0.0 {
                return (
                    Some(true),
                    format!("task {PANICKING_TASK} panicked; the worker's deferred recover turned it into an error result and the worker went on"),
                );
            }
            match &died {
                Some((m, at)) if m.contains("hit a bug") => (
                    Some(false),
                    format!("task {PANICKING_TASK} panicked and nothing recovered it: \"{m}\" ended the program at {at} (exit status 2)"),
                ),
                _ => not_reached(&format!("task {PANICKING_TASK}'s panic")),
            }
        }
        8 => {
            let timeout = r.params.task_timeout_ms as f64;
            if has("timed_out_after_ms") {
                (
                    Some(true),
                    format!("task {SLOW_TASK} needed {:.0} ms; its {timeout:.0} ms timeout gave up waiting for it after {:.0} ms and freed its worker (the work itself ran on in its own goroutine)", timeout + 1000.0, x("timed_out_after_ms")),
                )
            } else if has("slow_task_ran_ms") {
                (
                    Some(false),
                    format!("no timeout: task {SLOW_TASK} held its worker for {:.0} ms, past the {timeout:.0} ms limit", x("slow_task_ran_ms")),
                )
            } else {
                not_reached(&format!("task {SLOW_TASK}'s end"))
            }
        }
        9 => {
            let mut seen = vec![];
            for (key, name) in [("drill_cancel", "cancel"), ("drill_lifecycle", "lifecycle")] {
                if x(&format!("{key}_ctx_done")) == 1.0 {
                    seen.push((name, x(&format!("{key}_submit_returned_after_ms"))));
                }
            }
            if seen.is_empty() {
                return not_reached("a cancelled context in either drill");
            }
            let held = seen.iter().all(|(_, ms)| *ms >= 0.0);
            let parts: Vec<String> = seen
                .iter()
                .map(|(name, ms)| {
                    if *ms >= 0.0 {
                        format!("{name} drill: refused with \"context canceled\" {ms:.1} ms after the cancel")
                    } else {
                        format!("{name} drill: still blocked on the full queue {DRILL_OBSERVE_MS} ms after the cancel")
                    }
                })
                .collect();
            (
                Some(held),
                format!("a producer submitting until refused, blocked on a full queue: {}", parts.join("; ")),
            )
        }
        10 => {
            if has("second_close_returned") {
                (
                    Some(true),
                    "Close() called twice; sync.Once made the second a no-op".into(),
                )
            } else {
                match &died {
                    Some((m, at)) if m.contains("close of closed channel") && has("close_returned") => (
                        Some(false),
                        format!("the second Close() closed tasks again: \"{m}\" at {at}"),
                    ),
                    _ => not_reached("a second Close()"),
                }
            }
        }
        11 => {
            if !has("results") {
                return not_reached("a result to report on");
            }
            if r.params.break_practice == 15 {
                // Its only caller is practice 15's monitoring: nothing in this run used it.
                return not_reached("a call to Stats() (main calls it only to monitor queue depth, practice 15, which is off)");
            }
            if has("stats_calls") {
                (
                    Some(true),
                    format!("Stats() reported queued tasks and results {:.0} times", x("stats_calls")),
                )
            } else {
                (
                    Some(false),
                    format!("no Stats(): {:.0} results came back and the program could not tell how much work was queued", x("results")),
                )
            }
        }
        12 => match drill("drill_lifecycle", "") {
            None => not_reached("the lifecycle drill"),
            Some((true, _)) => (
                Some(true),
                format!(
                    "lifecycle drill: cancelling main's context reached the pool's (derived) context; {}",
                    drill_workers(r, "drill_lifecycle")
                ),
            ),
            Some((false, _)) => (
                Some(false),
                format!(
                    "lifecycle drill: the pool was built on context.Background(), so the end of main's lifecycle never reached it: {:.0} workers still ran {DRILL_OBSERVE_MS} ms later",
                    x("drill_lifecycle_workers_alive_after")
                ),
            ),
        },
        13 => {
            // Judged from the run, not from the settings: the tasks wait (I/O-bound, each
            // holding no thread while it sleeps), so a pool sized for them runs several at once.
            // How many ran at once is the in-flight gauge's peak, whatever the thread count.
            let g = x("gomaxprocs").max(1.0);
            let at_once = r.gauge_max("in_flight");
            if r.tasks.submitted < 2 || at_once == 0.0 {
                return not_reached("two tasks that could run at once");
            }
            let held = at_once > 1.0;
            (
                Some(held),
                if held {
                    format!("{} for I/O-bound tasks (each waits {WORK_MS} ms holding no thread): up to {at_once:.0} tasks waited at once on {}, so the waits overlapped; {:.0} tasks took {:.0} ms", count(workers, "worker", "workers"), count(g, "thread", "threads"), r.tasks.finished(), r.runtime_ms)
                } else {
                    format!("{} for I/O-bound tasks on {}: never more than {at_once:.0} task at once, so each waited its turn in line; {:.0} tasks took {:.0} ms, p50 latency {:.0} ms", count(workers, "worker", "workers"), count(g, "thread", "threads"), r.tasks.finished(), r.runtime_ms, r.latency_ms.p50)
                },
            )
        }
        14 => {
            if has("close_called") {
                (
                    Some(true),
                    "the submitter called Close() after its last task: the workers drained the queue and returned".into(),
                )
            } else if has("gave_up_at_ms") {
                (
                    Some(false),
                    format!("nobody closed the pool: its workers waited for tasks that never came and main's range over results never ended, until the {:.0} ms lifecycle deadline", x("gave_up_at_ms")),
                )
            } else {
                not_reached("the end of the submissions")
            }
        }
        15 => {
            if !has("results") {
                return not_reached("a result to monitor after");
            }
            if r.params.break_practice == 11 {
                return not_reached("a Stats() to monitor with (practice 11 is off)");
            }
            if has("stats_calls") {
                (
                    Some(true),
                    format!(
                        "queue depth checked after each of {:.0} results: at most {:.0} queued, {:.0} warnings above {DEPTH_WARNING}{}",
                        x("stats_calls"),
                        x("max_depth_seen"),
                        x("depth_warnings"),
                        // The chart's gauge changes between those checks: it peaked at 15 beside
                        // "at most 14" (independent review, session 19).
                        match r.gauge_max("queue_depth") {
                            g if g > x("max_depth_seen") => format!(" (between checks the queue reached {g:.0}, the chart's peak)"),
                            _ => String::new(),
                        }
                    ),
                )
            } else {
                (
                    Some(false),
                    format!("queue depth never checked: it reached {:.0} (the runtime's gauge) and nobody would have noticed more", r.gauge_max("queue_depth")),
                )
            }
        }
        _ => unreachable!("the practices are numbered 1 to 15"),
    }
}

/// What the leak finding holds, in the lesson's words: the practices can all hold and a goroutine
/// still outlive main. Task 13's timeout (practice 8) stops the *wait* for its work, not the
/// work: its inner goroutine sleeps on after the worker moved on, and is still asleep when main
/// returns (review R17: "All 15 practices held" sat above a leak box that no sentence named).
fn outlived_main(r: &Report) -> String {
    let Some(leak) = r.findings_of(FindingKind::Leak).into_iter().next() else {
        return ".\u{1f}".into();
    };
    let timeout = r.params.task_timeout_ms as f64;
    let slow = leak
        .goroutines
        .iter()
        .filter(|g| g.name == "task" && g.wait.as_go() == "sleep" && g.for_ms >= timeout)
        .count();
    let n = leak.goroutines.len();
    let alive = count(n as f64, "goroutine was", "goroutines were");
    if slow == n {
        format!(
            ", but {alive} still alive when main returned (the leak box).\u{1f}It was task {SLOW_TASK}'s inner goroutine, asleep for {:.0} ms: its {timeout:.0} ms timeout stopped the wait for the work, not the work, which nothing tells to stop; Go ends such a goroutine only with the program. ",
            leak.goroutines[0].for_ms
        )
    } else {
        format!(
            ", but {alive} still alive when main returned (the leak box).\u{1f}\
             ",
        )
    }
}

/// The checklist's score and what outlived main; or when the guide's bug ended the program.
fn lesson_measures(r: &Report, v: usize) -> Vec<Measure> {
    const HELD: Named = Named(At::Held, "practices held", Unit::Count, Of::Checks);
    const OK: Named = Named(
        At::Tasks(TaskField::Successful),
        "tasks that succeeded",
        Unit::Count,
        Of::Submitted,
    );
    let named: &[Named] = match Variant::of(v) {
        // What outlived main is named only when something did: the sentence says so then.
        Variant::Default if !r.findings_of(FindingKind::Leak).is_empty() => &[
            HELD,
            OK,
            Named(
                At::GoroutinesAfter,
                "alive after main returned",
                Unit::Count,
                Of::Nothing,
            ),
        ],
        Variant::Default => &[HELD, OK],
        Variant::GuideCancel => &[Named(
            At::FindingAt(FindingKind::Deadlock),
            "fatal error: deadlock, at",
            Unit::Instant,
            Of::Nothing,
        )],
        Variant::InnerPanic if r.findings_of(FindingKind::Panic).is_empty() => &[],
        Variant::InnerPanic => &[
            Named(
                At::FindingAt(FindingKind::Panic),
                "panic, fatal, at",
                Unit::Instant,
                Of::Nothing,
            ),
            Named(At::Finished, "results before it", Unit::Count, Of::Nothing),
        ],
    };
    measures(r, named)
}

fn lesson(r: &Report, v: usize) -> String {
    match Variant::of(v) {
        Variant::Default => {
            let held = r.checklist.iter().filter(|c| c.ok == Some(true)).count();
            let unreached = r.checklist.iter().filter(|c| c.ok.is_none()).count();
            let failed: Vec<&Check> = r.checklist.iter().filter(|c| c.ok == Some(false)).collect();
            let how = format!(
                "{} tasks on {}, {} succeeded; ended: {}",
                r.tasks.submitted,
                count(r.number("pool_workers"), "worker", "workers"),
                r.tasks.successful,
                r.ended.name()
            );
            // What the held practices showed, each named only when its check held.
            let holds = |n: u8| {
                r.checklist
                    .iter()
                    .any(|c| c.n == n && c.ok == Some(true))
            };
            let mut shown = vec![];
            match (holds(7), holds(8)) {
                (true, true) => shown.push(format!("the panic of task {PANICKING_TASK} and the timeout of task {SLOW_TASK} came back as errors instead of killing a worker")),
                (true, false) => shown.push(format!("the panic of task {PANICKING_TASK} came back as an error instead of killing a worker")),
                (false, true) => shown.push(format!("the timeout of task {SLOW_TASK} came back as an error instead of holding a worker")),
                (false, false) => {}
            }
            if holds(1) && holds(12) {
                // Not "at once" when a worker's select took queued tasks after the cancel (Go
                // picks at random among ready cases): the page's table said "9 queued tasks
                // started after it" beside "stopped … at once" (independent review, session 19).
                // Nor "at once" beside none either: what was measured, the time for the busy
                // workers to return and the tasks that still started (review N6, session 20).
                let x = |k: &str, n: &str| r.number(&format!("drill_{k}_{n}"));
                let late = x("cancel", "started_after_cancel") + x("lifecycle", "started_after_cancel");
                shown.push(format!(
                    "a cancel and the end of main's lifecycle each stopped a busy pool: its busy workers returned within {:.1} and {:.1} ms, and {} and {} queued tasks still started after them{}",
                    x("cancel", "workers_gone_after_ms"),
                    x("lifecycle", "workers_gone_after_ms"),
                    x("cancel", "started_after_cancel"),
                    x("lifecycle", "started_after_cancel"),
                    if late > 0.0 { " (a worker's select picks at random between a ready task and ctx.Done())" } else { "" }
                ));
            }
            if holds(10) && holds(14) {
                shown.push("the pool closed cleanly and a second Close() did nothing".into());
            }
            let shown = if shown.is_empty() {
                String::new()
            } else {
                format!("In this run {}.", shown.join("; "))
            };
            // Why a check was not reached: the program ended first, or its situation never came.
            let unreached_why = match r.ended {
                Ended::Completed => "their situation never came in this run",
                Ended::Hung | Ended::Deadlock | Ended::Panicked | Ended::Stopped => {
                    "the program ended first"
                }
            };
            match failed.as_slice() {
                [] => format!(
                    "All {held} practices held, each on evidence from this run ({how}){}{shown}{}",
                    outlived_main(r),
                    if unreached > 0 { format!(" {} had no situation to show themselves in: {unreached_why}.", count(unreached as f64, "practice", "practices")) } else { String::new() }
                ),
                checks => {
                    // The practice that failed in the sentence, with what outlived main; how it
                    // failed in the details. A break fails one practice (the tests hold it to
                    // that); the checklist lists any other.
                    let c = checks[0];
                    format!(
                        "{}, {held} of {} practices held and practice {} ({}) failed{}{}Practice {}: {}. The run: {how}.{}",
                        match r.params.break_practice {
                            0 => "With every practice on".to_string(),
                            n => format!("With practice {n} switched off"),
                        },
                        r.checklist.len(),
                        c.n,
                        c.practice,
                        match checks.len() {
                            1 => String::new(),
                            k => format!(" with {} more (see the checklist)", k - 1),
                        },
                        outlived_main(r),
                        c.n,
                        c.evidence,
                        if unreached > 0 {
                            format!(" {} never got their chance because {unreached_why}.", count(unreached as f64, "practice", "practices"))
                        } else {
                            String::new()
                        }
                    )
                }
            }
        }
        Variant::GuideCancel => match r.findings_of(FindingKind::Deadlock).first() {
            Some(f) => format!(
                "The guide's Cancel() ends by draining the tasks channel with `for range bp.tasks`, which nobody closes when the pool is cancelled, so main blocked there and Go reported \"{}\" at {}.\u{1f}\
                 Go saw the deadlock once the {} ms lifecycle timer had fired.{} Close tasks before draining it, or drain without range.",
                f.message,
                AtMs(f.at_ms),
                r.params.timeout_ms,
                super::unread_results(r),
            ),
            None => "Cancel() returned this time: somebody closed the tasks channel.".into(),
        },
        Variant::InnerPanic => match r.findings_of(FindingKind::Panic).first() {
            Some(f) => format!(
                "Task {PANICKING_TASK} panicked inside the goroutine processTask starts for the work, where practice 7's recover cannot catch it: \"{}\" ended the program at {} after {} results.\u{1f}\
                 Practice 7's recover sits in the worker's goroutine and catches only that goroutine's panics.{} Exit status 2. Recover inside every goroutine you start.",
                f.message,
                AtMs(f.at_ms),
                r.tasks.finished(),
                super::unread_results(r),
            ),
            None => "The inner goroutine did not panic in this run.".into(),
        },
    }
}
