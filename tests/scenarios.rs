//! One test per scenario of the guide, asserting its lesson's facts from the Report; the bodies
//! are in `tests/common/scenarios.rs`, shared with the browser tests.

mod common;

/// Whole tests take turns, not only their runs (`common::scenarios::run` holds a lock for the
/// run alone): a Report checked and dropped after its run frees memory while the next test's run
/// measures the process-wide heap, and unlimited measured a heap peak of 534 bytes for 1,000
/// goroutines (clean-clone CI, session 19). The runs were serialized already, so this costs
/// little time.
static WHOLE_TEST: std::sync::Mutex<()> = std::sync::Mutex::new(());

macro_rules! native {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            let _turn = WHOLE_TEST.lock().unwrap_or_else(|e| e.into_inner());
            common::scenarios::$name();
        }
    )*};
}

common::scenarios::each_scenario_test!(native);

/// Every scenario and variant of the schema has code for the page: a `// snippet:start`
/// region keyed `<scenario>/<variant>` or `<scenario>` in src/scenario (scripts/snippets.mjs
/// extracts them; this fails first, with the missing key).
#[test]
fn every_variant_has_a_snippet() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/scenario");
    let mut keys = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let mut open = std::collections::BTreeSet::new();
        for line in text.lines() {
            // Markers stand alone on their line, as scripts/snippets.mjs requires.
            if let Some(key) = line.trim().strip_prefix("// snippet:start ") {
                assert!(open.insert(key.to_string()), "{key} started twice");
                keys.insert(key.to_string());
            } else if let Some(key) = line.trim().strip_prefix("// snippet:end ") {
                assert!(open.remove(key), "{key} ends without a start");
            } else {
                assert!(
                    !line.contains("// snippet:"),
                    "a marker not on a line of its own: {line}"
                );
            }
        }
        assert!(open.is_empty(), "regions never ended: {open:?}");
    }
    for s in worker_pool_playground::scenario::schema() {
        for v in &s.variants {
            let own = format!("{}/{}", s.id, v.id);
            assert!(
                keys.contains(&own) || keys.contains(s.id),
                "{own}: no snippet region (have: {keys:?})"
            );
        }
    }
}
