//! The worker pool natively: close, cancel, try_submit, timeouts, panics, metrics.

mod common;

#[test]
fn close_drains() {
    common::pool_close_drains();
}

#[test]
fn cancel_reports_queued_jobs() {
    common::pool_cancel_reports_queued_jobs();
}

#[test]
fn try_submit_timeout_and_panic() {
    common::pool_try_submit_timeout_and_panic();
}

/// The queue-depth counter race: 50 seeded interleavings.
#[test]
fn waiting_never_wraps() {
    common::pool::waiting_never_wraps(common::miri_or(50, 3).into());
}

/// A parent context's cancel: queued jobs are reported cancelled.
#[test]
fn parent_cancel_reports_queued_jobs() {
    common::pool::parent_cancel_reports_queued_jobs();
}

/// A panic in the pool's own goroutine reaches `wait` and `submit`.
#[test]
fn own_panic_reaches_wait() {
    common::pool::own_panic_reaches_wait();
}

/// A task closure that panics before returning its future: the task's panic.
#[test]
fn closure_panic_is_the_tasks() {
    common::pool::closure_panic_is_the_tasks();
}
