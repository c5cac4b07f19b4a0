//! The guide's first three programs: unlimited goroutines, the fixed pool, the pool with context.

use std::sync::Arc;

use super::{
    fmt_bytes, gauge, measures, now_ms, variants, At, Ctx, MarkKind, Named, Of, Param, Report,
    Spec, TaskOutcome, Unit, Workload,
};
use crate::{
    chan::Chan,
    params::Value,
    runtime::{num_goroutine, peak_goroutines},
    sync::WaitGroup,
};

fn outcome(r: &Result<u64, String>) -> TaskOutcome {
    match r {
        Ok(_) => TaskOutcome::Success,
        Err(_) => TaskOutcome::Failed,
    }
}

variants! {
    /// The unlimited program has one variant.
    enum Unlimited {
        Default = "default", Wrong, "one goroutine per task";
    }
}

static UNLIMITED_PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(1000)),
    (Param::Workload, Value::Choice(Workload::Io.name())),
    (Param::SleepMaxMs, Value::Int(1000)),
    (Param::WorkIterations, Value::Int(1_000_000)),
    (Param::FailureRate, Value::Float(0.0)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(10.0)),
    (Param::Mode, Value::Choice("real")),
];

pub(super) fn unlimited_spec() -> Spec {
    Spec {
        id: "unlimited",
        section: "Implementation Without Worker Pool",
        title: "Unlimited goroutines",
        shows: "one goroutine per task: the live count climbs to the number of tasks",
        variants: Unlimited::specs(),
        params: UNLIMITED_PARAMS,
        main: |c| Box::pin(unlimited(c)),
        lesson: unlimited_lesson,
        checklist: super::no_checklist,
        measures: |r, _| {
            measures(
                r,
                &[
                    Named(
                        At::PeakGoroutines,
                        "goroutines alive at once",
                        Unit::Count,
                        Of::Nothing,
                    ),
                    Named(At::HeapPeak, "heap at the peak", Unit::Bytes, Of::Nothing),
                ],
            )
        },
        // one goroutine per task (its task's records included).
        need: |p, _| (p.tasks + 1) * 318,
    }
}

async fn unlimited(c: Arc<Ctx>) {
    let Unlimited::Default = Unlimited::of(c.variant);
    let n = c.p.tasks;
    c.rec.log(format!(
        "❌ WITHOUT WORKER POOL - spawning {n} goroutines, one per task"
    ));
    let wg = WaitGroup::named("wg");
    c.rec.submitted(n);
    // snippet:start unlimited
    for id in 1..=n {
        wg.add(1).expect("counting up");
        let (c2, wg) = (c.clone(), wg.clone());
        let spawned = now_ms();
        c.go("task", async move {
            let _done = wg.defer_done(); // defer wg.Done()
            let start = now_ms();
            let r = c2.work(id).await; // processTask(id)
            c2.rec.task(id, id, spawned, start, now_ms(), outcome(&r));
        });
    }
    // snippet:end unlimited
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

fn unlimited_lesson(r: &Report, _: usize) -> String {
    let per = r.heap_peak_bytes as f64 / r.peak_goroutines.max(1) as f64;
    let open = r.peak_goroutines.saturating_sub(1);
    format!(
        "One goroutine per task put {} goroutines alive at once for {} tasks: if each task held a database connection or a file, this run would have opened {open} of them at once.\u{1f}\
         The goroutines held {} of heap at the peak ({} each here; in Go each also needs at least 2 KB of stack, at least {} for the same count). All {} tasks ended in {:.0} ms of runtime{}.",
        r.peak_goroutines,
        r.params.tasks,
        fmt_bytes(r.heap_peak_bytes as f64),
        fmt_bytes(per),
        fmt_bytes(r.peak_goroutines as f64 * 2048.0),
        r.tasks.finished(),
        r.runtime_ms,
        match r.params.workload {
            Workload::Io => " because nothing limited concurrency, which is fine for sleeps".to_string(),
            Workload::Cpu | Workload::Mixed => format!(
                "; nothing limited how many started at once, though the computing still shared {}",
                super::count(r.threads as f64, "thread", "threads")
            ),
        },
    )
}

variants! {
    /// The fixed pool has one variant.
    enum Fixed {
        Default = "default", Right, "a fixed set of workers, jobs and results channels";
    }
}

static FIXED_PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(1000)),
    (Param::Workers, Value::Int(5)),
    (Param::Queue, Value::Int(100)),
    (Param::Workload, Value::Choice(Workload::Io.name())),
    (Param::SleepMaxMs, Value::Int(1000)),
    (Param::WorkIterations, Value::Int(1_000_000)),
    (Param::FailureRate, Value::Float(0.0)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(50.0)),
    (Param::Mode, Value::Choice("real")),
];

pub(super) fn fixed_pool_spec() -> Spec {
    Spec {
        id: "fixed-pool",
        section: "Implementation With Worker Pool",
        title: "The fixed pool",
        shows: "a fixed number of workers: the live count stays at the pool size whatever the task count",
        variants: Fixed::specs(),
        params: FIXED_PARAMS,
        main: |c| Box::pin(fixed_pool(c)),
        lesson: fixed_pool_lesson,
        checklist: super::no_checklist,
        measures: |r, _| {
            measures(
                r,
                &[
                    Named(At::PeakGoroutines, "goroutines alive, at most", Unit::Count, Of::Nothing),
                    Named(At::HeapPeak, "heap at the peak", Unit::Bytes, Of::Nothing),
                ],
            )
        },
        need: |p, _| (p.workers + 3) * 657 + p.tasks * 84,
    }
}

/// The guide's program with the channels, WaitGroup and closer goroutine written out.
async fn fixed_pool(c: Arc<Ctx>) {
    let Fixed::Default = Fixed::of(c.variant);
    let (workers, n) = (c.p.workers, c.p.tasks);
    c.rec.log(format!(
        "✅ WITH WORKER POOL - Workers: {workers} | Jobs: {n}"
    ));
    let (depth, in_flight) = (gauge("queue_depth"), gauge("in_flight"));
    // snippet:start fixed-pool
    // A job carries its id and the runtime ms it was queued at, for latency from submit.
    let jobs: Chan<(u64, f64)> = Chan::new(c.p.queue as usize).named("jobs");
    let results: Chan<(u64, bool)> = Chan::new(c.p.queue as usize).named("results");
    let wg = WaitGroup::named("wg");
    for w in 1..=workers {
        wg.add(1).expect("counting up");
        let (c2, jobs, results, wg) = (c.clone(), jobs.clone(), results.clone(), wg.clone());
        let (depth, in_flight) = (depth.clone(), in_flight.clone());
        c.go_row(w, "worker", async move {
            let _done = wg.defer_done();
            // for job := range jobs
            while let Some((id, queued)) = jobs.recv().await {
                depth.set(jobs.len() as u64);
                in_flight.add(1);
                let start = now_ms();
                let r = c2.work(id).await;
                in_flight.add(-1);
                c2.rec.task(w, id, queued, start, now_ms(), outcome(&r));
                results
                    .send((id, r.is_ok()))
                    .await
                    .expect("results closed only after all workers");
            }
        });
    }
    let (c2, j2, depth) = (c.clone(), jobs.clone(), depth.clone());
    c.go("sender", async move {
        for id in 1..=n {
            j2.send((id, now_ms())).await.expect("jobs open");
            depth.set(j2.len() as u64);
            c2.rec.submitted(1);
        }
        j2.close().expect("closed once");
        c2.mark(MarkKind::Close, "close(jobs)");
    });
    let (r2, wg2) = (results.clone(), wg.clone());
    c.go("closer", async move {
        wg2.wait().await;
        r2.close().expect("closed once");
    });
    // snippet:end fixed-pool
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

fn fixed_pool_lesson(r: &Report, _: usize) -> String {
    // The jobs' own mean time, from the timeline (which keeps up to TIMELINE_CAP of them).
    let (busy, n) = r
        .timeline
        .iter()
        .flat_map(|row| &row.tasks)
        .fold((0.0, 0u64), |(b, n), t| (b + t.end_ms - t.start_ms, n + 1));
    let mean = busy / n.max(1) as f64;
    let ideal = mean * r.tasks.finished() as f64 / r.params.workers.max(1) as f64;
    format!(
        "{} processed {} jobs with at most {} goroutines alive (the workers plus main, the sender and the closer), where one goroutine per task could have put up to {} alive.\u{1f}\
         Heap peaked at {}. Each worker took its next job as soon as it was free: the run took {:.0} ms of runtime, against {ideal:.0} ms for the jobs' own time (mean {mean:.0} ms) shared evenly by the workers, and median latency from submit to done was {:.0} ms{}.",
        super::count(r.params.workers as f64, "worker", "workers"),
        r.tasks.finished(),
        r.peak_goroutines,
        r.params.tasks + 1,
        fmt_bytes(r.heap_peak_bytes as f64),
        r.runtime_ms,
        r.latency_ms.p50,
        if r.latency_ms.p50 > 2.0 * mean {
            ", because jobs waited their turn in the queue"
        } else {
            ", close to a job's own time: jobs hardly waited in the queue"
        },
    )
}
