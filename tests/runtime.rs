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
