//! The heap a scenario reports is its program's, as Go's `MemStats.HeapAlloc` is: the runtime's
//! own bookkeeping (the series, the event log) lives in memory reserved before the run's heap is
//! measured, so it neither hides the lesson nor grows with the run's length. The tests take turns
//! ([`ONE_AT_A_TIME`]), so that no other test allocates at the same time in this process.

use std::sync::Mutex;

use worker_pool_playground::{
    params::{RawParams, RawValue},
    scenario::{run_blocking, schema, Ended, Env, Report},
};

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn run(id: &str, time_scale: Option<f64>) -> Report {
    let mut p = RawParams::new().with("tasks", RawValue::Number(1000.0));
    if let Some(s) = time_scale {
        p = p.with("time_scale", RawValue::Number(s));
    }
    run_blocking(id, None, &p, &Env::native()).unwrap()
}

#[test]
fn the_reported_heap_is_the_programs() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let fixed = run("fixed-pool", None);
    let unlimited = run("unlimited", None);
    // The lesson: a fixed pool holds 8 goroutines, not 1000, and uses less memory for it.
    assert!(
        fixed.heap_peak_bytes < unlimited.heap_peak_bytes,
        "fixed-pool peaks at {} B, unlimited at {} B",
        fixed.heap_peak_bytes,
        unlimited.heap_peak_bytes
    );
    // The same program over 1 s and over 10 ms of wall time: the runtime samples a hundred
    // times longer, yet the program's heap is the same.
    let (slow, fast) = (run("unlimited", Some(1.0)), run("unlimited", Some(100.0)));
    let (a, b) = (slow.heap_peak_bytes, fast.heap_peak_bytes);
    assert!(
        a.abs_diff(b) <= a.max(b) / 10,
        "time_scale 1 peaks at {a} B, time_scale 100 at {b} B"
    );
}

/// Review R2 (session 14): the chart of the heap stood on another baseline than the heap peak
/// beside it (`run fixed-pool`: series.heap_bytes[0] = 5,677,254 B, heap peak 58,618 B).
/// The rule: the series starts at 0 and its highest point is the heap peak, for every run whose
/// series keeps the heap's extremes (a real clock) and was not cut at a panic; on a virtual
/// clock, or cut at a panic, it is at most the peak.
#[test]
fn the_heap_chart_and_the_heap_peak_share_a_baseline() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut checked = 0;
    for s in schema() {
        for v in &s.variants {
            let r = run_blocking(s.id, Some(v.id), &RawParams::new(), &Env::native()).unwrap();
            let h = &r.series.heap_bytes;
            let max = h.iter().fold(0.0f64, |a, &b| a.max(b)) as u64;
            let what = format!(
                "{}/{}: series {h:?}, peak {}",
                s.id, v.id, r.heap_peak_bytes
            );
            assert_eq!(h[0], 0.0, "{what}");
            if r.ended == Ended::Panicked || r.params.mode.name() == "deterministic" {
                assert!(max <= r.heap_peak_bytes, "{what}");
            } else {
                assert_eq!(max, r.heap_peak_bytes, "{what}");
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "{checked} runs compared exactly");
}

/// Review R4 (session 14): control-comparison measured each phase's heap peak by restarting the
/// run's, so the run's peak was only the last phase's (151 KB beside a first phase of 305 KB).
#[test]
fn the_runs_heap_peak_covers_every_phase() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run_blocking(
        "control-comparison",
        None,
        &RawParams::new(),
        &Env::native(),
    )
    .unwrap();
    let (u, p) = (
        r.number("unlimited_heap_peak") as u64,
        r.number("pool_heap_peak") as u64,
    );
    assert!(u > 0 && p > 0, "{:?}", r.numbers);
    assert!(
        r.heap_peak_bytes >= u.max(p),
        "run {} B, phases {u} B and {p} B",
        r.heap_peak_bytes
    );
}
