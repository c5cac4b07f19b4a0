//! `list` and `run`: the scenarios from the command line, printed in the spirit of the guide.

use serde_json::{Map, Value};
use worker_pool_playground::scenario::{fmt_bytes, run_blocking, scenarios, Env, Report};

pub fn list() -> i32 {
    for s in scenarios() {
        println!("{:24} {} — {}", s.id, s.section, s.shows);
        for v in &s.variants {
            println!("{:24}   --variant {:20} {}", "", v.id, v.label);
        }
    }
    0
}

/// Parses `--key value` pairs into a JSON object (values stay strings; the library validates).
fn parse(args: &[String]) -> Result<(Option<String>, Value, bool, bool), String> {
    let (mut variant, mut json, mut verbose, mut params) = (None, false, false, Map::new());
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--json" => json = true,
            "--verbose" | "-v" => verbose = true,
            flag if flag.starts_with("--") => {
                let value = args
                    .get(i + 1)
                    .ok_or_else(|| format!("{flag} needs a value"))?;
                i += 1;
                let key = flag.trim_start_matches("--").replace('-', "_");
                if key == "variant" {
                    variant = Some(value.clone());
                } else {
                    params.insert(key, Value::String(value.clone()));
                }
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
        i += 1;
    }
    Ok((variant, Value::Object(params), json, verbose))
}

pub fn run(args: &[String]) -> i32 {
    let Some(id) = args.first() else {
        eprintln!("error: run needs a scenario id; `list` shows them");
        return 2;
    };
    let (variant, params, json, verbose) = match parse(&args[1..]) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let report = match run_blocking(id, variant.as_deref(), &params, &Env::native()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    if json {
        println!("{}", serde_json::to_string(&report).expect("serializable"));
    } else {
        print_report(&report, verbose);
    }
    0
}

fn print_report(r: &Report, verbose: bool) {
    println!(
        "{} / {}  ({} build, GOMAXPROCS {})",
        r.scenario, r.variant, r.build, r.threads
    );
    println!("{}", "=".repeat(60));
    if verbose {
        for line in &r.log {
            println!("{line}");
        }
    } else {
        for line in r.log.iter().take(6) {
            println!("{line}");
        }
        if r.log.len() > 6 {
            println!("… {} more lines (--verbose shows them)", r.log.len() - 6);
        }
    }
    println!();
    let t = r.tasks;
    let rows = [
        ("ended", r.ended.to_string()),
        ("wall time", format!("{:.1} ms", r.wall_ms)),
        (
            "runtime time",
            format!(
                "{:.1} ms (time scale {})",
                r.runtime_ms, r.params.time_scale
            ),
        ),
        (
            "goroutines before → peak → after",
            format!(
                "{} → {} → {}",
                r.goroutines_before, r.peak_goroutines, r.goroutines_after
            ),
        ),
        (
            "heap peak / allocated",
            format!(
                "{} / {}",
                fmt_bytes(r.heap_peak_bytes as f64),
                fmt_bytes(r.total_alloc_bytes as f64)
            ),
        ),
        (
            "tasks",
            format!(
                "submitted {}, successful {}, failed {}, timed out {}, cancelled {}, dropped {}",
                t.submitted, t.successful, t.failed, t.timed_out, t.cancelled, t.dropped
            ),
        ),
        (
            "latency p50 / p90 / p99 / max",
            format!(
                "{:.1} / {:.1} / {:.1} / {:.1} ms",
                r.latency_ms.p50, r.latency_ms.p90, r.latency_ms.p99, r.latency_ms.max
            ),
        ),
        ("throughput", format!("{:.1} tasks/s", r.throughput_per_s)),
    ];
    for (k, v) in rows {
        println!("{k:34} {v}");
    }
    for (title, table) in &r.tables {
        println!("\n{title}");
        let widths: Vec<usize> = (0..table.columns.len())
            .map(|i| {
                table
                    .rows
                    .iter()
                    .map(|row| row[i].chars().count())
                    .chain([table.columns[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:w$}"))
                .collect::<Vec<_>>()
                .join(" │ ")
        };
        println!("{}", line(&table.columns));
        for row in &table.rows {
            println!("{}", line(row));
        }
    }
    for c in &r.checklist {
        println!(
            "{} {:40} {}",
            if c.ok { "✅" } else { "❌" },
            c.practice,
            c.evidence
        );
    }
    for f in &r.findings {
        println!("\n{:?}: {}", f.kind, f.message);
        for g in &f.goroutines {
            println!("  {g}");
        }
    }
    println!("\n📝 {}", r.lesson);
}
