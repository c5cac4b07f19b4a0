//! The benchmark suite runs end to end on small sizes and measures something real.
//! (The figures themselves come from `cargo run --release -- bench`, not from tests.)

use worker_pool_playground::{
    bench::{run, Sizes},
    runtime::Runtime,
};

#[test]
fn suite_measures_every_figure_with_baselines() {
    let make = |n: usize| Runtime::builder().threads(n).build().unwrap();
    let r = run("native", 2, &make, true, Sizes::SMALL);
    assert!(r.spawn_ns_per_goroutine.value > 0.0);
    assert!(
        r.bytes_per_blocked_goroutine.value > 16.0,
        "a parked goroutine costs heap"
    );
    assert!(r.bytes_per_blocked_goroutine.value < 4096.0);
    assert!(r.chan_pingpong_ns.value > 0.0);
    assert!(r.pool_dispatch_ns_per_job.value > 0.0);
    assert!(r.cpu_speedup.value > 0.5);
    let names: Vec<&str> = r
        .spawn_ns_per_goroutine
        .baselines
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(names, ["sequential", "os_thread_per_task"]);
    assert_eq!(r.cpu_speedup.baselines.len(), 3);
}
