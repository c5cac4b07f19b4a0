//! The guide's control comparison: 1000 × `doWork`, unlimited goroutines versus a pool of 10.

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Arc, Mutex,
};

use web_time::Instant;

use super::{fmt_bytes, now_ms, variants, Ctx, Latency, Param, Report, Spec, TaskOutcome};
use crate::{
    chan::Chan,
    metrics::alloc::{heap, reset_peak as reset_heap_peak},
    params::Value,
    runtime::{num_goroutine, peak_goroutines, polls, reset_peak, yield_now},
    sync::WaitGroup,
    time,
    workload::do_work,
};

variants! {
    /// Both strategies in one run.
    enum Variant {
        Default = "default", Demo, "unlimited goroutines, then a pool of 10";
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(1000)),
    (Param::Workers, Value::Int(10)),
    (Param::Queue, Value::Int(100)),
    (Param::WorkIterations, Value::Int(1_000_000)),
    (Param::Seed, Value::Int(1)),
    (Param::Mode, Value::Choice("real")),
];

pub(super) fn spec() -> Spec {
    Spec {
        id: "control-comparison",
        section: "Control Comparison",
        title: "Unlimited versus a pool, side by side",
        shows: "the same 1000 × doWork both ways: goroutines, memory and time",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(control(c)),
        lesson,
        checklist: super::no_checklist,
        // one goroutine per task in the first phase (its task's records included).
        need: |p, _| (p.tasks + 2) * 166,
    }
}

struct Phase {
    before: usize,
    peak: usize,
    after: usize,
    alloc: u64,
    heap_peak: u64,
    ms: f64,
    /// Goroutine polls the scheduler made during the phase: its overhead.
    polls: u64,
    /// Task latencies from submit (the spawn, or the send into jobs), runtime ms.
    latency: Latency,
}

/// Each phase's latencies from submit, collected by its tasks.
type Latencies = Arc<Mutex<Vec<f64>>>;

/// Runs one strategy and measures it the way the guide's `measureGoroutines` does.
async fn measure<F: std::future::Future<Output = ()>>(
    c: &Ctx,
    label: &str,
    latencies: &Latencies,
    f: F,
) -> Phase {
    // Let the previous phase's goroutines finish exiting ("runtime.GC(); time.Sleep").
    while num_goroutine() > 1 {
        yield_now().await;
    }
    reset_peak();
    reset_heap_peak();
    let before = num_goroutine();
    let h0 = heap();
    let polls0 = polls();
    let start = Instant::now();
    f.await;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let h1 = heap();
    let peak = peak_goroutines();
    let polls = polls() - polls0;
    time::sleep(std::time::Duration::from_millis(100)).await;
    while num_goroutine() > 1 {
        yield_now().await;
    }
    let after = num_goroutine();
    c.rec.log(format!(
        "{label}: goroutines (before → peak → after): {before} → {peak} → {after}"
    ));
    c.rec.log(format!(
        "{label}: memory allocated {}",
        fmt_bytes((h1.total_bytes - h0.total_bytes) as f64)
    ));
    c.rec.log(format!("{label}: execution time {ms:.1} ms"));
    Phase {
        before,
        peak,
        after,
        alloc: h1.total_bytes - h0.total_bytes,
        heap_peak: h1.peak_bytes.saturating_sub(h0.live_bytes),
        ms,
        polls,
        latency: Latency::of(&mut latencies.lock().unwrap()),
    }
}

async fn control(c: Arc<Ctx>) {
    let Variant::Default = Variant::of(c.variant);
    let (n, workers, iters) = (c.p.tasks, c.p.workers, c.p.work_iterations);
    c.rec.log(format!(
        "🔬 CONTROL COMPARISON: {n} tasks, pool of {workers} workers"
    ));
    c.rec.submitted(2 * n);
    let (lat_u, lat_p): (Latencies, Latencies) = Default::default();
    let full_queue_waits = Arc::new(AtomicU64::new(0));
    // snippet:start control-comparison
    let unlimited = measure(&c, "WITHOUT WORKER POOL", &lat_u, async {
        let wg = WaitGroup::named("wg");
        for id in 0..n {
            wg.add(1).expect("counting up");
            let (wg, c2, lat) = (wg.clone(), c.clone(), lat_u.clone());
            let spawned = now_ms();
            c.go("task", async move {
                let _d = wg.defer_done();
                let start = now_ms();
                do_work(iters);
                let end = now_ms();
                c2.rec
                    .task(0, id, spawned, start, end, TaskOutcome::Success);
                lat.lock().unwrap().push(end - spawned);
            });
        }
        wg.wait().await;
    })
    .await;
    let pool = measure(&c, "WITH WORKER POOL", &lat_p, async {
        let jobs: Chan<(u64, f64)> = Chan::new(c.p.queue as usize).named("jobs");
        let wg = WaitGroup::named("wg");
        for w in 1..=workers {
            wg.add(1).expect("counting up");
            let (jobs, wg, c2, lat) = (jobs.clone(), wg.clone(), c.clone(), lat_p.clone());
            c.go("worker", async move {
                let _d = wg.defer_done();
                while let Some((id, queued)) = jobs.recv().await {
                    let start = now_ms();
                    do_work(iters);
                    let end = now_ms();
                    c2.rec
                        .task(w, n + id, queued, start, end, TaskOutcome::Success);
                    lat.lock().unwrap().push(end - queued);
                }
            });
        }
        for id in 0..n {
            if jobs.len() >= jobs.cap() {
                // The queue is full: this send waits for a worker (backpressure).
                full_queue_waits.fetch_add(1, Ordering::Relaxed);
            }
            jobs.send((id, now_ms())).await.expect("open");
        }
        jobs.close().expect("closed once");
        wg.wait().await;
    })
    .await;
    // snippet:end control-comparison
    let row = |label: &str, f: &dyn Fn(&Phase) -> String| {
        vec![label.to_string(), f(&unlimited), f(&pool)]
    };
    c.rec.table(
        "Control comparison (this run)",
        &["", "WITHOUT worker pool", "WITH worker pool"],
        vec![
            row("Goroutines before → peak (measured)", &|p| {
                format!("{} → {}", p.before, p.peak)
            }),
            row("The guide's \"peak\" (the count after the run)", &|p| {
                format!("{} → ~{}", p.before, p.after)
            }),
            row("Memory allocated", &|p| fmt_bytes(p.alloc as f64)),
            row("Heap peak", &|p| fmt_bytes(p.heap_peak as f64)),
            row("Execution time", &|p| format!("{:.1} ms", p.ms)),
        ],
    );
    for (name, ph) in [("unlimited", &unlimited), ("pool", &pool)] {
        c.rec.set_number(&format!("{name}_peak"), ph.peak as f64);
        c.rec
            .set_number(&format!("{name}_guide_peak"), ph.after as f64);
        c.rec.set_number(&format!("{name}_alloc"), ph.alloc as f64);
        c.rec
            .set_number(&format!("{name}_heap_peak"), ph.heap_peak as f64);
        c.rec.set_number(&format!("{name}_ms"), ph.ms);
        c.rec.set_number(&format!("{name}_polls"), ph.polls as f64);
        c.rec
            .set_number(&format!("{name}_latency_p50_ms"), ph.latency.p50);
        c.rec
            .set_number(&format!("{name}_latency_p99_ms"), ph.latency.p99);
    }
    let waits = full_queue_waits.load(Ordering::Relaxed);
    c.rec.set_number("pool_full_queue_waits", waits as f64);
    complete_table(&c, &unlimited, &pool, waits);
}

/// The guide's "Complete Comparison Table", its ten aspects filled in from this run where the
/// run measures them, and quoted from the guide where they are judgements.
fn complete_table(c: &Ctx, u: &Phase, p: &Phase, waits: u64) {
    let (n, workers, queue) = (c.p.tasks, c.p.workers, c.p.queue);
    let measured = "measured in this run";
    let guide = "from the guide";
    let per = |ph: &Phase| ph.heap_peak as f64 / (ph.peak.saturating_sub(1).max(1)) as f64;
    let lat = |ph: &Phase| {
        format!(
            "from submit: p50 {:.1} ms, p99 {:.1} ms",
            ph.latency.p50, ph.latency.p99
        )
    };
    let rows = vec![
        vec![
            "Goroutines Created".into(),
            format!("1 per task: {n} ({} alive at once)", u.peak),
            format!("fixed: {workers} workers ({} alive at once)", p.peak),
            measured.into(),
        ],
        vec![
            "Memory Usage".into(),
            format!(
                "heap peak {} ({} per goroutine), {} allocated",
                fmt_bytes(u.heap_peak as f64),
                fmt_bytes(per(u)),
                fmt_bytes(u.alloc as f64)
            ),
            format!(
                "heap peak {}, {} allocated",
                fmt_bytes(p.heap_peak as f64),
                fmt_bytes(p.alloc as f64)
            ),
            measured.into(),
        ],
        vec![
            "Scheduler Overhead".into(),
            format!(
                "{} goroutine polls ({:.2} per task)",
                u.polls,
                u.polls as f64 / n.max(1) as f64
            ),
            format!(
                "{} goroutine polls ({:.2} per task)",
                p.polls,
                p.polls as f64 / n.max(1) as f64
            ),
            measured.into(),
        ],
        vec![
            "Resource Control".into(),
            format!("none: {} tasks in flight at once", u.peak.saturating_sub(1)),
            format!("at most {workers} tasks in flight at once"),
            measured.into(),
        ],
        vec![
            "Error Handling".into(),
            "Manual handling: each goroutine on its own".into(),
            "Centralized handling: results come back on one channel".into(),
            guide.into(),
        ],
        vec![
            "Backpressure Handling".into(),
            format!("none: all {n} goroutines started, main never waited"),
            format!("built in: main's send waited {waits} times on the full {queue}-slot queue"),
            measured.into(),
        ],
        vec!["Latency Under Load".into(), lat(u), lat(p), measured.into()],
        vec![
            "Resource Exhaustion".into(),
            format!(
                "grows with the tasks: {} per goroutine, about {} for 1,000,000 tasks",
                fmt_bytes(per(u)),
                fmt_bytes(per(u) * 1e6)
            ),
            format!(
                "bounded by the pool: {} whatever the task count",
                fmt_bytes(p.heap_peak as f64)
            ),
            measured.into(),
        ],
        vec![
            "Complexity".into(),
            "Low (simple code)".into(),
            "Medium (more code)".into(),
            guide.into(),
        ],
        vec![
            "Use Cases".into(),
            "Simple, low-load tasks".into(),
            "High-load, resource-bound tasks".into(),
            guide.into(),
        ],
    ];
    c.rec.table(
        "Complete Comparison Table",
        &[
            "Aspect",
            "WITHOUT Worker Pool",
            "WITH Worker Pool",
            "Source",
        ],
        rows,
    );
}

fn lesson(r: &Report, _: usize) -> String {
    let (up, pp) = (r.number("unlimited_peak"), r.number("pool_peak"));
    format!(
        "The same {} × doWork ran both ways. Unlimited: {:.0} goroutines at the peak, {} allocated, {:.0} ms. Pool of {}: {:.0} goroutines, {} allocated, {:.0} ms: {:.0}% fewer goroutines and {:.0}× less memory. The time is about the same because the work is CPU-bound and only {} threads run it either way: more goroutines than cores add bookkeeping, not speed. (The guide's program prints the count after the run as its \"peak\": {:.0} both times.)",
        r.params.tasks,
        up,
        fmt_bytes(r.number("unlimited_alloc")),
        r.number("unlimited_ms"),
        r.params.workers,
        pp,
        fmt_bytes(r.number("pool_alloc")),
        r.number("pool_ms"),
        (1.0 - pp / up.max(1.0)) * 100.0,
        r.number("unlimited_alloc") / r.number("pool_alloc").max(1.0),
        r.threads,
        r.number("unlimited_guide_peak")
    )
}
