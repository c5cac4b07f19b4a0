//! Every parameter a scenario takes: one table of rules (type, range, unit, label, help), the
//! typed [`Params`] a run reads, and the memory budget check.
//!
//! This table is the one source of truth: `list --json` and the wasm `scenarios()` publish it,
//! the page builds its form from it, the CLI converts `--name value` with it, and the Go programs
//! read their flag names from it.

use serde::{ser::SerializeMap, Serialize, Serializer};

use crate::params::{check_all, Kind, ParamError, ParamSpec, RawParams, Value};

/// Declares a choice parameter's enum: its names are the schema's choices, in order.
macro_rules! choice_enum {
    ($(#[$m:meta])* pub enum $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($(#[$vm])* $v),* }
        impl $name {
            /// Every choice, in the schema's order.
            pub const ALL: &'static [$name] = &[$($name::$v),*];
            /// The names the schema lists, in the same order as [`Self::ALL`].
            pub const NAMES: &'static [&'static str] = &[$($s),*];
            /// The name, as the schema, the CLI and the Report spell it.
            pub const fn name(self) -> &'static str {
                match self { $($name::$v => $s),* }
            }
            /// The choice with this name (`None` for a name the schema does not list).
            pub fn from_name(s: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|c| c.name() == s)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}

choice_enum! {
    /// How the jobs queue buffers.
    pub enum QueuePolicy {
        /// A buffer of `queue` slots: `submit` waits when it is full.
        Bounded = "bounded",
        /// Unbuffered: `submit` waits until a worker takes the job.
        None = "none",
        /// Never full: `submit` never waits, memory is the limit.
        Unbounded = "unbounded",
    }
}

choice_enum! {
    /// What each task does.
    pub enum Workload {
        /// The guide's `time.Sleep(rand.Intn(sleep_max_ms))`: waiting, not computing.
        Io = "io",
        /// The guide's `doWork`: a loop of `work_iterations` additions.
        Cpu = "cpu",
        /// Half of each.
        Mixed = "mixed",
    }
}

choice_enum! {
    /// Real time (optionally scaled) or deterministic (virtual time, seeded scheduling).
    pub enum Mode {
        /// Wall-clock time times `time_scale`, on GOMAXPROCS threads.
        Real = "real",
        /// Virtual time and seeded choices on one thread: the same seed, the same run.
        Deterministic = "deterministic",
    }
}

/// Declares the parameters: the enum and, in the same order, each one's rule.
macro_rules! params {
    ($($(#[$vm:meta])* $v:ident => $name:literal, $kind:expr, $label:literal, $unit:literal, $help:literal;)*) => {
        /// A parameter's name, as a type: a misspelt parameter does not compile.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Param { $($(#[$vm])* $v),* }
        impl Param {
            /// Every parameter, in the schema's order.
            pub const ALL: &'static [Param] = &[$(Param::$v),*];
            /// Its rule.
            pub fn spec(self) -> &'static ParamSpec {
                &SPECS[self as usize]
            }
            /// Its name.
            pub fn name(self) -> &'static str {
                self.spec().name
            }
        }
        /// The rule of every parameter, indexed by [`Param`].
        pub static SPECS: &[ParamSpec] = &[$(ParamSpec {
            name: $name, kind: $kind, label: $label, unit: $unit, help: $help,
        }),*];
    };
}

/// The most tasks any scenario takes.
pub const MAX_TASKS: u64 = 1_000_000;

params! {
    /// How many tasks.
    Tasks => "tasks", Kind::Int { min: 1, max: MAX_TASKS }, "Tasks", "tasks",
        "How many tasks (jobs, queries, sends) the program runs.";
    /// Worker goroutines.
    Workers => "workers", Kind::Int { min: 1, max: 10_000 }, "Workers", "goroutines",
        "Worker goroutines reading the jobs channel.";
    /// Channel capacity.
    Queue => "queue", Kind::Int { min: 0, max: 1_000_000 }, "Channel buffer", "slots",
        "Capacity of the jobs channel (and of results where the program buffers both); 0 is unbuffered.";
    /// Queue policy.
    QueuePolicy => "queue_policy", Kind::Choice(QueuePolicy::NAMES), "Queue policy", "",
        "bounded: a buffer of `queue` slots; none: unbuffered; unbounded: never full.";
    /// What a task does.
    Workload => "workload", Kind::Choice(Workload::NAMES), "Workload", "",
        "io: each task sleeps; cpu: each task runs doWork; mixed: half of each.";
    /// doWork's loop length.
    WorkIterations => "work_iterations", Kind::Int { min: 0, max: 100_000_000 }, "doWork iterations", "iterations",
        "Iterations of the guide's doWork loop for CPU-bound tasks (the guide: 1,000,000).";
    /// Bound of the random sleep.
    SleepMaxMs => "sleep_max_ms", Kind::Int { min: 0, max: 60_000 }, "Longest task sleep", "ms",
        "Each task sleeps a random 0 to max-1 ms, like the guide's rand.Intn.";
    /// Share of failing tasks.
    FailureRate => "failure_rate", Kind::Float { min: 0.0, max: 1.0 }, "Failure rate", "",
        "Share of tasks that fail with \"random processing error\" (0 to 1).";
    /// Per-task timeout.
    TaskTimeoutMs => "task_timeout_ms", Kind::Int { min: 0, max: 600_000 }, "Task timeout", "ms",
        "Each task is stopped after this long (0: no timeout).";
    /// The run's time limit.
    TimeoutMs => "timeout_ms", Kind::Int { min: 0, max: 3_600_000 }, "Time limit", "ms",
        "The context timeout of the run, or how long main waits before giving up (0: none).";
    /// Database connections.
    Connections => "connections", Kind::Int { min: 1, max: 1000 }, "DB connections", "connections",
        "Connections in the database pool.";
    /// Senders.
    Senders => "senders", Kind::Int { min: 1, max: 1000 }, "Senders", "goroutines",
        "Goroutines sending on the one channel.";
    /// Seed of every random choice.
    Seed => "seed", Kind::Int { min: 0, max: u32::MAX as u64 }, "Seed", "",
        "Seed of the workload generator (and of scheduling in deterministic mode).";
    /// Runtime time per wall time.
    TimeScale => "time_scale", Kind::Float { min: 0.01, max: 10_000.0 }, "Time scale", "x",
        "Runtime time runs this many times faster than wall time; reported times are runtime times.";
    /// Real or deterministic.
    Mode => "mode", Kind::Choice(Mode::NAMES), "Mode", "",
        "real: wall-clock time on GOMAXPROCS threads; deterministic: virtual time, one thread, seeded.";
    /// The practice to switch off.
    Break => "break", Kind::Int { min: 0, max: 15 }, "Break a practice", "",
        "0: all 15 practices on; 1 to 15: the same pool with that one practice switched off.";
    /// Repetitions.
    Trials => "trials", Kind::Int { min: 1, max: 10_000 }, "Trials", "runs",
        "How many times the guide's timing is tried.";
    /// The producer's pace.
    SubmitEveryMs => "submit_every_ms", Kind::Float { min: 0.0, max: 10_000.0 }, "Submit every", "ms",
        "The producer submits one task every this many ms.";
    /// The token bucket's rate.
    RatePerS => "rate_per_s", Kind::Float { min: 0.1, max: 100_000.0 }, "Rate limit", "tasks/s",
        "Tokens the bucket gains per second: the most tasks started per second, after a burst.";
    /// The token bucket's size.
    Burst => "burst", Kind::Int { min: 1, max: 100_000 }, "Burst", "tokens",
        "Tokens the bucket holds when full: how many tasks may start at once.";
}

/// The parameters of one run, typed, after defaults.
///
/// Every scenario reads only some of them (the schema lists which); the others keep neutral
/// values and are not reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// Tasks (jobs, queries, sends) to run.
    pub tasks: u64,
    /// Worker goroutines.
    pub workers: u64,
    /// Capacity of the jobs channel.
    pub queue: u64,
    /// How the queue buffers.
    pub queue_policy: QueuePolicy,
    /// What each task does.
    pub workload: Workload,
    /// Iterations of `doWork`.
    pub work_iterations: u64,
    /// Upper bound (exclusive) of a task's random sleep, ms.
    pub sleep_max_ms: u64,
    /// Share of tasks that fail.
    pub failure_rate: f64,
    /// Per-task timeout, ms; 0: none.
    pub task_timeout_ms: u64,
    /// The run's context timeout or wait limit, ms; 0: none.
    pub timeout_ms: u64,
    /// Database connections.
    pub connections: u64,
    /// Sending goroutines.
    pub senders: u64,
    /// Seed of every random choice.
    pub seed: u64,
    /// Runtime time runs this many times faster than wall time.
    pub time_scale: f64,
    /// Real or deterministic.
    pub mode: Mode,
    /// The best practice switched off (0: none).
    pub break_practice: u64,
    /// Repetitions of a timing experiment.
    pub trials: u64,
    /// The producer's interval, ms.
    pub submit_every_ms: f64,
    /// Token bucket rate, per second.
    pub rate_per_s: f64,
    /// Token bucket size.
    pub burst: u64,
    /// The parameters this scenario reads (and reports), with its defaults.
    used: &'static [(Param, Value)],
}

impl Default for Params {
    /// Neutral values; a run overwrites every parameter its scenario reads.
    fn default() -> Params {
        Params {
            tasks: 1,
            workers: 1,
            queue: 0,
            queue_policy: QueuePolicy::Bounded,
            workload: Workload::Io,
            work_iterations: 0,
            sleep_max_ms: 0,
            failure_rate: 0.0,
            task_timeout_ms: 0,
            timeout_ms: 0,
            connections: 1,
            senders: 1,
            seed: 1,
            time_scale: 1.0,
            mode: Mode::Real,
            break_practice: 0,
            trials: 1,
            submit_every_ms: 0.0,
            rate_per_s: 1.0,
            burst: 1,
            used: &[],
        }
    }
}

impl Params {
    /// Sets one parameter from a value its rule accepted.
    fn set(&mut self, p: Param, v: Value) {
        // A choice's name was checked against `NAMES`, which lists exactly `ALL`'s names.
        let listed = "checked against the same list";
        match p {
            Param::Tasks => self.tasks = v.int(),
            Param::Workers => self.workers = v.int(),
            Param::Queue => self.queue = v.int(),
            Param::QueuePolicy => {
                self.queue_policy = QueuePolicy::from_name(v.choice()).expect(listed)
            }
            Param::Workload => self.workload = Workload::from_name(v.choice()).expect(listed),
            Param::WorkIterations => self.work_iterations = v.int(),
            Param::SleepMaxMs => self.sleep_max_ms = v.int(),
            Param::FailureRate => self.failure_rate = v.float(),
            Param::TaskTimeoutMs => self.task_timeout_ms = v.int(),
            Param::TimeoutMs => self.timeout_ms = v.int(),
            Param::Connections => self.connections = v.int(),
            Param::Senders => self.senders = v.int(),
            Param::Seed => self.seed = v.int(),
            Param::TimeScale => self.time_scale = v.float(),
            Param::Mode => self.mode = Mode::from_name(v.choice()).expect(listed),
            Param::Break => self.break_practice = v.int(),
            Param::Trials => self.trials = v.int(),
            Param::SubmitEveryMs => self.submit_every_ms = v.float(),
            Param::RatePerS => self.rate_per_s = v.float(),
            Param::Burst => self.burst = v.int(),
        }
    }

    /// One parameter's value.
    pub fn get(&self, p: Param) -> Value {
        match p {
            Param::Tasks => Value::Int(self.tasks),
            Param::Workers => Value::Int(self.workers),
            Param::Queue => Value::Int(self.queue),
            Param::QueuePolicy => Value::Choice(self.queue_policy.name()),
            Param::Workload => Value::Choice(self.workload.name()),
            Param::WorkIterations => Value::Int(self.work_iterations),
            Param::SleepMaxMs => Value::Int(self.sleep_max_ms),
            Param::FailureRate => Value::Float(self.failure_rate),
            Param::TaskTimeoutMs => Value::Int(self.task_timeout_ms),
            Param::TimeoutMs => Value::Int(self.timeout_ms),
            Param::Connections => Value::Int(self.connections),
            Param::Senders => Value::Int(self.senders),
            Param::Seed => Value::Int(self.seed),
            Param::TimeScale => Value::Float(self.time_scale),
            Param::Mode => Value::Choice(self.mode.name()),
            Param::Break => Value::Int(self.break_practice),
            Param::Trials => Value::Int(self.trials),
            Param::SubmitEveryMs => Value::Float(self.submit_every_ms),
            Param::RatePerS => Value::Float(self.rate_per_s),
            Param::Burst => Value::Int(self.burst),
        }
    }

    /// The parameters this run's scenario reads, in schema order.
    pub fn used(&self) -> impl Iterator<Item = Param> + '_ {
        self.used.iter().map(|(p, _)| *p)
    }

    /// Types `raw` over the scenario's defaults (`used`) and the variant's (`overrides`).
    ///
    /// # Errors
    ///
    /// A [`ParamError`] for the first parameter this scenario does not read, or the first bad
    /// value.
    pub fn parse(
        raw: &RawParams,
        used: &'static [(Param, Value)],
        overrides: &[(Param, Value)],
    ) -> Result<Params, ParamError> {
        let specs: Vec<ParamSpec> = used.iter().map(|(p, _)| *p.spec()).collect();
        let given = check_all(raw, &specs)?;
        let mut p = Params {
            used,
            ..Params::default()
        };
        for (param, v) in used.iter().chain(overrides) {
            p.set(*param, *v);
        }
        for (i, v) in given {
            p.set(used[i].0, v);
        }
        Ok(p)
    }
}

impl Serialize for Params {
    /// Only the parameters the scenario reads, by name: what a client would send to repeat
    /// the run.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.used.len()))?;
        for p in self.used() {
            m.serialize_entry(p.name(), &self.get(p))?;
        }
        m.end()
    }
}

/// The margin over the measured bytes: measurements vary between runs and builds, and a run
/// that passes the check must not run the module out of memory.
pub const MARGIN: f64 = 1.5;

/// Refuses settings whose estimated memory, `need` bytes times [`MARGIN`], exceeds `budget`.
///
/// # Errors
///
/// A [`ParamError`] on `tasks` saying how much the run would need and what the budget is.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::scenario::params::check_budget;
/// assert!(check_budget(1_000_000, 318 << 20, 640 << 20).is_ok());
/// let e = check_budget(1_000_000, 547 << 20, 640 << 20).unwrap_err();
/// assert_eq!(e.to_string(), "tasks: 1000000 tasks with these settings need about 820 MiB (measured, with a 1.5× margin), more than this build's budget of 640 MiB; use fewer tasks or a pool");
/// ```
pub fn check_budget(tasks: u64, need: u64, budget: u64) -> Result<(), ParamError> {
    let need = (need as f64 * MARGIN) as u64;
    if need > budget {
        return Err(ParamError::new(
            "tasks",
            format!(
                "{tasks} tasks with these settings need about {} MiB (measured, with a {MARGIN}× margin), more than this build's budget of {} MiB; use fewer tasks or a pool",
                need >> 20,
                budget >> 20
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::RawValue;

    #[test]
    fn every_param_has_its_rule_in_order() {
        assert_eq!(Param::ALL.len(), SPECS.len());
        for (i, p) in Param::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i);
            assert!(
                !p.spec().label.is_empty() && !p.spec().help.is_empty(),
                "{p:?}"
            );
        }
        // get() and set() agree for every parameter.
        let mut q = Params::default();
        for p in Param::ALL {
            let v = q.get(*p);
            q.set(*p, v);
            assert_eq!(q.get(*p), v, "{p:?}");
        }
    }

    #[test]
    fn parse_types_over_defaults() {
        static USED: &[(Param, Value)] = &[
            (Param::Tasks, Value::Int(20)),
            (Param::Mode, Value::Choice("real")),
            (Param::QueuePolicy, Value::Choice("bounded")),
        ];
        let p = Params::parse(&RawParams::new(), USED, &[(Param::Tasks, Value::Int(5))]).unwrap();
        assert_eq!((p.tasks, p.mode), (5, Mode::Real));
        let raw = RawParams::new()
            .with("tasks", RawValue::Number(7.0))
            .with("queue_policy", RawValue::Text("none".into()));
        let p = Params::parse(&raw, USED, &[]).unwrap();
        assert_eq!((p.tasks, p.queue_policy), (7, QueuePolicy::None));
        let e = Params::parse(
            &RawParams::new().with("workers", RawValue::Number(2.0)),
            USED,
            &[],
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "workers: unknown parameter (known: tasks, mode, queue_policy)"
        );
    }
}
