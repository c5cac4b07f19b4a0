//! The guide's control comparison: 1000 × `doWork`, unlimited goroutines versus a pool of 10.

use std::sync::Arc;

use web_time::Instant;

use super::{fmt_bytes, now_ms, variants, Ctx, Param, Report, Spec, TaskOutcome};
use crate::{
    chan::Chan,
    metrics::alloc::{heap, reset_peak as reset_heap_peak},
    params::Value,
    runtime::{num_goroutine, peak_goroutines, reset_peak, yield_now},
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
        peak: |p, _| p.tasks + 2,
    }
}

struct Phase {
    before: usize,
    peak: usize,
    after: usize,
    alloc: u64,
    heap_peak: u64,
    ms: f64,
}

/// Runs one strategy and measures it the way the guide's `measureGoroutines` does.
async fn measure<F: std::future::Future<Output = ()>>(c: &Ctx, label: &str, f: F) -> Phase {
    // Let the previous phase's goroutines finish exiting ("runtime.GC(); time.Sleep").
    while num_goroutine() > 1 {
        yield_now().await;
    }
    reset_peak();
    reset_heap_peak();
    let before = num_goroutine();
    let h0 = heap();
    let start = Instant::now();
    f.await;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let h1 = heap();
    let peak = peak_goroutines();
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
    }
}

async fn control(c: Arc<Ctx>) {
    let Variant::Default = Variant::of(c.variant);
    let (n, workers, iters) = (c.p.tasks, c.p.workers, c.p.work_iterations);
    c.rec.log(format!(
        "🔬 CONTROL COMPARISON: {n} tasks, pool of {workers} workers"
    ));
    c.rec.submitted(2 * n);
    // snippet:start control-comparison
    let unlimited = measure(&c, "WITHOUT WORKER POOL", async {
        let wg = WaitGroup::named("wg");
        for id in 0..n {
            wg.add(1).expect("counting up");
            let (wg, c2) = (wg.clone(), c.clone());
            let spawned = now_ms();
            c.go("task", async move {
                let _d = wg.defer_done();
                let start = now_ms();
                do_work(iters);
                c2.rec
                    .task(0, id, spawned, start, now_ms(), TaskOutcome::Success);
            });
        }
        wg.wait().await;
    })
    .await;
    let pool = measure(&c, "WITH WORKER POOL", async {
        let jobs: Chan<(u64, f64)> = Chan::new(c.p.queue as usize).named("jobs");
        let wg = WaitGroup::named("wg");
        for w in 1..=workers {
            wg.add(1).expect("counting up");
            let (jobs, wg, c2) = (jobs.clone(), wg.clone(), c.clone());
            c.go("worker", async move {
                let _d = wg.defer_done();
                while let Some((id, queued)) = jobs.recv().await {
                    let start = now_ms();
                    do_work(iters);
                    c2.rec
                        .task(w, n + id, queued, start, now_ms(), TaskOutcome::Success);
                }
            });
        }
        for id in 0..n {
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
    }
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
