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
    // Under Miri every test thread's interpreted instructions advance one shared clock: with the
    // other tests of this file running beside it, the goroutine first ran 204 ms after `before`
    // (session 20), when alone it passes in 25 s. A sleep costs Miri nothing, so there the slow
    // drop takes 5 s, which still tells a panic timed at its raise from one timed at its catch.
    const SLOW_NS: u64 = if cfg!(miri) {
        5_000_000_000
    } else {
        200_000_000
    };
    struct SlowDrop;
    impl Drop for SlowDrop {
        fn drop(&mut self) {
            std::thread::sleep(Duration::from_nanos(SLOW_NS));
        }
    }
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
        "raised at {} ns, {} ns after the start; the unwinding took {} ms",
        caught.at_ns,
        caught.at_ns - before,
        SLOW_NS / 1_000_000
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

/// `mark_with` draws its change at the mark's own instant even when the thread is held up
/// between the mark and the change, with the other runner sampling all the while: no row of the
/// series falls between them. Marked first and sampled after (as waitgroup-misuse did), a row
/// taken during the hold drew the step late (session 20: 1 of 25 runs under load).
#[test]
fn mark_with_draws_its_change_at_its_mark() {
    use std::time::Duration;

    use worker_pool_playground::runtime::{gauge, go_named, mark_with, yield_now, MarkKind};
    let rt = common::runtime(2);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let at = rt
        .block_on({
            let stop = stop.clone();
            async move {
                // Polls on the other runner, which samples between them when a sample is due.
                let sampling = stop.clone();
                go_named("sampler", async move {
                    while !sampling.load(std::sync::atomic::Ordering::Relaxed) {
                        yield_now().await;
                    }
                });
                crate::time_sleep(Duration::from_millis(5)).await;
                let g = gauge("counter");
                let at = mark_with(MarkKind::Add, "wg.Add(1)".into(), &mut || {
                    g.set(1);
                    // A thread held up between the mark and its row (preempted, under load).
                    std::thread::sleep(Duration::from_millis(3));
                });
                crate::time_sleep(Duration::from_millis(5)).await;
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                at
            }
        })
        .unwrap();
    let s = rt.series();
    let c = &s.gauges["counter"];
    let first = (0..c.len())
        .find(|&i| c[i] == 1.0)
        .expect("the change drawn");
    assert_eq!(
        s.t_ms[first],
        at as f64 / 1e6,
        "the step at {} ms, its mark at {} ms",
        s.t_ms[first],
        at as f64 / 1e6
    );
}

async fn time_sleep(d: std::time::Duration) {
    worker_pool_playground::time::sleep(d).await;
}

/// The patched `Task::set_detached` (vendor/async-task, its one-load path): a task run to its
/// end on another thread, then detached on the thread that spawned it, as the registry frees a
/// goroutine another runner finished. Its output is dropped exactly once and its memory freed
/// (Miri, in `npm run miri`, reports a leak or a use after free; natively the output's count
/// shows whether the output was dropped). The path is taken: the state is exactly
/// `COMPLETED | TASK` once the other thread has returned.
#[test]
fn a_task_finished_elsewhere_is_freed_by_its_spawner() {
    use std::sync::Arc;

    let output = Arc::new(());
    let for_task = Arc::clone(&output);
    let (runnable, task) = async_task::spawn(async move { for_task }, |_| {});
    std::thread::spawn(move || {
        runnable.run();
    })
    .join()
    .unwrap();
    assert_eq!(
        Arc::strong_count(&output),
        2,
        "the output waits in the task"
    );
    task.detach();
    assert_eq!(
        Arc::strong_count(&output),
        1,
        "detaching dropped the output"
    );
}
