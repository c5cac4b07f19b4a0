//! What a run measured: heap bytes, columnar time series and the event log.
//!
//! Series are columnar (one `Vec<f64>` per column), which is exactly what uPlot draws, so the page
//! hands them to a chart as they are.

pub mod alloc;

use std::sync::{
    atomic::{AtomicU64, Ordering},
    Mutex,
};

use serde::Serialize;

use crate::runtime::goroutine::WaitKind;

/// Columnar samples of a run: every column has the same length.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Series {
    /// Milliseconds of runtime time since the run started.
    pub t_ms: Vec<f64>,
    /// Live goroutines (`runtime.NumGoroutine()`).
    pub goroutines: Vec<f64>,
    /// Goroutines being polled on a thread.
    pub running: Vec<f64>,
    /// Goroutines parked on a channel, lock, WaitGroup, timer…
    pub blocked: Vec<f64>,
    /// Goroutines ready to run, waiting for a thread.
    pub queued: Vec<f64>,
    /// Live heap bytes (counting allocator).
    pub heap_bytes: Vec<f64>,
    /// Scenario gauges, e.g. `in_use` connections; same length as `t_ms`.
    pub gauges: Vec<Gauge>,
}

/// One scenario-defined column.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Gauge {
    /// Column name, e.g. `"in_use"`.
    pub name: String,
    /// One value per sample.
    pub values: Vec<f64>,
}

/// One row of [`Series`].
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sample {
    pub t_ms: f64,
    pub goroutines: f64,
    pub running: f64,
    pub blocked: f64,
    pub queued: f64,
    pub heap_bytes: f64,
}

impl Series {
    /// Number of samples.
    pub fn len(&self) -> usize {
        self.t_ms.len()
    }

    /// True when nothing was sampled.
    pub fn is_empty(&self) -> bool {
        self.t_ms.is_empty()
    }

    pub(crate) fn push(&mut self, s: Sample, gauges: &[(String, f64)]) {
        // x values must ascend for uPlot; two samples in the same instant keep the later one.
        if self.t_ms.last().is_some_and(|&t| t >= s.t_ms) {
            self.pop();
        }
        self.t_ms.push(s.t_ms);
        self.goroutines.push(s.goroutines);
        self.running.push(s.running);
        self.blocked.push(s.blocked);
        self.queued.push(s.queued);
        self.heap_bytes.push(s.heap_bytes);
        for (name, v) in gauges {
            let n = self.t_ms.len();
            match self.gauges.iter_mut().find(|g| &g.name == name) {
                Some(g) => g.values.push(*v),
                None => {
                    // A gauge added mid-run: earlier samples read 0.
                    let mut values = vec![0.0; n - 1];
                    values.push(*v);
                    self.gauges.push(Gauge {
                        name: name.clone(),
                        values,
                    });
                }
            }
        }
    }

    fn pop(&mut self) {
        self.t_ms.pop();
        self.goroutines.pop();
        self.running.pop();
        self.blocked.pop();
        self.queued.pop();
        self.heap_bytes.pop();
        for g in &mut self.gauges {
            g.values.pop();
        }
    }

    /// Keeps every `k`-th row (plus the last) so a long run stays drawable.
    pub fn thin(&mut self, max_rows: usize) {
        if self.len() <= max_rows || max_rows < 2 {
            return;
        }
        let k = self.len().div_ceil(max_rows);
        let keep = |v: &mut Vec<f64>| {
            let last = *v.last().unwrap();
            let mut out: Vec<f64> = v.iter().step_by(k).copied().collect();
            if !(v.len() - 1).is_multiple_of(k) {
                out.push(last);
            }
            *v = out;
        };
        keep(&mut self.t_ms);
        keep(&mut self.goroutines);
        keep(&mut self.running);
        keep(&mut self.blocked);
        keep(&mut self.queued);
        keep(&mut self.heap_bytes);
        for g in &mut self.gauges {
            keep(&mut g.values);
        }
    }
}

/// What happened to a goroutine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `go f()`.
    Spawn,
    /// Parked; `wait` says on what.
    Block,
    /// Made runnable again.
    Unblock,
    /// Returned.
    Exit,
    /// Panicked (and was recovered by the runtime).
    Panic,
}

/// One entry of the event log, like a `go tool trace` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Runtime time in nanoseconds.
    pub t_ns: u64,
    /// What happened.
    pub kind: EventKind,
    /// Goroutine id.
    pub g: u64,
    /// Index of the thread it happened on.
    pub thread: u32,
    /// For `block`: the wait reason.
    pub wait: WaitKind,
}

/// A bounded event log: the first `cap` events are kept, later ones only counted.
#[derive(Debug)]
pub(crate) struct EventLog {
    cap: usize,
    events: Mutex<Vec<Event>>,
    dropped: AtomicU64,
}

impl EventLog {
    pub(crate) fn new(cap: usize) -> EventLog {
        EventLog {
            cap,
            events: Mutex::new(Vec::with_capacity(cap.min(4096))),
            dropped: AtomicU64::new(0),
        }
    }

    pub(crate) fn push(&self, e: Event) {
        let mut v = self.events.lock().unwrap();
        if v.len() < self.cap {
            v.push(e);
        } else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn take(&self) -> (Vec<Event>, u64) {
        (
            std::mem::take(&mut *self.events.lock().unwrap()),
            self.dropped.load(Ordering::Relaxed),
        )
    }
}
