//! Randomized programs on the runtime, each checked for exact bookkeeping: the `stress` command.
//!
//! Run `i` of `stress --runs N --seed S` uses seed `S + i`, and that seed alone decides
//! everything random in it: the program, its sizes, when it cancels or closes, which jobs panic
//! or time out, and the runtime (deterministic, one thread or two). A failure names the seed;
//! `stress --runs 1 --seed <it>` replays the same program (exactly on virtual time; with real
//! threads the interleaving may differ, the shape does not).
//!
//! After each run the checks are the ones the issue names: every job has exactly one outcome (for
//! the Report, `unfinished` among them when the program ends first) and the metrics add up, no goroutine is left (a leak demo must leak exactly what it leaks), and the
//! heap is back at its baseline once the runtime is dropped.
//!
//! The programs:
//! - `pool`: a worker pool of random shape (workers, queue policy, per-task timeout, parent
//!   context) fed by 1–3 submitters (`submit` and `try_submit`) with jobs that succeed, fail,
//!   panic (in the future or in the closure), sleep, or wait on their context; it is closed, or
//!   cancelled at a random job, or its parent is cancelled or times out.
//! - `fan-in`: producers and consumers on one channel of random capacity, consumers in a
//!   `select` with a timeout and `ctx.Done()`, a closer behind a `WaitGroup`, an optional early
//!   cancel; every value sent is received or still buffered, never lost or doubled.
//! - `pipeline`: a chain of stages, each selecting on `ctx.Done()`, cancelled at a random
//!   point; every stage returns.
//! - `semaphore`: goroutines take a permit under a timeout (the acquire is dropped when it
//!   fires) and a `Mutex`; never more holders than permits, and every permit comes back.
//! - `leak`: the guide's Error 1, workers ranging over a channel nobody closes: exactly those
//!   workers are reported leaked, blocked on their receive.

use std::{
    collections::HashMap,
    fmt,
    future::Future,
    panic::{catch_unwind, AssertUnwindSafe},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex as StdMutex,
    },
    time::Duration,
};

use crate::{
    chan::{Chan, Select},
    context::{self, Context},
    metrics::alloc::heap,
    pool::{Outcome, PoolBuilder, QueuePolicy, TrySubmitError},
    runtime::{go, goroutine::WaitKind, FindingKind, Progress, RunError, Runtime},
    scenario::{TaskCounts, TaskOutcome},
    sync::{Mutex, Semaphore, WaitGroup},
    time,
};

/// Heap bytes a run may leave behind: a panic message kept by the panic hook, a thread-local.
/// Anything a run really leaks grows past it within a few runs; the whole series is checked too.
const HEAP_SLACK: u64 = 1024;
/// A run that takes longer than this (wall time) is stopped and counted as hung.
const RUN_LIMIT: Duration = Duration::from_secs(20);

/// The kinds of program, one per run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    /// A worker pool with random shape, jobs, cancels and closes.
    Pool,
    /// Producers and consumers on one channel, with selects, timeouts and a cancel.
    FanIn,
    /// A chain of stages cancelled at a random point.
    Pipeline,
    /// A semaphore and a mutex under timeouts.
    Semaphore,
    /// Workers ranging over a channel nobody closes: an intended leak.
    Leak,
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Program::Pool => "pool",
            Program::FanIn => "fan-in",
            Program::Pipeline => "pipeline",
            Program::Semaphore => "semaphore",
            Program::Leak => "leak",
        })
    }
}

/// Where a run's goroutines ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Deterministic: virtual time, seeded scheduling, on the calling thread.
    Virtual,
    /// Real time (scaled) on this many threads.
    Threads(usize),
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mode::Virtual => f.write_str("virtual time"),
            Mode::Threads(n) => write!(f, "{n} thread{}", if *n == 1 { "" } else { "s" }),
        }
    }
}

/// One run that kept every invariant.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Its seed.
    pub seed: u64,
    /// What ran.
    pub program: Program,
    /// Where.
    pub mode: Mode,
    /// The random shape, in words.
    pub shape: String,
    /// Jobs or values that had an outcome checked.
    pub checked: u64,
}

/// A run that broke an invariant, with what it takes to replay it.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The seed to replay: `stress --runs 1 --seed <seed>`.
    pub seed: u64,
    /// What ran (`None` when the failure came before the program was chosen).
    pub program: Option<Program>,
    /// The shape, in words.
    pub shape: String,
    /// What went wrong.
    pub reason: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.program {
            Some(p) => write!(
                f,
                "seed {}: {p} ({}): {}",
                self.seed, self.shape, self.reason
            ),
            None => write!(f, "seed {}: {}", self.seed, self.reason),
        }
    }
}

/// Totals of a stress series.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Runs that passed.
    pub runs: u64,
    /// Runs per program, in [`Program`] order.
    pub per_program: [u64; 5],
    /// Outcomes checked over all runs.
    pub checked: u64,
    /// Live heap bytes before the first run and after the last.
    pub heap_before: u64,
    /// See `heap_before`.
    pub heap_after: u64,
}

/// Runs `runs` programs with seeds `seed`, `seed + 1`, …; calls `each` after every passing run.
///
/// # Errors
///
/// The first run that breaks an invariant, or a heap that grew over the whole series.
pub fn run(runs: u64, seed: u64, mut each: impl FnMut(&RunSummary)) -> Result<Summary, Failure> {
    // One run first, outside the baseline: the panic hook, thread-locals and lazy statics
    // allocate once, on first use.
    let _ = run_one(seed);
    let mut sum = Summary {
        heap_before: heap().live_bytes,
        ..Summary::default()
    };
    for i in 0..runs {
        let r = run_one(seed.wrapping_add(i))?;
        sum.runs += 1;
        sum.per_program[r.program as usize] += 1;
        sum.checked += r.checked;
        each(&r);
    }
    sum.heap_after = heap().live_bytes;
    if sum.heap_after > sum.heap_before + HEAP_SLACK {
        return Err(Failure {
            seed,
            program: None,
            shape: String::new(),
            reason: format!(
                "the heap grew over the series: {} -> {} bytes",
                sum.heap_before, sum.heap_after
            ),
        });
    }
    Ok(sum)
}

/// Runs the program of one seed and checks it.
///
/// # Errors
///
/// What it broke: an outcome missing or doubled, metrics that do not add up, a goroutine left,
/// heap not freed, a deadlock, a hang, or a panic.
pub fn run_one(seed: u64) -> Result<RunSummary, Failure> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let program = match rng.u8(0..8) {
        0..=3 => Program::Pool,
        4 => Program::FanIn,
        5 => Program::Pipeline,
        6 => Program::Semaphore,
        _ => Program::Leak,
    };
    let mode = match rng.u8(0..3) {
        0 => Mode::Virtual,
        n => Mode::Threads(n as usize),
    };
    let plan = Plan::new(program, &mut rng);
    let shape = plan.to_string();
    let fail = |reason: String| Failure {
        seed,
        program: Some(program),
        shape: format!("{mode}, {shape}"),
        reason,
    };
    let before = heap().live_bytes;
    let checked = catch_unwind(AssertUnwindSafe(|| execute(seed, mode, plan)))
        .map_err(|p| fail(format!("panicked: {}", crate::runtime::panic_message(&p))))?
        .map_err(&fail)?;
    let after = heap().live_bytes;
    if after > before + HEAP_SLACK {
        return Err(fail(format!(
            "heap not back at its baseline: {before} -> {after} bytes"
        )));
    }
    Ok(RunSummary {
        seed,
        program,
        mode,
        shape,
        checked,
    })
}

/// Builds the runtime, runs the plan, checks what it left; the runtime is gone on return.
fn execute(seed: u64, mode: Mode, plan: Plan) -> Result<u64, String> {
    let rt = match mode {
        Mode::Virtual => Runtime::builder().deterministic(seed),
        // Scaled: the programs sleep tens of runtime ms, a fraction of a wall ms here.
        Mode::Threads(n) => Runtime::builder().threads(n).time_scale(200.0),
    }
    .build()
    .map_err(|e| e.to_string())?;
    let leaks_expected = plan.leaks();
    let result = drive(&rt, mode, plan.main(mode));
    let checked = match result {
        Ok(r) => r?,
        Err(RunError::Aborted) => {
            return Err(format!("hung for {RUN_LIMIT:?}: {:?}", rt.goroutines()))
        }
        Err(e) => return Err(format!("{e}")),
    };
    let left = rt.settle(Duration::from_secs(5));
    if left != leaks_expected {
        return Err(format!(
            "{left} goroutines left, {leaks_expected} expected: {:?}",
            rt.goroutines()
        ));
    }
    let leaks = rt.leaks();
    if leaks.len() != leaks_expected
        || leaks
            .iter()
            .any(|g| g.wait != WaitKind::ChanReceive || g.name != "worker")
    {
        return Err(format!(
            "leak report {leaks:?}, {leaks_expected} workers expected"
        ));
    }
    let panics: Vec<_> = rt
        .findings()
        .into_iter()
        .filter(|f| f.kind == FindingKind::Panic)
        .collect();
    if !panics.is_empty() {
        return Err(format!("a goroutine panicked: {panics:?}"));
    }
    Ok(checked)
}

/// `block_on` with a wall-clock limit: a hang is stopped and reported, not waited out.
fn drive<T: Send + 'static>(
    rt: &Runtime,
    mode: Mode,
    main: impl Future<Output = T> + Send + 'static,
) -> Result<T, RunError> {
    let start = web_time::Instant::now();
    let h = rt.start(main);
    loop {
        match (rt.poll(&h), mode) {
            (Progress::Done, _) => return rt.take(&h).expect("a finished run has a result"),
            // Threads run by themselves: look again shortly. A virtual clock is pumped by `poll`.
            (_, Mode::Threads(_)) => std::thread::sleep(Duration::from_micros(100)),
            (_, Mode::Virtual) => {}
        }
        if start.elapsed() > RUN_LIMIT {
            rt.abort();
        }
    }
}

/// A program with its random choices made.
#[derive(Debug, Clone)]
enum Plan {
    Pool(PoolPlan),
    FanIn(FanInPlan),
    Pipeline(PipelinePlan),
    Semaphore(SemaphorePlan),
    Leak { workers: usize, jobs: usize },
}

impl Plan {
    fn new(program: Program, rng: &mut fastrand::Rng) -> Plan {
        match program {
            Program::Pool => Plan::Pool(PoolPlan::new(rng)),
            Program::FanIn => Plan::FanIn(FanInPlan::new(rng)),
            Program::Pipeline => Plan::Pipeline(PipelinePlan {
                stages: rng.usize(1..6),
                values: rng.u64(0..200),
                cancel_after: rng.u64(0..250),
                cap: rng.usize(0..4),
            }),
            Program::Semaphore => Plan::Semaphore(SemaphorePlan {
                permits: rng.usize(1..5),
                goroutines: rng.usize(1..30),
                timeouts_ms: (0..30)
                    .map(|_| rng.bool().then(|| rng.u64(0..20)))
                    .collect(),
                holds_ms: (0..30).map(|_| rng.u64(0..10)).collect(),
            }),
            Program::Leak => Plan::Leak {
                workers: rng.usize(1..8),
                jobs: rng.usize(0..20),
            },
        }
    }

    /// Goroutines this plan leaves blocked on purpose.
    fn leaks(&self) -> usize {
        match self {
            Plan::Leak { workers, .. } => *workers,
            Plan::Pool(_) | Plan::FanIn(_) | Plan::Pipeline(_) | Plan::Semaphore(_) => 0,
        }
    }

    /// The program's main goroutine; it returns how many outcomes it checked, or what broke.
    async fn main(self, mode: Mode) -> Result<u64, String> {
        match self {
            Plan::Pool(p) => p.run(mode == Mode::Virtual).await,
            Plan::FanIn(p) => p.run().await,
            Plan::Pipeline(p) => p.run().await,
            Plan::Semaphore(p) => p.run().await,
            Plan::Leak { workers, jobs } => leak(workers, jobs).await,
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Plan::Pool(p) => write!(
                f,
                "{} workers, queue {:?}, {}, {} jobs by {} submitters, stop {:?}, ends after {:?} outcomes",
                p.workers,
                p.queue,
                p.timeout_ms
                    .map_or("no task timeout".into(), |t| format!("task timeout {t} ms")),
                p.jobs.len(),
                p.submitters,
                p.stop,
                p.ends_after
            ),
            Plan::FanIn(p) => {
                write!(
                f,
                "{} producers x {} values, {} consumers{}, cap {}, recv timeout {} ms, cancel at {:?} ms",
                p.producers,
                p.values,
                p.consumers,
                if p.try_first { " (non-blocking first)" } else { "" },
                p.cap,
                p.recv_timeout_ms,
                p.cancel_at_ms
            )
            }
            Plan::Pipeline(p) => write!(
                f,
                "{} stages, {} values, cap {}, cancel after {} ms",
                p.stages, p.values, p.cap, p.cancel_after
            ),
            Plan::Semaphore(p) => write!(f, "{} permits, {} goroutines", p.permits, p.goroutines),
            Plan::Leak { workers, jobs } => write!(f, "{workers} workers, {jobs} jobs"),
        }
    }
}

// ---- pool ----------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Job {
    Ok,
    Err,
    Panic,
    /// Panics in the closure, before the task's future exists.
    ClosurePanic,
    Sleep(u64),
    /// Sleeps `n` ms unless the pool's context is done first.
    WaitCtx(u64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// `close()` once every submitter is done.
    Close,
    /// `cancel()` after this many submits (by any submitter).
    Cancel(usize),
    /// The parent context is cancelled after this many submits.
    CancelParent(usize),
    /// The parent context times out after this many ms; then `close()` as usual.
    ParentTimeout(u64),
}

#[derive(Debug, Clone)]
struct PoolPlan {
    workers: usize,
    queue: QueuePolicy,
    timeout_ms: Option<u64>,
    jobs: Vec<Job>,
    submitters: usize,
    try_share: u8,
    stop: Stop,
    /// Where the program ends, as far as the Report is concerned: after main received this
    /// many outcomes (as a deadlock or a panic would end it). The jobs whose outcome comes
    /// later are the Report's `unfinished` (review R18); main still reads them, to check them.
    ends_after: Option<usize>,
}

impl PoolPlan {
    fn new(rng: &mut fastrand::Rng) -> PoolPlan {
        let n = rng.usize(0..50);
        let jobs = (0..n)
            .map(|_| match rng.u8(0..12) {
                0..=3 => Job::Ok,
                4 => Job::Err,
                5 => Job::Panic,
                6 => Job::ClosurePanic,
                7..=9 => Job::Sleep(rng.u64(0..40)),
                _ => Job::WaitCtx(rng.u64(0..60)),
            })
            .collect();
        PoolPlan {
            workers: rng.usize(1..7),
            queue: match rng.u8(0..3) {
                0 => QueuePolicy::None,
                1 => QueuePolicy::Bounded(rng.usize(1..9)),
                _ => QueuePolicy::Unbounded,
            },
            timeout_ms: rng.bool().then(|| rng.u64(5..30)),
            jobs,
            submitters: rng.usize(1..4),
            try_share: rng.u8(0..4),
            stop: match rng.u8(0..6) {
                0..=2 => Stop::Close,
                3 => Stop::Cancel(rng.usize(0..n.max(1))),
                4 => Stop::CancelParent(rng.usize(0..n.max(1))),
                _ => Stop::ParentTimeout(rng.u64(1..150)),
            },
            // Drawn last: the earlier draws, and so the programs of earlier seeds, stay.
            ends_after: rng.bool().then(|| rng.usize(0..=n)),
        }
    }

    /// `exact`: on virtual time a job that sleeps less than the timeout never times out. On a
    /// real clock it may: the timeout's timer can fire before the goroutine that the sleep woke
    /// has run (as a Go `select` on both channels may pick either once both are ready).
    async fn run(self, exact: bool) -> Result<u64, String> {
        let (parent, cancel_parent) = match self.stop {
            Stop::ParentTimeout(ms) => {
                context::with_timeout(&context::background(), Duration::from_millis(ms))
            }
            Stop::Close | Stop::Cancel(_) | Stop::CancelParent(_) => {
                context::with_cancel(&context::background())
            }
        };
        let mut b = PoolBuilder::new()
            .workers(self.workers)
            .queue(self.queue)
            .context(parent);
        if let Some(ms) = self.timeout_ms {
            b = b.task_timeout(Duration::from_millis(ms));
        }
        let pool = b
            .build(|t: crate::pool::Task<Job>| {
                assert!(t.data != Job::ClosurePanic, "closure panic {}", t.id);
                let ctx: Context = t.ctx;
                async move {
                    match t.data {
                        Job::Ok | Job::ClosurePanic => Ok(t.id),
                        Job::Err => Err(format!("job {} failed", t.id)),
                        Job::Panic => panic!("job {} panicked", t.id),
                        Job::Sleep(ms) => {
                            time::sleep(Duration::from_millis(ms)).await;
                            Ok(t.id)
                        }
                        Job::WaitCtx(ms) => {
                            let mut sel = Select::new();
                            let done = sel.recv(ctx.done());
                            sel.recv(&time::after(Duration::from_millis(ms)));
                            if sel.wait().await == done.index() {
                                return Err(format!("job {} saw its context done", t.id));
                            }
                            Ok(t.id)
                        }
                    }
                }
            })
            .map_err(|e| e.to_string())?;
        let results = pool.results();
        // id -> job, for every job the pool accepted; and how many try_submits it turned away.
        let accepted: Arc<StdMutex<HashMap<u64, Job>>> = Arc::default();
        let full = Arc::new(AtomicU64::new(0));
        let submits = Arc::new(AtomicU64::new(0));
        let submitters = WaitGroup::named("submitters");
        let chunk = self.jobs.len().div_ceil(self.submitters).max(1);
        for (k, part) in self.jobs.chunks(chunk).enumerate() {
            submitters.add(1).map_err(|e| e.to_string())?;
            let (pool, part, accepted, full, submits, wg, cancel_parent) = (
                pool.clone(),
                part.to_vec(),
                accepted.clone(),
                full.clone(),
                submits.clone(),
                submitters.clone(),
                cancel_parent.clone(),
            );
            let (stop, try_share) = (self.stop, self.try_share);
            go(async move {
                let _d = wg.defer_done();
                for (i, job) in part.into_iter().enumerate() {
                    let n = submits.fetch_add(1, Ordering::SeqCst) as usize;
                    match stop {
                        Stop::Cancel(at) if at == n => pool.cancel(),
                        Stop::CancelParent(at) if at == n => cancel_parent.cancel(),
                        _ => {}
                    }
                    let id = if (i + k) % 4 < usize::from(try_share) {
                        match pool.try_submit(job) {
                            Ok(id) => Some(id),
                            Err(TrySubmitError::QueueFull(_)) => {
                                full.fetch_add(1, Ordering::SeqCst);
                                None
                            }
                            Err(TrySubmitError::Stopped(_)) => None,
                        }
                    } else {
                        pool.submit(job).await.ok()
                    };
                    if let Some(id) = id {
                        accepted.lock().unwrap().insert(id, job);
                    }
                }
            });
        }
        let (p, wg) = (pool.clone(), submitters.clone());
        go(async move {
            wg.wait().await;
            p.close();
        });
        let mut seen: HashMap<u64, Outcome<u64>> = HashMap::new();
        // Each job's end in the Report's terms, had the program ended at `ends_after`.
        let mut ends: Vec<TaskOutcome> = vec![];
        while let Some(r) = results.recv().await {
            ends.push(match self.ends_after {
                Some(k) if seen.len() >= k => TaskOutcome::Unfinished,
                _ => task_outcome(&r.outcome),
            });
            if let Some(old) = seen.insert(r.id, r.outcome.clone()) {
                return Err(format!(
                    "job {} has two outcomes: {old:?} and {:?}",
                    r.id, r.outcome
                ));
            }
        }
        pool.wait().await;
        submitters.wait().await;
        cancel_parent.cancel(); // `defer cancel()`
        let accepted = accepted.lock().unwrap().clone();
        let m = pool.metrics();
        if seen.len() != accepted.len() {
            let missing: Vec<_> = accepted
                .keys()
                .filter(|id| !seen.contains_key(id))
                .collect();
            let extra: Vec<_> = seen
                .keys()
                .filter(|id| !accepted.contains_key(id))
                .collect();
            return Err(format!(
                "{} jobs accepted, {} outcomes; missing {missing:?}, unknown {extra:?}; {m:?}",
                accepted.len(),
                seen.len()
            ));
        }
        let sum = m.successful + m.failed + m.timed_out + m.cancelled;
        if m.submitted != accepted.len() as u64
            || sum != m.submitted
            || m.waiting != 0
            || m.running_workers != 0
            || m.dropped != full.load(Ordering::SeqCst)
        {
            return Err(format!(
                "metrics do not add up for {} accepted, {} refused as full: {m:?}",
                accepted.len(),
                full.load(Ordering::SeqCst)
            ));
        }
        for (id, job) in &accepted {
            let o = &seen[id];
            let ok = match (job, o) {
                (_, Outcome::Cancelled) => true,
                (Job::Ok, Outcome::Success(v)) => v == id,
                (Job::Err, Outcome::Failed(e)) => *e == format!("job {id} failed"),
                (Job::Panic, Outcome::Panicked(e)) => e.ends_with(&format!("job {id} panicked")),
                (Job::ClosurePanic, Outcome::Panicked(e)) => {
                    e.ends_with(&format!("closure panic {id}"))
                }
                (Job::Sleep(_), Outcome::Success(v)) => v == id,
                (Job::Sleep(ms), Outcome::TimedOut) => {
                    self.timeout_ms.is_some_and(|t| t <= *ms || !exact)
                }
                (Job::WaitCtx(_), Outcome::Success(v)) => v == id,
                (Job::WaitCtx(_), Outcome::Failed(e)) => e.ends_with("saw its context done"),
                (Job::WaitCtx(ms), Outcome::TimedOut) => {
                    self.timeout_ms.is_some_and(|t| t <= *ms || !exact)
                }
                _ => false,
            };
            if !ok {
                return Err(format!("job {id} ({job:?}) ended {o:?}"));
            }
        }
        if self.stop == Stop::Close && m.cancelled != 0 {
            return Err(format!("closed, never cancelled, yet {m:?}"));
        }
        report_counts_agree(accepted.len() as u64, &ends)?;
        Ok(accepted.len() as u64)
    }
}

/// A pool job's outcome in the Report's terms.
fn task_outcome(o: &Outcome<u64>) -> TaskOutcome {
    match o {
        Outcome::Success(_) => TaskOutcome::Success,
        Outcome::Failed(_) => TaskOutcome::Failed,
        Outcome::Panicked(_) => TaskOutcome::Panicked,
        Outcome::TimedOut => TaskOutcome::TimedOut,
        Outcome::Cancelled => TaskOutcome::Cancelled,
    }
}

/// The Report's counts from the outcomes main had when the program ended
/// ([`TaskCounts::at_end`]) against each job's end known one by one: exactly one outcome per
/// job, the ones cut off by the end `unfinished` and never `cancelled` (review R18).
fn report_counts_agree(submitted: u64, ends: &[TaskOutcome]) -> Result<(), String> {
    let mut known = TaskCounts {
        submitted,
        ..TaskCounts::default()
    };
    let mut unfinished = 0;
    for &end in ends {
        match end {
            // Not read by main: both count unfinished.
            TaskOutcome::Unread | TaskOutcome::Unfinished => unfinished += 1,
            TaskOutcome::Success
            | TaskOutcome::Failed
            | TaskOutcome::Panicked
            | TaskOutcome::TimedOut
            | TaskOutcome::Cancelled
            | TaskOutcome::Dropped => known.count(end, 1),
        }
    }
    let c = known.at_end();
    if c.unfinished != unfinished || c.accounted() != submitted || ends.len() as u64 != submitted {
        return Err(format!(
            "{submitted} jobs, {} ends ({unfinished} cut off by the end), yet the Report would count {c:?}",
            ends.len()
        ));
    }
    Ok(())
}

// ---- fan-in --------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct FanInPlan {
    producers: u64,
    values: u64,
    consumers: usize,
    cap: usize,
    recv_timeout_ms: u64,
    cancel_at_ms: Option<u64>,
    pause_ms: Vec<u64>,
    /// Consumers try `select { case v := <-ch: default: }` before they block.
    try_first: bool,
}

impl FanInPlan {
    fn new(rng: &mut fastrand::Rng) -> FanInPlan {
        FanInPlan {
            producers: rng.u64(1..5),
            values: rng.u64(0..60),
            consumers: rng.usize(1..5),
            cap: rng.usize(0..9),
            recv_timeout_ms: rng.u64(1..10),
            cancel_at_ms: rng.bool().then(|| rng.u64(0..30)),
            pause_ms: (0..8).map(|_| rng.u64(0..3)).collect(),
            try_first: rng.bool(),
        }
    }

    async fn run(self) -> Result<u64, String> {
        let (ctx, cancel) = context::with_cancel(&context::background());
        let ch: Chan<u64> = Chan::new(self.cap).named("values");
        let sent = Arc::new(AtomicU64::new(0));
        let sent_sum = Arc::new(AtomicU64::new(0));
        let producers = WaitGroup::named("producers");
        for p in 0..self.producers {
            producers.add(1).map_err(|e| e.to_string())?;
            let (ch, ctx, wg, sent, sent_sum) = (
                ch.clone(),
                ctx.clone(),
                producers.clone(),
                sent.clone(),
                sent_sum.clone(),
            );
            let (values, pauses) = (self.values, self.pause_ms.clone());
            go(async move {
                let _d = wg.defer_done();
                for i in 0..values {
                    let v = p * 1000 + i;
                    // select { case ch <- v: case <-ctx.Done(): return }
                    let mut sel = Select::new();
                    let s = sel.send(&ch, v);
                    sel.recv(ctx.done());
                    sel.wait().await;
                    if sel.send_result(s).is_err() {
                        return;
                    }
                    sent.fetch_add(1, Ordering::SeqCst);
                    sent_sum.fetch_add(v, Ordering::SeqCst);
                    let pause = pauses[(i as usize) % pauses.len()];
                    if pause > 0 {
                        time::sleep(Duration::from_millis(pause)).await;
                    }
                }
            });
        }
        let (c2, wg2) = (ch.clone(), producers.clone());
        go(async move {
            wg2.wait().await;
            c2.close().expect("only the closer closes values");
        });
        let totals: Chan<(u64, u64)> = Chan::new(self.consumers);
        for _ in 0..self.consumers {
            let (ch, ctx, totals) = (ch.clone(), ctx.clone(), totals.clone());
            let (timeout, try_first) = (self.recv_timeout_ms, self.try_first);
            go(async move {
                let (mut n, mut sum) = (0, 0);
                loop {
                    if try_first {
                        let mut sel = Select::new();
                        let v = sel.recv(&ch);
                        if sel.try_select() == Some(v.index()) {
                            match sel.recv_value(v) {
                                Some(x) => {
                                    n += 1;
                                    sum += x;
                                    continue;
                                }
                                None => break,
                            }
                        }
                    }
                    let mut sel = Select::new();
                    let v = sel.recv(&ch);
                    let done = sel.recv(ctx.done());
                    sel.recv(&time::after(Duration::from_millis(timeout)));
                    let fired = sel.wait().await;
                    if fired == v.index() {
                        match sel.recv_value(v) {
                            Some(x) => {
                                n += 1;
                                sum += x;
                            }
                            None => break,
                        }
                    } else if fired == done.index() {
                        break;
                    }
                }
                totals.send((n, sum)).await.expect("totals stays open");
            });
        }
        if let Some(ms) = self.cancel_at_ms {
            time::sleep(Duration::from_millis(ms)).await;
            cancel.cancel();
        }
        let (mut n, mut sum) = (0, 0);
        for _ in 0..self.consumers {
            let (a, b) = totals.recv().await.expect("one total per consumer");
            n += a;
            sum += b;
        }
        producers.wait().await;
        // What the consumers left in the buffer after a cancel is not lost: it is still there.
        while let Ok(x) = ch.try_recv() {
            n += 1;
            sum += x;
        }
        cancel.cancel();
        let (s, ss) = (sent.load(Ordering::SeqCst), sent_sum.load(Ordering::SeqCst));
        if (n, sum) != (s, ss) {
            return Err(format!(
                "sent {s} values (sum {ss}), received {n} (sum {sum})"
            ));
        }
        if self.cancel_at_ms.is_none() && s != self.producers * self.values {
            return Err(format!("no cancel, yet only {s} values sent"));
        }
        Ok(n)
    }
}

// ---- pipeline ------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct PipelinePlan {
    stages: usize,
    values: u64,
    cancel_after: u64,
    cap: usize,
}

impl PipelinePlan {
    async fn run(self) -> Result<u64, String> {
        let (ctx, cancel) = context::with_cancel(&context::background());
        let wg = WaitGroup::named("stages");
        let src: Chan<u64> = Chan::new(self.cap);
        let (s, c, w) = (src.clone(), ctx.clone(), wg.clone());
        w.add(1).map_err(|e| e.to_string())?;
        let values = self.values;
        go(async move {
            let _d = w.defer_done();
            for i in 0..values {
                let mut sel = Select::new();
                let sent = sel.send(&s, i);
                sel.recv(c.done());
                sel.wait().await;
                if sel.send_result(sent).is_err() {
                    break;
                }
                time::sleep(Duration::from_millis(1)).await;
            }
            s.close().expect("the generator closes its output");
        });
        let mut input = src;
        for _ in 0..self.stages {
            let out: Chan<u64> = Chan::new(self.cap);
            let (inp, o, c, w) = (input.clone(), out.clone(), ctx.clone(), wg.clone());
            w.add(1).map_err(|e| e.to_string())?;
            go(async move {
                let _d = w.defer_done();
                loop {
                    let mut sel = Select::new();
                    let r = sel.recv(&inp);
                    sel.recv(c.done());
                    if sel.wait().await != r.index() {
                        break;
                    }
                    let Some(v) = sel.recv_value(r) else { break };
                    drop(sel);
                    let mut sel = Select::new();
                    let sent = sel.send(&o, v + 1);
                    sel.recv(c.done());
                    sel.wait().await;
                    if sel.send_result(sent).is_err() {
                        break;
                    }
                }
                o.close().expect("each stage closes its output");
            });
            input = out;
        }
        let (c2, cancel2) = (ctx.clone(), cancel.clone());
        let after = self.cancel_after;
        go(async move {
            let mut sel = Select::new();
            sel.recv(c2.done());
            sel.recv(&time::after(Duration::from_millis(after)));
            sel.wait().await;
            cancel2.cancel();
        });
        let mut got = 0;
        let mut last = None;
        while let Some(v) = input.recv().await {
            let want = got + self.stages as u64;
            if v != want {
                return Err(format!("value {got} came out as {v}, {want} expected"));
            }
            got += 1;
            last = Some(v);
        }
        wg.wait().await;
        cancel.cancel();
        if after >= 10_000 && got != self.values {
            return Err(format!("{got} of {} values, last {last:?}", self.values));
        }
        Ok(got)
    }
}

// ---- semaphore and mutex -------------------------------------------------------------------

#[derive(Debug, Clone)]
struct SemaphorePlan {
    permits: usize,
    goroutines: usize,
    /// `None`: a plain `acquire`, which hangs the run if a wake-up is lost.
    timeouts_ms: Vec<Option<u64>>,
    holds_ms: Vec<u64>,
}

impl SemaphorePlan {
    async fn run(self) -> Result<u64, String> {
        let sem = Semaphore::named(self.permits, "permits");
        let holders = Arc::new(AtomicU64::new(0));
        let max = Arc::new(AtomicU64::new(0));
        let count = Arc::new(Mutex::new(0u64));
        let wg = WaitGroup::named("goroutines");
        for g in 0..self.goroutines {
            wg.add(1).map_err(|e| e.to_string())?;
            let (sem, holders, max, count, wg) = (
                sem.clone(),
                holders.clone(),
                max.clone(),
                count.clone(),
                wg.clone(),
            );
            let (wait, hold) = (self.timeouts_ms[g % 30], self.holds_ms[g % 30]);
            go(async move {
                let _d = wg.defer_done();
                match wait {
                    // The acquire is dropped when the timeout fires first: its place in line
                    // must go, and a permit it was woken for must pass on to the next in line.
                    Some(ms) => {
                        if time::timeout(Duration::from_millis(ms), sem.acquire())
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                    None => sem.acquire().await,
                }
                let h = holders.fetch_add(1, Ordering::SeqCst) + 1;
                max.fetch_max(h, Ordering::SeqCst);
                match count.try_lock() {
                    Some(mut c) => *c += 1,
                    None => *count.lock().await += 1,
                }
                time::sleep(Duration::from_millis(hold)).await;
                holders.fetch_sub(1, Ordering::SeqCst);
                sem.release();
            });
        }
        wg.wait().await;
        let (m, c) = (max.load(Ordering::SeqCst), *count.lock().await);
        if m > self.permits as u64 {
            return Err(format!("{m} holders at once, {} permits", self.permits));
        }
        if sem.available() != self.permits || sem.waiting() != 0 {
            return Err(format!(
                "after the run: {} of {} permits free, {} waiting",
                sem.available(),
                self.permits,
                sem.waiting()
            ));
        }
        Ok(c)
    }
}

// ---- leak ----------------------------------------------------------------------------------

/// The guide's Error 1: nobody closes `jobs`, so every worker stays blocked in its range.
async fn leak(workers: usize, jobs: usize) -> Result<u64, String> {
    let ch: Chan<usize> = Chan::new(0).named("jobs");
    for _ in 0..workers {
        let c = ch.clone();
        crate::runtime::go_named("worker", async move { while c.recv().await.is_some() {} });
    }
    for j in 0..jobs {
        ch.send(j).await.map_err(|e| e.to_string())?;
    }
    // Let the workers park on their receive before main returns.
    time::sleep(Duration::from_millis(5)).await;
    Ok(jobs as u64)
}
