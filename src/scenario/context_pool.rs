//! The guide's "Advanced Worker Pool with Context", written as the guide writes it: a
//! `WorkerPool` with a context, a tasks channel and a results channel both buffered to
//! `taskBufferSize`, `Submit`, `Close` and `Cancel`.
//!
//! Variants: `close` is the guide's program; `cancel` cancels half-way with `results` closed
//! exactly once; `guide-cancel` calls the guide's own `Cancel` while the submitter still calls
//! `Close`, so `results` is closed twice: `panic: close of closed channel`.

use std::{sync::Arc, time::Duration};

use super::{
    count, gauge, measures, now_ms, unread_results, variants, At, AtMs, Ctx, Gauge, MarkKind,
    Measure, Named, Of, Param, Report, Spec, TaskField, TaskOutcome, Unit,
};
use crate::{
    chan::{Chan, Select},
    context::{self, CancelFunc, Context, ContextError},
    params::Value,
    runtime::FindingKind,
    scenario::report::TIMELINE_CAP,
    sync::{Once, WaitGroup},
};

variants! {
    /// How the run ends.
    enum Variant {
        Close = "close", Right, "run to the end, then Close (graceful)";
        Cancel = "cancel", Right, "Cancel after half the results, results closed once";
        GuideCancel = "guide-cancel", GuideBug, "the guide's Cancel, then the submitter's Close";
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(20)),
    (Param::Workers, Value::Int(3)),
    (Param::Queue, Value::Int(10)),
    (Param::SleepMaxMs, Value::Int(500)),
    (Param::FailureRate, Value::Float(0.1)),
    (Param::TimeoutMs, Value::Int(10_000)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(10.0)),
    (Param::Mode, Value::Choice("real")),
];

pub(super) fn spec() -> Spec {
    Spec {
        id: "context-pool",
        section: "Advanced Worker Pool with Context",
        title: "Pool with context, cancellation and errors",
        shows: "errors come back as results; cancelling the context stops the workers and refuses later submits",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(main(c)),
        lesson,
        checklist: super::no_checklist,
        measures: lesson_measures,
        // main, the submitter and the workers.
        need: |p, _| (p.workers + 2) * 744 + p.tasks * 338,
    }
}

/// `Task` of the guide, plus when it was submitted (latency runs from there).
struct Task {
    id: u64,
    submitted_ms: f64,
}

/// `TaskResult` of the guide, plus who ran it and when it ended (its worker draws its bar).
struct TaskResult {
    task_id: u64,
    worker: u64,
    error: Option<&'static str>,
    submitted_ms: f64,
    end_ms: f64,
}

// snippet:start context-pool
/// The guide's `WorkerPool`.
struct WorkerPool {
    worker_count: u64,
    tasks: Chan<Task>,
    results: Chan<TaskResult>,
    wg: WaitGroup,
    ctx: Context,
    cancel: CancelFunc,
    /// Only the `cancel` variant has it: `Close` and `Cancel` both close `results`, and this
    /// makes sure only the first one does (the guide's `Cancel` has no such guard).
    results_once: Option<Once>,
    queue_depth: Gauge,
    in_flight: Gauge,
}

impl WorkerPool {
    /// `NewWorkerPool(ctx, workerCount, taskBufferSize)`: both channels buffered.
    fn new(ctx: &Context, workers: u64, buffer: u64, guard_results: bool) -> WorkerPool {
        let (ctx, cancel) = context::with_cancel(ctx);
        WorkerPool {
            worker_count: workers,
            tasks: Chan::new(buffer as usize).named("tasks"),
            results: Chan::new(buffer as usize).named("results"),
            wg: WaitGroup::named("wg"),
            ctx,
            cancel,
            results_once: guard_results.then(Once::new),
            queue_depth: gauge("queue_depth"),
            in_flight: gauge("in_flight"),
        }
    }

    /// `Start`: `wg.Add(1)` before each `go wp.worker(i)`.
    fn start(self: &Arc<Self>, c: &Arc<Ctx>) {
        for i in 1..=self.worker_count {
            self.wg.add(1).expect("counting up");
            let (wp, c2) = (self.clone(), c.clone());
            c.go_row(i, "worker", async move { wp.worker(i, &c2).await });
        }
    }

    async fn worker(&self, id: u64, c: &Ctx) {
        let _done = self.wg.defer_done();
        loop {
            // select { case <-wp.ctx.Done(): return; case task, ok := <-wp.tasks: … }
            let mut sel = Select::new();
            let cancelled = sel.recv(self.ctx.done());
            let next = sel.recv(&self.tasks);
            if sel.wait().await == cancelled.index() {
                c.rec.log(format!("Worker {id}: Cancelled"));
                return;
            }
            let Some(task) = sel.recv_value(next) else {
                c.rec
                    .log(format!("Worker {id}: No more tasks, shutting down"));
                return;
            };
            drop(sel);
            self.queue_depth.set(self.tasks.len() as u64);
            let result = self.process_task(id, task, c).await;
            // Drawn to the task's own end, with what became of its result: unread until main
            // reads it (`Recorder::read`), which guide-cancel's panic can keep from happening;
            // dropped on ctx.Done(), the lesson of variant cancel (review F2).
            let (task_id, end_ms) = (result.task_id, result.end_ms);
            // select { case wp.results <- result: case <-wp.ctx.Done(): return }
            let mut sel = Select::new();
            sel.send(&self.results, result);
            let cancelled = sel.recv(self.ctx.done());
            if sel.wait().await == cancelled.index() {
                c.rec.thrown_away(id, task_id, end_ms);
                return;
            }
            c.rec.sent(id, task_id, end_ms);
        }
    }

    /// `processTask`: sleeps `rand.Intn(500)` ms, fails 10% of the time.
    async fn process_task(&self, worker: u64, task: Task, c: &Ctx) -> TaskResult {
        self.in_flight.add(1);
        c.rec.begin(worker, task.id, now_ms());
        let error = c
            .work(task.id)
            .await
            .err()
            .map(|_| "random processing error");
        self.in_flight.add(-1);
        TaskResult {
            task_id: task.id,
            worker,
            error,
            submitted_ms: task.submitted_ms,
            end_ms: now_ms(),
        }
    }

    /// `Submit`: `select { case wp.tasks <- task: case <-wp.ctx.Done(): return wp.ctx.Err() }`.
    async fn submit(&self, id: u64) -> Result<(), ContextError> {
        let mut sel = Select::new();
        let task = Task {
            id,
            submitted_ms: now_ms(),
        };
        let sent = sel.send(&self.tasks, task);
        sel.recv(self.ctx.done());
        sel.wait().await;
        match sel.send_result(sent) {
            Ok(()) => {
                self.queue_depth.set(self.tasks.len() as u64);
                Ok(())
            }
            Err(_) => Err(self.ctx.err().unwrap_or(ContextError::Canceled)),
        }
    }

    /// `Close`: `close(wp.tasks); wp.wg.Wait(); close(wp.results)`.
    async fn close(&self, c: &Ctx) {
        if let Err(e) = self.tasks.close() {
            panic!("{e}");
        }
        c.mark(MarkKind::Close, "Close(): close(tasks)");
        self.wg.wait().await;
        self.close_results(c, "Close()");
    }

    // snippet:start context-pool/guide-cancel
    /// `Cancel`: `wp.cancel(); wp.wg.Wait(); close(wp.results)`.
    async fn cancel(&self, c: &Ctx) {
        self.cancel.cancel();
        c.mark(MarkKind::Cancel, "Cancel()");
        self.wg.wait().await;
        self.close_results(c, "Cancel()");
    }

    fn close_results(&self, c: &Ctx, by: &str) {
        let close = || match self.results.close() {
            Ok(()) => {
                c.mark(MarkKind::Close, format!("{by}: close(results)"));
            }
            // Go: panic: close of closed channel.
            Err(e) => panic!("{e}"),
        };
        match &self.results_once {
            Some(once) => once.do_once(close),
            None => close(),
        }
    }
    // snippet:end context-pool/guide-cancel
}
// snippet:end context-pool

async fn main(c: Arc<Ctx>) {
    let v = Variant::of(c.variant);
    let p = &c.p;
    c.rec.log(format!(
        "Workers: {} | Tasks: {} | Timeout: {} ms",
        p.workers, p.tasks, p.timeout_ms
    ));
    // ctx, cancel := context.WithTimeout(context.Background(), timeout); defer cancel()
    let (ctx, cancel_run) = if p.timeout_ms > 0 {
        context::with_timeout(&context::background(), Duration::from_millis(p.timeout_ms))
    } else {
        context::with_cancel(&context::background())
    };
    let pool = Arc::new(WorkerPool::new(
        &ctx,
        p.workers,
        p.queue,
        match v {
            Variant::Close | Variant::Cancel => true,
            Variant::GuideCancel => false,
        },
    ));
    pool.start(&c);

    // snippet:start context-pool/close
    let (wp, c2) = (pool.clone(), c.clone());
    c.go("submitter", async move {
        for i in 1..=c2.p.tasks {
            if let Err(e) = wp.submit(i).await {
                c2.rec.log(format!("Failed to submit task {i}: {e}"));
                c2.rec.set_number("refused_at_task", i as f64);
                break; // the guide stops at the first refused submit
            }
            c2.rec.submitted(1);
        }
        wp.close(&c2).await; // signal no more tasks
    });
    // snippet:end context-pool/close

    // snippet:start context-pool/cancel
    let cancel_after = match v {
        Variant::Close => u64::MAX,
        Variant::Cancel | Variant::GuideCancel => (p.tasks / 2).max(1),
    };
    let (mut ok, mut failed) = (0u64, 0u64);
    while let Some(r) = pool.results.recv().await {
        let outcome = match r.error {
            None => {
                ok += 1;
                c.rec.log(format!(
                    "✓ Task {}: processed by worker {}",
                    r.task_id, r.worker
                ));
                TaskOutcome::Success
            }
            Some(e) => {
                failed += 1;
                c.rec.log(format!("❌ Task {} failed: {e}", r.task_id));
                TaskOutcome::Failed
            }
        };
        // Its worker drew it unread; main counts the result it read, and the bar says so.
        c.rec
            .read(r.task_id, outcome, r.end_ms, r.end_ms - r.submitted_ms);
        if ok + failed == cancel_after {
            c.rec.log(format!("cancel after {cancel_after} results"));
            c.rec.set_number("cancelled_at_ms", now_ms());
            pool.cancel(&c).await;
        }
    }
    // snippet:end context-pool/cancel

    if ctx.err() == Some(ContextError::DeadlineExceeded) {
        c.rec.mark(
            p.timeout_ms as f64,
            MarkKind::Deadline,
            "context deadline exceeded",
        );
    }
    cancel_run.cancel();
    // Submitted tasks with no result: still queued at the cancel (their worker returned on
    // ctx.Done()), besides the results thrown away on ctx.Done(), counted as they were.
    let counts = c.rec.inner.lock().unwrap().counts;
    c.rec
        .cancelled(counts.submitted.saturating_sub(counts.accounted()));
    c.rec.set_number("results", (ok + failed) as f64);
    c.rec.log("Summary:");
    c.rec.log(format!("   Total tasks: {}", p.tasks));
    c.rec.log(format!("   Successful: {ok}"));
    c.rec.log(format!("   Failed: {failed}"));
    c.rec.log(format!("   Workers used: {}", p.workers));
}

fn lesson(r: &Report, v: usize) -> String {
    let t = r.tasks;
    match Variant::of(v) {
        Variant::Close => format!(
            "{} workers ran {} tasks through channels buffered to {} under a {} ms context: {} succeeded and {} came back with \"random processing error\" (failure rate {:.0}%), as results rather than crashes.\u{1f}\
             {} Latency from submit: median {:.0} ms, p99 {:.0} ms.",
            r.params.workers,
            t.submitted,
            r.params.queue,
            r.params.timeout_ms,
            t.successful,
            t.failed,
            r.params.failure_rate * 100.0,
            if r.marks.iter().any(|m| m.kind == MarkKind::Deadline) {
                format!(
                    "The {} ms deadline came before the end: the workers returned on ctx.Done(), {} submitted tasks never produced a result{}, and Close then closed results, so main's range loop still ended by itself.",
                    r.params.timeout_ms,
                    t.cancelled,
                    match r.numbers.get("refused_at_task") {
                        Some(n) => format!(" and the Submit of task {n:.0} was refused"),
                        None => String::new(),
                    }
                )
            } else {
                "Close closed the tasks channel, waited for the workers to drain it, then closed results, so main's range loop ended by itself.".to_string()
            },
            r.latency_ms.p50,
            r.latency_ms.p99,
        ),
        Variant::Cancel => cancel_lesson(r),
        Variant::GuideCancel => match r.findings_of(FindingKind::Panic).first() {
            Some(f) => format!(
                "The guide's Cancel closes results, and so does Close: the second close was fatal, \"{}\", at {}, after {} results.\u{1f}\
                 The submitter called Close {}.{} Exit status 2. Guard the close with a sync.Once (variant cancel), or let only one of them close results.",
                f.message,
                AtMs(f.at_ms),
                t.finished(),
                submitter_closed(r),
                unread_results(r),
            ),
            // The race went the other way (seen in Chromium under load): the headline's
            // measure is then the results main read, so the sentence states it too.
            None => format!(
                "This time main returned after {:.0} results, before the second close of results; the bug still waits in the code: Cancel and Close both close results.",
                r.number("results")
            ),
        },
    }
}

/// When and why the submitter called Close in this run, from its own log and marks: after its
/// last Submit, or once a Submit was refused (the guide's `break`), whichever happened.
fn submitter_closed(r: &Report) -> String {
    let at = r
        .marks
        .iter()
        .find(|m| m.label == "Close(): close(tasks)")
        .map_or(String::new(), |m| format!("at {}, ", AtMs(m.t_ms)));
    match r.numbers.get("refused_at_task") {
        Some(n) => format!("{at}once its Submit of task {n:.0} was refused"),
        None => format!(
            "{at}after its last Submit (all {} tasks submitted)",
            r.tasks.submitted
        ),
    }
}

/// How the `cancel` variant's pool stopped: when Cancel came (if it did), whether the run's
/// deadline came first, and for how long tasks still ran after the Cancel.
struct Stopped {
    cancelled_at: Option<f64>,
    deadline_first: bool,
    /// Runtime ms tasks were still in flight after the Cancel (0: none was running).
    ran_after: f64,
}

fn stopped(r: &Report) -> Stopped {
    let deadline_at = r
        .marks
        .iter()
        .find(|m| m.kind == MarkKind::Deadline)
        .map(|m| m.t_ms);
    let cancelled_at = r.numbers.get("cancelled_at_ms");
    // The pool's context ended by whichever came first: the Cancel or the run's deadline.
    let deadline_first = match (deadline_at, cancelled_at) {
        (Some(d), Some(c)) => d < c,
        (Some(_), None) => true,
        (None, _) => false,
    };
    // Work in progress is not stopped: processTask never looks at the context, and a worker's
    // select picks at random when the cancel and a task are both ready. The timeline's bars,
    // each to its task's own end, show for how long tasks still ran: the sentence states what
    // the picture draws. (The in-flight gauge's samples, thinned into buckets on the page's
    // clock, put the end up to 0.6 ms later than the last task's.) A timeline cut at its cap
    // may miss the last tasks: then the gauge says it.
    let ran_after = cancelled_at.map_or(0.0, |at| {
        let tasks = r.timeline.iter().flat_map(|row| &row.tasks);
        let mut busy_until = tasks.clone().fold(at, |m, t| m.max(t.end_ms));
        if tasks.count() >= TIMELINE_CAP {
            if let Some(g) = r.series.gauges.get("in_flight") {
                busy_until = r
                    .series
                    .t_ms
                    .iter()
                    .zip(g)
                    .filter(|&(_, &v)| v > 0.0)
                    .fold(busy_until, |m, (&t, _)| m.max(t));
            }
        }
        busy_until - at
    });
    Stopped {
        cancelled_at,
        deadline_first,
        ran_after,
    }
}

/// The numbers each variant's lesson states, in its order.
fn lesson_measures(r: &Report, v: usize) -> Vec<Measure> {
    const NEVER: Named = Named(
        At::Tasks(TaskField::Cancelled),
        "tasks that never produced a result",
        Unit::Count,
        Of::Submitted,
    );
    const RESULTS: Named = Named(At::Number("results"), "results", Unit::Count, Of::Nothing);
    let s = stopped(r);
    let named: &[Named] = match Variant::of(v) {
        Variant::Close => &[
            Named(
                At::Tasks(TaskField::Successful),
                "tasks that succeeded",
                Unit::Count,
                Of::Submitted,
            ),
            Named(
                At::Tasks(TaskField::Failed),
                "errors as results",
                Unit::Count,
                Of::Nothing,
            ),
        ],
        Variant::Cancel if s.cancelled_at.is_some() && !s.deadline_first => &[
            Named(
                At::Number("cancelled_at_ms"),
                "Cancel at",
                Unit::Instant,
                Of::Nothing,
            ),
            Named(
                At::RanAfterCancel,
                "tasks still ran after it for",
                Unit::Ms,
                Of::Nothing,
            ),
            NEVER,
        ],
        Variant::Cancel => &[RESULTS, NEVER],
        Variant::GuideCancel if r.findings_of(FindingKind::Panic).is_empty() => &[RESULTS],
        Variant::GuideCancel => &[
            Named(
                At::FindingAt(FindingKind::Panic),
                "second close, fatal, at",
                Unit::Instant,
                Of::Nothing,
            ),
            Named(At::Finished, "results before it", Unit::Count, Of::Nothing),
        ],
    };
    measures(r, named)
}

/// Runtime ms tasks still ran after the Cancel (the lesson's "tasks still ran for … after it"),
/// when Cancel came.
pub(super) fn ran_after_cancel(r: &Report) -> Option<f64> {
    let s = stopped(r);
    s.cancelled_at.map(|_| s.ran_after)
}

/// The `cancel` variant's lesson: what stopped the pool (the Cancel after half the results, or
/// the run's deadline before them), and whether the submitter was refused, from this run.
fn cancel_lesson(r: &Report) -> String {
    let t = r.tasks;
    let half = (r.params.tasks / 2).max(1);
    let Stopped {
        cancelled_at,
        deadline_first,
        ran_after,
    } = stopped(r);
    let outcome = format!(
        "{} finished ({} successfully, {} with an error) and {} submitted tasks never produced a result (still queued, or dropped by a worker that saw ctx.Done())",
        count(t.finished() as f64, "task had", "tasks had"),
        t.successful,
        t.failed,
        t.cancelled
    );
    let stop = match (cancelled_at, deadline_first) {
        (Some(at), false) => {
            let at = AtMs(at);
            let after = t.finished().saturating_sub(half);
            // The tasks that ran to their end after it and whose results were thrown away: the
            // timeline draws them in their own colour (review F2, session 20).
            let dropped = r
                .timeline
                .iter()
                .flat_map(|row| &row.tasks)
                .filter(|t| t.outcome == TaskOutcome::Dropped)
                .count();
            let dropped = match dropped {
                0 => String::new(),
                1 => ", 1 more ran to its end and its result was dropped on ctx.Done()".into(),
                n => format!(
                    ", {n} more ran to their ends and their results were dropped on ctx.Done()"
                ),
            };
            if ran_after > 0.0 {
                format!(
                    "Cancel at {at}, after {half} results, did not stop work in progress: tasks still ran for {ran_after:.0} ms after it, because processTask never looks at the context.\u{1f}\
                     A worker's select picks at random when the cancel and a task are both ready: {after} tasks finished and counted after the Cancel{dropped}; then every worker returned: {outcome}.",
                )
            } else {
                format!(
                    "Cancel at {at}, after {half} results, found no task running, and every worker returned.\u{1f}\
                     {outcome}.",
                )
            }
        }
        (_, true) => format!(
            "The run's {} ms context deadline came before Cancel, which waits for {half} results, and stopped the workers after {} results.\u{1f}{outcome}.",
            r.params.timeout_ms,
            r.number("results")
        ),
        (None, false) => format!(
            "Cancel was never called: only {} results came back, fewer than the {half} it waits for.\u{1f}{outcome}.",
            r.number("results")
        ),
    };
    let refused = match r.numbers.get("refused_at_task") {
        Some(n) => format!(
            " The submitter's Submit of task {n:.0} was refused with \"{}\", and it stopped there, {} of {} tasks submitted.",
            if deadline_first {
                ContextError::DeadlineExceeded
            } else {
                ContextError::Canceled
            },
            t.submitted,
            r.params.tasks
        ),
        None => format!(
            " No Submit was refused: all {} tasks had been submitted.",
            t.submitted
        ),
    };
    let once = if cancelled_at.is_some() {
        " Close and Cancel both close results; a sync.Once let only the first do it"
    } else {
        " Only Close closed results"
    };
    format!(
        "{stop}{refused}{once}, and {} left behind.",
        count(
            r.goroutines_after as f64,
            "goroutine was",
            "goroutines were"
        )
    )
}
