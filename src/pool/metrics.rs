//! The pool's counters, named as pond names them. Counters only grow; gauges go up and down.

use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) running_workers: AtomicU64,
    pub(crate) submitted: AtomicU64,
    pub(crate) waiting: AtomicU64,
    pub(crate) successful: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) timed_out: AtomicU64,
    pub(crate) panicked: AtomicU64,
    pub(crate) dropped: AtomicU64,
    pub(crate) cancelled: AtomicU64,
    pub(crate) peak_waiting: AtomicU64,
}

impl Counters {
    pub(crate) fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn dec(c: &AtomicU64) {
        c.fetch_sub(1, Ordering::AcqRel);
    }

    pub(crate) fn queued(&self) {
        Counters::inc(&self.submitted);
        let w = self.waiting.fetch_add(1, Ordering::AcqRel) + 1;
        self.peak_waiting.fetch_max(w, Ordering::AcqRel);
    }

    pub(crate) fn snapshot(&self) -> Metrics {
        let l = |c: &AtomicU64| c.load(Ordering::Acquire);
        let (successful, failed, timed_out) =
            (l(&self.successful), l(&self.failed), l(&self.timed_out));
        Metrics {
            running_workers: l(&self.running_workers),
            submitted: l(&self.submitted),
            waiting: l(&self.waiting),
            successful,
            failed,
            timed_out,
            panicked: l(&self.panicked),
            completed: successful + failed + timed_out,
            dropped: l(&self.dropped),
            cancelled: l(&self.cancelled),
            peak_waiting: l(&self.peak_waiting),
        }
    }
}

/// A snapshot of a pool's metrics.
///
/// Every submitted task ends in exactly one of successful, failed, timed out or cancelled:
/// `submitted == successful + failed + timed_out + cancelled` once nothing is in flight.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Metrics {
    /// Gauge: workers executing a task right now.
    pub running_workers: u64,
    /// Counter: tasks accepted into the queue.
    pub submitted: u64,
    /// Gauge: tasks in the queue, not yet picked up by a worker.
    pub waiting: u64,
    /// Counter: tasks that returned `Ok`.
    pub successful: u64,
    /// Counter: tasks that returned an error or panicked.
    pub failed: u64,
    /// Counter: tasks stopped by the per-task timeout.
    pub timed_out: u64,
    /// Counter: tasks that panicked (a subset of `failed`), recovered by the worker.
    pub panicked: u64,
    /// Counter: tasks that finished, whatever the result (`successful + failed + timed_out`).
    pub completed: u64,
    /// Counter: tasks `try_submit` turned away because the queue was full.
    pub dropped: u64,
    /// Counter: tasks that never ran because the pool was cancelled.
    pub cancelled: u64,
    /// The highest `waiting` seen.
    pub peak_waiting: u64,
}
