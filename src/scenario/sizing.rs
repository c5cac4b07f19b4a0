//! Beyond the guide: how many workers? A sweep over pool sizes on CPU-bound and I/O-bound work.

use std::{sync::Arc, time::Duration};

use web_time::Instant;

use super::{variants, Ctx, Latency, Param, Report, Spec, TaskOutcome};
use crate::{
    params::Value,
    pool::{PoolBuilder, QueuePolicy},
    runtime::gomaxprocs,
    time,
    workload::{do_work, TaskDraw},
};

variants! {
    /// One sweep.
    enum Variant {
        Default = "default", Demo, "workers 1, 2, 4 … up to `workers`, CPU and I/O";
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(200)),
    (Param::Workers, Value::Int(64)),
    (Param::WorkIterations, Value::Int(200_000)),
    (Param::SleepMaxMs, Value::Int(100)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(20.0)),
    (Param::Mode, Value::Choice("real")),
];

/// The pool sizes swept (up to `workers`).
pub const SIZES: [u64; 7] = [1, 2, 4, 8, 16, 32, 64];

pub(super) fn spec() -> Spec {
    Spec {
        id: "sizing-sweep",
        section: "Best Practices: size workers appropriately",
        title: "How many workers? A sweep",
        shows: "CPU-bound work stops scaling at GOMAXPROCS; I/O-bound work scales with workers (Little's law)",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(sweep(c)),
        lesson,
        peak: |p, _| p.workers + 3,
    }
}

struct Point {
    throughput: f64,
    lat: Latency,
    mean_ms: f64,
}

/// Runs `tasks` jobs through a pool of `w` workers; CPU time in wall ms, I/O time in runtime ms.
async fn measure(c: &Arc<Ctx>, w: u64, cpu: bool) -> Point {
    let (iters, max_sleep, n) = (c.p.work_iterations, c.p.sleep_max_ms.max(1), c.p.tasks);
    let c2 = c.clone();
    let pool = PoolBuilder::new()
        .workers(w as usize)
        .queue(QueuePolicy::Unbounded)
        .build(move |t| {
            let c = c2.clone();
            async move {
                if cpu {
                    Ok::<_, String>(do_work(iters))
                } else {
                    let ms = TaskDraw::new(c.p.seed, t.id, max_sleep, 0.0).sleep_ms;
                    time::sleep(Duration::from_millis(ms)).await;
                    Ok(ms)
                }
            }
        })
        .expect("valid pool");
    let wall = Instant::now();
    let t0 = super::now_ms();
    for i in 0..n {
        pool.submit(i).await.expect("open");
    }
    pool.close();
    let results = pool.results();
    let mut lat = vec![];
    let mut service = 0.0;
    while let Some(r) = results.recv().await {
        let l = r.end_ms - t0;
        lat.push(l);
        service += r.end_ms - r.start_ms;
        c.rec.outcome(TaskOutcome::of(&r.outcome), l);
    }
    c.rec.submitted(n);
    let secs = if cpu {
        wall.elapsed().as_secs_f64()
    } else {
        (super::now_ms() - t0) / 1e3
    };
    if cpu {
        // Latency of CPU work in wall ms, like its throughput (runtime time is scaled).
        let scale = c.p.time_scale;
        lat.iter_mut().for_each(|l| *l /= scale);
        service /= scale;
    }
    Point {
        throughput: n as f64 / secs.max(1e-9),
        lat: Latency::of(&mut lat),
        mean_ms: service / n as f64,
    }
}

async fn sweep(c: Arc<Ctx>) {
    let Variant::Default = Variant::of(c.variant);
    let sizes: Vec<u64> = SIZES
        .iter()
        .copied()
        .filter(|&s| s <= c.p.workers)
        .collect();
    let mut rows = vec![];
    let (mut best_cpu, mut best_io) = ((0u64, 0.0f64), (0u64, 0.0f64));
    for &w in &sizes {
        let cpu = measure(&c, w, true).await;
        let io = measure(&c, w, false).await;
        // Little's law, L = λW: with w tasks in service at a time and a mean service time S,
        // throughput is at most w / S (and never more than all tasks at once).
        let little = (w as f64).min(c.p.tasks as f64) / (io.mean_ms / 1e3).max(1e-9);
        c.rec.log(format!(
            "workers {w:>2}: CPU {:>7.1} tasks/s (p50 {:.1} ms, p99 {:.1} ms) | I/O {:>7.1} tasks/s (p50 {:.0} ms, p99 {:.0} ms), Little's law predicts {little:.1}",
            cpu.throughput, cpu.lat.p50, cpu.lat.p99, io.throughput, io.lat.p50, io.lat.p99
        ));
        if cpu.throughput > best_cpu.1 {
            best_cpu = (w, cpu.throughput);
        }
        if io.throughput > best_io.1 {
            best_io = (w, io.throughput);
        }
        c.rec.set_number(&format!("cpu_tps_{w}"), cpu.throughput);
        c.rec.set_number(&format!("io_tps_{w}"), io.throughput);
        rows.push(vec![
            w.to_string(),
            format!("{:.1}", cpu.throughput),
            format!("{:.1}", cpu.lat.p50),
            format!("{:.1}", cpu.lat.p99),
            format!("{:.1}", io.throughput),
            format!("{:.0}", io.lat.p50),
            format!("{:.0}", io.lat.p99),
            format!("{little:.1}"),
        ]);
    }
    c.rec.table(
        "Pool size sweep (CPU in wall time, I/O in runtime time)",
        &[
            "workers",
            "CPU tasks/s",
            "CPU p50 ms",
            "CPU p99 ms",
            "I/O tasks/s",
            "I/O p50 ms",
            "I/O p99 ms",
            "Little's law I/O tasks/s",
        ],
        rows,
    );
    c.rec.set_number("gomaxprocs", gomaxprocs() as f64);
    c.rec.set_number("best_cpu_workers", best_cpu.0 as f64);
    c.rec.set_number("best_io_workers", best_io.0 as f64);
}

fn lesson(r: &Report, _: usize) -> String {
    let g = r.number("gomaxprocs").max(1.0) as u64;
    let knee = SIZES.iter().copied().filter(|&s| s <= g).max().unwrap_or(1);
    let top = SIZES
        .iter()
        .copied()
        .filter(|&s| s <= r.params.workers)
        .max()
        .unwrap_or(1);
    format!(
        "CPU-bound: throughput went from {:.0} tasks/s with 1 worker to {:.0} with {knee} (= GOMAXPROCS {g}) and {:.0} with {top}: past the number of threads, more workers only queue for the same cores. I/O-bound: {:.0} tasks/s with 1 worker, {:.0} with {top}, because a sleeping worker holds no thread; Little's law (throughput ≈ workers ÷ mean task time) predicts it until workers approach the {} tasks. Rule of thumb, measured: CPU work wants GOMAXPROCS workers, I/O work wants as many as the waits allow.",
        r.number("cpu_tps_1"),
        r.number(&format!("cpu_tps_{knee}")),
        r.number(&format!("cpu_tps_{top}")),
        r.number("io_tps_1"),
        r.number(&format!("io_tps_{top}")),
        r.params.tasks
    )
}
