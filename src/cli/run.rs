//! `list` and `run`: the scenarios from the command line, printed in the spirit of the guide.

use worker_pool_playground::{
    params::{ParamError, RawParams, RawValue},
    scenario::{drive, find, fmt_bytes, schema, Env, Report, Run},
};

/// `list`: the scenarios and variants; `list --json`: the whole parameter schema.
pub fn list(args: &[String]) -> i32 {
    match args {
        [] => {}
        [flag] if flag == "--json" => {
            println!(
                "{}",
                serde_json::to_string(&schema()).expect("the schema serializes")
            );
            return 0;
        }
        _ => {
            eprintln!("error: list takes only --json");
            return 2;
        }
    }
    for s in schema() {
        println!("{:24} {}: {}", s.id, s.section, s.shows);
        for v in &s.variants {
            println!(
                "{:24}   --variant {:20} [{}] {}",
                "",
                v.id,
                v.kind.name(),
                v.label
            );
        }
        let names: Vec<String> = s
            .params
            .iter()
            .map(|(p, d)| format!("--{} {}", p.name(), serde_json::json!(d)))
            .collect();
        println!("{:24}   {}", "", names.join(" "));
    }
    0
}

/// What `run` was asked: the scenario, its variant, its parameters (typed by the schema).
struct Args {
    variant: Option<String>,
    params: RawParams,
    json: bool,
    verbose: bool,
    /// `--trace FILE`: where to write the run as Chrome Trace Event Format JSON.
    trace: Option<String>,
}

/// Parses `--key value` (or `--key=value`) pairs. Each value is converted to its parameter's
/// type by the schema, strictly, before the library sees it: `--tasks 10` becomes the number
/// 10, `--tasks ten` is an error here.
fn parse(id: &str, args: &[String]) -> Result<Args, String> {
    let (spec, _) = find(id, None).map_err(|e| e.to_string())?;
    let mut out = Args {
        variant: None,
        params: RawParams::new(),
        json: false,
        verbose: false,
        trace: None,
    };
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        match arg {
            "--json" => out.json = true,
            "--verbose" | "-v" => out.verbose = true,
            flag if flag.starts_with("--") => {
                let (key, value) = match flag[2..].split_once('=') {
                    Some((k, v)) => (k.to_string(), v.to_string()),
                    None => {
                        i += 1;
                        let v = args.get(i).ok_or_else(|| format!("{flag} needs a value"))?;
                        (flag[2..].to_string(), v.clone())
                    }
                };
                let key = key.replace('-', "_");
                if key == "variant" {
                    out.variant = Some(value);
                } else if key == "trace" {
                    out.trace = Some(value);
                } else {
                    let raw = match spec.params.iter().find(|(p, _)| p.name() == key) {
                        Some((p, _)) => p
                            .spec()
                            .from_text(&value)
                            .map_err(|e: ParamError| e.to_string())?,
                        // Not this scenario's: the library says so, listing the known ones.
                        None => RawValue::Text(value),
                    };
                    out.params.set(&key, raw);
                }
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
        i += 1;
    }
    Ok(out)
}

/// `run <scenario> …`: prints the Report, and exits as the Go program would: 0, or 2 after a
/// deadlock or an unrecovered panic (after printing the Report).
pub fn run(args: &[String]) -> i32 {
    let Some(id) = args.first() else {
        eprintln!("error: run needs a scenario id; `list` shows them");
        return 2;
    };
    let a = match parse(id, &args[1..]) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let env = Env::native();
    let mut run = match Run::start(id, a.variant.as_deref(), &a.params, &env) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    drive(&mut run, &env);
    // The trace is built after the run's heap is measured: it is not the program's.
    let report = match &a.trace {
        Some(path) => {
            let (report, trace) = run.finish_with_trace();
            let json = serde_json::to_string(&trace).expect("a trace serializes");
            if let Err(e) = std::fs::write(path, json) {
                eprintln!("error: cannot write the trace to {path}: {e}");
                return 2;
            }
            report
        }
        None => run.finish(),
    };
    if a.json {
        println!("{}", serde_json::to_string(&report).expect("serializable"));
    } else {
        print_report(&report, a.verbose);
    }
    report.exit_status.unwrap_or(1)
}

fn print_report(r: &Report, verbose: bool) {
    println!(
        "{} / {}  ({} build, GOMAXPROCS {})",
        r.scenario, r.variant, r.build, r.threads
    );
    println!("{}", "=".repeat(60));
    let shown = if verbose { r.log.len() } else { 6 };
    for line in r.log.iter().take(shown) {
        println!("{line}");
    }
    if r.log.len() > shown {
        // Go's last lines (a panic, a deadlock) are the ones that matter: always show them.
        let tail = r.log.len().saturating_sub(2).max(shown);
        if tail > shown {
            println!("… {} more lines (--verbose shows them)", tail - shown);
        }
        for line in &r.log[tail..] {
            println!("{line}");
        }
    }
    println!();
    let t = r.tasks;
    let rows = [
        (
            "ended",
            format!(
                "{} (exit status {})",
                r.ended.name(),
                r.exit_status.map_or("none".into(), |s| s.to_string())
            ),
        ),
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
                "submitted {}, successful {}, failed {}, timed out {}, cancelled {}, unfinished {}, dropped {}",
                t.submitted, t.successful, t.failed, t.timed_out, t.cancelled, t.unfinished, t.dropped
            ),
        ),
        (
            "latency from submit p50 / p90 / p99 / max",
            format!(
                "{:.1} / {:.1} / {:.1} / {:.1} ms",
                r.latency_ms.p50, r.latency_ms.p90, r.latency_ms.p99, r.latency_ms.max
            ),
        ),
        ("throughput", format!("{:.1} tasks/s", r.throughput_per_s)),
    ];
    for (k, v) in rows {
        println!("{k:42} {v}");
    }
    for table in &r.tables {
        println!("\n{}", table.title);
        let widths: Vec<usize> = (0..table.columns.len())
            .map(|i| {
                table
                    .rows
                    .iter()
                    .map(|row| row.get(i).map_or(0, |c| c.chars().count()))
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
            "{:>2}. {} {:42} {}",
            c.n,
            match c.ok {
                Some(true) => "ok  ",
                Some(false) => "FAIL",
                None => "--  ",
            },
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
    println!("\n{}", r.lesson);
    if !r.lesson_details.is_empty() {
        println!("{}", r.lesson_details);
    }
}
