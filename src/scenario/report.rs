//! The Report every run returns, the same from the CLI and from the wasm API.

use std::sync::Mutex;

use serde::Serialize;

use super::params::Params;
use crate::{metrics::Series, runtime::Finding};

/// How the submitted tasks ended. `submitted == successful + failed + cancelled + timed_out`;
/// `dropped` were refused before they were submitted.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct TaskCounts {
    /// Tasks handed to a goroutine or queued.
    pub submitted: u64,
    /// Finished without error.
    pub successful: u64,
    /// Returned an error or panicked.
    pub failed: u64,
    /// Never ran: the pool or context was cancelled first.
    pub cancelled: u64,
    /// Stopped by a timeout.
    pub timed_out: u64,
    /// Refused because a queue was full (never submitted).
    pub dropped: u64,
}

impl TaskCounts {
    /// Counts one finished task by its outcome name (`Outcome::name`); panics count as failed.
    fn count(&mut self, outcome: &str) {
        match outcome {
            "success" => self.successful += 1,
            "failed" | "panicked" => self.failed += 1,
            "timed_out" => self.timed_out += 1,
            _ => self.cancelled += 1,
        }
    }
}

/// Task latency percentiles, in runtime milliseconds (from submission to the end of the task).
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
    /// `success`, `failed`, `panicked`, `timed_out` or `cancelled`.
    pub outcome: &'static str,
}

/// One row of the per-worker timeline.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimelineRow {
    /// Worker (or goroutine) number; 0 collects tasks that never ran.
    pub worker: u64,
    /// Its tasks in start order.
    pub tasks: Vec<TimelineTask>,
}

/// A comparison table: the guide's tables with this run's numbers.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Table {
    /// Column headings; the first labels the rows.
    pub columns: Vec<String>,
    /// Rows of cells (numbers are formatted by the producer).
    pub rows: Vec<Vec<String>>,
}

/// One best practice and what this run showed for it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Check {
    /// The practice, in the guide's words.
    pub practice: String,
    /// What this run measured or observed.
    pub evidence: String,
    /// Whether the evidence supports it.
    pub ok: bool,
}

/// Everything a run measured.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Scenario id.
    pub scenario: String,
    /// Variant id.
    pub variant: String,
    /// The parameters after defaults.
    pub params: Params,
    /// `native`, `threads` or `single`.
    pub build: &'static str,
    /// GOMAXPROCS of the run.
    pub threads: usize,
    /// Wall-clock duration, ms.
    pub wall_ms: f64,
    /// Runtime duration (scaled or virtual), ms.
    pub runtime_ms: f64,
    /// Goroutines alive when the scenario's main started (main itself: 1).
    pub goroutines_before: u64,
    /// The most alive at once.
    pub peak_goroutines: u64,
    /// Alive after main returned and the rest settled (leaks).
    pub goroutines_after: u64,
    /// The most live heap bytes during the run, above the start.
    pub heap_peak_bytes: u64,
    /// Bytes allocated during the run (Go's TotalAlloc difference).
    pub total_alloc_bytes: u64,
    /// How tasks ended.
    pub tasks: TaskCounts,
    /// Task latency percentiles.
    pub latency_ms: Latency,
    /// Completed tasks per second of runtime time.
    pub throughput_per_s: f64,
    /// Columnar samples over runtime time.
    pub series: Series,
    /// Per worker, its tasks.
    pub timeline: Vec<TimelineRow>,
    /// Deadlocks, leaks, panics, early returns, hangs.
    pub findings: Vec<Finding>,
    /// Tables in the guide's shape, with this run's numbers.
    pub tables: Vec<(String, Table)>,
    /// The best-practices checklist (that scenario only).
    pub checklist: Vec<Check>,
    /// Lines in the spirit of the guide's program output.
    pub log: Vec<String>,
    /// Named figures the scenario measured (e.g. `max_in_use`, `blocked_ms`).
    pub numbers: Vec<(String, f64)>,
    /// One paragraph, with this run's numbers in it.
    pub lesson: String,
    /// How the run ended: `completed`, `deadlock`, `panic` or `stopped`.
    pub ended: &'static str,
}

fn lookup(numbers: &[(String, f64)], name: &str) -> f64 {
    numbers
        .iter()
        .find(|(n, _)| n == name)
        .map_or(0.0, |(_, v)| *v)
}

/// Most log lines a report keeps.
pub const LOG_CAP: usize = 400;
/// Most tasks a timeline keeps.
pub const TIMELINE_CAP: usize = 5000;

/// What a scenario's goroutines record while it runs; the run turns it into a [`Report`].
#[derive(Debug, Default)]
pub struct Recorder {
    pub(crate) inner: Mutex<Recorded>,
}

#[derive(Debug, Default)]
pub(crate) struct Recorded {
    pub(crate) log: Vec<String>,
    pub(crate) log_dropped: usize,
    pub(crate) tasks: Vec<(u64, TimelineTask)>,
    pub(crate) latencies: Vec<f64>,
    pub(crate) counts: TaskCounts,
    pub(crate) findings: Vec<Finding>,
    pub(crate) tables: Vec<(String, Table)>,
    pub(crate) checklist: Vec<Check>,
    pub(crate) lesson: String,
    pub(crate) peak_override: Option<u64>,
    pub(crate) numbers: Vec<(String, f64)>,
}

impl Recorder {
    /// Adds a line to the log (the guide's `fmt.Printf`).
    pub fn log(&self, line: impl Into<String>) {
        let mut r = self.inner.lock().unwrap();
        if r.log.len() < LOG_CAP {
            r.log.push(line.into());
        } else {
            r.log_dropped += 1;
        }
    }

    /// Records one finished task: its worker, times, outcome and latency.
    pub fn task(
        &self,
        worker: u64,
        task: u64,
        queued_ms: f64,
        start_ms: f64,
        end_ms: f64,
        outcome: &'static str,
    ) {
        let mut r = self.inner.lock().unwrap();
        r.counts.count(outcome);
        if outcome != "cancelled" {
            r.latencies.push(end_ms - queued_ms);
        }
        if r.tasks.len() < TIMELINE_CAP {
            r.tasks.push((
                worker,
                TimelineTask {
                    task,
                    start_ms,
                    end_ms,
                    outcome,
                },
            ));
        }
    }

    /// Counts one finished task without putting it on the timeline (sweeps of many pools).
    pub fn outcome(&self, outcome: &str, latency_ms: f64) {
        let mut r = self.inner.lock().unwrap();
        r.counts.count(outcome);
        r.latencies.push(latency_ms);
    }

    /// Counts tasks submitted (or dropped before submission).
    pub fn submitted(&self, n: u64) {
        self.inner.lock().unwrap().counts.submitted += n;
    }

    /// Counts tasks refused because a queue was full.
    pub fn dropped(&self, n: u64) {
        self.inner.lock().unwrap().counts.dropped += n;
    }

    /// Adds a finding.
    pub fn finding(&self, f: Finding) {
        self.inner.lock().unwrap().findings.push(f);
    }

    /// Adds a table.
    pub fn table(&self, title: &str, columns: &[&str], rows: Vec<Vec<String>>) {
        self.inner.lock().unwrap().tables.push((
            title.to_string(),
            Table {
                columns: columns.iter().map(|c| c.to_string()).collect(),
                rows,
            },
        ));
    }

    /// Adds a checklist entry.
    pub fn check(&self, practice: &str, evidence: String, ok: bool) {
        self.inner.lock().unwrap().checklist.push(Check {
            practice: practice.into(),
            evidence,
            ok,
        });
    }

    /// Sets the lesson paragraph.
    pub fn lesson(&self, text: String) {
        self.inner.lock().unwrap().lesson = text;
    }

    /// Adds `v` to the named figure (created at 0), for the lesson and the page.
    pub fn number(&self, name: &str, v: f64) {
        let mut r = self.inner.lock().unwrap();
        match r.numbers.iter_mut().find(|(n, _)| n == name) {
            Some((_, x)) => *x += v,
            None => r.numbers.push((name.to_string(), v)),
        }
    }

    /// The named figure so far (0 when absent).
    pub fn get(&self, name: &str) -> f64 {
        lookup(&self.inner.lock().unwrap().numbers, name)
    }

    /// Raises the named figure to `v` if `v` is larger.
    pub fn number_max(&self, name: &str, v: f64) {
        let mut r = self.inner.lock().unwrap();
        match r.numbers.iter_mut().find(|(n, _)| n == name) {
            Some((_, x)) => *x = x.max(v),
            None => r.numbers.push((name.to_string(), v)),
        }
    }

    /// Reports this as the run's peak goroutines (a phase's peak, not the whole run's).
    pub fn peak(&self, n: u64) {
        self.inner.lock().unwrap().peak_override = Some(n);
    }
}

impl Report {
    /// A named figure from [`Report::numbers`] (0 when absent).
    pub fn number(&self, name: &str) -> f64 {
        lookup(&self.numbers, name)
    }

    /// The findings of one kind.
    pub fn findings_of(&self, kind: crate::runtime::FindingKind) -> Vec<&crate::runtime::Finding> {
        self.findings.iter().filter(|f| f.kind == kind).collect()
    }
}
