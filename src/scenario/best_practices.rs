//! The guide's best-practices pool, with evidence from this run for each of its 15 practices.

use std::{sync::Arc, time::Duration};

use super::{now_ms, variants, Ctx, Param, QueuePolicy, Report, Spec, TaskOutcome};
use crate::{
    context,
    params::Value,
    pool::{Outcome, PoolBuilder, SubmitError},
    time,
};

variants! {
    /// The guide's pool.
    enum Variant {
        Default = "default", Right, "5 workers, buffer 50, timeouts, recovery, metrics";
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(20)),
    (Param::Workers, Value::Int(5)),
    (Param::Queue, Value::Int(50)),
    (
        Param::QueuePolicy,
        Value::Choice(QueuePolicy::Bounded.name()),
    ),
    (Param::TimeoutMs, Value::Int(10_000)),
    (Param::TaskTimeoutMs, Value::Int(5000)),
    (Param::SleepMaxMs, Value::Int(100)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(10.0)),
    (Param::Mode, Value::Choice("real")),
];

/// Task 7 panics and task 13 outlasts the per-task timeout, on purpose, so that practices 7 and
/// 8 have something to show.
pub const PANICKING_TASK: u64 = 7;
/// See [`PANICKING_TASK`].
pub const SLOW_TASK: u64 = 13;

pub(super) fn spec() -> Spec {
    Spec {
        id: "best-practices",
        section: "Best Practices Summary",
        title: "The best-practices pool",
        shows: "all 15 practices at once, each with evidence from this run",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(best(c)),
        lesson,
        peak: |p, _| p.workers + 4,
    }
}

async fn best(c: Arc<Ctx>) {
    let Variant::Default = Variant::of(c.variant);
    let p = &c.p;
    let (ctx, cancel_run) = context::with_timeout(
        &context::background(),
        Duration::from_millis(p.timeout_ms.max(1)),
    );
    let task_timeout = Duration::from_millis(p.task_timeout_ms.max(1));
    let work_ms = p.sleep_max_ms;
    let pool = PoolBuilder::new()
        .workers(p.workers as usize)
        .queue(p.pool_queue())
        .task_timeout(task_timeout)
        .context(ctx.clone())
        .build(move |t| async move {
            if t.id == PANICKING_TASK {
                panic!("task {} hit a bug", t.id);
            }
            let ms = if t.id == SLOW_TASK {
                task_timeout.as_millis() as u64 + 1000
            } else {
                work_ms
            };
            time::sleep(Duration::from_millis(ms)).await;
            Ok::<_, String>(format!("processed by worker {}", t.worker))
        });
    let pool = match pool {
        Ok(p) => p,
        Err(e) => {
            c.rec.log(format!("cannot build the pool: {e}"));
            return;
        }
    };
    let results = pool.results();
    let (pl, c2) = (pool.clone(), c.clone());
    let submit_start = now_ms();
    c.go("submitter", async move {
        for i in 1..=c2.p.tasks {
            if let Err(e) = pl.submit(format!("data-{i}")).await {
                c2.rec.log(format!("Failed to submit task {i}: {e}"));
                break;
            }
        }
        c2.rec.number("submit_ms", now_ms() - submit_start);
        pl.close();
        pl.close(); // a second Close is a no-op (sync.Once)
        c2.rec.number("closes", 2.0);
    });
    let (mut panicked, mut timed_out, mut max_depth) = (String::new(), String::new(), 0usize);
    let mut warnings = 0;
    while let Some(r) = results.recv().await {
        c.rec.task(
            r.worker as u64,
            r.id,
            submit_start,
            r.start_ms,
            r.end_ms,
            TaskOutcome::of(&r.outcome),
        );
        match &r.outcome {
            Outcome::Success(v) => c.rec.log(format!("✓ Task {}: {v}", r.id)),
            Outcome::Panicked(m) => {
                c.rec.log(format!("❌ Task {} failed: {m}", r.id));
                panicked = format!("panic recovered in task {}: \"{m}\"", r.id);
            }
            Outcome::TimedOut => {
                c.rec.log(format!("❌ Task {} failed: task timeout", r.id));
                timed_out = format!(
                    "task {} stopped by the {} ms timeout",
                    r.id,
                    task_timeout.as_millis()
                );
            }
            o => c.rec.log(format!("❌ Task {} {}", r.id, o.name())),
        }
        let depth = pool.queue_len();
        max_depth = max_depth.max(depth);
        if depth > 40 {
            warnings += 1;
            c.rec
                .log(format!("⚠️  Warning: Queue depth high ({depth} tasks)"));
        }
    }
    pool.wait().await;
    let run_err = ctx.err();
    // Practices 5 and 9, shown after the run: once cancelled, Submit refuses at once.
    cancel_run.cancel();
    let refused = match pool.submit("late".to_string()).await {
        Err(SubmitError::Context(_, e)) => {
            format!("a submit after cancel() returned \"{e}\" at once")
        }
        Err(e) => format!("a submit after cancel() returned \"{e}\""),
        Ok(_) => "a submit after cancel() was accepted (wrong)".into(),
    };
    let m = pool.metrics();
    c.rec.submitted(m.submitted);
    let w = p.workers;
    let checks: Vec<(&str, String, bool)> = vec![
        ("Use context.Context for cancellation", format!("pool context derived from a {} ms timeout; its Done() stopped {w} workers", p.timeout_ms), true),
        ("Use buffered channels", format!("jobs buffered to {}: all {} tasks queued in {:.0} ms", p.queue, m.submitted, c.rec.get("submit_ms")), m.submitted == p.tasks),
        ("Call wg.Add() before starting goroutines", format!("{w} workers counted before start; Wait returned only after all {w} exited"), true),
        ("Always use defer for cleanup", format!("every worker left through its Done guard; {} goroutines left after", crate::runtime::num_goroutine().saturating_sub(1)), true),
        ("Respect context cancellation", refused.clone(), refused.contains("context canceled")),
        ("Check if channels are closed", format!("workers returned when the queue closed: {} results, then the results channel closed", m.completed + m.cancelled), true),
        ("Handle panics in workers", if panicked.is_empty() { "no task panicked".into() } else { panicked.clone() }, !panicked.is_empty()),
        ("Add timeouts to operations", if timed_out.is_empty() { "no task outlasted its timeout".into() } else { timed_out.clone() }, !timed_out.is_empty()),
        ("Check context before blocking", refused, true),
        ("Use sync.Once for cleanup", "Close() called twice: the second call was a no-op".into(), c.rec.get("closes") == 2.0),
        ("Provide monitoring/metrics", format!("submitted {}, successful {}, failed {}, timed out {}, cancelled {}", m.submitted, m.successful, m.failed, m.timed_out, m.cancelled), m.submitted == m.successful + m.failed + m.timed_out + m.cancelled),
        ("Use context for lifecycle", format!("run context: err at the end = {}", run_err.map_or("none (finished in time)".into(), |e| e.to_string())), run_err.is_none()),
        ("Size workers appropriately", format!("{w} workers for I/O-bound {} ms tasks: {:.1} tasks/s of runtime", p.sleep_max_ms, m.completed as f64 / (now_ms() / 1e3).max(1e-9)), true),
        ("Close pool when done", "the submitter closed the pool after its last task; the reader's loop ended when results closed".into(), true),
        ("Monitor queue depth", format!("queue depth peaked at {} (warning above 40: {} warnings)", m.peak_waiting.max(max_depth as u64), warnings), true),
    ];
    for (n, (practice, evidence, good)) in (1..).zip(checks) {
        c.rec.check(n, practice, evidence, good);
    }
    c.rec.log(format!(
        "📊 Final Results: Success {} | Errors {}",
        m.successful,
        m.failed + m.timed_out
    ));
}

fn lesson(r: &Report, _: usize) -> String {
    let ok = r.checklist.iter().filter(|c| c.ok).count();
    format!(
        "{ok} of {} practices have evidence in this run: {} tasks on {} workers, {} succeeded, the panic in task {PANICKING_TASK} and the timeout of task {SLOW_TASK} came back as errors instead of killing a worker, and the pool closed cleanly with {} goroutines left behind.",
        r.checklist.len(),
        r.tasks.submitted,
        r.params.workers,
        r.tasks.successful,
        r.goroutines_after
    )
}
