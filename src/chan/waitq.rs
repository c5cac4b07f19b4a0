//! Parked operations: Go's `sudog` and `waitq` (`runtime/chan.go`, `runtime/runtime2.go`).
//!
//! A goroutine that must wait on a channel does not allocate: its record (`Waiter`) lives in
//! its own future (a `recv` or `send`) or in its `select`, and the channel's queue links the
//! records by address, a doubly linked list, so that one can leave from the middle in O(1) (a
//! `select` that fired on another channel). Every link is read and written only under the
//! channel's lock, and an owner unlinks its record under that lock before the record moves or
//! dies; that is what keeps the addresses valid.
//!
//! One goroutine's wait (`Core`) may have several records (one per `select` case), and exactly
//! one may fire: the channel that completes a case first claims the core, fills that case's
//! slot, then marks it done and takes the waker. The owner reads a slot only once it sees it
//! done.

use std::{
    cell::{Cell, UnsafeCell},
    ptr,
    sync::atomic::Ordering,
    task::Waker,
};

use crate::primitives::{AtomicUsize, Spin};

/// No case has fired yet.
const NONE: usize = usize::MAX;
/// Set on the claimed case once its slot is filled.
const DONE: usize = 1 << (usize::BITS - 2);
/// The owner is replacing the waker: no case can be claimed until it is back to `NONE`.
const REARMING: usize = 1 << (usize::BITS - 1);

/// One goroutine's wait, shared by its records: which case fired, and how to wake it.
///
/// The waker needs no lock of its own: `state` says who may touch it. The owner, only while it
/// holds the state at `REARMING` (from `NONE`); the channel that claims a case, only between its
/// claim and `DONE`. A lock here was two of the ping-pong's locked instructions a hand-off.
pub(crate) struct Core {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the waker is only touched by whoever `state` gives it to (see the type's doc), and
// `Waker` is `Send + Sync`.
unsafe impl Sync for Core {}

impl Core {
    pub(crate) fn new(waker: &Waker) -> Core {
        Core {
            state: AtomicUsize::new(NONE),
            waker: UnsafeCell::new(Some(waker.clone())),
        }
    }

    /// Claims the wait for `case`; false when another case got it first. Waits out an owner
    /// replacing its waker (a few instructions, which never block).
    fn try_claim(&self, case: usize) -> bool {
        let spin = Spin::default();
        loop {
            match self
                .state
                .compare_exchange(NONE, case, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(REARMING) => spin.turn(),
                Err(_) => return false,
            }
        }
    }

    /// The claimed case's slot is filled: publishes it, and hands back the waker. The waker is
    /// taken first: once `done` shows, the owner may free the core at once.
    fn complete(&self, case: usize) -> Option<Waker> {
        // SAFETY: this thread claimed the wait, and `DONE` is not set yet: the waker is ours.
        let waker = unsafe { (*self.waker.get()).take() };
        self.state.store(case | DONE, Ordering::Release);
        waker
    }

    /// The case that fired and whose slot is filled, if any.
    pub(crate) fn done(&self) -> Option<usize> {
        match self.state.load(Ordering::Acquire) {
            s if s != NONE && s & DONE != 0 => Some(s & !DONE),
            _ => None,
        }
    }

    /// The owner, polled again: true while it still waits, with `waker` the one a channel will
    /// wake (a goroutine may be polled by a different waker next time); false once a case is
    /// [`done`](Core::done). A case claimed but not yet done is waited out: the channel fills
    /// its slot under its lock and never blocks meanwhile.
    pub(crate) fn still_waiting(&self, waker: &Waker) -> bool {
        // Woken, it is done: a plain load then (a compare-and-swap that fails is still a
        // locked instruction).
        if self.done().is_some() {
            return false;
        }
        let spin = Spin::default();
        loop {
            match self
                .state
                .compare_exchange(NONE, REARMING, Ordering::Acquire, Ordering::Acquire)
            {
                Ok(_) => {
                    // SAFETY: the state is `REARMING`, which only this owner sets and clears.
                    let w = unsafe { &mut *self.waker.get() };
                    if !w.as_ref().is_some_and(|old| old.will_wake(waker)) {
                        *w = Some(waker.clone());
                    }
                    self.state.store(NONE, Ordering::Release);
                    return true;
                }
                Err(s) if s & DONE != 0 => return false,
                Err(_) => spin.turn(),
            }
        }
    }
}

/// Fills the slot of a parked operation whose core this thread has just claimed, then
/// completes it; returns the waker to call after unlocking.
///
/// A panic in `fill` (a bug in the channel's own code) would leave the owner waiting for a
/// `DONE` that never comes, spinning in [`Core::still_waiting`] if it is polled again: the
/// process aborts instead, an abort being better than a hang.
///
/// # Safety
///
/// The caller holds the channel's lock, popped `w` from its queue, and `core.try_claim(w.case)`
/// returned true.
// Inlined into its two callers, as the code was before it was one function: out of line, one
// copy per channel type weighed 90 bytes more in the threaded wasm module, gzipped.
#[inline(always)]
unsafe fn fill_claimed<S>(w: &Waiter<S>, core: &Core, fill: impl FnOnce(&mut S)) -> Option<Waker> {
    struct AbortOnUnwind;
    impl Drop for AbortOnUnwind {
        fn drop(&mut self) {
            std::process::abort();
        }
    }
    let claimed = AbortOnUnwind;
    // SAFETY: the caller's contract: the claim makes the slot ours until `complete`.
    unsafe { w.with_slot(fill) };
    std::mem::forget(claimed);
    core.complete(w.case)
}

/// A parked operation on one channel: which wait it belongs to, which case it is, the goroutine
/// (for the wait-for graph), the slot the other side fills, and its links in the channel's
/// queue.
///
/// Everything another thread changes is in a `Cell` or `UnsafeCell`, so the owner and the
/// channel only ever share it (`&Waiter`), never hold it exclusively.
///
/// `repr(C)` with the slot last: every field before it is at the same offset whatever `S` is,
/// so [`gids_from`] walks a queue of any channel type's waiters as one of `Waiter<()>`.
#[repr(C)]
pub(crate) struct Waiter<S> {
    core: Cell<*const Core>,
    case: usize,
    pub(crate) gid: u64,
    prev: Cell<*const Waiter<S>>,
    next: Cell<*const Waiter<S>>,
    queued: Cell<bool>,
    slot: UnsafeCell<S>,
}

// SAFETY: a waiter is touched by other threads only under its channel's lock (links, slot
// before completion) or after its core says done (slot, by the owner only).
unsafe impl<S: Send> Send for Waiter<S> {}
unsafe impl<S: Send> Sync for Waiter<S> {}

impl<S> Waiter<S> {
    pub(crate) fn new(case: usize, gid: u64, slot: S) -> Waiter<S> {
        Waiter {
            core: Cell::new(ptr::null()),
            case,
            gid,
            slot: UnsafeCell::new(slot),
            prev: Cell::new(ptr::null()),
            next: Cell::new(ptr::null()),
            queued: Cell::new(false),
        }
    }

    /// Runs `f` on the slot.
    ///
    /// # Safety
    ///
    /// Only the owner, and only while nobody else can touch the slot: before the waiter is
    /// queued, once its core says done, or under the channel's lock.
    pub(crate) unsafe fn with_slot<R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        // SAFETY: exclusive by the caller's contract.
        f(unsafe { &mut *self.slot.get() })
    }
}

/// A channel's queue of parked receivers or senders (Go: `waitq`).
pub(crate) struct WaitQueue<S> {
    head: *const Waiter<S>,
    tail: *const Waiter<S>,
    len: usize,
}

// SAFETY: the queue only links waiters, which are `Send`; it lives under the channel's lock.
unsafe impl<S: Send> Send for WaitQueue<S> {}

impl<S> Default for WaitQueue<S> {
    fn default() -> Self {
        WaitQueue {
            head: ptr::null(),
            tail: ptr::null(),
            len: 0,
        }
    }
}

impl<S> WaitQueue<S> {
    /// Parks `w` (for `core`) at the back.
    ///
    /// # Safety
    ///
    /// `w` and `core` must stay where they are, alive, until `w` leaves the queue: popped by
    /// the channel, or [`WaitQueue::remove`]d by its owner. Under the channel's lock.
    pub(crate) unsafe fn push_back(&mut self, w: &Waiter<S>, core: &Core) {
        w.core.set(core);
        w.queued.set(true);
        w.prev.set(self.tail);
        w.next.set(ptr::null());
        if self.tail.is_null() {
            self.head = w;
        } else {
            // SAFETY: queued waiters are alive (this function's contract).
            unsafe { (*self.tail).next.set(w) };
        }
        self.tail = w;
        self.len += 1;
    }

    /// Takes `w` out of the queue if it is still in it (its owner gives up: cancelled, or
    /// another case fired). Under the channel's lock.
    pub(crate) fn remove(&mut self, w: &Waiter<S>) {
        if !w.queued.get() {
            return;
        }
        let (prev, next) = (w.prev.get(), w.next.get());
        // SAFETY: its neighbours are queued, so alive.
        unsafe {
            if prev.is_null() {
                self.head = next;
            } else {
                (*prev).next.set(next);
            }
            if next.is_null() {
                self.tail = prev;
            } else {
                (*next).prev.set(prev);
            }
        }
        w.queued.set(false);
        w.prev.set(ptr::null());
        w.next.set(ptr::null());
        self.len -= 1;
    }

    fn pop_front(&mut self) -> Option<&Waiter<S>> {
        // SAFETY: queued waiters are alive, and stay so while we hold the lock (an owner
        // unlinks before it lets go of its waiter, and unlinking takes the lock).
        let w = unsafe { self.head.as_ref()? };
        self.remove(w);
        Some(w)
    }

    /// Completes the first parked operation that can still fire (skipping `select`s that
    /// fired elsewhere): `fill` writes its slot. Returns the waker to call after unlocking.
    pub(crate) fn fire_first(&mut self, fill: impl FnOnce(&mut S)) -> Option<Option<Waker>> {
        while let Some(w) = self.pop_front() {
            // SAFETY: popped under the lock, so its owner cannot free it before we unlock; we
            // touch its slot only once we own its core's claim.
            let core = unsafe { &*w.core.get() };
            if core.try_claim(w.case) {
                return Some(unsafe { fill_claimed(w, core, fill) });
            }
        }
        None
    }

    /// Takes every parked operation out, completing those that can still fire with `fill`;
    /// returns their wakers (close).
    pub(crate) fn fire_all(&mut self, mut fill: impl FnMut(&mut S), wakers: &mut Vec<Waker>) {
        while let Some(w) = self.pop_front() {
            // SAFETY: as in `fire_first`.
            let core = unsafe { &*w.core.get() };
            if core.try_claim(w.case) {
                wakers.extend(unsafe { fill_claimed(w, core, &mut fill) });
            }
        }
    }

    /// The first `limit` goroutines parked here, and how many are in all.
    pub(crate) fn gids(&self, limit: usize) -> (Vec<u64>, usize) {
        (gids_from(self.head.cast(), limit), self.len)
    }
}

/// The goroutines of the first `limit` waiters from `w` on, of any slot type: not generic, so
/// the wasm module holds one copy, not one per channel type and direction (there were twenty).
fn gids_from(mut w: *const Waiter<()>, limit: usize) -> Vec<u64> {
    let mut out = Vec::new();
    while !w.is_null() && out.len() < limit {
        // SAFETY: queued waiters are alive (the caller holds the channel's lock), and `gid` and
        // `next` are at the same offsets in a `Waiter<S>` as in a `Waiter<()>` (`repr(C)`, the
        // slot last): read through the pointer, no reference to a `Waiter<()>` is made.
        unsafe {
            out.push(ptr::addr_of!((*w).gid).read());
            // `Cell` is `repr(transparent)`: the field is the pointer.
            w = ptr::addr_of!((*w).next).cast::<*const Waiter<()>>().read();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`gids_from`] relies on.
    #[test]
    fn the_links_sit_where_they_do_in_a_waiter_of_nothing() {
        fn offsets<S>() -> [usize; 2] {
            [
                std::mem::offset_of!(Waiter<S>, gid),
                std::mem::offset_of!(Waiter<S>, next),
            ]
        }
        let unit = offsets::<()>();
        assert_eq!(offsets::<u8>(), unit);
        assert_eq!(offsets::<[u64; 9]>(), unit);
        assert_eq!(offsets::<(String, u128)>(), unit);
    }

    /// Counts its wakes.
    struct Count(std::sync::atomic::AtomicUsize);

    impl std::task::Wake for Count {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn counters(n: usize) -> (Vec<std::sync::Arc<Count>>, Vec<Waker>) {
        let c: Vec<_> = (0..n)
            .map(|_| std::sync::Arc::new(Count(0.into())))
            .collect();
        let w = c.iter().map(|c| Waker::from(c.clone())).collect();
        (c, w)
    }

    /// The owner polled by another waker: the case that fires wakes that one, once.
    #[test]
    fn a_wait_rearmed_with_a_new_waker_wakes_that_one() {
        let (count, wakers) = counters(2);
        let core = Core::new(&wakers[0]);
        assert!(core.still_waiting(&wakers[1]));
        assert!(core.try_claim(3));
        assert!(!core.try_claim(4), "one case fires");
        core.complete(3).expect("the waker").wake();
        assert_eq!(core.done(), Some(3));
        assert!(!core.still_waiting(&wakers[0]));
        let woken: Vec<usize> = count.iter().map(|c| c.0.load(Ordering::SeqCst)).collect();
        assert_eq!(woken, [0, 1]);
    }

    /// A channel that comes to claim while the owner is replacing its waker waits until the
    /// owner is done, then claims: the rearm is not another case firing.
    #[test]
    fn a_claim_waits_out_a_rearm() {
        let core = Core::new(Waker::noop());
        core.state.store(REARMING, Ordering::SeqCst); // the owner, in the middle of a rearm
        let started = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let claim = s.spawn(|| {
                started.store(true, Ordering::SeqCst);
                core.try_claim(1)
            });
            // From when the claim is under way: a thread that started late would find `NONE`.
            while !started.load(Ordering::SeqCst) {
                std::hint::spin_loop();
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            let early = claim.is_finished();
            core.state.store(NONE, Ordering::Release);
            assert!(claim.join().unwrap(), "the claim failed");
            assert!(!early, "the claim did not wait for the rearm to end");
        });
    }

    /// The owner swaps wakers while a channel claims on another thread: the waker of the
    /// owner's last rearm is woken, once (and under Miri, no data race on the waker).
    #[test]
    fn a_claim_during_a_rearm_wakes_the_last_waker() {
        let rounds = if cfg!(miri) { 5 } else { 100 };
        for _ in 0..rounds {
            let (count, wakers) = counters(2);
            let core = Core::new(&wakers[0]);
            let rearms = std::sync::atomic::AtomicUsize::new(0);
            let last = std::thread::scope(|s| {
                let owner = s.spawn(|| {
                    let mut last = 0;
                    // Bounded, so that a claim that failed ends the test rather than hangs it.
                    for i in 1..10_000_000 {
                        if !core.still_waiting(&wakers[i % 2]) {
                            return last;
                        }
                        last = i % 2;
                        rearms.store(i, Ordering::Relaxed);
                        // A poll's worth of other work: a rearm in a tight loop would
                        // starve the claim, which no goroutine does.
                        for _ in 0..20 {
                            std::hint::spin_loop();
                        }
                    }
                    usize::MAX
                });
                // Claimed while the owner rearms in a loop, so often in the middle of one.
                while rearms.load(Ordering::Relaxed) < 3 {
                    std::hint::spin_loop();
                }
                let claimed = core.try_claim(0);
                if claimed {
                    core.complete(0).expect("the waker").wake();
                }
                let last = owner.join().unwrap();
                assert!(claimed, "an owner's rearm is no other case's claim");
                assert_ne!(
                    last,
                    usize::MAX,
                    "the owner rearmed 10M times, never claimed"
                );
                last
            });
            let woken: Vec<usize> = count.iter().map(|c| c.0.load(Ordering::SeqCst)).collect();
            assert_eq!(woken[last], 1, "{woken:?}, last rearmed {last}");
            assert_eq!(woken[1 - last], 0, "{woken:?}, last rearmed {last}");
        }
    }

    #[test]
    fn gids_lists_waiters_of_any_slot_type_in_order() {
        let core = Core::new(std::task::Waker::noop());
        let waiters: Vec<Waiter<(String, [u64; 5])>> = (1..=3)
            .map(|g| Waiter::new(0, 10 * g, (format!("{g}"), [g; 5])))
            .collect();
        let mut q = WaitQueue::default();
        for w in &waiters {
            // SAFETY: the waiters and the core outlive the queue's use here.
            unsafe { q.push_back(w, &core) };
        }
        assert_eq!(q.gids(2), (vec![10, 20], 3));
        assert_eq!(q.gids(32), (vec![10, 20, 30], 3));
        q.remove(&waiters[1]);
        assert_eq!(q.gids(32), (vec![10, 30], 2));
        for w in &waiters {
            q.remove(w);
        }
    }
}
