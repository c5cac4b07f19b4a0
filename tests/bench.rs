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

/// Measures `fig` at `sizes` on two threads; returns how many runtimes it built.
fn runtimes_built(fig: worker_pool_playground::bench::Fig, sizes: Sizes) -> usize {
    use std::cell::Cell;

    use worker_pool_playground::bench::{measure, Setup};
    let built = Cell::new(0);
    let make = |n: usize| {
        built.set(built.get() + 1);
        Runtime::builder().threads(n).build().unwrap()
    };
    let _ = measure(
        fig,
        &Setup {
            threads: 2,
            runtime: &make,
            os_threads: false,
            sizes,
        },
    );
    built.get()
}

/// Every time is measured after a warm-up run of it (see `bench::measure`): two runtimes a
/// figure, the warm-up's and the measured run's; the heap figure is measured cold, in one.
#[test]
fn every_time_is_warmed_up_first() {
    use worker_pool_playground::bench::Fig;
    for fig in Fig::ALL {
        assert_eq!(
            runtimes_built(fig, Sizes::SMALL),
            if fig.timed() { 2 } else { 1 },
            "{fig:?}: runtimes for the warm-up and the measure"
        );
    }
}

/// The warm-up is a time (`Sizes::warm_up`): a figure's run is repeated until it has passed, as
/// V8 compiles the optimized code in the background while the runners keep both cores busy.
#[test]
fn a_warm_up_lasts_its_time() {
    use std::time::Duration;

    use worker_pool_playground::bench::Fig;
    let warm_up = Duration::from_millis(60);
    let sizes = Sizes {
        spawn: 200,
        warm_up,
        ..Sizes::SMALL
    };
    let start = std::time::Instant::now();
    let built = runtimes_built(Fig::Spawn, sizes);
    // Not the number of runs: on a loaded machine one run can outlast the warm-up.
    assert!(
        start.elapsed() >= warm_up,
        "measured after {:?}, {built} runtimes",
        start.elapsed()
    );
}

/// `bench --only` (the CLI and the browser's `bench`): each figure once, in the order first
/// named; an unknown name quoted with `escape_debug` (the wasm build prints no Debug), cut to 40
/// characters.
#[test]
fn only_names_each_figure_once_and_quotes_an_unknown_one() {
    use worker_pool_playground::bench::{Fig, UnknownFigure};
    assert_eq!(
        Fig::from_names(&[
            "pool_dispatch_ns_per_job",
            "chan_pingpong_ns",
            "pool_dispatch_ns_per_job"
        ]),
        Ok(vec![Fig::Dispatch, Fig::PingPong])
    );
    let long = format!("no\"pe{}", "x".repeat(60));
    let e = Fig::from_names(&["cpu_speedup", long.as_str()]).unwrap_err();
    assert_eq!(e, UnknownFigure(long.chars().take(40).collect()));
    assert!(
        e.to_string().starts_with(&format!(
            "unknown figure \"no\\\"pe{}\" (known: spawn_ns_per_goroutine, ",
            "x".repeat(35)
        )),
        "{e}"
    );
}
