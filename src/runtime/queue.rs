//! Run queues: Go's design (`runtime/proc.go`).
//!
//! Each runner thread has a local queue (`runq.rs`, Go's 256-slot ring) and a `runnext` slot; a
//! goroutine woken by the one running (a channel hand-off) goes to `runnext` and runs next on the
//! same thread, with no lock, no queue and no thread wake-up. Idle runners steal half of another
//! runner's queue, and, as Go's `runqsteal` does, the goroutine in a busy runner's `runnext`
//! once it has waited there a few microseconds (the owner was about to run it otherwise).
//! Goroutines made ready outside any runner (the driver starting main), and the overflow of a
//! full local queue, go to the global queue. A pumped runtime (no threads of its own) has one
//! plain queue instead, from which deterministic mode picks with its seeded generator.

use std::{
    cell::Cell,
    collections::VecDeque,
    ptr::{self, NonNull},
    sync::{
        atomic::{AtomicI64, AtomicPtr, AtomicU64, AtomicUsize, Ordering},
        Mutex,
    },
    time::Duration,
};

use crossbeam_utils::CachePadded;

use super::{
    registry::Retired,
    runq::{Overflow, RunQueue},
    scheduler::GRunnable,
};

/// What every thread may see of one runner.
#[derive(Default)]
pub(crate) struct RunnerStats {
    /// 1 while it polls a goroutine. A plain atomic: the series reads running as it is at each
    /// sample (its extremes fell at other instants than alive's, src/runtime/observe.rs).
    pub(crate) running: AtomicI64,
    /// Its `runnext` slot: a raw `GRunnable`, or null. The owner puts and takes with a swap; a
    /// thief takes with a compare-and-swap, so whoever wins owns the goroutine.
    runnext: AtomicPtr<()>,
    /// Its local queue, on a cache line of its own: idle runners read its head and tail in
    /// every spin round, and the owner writes `running`, `polls` and `runnext` at every poll.
    /// On one line, each of those writes cost the owner a cache miss while another runner spun
    /// (pool dispatch bench, issue 9).
    runq: CachePadded<RunQueue>,
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

impl Drop for RunnerStats {
    fn drop(&mut self) {
        drop(self.take_next());
    }
}

/// The global queue (Go's `sched.runq`): a lock, taken rarely.
#[derive(Default)]
pub(crate) struct Global {
    q: Mutex<VecDeque<GRunnable>>,
    len: AtomicUsize,
}

impl Global {
    pub(crate) fn push(&self, r: GRunnable) {
        let mut q = self.q.lock().unwrap();
        q.push_back(r);
        self.len.store(q.len(), Ordering::Release);
    }

    fn push_all(&self, rs: Overflow<'_>) {
        let mut q = self.q.lock().unwrap();
        q.extend(rs);
        self.len.store(q.len(), Ordering::Release);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len.load(Ordering::Acquire) == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Takes one, and moves a fair share of the rest (Go's `globrunqget`) to `local`.
    fn take(&self, local: &RunQueue, runners: usize) -> Option<GRunnable> {
        if self.is_empty() {
            return None;
        }
        let mut q = self.q.lock().unwrap();
        let r = q.pop_front();
        let share = (q.len() / runners.max(1)).min(super::runq::CAP as usize / 2);
        local.push_from(&mut q, share as u32);
        self.len.store(q.len(), Ordering::Release);
        r
    }

    /// Drops everything queued (shutdown: cancelled goroutines).
    pub(crate) fn clear(&self) {
        let all: Vec<GRunnable> = {
            let mut q = self.q.lock().unwrap();
            self.len.store(0, Ordering::Release);
            q.drain(..).collect()
        };
        drop(all);
    }
}

/// How long a goroutine waits in a busy runner's `runnext` before another runner takes it (Go
/// sleeps 3 µs for the same reason).
const RUNNEXT_GRACE: Duration = Duration::from_micros(3);

/// The shared side of the run queues.
pub(crate) struct Queues {
    pub(crate) global: Global,
    pub(crate) stats: Vec<CachePadded<RunnerStats>>,
    /// A pumped runtime's only queue.
    pub(crate) pumped: Mutex<VecDeque<GRunnable>>,
}

impl Queues {
    /// Queues for `n` runners.
    pub(crate) fn new(n: usize) -> Queues {
        Queues {
            global: Global::default(),
            stats: (0..n.max(1)).map(|_| CachePadded::default()).collect(),
            pumped: Mutex::new(VecDeque::new()),
        }
    }

    /// Runner `me` queues `r` at the back of its own queue (half of a full one goes global).
    pub(crate) fn push_local(&self, me: usize, r: GRunnable) {
        self.stats[me]
            .runq
            .push(r, |overflow| self.global.push_all(overflow));
    }

    /// Whether runner `me`'s own queue is empty.
    pub(crate) fn local_is_empty(&self, me: usize) -> bool {
        self.stats[me].runq.is_empty()
    }

    /// Runner `me` takes from the front of its own queue.
    pub(crate) fn pop_local(&self, me: usize) -> Option<GRunnable> {
        self.stats[me].runq.pop()
    }

    /// Runner `me` takes from the global queue (with a fair share into its own).
    pub(crate) fn take_global(&self, me: usize) -> Option<GRunnable> {
        self.global.take(&self.stats[me].runq, self.stats.len())
    }

    /// Goroutines being polled now.
    pub(crate) fn running_now(&self) -> usize {
        self.stats
            .iter()
            .map(|s| s.running.load(Ordering::Acquire).max(0) as usize)
            .sum()
    }

    /// Goroutines waiting for a thread now (approximate while runners move them).
    pub(crate) fn queued(&self) -> usize {
        self.global.len()
            + self
                .stats
                .iter()
                .map(|s| {
                    s.runq.len() as usize
                        + usize::from(!s.runnext.load(Ordering::Relaxed).is_null())
                })
                .sum::<usize>()
            + self.pumped.lock().unwrap().len()
    }

    /// Whether any queue a runner could take from holds a goroutine.
    pub(crate) fn any_stealable(&self) -> bool {
        !self.global.is_empty() || self.stats.iter().any(|s| !s.runq.is_empty())
    }

    /// Polls so far, over all runners.
    pub(crate) fn polls(&self) -> u64 {
        self.stats
            .iter()
            .map(|s| s.polls.load(Ordering::Relaxed))
            .sum()
    }

    /// Steals work for runner `me` (whose queue is empty): half of another runner's queue
    /// (starting at a random one, as Go's `stealWork` does; a queue of one only if `runnext`),
    /// then from the global queue, then, if `runnext`, a goroutine that waited too long in
    /// another's `runnext`. `runnext` is set in an idle runner's last spin round.
    pub(crate) fn steal(&self, me: usize, start: usize, runnext: bool) -> Option<GRunnable> {
        let n = self.stats.len();
        let others = (0..n).map(|k| (start + k) % n).filter(|&i| i != me);
        for i in others.clone() {
            // A lone goroutine in a busy runner's queue is, most often, one a hand-off just
            // pushed out of `runnext` (a submitter woke a second worker): its runner gets to it
            // within microseconds, so like a `runnext` it is left for the last spin round. Taken
            // at once, it ran beside the submitter and the two cores fought for the channel's
            // lock: the pool dispatch bench's slow mode, 80–140 ns a job against 20–30, with
            // thousands of such steals per million jobs (issue 9).
            if !runnext && self.stats[i].runq.len() == 1 {
                continue;
            }
            if let Some(r) = self.stats[i].runq.steal_into(&self.stats[me].runq) {
                return Some(r);
            }
        }
        if let Some(r) = self.take_global(me) {
            return Some(r);
        }
        if !runnext {
            return None;
        }
        others
            .into_iter()
            .find_map(|i| self.stats[i].steal_next(RUNNEXT_GRACE))
    }
}

/// A runner thread's own state.
pub(crate) struct Local {
    pub(crate) index: usize,
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
    pub(crate) fn new(index: usize) -> Local {
        Local {
            index,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn runnable(id: u64) -> GRunnable {
        let meta = super::super::goroutine::GMeta::new(id, "t", 0, 0);
        let (r, t) = async_task::Builder::new()
            .metadata(meta)
            .spawn(move |_| async {}, |_r| {});
        t.detach();
        r
    }

    #[test]
    fn a_lone_queued_goroutine_is_stolen_only_in_the_last_spin_round() {
        let q = Queues::new(2);
        q.push_local(0, runnable(1));
        assert!(
            q.steal(1, 0, false).is_none(),
            "a queue of one is left to its runner until the last round"
        );
        q.push_local(0, runnable(2));
        assert!(q.steal(1, 0, false).is_some(), "a queue of two gives half");
        assert!(q.steal(1, 0, false).is_none());
        assert!(
            q.steal(1, 0, true).is_some(),
            "the last round takes the lone one"
        );
        assert!(q.pop_local(0).is_none() && q.pop_local(1).is_none());
    }
}
