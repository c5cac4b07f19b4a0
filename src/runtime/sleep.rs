//! Parking idle runners, and waking exactly as many as the work needs.
//!
//! Waking a thread costs about 25 µs here, a hundred goroutine hand-offs. So, as in Go's
//! scheduler: a runner that runs out of work first *spins* (looks for work to steal for a few
//! microseconds) before it parks; a push wakes a parked runner only when no runner is spinning
//! (a spinner will find the work) and never for a `runnext` hand-off, which the pushing runner
//! runs itself. A spinner that finds work wakes another parked runner if it was the last
//! spinner, so that parallelism ramps up as work appears.
//!
//! A push from outside the runners is never lost: it happens under the idle lock, which a runner
//! going to sleep holds while it looks at the queues one last time. A runner's own pushes skip
//! the lock and the fence (see `notify_work`): the pusher is running, so what it pushed makes
//! progress anyway.

use std::{
    sync::{
        atomic::{fence, AtomicBool, AtomicUsize, Ordering},
        Condvar, Mutex, MutexGuard,
    },
    time::Duration,
};

use crossbeam_utils::CachePadded;

/// One runner's bed.
#[derive(Default)]
struct Parker {
    woken: Mutex<bool>,
    cv: Condvar,
}

/// Which runners are parked.
pub(crate) struct Idle {
    /// Runners parked (or about to), by index.
    parked: Vec<usize>,
}

pub(crate) struct Sleep {
    idle: Mutex<Idle>,
    /// Runners looking for work without having any.
    spinning: CachePadded<AtomicUsize>,
    /// `idle.parked.len()`, readable without the lock.
    idle_count: CachePadded<AtomicUsize>,
    parkers: Vec<CachePadded<Parker>>,
    shutdown: AtomicBool,
}

impl Sleep {
    pub(crate) fn new(runners: usize) -> Sleep {
        Sleep {
            idle: Mutex::new(Idle {
                parked: Vec::with_capacity(runners),
            }),
            spinning: CachePadded::new(AtomicUsize::new(0)),
            idle_count: CachePadded::new(AtomicUsize::new(0)),
            parkers: (0..runners).map(|_| CachePadded::default()).collect(),
            shutdown: AtomicBool::new(false),
        }
    }

    /// After a runner pushed to its queue: wakes a parked runner if no runner is spinning.
    ///
    /// No fence here, unlike `push_outside`: a runner calls this on every spawn, and a fence
    /// costs as much as the rest of the check. The price is that, rarely, a runner parking at
    /// the same instant misses this push; the pushing runner then runs the goroutine itself
    /// (it is busy, so it will), and the next push, or the parked runner's timeout (2 ms while
    /// another runner is busy), brings the other back. Progress never depends on this wake,
    /// only parallelism does.
    #[inline]
    pub(crate) fn notify_work(&self) {
        if self.spinning.load(Ordering::Acquire) == 0 && self.idle_count.load(Ordering::Acquire) > 0
        {
            self.wake_one();
        }
    }

    /// Runners parked now.
    #[cfg(test)]
    pub(crate) fn idle_count(&self) -> usize {
        self.idle_count.load(Ordering::Acquire)
    }

    /// Wakes one parked runner, which starts out spinning (Go's `wakep`).
    pub(crate) fn wake_one(&self) -> bool {
        let mut idle = self.idle.lock().unwrap();
        self.wake_one_locked(&mut idle)
    }

    fn wake_one_locked(&self, idle: &mut MutexGuard<'_, Idle>) -> bool {
        let Some(i) = idle.parked.pop() else {
            return false;
        };
        self.idle_count.fetch_sub(1, Ordering::SeqCst);
        self.spinning.fetch_add(1, Ordering::SeqCst);
        let p = &self.parkers[i];
        *p.woken.lock().unwrap() = true;
        p.cv.notify_one();
        true
    }

    /// Runs `push` under the idle lock, then wakes a runner: for pushes from outside the
    /// runners, which the deadlock check (also under the lock) must never miss.
    pub(crate) fn push_outside(&self, push: impl FnOnce()) {
        let mut idle = self.idle.lock().unwrap();
        push();
        fence(Ordering::SeqCst);
        if self.spinning.load(Ordering::SeqCst) == 0 {
            self.wake_one_locked(&mut idle);
        }
    }

    /// The caller starts looking for work to steal.
    pub(crate) fn start_spinning(&self) {
        self.spinning.fetch_add(1, Ordering::SeqCst);
    }

    /// The caller, spinning, found work: if it was the last spinner, another parked runner
    /// wakes to spin in its place (there may be more work where this came from).
    pub(crate) fn found_work(&self) {
        if self.spinning.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.notify_work();
        }
    }

    /// The caller, spinning, found nothing: it counts itself idle and stops spinning, then
    /// `recheck` runs (under the idle lock) to look at the queues once more. Returns the lock
    /// and how many runners are idle, or `None` when `recheck` found work (the caller spins
    /// again).
    pub(crate) fn go_idle(
        &self,
        me: usize,
        recheck: impl FnOnce() -> bool,
    ) -> Option<(MutexGuard<'_, Idle>, usize)> {
        let mut idle = self.idle.lock().unwrap();
        idle.parked.push(me);
        let n = self.idle_count.fetch_add(1, Ordering::SeqCst) + 1;
        self.spinning.fetch_sub(1, Ordering::SeqCst);
        fence(Ordering::SeqCst);
        if recheck() {
            idle.parked.retain(|&i| i != me);
            self.idle_count.fetch_sub(1, Ordering::SeqCst);
            self.spinning.fetch_add(1, Ordering::SeqCst);
            return None;
        }
        Some((idle, n))
    }

    /// Parks runner `me` (already counted idle, lock released by the caller) until woken or
    /// `timeout` passes. Afterwards it counts as spinning again.
    pub(crate) fn park(&self, me: usize, timeout: Duration) {
        let p = &self.parkers[me];
        let mut woken = p.woken.lock().unwrap();
        if !*woken && !self.shutdown.load(Ordering::Acquire) {
            woken = p.cv.wait_timeout(woken, timeout).unwrap().0;
        }
        let by_wake = std::mem::replace(&mut *woken, false);
        drop(woken);
        if !by_wake {
            // A timeout (or shutdown): take itself off the idle list, unless a waker did just
            // now (then it was counted spinning already).
            let mut idle = self.idle.lock().unwrap();
            if let Some(pos) = idle.parked.iter().position(|&i| i == me) {
                idle.parked.swap_remove(pos);
                self.idle_count.fetch_sub(1, Ordering::SeqCst);
                self.spinning.fetch_add(1, Ordering::SeqCst);
            } else {
                drop(idle);
                // Woken after all, between the timeout and the lock: consume the flag.
                *p.woken.lock().unwrap() = false;
            }
        }
    }

    /// Wakes every runner for good (shutdown).
    pub(crate) fn shutdown(&self) {
        self.shutdown.store(true, Ordering::Release);
        let mut idle = self.idle.lock().unwrap();
        while self.wake_one_locked(&mut idle) {}
        drop(idle);
        for p in &self.parkers {
            let _g = p.woken.lock().unwrap();
            p.cv.notify_all();
        }
    }

    /// Wakes one parked runner if nobody spins, because a timer now comes earlier than any
    /// parked runner planned to wake.
    pub(crate) fn timer_earlier(&self) {
        self.notify_work();
    }
}
