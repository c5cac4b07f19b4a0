//! Test bodies shared by the native tests (`tests/*.rs`) and the browser tests (`tests/web.rs`).
//!
//! Each body is a plain function; the runners only decide where it runs.
#![allow(dead_code)]

use worker_pool_playground::workload::{do_work, DO_WORK_ITERATIONS};

/// The guide's `doWork` sums 0..1,000,000 exactly, whatever the optimizer does.
pub fn do_work_sums_the_guides_range() {
    assert_eq!(do_work(DO_WORK_ITERATIONS), 499_999_500_000);
}
