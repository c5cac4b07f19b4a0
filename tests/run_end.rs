//! A run ends when its program ends, not when its driver gets round to finishing it. Review R5
//! (session 14): the page finished a run up to a polling delay late, and the report's runtime
//! (and throughput, timeline and series with it) grew by that delay times the time scale.

use std::time::Duration;

use worker_pool_playground::{
    params::{RawParams, RawValue},
    runtime::Progress,
    scenario::{drive, Ended, Env, Run},
};

/// Runs `id` to its end, waits `late` of wall time, then finishes it.
fn finished_late(
    id: &str,
    variant: Option<&str>,
    scale: f64,
    threads: usize,
    late: Duration,
) -> f64 {
    let env = Env {
        threads,
        ..Env::native()
    };
    let p = RawParams::new()
        .with("tasks", RawValue::Number(10.0))
        .with("time_scale", RawValue::Number(scale));
    let t0 = std::time::Instant::now();
    let mut run = Run::start(id, variant, &p, &env).unwrap();
    drive(&mut run, &env);
    assert_eq!(run.poll(), Progress::Done);
    // The runtime's clock started after `t0` and runs `scale` times the wall's.
    let done_ms = t0.elapsed().as_secs_f64() * 1e3 * scale;
    std::thread::sleep(late);
    let t0 = std::time::Instant::now();
    let r = run.finish();
    eprintln!(
        "{id} threads {threads} scale {scale} late {late:?}: runtime {:.1} ms (finish took {:?})",
        r.runtime_ms,
        t0.elapsed()
    );
    assert!(
        r.runtime_ms <= done_ms,
        "{id} threads {threads} scale {scale}: {:.1} ms of runtime reported, the driver saw the end at {done_ms:.1} ms",
        r.runtime_ms
    );
    let t = r.series.t_ms.last().copied().unwrap();
    assert!(
        // The row of what was left sits a float above the end when a row was sampled there.
        t <= r.runtime_ms + 1e-6,
        "the series ends at {t} ms, the run at {}",
        r.runtime_ms
    );
    assert!(
        r.ended == Ended::Completed || r.ended == Ended::Deadlock,
        "{id}: {:?}",
        r.ended
    );
    r.runtime_ms
}

#[test]
fn a_late_finish_leaves_the_runtime_alone() {
    for (id, variant) in [("fixed-pool", None), ("deadlock-unbuffered", Some("wrong"))] {
        for threads in [0, 2] {
            for scale in [1.0, 100.0] {
                let on_time = finished_late(id, variant, scale, threads, Duration::ZERO);
                let late = finished_late(id, variant, scale, threads, Duration::from_millis(300));
                // Runtime runs `scale` times faster than the wall: 300 ms late was 300 ms of
                // runtime at scale 1 and 30 s at 100, against a slack of two thirds of it for
                // the spread of two runs of one program on a loaded machine.
                let slack = 200.0 * scale;
                assert!(
                    late < on_time + slack,
                    "{id} threads {threads} time_scale {scale}: {on_time:.1} ms finished at once, \
                     {late:.1} ms finished 300 ms late"
                );
            }
        }
    }
}

/// The trace ends where the Report's runtime does: main's last poll (and any poll still running
/// when main returned) is drawn up to the end, not through the runtime's bookkeeping after it.
/// (The page's trace test found a poll ending 2.4 ms of runtime after `runtime_ms`.)
#[test]
fn the_trace_ends_with_the_program() {
    use worker_pool_playground::runtime::{go, Runtime};
    for _ in 0..20 {
        let rt = Runtime::builder()
            .threads(2)
            .time_scale(1000.0)
            .record_events(10_000)
            .build()
            .unwrap();
        rt.block_on(async {
            for _ in 0..4 {
                go(async {
                    std::hint::black_box(0u64);
                });
            }
            // Work in main's last poll after its last await: the poll ends later than it returns.
            let mut x = 0u64;
            for i in 0..100_000u64 {
                x = x.wrapping_add(std::hint::black_box(i));
            }
            std::hint::black_box(x);
        })
        .unwrap();
        std::thread::sleep(Duration::from_millis(5));
        let end_us = rt.ended_ms().expect("main returned") * 1000.0;
        let trace = serde_json::to_value(rt.trace()).unwrap();
        let last = trace["traceEvents"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["ph"] == "X")
            .map(|e| e["ts"].as_f64().unwrap() + e["dur"].as_f64().unwrap())
            .fold(0.0, f64::max);
        assert!(
            last <= end_us + 1e-6,
            "a poll ends at {last} µs, the program at {end_us} µs"
        );
    }
}
