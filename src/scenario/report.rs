//! The Report every run returns (the same from the CLI, the wasm API and the page), and the
//! [`Recorder`] a scenario's goroutines fill while it runs.

use std::sync::{
    atomic::{AtomicBool, Ordering},
    Mutex,
};

use serde::{Serialize, Serializer};

use super::params::Params;
use crate::{
    metrics::Series,
    runtime::{goroutine::GoroutineInfo, Finding, FindingKind, Mark, MarkKind},
};

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ended {
    /// Main returned.
    Completed,
    /// Main gave up a wait after its time limit, as the guide's 2 s timeouts do.
    Hung,
    /// Every goroutine blocked for good: Go's fatal error.
    Deadlock,
    /// An unrecovered panic ended the program, as it ends a Go program.
    Panicked,
    /// Stopped from outside.
    Stopped,
}

impl Ended {
    /// The name the Report uses.
    pub fn name(self) -> &'static str {
        match self {
            Ended::Completed => "completed",
            Ended::Hung => "hung",
            Ended::Deadlock => "deadlock",
            Ended::Panicked => "panicked",
            Ended::Stopped => "stopped",
        }
    }

    /// What the Go program exits with: 0, or 2 on a deadlock or an unrecovered panic; `None`
    /// when it was stopped.
    pub fn exit_status(self) -> Option<i32> {
        match self {
            Ended::Completed | Ended::Hung => Some(0),
            Ended::Deadlock | Ended::Panicked => Some(2),
            Ended::Stopped => None,
        }
    }
}

/// How one task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskOutcome {
    /// Finished without error.
    Success,
    /// Returned an error.
    Failed,
    /// Panicked, and a recover turned it into an error.
    Panicked,
    /// Stopped by a timeout.
    TimedOut,
    /// The pool or its context was cancelled before it finished.
    Cancelled,
    /// Ran to its own end, but its worker saw `ctx.Done()` and threw the result away instead of
    /// sending it: counted as cancelled (it produced no result), drawn apart on the timeline,
    /// which had left these tasks out (independent review F2, session 20).
    Dropped,
    /// Ran to its own end and its result was sent, but the program never read it: it ended
    /// first (died in a panic, gave up on a hang, or returned). Drawn to the task's own end,
    /// counted unfinished (no result reached the program).
    /// context-pool/guide-cancel's panic killed main with results in the buffer: those tasks
    /// were drawn successes beside a count of unfinished (CI, stop 22: 12 success bars, 10
    /// successful).
    Unread,
    /// Never finished because the program ended first: a deadlock, an unrecovered panic, main
    /// giving up its wait (hung), main returning without waiting, or Stop. Nothing cancelled
    /// it (review R18 found these counted as cancelled).
    Unfinished,
}

/// How the submitted tasks ended. `submitted == successful + failed + timed_out + cancelled +
/// unfinished`; `dropped` were refused before they were submitted.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct TaskCounts {
    /// Tasks handed to a goroutine or queued.
    pub submitted: u64,
    /// Finished without error.
    pub successful: u64,
    /// Returned an error or panicked.
    pub failed: u64,
    /// The pool or its context was cancelled before they finished.
    pub cancelled: u64,
    /// Stopped by a timeout.
    pub timed_out: u64,
    /// Never finished because the program ended first ([`TaskOutcome::Unfinished`]).
    pub unfinished: u64,
    /// Refused because a queue was full (never submitted).
    pub dropped: u64,
}

impl TaskCounts {
    /// Counts `n` tasks that ended so; a recovered panic counts as failed.
    pub fn count(&mut self, outcome: TaskOutcome, n: u64) {
        *self.slot(outcome) += n;
    }

    /// The count of `outcome`'s tasks.
    fn slot(&mut self, outcome: TaskOutcome) -> &mut u64 {
        match outcome {
            TaskOutcome::Success => &mut self.successful,
            TaskOutcome::Failed | TaskOutcome::Panicked => &mut self.failed,
            TaskOutcome::TimedOut => &mut self.timed_out,
            TaskOutcome::Cancelled | TaskOutcome::Dropped => &mut self.cancelled,
            TaskOutcome::Unread | TaskOutcome::Unfinished => &mut self.unfinished,
        }
    }

    /// Tasks that reached an end of their own (not cancelled, not cut off).
    pub fn finished(&self) -> u64 {
        self.successful + self.failed + self.timed_out
    }

    /// Submitted tasks with an outcome of any kind.
    pub fn accounted(&self) -> u64 {
        self.finished() + self.cancelled + self.unfinished
    }

    /// The counts once the program has ended: every submitted task without an outcome never
    /// finished because the program ended first (`ended` only says how), so it is
    /// [`TaskOutcome::Unfinished`], never cancelled: nothing cancelled it (review R18).
    pub fn at_end(mut self) -> TaskCounts {
        let gap = self.submitted.saturating_sub(self.accounted());
        self.count(TaskOutcome::Unfinished, gap);
        self
    }
}

/// Task latency percentiles in runtime ms, always from submission (the enqueue, or the spawn of
/// a goroutine-per-task program) to the end of the task, so pools and unlimited goroutines
/// compare.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// The slowest.
    pub max: f64,
}

impl Latency {
    /// Percentiles of `v` (nearest rank); all zero when empty.
    ///
    /// # Examples
    ///
    /// ```ignore-wasm32
    /// use worker_pool_playground::scenario::Latency;
    /// let l = Latency::of(&mut (1..=100).map(f64::from).collect::<Vec<_>>());
    /// assert_eq!((l.p50, l.p90, l.p99, l.max), (50.0, 90.0, 99.0, 100.0));
    /// assert_eq!(Latency::of(&mut []), Latency::default());
    /// ```
    pub fn of(v: &mut [f64]) -> Latency {
        if v.is_empty() {
            return Latency::default();
        }
        v.sort_by(f64::total_cmp);
        let at = |q: f64| v[((q * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        Latency {
            p50: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            max: v[v.len() - 1],
        }
    }
}

/// One task on the per-worker timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelineTask {
    /// Task id.
    pub task: u64,
    /// Start, runtime ms.
    pub start_ms: f64,
    /// End, runtime ms.
    pub end_ms: f64,
    /// How it ended.
    pub outcome: TaskOutcome,
}

/// One row of the per-worker timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelineRow {
    /// Worker (or goroutine) number; 0 collects tasks that never ran.
    pub worker: u64,
    /// What the row is, as the page labels it: `worker 3`, `never ran`, or the scenario's own
    /// name for it (control-comparison's unlimited phase is `no pool`, not a worker: review R6
    /// found its 1,000 tasks drawn in a row the page called "never ran").
    pub label: String,
    /// Its tasks in start order.
    pub tasks: Vec<TimelineTask>,
    /// The goroutine that ran the row, where the scenario says ([`Recorder::row_goroutine`]):
    /// the page finds it among the goroutines a deadlock or a leak lists, and draws the wait it
    /// was still in when the program ended on its row, from when it began (leak/wrong's workers,
    /// blocked in `range jobs` from their start, were empty rows: review N1, session 20).
    pub goroutine: Option<u64>,
}

/// A titled table: the guide's tables with this run's numbers.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Table {
    /// The title, e.g. `Complete Comparison Table`.
    pub title: String,
    /// Column headings; the first labels the rows.
    pub columns: Vec<String>,
    /// Rows of cells (numbers are formatted by the producer).
    pub rows: Vec<Vec<String>>,
}

/// One best practice and what this run showed for it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// The practice's number in the guide, 1 to 15.
    pub n: u8,
    /// The practice, in the guide's words.
    pub practice: String,
    /// What this run measured or observed.
    pub evidence: String,
    /// Whether the evidence shows the practice holding; `None` when its situation never came
    /// (the program ended first), so there is nothing to tick or cross.
    pub ok: Option<bool>,
}

/// Named figures a scenario measured, by name (a JSON object, keys in order).
///
/// A sorted list rather than a `BTreeMap`: the few dozen entries do not need one, and the
/// map's generic code weighed several KB in the wasm module.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Numbers(Vec<(String, f64)>);

impl Numbers {
    fn slot(&mut self, name: &str, init: f64) -> &mut f64 {
        let i = match self.0.binary_search_by(|(k, _)| k.as_str().cmp(name)) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (name.to_string(), init));
                i
            }
        };
        &mut self.0[i].1
    }

    /// The figure called `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| self.0[i].1)
    }

    /// Whether the run recorded `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every figure, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }
}

impl Numbers {
    /// Sets `name`: the run's own figures at its end, and tests of a sentence under figures a
    /// quiet test machine never measures.
    pub(crate) fn set(&mut self, name: &str, v: f64) {
        *self.slot(name, v) = v;
    }
}

impl Serialize for Numbers {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::metrics::serialize_named(&self.0, s)
    }
}

/// What a [`Measure`] counts in, so the page writes its unit and formats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Goroutines, tasks, results…
    Count,
    /// Runtime milliseconds: how long something took.
    Ms,
    /// An instant on the run's time axis, runtime ms: written with one decimal, as the
    /// sentences, the finding boxes and the order of calls write instants. Counted as a
    /// duration, negative-counter's panic read "113 ms" in one place and "112.6 ms" in another
    /// (review R4, session 21).
    Instant,
    /// Heap bytes.
    Bytes,
    /// Per second of runtime.
    PerSecond,
    /// A ratio, "3.7×".
    Times,
}

/// An instant on the run's time axis as a sentence writes it, the way the page writes a
/// [`Unit::Instant`]: `112.6 ms`, `0.16 ms` under 1 ms. One rule for both, so a lesson and its
/// headline give one instant one number.
#[derive(Debug, Clone, Copy)]
pub struct AtMs(pub f64);

impl std::fmt::Display for AtMs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let digits = if self.0 < 1.0 { 2 } else { 1 };
        write!(f, "{:.*} ms", digits, self.0)
    }
}

/// A count of [`TaskCounts`] a measure reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskField {
    /// [`TaskCounts::submitted`].
    Submitted,
    /// [`TaskCounts::successful`].
    Successful,
    /// [`TaskCounts::failed`].
    Failed,
    /// [`TaskCounts::cancelled`].
    Cancelled,
    /// [`TaskCounts::dropped`].
    Dropped,
}

/// Where in a Report a measure's value is: the page reads another engine's Report (Go's, the
/// same shape) at the same place to set the two side by side. The variants after
/// [`At::Tasks`] are worked out from several figures (the lesson's own arithmetic): no one
/// place holds them, and only this engine's Report has them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// `numbers.<name>`.
    Number(&'static str),
    /// `peak_goroutines`.
    PeakGoroutines,
    /// `goroutines_after`.
    GoroutinesAfter,
    /// `heap_peak_bytes`.
    HeapPeak,
    /// The largest value of `series.gauges.<name>` (path `gauge_max.<name>`; a Go program,
    /// which has no gauges, records it as `numbers.max_<name>`).
    GaugeMax(&'static str),
    /// `tasks.<field>`.
    Tasks(TaskField),
    /// `numbers.<name>`, 0 when the run never counted it.
    Counted(&'static str),
    /// Tasks that reached an end of their own ([`TaskCounts::finished`]).
    Finished,
    /// 99th percentile latency from submit.
    LatencyP99,
    /// When the first finding of this kind happened.
    FindingAt(FindingKind),
    /// When the first mark of this kind happened.
    MarkAt(MarkKind),
    /// The best-practices checks that held.
    Held,
    /// Runtime ms tasks still ran after context-pool's Cancel.
    RanAfterCancel,
    /// control-comparison: bytes allocated without the pool over with it, when it is 1.1× or
    /// more (the sentence's "3.7× less memory").
    LessAllocated,
    /// deadlock-unbuffered: jobs main can send before it reads a result, with this many of its
    /// two channels buffered to `queue` (jobs first): one job in each worker's hands, plus the
    /// buffers. blocked-workers buffers jobs only (review, session 25: it read 2q + w).
    Room(u64),
}

impl At {
    /// Where the page reads it, as (place, key): `("numbers", "blocked_ms")` is
    /// `numbers.blocked_ms`, `("peak_goroutines", None)` a field of the Report; `None` for a
    /// value worked out from several figures. (Two static strings, not a built path: the wasm
    /// module has a size budget.)
    pub fn path(self) -> Option<(&'static str, Option<&'static str>)> {
        Some(match self {
            At::Number(n) => ("numbers", Some(n)),
            At::PeakGoroutines => ("peak_goroutines", None),
            At::GoroutinesAfter => ("goroutines_after", None),
            At::HeapPeak => ("heap_peak_bytes", None),
            At::GaugeMax(g) => ("gauge_max", Some(g)),
            At::Tasks(f) => (
                "tasks",
                Some(match f {
                    TaskField::Submitted => "submitted",
                    TaskField::Successful => "successful",
                    TaskField::Failed => "failed",
                    TaskField::Cancelled => "cancelled",
                    TaskField::Dropped => "dropped",
                }),
            ),
            // (A count absent from `numbers` is 0 here; in another Report it is not there.)
            At::Counted(_)
            | At::Finished
            | At::LatencyP99
            | At::FindingAt(_)
            | At::MarkAt(_)
            | At::Held
            | At::RanAfterCancel
            | At::LessAllocated
            | At::Room(_) => return None,
        })
    }

    /// The value at this place of `r` (`None` for a number the run did not record, an instant
    /// that did not happen).
    #[inline(never)]
    pub fn read(self, r: &Report) -> Option<f64> {
        let t = &r.tasks;
        Some(match self {
            At::Number(n) => r.numbers.get(n)?,
            At::Counted(n) => r.number(n),
            At::PeakGoroutines => r.peak_goroutines as f64,
            At::GoroutinesAfter => r.goroutines_after as f64,
            At::HeapPeak => r.heap_peak_bytes as f64,
            At::GaugeMax(g) => {
                r.series.gauges.get(g)?;
                r.gauge_max(g)
            }
            At::Tasks(f) => {
                (match f {
                    TaskField::Submitted => t.submitted,
                    TaskField::Successful => t.successful,
                    TaskField::Failed => t.failed,
                    TaskField::Cancelled => t.cancelled,
                    TaskField::Dropped => t.dropped,
                }) as f64
            }
            At::Finished => t.finished() as f64,
            At::LatencyP99 => r.latency_ms.p99,
            At::FindingAt(k) => r.findings.iter().find(|f| f.kind == k)?.at_ms,
            At::MarkAt(k) => r.marks.iter().find(|m| m.kind == k)?.t_ms,
            At::Held => r.checklist.iter().filter(|c| c.ok == Some(true)).count() as f64,
            At::RanAfterCancel => super::context_pool::ran_after_cancel(r)?,
            At::LessAllocated => {
                let (u, p) = (r.number("unlimited_alloc"), r.number("pool_alloc"));
                (p > 0.0 && u / p >= 1.1).then(|| u / p)?
            }
            At::Room(buffered) => (buffered * r.params.queue + r.params.workers) as f64,
        })
    }
}

/// Out of how many a measure is (`2 of 10 jobs sent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Of {
    /// A plain value.
    Nothing,
    /// The tasks submitted.
    Submitted,
    /// The `tasks` parameter.
    Tasks,
    /// The `workers` parameter.
    Workers,
    /// The `trials` parameter.
    Trials,
    /// The practices checked.
    Checks,
}

impl Of {
    fn total(self, r: &Report) -> Option<f64> {
        Some(match self {
            Of::Nothing => return None,
            Of::Submitted => r.tasks.submitted as f64,
            Of::Tasks => r.params.tasks as f64,
            Of::Workers => r.params.workers as f64,
            Of::Trials => r.params.trials as f64,
            Of::Checks => r.checklist.len() as f64,
        })
    }
}

/// Where a lesson's sentence ends and its details begin, in the text a lesson function returns:
/// ASCII's unit separator, written `\u{1f}` in the lessons' format strings.
///
/// The brief asks a learner to get each lesson from one screen: a picture, the number, one
/// sentence; 19 of 33 lessons were paragraphs of three to six sentences. A lesson function
/// writes its sentence, this mark and the rest in one `format!`: a `Lesson { sentence, details }`
/// built from two `format!`s, or from two `format_args!`, made the threaded package 2,544 and
/// 2,253 bytes larger (gzipped) and broke its size gate (scripts/build.sh).
pub const DETAILS: u8 = 0x1f;

/// A lesson's text cut at [`DETAILS`]: its sentence, and its details (empty without the mark).
pub fn split_lesson(text: &str) -> (String, String) {
    match text.bytes().position(|b| b == DETAILS) {
        Some(i) => (text[..i].to_string(), text[i + 1..].to_string()),
        None => (text.to_string(), String::new()),
    }
}

/// How a lesson names one of its measures: where the value is, a short plain label, the unit.
/// Lessons list them in tables (`&[Named]`), read by [`measures`]: data, not code per measure,
/// because the wasm module has a size budget (scripts/build.sh).
#[derive(Debug, Clone, Copy)]
pub struct Named(pub At, pub &'static str, pub Unit, pub Of);

/// One number a lesson is about, measured in this run: the page's headline puts the lesson's
/// measures first (review R21: every goroutine-chart lesson had led with "peak goroutines"),
/// and the lesson's sentence states the same values (a test holds them to it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    /// A short plain label: `Cancel at`, `workers blocked on results, in total`.
    pub label: &'static str,
    /// The value, in `unit`.
    pub value: f64,
    /// Out of how many, when the value is a share of a whole.
    pub of: Option<f64>,
    /// What it counts in.
    pub unit: Unit,
    /// Where the Report holds it: a field (`peak_goroutines`) or a group (`numbers`, `tasks`,
    /// `gauge_max`) whose `key` it is; `null` for a value worked out from several figures.
    #[serde(rename = "at")]
    pub place: Option<&'static str>,
    /// The key within `at`'s group.
    pub key: Option<&'static str>,
    /// The same, typed.
    #[serde(skip)]
    pub at: At,
}

/// The measures `named` in `r`: the ones the run has, at most three (the headline's room).
#[inline(never)]
pub fn measures(r: &Report, named: &[Named]) -> Vec<Measure> {
    let mut out = Vec::with_capacity(3);
    for &Named(at, label, unit, of) in named {
        let Some(value) = at.read(r) else { continue };
        if out.len() == 3 || !value.is_finite() {
            continue;
        }
        let (place, key) = at.path().map_or((None, None), |(p, k)| (Some(p), k));
        out.push(Measure {
            label,
            value,
            of: of.total(r),
            unit,
            place,
            key,
            at,
        });
    }
    out
}

/// Everything a run measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Scenario id.
    pub scenario: &'static str,
    /// Variant id.
    pub variant: &'static str,
    /// `"rust"` (the Go programs print `"go"`).
    pub engine: &'static str,
    /// The scenario's parameters after defaults.
    pub params: Params,
    /// `native`, `threads` or `single`.
    pub build: &'static str,
    /// GOMAXPROCS of the run.
    pub threads: usize,
    /// Wall-clock duration, ms.
    pub wall_ms: f64,
    /// Runtime duration (scaled or virtual), ms.
    pub runtime_ms: f64,
    /// Goroutines alive at t = 0 (main: 1).
    pub goroutines_before: u64,
    /// The most alive at once, over the whole run.
    pub peak_goroutines: u64,
    /// Alive after main returned and the rest settled (leaks).
    pub goroutines_after: u64,
    /// The most live heap bytes during the run, above the start.
    pub heap_peak_bytes: u64,
    /// Bytes allocated during the run (Go's TotalAlloc difference).
    pub total_alloc_bytes: u64,
    /// How tasks ended.
    pub tasks: TaskCounts,
    /// Task latency from submission, percentiles.
    pub latency_ms: Latency,
    /// Finished tasks per second of runtime time.
    pub throughput_per_s: f64,
    /// Columnar samples over runtime time.
    pub series: Series,
    /// Instants on the time axis (cancel, close, Add/Done/Wait, drops…).
    pub marks: Vec<Mark>,
    /// Who waits on what: the graph at the deadlock, or at the end for leaks.
    pub wait_graph: Option<crate::runtime::WaitGraph>,
    /// Per worker, its tasks.
    pub timeline: Vec<TimelineRow>,
    /// Deadlocks, leaks, panics, early returns, hangs.
    pub findings: Vec<Finding>,
    /// Tables in the guide's shape, with this run's numbers.
    pub tables: Vec<Table>,
    /// The best-practices checklist (that scenario only).
    pub checklist: Vec<Check>,
    /// Lines in the spirit of the guide's program output.
    pub log: Vec<String>,
    /// Named figures the scenario measured (e.g. `max_in_use`, `blocked_ms`).
    pub numbers: Numbers,
    /// The numbers the lesson is about, with a label and a unit each: what the page puts first.
    pub measures: Vec<Measure>,
    /// The lesson in one sentence, with this run's numbers in it: what the page says beside
    /// the picture and the measures.
    pub lesson: String,
    /// What else the run showed, in a few sentences (the page folds them away).
    pub lesson_details: String,
    /// How the run ended.
    pub ended: Ended,
    /// What the Go program exits with (`None` when stopped).
    pub exit_status: Option<i32>,
}

impl Report {
    /// The lesson's sentence and its details, as one text.
    pub fn story(&self) -> String {
        format!("{} {}", self.lesson, self.lesson_details)
    }

    /// A named figure from [`Report::numbers`] (0 when absent).
    pub fn number(&self, name: &str) -> f64 {
        self.numbers.get(name).unwrap_or(0.0)
    }

    /// The findings of one kind.
    pub fn findings_of(&self, kind: FindingKind) -> Vec<&Finding> {
        self.findings.iter().filter(|f| f.kind == kind).collect()
    }

    /// The largest value a gauge of the series took (0 when there is no such gauge).
    pub fn gauge_max(&self, name: &str) -> f64 {
        self.series
            .gauges
            .get(name)
            .map_or(0.0, |v| v.iter().fold(0.0, |a, &b| a.max(b)))
    }

    /// The table with this title.
    pub fn table(&self, title: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.title == title)
    }
}

/// Most log lines a report keeps.
pub const LOG_CAP: usize = 400;
/// Most tasks a timeline keeps.
pub const TIMELINE_CAP: usize = 5000;
/// Most marks a report keeps.
pub const MARKS_CAP: usize = 2000;

/// A panic nobody recovered: it ends the program.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fatal {
    /// The panic value as Go prints it after `panic: `.
    pub(crate) message: String,
    /// The goroutine that panicked.
    pub(crate) goroutine: u64,
    /// When, runtime ms.
    pub(crate) at_ms: f64,
    /// Goroutines alive when it died.
    pub(crate) alive: u64,
}

/// What a scenario's goroutines record while it runs; the run turns it into a [`Report`].
///
/// Once an unrecovered panic is recorded the recorder is frozen: as in Go, nothing that happens
/// after the panic belongs to the program's output.
#[derive(Debug, Default)]
pub struct Recorder {
    pub(crate) inner: Mutex<Recorded>,
    fatal: AtomicBool,
}

#[derive(Debug, Default)]
pub(crate) struct Recorded {
    pub(crate) log: Vec<String>,
    pub(crate) log_dropped: usize,
    pub(crate) tasks: Vec<(u64, TimelineTask)>,
    /// Tasks begun ([`Recorder::begin`]) whose outcome is not recorded yet: (worker, task,
    /// start ms). Those left when the program ends are drawn open to its end.
    pub(crate) running: Vec<(u64, u64, f64)>,
    /// Results sent ([`Recorder::sent`]) that the program has not read yet
    /// ([`Recorder::read`]): a few, the results in a channel's buffer.
    pub(crate) unread: Vec<Unread>,
    /// Names of timeline rows that are not a plain `worker N` ([`Recorder::label_row`]).
    pub(crate) row_labels: Vec<(u64, String)>,
    /// The goroutine behind each timeline row that has one: (row, goroutine id)
    /// ([`Recorder::row_goroutine`]).
    pub(crate) row_goroutines: Vec<(u64, u64)>,
    /// Each finished task's latency, runtime ms, and when it ended (for [`Recorded::cut_at`]).
    pub(crate) latencies: Vec<(f64, f64)>,
    pub(crate) counts: TaskCounts,
    pub(crate) findings: Vec<Finding>,
    pub(crate) tables: Vec<Table>,
    pub(crate) numbers: Numbers,
    pub(crate) marks: Vec<Mark>,
    pub(crate) hung: bool,
    pub(crate) fatal: Option<Fatal>,
}

/// A result sent and not read yet ([`Recorder::sent`]).
#[derive(Debug)]
pub(crate) struct Unread {
    task: u64,
    /// The task's own end, runtime ms.
    end_ms: f64,
    /// Its bar on the timeline, unless `TIMELINE_CAP` left it out.
    bar: Option<usize>,
}

impl Recorded {
    /// Counts one task's outcome, and its latency when it finished (at `end_ms`): a task that
    /// produced no result has none, as in Go's `Run.doneAt`.
    fn counted(&mut self, outcome: TaskOutcome, end_ms: f64, latency_ms: f64) {
        self.counts.count(outcome, 1);
        match outcome {
            TaskOutcome::Cancelled
            | TaskOutcome::Dropped
            | TaskOutcome::Unread
            | TaskOutcome::Unfinished => {}
            TaskOutcome::Success
            | TaskOutcome::Failed
            | TaskOutcome::Panicked
            | TaskOutcome::TimedOut => {
                self.latencies.push((latency_ms, end_ms));
            }
        }
    }

    /// Puts a bar on `worker`'s row of the timeline, while there is room (`TIMELINE_CAP`);
    /// returns where, if it did.
    fn draw(&mut self, worker: u64, t: TimelineTask) -> Option<usize> {
        (self.tasks.len() < TIMELINE_CAP).then(|| {
            self.tasks.push((worker, t));
            self.tasks.len() - 1
        })
    }

    /// Takes `task` (begun by `worker`, or by any worker when `None`) out of
    /// [`Recorded::running`] and draws it ending at `end_ms` with `outcome`: `None` if it was
    /// not running, else where its bar went (`None` past `TIMELINE_CAP`).
    fn end_running(
        &mut self,
        worker: Option<u64>,
        task: u64,
        end_ms: f64,
        outcome: TaskOutcome,
    ) -> Option<Option<usize>> {
        let i = self
            .running
            .iter()
            .position(|&(w, t, _)| t == task && worker.is_none_or(|x| x == w))?;
        let (worker, _, start_ms) = self.running.swap_remove(i);
        Some(self.draw(
            worker,
            TimelineTask {
                task,
                start_ms,
                end_ms,
                outcome,
            },
        ))
    }

    /// The results sent and never read by the program, which ended at `end_ms`: drawn unread
    /// or, past `TIMELINE_CAP`, not drawn at all. One sent after that instant (the program died
    /// first) is unfinished ([`Recorded::cut_at`]).
    pub(crate) fn unread_at(&self, end_ms: f64) -> usize {
        self.unread.iter().filter(|u| u.end_ms <= end_ms).count()
    }

    /// The program died at `end_ms` (an unrecovered panic, dated at its cause): a task its worker
    /// ended after that instant, before the record froze, never ended in the program. It is
    /// drawn open to the end and counted unfinished, and its latency goes (inner-panic drew a
    /// success ending 0.3 ms after the panic that ended the run, session 20).
    /// One taken after that instant was never part of the program: not drawn, and unfinished.
    pub(crate) fn cut_at(&mut self, end_ms: f64) {
        for (_, t) in &mut self.tasks {
            if t.end_ms <= end_ms {
                continue;
            }
            match t.outcome {
                TaskOutcome::Unfinished => continue,
                // Never counted: its result was never read.
                TaskOutcome::Unread => {}
                TaskOutcome::Success
                | TaskOutcome::Failed
                | TaskOutcome::Panicked
                | TaskOutcome::TimedOut
                | TaskOutcome::Cancelled
                | TaskOutcome::Dropped => {
                    *self.counts.slot(t.outcome) -= 1;
                    self.counts.count(TaskOutcome::Unfinished, 1);
                }
            }
            t.end_ms = end_ms;
            t.outcome = TaskOutcome::Unfinished;
        }
        self.tasks.retain(|(_, t)| t.start_ms <= end_ms);
        self.latencies.retain(|&(_, ended)| ended <= end_ms);
    }

    /// The tasks begun and not finished, as timeline entries open to `end_ms`. Not counted: the
    /// counts' [`TaskCounts::at_end`] counts them as unfinished already.
    pub(crate) fn still_running(&mut self, end_ms: f64) {
        for (worker, task, start_ms) in std::mem::take(&mut self.running) {
            // A task taken after the instant the program died (a panic is dated at its cause,
            // before the record froze) was never part of the program.
            if start_ms <= end_ms {
                self.draw(
                    worker,
                    TimelineTask {
                        task,
                        start_ms,
                        end_ms,
                        outcome: TaskOutcome::Unfinished,
                    },
                );
            }
        }
    }
}

impl Recorder {
    /// Runs `f` on the record unless the program already died.
    fn with(&self, f: impl FnOnce(&mut Recorded)) {
        let mut r = self.inner.lock().unwrap();
        if r.fatal.is_none() {
            f(&mut r);
        }
    }

    /// Adds a line to the log (the guide's `fmt.Printf`).
    pub fn log(&self, line: impl Into<String>) {
        self.with(|r| {
            if r.log.len() < LOG_CAP {
                r.log.push(line.into());
            } else {
                r.log_dropped += 1;
            }
        });
    }

    /// Names timeline row `worker` (by default `worker N`, and `never ran` for 0). A named row is
    /// on the timeline even if its worker never takes a task.
    pub fn label_row(&self, worker: u64, label: impl Into<String>) {
        let label = label.into();
        self.with(
            |r| match r.row_labels.iter_mut().find(|(w, _)| *w == worker) {
                Some((_, l)) => *l = label,
                None => r.row_labels.push((worker, label)),
            },
        );
    }

    /// Says that timeline row `worker` is goroutine `id`: if that goroutine is still blocked when
    /// the program ends, the page draws the wait on its row, from the finding that lists it
    /// ([`TimelineRow::goroutine`]).
    pub fn row_goroutine(&self, worker: u64, id: u64) {
        self.with(|r| r.row_goroutines.push((worker, id)));
    }

    /// Records that `worker` took `task` at `start_ms`. A task begun that never
    /// [`Recorder::end`]ed is on the timeline as [`TaskOutcome::Unfinished`], from its start to the
    /// program's end: inner-panic's workers were drawn idle beside a full queue while each ran a
    /// task when the program died (independent review F7, session 18), and deadlock/wrong's
    /// workers, each holding a job it cannot hand over, were not drawn at all (review F2,
    /// session 20).
    pub fn begin(&self, worker: u64, task: u64, start_ms: f64) {
        self.with(|r| r.running.push((worker, task, start_ms)));
    }

    /// Puts `worker`'s `task` ([`Recorder::begin`]) on the timeline, from its start to
    /// `end_ms`, the task's own end as its worker saw it, with its own `outcome`. Counts
    /// nothing: the result counts where the program reads it ([`Recorder::outcome`],
    /// [`Recorder::cancelled`]). A task that was never begun is not drawn.
    ///
    /// The worker's own end, not when main received the result: that came after the worker had
    /// already taken its next task, and bars on one worker overlapped by up to 0.35 ms (review
    /// F13). A recovered panic ends here too; it had been left open to the program's end beside
    /// "unfinished 0" (review F1, session 20).
    pub fn end(&self, worker: u64, task: u64, end_ms: f64, outcome: TaskOutcome) {
        self.with(|r| {
            r.end_running(Some(worker), task, end_ms, outcome);
        });
    }

    /// `worker` threw `task`'s result away on `ctx.Done()` instead of sending it: its bar ends
    /// at `end_ms`, [`TaskOutcome::Dropped`], and it counts cancelled now, whether or not the
    /// program lives to count what it never read (guide-cancel's main can die first).
    pub fn thrown_away(&self, worker: u64, task: u64, end_ms: f64) {
        // Drawn and counted under one lock: a panic between the two would leave a bar its count
        // lacks.
        self.with(|r| {
            r.end_running(Some(worker), task, end_ms, TaskOutcome::Dropped);
            r.counts.count(TaskOutcome::Dropped, 1);
        });
    }

    /// `worker` sent `task`'s result, the task having ended at `end_ms`: its bar is
    /// [`TaskOutcome::Unread`] until the program reads it ([`Recorder::read`]). Counts nothing:
    /// a result sent and never read (the program ended first) counts unfinished, as no result
    /// reached the program ([`TaskCounts::at_end`]). Called once the send went through: a
    /// worker blocked on it is still running its task, open to the program's end.
    pub fn sent(&self, worker: u64, task: u64, end_ms: f64) {
        self.with(|r| {
            // Not running: the program read it already, and drew it then.
            if let Some(bar) = r.end_running(Some(worker), task, end_ms, TaskOutcome::Unread) {
                r.unread.push(Unread { task, end_ms, bar });
            }
        });
    }

    /// The program read `task`'s result, which ended at `end_ms` with `outcome`: the result
    /// counts ([`Recorder::outcome`]) and its bar takes the outcome. The bar is drawn here if
    /// its worker has not recorded the send yet ([`Recorder::sent`]): the receiver can run
    /// before the sender does again, and a program that dies in between still draws what it
    /// counted.
    pub fn read(&self, task: u64, outcome: TaskOutcome, end_ms: f64, latency_ms: f64) {
        self.with(|r| {
            // Read by the program while it lived: never cut (`Recorded::cut_at`).
            r.counted(outcome, f64::NEG_INFINITY, latency_ms);
            if let Some(i) = r.unread.iter().position(|u| u.task == task) {
                if let Some(bar) = r.unread.swap_remove(i).bar {
                    r.tasks[bar].1.outcome = outcome;
                }
            } else {
                r.end_running(None, task, end_ms, outcome);
            }
        });
    }

    /// Records one finished task: its worker, times (submitted, started, ended) and outcome.
    /// Latency runs from `submitted_ms`.
    pub fn task(
        &self,
        worker: u64,
        task: u64,
        submitted_ms: f64,
        start_ms: f64,
        end_ms: f64,
        outcome: TaskOutcome,
    ) {
        self.with(|r| {
            r.counted(outcome, end_ms, end_ms - submitted_ms);
            r.draw(
                worker,
                TimelineTask {
                    task,
                    start_ms,
                    end_ms,
                    outcome,
                },
            );
        });
    }

    /// [`Recorder::end`] and [`Recorder::task`]'s count together: the task `worker` began ends
    /// at `end_ms` with `outcome`, its latency from `submitted_ms`.
    pub fn finish(
        &self,
        worker: u64,
        task: u64,
        submitted_ms: f64,
        end_ms: f64,
        outcome: TaskOutcome,
    ) {
        // Under one lock, as thrown_away: a bar and its count are not to be split by a panic.
        self.with(|r| {
            r.end_running(Some(worker), task, end_ms, outcome);
            r.counted(outcome, end_ms, end_ms - submitted_ms);
        });
    }

    /// Counts one finished task without putting it on the timeline (sweeps of many pools; a
    /// result main reads of a task on the timeline goes through [`Recorder::read`]).
    pub fn outcome(&self, outcome: TaskOutcome, latency_ms: f64) {
        self.with(|r| {
            // Read by the program while it lived: never cut (`Recorded::cut_at`).
            r.counted(outcome, f64::NEG_INFINITY, latency_ms);
        });
    }

    /// Counts tasks submitted.
    pub fn submitted(&self, n: u64) {
        self.with(|r| r.counts.submitted += n);
    }

    /// Counts submitted tasks that never produced a result (cancelled, or their result was
    /// thrown away by a cancelled worker).
    pub fn cancelled(&self, n: u64) {
        self.with(|r| r.counts.count(TaskOutcome::Cancelled, n));
    }

    /// Counts tasks refused because a queue was full.
    pub fn dropped(&self, n: u64) {
        self.with(|r| r.counts.dropped += n);
    }

    /// Adds a finding.
    pub fn finding(&self, f: Finding) {
        self.with(|r| r.findings.push(f));
    }

    /// Main gave up waiting: a hang finding, and the run ends as "hung".
    pub fn hang(&self, message: String, at_ms: f64, goroutines: Vec<GoroutineInfo>) {
        self.with(|r| {
            r.hung = true;
            r.findings.push(Finding {
                kind: FindingKind::Hang,
                message,
                at_ms,
                goroutines,
            });
        });
    }

    /// Adds a titled table.
    pub fn table(&self, title: &str, columns: &[&str], rows: Vec<Vec<String>>) {
        self.with(|r| {
            r.tables.push(Table {
                title: title.to_string(),
                columns: columns.iter().map(|c| c.to_string()).collect(),
                rows,
            })
        });
    }

    /// Marks an instant on the time axis.
    pub fn mark(&self, t_ms: f64, kind: MarkKind, label: impl Into<String>) {
        self.with(|r| {
            if r.marks.len() < MARKS_CAP {
                r.marks.push(Mark {
                    t_ms,
                    kind,
                    label: label.into(),
                });
            }
        });
    }

    /// Adds `v` to the named figure (created at 0).
    pub fn number(&self, name: &str, v: f64) {
        self.with(|r| *r.numbers.slot(name, 0.0) += v);
    }

    /// Sets the named figure.
    pub fn set_number(&self, name: &str, v: f64) {
        self.with(|r| {
            *r.numbers.slot(name, v) = v;
        });
    }

    /// Raises the named figure to `v` if `v` is larger.
    pub fn number_max(&self, name: &str, v: f64) {
        self.with(|r| {
            let x = r.numbers.slot(name, v);
            *x = x.max(v);
        });
    }

    /// The named figure so far (0 when absent).
    pub fn get(&self, name: &str) -> f64 {
        self.inner.lock().unwrap().numbers.get(name).unwrap_or(0.0)
    }

    /// An unrecovered panic: the program ends here. The first one wins, as in Go, where the
    /// first panic kills the process before another can print.
    pub(crate) fn fatal_panic(&self, message: String, goroutine: u64, at_ms: f64, alive: u64) {
        let mut r = self.inner.lock().unwrap();
        if r.fatal.is_some() {
            return;
        }
        r.marks.push(Mark {
            t_ms: at_ms,
            kind: MarkKind::Panic,
            label: format!("panic: {message}"),
        });
        r.fatal = Some(Fatal {
            message,
            goroutine,
            at_ms,
            alive,
        });
        self.fatal.store(true, Ordering::Release);
    }

    /// True once an unrecovered panic ended the program (cheap: the run polls it).
    pub fn is_fatal(&self) -> bool {
        self.fatal.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lesson_splits_at_its_mark_only() {
        let (s, d) = split_lesson("Go said \"deadlock!\" at 1.5 ms.\u{1f}Asleep: main. More.");
        assert_eq!(
            (s.as_str(), d.as_str()),
            ("Go said \"deadlock!\" at 1.5 ms.", "Asleep: main. More.")
        );
        let (s, d) = split_lesson("One sentence. Even two.");
        assert_eq!((s.as_str(), d.as_str()), ("One sentence. Even two.", ""));
    }

    /// The latencies recorded, without when each ended.
    fn latencies(r: &Recorded) -> Vec<f64> {
        r.latencies.iter().map(|&(l, _)| l).collect()
    }

    #[test]
    fn outcomes_count_once_each() {
        let rec = Recorder::default();
        for o in [
            TaskOutcome::Success,
            TaskOutcome::Failed,
            TaskOutcome::Panicked,
            TaskOutcome::TimedOut,
            TaskOutcome::Cancelled,
            TaskOutcome::Unfinished,
        ] {
            rec.task(1, 1, 0.0, 1.0, 2.0, o);
        }
        let r = rec.inner.lock().unwrap();
        let c = r.counts;
        assert_eq!(
            (
                c.successful,
                c.failed,
                c.timed_out,
                c.cancelled,
                c.unfinished
            ),
            (1, 2, 1, 1, 1)
        );
        // A cancelled or unfinished task never finished: it has no latency.
        assert_eq!(latencies(&r), vec![2.0; 4]);
    }

    /// Review R18: a program that ended with tasks stuck (deadlock/wrong: 2 submitted, none
    /// done) counted them as cancelled. They are unfinished; what the program did cancel stays
    /// cancelled.
    #[test]
    fn tasks_left_at_the_end_are_unfinished_not_cancelled() {
        let c = TaskCounts {
            submitted: 10,
            successful: 3,
            cancelled: 2,
            ..TaskCounts::default()
        }
        .at_end();
        assert_eq!((c.cancelled, c.unfinished), (2, 5));
        assert_eq!(c.accounted(), c.submitted);
        // Nothing left: nothing unfinished.
        let done = TaskCounts {
            submitted: 4,
            successful: 4,
            ..TaskCounts::default()
        };
        assert_eq!(done.at_end(), done);
    }

    /// A result counts where the program reads it, and its bar says what became of it: read
    /// (whether the worker recorded its send first or not), thrown away on ctx.Done() (counted
    /// cancelled at once), or sent and never read (unread, counted unfinished at the end).
    /// context-pool/guide-cancel and best-practices/inner-panic had drawn and counted a success
    /// for each result sent, beside a main that had read fewer (CI of stop 22; review, session
    /// 28).
    #[test]
    fn a_result_counts_where_it_is_read() {
        let rec = Recorder::default();
        for (w, t) in [(1, 1), (2, 2), (3, 3), (1, 4), (2, 5)] {
            rec.begin(w, t, t as f64);
        }
        rec.sent(1, 1, 10.0);
        rec.read(1, TaskOutcome::Success, 10.0, 9.0); // sent, then read
        rec.read(2, TaskOutcome::Failed, 11.0, 9.0); // read before its worker runs again
        rec.sent(2, 2, 11.0); // …which then changes nothing
        rec.thrown_away(3, 3, 12.0);
        rec.sent(1, 4, 13.0); // never read
        rec.sent(2, 5, 30.0); // never read, and sent after the program died at 20 ms
        let mut r = rec.inner.lock().unwrap();
        let c = r.counts;
        assert_eq!(
            (c.successful, c.failed, c.cancelled, c.unfinished),
            (1, 1, 1, 0)
        );
        r.cut_at(20.0);
        assert_eq!(
            r.unread_at(20.0),
            1,
            "task 4's result; task 5's came too late"
        );
        let drawn: Vec<_> = r
            .tasks
            .iter()
            .map(|(w, t)| (*w, t.task, t.end_ms, t.outcome))
            .collect();
        assert_eq!(
            drawn,
            vec![
                (1, 1, 10.0, TaskOutcome::Success),
                (2, 2, 11.0, TaskOutcome::Failed),
                (3, 3, 12.0, TaskOutcome::Dropped),
                (1, 4, 13.0, TaskOutcome::Unread),
                (2, 5, 20.0, TaskOutcome::Unfinished),
            ]
        );
        assert_eq!(
            TaskCounts { submitted: 5, ..c }.at_end().unfinished,
            2,
            "tasks 4 and 5: no result reached the program"
        );
    }

    /// Review F1 and F13, session 20: a begun task is drawn once, from its start to its own
    /// end, whatever its outcome; one never ended is open to the program's end.
    #[test]
    fn a_begun_task_is_drawn_once_to_its_own_end() {
        let rec = Recorder::default();
        rec.begin(1, 7, 1.0);
        rec.finish(1, 7, 0.5, 2.0, TaskOutcome::Panicked);
        rec.begin(1, 8, 2.0);
        rec.end(1, 8, 3.0, TaskOutcome::Dropped);
        rec.begin(2, 9, 1.5);
        let mut r = rec.inner.lock().unwrap();
        r.still_running(10.0);
        let drawn: Vec<_> = r
            .tasks
            .iter()
            .map(|(w, t)| (*w, t.task, t.start_ms, t.end_ms, t.outcome))
            .collect();
        assert_eq!(
            drawn,
            vec![
                (1, 7, 1.0, 2.0, TaskOutcome::Panicked),
                (1, 8, 2.0, 3.0, TaskOutcome::Dropped),
                (2, 9, 1.5, 10.0, TaskOutcome::Unfinished),
            ]
        );
        // `end` draws, `finish` also counts; a dropped result is no result.
        assert_eq!((r.counts.failed, r.counts.cancelled), (1, 0));
        assert_eq!(latencies(&r), vec![1.5]);
    }

    /// A task its worker ended after the panic that killed the program is unfinished, its
    /// count and latency undone.
    #[test]
    fn a_task_ended_after_the_death_is_unfinished() {
        let rec = Recorder::default();
        rec.begin(1, 1, 0.0);
        rec.finish(1, 1, 0.0, 4.0, TaskOutcome::Success);
        rec.begin(2, 2, 0.0);
        rec.finish(2, 2, 0.0, 6.0, TaskOutcome::Success);
        rec.begin(2, 3, 5.5);
        rec.finish(2, 3, 0.0, 5.6, TaskOutcome::Failed);
        let mut r = rec.inner.lock().unwrap();
        r.cut_at(5.0);
        assert_eq!(
            (r.counts.successful, r.counts.failed, r.counts.unfinished),
            (1, 0, 2)
        );
        assert_eq!(latencies(&r), vec![4.0]);
        // Task 3, taken after the death, is not drawn.
        assert_eq!(r.tasks.len(), 2);
        assert_eq!(
            (r.tasks[1].1.end_ms, r.tasks[1].1.outcome),
            (5.0, TaskOutcome::Unfinished)
        );
    }

    #[test]
    fn a_fatal_panic_freezes_the_record() {
        let rec = Recorder::default();
        rec.log("before");
        rec.fatal_panic("boom".into(), 7, 3.0, 2);
        rec.fatal_panic("second".into(), 8, 4.0, 2);
        rec.log("after");
        rec.number("x", 1.0);
        assert!(rec.is_fatal());
        let r = rec.inner.lock().unwrap();
        assert_eq!(r.log, vec!["before".to_string()]);
        assert_eq!(r.fatal.as_ref().unwrap().goroutine, 7);
        assert!(r.numbers.is_empty());
    }

    #[test]
    fn exit_status_follows_go() {
        assert_eq!(Ended::Completed.exit_status(), Some(0));
        assert_eq!(Ended::Hung.exit_status(), Some(0));
        assert_eq!(Ended::Deadlock.exit_status(), Some(2));
        assert_eq!(Ended::Panicked.exit_status(), Some(2));
        assert_eq!(Ended::Stopped.exit_status(), None);
    }
}
