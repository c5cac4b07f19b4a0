//! `bench`: the suite natively, with the Go program beside it when `go` is on PATH.

use std::process::Command;

use serde_json::{json, Value};
use worker_pool_playground::{
    bench::{run, BenchReport, Sizes},
    runtime::Runtime,
};

/// Runs `bench/go` and returns its JSON, or why not.
fn go_figures() -> Result<Value, String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/go");
    let out = Command::new("go")
        .args(["run", "."])
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

/// The report as JSON, with Go's figures, the ratios and whether each target was met.
pub fn with_targets(r: &BenchReport, go: &Result<Value, String>) -> Value {
    let mut v = serde_json::to_value(r).expect("serializable");
    let g = |k: &str| {
        go.as_ref()
            .ok()
            .and_then(|g| g.get(k))
            .and_then(Value::as_f64)
    };
    // (figure, target in words, check against Go's figure or against the thread count)
    let targets: [(&str, &str, Option<bool>); 5] = [
        (
            "spawn_ns_per_goroutine",
            "at or below Go's",
            g("spawn_ns_per_goroutine").map(|go| r.spawn_ns_per_goroutine.value <= go),
        ),
        (
            "bytes_per_blocked_goroutine",
            "at most 1/8 of Go's",
            g("bytes_per_blocked_goroutine")
                .map(|go| r.bytes_per_blocked_goroutine.value <= go / 8.0),
        ),
        ("chan_pingpong_ns", "beside Go's (no target)", None),
        (
            "pool_dispatch_ns_per_job",
            "at or below Go's",
            g("pool_dispatch_ns_per_job").map(|go| r.pool_dispatch_ns_per_job.value <= go),
        ),
        (
            "cpu_speedup",
            "at least 0.9 × threads",
            Some(r.cpu_speedup.value >= 0.9 * r.threads as f64),
        ),
    ];
    for (k, target, met) in targets {
        let fig = &mut v[k];
        fig["target"] = json!(target);
        fig["met"] = json!(met);
        if let Some(go) = g(k) {
            fig["go"] = json!(go);
            fig["ratio_to_go"] = json!(fig["value"].as_f64().unwrap_or(0.0) / go);
        }
    }
    v["go"] = match go {
        Ok(g) => g.clone(),
        Err(e) => json!({ "skipped": e }),
    };
    v
}

pub fn main(args: &[String]) -> i32 {
    if let Some(bad) = args
        .iter()
        .find(|a| !["--json", "--small"].contains(&a.as_str()))
    {
        eprintln!("error: bench: unknown option {bad:?} (known: --json, --small)");
        return 2;
    }
    let json_out = args.iter().any(|a| a == "--json");
    let sizes = if args.iter().any(|a| a == "--small") {
        Sizes::SMALL
    } else {
        Sizes::FULL
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let make = |n: usize| Runtime::builder().threads(n).build().expect("runtime");
    let report = run("native", threads, &make, true, sizes);
    let go = go_figures();
    let v = with_targets(&report, &go);
    if json_out {
        println!("{v}");
        return 0;
    }
    println!(
        "Benchmarks, native, GOMAXPROCS={threads}{}",
        if let Err(e) = &go {
            format!(" (Go: {e})")
        } else {
            String::new()
        }
    );
    for k in [
        "spawn_ns_per_goroutine",
        "bytes_per_blocked_goroutine",
        "chan_pingpong_ns",
        "pool_dispatch_ns_per_job",
        "cpu_speedup",
    ] {
        let f = &v[k];
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
            "{k:30} {:>10.1} {:5}  go {:>8}  target {} → {}   baselines: {}",
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
