//! A runner's local run queue: Go's `runq` (`runtime/proc.go`: `runqput`, `runqget`,
//! `runqgrab`, `runqsteal`), a fixed ring of 256 goroutines.
//!
//! Only the owner pushes (it alone writes `tail`); the owner and thieves take from the head with
//! a compare-and-swap, so each goroutine is taken once. The ring never grows, so a thief never
//! reads freed memory: it copies slots, then commits with the CAS, and if the CAS fails it
//! forgets what it copied (a goroutine pointer it never dereferenced). A full ring moves half of
//! itself to the global queue. No epoch-based reclamation either: a dropped runtime gives all
//! its memory back at once.

use std::{
    collections::VecDeque,
    ptr::{self, NonNull},
    sync::atomic::{AtomicPtr, AtomicU32, Ordering},
};

use super::scheduler::GRunnable;

/// Goroutines a local queue holds (Go's too).
pub(crate) const CAP: u32 = 256;

pub(crate) struct RunQueue {
    head: AtomicU32,
    tail: AtomicU32,
    slots: Box<[AtomicPtr<()>]>,
}

fn raw(r: GRunnable) -> *mut () {
    r.into_raw().as_ptr()
}

/// # Safety
///
/// `p` came from `raw`, and the caller now owns it (took it with the CAS or as the owner).
unsafe fn from_raw(p: *mut ()) -> GRunnable {
    // SAFETY: the caller's contract; slots never hold null when in [head, tail).
    unsafe { GRunnable::from_raw(NonNull::new_unchecked(p)) }
}

impl Default for RunQueue {
    fn default() -> Self {
        RunQueue {
            head: AtomicU32::new(0),
            tail: AtomicU32::new(0),
            slots: (0..CAP).map(|_| AtomicPtr::new(ptr::null_mut())).collect(),
        }
    }
}

impl RunQueue {
    fn slot(&self, i: u32) -> &AtomicPtr<()> {
        &self.slots[(i % CAP) as usize]
    }

    /// Goroutines in the queue now (approximate while others take).
    pub(crate) fn len(&self) -> u32 {
        let h = self.head.load(Ordering::Acquire);
        let t = self.tail.load(Ordering::Acquire);
        t.wrapping_sub(h).min(CAP)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The owner queues `r` at the back. When the ring is full, the older half of it (and `r`)
    /// goes to `overflow` (the global queue), as Go's `runqputslow` does.
    pub(crate) fn push(&self, r: GRunnable, overflow: impl FnOnce(Overflow<'_>)) {
        let p = raw(r);
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Relaxed);
            if t.wrapping_sub(h) < CAP {
                self.slot(t).store(p, Ordering::Relaxed);
                self.tail.store(t.wrapping_add(1), Ordering::Release);
                return;
            }
            // Claim the older half first, then read it: after the CAS no thief reads those
            // slots, and only this owner ever writes slots (it will not before it is done).
            let n = CAP / 2;
            if self
                .head
                .compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                overflow(Overflow {
                    q: self,
                    next: h,
                    end: h.wrapping_add(n),
                    last: p,
                });
                return;
            }
            // A thief took some meanwhile: there is room now.
        }
    }

    /// The owner moves up to `max` goroutines from the front of `from` to the back of its
    /// queue, as many as fit, with one store of `tail` (Go's `globrunqget` filling `runq`).
    pub(crate) fn push_from(&self, from: &mut VecDeque<GRunnable>, max: u32) {
        let h = self.head.load(Ordering::Acquire);
        let t = self.tail.load(Ordering::Relaxed);
        // Thieves only move `head` on, so the room can only grow meanwhile.
        let n = (CAP - t.wrapping_sub(h).min(CAP))
            .min(max)
            .min(from.len() as u32);
        for (i, r) in (0..n).zip(from.drain(..n as usize)) {
            self.slot(t.wrapping_add(i))
                .store(raw(r), Ordering::Relaxed);
        }
        self.tail.store(t.wrapping_add(n), Ordering::Release);
    }

    /// The owner takes the goroutine at the front.
    pub(crate) fn pop(&self) -> Option<GRunnable> {
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Relaxed);
            if t == h {
                return None;
            }
            let p = self.slot(h).load(Ordering::Relaxed);
            if self
                .head
                .compare_exchange(h, h.wrapping_add(1), Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                // SAFETY: the CAS made it ours.
                return Some(unsafe { from_raw(p) });
            }
        }
    }

    /// A thief (the owner of `dst`, which is empty) takes half of this queue into `dst` and
    /// returns one of them.
    pub(crate) fn steal_into(&self, dst: &RunQueue) -> Option<GRunnable> {
        let dt = dst.tail.load(Ordering::Relaxed);
        loop {
            let h = self.head.load(Ordering::Acquire);
            let t = self.tail.load(Ordering::Acquire);
            let n = t.wrapping_sub(h);
            let n = n - n / 2;
            if n == 0 {
                return None;
            }
            if n > CAP / 2 {
                continue; // read an inconsistent head and tail
            }
            for i in 0..n {
                let p = self.slot(h.wrapping_add(i)).load(Ordering::Relaxed);
                dst.slot(dt.wrapping_add(i)).store(p, Ordering::Relaxed);
            }
            if self
                .head
                .compare_exchange(h, h.wrapping_add(n), Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                // Keep the last for ourselves; publish the rest in our own queue.
                let last = dst.slot(dt.wrapping_add(n - 1)).load(Ordering::Relaxed);
                if n > 1 {
                    dst.tail.store(dt.wrapping_add(n - 1), Ordering::Release);
                }
                // SAFETY: the CAS made them ours.
                return Some(unsafe { from_raw(last) });
            }
        }
    }
}

impl Drop for RunQueue {
    fn drop(&mut self) {
        // Goroutines still queued: dropping their runnables cancels them.
        while self.pop().is_some() {}
    }
}

/// The goroutines a full queue gives up (the older half of it, then the one being pushed), in
/// order. Its owner claimed them; whatever is not taken is dropped with it (cancelled), never
/// leaked. A concrete iterator, not `dyn`: `VecDeque::extend` then reserves once and inlines
/// `next` (callgrind: the `dyn` version's `next` and `extend` were 70 instructions a goroutine).
pub(crate) struct Overflow<'a> {
    q: &'a RunQueue,
    next: u32,
    end: u32,
    /// The goroutine being pushed (null once taken).
    last: *mut (),
}

impl Iterator for Overflow<'_> {
    type Item = GRunnable;

    #[inline]
    fn next(&mut self) -> Option<GRunnable> {
        let p = if self.next != self.end {
            let p = self.q.slot(self.next).load(Ordering::Relaxed);
            self.next = self.next.wrapping_add(1);
            p
        } else {
            std::mem::replace(&mut self.last, ptr::null_mut())
        };
        // SAFETY: the owner's CAS in `push` claimed slots [next, end) (no thief reads them, and
        // only the owner writes slots, not before this is dropped); `last` was the owner's.
        // Each is handed out once.
        (!p.is_null()).then(|| unsafe { from_raw(p) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end.wrapping_sub(self.next) as usize + usize::from(!self.last.is_null());
        (n, Some(n))
    }
}

impl ExactSizeIterator for Overflow<'_> {}

impl Drop for Overflow<'_> {
    fn drop(&mut self) {
        for r in self.by_ref() {
            drop(r);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use super::*;

    fn runnable(counter: &Arc<AtomicUsize>) -> GRunnable {
        runnable_id(counter, 1)
    }

    fn runnable_id(counter: &Arc<AtomicUsize>, id: u64) -> GRunnable {
        let c = counter.clone();
        let meta = super::super::goroutine::GMeta::new(id, "t", 0, 0);
        let (r, t) = async_task::Builder::new().metadata(meta).spawn(
            move |_| async move {
                c.fetch_add(1, Ordering::SeqCst);
            },
            |_r| {},
        );
        t.detach();
        r
    }

    #[test]
    fn every_goroutine_is_taken_exactly_once() {
        let ran = Arc::new(AtomicUsize::new(0));
        let (a, b) = (Arc::new(RunQueue::default()), Arc::new(RunQueue::default()));
        let overflow = std::sync::Mutex::new(vec![]);
        // Miri interprets every instruction: a smaller run there.
        const N: usize = if cfg!(miri) { 600 } else { 20_000 };
        std::thread::scope(|s| {
            let thief = s.spawn(|| {
                let mut got = 0;
                for _ in 0..N * 10 {
                    if let Some(r) = a.steal_into(&b) {
                        r.run();
                        got += 1;
                        while let Some(r) = b.pop() {
                            r.run();
                            got += 1;
                        }
                    }
                }
                got
            });
            let mut mine = 0;
            for i in 0..N {
                a.push(runnable(&ran), |batch| {
                    overflow.lock().unwrap().extend(batch)
                });
                if i % 3 == 0 {
                    if let Some(r) = a.pop() {
                        r.run();
                        mine += 1;
                    }
                }
            }
            while let Some(r) = a.pop() {
                r.run();
                mine += 1;
            }
            let stolen = thief.join().unwrap();
            for r in overflow.lock().unwrap().drain(..) {
                r.run();
                mine += 1;
            }
            assert_eq!(mine + stolen, N);
        });
        assert_eq!(ran.load(Ordering::SeqCst), N, "each ran once");
    }

    /// The global queue hands a runner its share in one go: as many as fit, in order, the rest
    /// left where they were.
    #[test]
    fn push_from_fills_the_room_in_order() {
        let ran = Arc::new(AtomicUsize::new(0));
        let q = RunQueue::default();
        for _ in 0..CAP - 6 {
            q.push(runnable(&ran), |_| unreachable!("not full"));
        }
        let mut from: VecDeque<GRunnable> = (100..110).map(|id| runnable_id(&ran, id)).collect();
        q.push_from(&mut from, 3);
        assert_eq!((q.len(), from.len()), (CAP - 3, 7), "moved at most 3");
        q.push_from(&mut from, 100);
        assert_eq!((q.len(), from.len()), (CAP, 4), "moved as many as fit");
        assert_eq!(from.front().map(|r| r.metadata().id), Some(106));
        let ids: Vec<u64> = std::iter::from_fn(|| q.pop())
            .map(|r| r.metadata().id)
            .skip((CAP - 6) as usize)
            .collect();
        assert_eq!(ids, [100, 101, 102, 103, 104, 105]);
    }
}
