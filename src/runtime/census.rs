//! How many goroutines are alive: the goroutines spawned, minus those that exited.
//!
//! One shared counter, added to at every spawn and taken from at every exit, kept the count and
//! its peak exact, but its cache line moved between the spawning runner and the finishing one
//! twice per goroutine: on the spawn bench its two locked adds were 19 % of the samples in
//! `perf`, and leaving the count out took the bench from 475 to 305 ns in the machine's slow
//! state (issue 9). So each runner counts the goroutines it spawns and those that exit on it,
//! on lines that only it writes, and the count is the sum of the differences.
//!
//! The series still draws every extreme ([`Level`](super::level::Level) explains why), and
//! none that did not happen:
//! - A new high can only come with a spawn. The spawner compares the spawns with the exits it
//!   last read (fewer than there are now, so the difference is at least the count, but for
//!   spawns on other runners it cannot see yet): at or below the highs already drawn, there is
//!   nothing more to do, and it has read only lines that spawns write. Above, it reads every
//!   runner's exits after the spawns, and draws the difference, which is at most the count when
//!   it read the spawns.
//! - A new low can only come with an exit, the mirror image: the exiting runner compares the
//!   spawns it last read with the exits now, and only below the lows drawn reads the spawns,
//!   after the exits, which gives at least the count at that read.
//!
//! So a drawn peak is never higher than the count was, a dip never deeper; either can fall
//! short by the goroutines that exit or start, on other runners, in the ~100 ns it is being
//! read. (Each runner's counts are plain stores, no fence: a spawn on another runner can be
//! that late to show. Two runners that spawn at the same instant can each miss the other's
//! spawn, and the peak they make together be drawn one or two short.) A sample, the deadlock
//! check and `NumGoroutine` read the spawns before and after the exits and take the difference
//! only when no spawn came between: the count then only fell while the exits were read, so it
//! had that very value at some instant between (see [`Census::get`] for when spawns never stop
//! coming). Every value drawn, a sample's included, also raises the peaks, so `peak()` is at
//! least the highest row of the series.

use std::sync::atomic::{
    AtomicI64,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};

use crossbeam_utils::CachePadded;

use super::queue::RunnerStats;

/// One runner's counts (in its [`RunnerStats`]): only that runner writes them. Spawns and
/// exits on lines of their own: the spawner reads every runner's spawns at each spawn, and
/// another runner's exits would move that line away.
#[derive(Default)]
pub(crate) struct Slot {
    spawns: CachePadded<Count>,
    exits: CachePadded<Count>,
}

#[derive(Default)]
struct Count {
    /// Goroutines spawned (exited) on this runner.
    n: AtomicI64,
    /// Everyone's exits (spawns), as this runner last read them at a spawn (exit).
    seen: AtomicI64,
}

impl Count {
    /// One more; `own`: only this thread writes it, so a plain store does (no locked add).
    fn bump(&self, own: bool) {
        if own {
            self.n.store(self.n.load(Relaxed) + 1, Release);
        } else {
            self.n.fetch_add(1, AcqRel);
        }
    }
}

/// The live count, its extremes since the sampler last looked, and its peaks.
///
/// What a spawn reads and what an exit reads sit on lines of their own: with `hi` and `lo` on
/// one line, the spawner's look at `hi` missed the cache after each new low an exit wrote.
pub(crate) struct Census {
    /// Spawns and exits outside the runners (several threads write it).
    outside: Slot,
    highs: CachePadded<Highs>,
    lo: CachePadded<AtomicI64>,
}

#[derive(Default)]
struct Highs {
    /// The highest since the sampler last looked.
    hi: AtomicI64,
    /// The most goroutines alive at once, over the whole run.
    peak: AtomicI64,
    /// The most alive since the last `reset_window` (a phase of a scenario).
    window_peak: AtomicI64,
}

/// The runners, whose `census` slots hold their counts.
type Runners = [CachePadded<RunnerStats>];

impl Census {
    pub(crate) fn new() -> Census {
        Census {
            outside: Slot::default(),
            highs: CachePadded::default(),
            lo: CachePadded::default(),
        }
    }

    /// The slot of runner `runner`, and whether that runner alone writes it (else the shared
    /// one).
    fn slot<'a>(&'a self, runners: &'a Runners, runner: Option<usize>) -> (&'a Slot, bool) {
        match runner.and_then(|r| runners.get(r)) {
            Some(r) => (&r.census, true),
            None => (&self.outside, false),
        }
    }

    fn spawns(&self, runners: &Runners) -> i64 {
        let mut n = self.outside.spawns.n.load(Acquire);
        for r in runners {
            n += r.census.spawns.n.load(Acquire);
        }
        n
    }

    fn exits(&self, runners: &Runners) -> i64 {
        let mut n = self.outside.exits.n.load(Acquire);
        for r in runners {
            n += r.census.exits.n.load(Acquire);
        }
        n
    }

    /// One more goroutine alive, spawned on runner `runner` (`None`: outside the runners).
    #[inline]
    pub(crate) fn spawned(&self, runners: &Runners, runner: Option<usize>) {
        let (slot, own) = self.slot(runners, runner);
        slot.spawns.bump(own);
        let spawns = self.spawns(runners);
        let at_most = spawns - slot.spawns.seen.load(Relaxed);
        let h = &*self.highs;
        if own && at_most <= h.hi.load(Relaxed).min(h.window_peak.load(Relaxed)) {
            return;
        }
        let exits = self.exits(runners);
        slot.spawns.seen.store(exits, Relaxed);
        let v = spawns - exits;
        for high in [&h.hi, &h.peak, &h.window_peak] {
            if v > high.load(Relaxed) {
                high.fetch_max(v, Relaxed);
            }
        }
    }

    /// One goroutine fewer, exited on runner `runner` (`None`: outside the runners).
    #[inline]
    pub(crate) fn exited(&self, runners: &Runners, runner: Option<usize>) {
        let (slot, own) = self.slot(runners, runner);
        slot.exits.bump(own);
        let exits = self.exits(runners);
        if own && slot.exits.seen.load(Relaxed) - exits >= self.lo.load(Relaxed) {
            return;
        }
        let spawns = self.spawns(runners);
        slot.exits.seen.store(spawns, Relaxed);
        let v = spawns - exits;
        if v < self.lo.load(Relaxed) {
            self.lo.fetch_min(v, Relaxed);
        }
    }

    /// The count: a value it had at some instant during the call (see the module's doc). While
    /// spawns keep coming (a spawn between the two reads of them eight times in a row, which a
    /// runner spawning in a loop can do), the spawns read before the exits minus the exits: at
    /// most the count at the first read, and short of any value it had by the goroutines that
    /// started and exited during the read.
    #[inline(never)] // not on a hot path: one copy in the wasm module
    pub(crate) fn get(&self, runners: &Runners) -> i64 {
        let mut before = self.spawns(runners);
        for _ in 0..8 {
            let exits = self.exits(runners);
            let after = self.spawns(runners);
            if after == before {
                return after - exits;
            }
            before = after;
        }
        (before - self.exits(runners)).max(0)
    }

    /// The count now, as [`Census::get`], shown: the peaks take it in, so nothing shows more
    /// than `peak()` (the live row the page polls, a phase's start). Not the interval's
    /// extremes: the series would draw them at its next sample, maybe long after (add-inside
    /// drew the workers alive again during main's 500 ms sleep, clean-clone CI of session 26).
    pub(crate) fn get_drawn(&self, runners: &Runners) -> i64 {
        let now = self.get(runners);
        for high in [&self.highs.peak, &self.highs.window_peak] {
            high.fetch_max(now, Relaxed);
        }
        now
    }

    /// Starts a new interval as if the count were `v` (it is about to be: the first row of a
    /// run counts main before main is spawned).
    pub(crate) fn start_interval_at(&self, v: i64) {
        self.highs.hi.store(v, Relaxed);
        self.lo.store(v, Relaxed);
    }

    /// Takes `lo` and `hi` into this interval (rows the sampler took back).
    pub(crate) fn widen(&self, lo: i64, hi: i64) {
        self.highs.hi.fetch_max(hi, Relaxed);
        self.lo.fetch_min(lo, Relaxed);
    }

    /// `(lowest, highest, now)` since the last call; the next interval starts at `now`.
    pub(crate) fn take_interval(&self, runners: &Runners) -> (i64, i64, i64) {
        let now = self.get(runners);
        let hi = self.highs.hi.swap(now, Relaxed).max(now);
        let lo = self.lo.swap(now, Relaxed).min(now);
        // A count read here may be above a peak a spawn drew short (see the module's doc). `hi`
        // raises only the run's peak: it may be from before the phase began.
        self.highs.peak.fetch_max(hi, Relaxed);
        self.highs.window_peak.fetch_max(now, Relaxed);
        (lo, hi, now)
    }

    pub(crate) fn peak(&self) -> usize {
        self.highs.peak.load(Acquire).max(0) as usize
    }

    pub(crate) fn window_peak(&self) -> usize {
        self.highs.window_peak.load(Acquire).max(0) as usize
    }

    /// Starts a new phase: its peak is the count now.
    pub(crate) fn reset_window(&self, runners: &Runners) {
        self.highs.window_peak.store(i64::MIN, Release);
        self.get_drawn(runners);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::queue::Queues;

    #[test]
    fn extremes_between_two_looks_are_kept_on_any_runner() {
        let (c, q) = (Census::new(), Queues::new(2));
        let r = &q.stats[..];
        c.start_interval_at(1);
        c.spawned(r, None); // main
        assert_eq!(c.take_interval(r), (1, 1, 1));
        for i in 0..999 {
            c.spawned(r, Some(i % 2));
        }
        for i in 0..999 {
            c.exited(r, Some(i % 3 % 2));
        }
        c.exited(r, None);
        c.spawned(r, Some(1));
        assert_eq!(c.take_interval(r), (0, 1000, 1), "spike and dip kept");
        assert_eq!(
            c.take_interval(r),
            (1, 1, 1),
            "a new interval starts at now"
        );
        assert_eq!(c.peak(), 1000);
    }

    /// A runner whose last look at the exits is old still draws a new high: its spawns
    /// outrun what it saw.
    #[test]
    fn a_high_after_exits_elsewhere_is_drawn() {
        let (c, q) = (Census::new(), Queues::new(2));
        let r = &q.stats[..];
        for _ in 0..10 {
            c.spawned(r, Some(0));
        }
        for _ in 0..10 {
            c.exited(r, Some(1));
        }
        c.take_interval(r);
        for _ in 0..4 {
            c.spawned(r, Some(0));
        }
        assert_eq!(c.take_interval(r), (0, 4, 4));
        c.reset_window(r);
        c.spawned(r, Some(1));
        assert_eq!((c.window_peak(), c.peak()), (5, 10));
    }

    /// Two runners spawn and exit at once; no drawn extreme is beyond what can have happened,
    /// and at rest the count is exact.
    #[test]
    fn concurrent_counts_stay_within_what_happened() {
        let both = std::sync::Arc::new((Census::new(), Queues::new(2)));
        let threads: Vec<_> = (0..2)
            .map(|i| {
                let both = both.clone();
                std::thread::spawn(move || {
                    let (c, r) = (&both.0, &both.1.stats[..]);
                    for _ in 0..if cfg!(miri) { 200 } else { 20_000 } {
                        c.spawned(r, Some(i));
                        c.spawned(r, Some(i));
                        c.exited(r, Some(i));
                        c.exited(r, Some(i));
                    }
                })
            })
            .collect();
        let (c, r) = (&both.0, &both.1.stats[..]);
        let mut seen = vec![];
        while !threads.iter().all(|t| t.is_finished()) {
            seen.push(c.take_interval(r));
        }
        for t in threads {
            t.join().unwrap();
        }
        for (lo, hi, now) in seen {
            assert!(
                0 <= lo && lo <= now && now <= hi && hi <= 4,
                "{lo} {hi} {now}"
            );
        }
        assert!(c.peak() <= 4, "{}", c.peak());
        // And it draws: each thread alone had two alive at once, 20,000 times.
        assert!(c.peak() >= 2, "{}", c.peak());
        assert_eq!(c.get(r), 0);
    }
}
