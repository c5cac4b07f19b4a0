//! Browser tests: `wasm-pack test --headless --chrome` on the threaded build.
//!
//! They run in a dedicated worker, because blocking (`Atomics.wait`) is not allowed on a page's
//! main thread, and the bodies in `tests/common/` block. The thread pool is started once per test
//! binary (wasm-bindgen-rayon can only be initialised once).
#![cfg(all(target_arch = "wasm32", feature = "threads"))]

mod common;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// Starts the rayon pool of Web Workers once; later calls wait for the first.
async fn threads() -> usize {
    use std::sync::atomic::{AtomicU8, Ordering};
    static STATE: AtomicU8 = AtomicU8::new(0); // 0 idle, 1 starting, 2 ready
    if STATE
        .compare_exchange(0, 1, Ordering::AcqRel, Ordering::Acquire)
        .is_ok()
    {
        let promise = wasm_bindgen_rayon::init_thread_pool(2);
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .expect("initThreadPool failed");
        STATE.store(2, Ordering::Release);
    }
    while STATE.load(Ordering::Acquire) != 2 {
        let p = js_sys::Promise::resolve(&wasm_bindgen::JsValue::NULL);
        wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
    }
    rayon::current_num_threads()
}

#[wasm_bindgen_test]
fn do_work_sums_the_guides_range() {
    common::do_work_sums_the_guides_range();
}

/// Work really spreads over two or more Web Workers: rayon reports distinct thread indices.
#[wasm_bindgen_test]
async fn work_runs_on_two_web_worker_threads() {
    assert_eq!(threads().await, 2);
    let seen = std::sync::Mutex::new(std::collections::BTreeSet::new());
    rayon::broadcast(|ctx| {
        seen.lock().unwrap().insert(ctx.index());
    });
    let seen = seen.into_inner().unwrap();
    assert_eq!(seen.len(), 2, "thread indices seen: {seen:?}");
}

/// A task that panics on a Web Worker is caught with its message, and the pool stays usable.
#[wasm_bindgen_test]
async fn a_panicking_task_is_caught_and_reported() {
    threads().await;
    let caught = std::panic::catch_unwind(|| {
        rayon::scope(|s| s.spawn(|_| panic!("task 7 failed")));
    })
    .expect_err("the panic must reach the caller");
    let message = caught.downcast_ref::<&str>().copied().unwrap_or("?");
    assert_eq!(message, "task 7 failed");
    let sum: u64 = rayon::join(|| 1u64, || 2u64).0 + 2;
    assert_eq!(sum, 3, "the pool still runs work after the panic");
}

/// The same bodies as the native tests, on the goroutine runtime whose GOMAXPROCS threads are
/// rayon's Web Workers.
macro_rules! on_web_workers {
    ($($name:ident $(($arg:expr))?),* $(,)?) => {$(
        #[wasm_bindgen_test]
        async fn $name() {
            threads().await;
            common::$name($($arg)?);
        }
    )*};
}

runtime_bodies!(on_web_workers);

/// Go's select tests (natively in tests/select.rs).
macro_rules! select_on_web_workers {
    ($($name:ident),* $(,)?) => {$(
        #[wasm_bindgen_test]
        async fn $name() {
            threads().await;
            common::select::$name();
        }
    )*};
}
select_bodies!(select_on_web_workers);

// Go's own tests (natively in tests/golang.rs) and the pool (tests/pool.rs).
on_web_workers!(
    go_fifo_asynch,
    go_fifo_synch,
    go_daisy_chain(2_000),
    go_sieve,
    go_nonblock,
    go_closed_chan,
    select_is_fair,
    pool_close_drains,
    pool_cancel_reports_queued_jobs,
    pool_try_submit_timeout_and_panic,
);

/// Go's own tests (`tests/golang.rs`) and the seeded pool bodies (`tests/pool.rs`), from their
/// modules of `tests/common/`.
macro_rules! module_on_web_workers {
    ($module:ident: $($name:ident $(($arg:expr))?),* $(,)?) => {$(
        #[wasm_bindgen_test]
        async fn $name() {
            threads().await;
            common::$module::$name($($arg)?);
        }
    )*};
}

module_on_web_workers!(golang:
    wait_group,
    wait_group_misuse,
    wait_group_race,
    mutex,
    once,
    once_panic,
    with_cancel,
    parent_finishes_child,
    child_finishes_first,
    deadline,
    timeout,
    cancel_removes,
    simultaneous_cancels,
    interlocked_cancels,
    with_cancel_canceled_parent,
    chan_virtual,
    chan_threads,
    nonblock_recv_race,
);
module_on_web_workers!(pool:
    waiting_never_wraps(10),
    parent_cancel_reports_queued_jobs,
    own_panic_reaches_wait,
    closure_panic_is_the_tasks,
);

/// One test per scenario of the guide: the same bodies, from the same list, as
/// `tests/scenarios.rs`.
macro_rules! scenarios_on_web_workers {
    ($($name:ident),* $(,)?) => {$(
        #[wasm_bindgen_test]
        async fn $name() {
            threads().await;
            common::scenarios::$name();
        }
    )*};
}

common::scenarios::each_scenario_test!(scenarios_on_web_workers);

/// Deterministic mode needs no threads: 20 seeds here (the native test runs 100).
#[wasm_bindgen_test]
fn deterministic_mode_replays() {
    common::deterministic_mode_replays(20);
}
