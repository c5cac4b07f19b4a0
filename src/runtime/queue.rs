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
    /// The goroutines spawned and exited on this runner ([`Census`](super::census::Census)).
    pub(crate) census: super::census::Slot,
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

    /// A thief takes what is in `runnext` (its owner has been in one poll for a while).
    fn steal_next(&self) -> Option<GRunnable> {
        let p = self.runnext.load(Ordering::Acquire);
        if p.is_null() {
            return None;
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

    /// Whether a thief that began spinning when the runners' poll counts were `seen` would
    /// steal anything now (see `steal`): the global queue, a queue of two or more, or a lone
    /// goroutine whose runner has not finished a poll since.
    pub(crate) fn any_stealable_since(&self, seen: &Seen) -> bool {
        !self.global.is_empty()
            || (0..self.stats.len()).any(|i| match self.stats[i].runq.len() {
                0 => false,
                1 => seen.stuck(self, i),
                _ => true,
            })
    }

    /// Runner `i`'s poll count.
    fn polls_of(&self, i: usize) -> u64 {
        self.stats[i].polls.load(Ordering::Relaxed)
    }

    /// Polls so far, over all runners.
    pub(crate) fn polls(&self) -> u64 {
        self.stats
            .iter()
            .map(|s| s.polls.load(Ordering::Relaxed))
            .sum()
    }

    /// Steals work for runner `me` (whose queue is empty): half of another runner's queue
    /// (starting at a random one, as Go's `stealWork` does), then from the global queue. In an
    /// idle runner's last spin round (`last`: the poll counts it saw when it began to spin) also
    /// a lone queued goroutine or the one in `runnext` of a runner that has not finished a poll
    /// since then: one stuck in a long poll.
    ///
    /// A runner that keeps finishing polls gets to its lone goroutine and its `runnext` within
    /// microseconds (at most 32 hand-offs), as Go's owner gets to its `runnext` within the 3 µs
    /// a thief sleeps (`runqgrab`). Taken from it anyway, a goroutine ran beside its partner on
    /// the other core: the two fought for the channel's lock, and the hand-offs crossed cores.
    /// On a quiet machine the pool dispatch bench did so in about half its runs (70-92 ns a
    /// job against 35-50: 570-1,300 lone goroutines stolen per million jobs, or 100-450
    /// `runnext` steals after a 3 µs wait, each followed by a wake-up call to take the worker
    /// back), and ping-pong pairs split the same way (issue 9).
    pub(crate) fn steal(&self, me: usize, start: usize, last: Option<&Seen>) -> Option<GRunnable> {
        let n = self.stats.len();
        let others = (0..n).map(|k| (start + k) % n).filter(|&i| i != me);
        for i in others.clone() {
            // A lone goroutine in a busy runner's queue is, most often, one a hand-off just
            // pushed out of `runnext` (a submitter woke a second worker): its runner gets to it
            // within microseconds, so like a `runnext` it is left for the last spin round. Taken
            // at once, it ran beside the submitter and the two cores fought for the channel's
            // lock: the pool dispatch bench's slow mode, 80–140 ns a job against 20–30, with
            // thousands of such steals per million jobs (issue 9).
            if self.stats[i].runq.len() == 1 && !last.is_some_and(|seen| seen.stuck(self, i)) {
                continue;
            }
            if let Some(r) = self.stats[i].runq.steal_into(&self.stats[me].runq) {
                return Some(r);
            }
        }
        if let Some(r) = self.take_global(me) {
            return Some(r);
        }
        let seen = last?;
        others
            .into_iter()
            .filter(|&i| seen.stuck(self, i))
            .find_map(|i| self.stats[i].steal_next())
    }
}

/// The other runners' poll counts when a thief began to spin.
pub(crate) struct Seen(Box<[Cell<u64>]>);

impl Seen {
    pub(crate) fn new(runners: usize) -> Seen {
        Seen((0..runners).map(|_| Cell::new(0)).collect())
    }

    /// Notes every runner's poll count now.
    pub(crate) fn note(&self, q: &Queues) {
        for (i, c) in self.0.iter().enumerate() {
            c.set(q.polls_of(i));
        }
    }

    /// Whether runner `i` has finished no poll since `note`.
    fn stuck(&self, q: &Queues, i: usize) -> bool {
        self.0.get(i).is_some_and(|c| c.get() == q.polls_of(i))
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
    /// The runners' poll counts when this one last began to spin.
    pub(crate) seen: Seen,
}

impl Local {
    pub(crate) fn new(index: usize, runners: usize) -> Local {
        Local {
            index,
            in_poll: Cell::new(false),
            now_ns: Cell::new(0),
            rng: Cell::new(0x9E37_79B9_7F4A_7C15 ^ (index as u64 + 1)),
            since_check: Cell::new(0),
            check_every: Cell::new(1),
            retired: Retired::default(),
            seen: Seen::new(runners),
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

    /// Runner `i` finished a poll.
    fn polled(q: &Queues, i: usize) {
        let s = &q.stats[i];
        s.polls
            .store(s.polls.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    #[test]
    fn a_lone_queued_goroutine_is_stolen_only_in_the_last_spin_round() {
        let q = Queues::new(2);
        let seen = Seen::new(2);
        seen.note(&q);
        q.push_local(0, runnable(1));
        assert!(
            q.steal(1, 0, None).is_none(),
            "a queue of one is left to its runner until the last round"
        );
        q.push_local(0, runnable(2));
        assert!(q.steal(1, 0, None).is_some(), "a queue of two gives half");
        assert!(q.steal(1, 0, None).is_none());
        assert!(
            q.steal(1, 0, Some(&seen)).is_some(),
            "the last round takes the lone one of a runner stuck in a poll"
        );
        assert!(q.pop_local(0).is_none() && q.pop_local(1).is_none());
    }

    /// A runner that finished a poll while the thief spun keeps its lone queued goroutine and
    /// its `runnext`: it gets to them within microseconds, and taken, they ran beside their
    /// partner on the other core (issue 9: the pool dispatch bench's slow mode, ping-pong pairs
    /// split across cores). The thief does not spin again for them either: it may park.
    #[test]
    fn a_runner_making_progress_keeps_its_lone_goroutine_and_runnext() {
        let q = Queues::new(2);
        let seen = Seen::new(2);
        seen.note(&q);
        q.push_local(0, runnable(1));
        assert!(q.stats[0].put_next(runnable(2)).is_none());
        polled(&q, 0);
        assert!(
            q.steal(1, 0, Some(&seen)).is_none(),
            "took from a runner that is making progress"
        );
        assert!(!q.any_stealable_since(&seen), "would spin again for it");
        assert!(q.any_stealable(), "the deadlock check still sees it");
        // Stuck from here on: the next spin's last round takes both.
        seen.note(&q);
        assert!(q.any_stealable_since(&seen));
        let ids: Vec<u64> = std::iter::from_fn(|| q.steal(1, 0, Some(&seen)))
            .map(|r| r.metadata().id)
            .collect();
        assert_eq!(ids, [1, 2]);
    }
}
