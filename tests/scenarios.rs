//! One test per scenario of the guide, asserting its lesson from the Report.

mod common;

use common::scenarios as s;

#[test]
fn unlimited() {
    s::unlimited();
}
#[test]
fn fixed_pool() {
    s::fixed_pool();
}
#[test]
fn context_pool() {
    s::context_pool();
}
#[test]
fn db_pool() {
    s::db_pool();
}
#[test]
fn control_comparison() {
    s::control_comparison();
}
#[test]
fn leak_unclosed_channel() {
    s::leak_unclosed_channel();
}
#[test]
fn send_on_closed() {
    s::send_on_closed();
}
#[test]
fn deadlock_unbuffered() {
    s::deadlock_unbuffered();
}
#[test]
fn waitgroup_misuse() {
    s::waitgroup_misuse();
}
#[test]
fn best_practices() {
    s::best_practices();
}
#[test]
fn sizing_sweep() {
    s::sizing_sweep();
}
#[test]
fn deterministic_reports_repeat() {
    s::deterministic_reports_repeat();
}
#[test]
fn stepping_matches_running() {
    s::stepping_matches_running();
}
