//! Beyond the guide: how many workers? A sweep over pool sizes on CPU-bound and I/O-bound work.

use std::{sync::Arc, time::Duration};

use web_time::Instant;

use super::{
    measures, now_ms, variants, At, Ctx, Latency, Measure, Named, Of, Param, Report, Spec,
    TaskOutcome, Unit,
};
use crate::{
    chan::Chan,
    params::Value,
    runtime::{gomaxprocs, now_ns},
    sync::WaitGroup,
    time,
    workload::do_work,
};

variants! {
    /// One sweep.
    enum Variant {
        Default = "default", Demo, "workers 1, 2, 4 … up to `workers`, CPU and I/O";
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(200)),
    (Param::Workers, Value::Int(64)),
    (Param::WorkIterations, Value::Int(200_000)),
    (Param::SleepMaxMs, Value::Int(100)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(20.0)),
    (Param::Mode, Value::Choice("real")),
];

pub(super) fn spec() -> Spec {
    Spec {
        id: "sizing-sweep",
        section: "Best Practices: size workers appropriately",
        title: "How many workers? A sweep",
        shows: "CPU-bound work stops scaling at GOMAXPROCS; I/O-bound work scales with workers (Little's law)",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(sweep(c)),
        lesson,
        checklist: super::no_checklist,
        measures: sweep_measures,
        // the largest pool and main; every size runs the tasks CPU_ROUNDS times CPU-bound and
        // once I/O-bound, and every task's latency is kept.
        need: |p, _| {
            (p.workers + 1) * 169 + (CPU_ROUNDS + 1) * p.tasks * sizes(p.workers).len() as u64 * 24
        },
    }
}

/// How many times each pool size runs the CPU-bound tasks. One measurement of 10–40 ms wall per
/// size was noise on a shared 2-core machine: the sentence flipped between "little or no
/// throughput" and "still added" from run to run (review R13). Five rounds, interleaved across
/// sizes, give each size a spread to judge a difference by; at the defaults the whole sweep
/// stays under about 3 s natively.
pub const CPU_ROUNDS: u64 = 5;

struct Point {
    throughput: f64,
    lat: Latency,
    mean_ms: f64,
}

/// One pool size's CPU throughput over its rounds, tasks/s.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// The slowest round.
    pub min: f64,
    /// The middle round: the figure the table and the picture show.
    pub median: f64,
    /// The fastest round.
    pub max: f64,
}

impl Spread {
    /// The spread of `rounds` (at least one).
    pub fn of(rounds: &[f64]) -> Spread {
        let mut v = rounds.to_vec();
        v.sort_by(f64::total_cmp);
        Spread {
            min: v[0],
            median: v[v.len() / 2],
            max: v[v.len() - 1],
        }
    }
}

/// How one size's rounds compare with another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versus {
    /// Every round was faster than every round of the other.
    Faster,
    /// Every round was slower than every round of the other.
    Slower,
    /// The rounds overlap: a difference of medians here is the run's noise, not a finding.
    WithinNoise,
}

impl Versus {
    /// `a` against `b`: a difference counts only when the two ranges do not overlap.
    pub fn of(a: &Spread, b: &Spread) -> Versus {
        if a.min > b.max {
            Versus::Faster
        } else if a.max < b.min {
            Versus::Slower
        } else {
            Versus::WithinNoise
        }
    }
}

/// Runs `tasks` jobs through a pool of `w` workers (the guide's fixed pool: a jobs channel,
/// `w` workers ranging over it, a WaitGroup); CPU time in wall ms, I/O time in runtime ms.
async fn measure(c: &Arc<Ctx>, w: u64, cpu: bool) -> Point {
    let (iters, n) = (c.p.work_iterations, c.p.tasks);
    // snippet:start sizing-sweep
    let jobs: Chan<u64> = Chan::new(n as usize).named("jobs");
    // Each job reports when it started (runtime ns) and ended (runtime ms). The same element
    // type as the other pools' channels: one more type was one more copy of the channel's code
    // in the page's package.
    let done: Chan<(u64, f64)> = Chan::new(n as usize).named("results");
    let wg = WaitGroup::named("wg");
    for _ in 0..w {
        wg.add(1).expect("counting up");
        let (c2, jobs, done, wg) = (c.clone(), jobs.clone(), done.clone(), wg.clone());
        c.go("worker", async move {
            let _done = wg.defer_done();
            while let Some(id) = jobs.recv().await {
                let start = now_ns();
                if cpu {
                    do_work(iters);
                } else {
                    time::sleep(Duration::from_millis(c2.draw(id).sleep_ms)).await;
                }
                done.send((start, now_ms()))
                    .await
                    .expect("room for every result");
            }
        });
    }
    // snippet:end sizing-sweep
    let wall = Instant::now();
    let t0 = now_ms();
    for id in 1..=n {
        jobs.send(id).await.expect("room for every job");
    }
    jobs.close().expect("closed once");
    c.rec.submitted(n);
    wg.wait().await;
    done.close().expect("closed once");
    let (mut lat, mut service) = (vec![], 0.0);
    while let Some((start, end)) = done.recv().await {
        lat.push(end - t0);
        service += end - start as f64 / 1e6;
        c.rec.outcome(TaskOutcome::Success, end - t0);
    }
    let secs = if cpu {
        wall.elapsed().as_secs_f64()
    } else {
        (now_ms() - t0) / 1e3
    };
    if cpu {
        // Latency of CPU work in wall ms, like its throughput (runtime time is scaled).
        let scale = c.p.time_scale;
        lat.iter_mut().for_each(|l| *l /= scale);
        service /= scale;
    }
    Point {
        throughput: n as f64 / secs.max(1e-9),
        lat: Latency::of(&mut lat),
        mean_ms: service / n as f64,
    }
}

/// The pool sizes a sweep runs: 1, 2, 4, … up to `workers`, and `workers` itself.
fn sizes(workers: u64) -> Vec<u64> {
    let mut v: Vec<u64> = (0..64)
        .map(|k| 1u64 << k)
        .take_while(|&s| s <= workers)
        .collect();
    if v.last() != Some(&workers) {
        v.push(workers);
    }
    v
}

async fn sweep(c: Arc<Ctx>) {
    let Variant::Default = Variant::of(c.variant);
    let sizes = sizes(c.p.workers);
    // A warm-up round, not reported: a browser compiles doWork in the background and swaps in
    // the optimized code later, so without it the first sizes measured the compiler.
    measure(&c, gomaxprocs().max(1) as u64, true).await;
    // The CPU rounds, interleaved (every size once per round): a slow spell of a shared machine
    // then lands on every size, not on the sizes that happened to run during it.
    let mut rounds: Vec<Vec<Point>> = sizes.iter().map(|_| vec![]).collect();
    for _ in 0..CPU_ROUNDS {
        for (i, &w) in sizes.iter().enumerate() {
            rounds[i].push(measure(&c, w, true).await);
        }
    }
    let mut rows = vec![];
    let mut best_io = (0u64, 0.0f64);
    let mut spreads = vec![];
    // The headline's ratios, medians over medians, set as the sizes come (review F8: "14,281 →
    // 16,549" read as a gain beside a sentence saying there was none). Only the ratios the sweep
    // has: the headline leaves out one that is not in `numbers`.
    let knee = knee_of(&sizes, gomaxprocs().max(1) as u64);
    let (mut one, mut at_knee, mut io_one) = (None, None, 1.0);
    for (&w, cpu_rounds) in sizes.iter().zip(rounds) {
        let tps: Vec<f64> = cpu_rounds.iter().map(|p| p.throughput).collect();
        let spread = Spread::of(&tps);
        spreads.push((w, spread));
        // The middle round's latencies stand for the size, as its throughput does.
        let cpu = cpu_rounds
            .into_iter()
            .find(|p| p.throughput == spread.median)
            .expect("the median is one of the rounds");
        let io = measure(&c, w, false).await;
        // Little's law, L = λW: with w tasks in service at a time and a mean service time S,
        // throughput is at most w / S (and never more than all tasks at once).
        let little = (w as f64).min(c.p.tasks as f64) / (io.mean_ms / 1e3).max(1e-9);
        // (No log line per size: it repeated this table's row, and its formatting cost the wasm
        // package more than its size gate had room for once the headline came in, review F8.)
        if w == 1 {
            (one, io_one) = (Some(spread), io.throughput);
        }
        if let (Some(o), true) = (one, w == knee) {
            at_knee = Some(spread);
            if knee > 1 {
                c.rec.set_number("cpu_gain_knee", spread.median / o.median);
                c.rec
                    .set_number("cpu_knee_versus", Versus::of(&spread, &o) as u8 as f64);
            }
            // Whether the sentence could state what the threads give (the picture says why not).
            let shown = knee == 1 || shows_threads(&spread, &o, knee);
            c.rec
                .set_number("cpu_threads_shown", f64::from(u8::from(shown)));
        }
        if let (Some(k), true) = (at_knee, w > knee && w == c.p.workers) {
            c.rec.set_number("cpu_gain_top", spread.median / k.median);
            c.rec
                .set_number("cpu_top_versus", Versus::of(&spread, &k) as u8 as f64);
        }
        if w == c.p.workers {
            c.rec.set_number("io_gain", io.throughput / io_one);
        }
        if io.throughput > best_io.1 {
            best_io = (w, io.throughput);
        }
        c.rec.set_number(&format!("cpu_tps_{w}"), spread.median);
        c.rec.set_number(&format!("cpu_tps_min_{w}"), spread.min);
        c.rec.set_number(&format!("cpu_tps_max_{w}"), spread.max);
        c.rec.set_number(&format!("io_tps_{w}"), io.throughput);
        // How long one doWork took with one worker per thread (µs of wall time, the median
        // round's mean): beside 1 worker's, whether the threads had a core each (review F8).
        if w == knee {
            c.rec.set_number("cpu_task_us_knee", cpu.mean_ms * 1e3);
        }
        rows.push(vec![
            w.to_string(),
            format!("{:.1}", spread.median),
            format!("{:.1}–{:.1}", spread.min, spread.max),
            format!("{:.1}", cpu.lat.p50),
            format!("{:.1}", cpu.lat.p99),
            format!("{:.1}", io.throughput),
            format!("{:.0}", io.lat.p50),
            format!("{:.0}", io.lat.p99),
            format!("{little:.1}"),
        ]);
    }
    c.rec.table(
        "Pool size sweep (CPU in wall time, I/O in runtime time)",
        &[
            "workers",
            "CPU tasks/s (median)",
            "CPU tasks/s (min–max)",
            "CPU p50 ms",
            "CPU p99 ms",
            "I/O tasks/s",
            "I/O p50 ms",
            "I/O p99 ms",
            "Little's law I/O tasks/s",
        ],
        rows,
    );
    c.rec.set_number("gomaxprocs", gomaxprocs() as f64);
    c.rec.set_number("cpu_rounds", CPU_ROUNDS as f64);
    c.rec.set_number("best_io_workers", best_io.0 as f64);
}

/// The largest size swept not above GOMAXPROCS `g`: where CPU work should stop gaining.
fn knee_of(sizes: &[u64], g: u64) -> u64 {
    sizes.iter().copied().filter(|&s| s <= g).max().unwrap_or(1)
}

fn lesson(r: &Report, _: usize) -> String {
    let g = r.number("gomaxprocs").max(1.0) as u64;
    let ran = sizes(r.params.workers);
    let knee = knee_of(&ran, g);
    let top = r.params.workers;
    let list: Vec<String> = ran.iter().map(u64::to_string).collect();
    let tps = |kind: &str, w: u64| r.number(&format!("{kind}_tps_{w}"));
    let spreads = spreads_of(r);
    let cpu = cpu_words(&spreads, knee, g, r.number("cpu_rounds") as u64);
    let (io1, io_top) = (tps("io", 1), tps("io", top));
    let gain = r.number("io_gain");
    let io = if io_top > 1.5 * io1 {
        format!("I/O-bound: {io1:.0} tasks/s with 1 worker, {io_top:.0} with {top} ({gain:.1}×); the table sets each size beside Little's law (throughput ≈ workers ÷ mean task time).")
    } else {
        format!("I/O-bound: {io1:.0} tasks/s with 1 worker and {io_top:.0} with {top} ({gain:.1}×): more workers did not help much in this run.")
    };
    format!(
        "I/O-bound tasks ran {gain:.1}× faster with {top} workers than with 1, because a sleeping worker holds no thread.\u{1f}\
         Swept pools of {} workers, {} CPU tasks and {} I/O tasks each. {cpu} {io} The best I/O throughput came with {:.0} workers.",
        list.join(", "),
        r.params.tasks,
        r.params.tasks,
        r.number("best_io_workers"),
    )
}

/// `8800 (8100–9300)`: a median and its rounds' range.
fn spread_words(s: &Spread) -> String {
    format!("{:.0} ({:.0}–{:.0})", s.median, s.min, s.max)
}

/// `4`, `4 and 8`, `4, 8 and 16`.
fn and_list(sizes: &[u64]) -> String {
    let words: Vec<String> = sizes.iter().map(u64::to_string).collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Whether `knee` workers' rounds (`k`) show the threads running CPU work at once against 1
/// worker's: faster in every round, and by half the ideal gain at least (2 workers 1.5×). A
/// loaded machine gave 2 workers 1.04× "faster in every round", each task taking 106 µs against
/// 60 µs alone: the threads shared one core, and that is not a measurement of what they give.
pub fn shows_threads(k: &Spread, one: &Spread, knee: u64) -> bool {
    Versus::of(k, one) == Versus::Faster && k.median >= one.median * (1.0 + (knee - 1) as f64 / 2.0)
}

/// The CPU half of the lesson: it claims a difference between two sizes only when their rounds
/// do not overlap ([`Versus`]); otherwise it says they are within the noise. One measurement
/// per size once made it say "little or no throughput" and "best with 16 workers" in one
/// sentence, and compared only the largest size with the knee (review R13). When 1 → GOMAXPROCS
/// workers shows no gain beyond the noise, the run could not measure what the threads give,
/// and it says so with what it did measure, not a finding about more workers (review F8: on a
/// loaded 2-core machine 2 workers gave 14,281 tasks/s against 1 worker's 15,582).
pub fn cpu_words(spreads: &[(u64, Spread)], knee: u64, g: u64, rounds: u64) -> String {
    let at = |w: u64| spreads.iter().find(|(s, _)| *s == w).map(|(_, s)| *s);
    let (Some(one), Some(k)) = (at(1), at(knee)) else {
        return String::new();
    };
    let knee_label = if knee == g {
        format!("{knee} (= GOMAXPROCS)")
    } else {
        format!("{knee} (the largest size swept not above GOMAXPROCS {g})")
    };
    let head = format!(
        "CPU-bound, tasks/s as the median of {rounds} rounds per size (slowest–fastest round):"
    );
    let how = |a: &Spread, b: &Spread| {
        [
            "faster in every round",
            "slower in every round",
            "within the noise: the rounds overlap",
        ][Versus::of(a, b) as usize]
    };
    let measured = knee == 1 || shows_threads(&k, &one, knee);
    let rise = if knee == 1 {
        format!("{} with 1 worker.", spread_words(&one))
    } else {
        let mut rise = format!(
            "{} with 1 worker, {} with {knee_label}: {:.1}×, {}.",
            spread_words(&one),
            spread_words(&k),
            k.median / one.median,
            how(&k, &one)
        );
        if !measured {
            // Why is in the picture's note (sweep.js, from `cpu_task_us_knee`): here it cost the
            // wasm package its size gate.
            rise.push_str(&format!(
                " So this run could not measure what {g} threads give CPU work."
            ));
        }
        rise
    };
    let past: Vec<(u64, Spread)> = spreads.iter().copied().filter(|&(w, _)| w > knee).collect();
    let Some(&top) = past.last() else {
        return format!(
            "{head} {rise} The sweep stopped at or below GOMAXPROCS {g}, so it never tried more workers than threads."
        );
    };
    // (The headline's second measure, with the same verdict in its label.)
    let top_words = format!(
        "{} workers gave {}, {:.1}× the rate with {knee}, {}",
        top.0,
        spread_words(&top.1),
        top.1.median / k.median,
        how(&top.1, &k)
    );
    if !measured {
        // Facts only: with no gain measured up to the threads, none past them says anything.
        return format!("{head} {rise} {top_words}.");
    }
    let (mut faster, mut slower, mut noise) = (vec![], vec![], vec![]);
    for (w, s) in &past {
        match Versus::of(s, &k) {
            Versus::Faster => faster.push(*w),
            Versus::Slower => slower.push(*w),
            Versus::WithinNoise => noise.push(*w),
        }
    }
    let mut verdict = if faster.is_empty() {
        format!(
            "Past the number of threads, more workers added no throughput beyond the noise: {top_words}; they queue for the same cores."
        )
    } else {
        format!(
            "{} workers beat {knee} in every round in this run; {top_words}.",
            and_list(&faster)
        )
    };
    if !slower.is_empty() {
        verdict.push_str(&format!(
            " {} workers were slower than {knee} in every round.",
            and_list(&slower)
        ));
    }
    if !noise.is_empty() && !faster.is_empty() {
        verdict.push_str(&format!(
            " {} workers were within the noise of {knee}.",
            and_list(&noise)
        ));
    }
    format!("{head} {rise} {verdict}")
}

/// Each size's CPU spread as the Report holds it.
fn spreads_of(r: &Report) -> Vec<(u64, Spread)> {
    sizes(r.params.workers)
        .into_iter()
        .map(|w| {
            let median = r.number(&format!("cpu_tps_{w}"));
            // A Report without a spread (none is older than it, but a hand-made one may be)
            // has one round: no difference is then beyond the noise.
            let min = r.numbers.get(&format!("cpu_tps_min_{w}")).unwrap_or(median);
            let max = r.numbers.get(&format!("cpu_tps_max_{w}")).unwrap_or(median);
            (w, Spread { min, median, max })
        })
        .collect()
}

/// The headline's labels, by [`Versus`] (a table, not matches: the wasm package's size gate).
const KNEE_LABELS: [&str; 3] = [
    "CPU, 1 worker → one per thread: faster in every round",
    "CPU, 1 worker → one per thread: slower in every round",
    "CPU, 1 worker → one per thread: within the noise",
];
const TOP_LABELS: [&str; 3] = [
    "CPU, one worker per thread → the most: faster in every round",
    "CPU, one worker per thread → the most: slower in every round",
    "CPU, one worker per thread → the most: within the noise",
];

/// The headline: the I/O ratio the sentence states, then the two CPU ratios its details state,
/// each labelled with what the rounds say of it, so a ratio inside the noise reads as noise (review F8: "14,281 → 16,549" beside "no throughput
/// beyond the noise"). A ratio the sweep did not have (1 worker is one per thread; the sweep
/// stopped at the threads) is not in `numbers`, and `measures` leaves it out.
fn sweep_measures(r: &Report, _: usize) -> Vec<Measure> {
    // The verdicts as the sweep recorded them ([`Versus`] as a number), so the labels need no
    // spreads here (the wasm package's size gate).
    let versus = |k: &str| (r.number(k) as usize).min(2);
    measures(
        r,
        &[
            Named(
                At::Number("io_gain"),
                "I/O, 1 worker → the most",
                Unit::Times,
                Of::Nothing,
            ),
            Named(
                At::Number("cpu_gain_knee"),
                KNEE_LABELS[versus("cpu_knee_versus")],
                Unit::Times,
                Of::Nothing,
            ),
            Named(
                At::Number("cpu_gain_top"),
                TOP_LABELS[versus("cpu_top_versus")],
                Unit::Times,
                Of::Nothing,
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(min: f64, median: f64, max: f64) -> Spread {
        Spread { min, median, max }
    }

    /// Review R13: sizes whose rounds overlap the knee's are never called a gain, however far
    /// apart their medians; the sentence says they are within the noise.
    #[test]
    fn a_difference_within_the_noise_is_not_a_gain() {
        let spreads = [
            (1, s(4_000.0, 4_500.0, 5_000.0)),
            (2, s(7_000.0, 8_000.0, 9_000.0)),
            (4, s(8_500.0, 9_500.0, 10_000.0)), // median 19 % above, rounds overlap
            (8, s(6_000.0, 8_500.0, 9_100.0)),
        ];
        let w = cpu_words(&spreads, 2, 2, 5);
        assert!(w.contains("added no throughput beyond the noise"), "{w}");
        assert!(!w.contains("beat"), "{w}");
        assert!(
            w.contains("with 2 (= GOMAXPROCS): 1.8×, faster in every round"),
            "{w}"
        );
    }

    /// A gain beyond the noise is named, with every size it holds for, and never beside "no
    /// throughput" (the contradiction R13 quoted).
    #[test]
    fn a_difference_beyond_the_noise_is_named() {
        let spreads = [
            (1, s(4_000.0, 4_500.0, 5_000.0)),
            (2, s(7_000.0, 8_000.0, 9_000.0)),
            (4, s(9_100.0, 9_500.0, 10_000.0)),
            (8, s(8_000.0, 8_500.0, 9_200.0)),
            (16, s(5_000.0, 5_500.0, 6_000.0)),
        ];
        let w = cpu_words(&spreads, 2, 2, 5);
        assert!(w.contains("4 workers beat 2 in every round"), "{w}");
        assert!(
            w.contains("16 workers were slower than 2 in every round"),
            "{w}"
        );
        assert!(w.contains("8 workers were within the noise of 2"), "{w}");
        assert!(!w.contains("no throughput"), "{w}");
    }

    /// Review F8: when 1 → GOMAXPROCS workers gains nothing beyond the noise (a loaded 2-core
    /// machine: 15,582 tasks/s with 1 worker, 14,281 with 2), the run could not measure what the
    /// threads give, and says so; it states no finding about
    /// more workers ("added no throughput", "they queue for the same cores").
    #[test]
    fn no_gain_up_to_the_threads_is_not_a_finding() {
        let spreads = [
            (1, s(4_325.0, 15_582.0, 16_605.0)),
            (2, s(4_637.0, 14_281.0, 16_353.0)),
            (64, s(9_339.0, 16_549.0, 16_646.0)),
        ];
        let w = cpu_words(&spreads, 2, 2, 5);
        assert!(
            w.contains("0.9×, within the noise: the rounds overlap. So this run could not measure what 2 threads give CPU work."),
            "{w}"
        );
        assert!(
            w.contains(
                "64 workers gave 16549 (9339–16646), 1.2× the rate with 2, within the noise"
            ),
            "{w}"
        );
        assert!(
            !w.contains("no throughput") && !w.contains("queue for"),
            "{w}"
        );
        // Faster in every round by 4 %: the threads shared a core, not a measurement.
        let barely = [
            (1, s(11_647.0, 16_205.0, 16_439.0)),
            (2, s(16_651.0, 16_833.0, 17_446.0)),
            (64, s(15_825.0, 17_396.0, 17_539.0)),
        ];
        let b = cpu_words(&barely, 2, 2, 5);
        assert!(
            b.contains("1.0×, faster in every round. So this run could not measure"),
            "{b}"
        );
        assert!(!b.contains("no throughput"), "{b}");
    }

    #[test]
    fn versus_needs_ranges_apart() {
        let a = s(1.0, 2.0, 3.0);
        assert_eq!(Versus::of(&s(3.5, 4.0, 5.0), &a), Versus::Faster);
        assert_eq!(Versus::of(&s(0.1, 0.5, 0.9), &a), Versus::Slower);
        assert_eq!(Versus::of(&s(2.9, 4.0, 5.0), &a), Versus::WithinNoise);
        assert_eq!(Spread::of(&[3.0, 1.0, 2.0, 5.0, 4.0]), s(1.0, 3.0, 5.0));
    }
}
