//! The guide's control comparison: 1000 × `doWork`, unlimited goroutines versus a pool of 10.

use std::sync::Arc;

use serde_json::json;
use web_time::Instant;

use super::{fmt_bytes, now_ms, v, Ctx, Report, Spec};
use crate::{
    chan::Chan,
    metrics::alloc::{heap, reset_peak as reset_heap_peak},
    runtime::{go_named, num_goroutine, peak_goroutines, reset_peak, yield_now},
    sync::WaitGroup,
    time,
    workload::do_work,
};

pub(super) fn spec() -> Spec {
    Spec {
        id: "control-comparison",
        section: "Control Comparison",
        title: "Unlimited versus a pool, side by side",
        shows: "the same 1000 × doWork both ways: goroutines, memory and time",
        variants: vec![v("default", "❌ unlimited, then ✅ pool of 10", false)],
        defaults: json!({"tasks": 1000, "workers": 10, "queue": 100, "work_iterations": 1_000_000, "seed": 1, "time_scale": 1}),
        uses: vec![
            "tasks",
            "workers",
            "queue",
            "work_iterations",
            "seed",
            "mode",
        ],
        main: |c| Box::pin(control(c)),
        lesson,
        peak: |p| p.tasks + 2,
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
    let (n, workers, iters) = (c.p.tasks, c.p.workers, c.p.work_iterations);
    c.rec.log(format!(
        "🔬 CONTROL COMPARISON: {n} tasks, pool of {workers} workers"
    ));
    c.rec.submitted(2 * n);
    let unlimited = measure(&c, "❌ WITHOUT WORKER POOL", async {
        let wg = WaitGroup::named("wg");
        for id in 0..n {
            wg.add(1).expect("counting up");
            let (wg, c) = (wg.clone(), c.clone());
            go_named("task", async move {
                let _d = wg.defer_done();
                let start = now_ms();
                do_work(iters);
                c.rec.task(0, id, start, start, now_ms(), "success");
            });
        }
        wg.wait().await;
    })
    .await;
    let pool = measure(&c, "✅ WITH WORKER POOL", async {
        let jobs: Chan<u64> = Chan::new(c.p.queue as usize).named("jobs");
        let wg = WaitGroup::named("wg");
        for w in 1..=workers {
            wg.add(1).expect("counting up");
            let (jobs, wg, c) = (jobs.clone(), wg.clone(), c.clone());
            go_named("worker", async move {
                let _d = wg.defer_done();
                while let Some(id) = jobs.recv().await {
                    let start = now_ms();
                    do_work(iters);
                    c.rec.task(w, n + id, start, start, now_ms(), "success");
                }
            });
        }
        for id in 0..n {
            jobs.send(id).await.expect("open");
        }
        jobs.close().expect("closed once");
        wg.wait().await;
    })
    .await;
    let row = |label: &str, f: &dyn Fn(&Phase) -> String| {
        vec![label.to_string(), f(&unlimited), f(&pool)]
    };
    c.rec.table(
        "Control comparison (this run)",
        &["", "WITHOUT worker pool", "WITH worker pool"],
        vec![
            row("Goroutines (before → peak)", &|p| {
                format!("{} → {}", p.before, p.peak)
            }),
            row("Goroutines after", &|p| p.after.to_string()),
            row("Memory allocated", &|p| fmt_bytes(p.alloc as f64)),
            row("Heap peak", &|p| fmt_bytes(p.heap_peak as f64)),
            row("Execution time", &|p| format!("{:.1} ms", p.ms)),
        ],
    );
    c.rec.number("unlimited_peak", unlimited.peak as f64);
    c.rec.number("pool_peak", pool.peak as f64);
    c.rec.number("unlimited_alloc", unlimited.alloc as f64);
    c.rec.number("pool_alloc", pool.alloc as f64);
    c.rec.number("unlimited_ms", unlimited.ms);
    c.rec.number("pool_ms", pool.ms);
    c.rec.peak(unlimited.peak.max(pool.peak) as u64);
}

fn lesson(r: &Report) -> String {
    let (up, pp) = (r.number("unlimited_peak"), r.number("pool_peak"));
    format!(
        "The same {} × doWork ran both ways. Unlimited: {:.0} goroutines at the peak, {} allocated, {:.0} ms. Pool of {}: {:.0} goroutines, {} allocated, {:.0} ms — {:.0}% fewer goroutines and {:.0}× less memory. The time is about the same because the work is CPU-bound and only {} threads run it either way: more goroutines than cores add bookkeeping, not speed.",
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
        r.threads
    )
}
