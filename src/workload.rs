//! The guide's workloads: CPU-bound `doWork` and I/O-like sleeps.

use std::hint::black_box;

/// Iterations of the guide's `doWork`: `for i := 0; i < 1000000; i++ { sum += i }`.
pub const DO_WORK_ITERATIONS: u64 = 1_000_000;

/// The guide's `doWork`: sums `0..iterations` and returns the sum.
///
/// `black_box` keeps the loop a loop. Without it LLVM folds the sum into `n*(n-1)/2` and the
/// "CPU-bound" task takes nanoseconds; Go's compiler does not do that, so neither do we.
///
/// `inline(never)` matters in the browser: V8 moves a wasm function to its optimizing tier only at
/// a call, never in the middle of a running loop, so a `doWork` inlined into a caller's long loop
/// stayed in the baseline tier and ran about 7× slower than the same code called per task.
///
/// # Examples
///
/// ```
/// use worker_pool_playground::workload::do_work;
/// assert_eq!(do_work(1_000_000), 499_999_500_000);
/// assert_eq!(do_work(0), 0);
/// ```
#[inline(never)]
pub fn do_work(iterations: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..iterations {
        sum = sum.wrapping_add(black_box(i));
    }
    sum
}
