//! The pool's counters, named as pond names them. Counters only grow; gauges go up and down.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use serde::Serialize;

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) running_workers: AtomicU64,
    pub(crate) submitted: AtomicU64,
    /// Jobs in the queue. Signed, because the two sides count in a race: the submitter counts a
    /// job in once its send has completed, and a worker that took the job from the parked sender
    /// counts it out first, so the counter dips to -1 for an instant. Unsigned, that dip wrapped
    /// to 18,446,744,073,709,551,615 in release builds, and `+ 1` on it overflowed (a panic) in
    /// debug builds. Readings clamp the dip to 0.
    waiting: AtomicI64,
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

    /// A submit's send completed: the job is in the queue (or already taken, see `waiting`).
    pub(crate) fn queued(&self) {
        Counters::inc(&self.submitted);
        let w = self.waiting.fetch_add(1, Ordering::AcqRel) + 1;
        self.peak_waiting
            .fetch_max(u64::try_from(w).unwrap_or(0), Ordering::AcqRel);
    }

    /// A worker (or `cancel`'s drain) took a job out of the queue.
    pub(crate) fn dequeued(&self) {
        self.waiting.fetch_sub(1, Ordering::AcqRel);
    }

    /// Jobs in the queue now (never negative: see `waiting`).
    pub(crate) fn waiting(&self) -> u64 {
        u64::try_from(self.waiting.load(Ordering::Acquire)).unwrap_or(0)
    }

    pub(crate) fn snapshot(&self) -> Metrics {
        let l = |c: &AtomicU64| c.load(Ordering::Acquire);
        let (successful, failed, timed_out) =
            (l(&self.successful), l(&self.failed), l(&self.timed_out));
        Metrics {
            running_workers: l(&self.running_workers),
            submitted: l(&self.submitted),
            waiting: self.waiting(),
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
