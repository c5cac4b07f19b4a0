//! Every program of the guide as a scenario: run it, measure it, explain it.
//!
//! A scenario is an async `main` that runs on a fresh [`Runtime`], records what happens in a
//! [`Recorder`], and ends as a [`Report`]. The ids are part of the interface (CLI, wasm API, URLs).
//!
//! # Examples
//!
//! ```
//! use serde_json::json;
//! use worker_pool_playground::scenario::{run_blocking, Env};
//!
//! let r = run_blocking("leak-unclosed-channel", Some("wrong"), &json!({}), &Env::native()).unwrap();
//! assert_eq!(r.goroutines_after, 5); // the five workers, blocked on `range jobs`
//! ```

mod best_practices;
mod comparison;
mod database;
mod errors;
pub mod params;
mod pools;
mod report;
mod sizing;

use std::{fmt, future::Future, pin::Pin, sync::Arc, time::Duration};

use serde::Serialize;
use serde_json::{json, Value};
use web_time::Instant;

pub use self::{
    params::{Mode, Params, Workload},
    report::{Check, Latency, Recorder, Report, Table, TaskCounts, TimelineRow, TimelineTask},
};
use crate::{
    metrics::{
        alloc::{heap, reset_peak, HeapStats},
        Series,
    },
    params::ParamError,
    runtime::{Finding, FindingKind, Progress, RunError, RunHandle, Runtime, SpawnHandler},
    time,
    workload::do_work,
};

/// The event log of a scenario run keeps this many events (about 5 MB); `Runtime::trace` is
/// built from it.
const EVENTS_CAP: usize = 100_000;

/// What a scenario's `main` gets.
pub struct Ctx {
    /// The parameters after defaults.
    pub p: Params,
    /// The variant being run.
    pub variant: &'static str,
    /// Where it records what happened.
    pub rec: Recorder,
}

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ctx({})", self.variant)
    }
}

impl Ctx {
    /// A random generator for task `id`: the same seed and id give the same choices whatever
    /// thread runs the task.
    pub fn rng(&self, id: u64) -> fastrand::Rng {
        fastrand::Rng::with_seed(
            self.p.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                ^ id.wrapping_add(1).wrapping_mul(0xBF58_476D_1CE4_E5B9),
        )
    }

    /// The task's work as the parameters say: `doWork`, a random sleep, or both; fails with
    /// "random processing error" at `failure_rate`.
    ///
    /// # Errors
    ///
    /// "random processing error" for the chosen share of tasks.
    pub async fn work(&self, id: u64) -> Result<u64, String> {
        let mut rng = self.rng(id);
        let p = &self.p;
        let sleep_ms = if p.sleep_max_ms > 0 {
            rng.u64(0..p.sleep_max_ms)
        } else {
            0
        };
        let out = match p.workload {
            Workload::Cpu => do_work(p.work_iterations),
            Workload::Io => {
                time::sleep(Duration::from_millis(sleep_ms)).await;
                sleep_ms
            }
            Workload::Mixed => {
                let s = do_work(p.work_iterations / 2);
                time::sleep(Duration::from_millis(sleep_ms / 2)).await;
                s
            }
        };
        if p.failure_rate > 0.0 && rng.f64() < p.failure_rate {
            return Err("random processing error".into());
        }
        Ok(out)
    }
}

/// Runtime milliseconds now (inside a goroutine).
pub fn now_ms() -> f64 {
    crate::runtime::now_ns() as f64 / 1e6
}

type Main = fn(Arc<Ctx>) -> Pin<Box<dyn Future<Output = ()> + Send>>;

/// One variant of a scenario.
#[derive(Debug, Clone, Serialize)]
pub struct VariantInfo {
    /// Id, e.g. `wrong`.
    pub id: &'static str,
    /// Label, e.g. `❌ channel never closed`.
    pub label: &'static str,
    /// True for the guide's "incorrect" versions.
    pub wrong: bool,
}

/// A scenario as listed by `list` and `scenarios()`.
#[derive(Clone, Serialize)]
pub struct Spec {
    /// The id (part of the interface).
    pub id: &'static str,
    /// The guide's section.
    pub section: &'static str,
    /// A short title.
    pub title: &'static str,
    /// What the run shows, in one sentence.
    pub shows: &'static str,
    /// Variants; the first is the default.
    pub variants: Vec<VariantInfo>,
    /// The guide's defaults for this scenario.
    pub defaults: Value,
    /// Which parameters this scenario reads (the page shows only these).
    pub uses: Vec<&'static str>,
    #[serde(skip)]
    main: Main,
    #[serde(skip)]
    lesson: fn(&Report) -> String,
    /// Goroutines alive at once as a function of the parameters (for the memory budget).
    #[serde(skip)]
    peak: fn(&Params) -> u64,
}

impl fmt::Debug for Spec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Spec({})", self.id)
    }
}

fn v(id: &'static str, label: &'static str, wrong: bool) -> VariantInfo {
    VariantInfo { id, label, wrong }
}

/// Every scenario, in the guide's order.
pub fn scenarios() -> Vec<Spec> {
    vec![
        pools::unlimited_spec(),
        pools::fixed_pool_spec(),
        pools::context_pool_spec(),
        database::spec(),
        comparison::spec(),
        errors::leak_spec(),
        errors::send_closed_spec(),
        errors::deadlock_spec(),
        errors::waitgroup_spec(),
        best_practices::spec(),
        sizing::spec(),
    ]
}

/// Where scenarios run: the build's name, its threads, its memory budget, how to start threads.
pub struct Env {
    /// `native`, `threads` or `single`.
    pub build: &'static str,
    /// GOMAXPROCS (0: pumped by the caller, the single-threaded build).
    pub threads: usize,
    /// Bytes a run may plan to use.
    pub budget: u64,
    /// Starts runner threads (the browser's Web Workers); `None` uses `std::thread`.
    pub spawn: Option<fn() -> SpawnHandler>,
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Env({}, {} threads)", self.build, self.threads)
    }
}

impl Env {
    /// OS threads, one per core, an 8 GiB budget.
    pub fn native() -> Env {
        #[cfg(not(target_arch = "wasm32"))]
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        #[cfg(target_arch = "wasm32")]
        let threads = 0;
        Env {
            build: "native",
            threads,
            budget: 8 << 30,
            spawn: None,
        }
    }
}

/// Why a run could not start.
#[derive(Debug, Clone, PartialEq)]
pub enum ScenarioError {
    /// No scenario with that id.
    UnknownScenario(String),
    /// No variant with that id.
    UnknownVariant(String, String),
    /// A bad parameter, or one over the memory budget.
    Param(ParamError),
    /// The runtime could not start.
    Runtime(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::UnknownScenario(id) => {
                let ids: Vec<_> = scenarios().iter().map(|s| s.id).collect();
                write!(f, "unknown scenario {id:?} (known: {})", ids.join(", "))
            }
            ScenarioError::UnknownVariant(s, v) => {
                let vs: Vec<_> = scenarios()
                    .into_iter()
                    .find(|x| x.id == s)
                    .map(|x| x.variants.iter().map(|v| v.id).collect())
                    .unwrap_or_default();
                write!(f, "unknown variant {v:?} of {s} (known: {})", vs.join(", "))
            }
            ScenarioError::Param(e) => write!(f, "{e}"),
            ScenarioError::Runtime(e) => write!(f, "the runtime did not start: {e}"),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<ParamError> for ScenarioError {
    fn from(e: ParamError) -> Self {
        ScenarioError::Param(e)
    }
}

/// A live view of a running scenario, posted to the page while it runs.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Runtime ms since start.
    pub t_ms: f64,
    /// Goroutines alive now.
    pub goroutines: usize,
    /// Being polled now.
    pub running: usize,
    /// Parked now.
    pub blocked: usize,
    /// Ready, waiting for a thread.
    pub queued: usize,
    /// Live heap above the start, bytes.
    pub heap_bytes: u64,
    /// Tasks finished so far.
    pub finished: u64,
    /// The series so far (thinned to at most 1500 rows).
    pub series: Series,
}

/// A started scenario. Drive it with [`Run::poll`] until it is done, then [`Run::finish`].
pub struct Run {
    rt: Runtime,
    handle: RunHandle<()>,
    spec: Spec,
    variant: &'static str,
    ctx: Arc<Ctx>,
    build: &'static str,
    started: Instant,
    heap0: HeapStats,
    result: Option<Result<(), RunError>>,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Run({} {})", self.spec.id, self.variant)
    }
}

/// Looks up a scenario and a variant.
///
/// # Errors
///
/// [`ScenarioError::UnknownScenario`] or [`ScenarioError::UnknownVariant`].
pub fn find(id: &str, variant: Option<&str>) -> Result<(Spec, &'static str), ScenarioError> {
    let spec = scenarios()
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| ScenarioError::UnknownScenario(id.into()))?;
    let variant = match variant {
        None | Some("") => spec.variants[0].id,
        Some(v) => spec
            .variants
            .iter()
            .find(|x| x.id == v)
            .map(|x| x.id)
            .ok_or_else(|| ScenarioError::UnknownVariant(id.into(), v.into()))?,
    };
    Ok((spec, variant))
}

impl Run {
    /// Validates the parameters, builds a runtime and starts the scenario's main goroutine.
    ///
    /// # Errors
    ///
    /// Unknown scenario or variant, a bad parameter (or one over the memory budget), or a
    /// runtime that could not start.
    pub fn start(
        id: &str,
        variant: Option<&str>,
        params: &Value,
        env: &Env,
    ) -> Result<Run, ScenarioError> {
        let (spec, variant) = find(id, variant)?;
        let p = params::parse(params, &spec.defaults)?;
        params::check_budget(p.tasks, (spec.peak)(&p), env.budget)?;
        let mut b = Runtime::builder()
            .record_events(EVENTS_CAP)
            .sample_every(Duration::from_secs_f64(0.002 * p.time_scale.max(1.0)))
            .time_scale(p.time_scale);
        b = match (p.mode, env.threads) {
            (Mode::Deterministic, _) => b.deterministic(p.seed),
            (Mode::Real, 0) => b.threads(0),
            (Mode::Real, n) => {
                let b = b.threads(n);
                match env.spawn {
                    Some(spawn) => b.spawn_handler(spawn()),
                    None => b,
                }
            }
        };
        let rt = b
            .build()
            .map_err(|e| ScenarioError::Runtime(e.to_string()))?;
        let ctx = Arc::new(Ctx {
            p,
            variant,
            rec: Recorder::default(),
        });
        reset_peak();
        let heap0 = heap();
        let started = Instant::now();
        let main = spec.main;
        let c = ctx.clone();
        let handle = rt.start(async move { main(c).await });
        Ok(Run {
            rt,
            handle,
            spec,
            variant,
            ctx,
            build: env.build,
            started,
            heap0,
            result: None,
        })
    }

    /// Advances the run (pumping it when the runtime has no threads); never blocks.
    pub fn poll(&mut self) -> Progress {
        if self.result.is_some() {
            return Progress::Done;
        }
        let p = self.rt.poll(&self.handle);
        if p == Progress::Done {
            self.result = self.rt.take(&self.handle);
        }
        p
    }

    /// Deterministic mode: advances the run by `n` events (a goroutine poll, or a jump of
    /// virtual time to the next timer). Runs with threads of their own just report.
    pub fn step(&mut self, n: usize) -> Progress {
        if self.result.is_some() {
            return Progress::Done;
        }
        let mut p = Progress::Running;
        for _ in 0..n.max(1) {
            p = self.rt.step(&self.handle);
            if p == Progress::Done {
                self.result = self.rt.take(&self.handle);
                break;
            }
        }
        p
    }

    /// What the page draws while the run goes.
    pub fn snapshot(&self) -> Snapshot {
        let (goroutines, running, blocked, queued) = self.rt.counts();
        let mut series = self.rt.series();
        series.thin(1500);
        let r = self.ctx.rec.inner.lock().unwrap();
        let c = r.counts;
        Snapshot {
            t_ms: self.rt.now_ms(),
            goroutines,
            running,
            blocked,
            queued,
            heap_bytes: heap().live_bytes.saturating_sub(self.heap0.live_bytes),
            finished: c.successful + c.failed + c.timed_out + c.cancelled,
            series,
        }
    }

    /// Stops the run: the next poll ends it, and the report says "stopped".
    pub fn stop(&self) {
        self.rt.abort();
    }

    /// Builds the report of a finished (or stopped) run.
    pub fn finish(mut self) -> Report {
        let wall_ms = self.started.elapsed().as_secs_f64() * 1e3;
        let runtime_ms = self.rt.now_ms();
        let result = self.result.take().unwrap_or(Err(RunError::Aborted));
        let ended = match &result {
            Ok(()) => "completed",
            Err(RunError::Deadlock(_)) => "deadlock",
            Err(RunError::Panic(_)) => "panic",
            Err(RunError::Aborted) => "stopped",
        };
        // Let goroutines on their way out finish (Go's program sleeps 100 ms for this).
        let after = if ended == "completed" {
            self.rt.settle(Duration::from_millis(200))
        } else {
            self.rt.num_goroutine()
        };
        self.rt.sample();
        let heap1 = heap();
        let mut findings = self.rt.findings();
        if let Err(RunError::Panic(m)) = &result {
            findings.push(Finding {
                kind: FindingKind::Panic,
                message: format!("panic: {m} [goroutine 1]"),
                at_ms: runtime_ms,
                goroutines: vec![],
            });
        }
        let leaks = self.rt.leaks();
        if ended == "completed" && !leaks.is_empty() {
            findings.push(Finding {
                kind: FindingKind::Leak,
                message: format!(
                    "{} goroutine{} still blocked after main returned",
                    leaks.len(),
                    if leaks.len() == 1 { " is" } else { "s are" }
                ),
                at_ms: runtime_ms,
                goroutines: leaks,
            });
        }
        let mut rec = std::mem::take(&mut *self.ctx.rec.inner.lock().unwrap());
        findings.append(&mut rec.findings);
        let mut by_worker: std::collections::BTreeMap<u64, Vec<TimelineTask>> = Default::default();
        for (w, t) in rec.tasks.drain(..) {
            by_worker.entry(w).or_default().push(t);
        }
        let timeline = by_worker
            .into_iter()
            .map(|(worker, mut tasks)| {
                tasks.sort_by(|a, b| a.start_ms.total_cmp(&b.start_ms));
                TimelineRow { worker, tasks }
            })
            .collect();
        let mut c = rec.counts;
        let finished = c.successful + c.failed + c.timed_out + c.cancelled;
        if ended != "completed" && c.submitted > finished {
            // The run ended (deadlock, panic, stop) with these tasks unfinished: they never
            // complete, which is what "cancelled" means here.
            c.cancelled += c.submitted - finished;
        }
        let completed = c.successful + c.failed + c.timed_out;
        let mut series = self.rt.series();
        series.thin(2000);
        if rec.log_dropped > 0 {
            rec.log
                .push(format!("… {} more lines not shown", rec.log_dropped));
        }
        let mut report = Report {
            scenario: self.spec.id.to_string(),
            variant: self.variant.to_string(),
            params: self.ctx.p.clone(),
            build: self.build,
            threads: self.rt.gomaxprocs(),
            wall_ms,
            runtime_ms,
            goroutines_before: 1,
            peak_goroutines: rec
                .peak_override
                .unwrap_or(self.rt.peak_goroutines() as u64),
            goroutines_after: after as u64,
            heap_peak_bytes: heap1.peak_bytes.saturating_sub(self.heap0.live_bytes),
            total_alloc_bytes: heap1.total_bytes - self.heap0.total_bytes,
            tasks: c,
            latency_ms: Latency::of(&mut rec.latencies),
            throughput_per_s: if runtime_ms > 0.0 {
                completed as f64 / (runtime_ms / 1e3)
            } else {
                0.0
            },
            series,
            timeline,
            findings,
            tables: rec.tables,
            checklist: rec.checklist,
            log: rec.log,
            numbers: rec.numbers,
            lesson: String::new(),
            ended,
        };
        report.lesson = if rec.lesson.is_empty() {
            (self.spec.lesson)(&report)
        } else {
            rec.lesson
        };
        report
    }
}

/// Runs a scenario to the end on the calling thread (native, or a thread that may block).
///
/// # Errors
///
/// As [`Run::start`].
pub fn run_blocking(
    id: &str,
    variant: Option<&str>,
    params: &Value,
    env: &Env,
) -> Result<Report, ScenarioError> {
    let mut run = Run::start(id, variant, params, env)?;
    loop {
        match run.poll() {
            Progress::Done => return Ok(run.finish()),
            Progress::IdleFor(ms) => {
                #[cfg(not(target_arch = "wasm32"))]
                std::thread::sleep(Duration::from_secs_f64(ms.clamp(0.0, 5.0) / 1e3));
                #[cfg(target_arch = "wasm32")]
                let _ = ms;
            }
            Progress::Running =>
            {
                #[cfg(not(target_arch = "wasm32"))]
                if env.threads > 0 {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
        }
    }
}

/// The scenario list as JSON: ids, sections, variants, defaults.
pub fn list_json() -> Value {
    json!(scenarios())
}

/// Formats a byte count like `1.4 MB`.
pub fn fmt_bytes(b: f64) -> String {
    if b >= 1024.0 * 1024.0 {
        format!("{:.2} MB", b / 1024.0 / 1024.0)
    } else if b >= 1024.0 {
        format!("{:.1} KB", b / 1024.0)
    } else {
        format!("{b:.0} B")
    }
}
