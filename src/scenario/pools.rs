//! The guide's first three programs: unlimited goroutines, the fixed pool, the pool with context.

use std::{sync::Arc, time::Duration};

use serde_json::json;

use super::{fmt_bytes, now_ms, v, Ctx, Report, Spec};
use crate::{
    chan::Chan,
    context,
    pool::{Outcome, Pool, PoolBuilder},
    runtime::{go_named, num_goroutine, peak_goroutines},
    sync::WaitGroup,
};

fn outcome(r: &Result<u64, String>) -> &'static str {
    if r.is_ok() {
        "success"
    } else {
        "failed"
    }
}

/// Records every task of a library pool from its timeline.
pub(super) fn record_pool<J: Send + 'static, R: Send + 'static>(c: &Ctx, pool: &Pool<J, R>) {
    for t in pool.timeline() {
        c.rec.task(
            t.worker as u64,
            t.task,
            t.start_ms - t.queued_ms,
            t.start_ms,
            t.end_ms,
            t.outcome,
        );
    }
    let m = pool.metrics();
    c.rec.submitted(m.submitted);
    c.rec.dropped(m.dropped);
}

pub(super) fn unlimited_spec() -> Spec {
    Spec {
        id: "unlimited",
        section: "Implementation Without Worker Pool",
        title: "Unlimited goroutines",
        shows: "one goroutine per task: the live count climbs to the number of tasks",
        variants: vec![v("default", "❌ one goroutine per task", true)],
        defaults: json!({"tasks": 1000, "workload": "io", "sleep_max_ms": 1000, "work_iterations": 1_000_000, "seed": 1, "time_scale": 10}),
        uses: vec![
            "tasks",
            "workload",
            "sleep_max_ms",
            "work_iterations",
            "failure_rate",
            "seed",
            "time_scale",
            "mode",
        ],
        main: |c| Box::pin(unlimited(c)),
        lesson: unlimited_lesson,
        peak: |p| p.tasks + 1,
    }
}

async fn unlimited(c: Arc<Ctx>) {
    let n = c.p.tasks;
    c.rec.log(format!(
        "❌ WITHOUT WORKER POOL - spawning {n} goroutines, one per task"
    ));
    let wg = WaitGroup::named("wg");
    c.rec.submitted(n);
    for id in 1..=n {
        wg.add(1).expect("counting up");
        let (c, wg) = (c.clone(), wg.clone());
        go_named("task", async move {
            let _done = wg.defer_done();
            let start = now_ms();
            let r = c.work(id).await;
            c.rec.task(id, id, start, start, now_ms(), outcome(&r));
        });
    }
    c.rec.log(format!(
        "created {} goroutines; waiting for all of them",
        num_goroutine() - 1
    ));
    wg.wait().await;
    c.rec.log(format!(
        "✓ all tasks completed; peak {} goroutines alive at once",
        peak_goroutines()
    ));
}

fn unlimited_lesson(r: &Report) -> String {
    let per = r.heap_peak_bytes as f64 / r.peak_goroutines.max(1) as f64;
    format!(
        "One goroutine per task put {} goroutines alive at once for {} tasks. They held {} of heap at the peak ({} each here; Go starts each with a 2 KB stack, about {} for the same count). All tasks finished in {:.0} ms of runtime because nothing limited concurrency: fine for sleeps, but if each task held a database connection or a file, this run would have opened {} of them at once.",
        r.peak_goroutines,
        r.params.tasks,
        fmt_bytes(r.heap_peak_bytes as f64),
        fmt_bytes(per),
        fmt_bytes(r.peak_goroutines as f64 * 2048.0),
        r.runtime_ms,
        r.peak_goroutines.saturating_sub(1)
    )
}

pub(super) fn fixed_pool_spec() -> Spec {
    Spec {
        id: "fixed-pool",
        section: "Implementation With Worker Pool",
        title: "The fixed pool",
        shows: "a fixed number of workers: the live count stays at the pool size whatever the task count",
        variants: vec![v("default", "✅ 5 workers, jobs and results channels", false)],
        defaults: json!({"tasks": 1000, "workers": 5, "queue": 100, "workload": "io", "sleep_max_ms": 1000, "work_iterations": 1_000_000, "seed": 1, "time_scale": 50}),
        uses: vec!["tasks", "workers", "queue", "workload", "sleep_max_ms", "work_iterations", "failure_rate", "seed", "time_scale", "mode"],
        main: |c| Box::pin(fixed_pool(c)),
        lesson: fixed_pool_lesson,
        peak: |p| p.workers + 3,
    }
}

/// The guide's program with the channels, WaitGroup and closer goroutine written out.
async fn fixed_pool(c: Arc<Ctx>) {
    let (workers, n) = (c.p.workers, c.p.tasks);
    c.rec.log(format!(
        "✅ WITH WORKER POOL - Workers: {workers} | Jobs: {n}"
    ));
    let jobs: Chan<u64> = Chan::new(c.p.queue as usize).named("jobs");
    let results: Chan<(u64, bool)> = Chan::new(c.p.queue as usize).named("results");
    let wg = WaitGroup::named("wg");
    for w in 1..=workers {
        wg.add(1).expect("counting up");
        let (c, jobs, results, wg) = (c.clone(), jobs.clone(), results.clone(), wg.clone());
        go_named("worker", async move {
            let _done = wg.defer_done();
            // for job := range jobs
            while let Some(queued) = jobs.recv().await {
                let id = queued >> 32;
                let start = now_ms();
                let r = c.work(id).await;
                c.rec.task(
                    w,
                    id,
                    (queued & 0xffff_ffff) as f64,
                    start,
                    now_ms(),
                    outcome(&r),
                );
                results
                    .send((id, r.is_ok()))
                    .await
                    .expect("results closed only after all workers");
            }
        });
    }
    let (c2, j2) = (c.clone(), jobs.clone());
    go_named("sender", async move {
        for id in 1..=n {
            // The job carries its id and the ms it was queued at, for the latency figures.
            j2.send(id << 32 | (now_ms() as u64 & 0xffff_ffff))
                .await
                .expect("jobs open");
            c2.rec.submitted(1);
        }
        j2.close().expect("closed once");
    });
    let (r2, wg2) = (results.clone(), wg.clone());
    go_named("closer", async move {
        wg2.wait().await;
        r2.close().expect("closed once");
    });
    let mut ok = 0;
    while let Some((_, success)) = results.recv().await {
        ok += success as u64;
    }
    c.rec
        .log(format!("✓ Successfully processed: {ok}/{n} jobs"));
    c.rec.log(format!(
        "✓ Peak goroutines: {} (workers {workers} + main + sender + closer)",
        peak_goroutines()
    ));
    let share: Vec<Vec<String>> = {
        let r = c.rec.inner.lock().unwrap();
        (1..=workers)
            .map(|w| {
                let mine: Vec<_> = r.tasks.iter().filter(|(x, _)| *x == w).collect();
                let busy: f64 = mine.iter().map(|(_, t)| t.end_ms - t.start_ms).sum();
                vec![
                    format!("worker {w}"),
                    mine.len().to_string(),
                    format!("{busy:.0}"),
                ]
            })
            .collect()
    };
    c.rec
        .table("Per-worker share", &["worker", "jobs", "busy ms"], share);
}

fn fixed_pool_lesson(r: &Report) -> String {
    format!(
        "{} workers processed {} jobs with at most {} goroutines alive (the workers plus main, the sender and the closer), against {} for one goroutine per task. Heap peaked at {}. Each worker took its next job as soon as it was free, so the slow jobs spread out: the run took {:.0} ms of runtime, about tasks × mean time ÷ workers, and median latency from queueing to done was {:.0} ms, because jobs wait their turn in the queue.",
        r.params.workers,
        r.tasks.successful + r.tasks.failed,
        r.peak_goroutines,
        r.params.tasks + 1,
        fmt_bytes(r.heap_peak_bytes as f64),
        r.runtime_ms,
        r.latency_ms.p50
    )
}

pub(super) fn context_pool_spec() -> Spec {
    Spec {
        id: "context-pool",
        section: "Advanced Worker Pool with Context",
        title: "Pool with context, timeouts and errors",
        shows: "errors are counted, and a cancelled context stops the workers and refuses later submits",
        variants: vec![
            v("close", "✅ run to the end, then Close (graceful)", false),
            v("cancel", "⏹ Cancel half-way (immediate)", false),
        ],
        defaults: json!({"tasks": 20, "workers": 3, "queue": 10, "workload": "io", "sleep_max_ms": 500, "failure_rate": 0.1, "timeout_ms": 10000, "work_iterations": 1_000_000, "seed": 1, "time_scale": 10}),
        uses: vec!["tasks", "workers", "queue", "queue_policy", "workload", "sleep_max_ms", "work_iterations", "failure_rate", "task_timeout_ms", "timeout_ms", "seed", "time_scale", "mode"],
        main: |c| Box::pin(context_pool(c)),
        lesson: context_pool_lesson,
        peak: |p| p.workers + 4,
    }
}

async fn context_pool(c: Arc<Ctx>) {
    let p = &c.p;
    c.rec.log(format!(
        "🚀 Workers: {} | Tasks: {} | Timeout: {} ms",
        p.workers, p.tasks, p.timeout_ms
    ));
    let (ctx, cancel) = if p.timeout_ms > 0 {
        context::with_timeout(&context::background(), Duration::from_millis(p.timeout_ms))
    } else {
        context::with_cancel(&context::background())
    };
    let mut b = PoolBuilder::new()
        .workers(p.workers as usize)
        .queue(p.policy())
        .context(ctx);
    if p.task_timeout_ms > 0 {
        b = b.task_timeout(Duration::from_millis(p.task_timeout_ms));
    }
    let c2 = c.clone();
    let pool = b.build(move |t| {
        let c = c2.clone();
        async move { c.work(t.id).await }
    });
    let pool = match pool {
        Ok(pool) => pool,
        Err(e) => {
            c.rec.log(format!("cannot build the pool: {e}"));
            return;
        }
    };
    let results = pool.results();
    let (pl, c3) = (pool.clone(), c.clone());
    // The cancel variant cancels once half of the tasks have finished.
    let cancel_after = if c.variant == "cancel" {
        (c.p.tasks / 2).max(1)
    } else {
        u64::MAX
    };
    go_named("submitter", async move {
        for i in 1..=c3.p.tasks {
            if let Err(e) = pl.submit(format!("task-data-{i}")).await {
                c3.rec.log(format!("Failed to submit task {i}: {e}"));
                c3.rec.number("refused_submits", 1.0);
            }
        }
        pl.close();
    });
    let (mut ok, mut failed) = (0, 0);
    while let Some(r) = results.recv().await {
        if ok + failed + 1 == cancel_after {
            c.rec
                .log(format!("⏹ cancel() after {cancel_after} results"));
            pool.cancel();
        }
        match r.outcome {
            Outcome::Success(_) => {
                ok += 1;
                c.rec
                    .log(format!("✓ Task {}: processed by worker {}", r.id, r.worker));
            }
            other => {
                failed += 1;
                let why = match &other {
                    Outcome::Failed(e) | Outcome::Panicked(e) => e.clone(),
                    o => o.name().into(),
                };
                c.rec
                    .log(format!("❌ Task {} {}: {why}", r.id, other.name()));
            }
        }
    }
    pool.wait().await;
    cancel.cancel(); // `defer cancel()`: releases the context's timer
    record_pool(&c, &pool);
    let m = pool.metrics();
    c.rec.log(format!(
        "📊 Successful: {ok} | Failed or cancelled: {failed} | Workers used: {}",
        c.p.workers
    ));
    c.rec.table(
        "Pool metrics (pond's names)",
        &["metric", "value"],
        [
            ("submitted", m.submitted),
            ("successful", m.successful),
            ("failed", m.failed),
            ("timed out", m.timed_out),
            ("cancelled", m.cancelled),
            ("dropped", m.dropped),
            ("completed", m.completed),
        ]
        .iter()
        .map(|(k, v)| vec![k.to_string(), v.to_string()])
        .collect(),
    );
}

fn context_pool_lesson(r: &Report) -> String {
    let t = r.tasks;
    let refused = r.params.tasks.saturating_sub(t.submitted);
    if r.variant == "cancel" {
        format!(
            "Cancelling the context half-way stopped the pool at once: {} tasks had finished ({} successfully, {} with an error), {} queued tasks were reported cancelled without running, and {} later submits were refused with \"context canceled\". Every submitted task ended in exactly one outcome ({} = {} + {} + {} + {}), and no goroutine was left behind ({} alive after).",
            t.successful + t.failed,
            t.successful,
            t.failed,
            t.cancelled,
            refused,
            t.submitted,
            t.successful,
            t.failed,
            t.timed_out,
            t.cancelled,
            r.goroutines_after
        )
    } else {
        format!(
            "{} workers ran {} tasks under a {} ms context: {} succeeded and {} failed with \"random processing error\" (failure rate {:.0}%). Errors came back as results instead of crashing a worker, and Close let the workers drain the queue before the results channel closed. Median latency {:.0} ms, p99 {:.0} ms.",
            r.params.workers,
            t.submitted,
            r.params.timeout_ms,
            t.successful,
            t.failed,
            r.params.failure_rate * 100.0,
            r.latency_ms.p50,
            r.latency_ms.p99
        )
    }
}
