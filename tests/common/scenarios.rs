//! One body per scenario, asserting its lesson from the Report (native and in Chromium).

use serde_json::{json, Value};
use worker_pool_playground::{
    runtime::FindingKind,
    scenario::{run_blocking, scenarios, Env, Report},
};

/// Where the scenarios run: OS threads natively, rayon's Web Workers in the browser.
pub fn env() -> Env {
    #[cfg(target_arch = "wasm32")]
    {
        Env {
            build: "threads",
            threads: 2,
            budget: 640 << 20,
            spawn: Some(|| {
                Box::new(|run| {
                    rayon::spawn(run);
                    Ok(())
                })
            }),
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    Env::native()
}

/// Scenario runs measure the process-wide heap, so tests in one binary take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

pub fn run(id: &str, variant: &str, params: Value) -> Report {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let r = run_blocking(id, Some(variant), &params, &env())
        .unwrap_or_else(|e| panic!("{id}/{variant}: {e}"));
    let t = r.tasks;
    assert_eq!(
        t.submitted,
        t.successful + t.failed + t.cancelled + t.timed_out,
        "{id}/{variant}: outcomes add up: {t:?}"
    );
    assert!(!r.lesson.is_empty(), "{id}/{variant}: a lesson");
    assert!(!r.series.is_empty(), "{id}/{variant}: a series");
    r
}

fn expect_end(id: &str, variant: &str) -> &'static str {
    if (id, variant) == ("deadlock-unbuffered", "wrong") {
        "deadlock"
    } else {
        "completed"
    }
}

pub fn unlimited() {
    let r = run(
        "unlimited",
        "default",
        json!({"tasks": 400, "time_scale": 10}),
    );
    assert!(
        r.peak_goroutines as f64 >= 0.95 * 400.0,
        "peak {}",
        r.peak_goroutines
    );
    assert_eq!(r.tasks.successful, 400);
    assert_eq!(r.goroutines_after, 0);
    assert!(
        r.heap_peak_bytes > 400 * 50,
        "a goroutine costs heap: {}",
        r.heap_peak_bytes
    );
}

pub fn fixed_pool() {
    let r = run(
        "fixed-pool",
        "default",
        json!({"tasks": 200, "sleep_max_ms": 100, "time_scale": 50}),
    );
    assert!(r.peak_goroutines <= 5 + 3, "peak {}", r.peak_goroutines);
    assert_eq!(r.tasks.successful, 200);
    let share = &r.tables[0].1;
    assert_eq!(share.rows.len(), 5, "one row per worker");
    let jobs: u64 = share
        .rows
        .iter()
        .map(|row| row[1].parse::<u64>().unwrap())
        .sum();
    assert_eq!(jobs, 200);
    assert_eq!(r.timeline.len(), 5);
}

pub fn context_pool() {
    let r = run(
        "context-pool",
        "close",
        json!({"tasks": 40, "time_scale": 50}),
    );
    assert!(r.peak_goroutines <= 3 + 4);
    assert_eq!(r.tasks.submitted, 40);
    assert!(r.tasks.failed > 0, "10% fail: {:?}", r.tasks);
    assert_eq!(r.tasks.cancelled, 0);
    let r = run(
        "context-pool",
        "cancel",
        json!({"tasks": 40, "time_scale": 50}),
    );
    assert!(
        r.tasks.cancelled > 0 || r.tasks.submitted < 40,
        "{:?}",
        r.tasks
    );
    assert!(
        r.log.iter().any(|l| l.contains("context canceled")),
        "later submits fail with the context error"
    );
    assert_eq!(r.goroutines_after, 0);
}

pub fn db_pool() {
    let r = run("db-pool", "pool", json!({"time_scale": 50}));
    let in_use = r.series.gauges.get("in_use").expect("in_use column");
    assert!(
        in_use.iter().all(|&v| v <= 3.0),
        "in use above 3 in a sample"
    );
    assert_eq!(
        r.number("max_in_use"),
        3.0,
        "all 3 connections used, never more"
    );
    assert!(
        r.number("wait_for_conn_ms") > 0.0,
        "workers waited for connections: {:?}",
        r.numbers
    );
    let r = run("db-pool", "without-pool", json!({"time_scale": 50}));
    assert!(r.number("max_in_use") > 3.0);
}

pub fn control_comparison() {
    let r = run("control-comparison", "default", json!({"tasks": 200}));
    assert!(r.number("unlimited_peak") >= 0.95 * 200.0);
    assert!(r.number("pool_peak") <= 10.0 + 2.0);
    assert!(r.number("unlimited_alloc") > r.number("pool_alloc"));
    assert_eq!(r.tables[0].1.rows.len(), 5);
}

pub fn leak_unclosed_channel() {
    let r = run("leak-unclosed-channel", "wrong", json!({}));
    let leaks = r.findings_of(FindingKind::Leak);
    assert_eq!(leaks.len(), 1);
    assert_eq!(leaks[0].goroutines.len(), 5, "exactly 5 leaked");
    assert!(leaks[0]
        .goroutines
        .iter()
        .all(|g| g.wait.as_go() == "chan receive"));
    let r = run("leak-unclosed-channel", "right", json!({}));
    assert!(r.findings_of(FindingKind::Leak).is_empty());
    assert_eq!(r.goroutines_after, 0);
}

pub fn send_on_closed() {
    let r = run("send-on-closed", "wrong", json!({}));
    let p = r.findings_of(FindingKind::Panic);
    assert!(
        p.iter()
            .any(|f| f.message.contains("send on closed channel")),
        "{:?}",
        r.findings
    );
    let r = run("send-on-closed", "single-sender", json!({}));
    assert_eq!(r.number("delivered"), 5.0);
    let r = run("send-on-closed", "many-senders", json!({}));
    assert_eq!(r.number("delivered"), 15.0);
    assert!(r.findings.is_empty());
}

pub fn deadlock_unbuffered() {
    let r = run("deadlock-unbuffered", "wrong", json!({}));
    assert_eq!(r.ended, "deadlock");
    let d = r.findings_of(FindingKind::Deadlock);
    assert_eq!(
        d[0].message,
        "fatal error: all goroutines are asleep - deadlock!"
    );
    assert!(d[0]
        .goroutines
        .iter()
        .any(|g| g.id == 1 && g.object_name.as_deref() == Some("jobs")));
    for v in ["buffered", "separate-goroutines"] {
        let r = run("deadlock-unbuffered", v, json!({}));
        assert_eq!(r.ended, "completed", "{v}");
        assert_eq!(r.tasks.successful, 10, "{v}");
    }
    let r = run(
        "deadlock-unbuffered",
        "blocked-workers",
        json!({"time_scale": 20}),
    );
    assert!(
        r.number("blocked_ms") >= 1900.0,
        "workers blocked ~2 s: {}",
        r.number("blocked_ms")
    );
}

pub fn waitgroup_misuse() {
    // A race: on two threads the workers sometimes Add before main Waits. Deterministic mode
    // runs main until it blocks, as Go's scheduler usually does, so the bug shows every time.
    let r = run(
        "waitgroup-misuse",
        "add-inside",
        json!({"mode": "deterministic"}),
    );
    assert_eq!(r.findings_of(FindingKind::EarlyReturn).len(), 1);
    for v in ["by-value", "forgot-done"] {
        let r = run("waitgroup-misuse", v, json!({"time_scale": 50}));
        assert_eq!(r.findings_of(FindingKind::Hang).len(), 1, "{v}");
    }
    let r = run("waitgroup-misuse", "right", json!({"time_scale": 50}));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.number("finished_at_wait"), 5.0);
}

pub fn best_practices() {
    let r = run("best-practices", "default", json!({"time_scale": 50}));
    assert_eq!(r.checklist.len(), 15);
    let bad: Vec<_> = r.checklist.iter().filter(|c| !c.ok).collect();
    assert!(bad.is_empty(), "{bad:?}");
    assert!(
        r.checklist[6].evidence.contains("task 7"),
        "{}",
        r.checklist[6].evidence
    );
}

pub fn sizing_sweep() {
    let r = run(
        "sizing-sweep",
        "default",
        json!({"tasks": 40, "workers": 8, "work_iterations": 300000, "time_scale": 10}),
    );
    assert_eq!(r.tables[0].1.rows.len(), 4, "1, 2, 4, 8 workers");
    assert!(
        r.number("io_tps_8") > 3.0 * r.number("io_tps_1"),
        "I/O scales with workers: {:?}",
        r.numbers
    );
    let g = r.number("gomaxprocs") as u64;
    if g == 2 {
        // CPU work stops scaling at GOMAXPROCS: 8 workers are not much faster than 2.
        assert!(
            r.number("cpu_tps_8") < 2.0 * r.number("cpu_tps_2"),
            "{:?}",
            r.numbers
        );
    }
}

/// The same seed gives the same Report, apart from wall-clock and heap fields.
pub fn deterministic_reports_repeat() {
    for id in [
        "fixed-pool",
        "context-pool",
        "db-pool",
        "deadlock-unbuffered",
    ] {
        let p = json!({"mode": "deterministic", "seed": 11, "tasks": 30});
        let strip = |mut r: Report| {
            r.wall_ms = 0.0;
            r.heap_peak_bytes = 0;
            r.total_alloc_bytes = 0;
            r.series.heap_bytes.clear();
            serde_json::to_string(&r).unwrap()
        };
        let a = strip(run(
            id,
            scenarios().iter().find(|s| s.id == id).unwrap().variants[0].id,
            p.clone(),
        ));
        let b = strip(run(
            id,
            scenarios().iter().find(|s| s.id == id).unwrap().variants[0].id,
            p,
        ));
        if a != b {
            let at = a
                .bytes()
                .zip(b.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            let ctx = |s: &str| s[at.saturating_sub(150)..(at + 80).min(s.len())].to_string();
            panic!(
                "{id}: reports differ at byte {at}:\n{}\n{}",
                ctx(&a),
                ctx(&b)
            );
        }
    }
}

/// The step API: a deterministic run advanced one event at a time ends in the same Report as
/// one run straight through.
pub fn stepping_matches_running() {
    use worker_pool_playground::{runtime::Progress, scenario::Run};
    let p = json!({"mode": "deterministic", "seed": 3, "tasks": 12});
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut run = Run::start("fixed-pool", None, &p, &env()).unwrap();
    let mut steps = 0;
    while run.step(1) != Progress::Done {
        steps += 1;
        assert!(steps < 100_000, "a run of 12 jobs ends");
    }
    let stepped = run.finish();
    drop(_turn);
    let straight = super::scenarios::run("fixed-pool", "default", p);
    assert!(steps > 12, "one step per event: {steps}");
    assert_eq!(stepped.tasks, straight.tasks);
    assert_eq!(stepped.runtime_ms, straight.runtime_ms);
    assert_eq!(stepped.timeline, straight.timeline);
}
