//! A scenario's parameters: the guide's defaults, validated, and checked against a memory budget.

use serde::Serialize;
use serde_json::Value;

use crate::{
    params::{choice_param, float_param, int_param, known_keys, ParamError},
    pool::QueuePolicy,
};

/// What each task does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Workload {
    /// The guide's `doWork`: a loop of `work_iterations` additions.
    Cpu,
    /// The guide's `time.Sleep(rand.Intn(sleep_max_ms))`: waiting, not computing.
    Io,
    /// Half of each.
    Mixed,
}

/// Real time (optionally scaled) or deterministic (virtual time, seeded scheduling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Wall-clock time times `time_scale`, on GOMAXPROCS threads.
    Real,
    /// Virtual time and seeded choices on one thread: the same seed, the same run.
    Deterministic,
}

/// Every parameter a scenario takes. Not all scenarios use all of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Params {
    /// Tasks (jobs, queries) to run.
    pub tasks: u64,
    /// Worker goroutines of the pool.
    pub workers: u64,
    /// Capacity of the jobs channel.
    pub queue: u64,
    /// `none` (unbuffered), `bounded` (capacity `queue`) or `unbounded`.
    pub queue_policy: &'static str,
    /// `cpu`, `io` or `mixed`.
    pub workload: Workload,
    /// Iterations of `doWork` for CPU work (the guide: 1,000,000).
    pub work_iterations: u64,
    /// Upper bound of the random sleep of I/O work, in ms (the guide: 1000).
    pub sleep_max_ms: u64,
    /// Share of tasks that fail (the guide's context pool: 0.1).
    pub failure_rate: f64,
    /// Per-task timeout in ms; 0 means none.
    pub task_timeout_ms: u64,
    /// The context timeout of the run in ms (the guide: 10 s); 0 means none.
    pub timeout_ms: u64,
    /// Database connections (the db pool: 3).
    pub connections: u64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Runtime time runs this many times faster than wall time.
    pub time_scale: f64,
    /// `real` or `deterministic`.
    pub mode: Mode,
}

impl Params {
    /// The queue policy as the pool takes it.
    pub fn policy(&self) -> QueuePolicy {
        match self.queue_policy {
            "none" => QueuePolicy::None,
            "unbounded" => QueuePolicy::Unbounded,
            _ => QueuePolicy::Bounded(self.queue as usize),
        }
    }
}

/// The keys a scenario accepts.
pub const KEYS: &[&str] = &[
    "tasks",
    "workers",
    "queue",
    "queue_policy",
    "workload",
    "work_iterations",
    "sleep_max_ms",
    "failure_rate",
    "task_timeout_ms",
    "timeout_ms",
    "connections",
    "seed",
    "time_scale",
    "mode",
];

/// Queue policies; the first is the default.
const POLICIES: &[&str] = &["bounded", "none", "unbounded"];
/// Workloads; the first is the default.
const WORKLOADS: &[&str] = &["io", "cpu", "mixed"];

/// The most tasks any scenario takes.
pub const MAX_TASKS: u64 = 1_000_000;

/// Reads `v` over `defaults`.
///
/// # Errors
///
/// A [`ParamError`] naming the first bad or unknown parameter.
pub fn parse(v: &Value, defaults: &Value) -> Result<Params, ParamError> {
    known_keys(v, KEYS)?;
    let d = |k: &str| defaults.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    // A scenario's default for a choice, as the matching entry of `choices` (which outlives it).
    let ds = |k: &str, choices: &[&'static str]| {
        defaults
            .get(k)
            .and_then(Value::as_str)
            .and_then(|s| choices.iter().copied().find(|c| *c == s))
            .unwrap_or(choices[0])
    };
    let p = Params {
        tasks: int_param(v, "tasks", d("tasks") as u64, 1, MAX_TASKS)?,
        workers: int_param(v, "workers", d("workers") as u64, 1, 10_000)?,
        queue: int_param(v, "queue", d("queue") as u64, 0, 1_000_000)?,
        queue_policy: choice_param(v, "queue_policy", ds("queue_policy", POLICIES), POLICIES)?,
        workload: match choice_param(v, "workload", ds("workload", WORKLOADS), WORKLOADS)? {
            "cpu" => Workload::Cpu,
            "mixed" => Workload::Mixed,
            _ => Workload::Io,
        },
        work_iterations: int_param(
            v,
            "work_iterations",
            d("work_iterations") as u64,
            0,
            100_000_000,
        )?,
        sleep_max_ms: int_param(v, "sleep_max_ms", d("sleep_max_ms") as u64, 0, 60_000)?,
        failure_rate: float_param(v, "failure_rate", d("failure_rate"), 0.0, 1.0)?,
        task_timeout_ms: int_param(
            v,
            "task_timeout_ms",
            d("task_timeout_ms") as u64,
            0,
            600_000,
        )?,
        timeout_ms: int_param(v, "timeout_ms", d("timeout_ms") as u64, 0, 3_600_000)?,
        connections: int_param(v, "connections", d("connections") as u64, 1, 1000)?,
        seed: int_param(v, "seed", d("seed") as u64, 0, u32::MAX as u64)?,
        time_scale: float_param(v, "time_scale", d("time_scale"), 0.01, 10_000.0)?,
        mode: match choice_param(v, "mode", "real", &["real", "deterministic"])? {
            "deterministic" => Mode::Deterministic,
            _ => Mode::Real,
        },
    };
    Ok(p)
}

/// Heap bytes one parked goroutine with a pending timer costs, measured with the bench
/// (about 350 B blocked on a channel, plus a timer and its waker), rounded up generously.
pub const BYTES_PER_GOROUTINE: u64 = 1024;
/// Bytes one recorded task costs in the report (timeline, latency, results).
pub const BYTES_PER_TASK: u64 = 256;

/// Refuses settings whose estimated memory exceeds `budget` bytes.
///
/// # Errors
///
/// A [`ParamError`] on `tasks` saying how much the run would need and what the budget is.
///
/// # Examples
///
/// ```
/// use worker_pool_playground::scenario::params::check_budget;
/// assert!(check_budget(1000, 1000, 512 << 20).is_ok());
/// let e = check_budget(1_000_000, 1_000_000, 512 << 20).unwrap_err();
/// assert!(e.to_string().starts_with("tasks: 1000000 goroutines alive at once need about 1220 MiB"));
/// ```
pub fn check_budget(tasks: u64, peak_goroutines: u64, budget: u64) -> Result<(), ParamError> {
    let need = peak_goroutines * BYTES_PER_GOROUTINE + tasks * BYTES_PER_TASK;
    if need > budget {
        return Err(ParamError {
            name: "tasks".into(),
            message: format!(
                "{tasks} goroutines alive at once need about {} MiB, more than this build's budget of {} MiB; use fewer tasks or a pool",
                need >> 20,
                budget >> 20
            ),
        });
    }
    Ok(())
}
