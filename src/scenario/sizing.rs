//! Beyond the guide: how many workers? A sweep over pool sizes on CPU-bound and I/O-bound work.

use std::{sync::Arc, time::Duration};

use web_time::Instant;

use super::{now_ms, variants, Ctx, Latency, Param, Report, Spec, TaskOutcome};
use crate::{
    chan::Chan, params::Value, runtime::gomaxprocs, sync::WaitGroup, time, workload::do_work,
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
        checklist: super::no_checklist,
        // the largest pool and main; every size runs the tasks twice (CPU, I/O), and every
        // task's latency is kept.
        need: |p, _| (p.workers + 1) * 169 + 2 * p.tasks * sizes(p.workers).len() as u64 * 24,
    }
}

struct Point {
    throughput: f64,
    lat: Latency,
    mean_ms: f64,
}

/// Runs `tasks` jobs through a pool of `w` workers (the guide's fixed pool: a jobs channel,
/// `w` workers ranging over it, a WaitGroup); CPU time in wall ms, I/O time in runtime ms.
async fn measure(c: &Arc<Ctx>, w: u64, cpu: bool) -> Point {
    let (iters, n) = (c.p.work_iterations, c.p.tasks);
    // snippet:start sizing-sweep
    let jobs: Chan<u64> = Chan::new(n as usize).named("jobs");
    // Each job reports when it started and ended (runtime ms).
    let done: Chan<(f64, f64)> = Chan::new(n as usize).named("results");
    let wg = WaitGroup::named("wg");
    for _ in 0..w {
        wg.add(1).expect("counting up");
        let (c2, jobs, done, wg) = (c.clone(), jobs.clone(), done.clone(), wg.clone());
        c.go("worker", async move {
            let _done = wg.defer_done();
            while let Some(id) = jobs.recv().await {
                let start = now_ms();
                if cpu {
                    do_work(iters);
                } else {
                    time::sleep(Duration::from_millis(c2.draw(id).sleep_ms)).await;
                }
                done.send((start, now_ms()))
                    .await
                    .expect("room for every result");
            }
        });
    }
    // snippet:end sizing-sweep
    let wall = Instant::now();
    let t0 = now_ms();
    for id in 1..=n {
        jobs.send(id).await.expect("room for every job");
    }
    jobs.close().expect("closed once");
    c.rec.submitted(n);
    wg.wait().await;
    done.close().expect("closed once");
    let (mut lat, mut service) = (vec![], 0.0);
    while let Some((start, end)) = done.recv().await {
        lat.push(end - t0);
        service += end - start;
        c.rec.outcome(TaskOutcome::Success, end - t0);
    }
    let secs = if cpu {
        wall.elapsed().as_secs_f64()
    } else {
        (now_ms() - t0) / 1e3
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

/// The pool sizes a sweep runs: 1, 2, 4, … up to `workers`, and `workers` itself.
fn sizes(workers: u64) -> Vec<u64> {
    let mut v: Vec<u64> = (0..64)
        .map(|k| 1u64 << k)
        .take_while(|&s| s <= workers)
        .collect();
    if v.last() != Some(&workers) {
        v.push(workers);
    }
    v
}

async fn sweep(c: Arc<Ctx>) {
    let Variant::Default = Variant::of(c.variant);
    let sizes = sizes(c.p.workers);
    // A warm-up round, not reported: a browser compiles doWork in the background and swaps in
    // the optimized code later, so without it the first sizes measured the compiler.
    measure(&c, gomaxprocs().max(1) as u64, true).await;
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
    let ran = sizes(r.params.workers);
    let knee = ran.iter().copied().filter(|&s| s <= g).max().unwrap_or(1);
    let top = r.params.workers;
    let list: Vec<String> = ran.iter().map(u64::to_string).collect();
    let tps = |kind: &str, w: u64| r.number(&format!("{kind}_tps_{w}"));
    let knee_label = if knee == g {
        format!("{knee} (= GOMAXPROCS)")
    } else {
        format!("{knee} (the largest size swept not above GOMAXPROCS {g})")
    };
    let cpu = if top <= knee {
        format!(
            "CPU-bound: throughput went from {:.0} tasks/s with 1 worker to {:.0} with {top}; the sweep stopped at or below GOMAXPROCS {g}, so it never tried more workers than threads.",
            tps("cpu", 1),
            tps("cpu", top)
        )
    } else {
        let (at_knee, at_top) = (tps("cpu", knee), tps("cpu", top));
        format!(
            "CPU-bound: throughput went from {:.0} tasks/s with 1 worker to {at_knee:.0} with {knee_label} and {at_top:.0} with {top}: {}",
            tps("cpu", 1),
            if at_top <= 1.25 * at_knee {
                "past the number of threads, more workers added little or no throughput; they queue for the same cores."
            } else {
                "more workers than threads still added throughput in this run."
            }
        )
    };
    let (io1, io_top) = (tps("io", 1), tps("io", top));
    let io = if io_top > 1.5 * io1 {
        format!("I/O-bound: {io1:.0} tasks/s with 1 worker, {io_top:.0} with {top}, because a sleeping worker holds no thread; the table sets each size beside Little's law (throughput ≈ workers ÷ mean task time).")
    } else {
        format!("I/O-bound: {io1:.0} tasks/s with 1 worker and {io_top:.0} with {top}: more workers did not help much in this run.")
    };
    // The best CPU size past the knee is named with how far above the knee it was: a "best" 3 %
    // above beside "added little or no throughput" read as a contradiction (review R13); each
    // size runs for tens of ms, so such differences are this run's noise.
    let best_cpu = r.number("best_cpu_workers");
    let best_cpu_words = if top > knee && best_cpu > knee as f64 {
        let gain = tps("cpu", best_cpu as u64) / tps("cpu", knee).max(f64::MIN_POSITIVE);
        format!(
            "{best_cpu:.0} workers, {:.0} % above {knee}'s{}",
            (gain - 1.0) * 100.0,
            if gain <= 1.25 {
                ", within the noise of sizes that each run for tens of ms"
            } else {
                ""
            }
        )
    } else {
        format!("{best_cpu:.0} workers")
    };
    format!(
        "Swept pools of {} workers, {} CPU tasks and {} I/O tasks each. {cpu} {io} Measured here: the best CPU throughput came with {best_cpu_words}, the best I/O throughput with {:.0}.",
        list.join(", "),
        r.params.tasks,
        r.params.tasks,
        r.number("best_io_workers")
    )
}
