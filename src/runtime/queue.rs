//! Run queues: Go's design (`runtime/proc.go`), on crossbeam-deque.
//!
//! Each runner thread has a local FIFO queue and a `runnext` slot; a goroutine woken by the one
//! running (a channel hand-off) goes to `runnext` and runs next on the same thread, with no lock,
//! no queue and no thread wake-up. Idle runners steal half of another runner's queue, and, as
//! Go's `runqsteal` does, the goroutine in a busy runner's `runnext` once it has waited there a
//! few microseconds (the owner was about to run it otherwise). Goroutines
//! made ready outside any runner (the driver starting main) go to the global injector. A pumped
//! runtime (no threads of its own) has one plain queue instead, from which deterministic mode
//! picks with its seeded generator.

use std::{
    cell::Cell,
    collections::VecDeque,
    ptr::{self, NonNull},
    sync::{
        atomic::{AtomicPtr, AtomicU64, Ordering},
        Mutex,
    },
    time::Duration,
};

use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use crossbeam_utils::CachePadded;

use super::{level::Level, registry::Retired, scheduler::GRunnable};

/// What every thread may see of one runner.
#[derive(Default)]
pub(crate) struct RunnerStats {
    /// 1 while it polls a goroutine (with its extremes between samples).
    pub(crate) running: Level,
    /// Its `runnext` slot: a raw `GRunnable`, or null. The owner puts and takes with a swap; a
    /// thief takes with a compare-and-swap, so whoever wins owns the goroutine.
    runnext: AtomicPtr<()>,
    /// Goroutine polls on this runner (only the runner writes it).
    pub(crate) polls: AtomicU64,
}

impl RunnerStats {
    /// Puts `r` in `runnext`; returns what was there.
    pub(crate) fn put_next(&self, r: GRunnable) -> Option<GRunnable> {
        let old = self.runnext.swap(r.into_raw().as_ptr(), Ordering::AcqRel);
        // SAFETY: a non-null slot holds a runnable made by `into_raw`, owned by whoever swaps
        // or CASes it out.
        NonNull::new(old).map(|p| unsafe { GRunnable::from_raw(p) })
    }

    /// Takes what is in `runnext` (the owner).
    pub(crate) fn take_next(&self) -> Option<GRunnable> {
        let old = self.runnext.swap(ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: as in `put_next`.
        NonNull::new(old).map(|p| unsafe { GRunnable::from_raw(p) })
    }

    /// A thief takes what is in `runnext` if it is still the same goroutine after `wait`: the
    /// owner was busy and did not get to it.
    fn steal_next(&self, wait: Duration) -> Option<GRunnable> {
        let p = self.runnext.load(Ordering::Acquire);
        if p.is_null() {
            return None;
        }
        let start = web_time::Instant::now();
        while start.elapsed() < wait {
            if self.runnext.load(Ordering::Acquire) != p {
                return None;
            }
            std::hint::spin_loop();
        }
        self.runnext
            .compare_exchange(p, ptr::null_mut(), Ordering::AcqRel, Ordering::Acquire)
            .ok()?;
        // SAFETY: as in `put_next`; the CAS made it ours.
        Some(unsafe { GRunnable::from_raw(NonNull::new(p)?) })
    }
}

/// How long a goroutine waits in a busy runner's `runnext` before another runner takes it (Go
/// sleeps 3 µs for the same reason).
const RUNNEXT_GRACE: Duration = Duration::from_micros(3);

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
                .filter(|s| !s.runnext.load(Ordering::Relaxed).is_null())
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
    /// random one, as Go's `stealWork` does; a batch moves to `local`), then a `runnext` that
    /// waited too long.
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
                break;
            }
        }
        let n = self.stats.len();
        (0..n)
            .map(|k| (start + k) % n)
            .filter(|&i| i != me)
            .find_map(|i| self.stats[i].steal_next(RUNNEXT_GRACE))
    }
}

/// A runner thread's own half: its queue and its `runnext`.
pub(crate) struct Local {
    pub(crate) index: usize,
    pub(crate) worker: Worker<GRunnable>,
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
    /// Goroutines that finished here, to take off the registry in a batch.
    pub(crate) retired: Retired,
}

impl Local {
    pub(crate) fn new(index: usize, worker: Worker<GRunnable>) -> Local {
        Local {
            index,
            worker,
            in_poll: Cell::new(false),
            now_ns: Cell::new(0),
            rng: Cell::new(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1)),
            since_check: Cell::new(0),
            check_every: Cell::new(1),
            retired: Retired::default(),
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
