//! The foundation's speed check: the guide's CPU-bound `doWork`, on one thread and on all of them.

use serde::Serialize;
use web_time::Instant;

use crate::{
    params::{check_all, Kind, ParamError, ParamSpec, RawParams},
    workload::{do_work, DO_WORK_ITERATIONS},
};

/// The most tasks one speed check may run: at about 0.3 ms per `doWork` this is about 3 s on one
/// thread, long enough to measure and short enough never to look like a hang.
pub const MAX_SPEED_CHECK_TASKS: u64 = 10_000;

/// What a speed check measured.
#[derive(Debug, Clone, Serialize)]
pub struct SpeedCheck {
    /// How many `doWork` calls each half ran.
    pub tasks: u64,
    /// How many threads the parallel half used.
    pub threads: usize,
    /// Wall time of all tasks on the calling thread, in milliseconds.
    pub single_ms: f64,
    /// Wall time of all tasks spread over `threads` threads, in milliseconds.
    pub parallel_ms: f64,
    /// The sums agree; a mismatch would mean a task was lost or run twice.
    pub checksum: u64,
}

/// The speed check's one parameter.
pub static SPEED_CHECK_PARAMS: [ParamSpec; 1] = [ParamSpec {
    name: "tasks",
    kind: Kind::Int {
        min: 1,
        max: MAX_SPEED_CHECK_TASKS,
    },
    label: "Tasks",
    unit: "tasks",
    help: "How many doWork calls each half of the speed check runs.",
}];

/// Tasks when none is given.
pub const DEFAULT_SPEED_CHECK_TASKS: u64 = 1000;

/// Reads the speed-check parameters: `{ tasks }`, a whole number from 1 to 10,000 (default 1000).
///
/// # Errors
///
/// Returns a [`ParamError`] for an unknown key or a bad `tasks`.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::{params::{RawParams, RawValue}, speed::speed_check_tasks};
/// let p = |v: f64| RawParams::new().with("tasks", RawValue::Number(v));
/// assert_eq!(speed_check_tasks(&p(64.0)), Ok(64));
/// assert_eq!(speed_check_tasks(&RawParams::new()), Ok(1000));
/// assert!(speed_check_tasks(&p(0.0)).is_err());
/// assert!(speed_check_tasks(&p(-3.0)).is_err());
/// assert!(speed_check_tasks(&p(1e12)).is_err());
/// ```
pub fn speed_check_tasks(params: &RawParams) -> Result<u64, ParamError> {
    Ok(check_all(params, &SPEED_CHECK_PARAMS)?
        .first()
        .map_or(DEFAULT_SPEED_CHECK_TASKS, |(_, v)| v.int()))
}

/// Runs `tasks` × `doWork` sequentially, then through `parallel`, and times both.
///
/// `parallel(tasks)` must run `do_work(DO_WORK_ITERATIONS)` `tasks` times across `threads` threads
/// and return the wrapping sum of the results: natively a scope of OS threads, in the browser
/// rayon on Web Workers.
///
/// # Panics
///
/// Panics if the parallel sum differs from the sequential one: a task was lost or duplicated.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::{speed::speed_check, workload::{do_work, DO_WORK_ITERATIONS}};
/// let r = speed_check(4, 1, |n| (0..n).map(|_| do_work(DO_WORK_ITERATIONS)).fold(0, u64::wrapping_add));
/// assert_eq!(r.tasks, 4);
/// assert!(r.single_ms > 0.0);
/// ```
pub fn speed_check(tasks: u64, threads: usize, parallel: impl Fn(u64) -> u64) -> SpeedCheck {
    // Warm up both paths first, for about 150 ms: a browser runs new wasm code in its baseline
    // compiler and swaps in optimized code (compiled in the background) only at a later call, so
    // without this the first half measured up to 2× slower than the second on the same thread.
    let warm_start = Instant::now();
    let mut warmed = 0;
    while warmed < 500 && warm_start.elapsed().as_millis() < 150 {
        do_work(DO_WORK_ITERATIONS);
        warmed += 1;
    }
    parallel(tasks.min(4 * threads as u64));

    let start = Instant::now();
    let single = (0..tasks)
        .map(|_| do_work(DO_WORK_ITERATIONS))
        .fold(0u64, u64::wrapping_add);
    let single_ms = start.elapsed().as_secs_f64() * 1e3;

    let start = Instant::now();
    let par = parallel(tasks);
    let parallel_ms = start.elapsed().as_secs_f64() * 1e3;
    assert_eq!(
        single, par,
        "parallel doWork sum differs: a task was lost or duplicated"
    );
    SpeedCheck {
        tasks,
        threads,
        single_ms,
        parallel_ms,
        checksum: single,
    }
}
