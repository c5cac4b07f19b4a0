//! A counter that remembers its extremes between two samples.
//!
//! A chart sampled every millisecond misses a spike that lasts a microsecond: 1000 goroutines
//! that each live 50 µs never show up at once in any sample. So every counter the series draws
//! keeps, besides its value, the highest and lowest value it reached since the sampler last
//! looked; the sampler draws those too. The cost is one plain load of a line the counter's own
//! update just touched, plus a `fetch_max` only when a new high is set.

use std::sync::atomic::{AtomicI64, Ordering};

/// A counter with its interval extremes.
#[derive(Debug)]
pub(crate) struct Level {
    now: AtomicI64,
    hi: AtomicI64,
    lo: AtomicI64,
}

impl Default for Level {
    fn default() -> Self {
        Level::new(0)
    }
}

impl Level {
    pub(crate) const fn new(v: i64) -> Level {
        Level {
            now: AtomicI64::new(v),
            hi: AtomicI64::new(v),
            lo: AtomicI64::new(v),
        }
    }

    /// Adds `d` (may be negative) and returns the new value.
    #[inline]
    pub(crate) fn add(&self, d: i64) -> i64 {
        let v = self.now.fetch_add(d, Ordering::AcqRel) + d;
        if d > 0 {
            self.saw_high(v);
        } else {
            self.saw_low(v);
        }
        v
    }

    /// Sets the value.
    #[inline]
    pub(crate) fn set(&self, v: i64) {
        self.now.store(v, Ordering::Release);
        self.saw_high(v);
        self.saw_low(v);
    }

    #[inline]
    fn saw_high(&self, v: i64) {
        // Every value reached is either in this interval's `hi` (its fetch_max came before the
        // sampler's swap: both are read-modify-writes of one location, so one comes first) or in
        // the next interval's: a peak is never lost, at worst drawn one sample late.
        if v > self.hi.load(Ordering::Relaxed) {
            self.hi.fetch_max(v, Ordering::Relaxed);
        }
    }

    #[inline]
    fn saw_low(&self, v: i64) {
        if v < self.lo.load(Ordering::Relaxed) {
            self.lo.fetch_min(v, Ordering::Relaxed);
        }
    }

    /// Takes `lo` and `hi` into this interval: the extremes of rows the sampler took back
    /// ([`Observer::sample_end`](super::observe::Observer::sample_end)).
    pub(crate) fn widen(&self, lo: i64, hi: i64) {
        self.saw_high(hi);
        self.saw_low(lo);
    }

    /// The value now.
    #[inline]
    pub(crate) fn get(&self) -> i64 {
        self.now.load(Ordering::Acquire)
    }

    /// `(lowest, highest, now)` since the last call; the next interval starts at `now`.
    pub(crate) fn take_interval(&self) -> (i64, i64, i64) {
        let now = self.get();
        let hi = self.hi.swap(now, Ordering::Relaxed).max(now);
        let lo = self.lo.swap(now, Ordering::Relaxed).min(now);
        (lo, hi, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_remembers_a_spike_between_two_looks() {
        let l = Level::new(1);
        assert_eq!(l.take_interval(), (1, 1, 1));
        for _ in 0..999 {
            l.add(1);
        }
        for _ in 0..999 {
            l.add(-1);
        }
        l.add(-1);
        l.add(1);
        assert_eq!(l.take_interval(), (0, 1000, 1), "spike and dip kept");
        assert_eq!(l.take_interval(), (1, 1, 1), "a new interval starts at now");
        l.set(7);
        l.set(3);
        assert_eq!(l.take_interval(), (1, 7, 3));
    }

    #[test]
    fn peaks_from_many_threads_are_never_lost() {
        const N: i64 = if cfg!(miri) { 200 } else { 10_000 };
        let l = std::sync::Arc::new(Level::new(0));
        let mut seen_hi = 0;
        std::thread::scope(|s| {
            for _ in 0..4 {
                let l = l.clone();
                s.spawn(move || {
                    for _ in 0..N {
                        l.add(1);
                    }
                    for _ in 0..N {
                        l.add(-1);
                    }
                });
            }
            for _ in 0..100 {
                seen_hi = seen_hi.max(l.take_interval().1);
            }
        });
        seen_hi = seen_hi.max(l.take_interval().1);
        // The true peak is unknown (the threads interleave), but it is at least one thread's
        // N, and whatever it was, some interval held it: a final look sees the running max.
        assert!(seen_hi >= N, "{seen_hi}");
        assert_eq!(l.get(), 0);
    }
}
