//! The runtime natively: scheduling, sync, context, deadlocks, leaks, panics, determinism, and
//! what it shows about itself (series, gauges, marks, the wait-for graph, the trace).

mod common;

macro_rules! native {
    ($($name:ident $(($arg:expr))?),* $(,)?) => {$(
        #[test]
        fn $name() {
            common::$name($($arg)?);
        }
    )*};
}

runtime_bodies!(native);

/// 100 seeds, each run twice: identical traces.
#[test]
fn deterministic_mode_replays() {
    common::deterministic_mode_replays(100);
}

/// A panic is timed when it is raised, not when its unwinding is caught: `recover_at` and the
/// runtime's own panic finding and mark give the instant of the `panic!` (review F12: a wg.Done()
/// at 192 ms and its panic at 196, the catch coming after the unwinding). Here a value whose drop
/// takes 200 ms of wall time makes the unwinding slow; the panic must still be timed before it.
/// (Native only: the drop blocks its thread.)
#[test]
fn panics_are_timed_when_raised() {
    use std::time::Duration;

    use worker_pool_playground::runtime::{
        go_named, now_ns, num_goroutine, recover_at, yield_now, FindingKind, MarkKind,
    };
    struct SlowDrop;
    impl Drop for SlowDrop {
        fn drop(&mut self) {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    const SLOW_NS: u64 = 200_000_000;
    let rt = common::runtime(2);
    let (before, caught) = rt
        .block_on(async {
            let before = now_ns();
            let caught = recover_at(async {
                let _slow = SlowDrop;
                panic!("raised");
            })
            .await
            .unwrap_err();
            (before, caught)
        })
        .unwrap();
    assert_eq!(caught.message, "raised");
    assert!(
        caught.at_ns < before + SLOW_NS,
        "raised at {} ns, {} ns after the start; the unwinding took 200 ms",
        caught.at_ns,
        caught.at_ns - before
    );
    // A goroutine's panic that nothing recovers: the runtime's finding and mark.
    let rt = common::runtime(2);
    let before = rt
        .block_on(async {
            let before = now_ns();
            go_named("doomed", async {
                let _slow = SlowDrop;
                panic!("raised");
            });
            while num_goroutine() > 1 {
                yield_now().await;
            }
            before
        })
        .unwrap();
    let f = rt.findings();
    let p = f
        .iter()
        .find(|f| f.kind == FindingKind::Panic)
        .expect("a panic");
    assert!(
        p.at_ms < (before + SLOW_NS) as f64 / 1e6,
        "the panic at {} ms, started at {} ms",
        p.at_ms,
        before as f64 / 1e6
    );
    let m = rt
        .marks()
        .into_iter()
        .find(|m| m.kind == MarkKind::Panic)
        .expect("marked");
    assert_eq!(m.t_ms, p.at_ms);
}
