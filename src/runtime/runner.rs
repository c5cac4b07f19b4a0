//! A runner thread: its loop (Go's `schedule` and `findRunnable`).
//!
//! A runner runs its `runnext`, then its own queue (and now and then the global queue first);
//! with nothing left it spins, stealing from the others and firing due timers, then parks. After
//! a poll it only sometimes reads the clock (to fire timers and sample): a clock read costs as
//! much as a short poll.

use std::{
    sync::{atomic::Ordering, Arc},
    time::Duration,
};

use super::{
    super::metrics::alloc,
    local::{self, enter},
    queue::Local,
    scheduler::{GRunnable, Shared},
};

/// After this many `runnext` hand-offs in a row, the next one goes through the local queue, so
/// a ping-pong pair cannot starve everyone else (Go's `runnext` inherits the time slice for the
/// same reason).
const RUN_NEXT_STREAK: u32 = 32;
/// How many rounds an idle runner looks for work before it parks: about 13 µs of pause loops
/// here (544 `pause`s at ~24 ns each on this KVM EPYC, measured 2026-11-30), about what waking a
/// parked thread costs (25 µs), as Go's spinning M gives up after one pass over the Ps.
///
/// It was 64 rounds, which the comment put at 10–20 µs but which measured 315–515 µs of pauses
/// (8,320 of them), plus up to 3 µs at every round whose victim had a `runnext`: on the pool
/// dispatch bench (one submitter, two workers) the idle runner then never parked, and stole every
/// worker that a hand-off pushed out of the busy runner's `runnext` into its queue, so submitter
/// and workers contended for the channel's lock from two cores (1.93 CPUs busy; Go runs the same
/// program on 0.97, all three goroutines on the submitter's thread). Issue 9.
///
/// Under Miri, two rounds and no pause loop. Miri's clock (isolated) charges 5 µs per
/// interpreted basic block, so the native spin, some 10,000 pause-loop iterations, lasts about
/// half a second of its time, while a 2 ms park lasts 400 blocks: runners spent ~99 % of the time
/// spinning instead of ~1 %, and the deadlock check, made by the last runner to park, had to wait
/// for one runner to go idle inside the other's few-block park (about 25 minutes per deadlock
/// test, issue 9).
const SPIN_ROUNDS: u32 = if cfg!(miri) { 2 } else { 16 };
/// Pause-loop steps after spin round `round` (none under Miri, see `SPIN_ROUNDS`; on wasm
/// [`PAUSE_SCALE`] times as many).
const fn spin_pauses(round: u32) -> u32 {
    if cfg!(miri) {
        0
    } else {
        (round + 1) * 4 * PAUSE_SCALE
    }
}

/// How many times longer a spin's pause loop runs on wasm. Natively a step is x86's `pause`:
/// the 16 rounds' 544 steps and their looks for work measured 13.4 µs here. wasm has no such
/// instruction (`spin_loop` is nothing there), so a step reads an atomic instead (`pause`).
/// Measured in Chromium 156 (the bench build, `npm run bench`'s pool dispatch, ns a job; native
/// 32–36): steps that did nothing, 104–106; one read a step, 98; 25 reads, 57–64; 50 reads, the
/// choice, 61–62, with the spin then 15–31 µs long (means over 600–1,000 spins; Chromium's
/// clock moves in 5 µs steps). With the short spin the idle Web Worker more often took the busy
/// one's goroutines, and the pool's workers ran beside their submitter on the other core, both
/// fighting for the channel's lock (`Mutex::lock_contended` and its `Atomics.wait` were a fifth
/// of each worker's profile). Issue 9.
const PAUSE_SCALE: u32 = if cfg!(target_arch = "wasm32") { 50 } else { 1 };
/// What a pause step reads on wasm: an atomic nobody writes, on a cache line of its own. (The
/// shutdown flag, read at first, may share a line with a field a busy runner writes, such as
/// the goroutine-id counter every spawn adds to: review, session 23.)
#[cfg(target_arch = "wasm32")]
static PAUSE_READ: crossbeam_utils::CachePadded<std::sync::atomic::AtomicBool> =
    crossbeam_utils::CachePadded::new(std::sync::atomic::AtomicBool::new(false));

/// One step of a spin's pause loop (see [`PAUSE_SCALE`]).
#[inline(always)]
fn pause() {
    #[cfg(target_arch = "wasm32")]
    std::hint::black_box(PAUSE_READ.load(Ordering::Relaxed));
    #[cfg(not(target_arch = "wasm32"))]
    std::hint::spin_loop();
}

/// Go's `schedtick % 61`: now and then a runner looks at the global queue first, so goroutines
/// made ready from outside are not starved by a busy local queue.
const GLOBAL_EVERY: u32 = 61;
/// Longest a runner parks with nothing to wait for (it rechecks shutdown and timers).
const MAX_PARK: Duration = Duration::from_millis(100);
/// Longest a runner parks while another is busy: about 1 % of a core in wake-ups, for a
/// second thread within 2 ms of work it was not woken for.
///
/// Under Miri, as long as `MAX_PARK`: 2 ms of Miri's clock is 400 interpreted blocks, less than
/// one wake-up (spin, sample, go idle) costs, so the idle runner's wake-ups alone kept Miri's
/// clock running, and every sample then filled the gap with rows (issue 9).
const BUSY_PARK: Duration = if cfg!(miri) {
    MAX_PARK
} else {
    Duration::from_millis(2)
};

impl Shared {
    /// The loop of runner thread `index`. Returns at shutdown.
    pub(crate) fn runner(self: &Arc<Self>, index: usize) {
        struct Exit<'a>(&'a Shared);
        impl Drop for Exit<'_> {
            fn drop(&mut self) {
                self.0.runners.fetch_sub(1, Ordering::AcqRel);
                self.0.notify_done();
            }
        }
        let _exit = Exit(self);
        let _enter = enter(self);
        let l = Local::new(index, self.queues.stats.len());
        let _runner = local::enter_runner(&l);
        local::set_thread_index(index as u32);
        let _alloc = alloc::enter_runner();
        l.now_ns.set(self.now_ns());
        let (mut streak, mut tick) = (0u32, 0u32);
        while !self.shutdown.load(Ordering::Acquire) {
            tick = tick.wrapping_add(1);
            let next = self.queues.stats[index].take_next();
            let r = match next {
                Some(r) if streak < RUN_NEXT_STREAK => {
                    streak += 1;
                    Some(r)
                }
                Some(r) => {
                    streak = 0;
                    self.end_streak(index, r)
                }
                None => {
                    streak = 0;
                    self.find_local(&l, tick)
                }
            };
            match r {
                Some(r) => {
                    self.run(r, Some(&l));
                    self.after_poll(&l);
                }
                None => self.idle(&l),
            }
        }
        self.registry.flush(l.index, &l.retired);
        // Goroutines left in this runner's queue: dropping them cancels them.
        drop(self.queues.stats[index].take_next());
        while self.queues.pop_local(index).is_some() {}
        // `_alloc` gives back the blocks kept and the tally as it drops, after these frees.
    }

    /// `r` came out of `runnext` after `RUN_NEXT_STREAK` hand-offs in a row: it goes to the back
    /// of the local queue, behind whoever waits there, and the front one runs.
    ///
    /// With both queues empty nobody waits behind it, so it runs at once, and no idle runner is
    /// woken: the round trip through the queue would only hand it back. A ping-pong pair reaches
    /// this every 32 hand-offs, and the wake-up call that went with the push woke the parked
    /// runner to spin for nothing: on a quiet machine about 1,000 futex wakes per 200,000 round
    /// trips (those runs took ~600 ns a round trip instead of ~300, issue 9).
    fn end_streak(&self, index: usize, r: GRunnable) -> Option<GRunnable> {
        if self.queues.local_is_empty(index) && self.queues.global.is_empty() {
            return Some(r);
        }
        self.queues.push_local(index, r);
        self.sleep.notify_work();
        self.queues.pop_local(index)
    }

    /// Work this runner can take without spinning: its queue, now and then the global queue
    /// first (Go's fairness rule), then the global queue, due timers, and the other runners'.
    fn find_local(&self, l: &Local, tick: u32) -> Option<GRunnable> {
        if tick.is_multiple_of(GLOBAL_EVERY) {
            if let Some(r) = self.queues.take_global(l.index) {
                return Some(r);
            }
        }
        self.queues.pop_local(l.index)
    }

    /// After a poll: now and then, read the clock, fire due timers and sample. How often adapts
    /// to how long polls take: about every 50 µs of wall time, never per poll when polls are
    /// short (a clock read costs as much as a short poll).
    fn after_poll(&self, l: &Local) {
        let n = l.since_check.get() + 1;
        if n < l.check_every.get() {
            l.since_check.set(n);
            return;
        }
        l.since_check.set(0);
        let before = l.now_ns.get();
        let now = self.now_ns();
        l.now_ns.set(now);
        let wall = self.clock.real_until_from(before, now);
        let every = l.check_every.get();
        if wall < Duration::from_micros(25) && every < 256 {
            l.check_every.set(every * 2);
        } else if wall > Duration::from_micros(100) && every > 1 {
            l.check_every.set(every / 2);
        }
        if self.timers.maybe_due(now) {
            self.timers.fire_due(now);
        }
        self.sample_at(now, false);
    }

    /// Nothing in this runner's queue: spin looking for work (stealing, timers), then park.
    fn idle(&self, l: &Local) {
        self.sleep.start_spinning();
        loop {
            l.seen.note(&self.queues);
            for round in 0..SPIN_ROUNDS {
                // Another runner's `runnext`, and a lone goroutine in its queue, only in the last
                // round, as Go's `stealWork` takes `runnext` only in the last of its four passes,
                // and only from a runner that has not finished a poll while this one spun.
                if let Some(r) = self.find_elsewhere(l, round + 1 == SPIN_ROUNDS) {
                    self.sleep.found_work();
                    self.run(r, Some(l));
                    self.after_poll(l);
                    return;
                }
                if self.shutdown.load(Ordering::Acquire) {
                    self.sleep.found_work();
                    return;
                }
                for _ in 0..spin_pauses(round) {
                    pause();
                }
            }
            let now = self.now_ns();
            l.now_ns.set(now);
            self.sample_settled(now);
            // Finished goroutines leave the registry before the runner sleeps (a deadlock
            // report or a leak listing must not wait for this runner's next batch).
            self.registry.flush(l.index, &l.retired);
            let Some((idle, n)) = self.sleep.go_idle(l.index, || {
                self.queues.any_stealable_since(&l.seen) || self.timers.maybe_due(now)
            }) else {
                continue; // work arrived while it went idle: spin again
            };
            let all_idle = n == self.threads();
            let next_timer = self.timers.next_deadline();
            if all_idle && next_timer.is_none() && self.deadlock_now() {
                drop(idle);
                self.declare_deadlock();
            } else {
                drop(idle);
            }
            // While another runner is busy, look again soon: its pushes do not always wake this
            // one (see `Sleep::notify_work`), and CPU-bound work should not wait long for a
            // second thread.
            let max = if all_idle { MAX_PARK } else { BUSY_PARK };
            let timeout = next_timer.map_or(max, |t| self.clock.real_until(t).min(max));
            self.sleep.park(l.index, timeout);
            // Woken (or timed out): counted as spinning again.
            let now = self.now_ns();
            l.now_ns.set(now);
            self.sample_at(now, false);
            if self.shutdown.load(Ordering::Acquire) {
                self.sleep.found_work();
                return;
            }
        }
    }

    /// Work from anywhere but this runner's own queue: due timers, the global queue, the other
    /// runners' queues, and with `runnext` their `runnext` slots.
    fn find_elsewhere(&self, l: &Local, runnext: bool) -> Option<GRunnable> {
        // The clock only when a timer is armed: a runner looking for work does this in a loop.
        if self.timers.any() && self.timers.maybe_due(self.now_ns()) {
            let now = self.now_ns();
            l.now_ns.set(now);
            self.timers.fire_due(now);
            if let Some(r) = self.queues.stats[l.index].take_next() {
                return Some(r);
            }
            if let Some(r) = self.queues.pop_local(l.index) {
                return Some(r);
            }
        }
        let n = self.queues.stats.len();
        let last = runnext.then_some(&l.seen);
        self.queues.steal(l.index, l.random_below(n), last)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{
        super::{clock::Clock, goroutine::GMeta, scheduler::Mode},
        *,
    };

    fn runnable(id: u64) -> GRunnable {
        let (r, t) = async_task::Builder::new()
            .metadata(GMeta::new(id, "t", 0, 0))
            .spawn(move |_| async {}, |_r| {});
        t.detach();
        r
    }

    /// Two runners, no threads started: runner 1 parked, nobody spinning.
    fn one_parked() -> Shared {
        let s = Shared::new(
            Mode::Threads(2),
            Clock::real(1.0),
            None,
            None,
            Duration::from_millis(1),
        );
        s.sleep.start_spinning();
        drop(s.sleep.go_idle(1, || false).expect("nothing to find"));
        assert_eq!(s.sleep.idle_count(), 1);
        s
    }

    /// A ping-pong pair ends a `runnext` streak every 32 hand-offs with nothing else queued: the
    /// goroutine runs on, and the parked runner stays parked (it was woken each time, to spin
    /// for nothing: issue 9, the quiet machine's slow ping-pong).
    #[test]
    fn a_streak_with_nobody_waiting_wakes_no_runner() {
        let s = one_parked();
        let r = s.end_streak(0, runnable(7)).expect("runs on");
        assert_eq!(r.metadata().id, 7);
        assert_eq!(s.sleep.idle_count(), 1, "the parked runner was woken");
        assert!(s.queues.local_is_empty(0));
    }

    /// With a goroutine waiting in the queue, the streak's goroutine goes behind it (and a parked
    /// runner is woken, as for any push): the pair cannot starve it.
    #[test]
    fn a_streak_goes_behind_a_waiting_goroutine() {
        let s = one_parked();
        s.queues.push_local(0, runnable(1));
        let r = s.end_streak(0, runnable(7)).expect("one is queued");
        assert_eq!(r.metadata().id, 1, "the waiting one runs first");
        assert_eq!(s.sleep.idle_count(), 0, "a parked runner is woken for it");
        assert_eq!(s.queues.pop_local(0).map(|r| r.metadata().id), Some(7));
    }
}
