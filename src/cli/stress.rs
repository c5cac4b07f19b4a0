//! `stress --runs N --seed S [--verbose]`: randomized programs, each checked (see `src/stress.rs`).

use worker_pool_playground::stress::{self, Program};

/// The most runs one command may ask for (about a day of work here).
const MAX_RUNS: u64 = 10_000_000;

pub fn main(args: &[String]) -> i32 {
    let (runs, seed, verbose) = match parse(args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}\nusage: worker-pool-playground stress [--runs N] [--seed S] [--verbose]");
            return 2;
        }
    };
    // Printed before the first run, which also sets up stdout's buffer outside the heap baseline.
    println!("stress: {runs} runs from seed {seed} (replay one with --runs 1 --seed <its seed>)");
    let start = std::time::Instant::now();
    let result = stress::run(runs, seed, |r| {
        if verbose {
            println!(
                "seed {}: {} on {}: {} ({} checked)",
                r.seed, r.program, r.mode, r.shape, r.checked
            );
        }
    });
    let secs = start.elapsed().as_secs_f64();
    match result {
        Ok(s) => {
            let per: Vec<String> = [
                Program::Pool,
                Program::FanIn,
                Program::Pipeline,
                Program::Semaphore,
                Program::Leak,
            ]
            .iter()
            .map(|p| format!("{p} {}", s.per_program[*p as usize]))
            .collect();
            println!(
                "stress: {} runs passed (seeds {}..={}) in {secs:.1} s: {}; {} outcomes checked; heap {} -> {} bytes",
                s.runs,
                seed,
                seed.wrapping_add(runs - 1),
                per.join(", "),
                s.checked,
                s.heap_before,
                s.heap_after
            );
            0
        }
        Err(f) => {
            eprintln!("stress: FAILED after {secs:.1} s: {f}");
            // A run replays alone; a heap that grew over the series needs the whole series.
            let replay_runs = if f.program.is_some() { 1 } else { runs };
            eprintln!(
                "replay: cargo run --release -- stress --runs {replay_runs} --seed {}",
                f.seed
            );
            1
        }
    }
}

fn parse(args: &[String]) -> Result<(u64, u64, bool), String> {
    let (mut runs, mut seed, mut verbose) = (1000u64, 1u64, false);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| format!("{name} needs a value"))
                .and_then(|v| {
                    v.parse::<u64>().map_err(|_| {
                        let shown: String = v.chars().take(40).collect();
                        format!("{name} must be a whole number, got {shown:?}")
                    })
                })
        };
        match a.as_str() {
            "--runs" => runs = value("--runs")?,
            "--seed" => seed = value("--seed")?,
            "--verbose" => verbose = true,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(format!("unknown option {shown:?}"));
            }
        }
    }
    if runs == 0 || runs > MAX_RUNS {
        return Err(format!("--runs must be from 1 to {MAX_RUNS}, got {runs}"));
    }
    Ok((runs, seed, verbose))
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_and_refuses() {
        assert_eq!(parse(&args(&[])), Ok((1000, 1, false)));
        assert_eq!(
            parse(&args(&[
                "--runs",
                "5",
                "--seed",
                "18446744073709551615",
                "--verbose"
            ])),
            Ok((5, u64::MAX, true))
        );
        for (bad, says) in [
            (
                &["--runs", "0"][..],
                "--runs must be from 1 to 10000000, got 0",
            ),
            (
                &["--runs", "-1"][..],
                "--runs must be a whole number, got \"-1\"",
            ),
            (&["--seed"][..], "--seed needs a value"),
            (
                &["--runs", "1e3"][..],
                "--runs must be a whole number, got \"1e3\"",
            ),
            (&["--fast"][..], "unknown option \"--fast\""),
        ] {
            assert_eq!(parse(&args(bad)), Err(says.to_string()), "{bad:?}");
        }
        let long = "9".repeat(100);
        let e = parse(&args(&["--runs", &long])).unwrap_err();
        assert!(e.len() < 100, "quotes at most 40 characters: {e}");
    }
}
