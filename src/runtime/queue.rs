//! Run queues: Go's design (`runtime/proc.go`), on crossbeam-deque.
//!
//! Each runner thread has a local FIFO queue and a `runnext` slot; a goroutine woken by the one
//! running (a channel hand-off) goes to `runnext` and runs next on the same thread, with no lock,
//! no queue and no thread wake-up. Idle runners steal half of another runner's queue. Goroutines
//! made ready outside any runner (the driver starting main) go to the global injector. A pumped
//! runtime (no threads of its own) has one plain queue instead, from which deterministic mode
//! picks with its seeded generator.

use std::{
    cell::Cell,
    collections::VecDeque,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Mutex,
    },
};

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use crossbeam_utils::CachePadded;

use super::{level::Level, scheduler::GRunnable};

/// What every thread may see of one runner.
#[derive(Default)]
pub(crate) struct RunnerStats {
    /// 1 while it polls a goroutine (with its extremes between samples).
    pub(crate) running: Level,
    /// Whether its `runnext` slot holds a goroutine.
    pub(crate) next_full: AtomicBool,
    /// Goroutine polls on this runner (only the runner writes it).
    pub(crate) polls: AtomicU64,
}

/// The shared side of the run queues.
pub(crate) struct Queues {
    pub(crate) injector: Injector<GRunnable>,
    pub(crate) stealers: Vec<Stealer<GRunnable>>,
    pub(crate) stats: Vec<CachePadded<RunnerStats>>,
    /// A pumped runtime's only queue.
    pub(crate) pumped: Mutex<VecDeque<GRunnable>>,
}

impl Queues {
    /// Queues for `n` runners, and the runners' own halves (one `Worker` each).
    pub(crate) fn new(n: usize) -> (Queues, Vec<Worker<GRunnable>>) {
        let workers: Vec<Worker<GRunnable>> = (0..n).map(|_| Worker::new_fifo()).collect();
        let q = Queues {
            injector: Injector::new(),
            stealers: workers.iter().map(Worker::stealer).collect(),
            stats: (0..n.max(1)).map(|_| CachePadded::default()).collect(),
            pumped: Mutex::new(VecDeque::new()),
        };
        (q, workers)
    }

    /// Goroutines being polled now.
    pub(crate) fn running_now(&self) -> usize {
        self.stats
            .iter()
            .map(|s| s.running.get().max(0) as usize)
            .sum()
    }

    /// Goroutines waiting for a thread now (approximate while runners move them).
    pub(crate) fn queued(&self) -> usize {
        self.injector.len()
            + self.stealers.iter().map(Stealer::len).sum::<usize>()
            + self
                .stats
                .iter()
                .filter(|s| s.next_full.load(Ordering::Relaxed))
                .count()
            + self.pumped.lock().unwrap().len()
    }

    /// Whether any queue a runner could take from holds a goroutine.
    pub(crate) fn any_stealable(&self) -> bool {
        !self.injector.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
    }

    /// Polls so far, over all runners.
    pub(crate) fn polls(&self) -> u64 {
        self.stats
            .iter()
            .map(|s| s.polls.load(Ordering::Relaxed))
            .sum()
    }

    /// `(lowest, highest, now)` goroutines running since the last call: each runner's extremes,
    /// summed (so the highest is an upper bound of how many ran at once).
    pub(crate) fn running_interval(&self) -> (i64, i64, i64) {
        self.stats.iter().fold((0, 0, 0), |acc, s| {
            let (lo, hi, now) = s.running.take_interval();
            (acc.0 + lo, acc.1 + hi, acc.2 + now)
        })
    }

    /// Steals work for runner `me`: from the injector, then from the others (starting at a
    /// random one, as Go's `stealWork` does). Moves a batch to `local` and returns one.
    pub(crate) fn steal(
        &self,
        me: usize,
        local: &Worker<GRunnable>,
        start: usize,
    ) -> Option<GRunnable> {
        loop {
            let mut retry = false;
            match self.injector.steal_batch_and_pop(local) {
                Steal::Success(r) => return Some(r),
                Steal::Retry => retry = true,
                Steal::Empty => {}
            }
            let n = self.stealers.len();
            for k in 0..n {
                let i = (start + k) % n;
                if i == me {
                    continue;
                }
                match self.stealers[i].steal_batch_and_pop(local) {
                    Steal::Success(r) => return Some(r),
                    Steal::Retry => retry = true,
                    Steal::Empty => {}
                }
            }
            if !retry {
                return None;
            }
        }
    }
}

/// A runner thread's own half: its queue and its `runnext`.
pub(crate) struct Local {
    pub(crate) index: usize,
    pub(crate) worker: Worker<GRunnable>,
    pub(crate) runnext: Cell<Option<GRunnable>>,
    /// True while this runner polls a goroutine (a wake then goes to `runnext`).
    pub(crate) in_poll: Cell<bool>,
    /// Runtime time as this runner last read it (for "blocked since"): a poll does not read
    /// the clock.
    pub(crate) now_ns: Cell<u64>,
    /// A xorshift state for the order in which it steals.
    rng: Cell<u64>,
    /// Polls since this runner last looked at the clock, and how many it lets pass.
    pub(crate) since_check: Cell<u32>,
    pub(crate) check_every: Cell<u32>,
}

impl Local {
    pub(crate) fn new(index: usize, worker: Worker<GRunnable>) -> Local {
        Local {
            index,
            worker,
            runnext: Cell::new(None),
            in_poll: Cell::new(false),
            now_ns: Cell::new(0),
            rng: Cell::new(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1)),
            since_check: Cell::new(0),
            check_every: Cell::new(1),
        }
    }

    /// A random number below `n`.
    pub(crate) fn random_below(&self, n: usize) -> usize {
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.set(x);
        (x % n.max(1) as u64) as usize
    }
}
