//! One test per scenario of the guide, asserting its lesson's facts from the Report; the bodies
//! are in `tests/common/scenarios.rs`, shared with the browser tests.

mod common;

macro_rules! native {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            common::scenarios::$name();
        }
    )*};
}

common::scenarios::each_scenario_test!(native);
