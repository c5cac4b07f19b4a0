//! The guide's control comparison: 1000 × `doWork`, unlimited goroutines versus a pool of 10.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
};

use web_time::Instant;

use super::{
    fmt_bytes, measures, now_ms, variants, At, Ctx, Latency, MarkKind, Named, Of, Param, Report,
    Spec, TaskOutcome, Unit,
};
use crate::{
    chan::Chan,
    metrics::alloc::{heap, phase_peak, reset_phase_peak},
    params::Value,
    runtime::{num_goroutine, peak_goroutines, polls, reset_peak, yield_now},
    sync::WaitGroup,
    time,
    workload::do_work,
};

variants! {
    /// Both strategies in one run.
    enum Variant {
        Default = "default", Demo, "unlimited goroutines, then a fixed pool";
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(1000)),
    (Param::Workers, Value::Int(10)),
    (Param::Queue, Value::Int(100)),
    (Param::WorkIterations, Value::Int(1_000_000)),
    (Param::Seed, Value::Int(1)),
    (Param::Mode, Value::Choice("real")),
];

pub(super) fn spec() -> Spec {
    Spec {
        id: "control-comparison",
        section: "Control Comparison",
        title: "Unlimited versus a pool, side by side",
        shows: "the same doWork tasks both ways: goroutines, memory and time",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(control(c)),
        lesson,
        checklist: super::no_checklist,
        measures: |r, _| {
            measures(
                r,
                &[
                    Named(
                        At::Number("unlimited_peak"),
                        "goroutines, no pool",
                        Unit::Count,
                        Of::Nothing,
                    ),
                    Named(
                        At::Number("pool_peak"),
                        "goroutines, the pool",
                        Unit::Count,
                        Of::Nothing,
                    ),
                    // As the sentence words it: only a clear difference is a ratio.
                    Named(
                        At::LessAllocated,
                        "less memory, the pool",
                        Unit::Times,
                        Of::Nothing,
                    ),
                ],
            )
        },
        // one goroutine per task in the first phase (its task's records included).
        need: |p, _| (p.tasks + 2) * 166,
    }
}

/// The timeline row of the unlimited phase (a goroutine per task, all on one row); the pool's
/// worker `w` is row `NO_POOL_ROW + w`. Row 0 would read "never ran" (review R6).
const NO_POOL_ROW: u64 = 1;

struct Phase {
    before: usize,
    peak: usize,
    after: usize,
    alloc: u64,
    heap_peak: u64,
    ms: f64,
    /// Goroutine polls the scheduler made during the phase: its overhead.
    polls: u64,
    /// Task latencies from submit (the spawn, or the send into jobs), runtime ms.
    latency: Latency,
    /// The most tasks that were running `doWork` at once.
    max_in_flight: u64,
    /// Runtime ms the phase took, between its marks: the picture's time (`ms` is wall time).
    span_ms: f64,
}

/// How long the guide's `measureGoroutines` sleeps after a phase before it reads the count.
const SETTLE_MS: u64 = 100;

/// Counts the tasks running `doWork` now and the most at once.
#[derive(Default)]
struct InFlight {
    now: AtomicU64,
    max: AtomicU64,
}

impl InFlight {
    fn enter(&self) {
        let n = self.now.fetch_add(1, Ordering::AcqRel) + 1;
        self.max.fetch_max(n, Ordering::AcqRel);
    }
    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Each phase's latencies from submit, collected by its tasks.
type Latencies = Arc<Mutex<Vec<f64>>>;

/// Runs one strategy and measures it the way the guide's `measureGoroutines` does. The phase
/// comes boxed so that this body is compiled once, not once per phase: a generic `F` doubled it
/// in the wasm packages, which stand at issue 11's 250,000-byte gate.
async fn measure(
    c: &Ctx,
    label: &str,
    short: &str,
    latencies: &Latencies,
    in_flight: &InFlight,
    f: Pin<Box<dyn Future<Output = ()> + Send + '_>>,
) -> Phase {
    // Let the previous phase's goroutines finish exiting ("runtime.GC(); time.Sleep").
    while num_goroutine() > 1 {
        yield_now().await;
    }
    reset_peak();
    // The phase's heap peak, not the run's: that one must still cover every phase.
    reset_phase_peak();
    let before = num_goroutine();
    let h0 = heap();
    let polls0 = polls();
    // The phase's start and end on the run's time axis: the picture draws each phase between
    // them, and the sentence accounts for the time outside both (review F7).
    c.mark(MarkKind::PhaseStart, short);
    let t0 = now_ms();
    let start = Instant::now();
    f.await;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    let span_ms = now_ms() - t0;
    c.mark(MarkKind::PhaseEnd, short);
    let h1 = heap();
    let heap_peak = phase_peak();
    let peak = peak_goroutines();
    let polls = polls() - polls0;
    time::sleep(std::time::Duration::from_millis(SETTLE_MS)).await;
    while num_goroutine() > 1 {
        yield_now().await;
    }
    let after = num_goroutine();
    c.rec.log(format!(
        "{label}: goroutines (before → peak → after): {before} → {peak} → {after}"
    ));
    c.rec.log(format!(
        "{label}: memory allocated {}",
        fmt_bytes((h1.total_bytes - h0.total_bytes) as f64)
    ));
    c.rec.log(format!("{label}: execution time {ms:.1} ms"));
    Phase {
        before,
        peak,
        after,
        alloc: h1.total_bytes - h0.total_bytes,
        heap_peak: heap_peak.saturating_sub(h0.live_bytes),
        ms,
        polls,
        latency: Latency::of(&mut latencies.lock().unwrap()),
        max_in_flight: in_flight.max.load(Ordering::Acquire),
        span_ms,
    }
}

async fn control(c: Arc<Ctx>) {
    let Variant::Default = Variant::of(c.variant);
    let (n, workers, iters) = (c.p.tasks, c.p.workers, c.p.work_iterations);
    c.rec.log(format!(
        "🔬 CONTROL COMPARISON: {n} tasks, pool of {workers} workers"
    ));
    c.rec.submitted(2 * n);
    // The timeline: the unlimited phase's goroutines share one row above the pool's workers.
    c.rec.label_row(NO_POOL_ROW, "no pool");
    for w in 1..=workers {
        c.rec.label_row(NO_POOL_ROW + w, format!("worker {w}"));
    }
    let (lat_u, lat_p): (Latencies, Latencies) = Default::default();
    let full_queue_waits = Arc::new(AtomicU64::new(0));
    let (busy_u, busy_p): (Arc<InFlight>, Arc<InFlight>) = Default::default();
    // How long main took to start every goroutine (runtime ms): it never waits on a queue.
    let spawn_ms = Arc::new(Mutex::new(0.0f64));
    // snippet:start control-comparison
    let unlimited = measure(
        &c,
        "WITHOUT WORKER POOL",
        "no pool",
        &lat_u,
        &busy_u,
        Box::pin(async {
            let wg = WaitGroup::named("wg");
            let t0 = now_ms();
            for id in 0..n {
                wg.add(1).expect("counting up");
                let (wg, c2, lat, busy) = (wg.clone(), c.clone(), lat_u.clone(), busy_u.clone());
                let spawned = now_ms();
                c.go("task", async move {
                    let _d = wg.defer_done();
                    let start = now_ms();
                    busy.enter();
                    do_work(iters);
                    busy.leave();
                    let end = now_ms();
                    c2.rec
                        .task(NO_POOL_ROW, id, spawned, start, end, TaskOutcome::Success);
                    lat.lock().unwrap().push(end - spawned);
                });
            }
            *spawn_ms.lock().unwrap() = now_ms() - t0;
            wg.wait().await;
        }),
    )
    .await;
    let pool_name = format!("pool of {workers}");
    let pool = measure(
        &c,
        "WITH WORKER POOL",
        &pool_name,
        &lat_p,
        &busy_p,
        Box::pin(async {
            let jobs: Chan<(u64, f64)> = Chan::new(c.p.queue as usize).named("jobs");
            let wg = WaitGroup::named("wg");
            for w in 1..=workers {
                wg.add(1).expect("counting up");
                let (jobs, wg, c2, lat, busy) = (
                    jobs.clone(),
                    wg.clone(),
                    c.clone(),
                    lat_p.clone(),
                    busy_p.clone(),
                );
                c.go("worker", async move {
                    let _d = wg.defer_done();
                    while let Some((id, queued)) = jobs.recv().await {
                        let start = now_ms();
                        busy.enter();
                        do_work(iters);
                        busy.leave();
                        let end = now_ms();
                        c2.rec.task(
                            NO_POOL_ROW + w,
                            n + id,
                            queued,
                            start,
                            end,
                            TaskOutcome::Success,
                        );
                        lat.lock().unwrap().push(end - queued);
                    }
                });
            }
            for id in 0..n {
                if jobs.len() >= jobs.cap() {
                    // The queue is full: this send waits for a worker (backpressure).
                    full_queue_waits.fetch_add(1, Ordering::Relaxed);
                }
                jobs.send((id, now_ms())).await.expect("open");
            }
            jobs.close().expect("closed once");
            wg.wait().await;
        }),
    )
    .await;
    // snippet:end control-comparison
    let row = |label: &str, f: &dyn Fn(&Phase) -> String| {
        vec![label.to_string(), f(&unlimited), f(&pool)]
    };
    c.rec.table(
        "Control comparison",
        &["", "WITHOUT worker pool", "WITH worker pool"],
        vec![
            row("Goroutines before → peak (measured)", &|p| {
                format!("{} → {}", p.before, p.peak)
            }),
            row("The guide's \"peak\" (the count after the run)", &|p| {
                format!("{} → ~{}", p.before, p.after)
            }),
            row("Memory allocated", &|p| fmt_bytes(p.alloc as f64)),
            row("Heap peak", &|p| fmt_bytes(p.heap_peak as f64)),
            row("Execution time", &|p| format!("{:.1} ms", p.ms)),
        ],
    );
    for (name, ph) in [("unlimited", &unlimited), ("pool", &pool)] {
        c.rec.set_number(&format!("{name}_peak"), ph.peak as f64);
        c.rec
            .set_number(&format!("{name}_guide_peak"), ph.after as f64);
        c.rec.set_number(&format!("{name}_alloc"), ph.alloc as f64);
        c.rec
            .set_number(&format!("{name}_heap_peak"), ph.heap_peak as f64);
        c.rec.set_number(&format!("{name}_ms"), ph.ms);
        c.rec.set_number(&format!("{name}_polls"), ph.polls as f64);
        c.rec
            .set_number(&format!("{name}_latency_p50_ms"), ph.latency.p50);
        c.rec
            .set_number(&format!("{name}_latency_p99_ms"), ph.latency.p99);
        c.rec
            .set_number(&format!("{name}_max_in_flight"), ph.max_in_flight as f64);
    }
    // Runtime outside both phases: main alone, settling after each one (review F7: a quarter
    // of the picture's axis that the sentence's two times did not account for).
    c.rec
        .set_number("main_alone_ms", now_ms() - unlimited.span_ms - pool.span_ms);
    let waits = full_queue_waits.load(Ordering::Relaxed);
    c.rec.set_number("pool_full_queue_waits", waits as f64);
    let spawn_ms = *spawn_ms.lock().unwrap();
    c.rec.set_number("unlimited_spawn_ms", spawn_ms);
    complete_table(&c, &unlimited, &pool, waits, spawn_ms);
}

/// The guide's "Complete Comparison Table", its ten aspects filled in from this run where the
/// run measures them, and quoted from the guide where they are judgements.
fn complete_table(c: &Ctx, u: &Phase, p: &Phase, waits: u64, spawn_ms: f64) {
    let (n, workers, queue) = (c.p.tasks, c.p.workers, c.p.queue);
    let measured = "measured in this run";
    let guide = "from the guide";
    let per = |ph: &Phase| ph.heap_peak as f64 / (ph.peak.saturating_sub(1).max(1)) as f64;
    let lat = |ph: &Phase| {
        format!(
            "from submit: p50 {:.1} ms, p99 {:.1} ms",
            ph.latency.p50, ph.latency.p99
        )
    };
    let rows = vec![
        vec![
            "Goroutines Created".into(),
            format!("1 per task: {n} ({} alive at once)", u.peak),
            format!("fixed: {workers} workers ({} alive at once)", p.peak),
            measured.into(),
        ],
        vec![
            "Memory Usage".into(),
            format!(
                "heap peak {} ({} per goroutine), {} allocated",
                fmt_bytes(u.heap_peak as f64),
                fmt_bytes(per(u)),
                fmt_bytes(u.alloc as f64)
            ),
            format!(
                "heap peak {}, {} allocated",
                fmt_bytes(p.heap_peak as f64),
                fmt_bytes(p.alloc as f64)
            ),
            measured.into(),
        ],
        vec![
            "Scheduler Overhead".into(),
            format!(
                "{} goroutine polls ({:.2} per task)",
                u.polls,
                u.polls as f64 / n.max(1) as f64
            ),
            format!(
                "{} goroutine polls ({:.2} per task)",
                p.polls,
                p.polls as f64 / n.max(1) as f64
            ),
            measured.into(),
        ],
        vec![
            "Resource Control".into(),
            format!(
                "none: {} task goroutines alive at once; up to {} running doWork at the same moment",
                u.peak.saturating_sub(1),
                u.max_in_flight
            ),
            format!(
                "bounded: {} worker goroutines alive at once, one task each at most; up to {} running doWork at the same moment",
                p.peak.saturating_sub(1),
                p.max_in_flight
            ),
            measured.into(),
        ],
        vec![
            "Error Handling".into(),
            "Manual handling: each goroutine on its own".into(),
            "Centralized handling: results come back on one channel".into(),
            guide.into(),
        ],
        vec![
            "Backpressure Handling".into(),
            format!("none: main started all {n} goroutines in {spawn_ms:.1} ms, with no queue to wait on"),
            if waits > 0 {
                format!("built in: main's send met the full {queue}-slot queue {waits} times and waited")
            } else {
                format!("built in, not needed here: the {queue}-slot queue never filled, main's send never waited")
            },
            measured.into(),
        ],
        vec!["Latency Under Load".into(), lat(u), lat(p), measured.into()],
        vec![
            "Resource Exhaustion".into(),
            format!(
                "grows with the tasks: {} per goroutine; at that rate about {} for 1,000,000 tasks (an estimate)",
                fmt_bytes(per(u)),
                fmt_bytes(per(u) * 1e6)
            ),
            format!(
                "bounded by the pool: heap peak {} for {n} tasks",
                fmt_bytes(p.heap_peak as f64)
            ),
            "measured in this run; the 1,000,000-task figure is an estimate from it".into(),
        ],
        vec![
            "Complexity".into(),
            "Low (simple code)".into(),
            "Medium (more code)".into(),
            guide.into(),
        ],
        vec![
            "Use Cases".into(),
            "Simple, low-load tasks".into(),
            "High-load, resource-bound tasks".into(),
            guide.into(),
        ],
    ];
    c.rec.table(
        "Complete Comparison Table",
        &[
            "Aspect",
            "WITHOUT Worker Pool",
            "WITH Worker Pool",
            "Source",
        ],
        rows,
    );
}

/// `a / b` as "3.2×" (one decimal below 10).
fn times(ratio: f64) -> String {
    if ratio < 10.0 {
        format!("{ratio:.1}×")
    } else {
        format!("{ratio:.0}×")
    }
}

fn lesson(r: &Report, _: usize) -> String {
    let (up, pp) = (r.number("unlimited_peak"), r.number("pool_peak"));
    let (ua, pa) = (r.number("unlimited_alloc"), r.number("pool_alloc"));
    let (ums, pms) = (r.number("unlimited_ms"), r.number("pool_ms"));
    let goroutines = if pp < up {
        format!("{:.0}% fewer goroutines", (1.0 - pp / up.max(1.0)) * 100.0)
    } else {
        format!("no fewer goroutines ({pp:.0} against {up:.0})")
    };
    let memory = if pa > 0.0 && ua / pa >= 1.1 {
        format!("{} less memory allocated", times(ua / pa))
    } else if ua > 0.0 && pa / ua >= 1.1 {
        format!("{} more memory allocated", times(pa / ua))
    } else {
        "about as much memory allocated".to_string()
    };
    let threads = super::count(r.threads as f64, "thread", "threads");
    let ratio = ums.max(pms) / ums.min(pms).max(1e-9);
    let time = if ratio < 1.25 {
        format!("The times were close ({ums:.0} against {pms:.0} ms, {:.0}% apart): doWork is CPU-bound and {threads} ran it either way, so the extra goroutines added bookkeeping, not speed.", (ratio - 1.0) * 100.0)
    } else if ums < pms {
        format!(
            "The unlimited goroutines finished {} sooner ({ums:.0} against {pms:.0} ms){}.",
            times(ratio),
            if (r.params.workers as usize) < r.threads {
                format!(
                    ": the pool's {} could keep at most that many of the {threads} busy",
                    super::count(r.params.workers as f64, "worker", "workers")
                )
            } else {
                String::new()
            }
        )
    } else {
        format!("The pool finished {} sooner ({pms:.0} against {ums:.0} ms): doWork is CPU-bound and {threads} ran it either way, and starting and scheduling a goroutine per task cost time.", times(ratio))
    };
    let (ug, pg) = (
        r.number("unlimited_guide_peak"),
        r.number("pool_guide_peak"),
    );
    let guide = if ug == pg {
        format!("{ug:.0} both times")
    } else {
        format!("{ug:.0} without the pool and {pg:.0} with it")
    };
    format!(
        "The same {} × doWork ran with {up:.0} goroutines at the peak without a pool and {pp:.0} with a pool of {}: {goroutines} and {memory}.\u{1f}\
         Allocated: {} without the pool, {} with it. {time} Main ran alone for the other {:.0} ms of the run: after each phase the guide's program sleeps {SETTLE_MS} ms before it counts goroutines. (It prints that count as its \"peak\": {guide}.)",
        r.params.tasks,
        r.params.workers,
        fmt_bytes(ua),
        fmt_bytes(pa),
        r.number("main_alone_ms"),
    )
}
