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
    pub(crate) fn push(
        &self,
        r: GRunnable,
        overflow: impl FnOnce(&mut dyn Iterator<Item = GRunnable>),
    ) {
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
                let mut all = (0..n)
                    .map(|i| self.slot(h.wrapping_add(i)).load(Ordering::Relaxed))
                    .chain([p])
                    // SAFETY: the CAS made these ours; `p` was ours already.
                    .map(|p| unsafe { from_raw(p) });
                overflow(&mut all);
                return;
            }
            // A thief took some meanwhile: there is room now.
        }
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

#[cfg(test)]
mod tests {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use super::*;

    fn runnable(counter: &Arc<AtomicUsize>) -> GRunnable {
        let c = counter.clone();
        let meta = super::super::goroutine::GMeta::new(1, "t", 0, 0);
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
}
