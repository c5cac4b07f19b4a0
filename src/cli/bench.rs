//! `bench`: the suite natively, with the Go program beside it when `go` is on PATH.

use std::process::Command;

use serde_json::{json, Value};
use worker_pool_playground::{
    bench::{measure, run, BenchReport, Fig, Setup, Sizes},
    runtime::Runtime,
};

/// Runs `bench/go` and returns its JSON, or why not. Go runs its figures at full size, so it
/// takes the full sizes' warm-up, handed over here so that the time lives in one place.
fn go_figures() -> Result<Value, String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/go");
    // In microseconds, which Go's time.ParseDuration reads as "us": milliseconds would cut a
    // warm-up under 1 ms to none.
    let warm_up = format!("{}us", Sizes::FULL.warm_up.as_micros());
    let out = Command::new("go")
        .args(["run", ".", "-warmup", &warm_up])
        .current_dir(dir)
        .env("GOFLAGS", "-mod=mod")
        .output()
        .map_err(|e| format!("go is not installed ({e}); install Debian's golang-go to compare"))?;
    if !out.status.success() {
        return Err(format!(
            "go run failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("go printed no JSON: {e}"))
}

/// What each figure is held to, in words, and whether `value` meets it (given Go's figure and
/// the thread count).
fn target(fig: Fig, value: f64, go: Option<f64>, threads: usize) -> (&'static str, Option<bool>) {
    match fig {
        Fig::Spawn => ("at or below Go's", go.map(|g| value <= g)),
        Fig::Blocked => ("at most 1/8 of Go's", go.map(|g| value <= g / 8.0)),
        Fig::PingPong => ("at or below Go's", go.map(|g| value <= g)),
        Fig::Dispatch => ("at or below Go's", go.map(|g| value <= g)),
        Fig::Cpu => (
            "at least 0.9 × threads",
            Some(value >= 0.9 * threads as f64),
        ),
    }
}

/// The report as JSON, with Go's figures, the ratios and whether each target was met.
pub fn with_targets(r: &BenchReport, go: &Result<Value, String>) -> Value {
    let mut v = serde_json::to_value(r).expect("serializable");
    for fig in Fig::ALL {
        add_target(&mut v[fig.name()], fig, go, r.threads);
    }
    v["go"] = match go {
        Ok(g) => g.clone(),
        Err(e) => json!({ "skipped": e }),
    };
    v
}

fn add_target(f: &mut Value, fig: Fig, go: &Result<Value, String>, threads: usize) {
    let go = go
        .as_ref()
        .ok()
        .and_then(|g| g.get(fig.name()))
        .and_then(Value::as_f64);
    let value = f["value"].as_f64().unwrap_or(0.0);
    let (what, met) = target(fig, value, go, threads);
    f["target"] = json!(what);
    f["met"] = json!(met);
    if let Some(go) = go {
        f["go"] = json!(go);
        f["ratio_to_go"] = json!(value / go);
    }
}

const USAGE: &str = "bench [--json] [--small] [--only FIGURE]... [--no-go]";

pub fn main(args: &[String]) -> i32 {
    let (mut json_out, mut small, mut no_go, mut names) = (false, false, false, vec![]);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--json" => json_out = true,
            "--small" => small = true,
            "--no-go" => no_go = true,
            "--only" => match it.next() {
                Some(n) => names.push(n),
                None => {
                    eprintln!("error: bench: --only needs a figure name\nusage: {USAGE}");
                    return 2;
                }
            },
            bad => {
                eprintln!(
                    "error: bench: unknown option {:?}\nusage: {USAGE}",
                    bad.chars().take(40).collect::<String>()
                );
                return 2;
            }
        }
    }
    let only = match Fig::from_names(&names) {
        Ok(only) => only,
        Err(e) => {
            eprintln!("error: bench: {e}");
            return 2;
        }
    };
    let sizes = if small { Sizes::SMALL } else { Sizes::FULL };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let make = |n: usize| Runtime::builder().threads(n).build().expect("runtime");
    let go = if no_go {
        Err("skipped (--no-go)".to_string())
    } else {
        go_figures()
    };
    let v = if only.is_empty() {
        with_targets(&run("native", threads, &make, true, sizes), &go)
    } else {
        let setup = Setup {
            threads,
            runtime: &make,
            os_threads: true,
            sizes,
        };
        let mut v = json!({ "build": "native", "threads": threads });
        for fig in &only {
            v[fig.name()] = serde_json::to_value(measure(*fig, &setup)).expect("serializable");
            add_target(&mut v[fig.name()], *fig, &go, threads);
        }
        v["go"] = match &go {
            Ok(g) => g.clone(),
            Err(e) => json!({ "skipped": e }),
        };
        v
    };
    if json_out {
        println!("{v}");
        return 0;
    }
    println!(
        "Benchmarks, native, GOMAXPROCS={threads}{}",
        match &go {
            Err(e) => format!(" (Go: {e})"),
            Ok(_) => String::new(),
        }
    );
    for fig in Fig::ALL {
        let f = &v[fig.name()];
        if f.is_null() {
            continue;
        }
        let base: Vec<String> = f["baselines"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| {
                format!(
                    "{} {:.1}",
                    b[0].as_str().unwrap_or("?"),
                    b[1].as_f64().unwrap_or(0.0)
                )
            })
            .collect();
        println!(
            "{:30} {:>10.1} {:5}  go {:>8}  target {} → {}   baselines: {}",
            fig.name(),
            f["value"].as_f64().unwrap_or(0.0),
            f["unit"].as_str().unwrap_or(""),
            f["go"].as_f64().map_or("-".into(), |g| format!("{g:.1}")),
            f["target"].as_str().unwrap_or(""),
            match f["met"].as_bool() {
                Some(true) => "met",
                Some(false) => "MISSED",
                None => "-",
            },
            base.join(", ")
        );
    }
    0
}
