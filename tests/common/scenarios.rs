//! One body per scenario, asserting its lesson's facts from the Report, natively
//! (`tests/scenarios.rs`) and in Chromium (`tests/web.rs`), from the one list in
//! [`each_scenario_test`].

use serde::Deserialize;
use serde_json::{json, Value};
use worker_pool_playground::{
    params::RawParams,
    runtime::FindingKind,
    scenario::{run_blocking, schema, Ended, Env, Report, Run},
};

/// Every scenario test body, by name: the native and the browser runners both expand it, so
/// the two lists cannot drift apart. (The other test binaries that include `common` do not.)
#[allow(unused_macros)]
macro_rules! each_scenario_test {
    ($runner:ident) => {
        $runner!(
            unlimited,
            fixed_pool,
            context_pool_close,
            context_pool_cancel,
            context_pool_guide_cancel,
            db_pool,
            control_comparison,
            leak_unclosed_channel,
            send_on_closed_wrong_panics,
            send_on_closed_right_ways,
            send_on_closed_guide_timing,
            deadlock_unbuffered,
            deadlock_small_buffer,
            deadlock_blocked_workers,
            waitgroup_add_inside,
            waitgroup_hangs,
            waitgroup_right,
            waitgroup_negative_counter,
            best_practices,
            sizing_sweep,
            deterministic_reports_repeat,
            stepping_matches_running,
            bad_parameters_are_refused,
        );
    };
}
#[allow(unused_imports)]
pub(crate) use each_scenario_test;

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

/// The parameters as the API receives them.
pub fn raw(params: Value) -> RawParams {
    RawParams::deserialize(&params).expect("test parameters are an object")
}

/// Runs one scenario and checks what every Report must satisfy.
pub fn run(id: &str, variant: &str, params: Value) -> Report {
    let r = {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        run_blocking(id, Some(variant), &raw(params), &env())
            .unwrap_or_else(|e| panic!("{id}/{variant}: {e}"))
    };
    let t = r.tasks;
    assert_eq!(
        t.submitted,
        t.successful + t.failed + t.cancelled + t.timed_out,
        "{id}/{variant}: every submitted task ends in one outcome: {t:?}"
    );
    assert_eq!(r.engine, "rust");
    assert_eq!(r.exit_status, r.ended.exit_status(), "{id}/{variant}");
    assert!(!r.series.is_empty(), "{id}/{variant}: a series");
    r
}

/// The Report as the page receives it.
fn json_of(r: &Report) -> Value {
    serde_json::to_value(r).expect("a Report serializes")
}

pub fn unlimited() {
    let r = run(
        "unlimited",
        "default",
        json!({"tasks": 400, "time_scale": 10}),
    );
    // Sleeps of up to 1 s, spawned within a few ms: nearly all 400 are alive at once.
    assert!(r.peak_goroutines >= 380, "peak {}", r.peak_goroutines);
    assert_eq!(r.tasks.successful, 400);
    assert_eq!(r.goroutines_after, 0);
    assert!(
        r.heap_peak_bytes > 400 * 50,
        "a goroutine costs heap: {}",
        r.heap_peak_bytes
    );
    // Latency runs from the spawn: it is each task's own sleep (below 1000 ms), not ~0.
    assert!(
        r.latency_ms.max < 1000.0 + 50.0 && r.latency_ms.p50 > 200.0,
        "{:?}",
        r.latency_ms
    );
    assert!(
        r.lesson.contains(&format!(
            "{} goroutines alive at once for 400 tasks",
            r.peak_goroutines
        )),
        "{}",
        r.lesson
    );
}

pub fn fixed_pool() {
    let r = run(
        "fixed-pool",
        "default",
        json!({"tasks": 200, "sleep_max_ms": 100, "time_scale": 50}),
    );
    // 5 workers, main, the sender and the closer.
    assert_eq!(r.peak_goroutines, 5 + 3, "peak {}", r.peak_goroutines);
    assert_eq!(r.tasks.successful, 200);
    let share = r.table("Per-worker share").expect("the per-worker table");
    assert_eq!(share.rows.len(), 5, "one row per worker");
    let jobs: u64 = share
        .rows
        .iter()
        .map(|row| row[1].parse::<u64>().unwrap())
        .sum();
    assert_eq!(jobs, 200);
    assert_eq!(r.timeline.len(), 5);
    // Jobs wait in the queue: latency from submit exceeds any single task's sleep.
    assert!(r.latency_ms.p50 > 100.0, "{:?}", r.latency_ms);
}

pub fn context_pool_close() {
    let r = run(
        "context-pool",
        "close",
        json!({"tasks": 40, "time_scale": 50}),
    );
    // main, the submitter, 3 workers.
    assert_eq!(r.peak_goroutines, 5);
    assert_eq!(r.tasks.submitted, 40);
    // Seed 1 with failure rate 0.1 over tasks 1..=40: the workload generator decides which.
    let expected_failures = (1..=40)
        .filter(|&id| worker_pool_playground::workload::TaskDraw::new(1, id, 500, 0.1).failed)
        .count() as u64;
    assert_eq!(r.tasks.failed, expected_failures);
    assert_eq!(r.tasks.successful, 40 - expected_failures);
    assert_eq!(r.tasks.cancelled, 0);
    assert_eq!(r.goroutines_after, 0);
    assert_eq!(r.ended, Ended::Completed);
    assert!(
        r.gauge_max("queue_depth") >= 9.0,
        "the 10-slot tasks buffer filled: {}",
        r.gauge_max("queue_depth")
    );
    assert_eq!(r.gauge_max("in_flight"), 3.0, "3 workers busy at once");
}

pub fn context_pool_cancel() {
    let r = run(
        "context-pool",
        "cancel",
        json!({"tasks": 40, "time_scale": 50}),
    );
    assert_eq!(r.ended, Ended::Completed, "{:?}", r.findings);
    assert_eq!(r.goroutines_after, 0);
    assert!(r.tasks.finished() >= 20, "{:?}", r.tasks);
    // With 40 tasks the submitter is still blocked in Submit at the cancel: it is refused and
    // stops there, so not every task is submitted.
    assert!(r.number("refused_at_task") > 20.0, "{:?}", r.numbers);
    assert!(r.tasks.submitted < 40, "{:?}", r.tasks);
    assert!(
        r.log.iter().any(|l| l.contains("context canceled")),
        "the refused submit says why"
    );
    let cancels: Vec<_> = r.marks.iter().filter(|m| m.label == "Cancel()").collect();
    assert_eq!(cancels.len(), 1);
    // results closed exactly once.
    let closes = r
        .marks
        .iter()
        .filter(|m| m.label.ends_with("close(results)"))
        .count();
    assert_eq!(closes, 1, "{:?}", r.marks);
}

pub fn context_pool_guide_cancel() {
    let r = run("context-pool", "guide-cancel", json!({"time_scale": 50}));
    assert_eq!(r.ended, Ended::Panicked, "{:?}", r.findings);
    assert_eq!(r.exit_status, Some(2));
    let p = r.findings_of(FindingKind::Panic);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].message, "panic: close of closed channel");
    let n = r.log.len();
    assert_eq!(r.log[n - 2], "panic: close of closed channel");
    assert!(r.log[n - 1].starts_with("goroutine ") && r.log[n - 1].ends_with(" [running]:"));
}

pub fn db_pool() {
    let r = run("db-pool", "pool", json!({"time_scale": 50}));
    assert_eq!(
        r.gauge_max("connections_in_use"),
        3.0,
        "all 3 connections in use, never more"
    );
    assert!(r.number("wait_for_connection_ms") > 0.0, "{:?}", r.numbers);
    // Some worker waited in Acquire at least one whole query (the shortest is 110 ms), and
    // the wait is Acquire's alone: less than the run minus the shortest query.
    let max_wait = r.number("max_wait_for_connection_ms");
    assert!(
        max_wait >= 100.0 && max_wait < r.runtime_ms - 100.0,
        "{:?}",
        r.numbers
    );
    let per_conn = r.table("Queries per connection").unwrap();
    let total: u64 = per_conn
        .rows
        .iter()
        .map(|row| row[1].parse::<u64>().unwrap())
        .sum();
    assert_eq!((per_conn.rows.len(), total), (3, 20));
    assert!(r.lesson.contains("never went above 3"), "{}", r.lesson);
    let r = run("db-pool", "without-pool", json!({"time_scale": 50}));
    assert_eq!(r.gauge_max("connections_in_use"), 10.0);
    // Nobody waits: Acquire finds a connection at once (well under a ms of runtime each).
    assert!(r.number("wait_for_connection_ms") < 20.0, "{:?}", r.numbers);
}

pub fn control_comparison() {
    let r = run(
        "control-comparison",
        "default",
        json!({"tasks": 200, "work_iterations": 100000}),
    );
    assert!(r.number("unlimited_peak") >= 0.9 * 200.0, "{:?}", r.numbers);
    assert!(r.number("pool_peak") <= 10.0 + 1.0, "{:?}", r.numbers);
    // The guide's "peak" is the count after the run: main alone.
    assert_eq!(r.number("unlimited_guide_peak"), 1.0);
    assert!(r.number("unlimited_alloc") > r.number("pool_alloc"));
}

pub fn leak_unclosed_channel() {
    let r = run("leak-unclosed-channel", "wrong", json!({"time_scale": 10}));
    let leaks = r.findings_of(FindingKind::Leak);
    assert_eq!(leaks.len(), 1);
    assert_eq!(
        leaks[0].message,
        "5 goroutines are still blocked after main returned"
    );
    assert_eq!(leaks[0].goroutines.len(), 5, "exactly 5 leaked");
    assert!(leaks[0]
        .goroutines
        .iter()
        .all(|g| g.wait.as_go() == "chan receive"));
    // main slept the guide's 500 ms of runtime before returning.
    assert!(r.runtime_ms >= 500.0, "{}", r.runtime_ms);
    assert_eq!(r.goroutines_after, 5);
    let r = run("leak-unclosed-channel", "right", json!({"time_scale": 10}));
    assert!(r.findings_of(FindingKind::Leak).is_empty());
    assert_eq!(r.goroutines_after, 0);
    assert_eq!(r.tasks.successful, 10);
}

pub fn send_on_closed_wrong_panics() {
    let r = run("send-on-closed", "wrong", json!({"time_scale": 10}));
    assert_eq!(r.ended, Ended::Panicked);
    assert_eq!(r.exit_status, Some(2));
    let p = r.findings_of(FindingKind::Panic);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].message, "panic: send on closed channel");
    let n = r.log.len();
    assert_eq!(
        r.log[n - 2..],
        [
            "panic: send on closed channel".to_string(),
            "goroutine 1 [running]:".to_string()
        ]
    );
    // The timing is honest and shown: the close comes before the late send.
    assert!(
        r.number("closed_at_ms") < r.number("late_send_at_ms"),
        "{:?}",
        r.numbers
    );
    let close = r
        .marks
        .iter()
        .find(|m| m.label == "close(jobs)")
        .expect("the close is marked");
    let fatal = r
        .marks
        .iter()
        .find(|m| m.label.starts_with("jobs <- 999"))
        .expect("the fatal send is marked");
    assert!(close.t_ms < fatal.t_ms);
    assert_eq!(r.number("delivered"), 5.0);
}

pub fn send_on_closed_right_ways() {
    let r = run("send-on-closed", "single-sender", json!({}));
    assert_eq!(r.number("delivered"), 5.0);
    assert_eq!(r.ended, Ended::Completed);
    let r = run("send-on-closed", "many-senders", json!({}));
    assert_eq!(r.number("delivered"), 15.0);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
}

pub fn send_on_closed_guide_timing() {
    let r = run(
        "send-on-closed",
        "guide-timing",
        json!({"trials": 10, "time_scale": 20}),
    );
    assert_eq!(r.ended, Ended::Completed);
    // At the guide's timing the send at 50 ms meets an open channel (closed at ~100 ms).
    let panicked = r.number("panicked");
    assert_eq!(
        panicked + r.number("late_send_delivered"),
        10.0,
        "{:?}",
        r.numbers
    );
    assert_eq!(
        r.findings_of(FindingKind::RecoveredPanic).len() as f64,
        panicked
    );
    assert!(
        r.lesson
            .contains(&format!("panicked in {panicked:.0} of 10 trials")),
        "{}",
        r.lesson
    );
}

pub fn deadlock_unbuffered() {
    let r = run("deadlock-unbuffered", "wrong", json!({}));
    assert_eq!(r.ended, Ended::Deadlock);
    assert_eq!(r.exit_status, Some(2));
    let d = r.findings_of(FindingKind::Deadlock);
    assert_eq!(
        d[0].message,
        "fatal error: all goroutines are asleep - deadlock!"
    );
    // main waits to send job 2 (the two workers hold jobs 0 and 1, blocked on results).
    let main = d[0].goroutines.iter().find(|g| g.id == 1).unwrap();
    assert_eq!(
        (main.wait.as_go(), main.object_name.as_deref()),
        ("chan send", Some("jobs"))
    );
    let workers: Vec<_> = d[0]
        .goroutines
        .iter()
        .filter(|g| g.name == "worker")
        .collect();
    assert_eq!(workers.len(), 2);
    assert!(workers
        .iter()
        .all(|g| g.object_name.as_deref() == Some("results")));
    assert_eq!(
        r.tasks.submitted, 2,
        "main got two jobs out before it blocked"
    );
    let n = r.log.len();
    assert_eq!(
        r.log[n - 2],
        "fatal error: all goroutines are asleep - deadlock!"
    );
    assert_eq!(r.log[n - 1], "goroutine 1 [chan send]:");
    for v in ["buffered", "separate-goroutines"] {
        let r = run("deadlock-unbuffered", v, json!({}));
        assert_eq!(r.ended, Ended::Completed, "{v}");
        assert_eq!(r.tasks.successful, 10, "{v}");
    }
}

pub fn deadlock_small_buffer() {
    let r = run("deadlock-unbuffered", "small-buffer", json!({}));
    assert_eq!(r.params.queue, 3);
    assert_eq!(r.ended, Ended::Deadlock);
    // 3 buffered jobs + 2 held by workers + ... main blocks sending job 8 (0-based):
    // jobs 0..=1 in the workers, 3 results buffered from jobs that went through, 3 in jobs.
    assert_eq!(r.tasks.submitted, 2 * 3 + 2, "{:?}", r.tasks);
}

pub fn deadlock_blocked_workers() {
    let r = run(
        "deadlock-unbuffered",
        "blocked-workers",
        json!({"time_scale": 20}),
    );
    assert_eq!((r.params.tasks, r.params.queue), (5, 5));
    assert_eq!(r.number("workers_blocked_at_read"), 2.0);
    // Both workers blocked for most of main's 2 s sleep.
    assert!(r.number("max_blocked_ms") >= 1900.0, "{:?}", r.numbers);
    assert_eq!(r.tasks.successful, 5);
}

pub fn waitgroup_add_inside() {
    // Deterministic mode runs main until it blocks, as Go's scheduler usually does: Wait sees a
    // counter of 0 and returns before any worker started.
    let r = run(
        "waitgroup-misuse",
        "add-inside",
        json!({"mode": "deterministic"}),
    );
    assert_eq!(r.params.tasks, 5);
    let e = r.findings_of(FindingKind::EarlyReturn);
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].message,
        "wg.Wait() returned while 5 of 5 goroutines had not finished"
    );
    let wait_returned = r
        .marks
        .iter()
        .find(|m| m.label == "wg.Wait() returned")
        .unwrap();
    let first_add = r
        .marks
        .iter()
        .find(|m| m.label.starts_with("wg.Add"))
        .unwrap();
    assert!(wait_returned.t_ms <= first_add.t_ms);
}

pub fn waitgroup_hangs() {
    for (v, stuck) in [("by-value", 3.0), ("forgot-done", 1.0)] {
        let r = run("waitgroup-misuse", v, json!({"time_scale": 50}));
        assert_eq!(r.ended, Ended::Hung, "{v}");
        assert_eq!(
            r.exit_status,
            Some(0),
            "{v}: the Go program gives up and exits normally"
        );
        let h = r.findings_of(FindingKind::Hang);
        assert_eq!(h.len(), 1, "{v}");
        assert_eq!(h[0].message, "wg.Wait() did not return within 2000 ms");
        assert_eq!(r.number("counter_at_timeout"), stuck, "{v}");
        assert!(r.runtime_ms >= 2000.0, "{v}: {}", r.runtime_ms);
        // The helper goroutine still in Wait leaks, as it would in Go.
        let leak = r.findings_of(FindingKind::Leak);
        assert_eq!(
            leak[0].message,
            "1 goroutine is still blocked after main returned"
        );
    }
}

pub fn waitgroup_right() {
    let r = run("waitgroup-misuse", "right", json!({"time_scale": 50}));
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    assert_eq!(r.number("finished_at_wait"), 3.0);
    let count = |label: &str| {
        r.marks
            .iter()
            .filter(|m| m.label.starts_with(label))
            .count()
    };
    assert_eq!(
        (count("wg.Add"), count("wg.Done"), count("wg.Wait()")),
        (3, 3, 2)
    );
}

pub fn waitgroup_negative_counter() {
    let r = run(
        "waitgroup-misuse",
        "negative-counter",
        json!({"time_scale": 20}),
    );
    assert_eq!(r.ended, Ended::Panicked);
    let p = r.findings_of(FindingKind::Panic);
    assert_eq!(p[0].message, "panic: sync: negative WaitGroup counter");
    assert_eq!(
        r.log[r.log.len() - 2],
        "panic: sync: negative WaitGroup counter"
    );
    assert_eq!(r.exit_status, Some(2));
}

pub fn best_practices() {
    let r = run("best-practices", "default", json!({"time_scale": 50}));
    assert_eq!(r.checklist.len(), 15);
    let bad: Vec<_> = r.checklist.iter().filter(|c| !c.ok).collect();
    assert!(bad.is_empty(), "{bad:?}");
    for (i, c) in r.checklist.iter().enumerate() {
        assert_eq!(c.n as usize, i + 1);
    }
}

pub fn sizing_sweep() {
    let r = run(
        "sizing-sweep",
        "default",
        json!({"tasks": 40, "workers": 8, "work_iterations": 100000, "time_scale": 10}),
    );
    let t = &r.tables[0];
    let sizes: Vec<&str> = t.rows.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(sizes, ["1", "2", "4", "8"]);
    assert!(
        r.number("io_tps_8") > 3.0 * r.number("io_tps_1"),
        "I/O scales with workers: {:?}",
        r.numbers
    );
    assert!(
        r.lesson.contains("with 8"),
        "the text names the sizes that ran: {}",
        r.lesson
    );
    assert!(!r.lesson.contains("64"), "{}", r.lesson);
}

/// The same seed gives the same Report, apart from wall-clock and heap fields.
pub fn deterministic_reports_repeat() {
    for id in [
        "fixed-pool",
        "context-pool",
        "db-pool",
        "deadlock-unbuffered",
    ] {
        let v = schema().into_iter().find(|s| s.id == id).unwrap().variants[0].id;
        let p = json!({"mode": "deterministic", "seed": 11, "tasks": 30});
        let strip = |r: Report| {
            let mut j = json_of(&r);
            for k in ["wall_ms", "heap_peak_bytes", "total_alloc_bytes"] {
                j[k] = json!(0);
            }
            j["series"]["heap_bytes"] = json!([]);
            j.to_string()
        };
        let a = strip(run(id, v, p.clone()));
        let b = strip(run(id, v, p));
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
    use worker_pool_playground::runtime::Progress;
    let p = json!({"mode": "deterministic", "seed": 3, "tasks": 12});
    let stepped = {
        let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let mut run = Run::start("fixed-pool", None, &raw(p.clone()), &env()).unwrap();
        let mut steps = 0;
        while run.step(1) != Progress::Done {
            steps += 1;
            assert!(steps < 100_000, "a run of 12 jobs ends");
        }
        assert!(steps > 12, "one step per event: {steps}");
        run.finish()
    };
    let straight = run("fixed-pool", "default", p);
    assert_eq!(stepped.tasks, straight.tasks);
    assert_eq!(stepped.runtime_ms, straight.runtime_ms);
    assert_eq!(stepped.timeline, straight.timeline);
}

/// Bad input gets a short, clear error and never runs the defaults.
pub fn bad_parameters_are_refused() {
    let err = |id: &str, v: Option<&str>, p: Value| {
        let raw = match RawParams::deserialize(&p) {
            Ok(raw) => raw,
            Err(e) => return e.to_string(),
        };
        match Run::start(id, v, &raw, &env()) {
            Ok(_) => "accepted".to_string(),
            Err(e) => e.to_string(),
        }
    };
    let nested = (0..100).fold(json!(1), |v, _| json!({ "a": v }));
    let cases = [
        (json!({"tasks": "10"}), "tasks: expected a whole number from 1 to 1000000, got \"10\""),
        (json!({"tasks": 0}), "tasks: expected a whole number from 1 to 1000000, got 0"),
        (json!({"tasks": 2.5}), "tasks: expected a whole number from 1 to 1000000, got 2.5"),
        (json!({"tasks": -3}), "tasks: expected a whole number from 1 to 1000000, got -3"),
        (json!({"tasks": [1]}), "tasks: expected a whole number from 1 to 1000000, got an array"),
        (json!({"tasks": nested}), "tasks: expected a whole number from 1 to 1000000, got an object"),
        (json!({"workload": "<b>x"}), "workload: expected one of io, cpu, mixed, got \"<b>x\""),
        (json!({"mode": "evil"}), "mode: expected one of real, deterministic, got \"evil\""),
        (json!({"wrokers": 3}), "wrokers: unknown parameter (known: tasks, workers, queue, workload, sleep_max_ms, work_iterations, failure_rate, seed, time_scale, mode)"),
        (json!({"connections": 3}), "connections: unknown parameter (known: tasks, workers, queue, workload, sleep_max_ms, work_iterations, failure_rate, seed, time_scale, mode)"),
        (json!("tasks=3"), "params: expected an object, got \"tasks=3\""),
        (json!(null), "params: expected an object, got null"),
    ];
    for (p, want) in cases {
        assert_eq!(err("fixed-pool", None, p.clone()), want, "{p}");
    }
    let long = "x".repeat(5_000_000);
    let e = err("fixed-pool", None, json!({ "workload": long }));
    assert!(
        e.len() < 120,
        "a short prefix of the bad value: {} bytes",
        e.len()
    );
    let ids: Vec<_> = schema().iter().map(|s| s.id).collect();
    assert_eq!(
        err("nope", None, json!({})),
        format!("unknown scenario \"nope\" (known: {})", ids.join(", "))
    );
    assert_eq!(
        err("fixed-pool", Some("nope"), json!({})),
        "unknown variant \"nope\" of fixed-pool (known: default)"
    );
}
