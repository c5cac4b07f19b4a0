//! The runtime natively: scheduling, sync, context, deadlocks, leaks, panics, determinism.

mod common;

#[test]
fn goroutines_spread_over_threads() {
    common::goroutines_spread_over_threads();
}

#[test]
fn select_default_send_and_timeout() {
    common::select_default_send_and_timeout();
}

#[test]
fn waitgroup_semantics() {
    common::waitgroup_semantics();
}

#[test]
fn context_errors() {
    common::context_errors();
}

#[test]
fn deadlock_is_detected() {
    common::deadlock_is_detected();
}

#[test]
fn sleeping_is_not_deadlock() {
    common::sleeping_is_not_deadlock();
}

#[test]
fn leak_when_channel_not_closed() {
    common::leak_when_channel_not_closed(false);
    common::leak_when_channel_not_closed(true);
}

#[test]
fn panic_is_reported_and_runtime_continues() {
    common::panic_is_reported_and_runtime_continues();
}

/// 100 seeds, each run twice: identical traces.
#[test]
fn deterministic_mode_replays() {
    common::deterministic_mode_replays(100);
}

#[test]
fn time_scale_keeps_ratios() {
    common::time_scale_keeps_ratios();
}

#[test]
fn semaphore_limits_concurrency() {
    common::semaphore_limits_concurrency();
}
