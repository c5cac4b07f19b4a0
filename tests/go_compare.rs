//! Go is the reference: every scenario and variant runs as the real Go program of `go/` and as
//! this crate's scenario, natively, with the same parameters and seed, and the two reports must
//! agree where the program makes them agree: goroutine peaks and leak counts (exact, or within
//! 1 % where timing decides, as for a thousand goroutines that may start finishing before the
//! last one starts), the same findings with the same messages, the same exit status, and the same
//! outcome counts where the seeded workload decides them.
//!
//! Go is built once (`go build` into the target dir). Without Go the test says so and passes,
//! unless `WPP_REQUIRE_GO=1` (as `scripts/test.sh` sets it), when a missing Go is a failure.

use std::{
    collections::{BTreeMap, BTreeSet},
    io::Read,
    path::PathBuf,
    process::{Command, Stdio},
    sync::OnceLock,
    time::{Duration, Instant},
};

use serde_json::{json, Value};

/// How a figure of the two reports must agree.
#[derive(Clone, Copy, Debug)]
enum Agree {
    /// Equal.
    Exact,
    /// Within this share of the larger (0.01 = 1 %).
    Within(f64),
    /// Findings only: the same kinds (a leak, a hang…), each message's numbers left to timing.
    Kinds,
    /// Findings other than leaks, exactly; leaks not compared (a goroutine still asleep when
    /// main returns, such as a timed-out task's inner goroutine, is there or not by timing).
    NoLeaks,
    /// Not compared: timing decides it, differently in each runtime.
    Timing,
}
use Agree::{Exact, Kinds, NoLeaks, Timing, Within};

/// One run of both programs.
struct Case {
    scenario: &'static str,
    variant: &'static str,
    /// Parameters for both (names of the Rust CLI and the Go CLI alike).
    params: &'static [(&'static str, &'static str)],
    /// How the run ended: `ended` and the exit status.
    outcome: Agree,
    peak: Agree,
    after: Agree,
    /// Outcome counts (submitted, successful, failed, …).
    tasks: Agree,
    /// Findings, kind and message, as a set.
    findings: Agree,
    /// Numbers (`Report.numbers`) that must be equal.
    numbers: &'static [&'static str],
    /// Parameters for the Rust run only, and environment for the Go run only: where both need
    /// the same deterministic schedule (Rust's deterministic mode lets main run until it
    /// blocks, as Go's scheduler does with one P).
    rust_only: &'static [(&'static str, &'static str)],
    go_env: &'static [(&'static str, &'static str)],
}

const fn case(
    scenario: &'static str,
    variant: &'static str,
    params: &'static [(&'static str, &'static str)],
) -> Case {
    Case {
        scenario,
        variant,
        params,
        outcome: Exact,
        peak: Exact,
        after: Exact,
        tasks: Exact,
        findings: Exact,
        numbers: &[],
        rust_only: &[],
        go_env: &[],
    }
}

impl Case {
    const fn outcome(mut self, a: Agree) -> Case {
        self.outcome = a;
        self
    }
    const fn peak(mut self, a: Agree) -> Case {
        self.peak = a;
        self
    }
    const fn tasks(mut self, a: Agree) -> Case {
        self.tasks = a;
        self
    }
    const fn findings(mut self, a: Agree) -> Case {
        self.findings = a;
        self
    }
    const fn after(mut self, a: Agree) -> Case {
        self.after = a;
        self
    }
    const fn numbers(mut self, names: &'static [&'static str]) -> Case {
        self.numbers = names;
        self
    }
    /// Both sides on one schedule: Go with GOMAXPROCS=1, Rust in deterministic mode.
    const fn one_schedule(mut self) -> Case {
        self.rust_only = &[("mode", "deterministic")];
        self.go_env = &[("GOMAXPROCS", "1")];
        self
    }
}

/// Every scenario and variant of the catalog (`go_compare_covers_the_catalog` checks the list is
/// complete against `list --json`).
fn cases() -> Vec<Case> {
    vec![
        // The command, at time_scale 1: a task whose sleep is shorter than the time it
        // takes to start the other 999 (a few ms on a loaded machine) ends before the peak, in
        // both runtimes; in runtime ms that window is 10× wider at the default time_scale 10.
        case(
            "unlimited",
            "default",
            &[("tasks", "1000"), ("seed", "3"), ("time_scale", "1")],
        )
        .peak(Within(0.01)),
        case("fixed-pool", "default", &[("time_scale", "500")]),
        case(
            "context-pool",
            "close",
            &[("seed", "42"), ("time_scale", "100")],
        ),
        // Cancel after half the results: which tasks were in flight is timing.
        case("context-pool", "cancel", &[("time_scale", "100")]).tasks(Timing),
        // Whether main closes results and returns before the submitter's Close panics is a
        // race in both runtimes, and it goes Go's way less often here: at time_scale 100 on a
        // loaded machine, 30 of 30 Go runs panicked and 4 of 30 Rust runs completed (session
        // 28; CI of 75c232d failed on one), a parked runner thread taking longer to start
        // stealing than Go's spinning M. On one schedule each, both panic every time.
        case("context-pool", "guide-cancel", &[("time_scale", "100")])
            .tasks(Timing)
            .after(Timing)
            .one_schedule(),
        case("db-pool", "pool", &[("time_scale", "100")]),
        case("db-pool", "without-pool", &[("time_scale", "100")]),
        // CPU-bound goroutines finish while the later ones are still being started: how many
        // are alive at once is timing; the pool's peak and the guide's "peak" are exact.
        case(
            "control-comparison",
            "default",
            &[("tasks", "300"), ("work_iterations", "100000")],
        )
        .peak(Timing)
        .numbers(&["pool_peak", "unlimited_guide_peak", "pool_guide_peak"]),
        case("leak-unclosed-channel", "wrong", &[]),
        case("leak-unclosed-channel", "right", &[]),
        // The late send waits for the owner to be done, so it meets the closed channel on any
        // machine; time_scale 0.1 only makes the run slow enough to watch. Whether the owner
        // has returned yet when main dies (it closed `closed` as its last act) is timing.
        case("send-on-closed", "wrong", &[("time_scale", "0.1")]).after(Timing),
        case("send-on-closed", "single-sender", &[]),
        case("send-on-closed", "many-senders", &[]),
        // The guide's timing: whether the late send panics is the race itself.
        case("send-on-closed", "guide-timing", &[("trials", "3")]).findings(Timing),
        case("deadlock-unbuffered", "wrong", &[]),
        case("deadlock-unbuffered", "buffered", &[]),
        case("deadlock-unbuffered", "separate-goroutines", &[]),
        case(
            "deadlock-unbuffered",
            "blocked-workers",
            &[("time_scale", "20")],
        )
        .numbers(&["workers_blocked_at_read", "jobs_queued_at_read"]),
        case("deadlock-unbuffered", "small-buffer", &[]),
        // Whether main reaches Wait before any goroutine's Add is a race in both runtimes.
        case("waitgroup-misuse", "add-inside", &[("time_scale", "20")]).one_schedule(),
        case("waitgroup-misuse", "by-value", &[("time_scale", "20")]),
        case("waitgroup-misuse", "forgot-done", &[("time_scale", "20")]),
        case("waitgroup-misuse", "right", &[("time_scale", "20")]),
        case(
            "waitgroup-misuse",
            "negative-counter",
            &[("time_scale", "20")],
        )
        .after(Timing),
        // best-practices: two drills, then the guide's program; `break` N switches practice N
        // off. How many goroutines the drills leave behind when a break keeps their workers
        // running is timing, and so is how far a run got before a fatal break ended it.
        bp(&[("break", "0")]),
        bp(&[("break", "1")]).findings(Kinds),
        bp(&[("break", "2")]),
        // Each worker adds itself to wg: when Close()'s wg.Wait() comes before every worker's
        // Add (a loaded machine starts the workers late), Wait returns, results is closed under
        // workers still to run, and the program dies of `send on closed channel [recovered]`
        // (the worker's recover sends on it again), tasks {successful 0, cancelled 20}; else it
        // completes. Which comes first is the race this break teaches, in both runtimes.
        bp(&[("break", "3")])
            .outcome(Timing)
            .tasks(Timing)
            .findings(Timing),
        bp(&[("break", "4")]),
        bp(&[("break", "5")]).findings(Kinds),
        bp(&[("break", "6")]).findings(Kinds),
        bp(&[("break", "7")]).tasks(Timing),
        bp(&[("break", "8")]),
        bp(&[("break", "9")]).findings(Kinds),
        bp(&[("break", "10")]).tasks(Timing),
        bp(&[("break", "11")]),
        bp(&[("break", "12")]).findings(Kinds),
        bp(&[("break", "13")]),
        bp(&[("break", "14")]),
        bp(&[("break", "15")]),
        case("best-practices", "guide-cancel", &[])
            .peak(Timing)
            .after(Timing)
            .tasks(Timing),
        case("best-practices", "inner-panic", &[])
            .peak(Timing)
            .after(Timing)
            .tasks(Timing),
        case("backpressure", "block", &[("tasks", "100")]),
        // How many offers find the queue full is timing.
        case("backpressure", "drop", &[("tasks", "100")]).tasks(Timing),
        case("backpressure", "unbounded", &[("tasks", "100")]),
        case("rate-limit", "token-bucket", &[]).numbers(&["over_limit"]),
        case("rate-limit", "no-limit", &[]),
        case(
            "sizing-sweep",
            "default",
            &[
                ("tasks", "30"),
                ("workers", "8"),
                ("work_iterations", "100000"),
            ],
        ),
    ]
}

/// A best-practices run with a break: the drills' goroutines come and go with timing.
const fn bp(params: &'static [(&'static str, &'static str)]) -> Case {
    case("best-practices", "default", params)
        .peak(Timing)
        .after(Timing)
        .findings(NoLeaks)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Go program, built once; `None` when Go is not installed (a failure with WPP_REQUIRE_GO=1).
fn go_program() -> Option<&'static PathBuf> {
    static BUILT: OnceLock<Option<PathBuf>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let go = std::env::var("GO").unwrap_or_else(|_| "go".into());
            let version = Command::new(&go).arg("version").output();
            if !matches!(&version, Ok(o) if o.status.success()) {
                assert!(
                    std::env::var("WPP_REQUIRE_GO").as_deref() != Ok("1"),
                    "WPP_REQUIRE_GO=1 but Go is not installed (`{go} version` failed): \
                     scripts/setup.sh --browser installs golang-go"
                );
                eprintln!("go_compare: Go is not installed; the Go/Rust comparison did not run");
                return None;
            }
            let out = repo().join("target/go-compare/playground");
            let t0 = Instant::now();
            let st = Command::new(&go)
                .current_dir(repo().join("go"))
                .args(["build", "-o"])
                .arg(&out)
                .arg(".")
                .status()
                .expect("go build runs");
            assert!(st.success(), "go build failed");
            eprintln!("go_compare: built the Go programs in {:?}", t0.elapsed());
            Some(out)
        })
        .as_ref()
}

/// How long one side may take: a scenario that hangs is a disagreement, not a stuck test.
const RUN_LIMIT: Duration = Duration::from_secs(60);

/// Runs one side; returns its report and exit status, or what went wrong.
fn run(mut cmd: Command, what: &str) -> Result<(Value, i32), String> {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    // Read both pipes while waiting, so a chatty child never blocks on a full pipe.
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let stdout = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let t0 = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("{what}: {e}"))? {
            break status;
        }
        if t0.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what}: still running after {RUN_LIMIT:?}, killed"));
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let Some(line) = stdout.lines().rev().find(|l| l.starts_with('{')) else {
        return Err(format!(
            "{what}: no report on stdout (status {:?}): {}",
            status.code(),
            stderr.trim()
        ));
    };
    let report = serde_json::from_str(line).map_err(|e| format!("{what}: bad JSON: {e}"))?;
    Ok((report, status.code().unwrap_or(-1)))
}

fn run_go(go: &PathBuf, c: &Case) -> Result<(Value, i32), String> {
    let mut cmd = Command::new(go);
    cmd.envs(c.go_env.iter().copied());
    cmd.args([c.scenario, "-variant", c.variant, "-json"]);
    for (k, v) in c.params {
        cmd.args([format!("-{k}"), v.to_string()]);
    }
    run(cmd, &format!("go {} {}", c.scenario, c.variant))
}

fn run_rust(c: &Case) -> Result<(Value, i32), String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_worker-pool-playground"));
    cmd.args(["run", c.scenario, "--variant", c.variant, "--json"]);
    for (k, v) in c.params.iter().chain(c.rust_only) {
        cmd.args([format!("--{k}"), v.to_string()]);
    }
    run(cmd, &format!("rust {} {}", c.scenario, c.variant))
}

fn findings(r: &Value) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = r["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["kind"].as_str().unwrap_or("?").to_string(),
                        f["message"].as_str().unwrap_or("?").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    f.sort();
    f
}

fn agree(what: &str, how: Agree, go: &Value, rust: &Value, errors: &mut Vec<String>) {
    let kinds = |v: &Value| -> Vec<Value> {
        v.as_array()
            .map(|a| a.iter().map(|f| f[0].clone()).collect())
            .unwrap_or_default()
    };
    let ok = match how {
        Timing => true,
        Kinds => kinds(go) == kinds(rust),
        NoLeaks => {
            let no_leaks = |v: &Value| -> Vec<Value> {
                v.as_array()
                    .map(|a| a.iter().filter(|f| f[0] != "leak").cloned().collect())
                    .unwrap_or_default()
            };
            no_leaks(go) == no_leaks(rust)
        }
        Exact => same(go, rust),
        Within(share) => match (go.as_f64(), rust.as_f64()) {
            (Some(g), Some(r)) => (g - r).abs() <= share * g.max(r),
            _ => false,
        },
    };
    if !ok {
        errors.push(format!("{what}: go {go}, rust {rust} ({how:?})"));
    }
}

/// What is wrong with a Report's `tasks`: an outcome missing, or outcomes that do not add up to
/// the submitted.
fn unaccounted(t: &Value) -> Option<String> {
    let n = |k: &str| t[k].as_u64();
    let outcomes = [
        "successful",
        "failed",
        "timed_out",
        "cancelled",
        "unfinished",
    ];
    let Some(sum) = outcomes.iter().map(|k| n(k)).sum::<Option<u64>>() else {
        return Some(format!("an outcome is missing: {t}"));
    };
    (n("submitted") != Some(sum)).then(|| format!("outcomes add up to {sum}: {t}"))
}

/// Compares one case; returns what disagreed.
fn compare(go: &PathBuf, c: &Case) -> Vec<String> {
    let t0 = Instant::now();
    let ((g, g_status), (r, r_status)) = match (run_go(go, c), run_rust(c)) {
        (Ok(g), Ok(r)) => (g, r),
        (g, r) => return [g.err(), r.err()].into_iter().flatten().collect(),
    };
    let mut e = vec![];
    let mut rust_params = r["params"].clone();
    for (k, _) in c.rust_only {
        // A Rust-only parameter is not Go's: compare the rest (Go reports mode "real").
        rust_params[*k] = g["params"][*k].clone();
    }
    agree("params", Exact, &g["params"], &rust_params, &mut e);
    agree(
        "exit status",
        c.outcome,
        &json!(g_status),
        &json!(r_status),
        &mut e,
    );
    agree("ended", c.outcome, &g["ended"], &r["ended"], &mut e);
    agree(
        "peak_goroutines",
        c.peak,
        &g["peak_goroutines"],
        &r["peak_goroutines"],
        &mut e,
    );
    agree(
        "goroutines_after",
        c.after,
        &g["goroutines_after"],
        &r["goroutines_after"],
        &mut e,
    );
    agree("tasks", c.tasks, &g["tasks"], &r["tasks"], &mut e);
    // Whatever the timing, each engine accounts for every submitted task, the ones the program
    // ended before they finished as `unfinished` (review R18: both counted them `cancelled`).
    for (engine, rep) in [("go", &g), ("rust", &r)] {
        if let Some(m) = unaccounted(&rep["tasks"]) {
            e.push(format!("tasks of {engine}: {m}"));
        }
    }
    agree(
        "findings",
        c.findings,
        &json!(findings(&g)),
        &json!(findings(&r)),
        &mut e,
    );
    for n in c.numbers {
        agree(
            &format!("numbers.{n}"),
            Exact,
            &g["numbers"][*n],
            &r["numbers"][*n],
            &mut e,
        );
    }
    let label = match c.params.iter().find(|(k, _)| *k == "break") {
        Some((_, n)) => format!("{} break={n}", c.variant),
        None => c.variant.to_string(),
    };
    eprintln!(
        "{:22} {:20} peak go {:>5} rust {:>5}  after {}/{}  {:?}  ({:.1} s)",
        c.scenario,
        label,
        g["peak_goroutines"],
        r["peak_goroutines"],
        g["goroutines_after"],
        r["goroutines_after"],
        findings(&g).iter().map(|f| &f.1).collect::<Vec<_>>(),
        t0.elapsed().as_secs_f64()
    );
    // Named with the break, so a disagreement of `break=3` is not read as the default's.
    e.into_iter()
        .map(|m| format!("{} {label}: {m}", c.scenario))
        .collect()
}

/// Runs the cases one after the other (they measure timing: running them side by side on two
/// cores would make both engines late) and lists every disagreement at once.
#[test]
fn go_compare_reports_agree() {
    let Some(go) = go_program() else { return };
    // A case that disagrees runs once more, and only a second disagreement fails: both
    // programs race real threads against real clocks, and on a loaded 2-core machine a timing
    // race can go the other way once. Each first disagreement is printed, with the break, so a
    // flake is seen, not hidden. (Two that were seen are explained: best-practices break=3's
    // `send on closed channel [recovered]` is that break's own race, compared as timing above;
    // negative-counter's {successful 2, cancelled 1} was the Go harness streaming a task's
    // count after the program could die, fixed in go/run.go's flush.)
    let errors: Vec<String> = cases()
        .iter()
        .flat_map(|c| {
            let first = compare(go, c);
            if first.is_empty() {
                return first;
            }
            eprintln!("disagreed once, running again: {first:?}");
            compare(go, c)
        })
        .collect();
    assert!(
        errors.is_empty(),
        "{} disagreements between Go and Rust:\n  {}",
        errors.len(),
        errors.join("\n  ")
    );
}

/// The comparison covers the whole catalog, and Go runs exactly the catalog's variants, with the
/// schema's parameters and defaults (each variant's own defaults over its scenario's).
#[test]
fn go_compare_covers_the_catalog() {
    let Some(go) = go_program() else { return };
    let rust = Command::new(env!("CARGO_BIN_EXE_worker-pool-playground"))
        .args(["list", "--json"])
        .output()
        .expect("list --json");
    let rust: Value = serde_json::from_slice(&rust.stdout).unwrap_or_else(|e| {
        panic!(
            "`list --json` printed no JSON ({e}): {}",
            String::from_utf8_lossy(&rust.stdout)
                .chars()
                .take(200)
                .collect::<String>()
        )
    });
    let go_list = Command::new(go)
        .args(["list", "-json"])
        .output()
        .expect("go list");
    let go_list: Value = serde_json::from_slice(&go_list.stdout).expect("go list -json is JSON");
    // "scenario/variant" -> (kind, parameters after defaults), from each side.
    let rust_variants: BTreeMap<String, Value> = rust
        .as_array()
        .expect("an array of scenarios")
        .iter()
        .flat_map(|s| {
            let base: serde_json::Map<String, Value> = s["params"]
                .as_array()
                .expect("params")
                .iter()
                .map(|p| {
                    (
                        p["name"].as_str().unwrap().to_string(),
                        p["default"].clone(),
                    )
                })
                .collect();
            s["variants"]
                .as_array()
                .expect("variants")
                .iter()
                .map(move |v| {
                    let mut params = base.clone();
                    if let Some(d) = v["defaults"].as_object() {
                        params.extend(d.clone());
                    }
                    (
                        format!(
                            "{}/{}",
                            s["id"].as_str().unwrap(),
                            v["id"].as_str().unwrap()
                        ),
                        json!({"kind": v["kind"], "params": params}),
                    )
                })
        })
        .collect();
    let go_variants: BTreeMap<String, Value> = go_list
        .as_array()
        .expect("an array of scenarios")
        .iter()
        .flat_map(|s| {
            s["variants"]
                .as_array()
                .expect("variants")
                .iter()
                .map(move |v| {
                    (
                        format!(
                            "{}/{}",
                            s["id"].as_str().unwrap(),
                            v["id"].as_str().unwrap()
                        ),
                        json!({"kind": v["kind"], "params": v["params"]}),
                    )
                })
        })
        .collect();
    let mut errors = vec![];
    for (id, r) in &rust_variants {
        match go_variants.get(id) {
            None => errors.push(format!("{id}: not in Go")),
            Some(g) if !same(g, r) => errors.push(format!("{id}: go {g}, rust {r}")),
            Some(_) => {}
        }
    }
    for id in go_variants.keys() {
        if !rust_variants.contains_key(id) {
            errors.push(format!("{id}: in Go only"));
        }
    }
    let compared: BTreeSet<String> = cases()
        .iter()
        .map(|c| format!("{}/{}", c.scenario, c.variant))
        .collect();
    for id in rust_variants.keys() {
        if !compared.contains(id) {
            errors.push(format!("{id}: not compared (add it to cases())"));
        }
    }
    assert!(
        errors.is_empty(),
        "Go's catalog and Rust's schema disagree:\n  {}",
        errors.join("\n  ")
    );
}

/// JSON equality where numbers compare by value (Go prints 10, Rust 10.0).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

/// The check above, on fixed counts: deadlock-unbuffered/wrong as review R18 found it (two stuck
/// tasks called cancelled, no `unfinished`) fails it; as the engines report it now, it passes.
#[test]
fn unfinished_tasks_are_accounted() {
    let before = json!({"submitted": 2, "successful": 0, "failed": 0, "timed_out": 0, "cancelled": 2, "dropped": 0});
    assert!(unaccounted(&before).is_some());
    let now = json!({"submitted": 2, "successful": 0, "failed": 0, "timed_out": 0, "cancelled": 0, "unfinished": 2, "dropped": 0});
    assert_eq!(unaccounted(&now), None);
    let short = json!({"submitted": 3, "successful": 0, "failed": 0, "timed_out": 0, "cancelled": 0, "unfinished": 2});
    assert!(unaccounted(&short).is_some());
}
