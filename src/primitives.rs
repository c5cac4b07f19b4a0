//! The synchronization primitives of the channel, WaitGroup and context cores: std's and a spin
//! lock, or loom's when the cores are model-checked (`RUSTFLAGS="--cfg loom" cargo test
//! --release --test loom`).
//! These cores switch, and the registry's slabs with them (they share the spin lock); the
//! scheduler is tested by running it, and its park/unpark protocol is modelled in tests/loom.rs.

#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicI64, AtomicUsize},
    Arc, Mutex,
};

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicI64, AtomicUsize},
    Arc, Mutex,
};
pub(crate) use spin::{SpinGuard, SpinLock};

/// Waits for another thread's few instructions, one turn at a time: spins, then yields the
/// thread, in case the other was preempted in the middle of them (loom must be told, or it
/// would explore the loop forever).
#[derive(Default)]
pub(crate) struct Spin(#[cfg(not(loom))] crossbeam_utils::Backoff);

impl Spin {
    #[inline]
    pub(crate) fn turn(&self) {
        #[cfg(loom)]
        loom::thread::yield_now();
        #[cfg(not(loom))]
        self.0.snooze();
    }
}

/// A lock that spins instead of sleeping, for critical sections of a few dozen instructions
/// that at most GOMAXPROCS threads contend for: a channel's state (Go's `hchan.lock`, a
/// `runtime.mutex`, also spins first), a runner's goroutine slab. Giving it back is a plain
/// store where `std::sync::Mutex` swaps, to learn whether to wake a sleeper: one locked
/// instruction less each time, and no system call to wake one. The pool dispatch bench locks a
/// channel twice a job.
///
/// A waiter spins, then yields its thread ([`Spin`]), in case the holder was preempted. (In wasm
/// `yield_now` does nothing: a Web Worker spins until the holder runs again.) No poisoning: a
/// panic with the lock held unwinds through the guard, which gives the lock back. Nothing the
/// channel does under its lock panics but an `expect` on its own bookkeeping; where a panic
/// would leave another goroutine waiting for good (between claiming a parked operation and
/// completing it), the process aborts instead (`chan::waitq`).
#[cfg(not(loom))]
mod spin {
    use std::{
        cell::UnsafeCell,
        marker::PhantomData,
        ops::{Deref, DerefMut},
        sync::atomic::{AtomicBool, Ordering},
    };

    pub(crate) struct SpinLock<T> {
        locked: AtomicBool,
        value: UnsafeCell<T>,
    }

    // SAFETY: the value is only reached through a guard, which the lock makes exclusive.
    unsafe impl<T: Send> Sync for SpinLock<T> {}
    unsafe impl<T: Send> Send for SpinLock<T> {}
    // As `std::sync::Mutex` is (see the module's doc for poisoning).
    impl<T> std::panic::RefUnwindSafe for SpinLock<T> {}

    impl<T> SpinLock<T> {
        pub(crate) const fn new(value: T) -> SpinLock<T> {
            SpinLock {
                locked: AtomicBool::new(false),
                value: UnsafeCell::new(value),
            }
        }

        #[inline]
        pub(crate) fn lock(&self) -> SpinGuard<'_, T> {
            if self
                .locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                lock_contended(&self.locked);
            }
            SpinGuard(self, PhantomData)
        }
    }

    /// Not generic: one copy in the wasm module, not one per channel type.
    #[cold]
    fn lock_contended(locked: &AtomicBool) {
        let spin = super::Spin::default();
        loop {
            while locked.load(Ordering::Relaxed) {
                spin.turn();
            }
            if locked
                .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return;
            }
        }
    }

    /// The `PhantomData` makes the guard `Sync` only where `T` is, as `std`'s `MutexGuard` is:
    /// a shared guard hands out `&T`.
    pub(crate) struct SpinGuard<'a, T>(&'a SpinLock<T>, PhantomData<&'a mut T>);

    impl<T> Deref for SpinGuard<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            // SAFETY: the guard holds the lock.
            unsafe { &*self.0.value.get() }
        }
    }

    impl<T> DerefMut for SpinGuard<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: the guard holds the lock.
            unsafe { &mut *self.0.value.get() }
        }
    }

    impl<T> Drop for SpinGuard<'_, T> {
        #[inline]
        fn drop(&mut self) {
            self.0.locked.store(false, Ordering::Release);
        }
    }
}

/// Under loom, loom's mutex, so that the model explores the channel's locking.
#[cfg(loom)]
mod spin {
    pub(crate) type SpinGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

    pub(crate) struct SpinLock<T>(loom::sync::Mutex<T>);

    impl<T> SpinLock<T> {
        pub(crate) fn new(value: T) -> SpinLock<T> {
            SpinLock(loom::sync::Mutex::new(value))
        }

        pub(crate) fn lock(&self) -> SpinGuard<'_, T> {
            self.0.lock().unwrap()
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::SpinLock;

    /// Threads taking turns on a plain counter lose no increment (and under Miri, no data
    /// race is reported), whether the lock was free or they had to spin for it.
    #[test]
    fn a_spin_lock_lets_one_thread_in_at_a_time() {
        let (threads, rounds) = if cfg!(miri) { (3, 50) } else { (4, 100_000) };
        let lock = SpinLock::new((0u64, false));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| {
                    for _ in 0..rounds {
                        let mut g = lock.lock();
                        assert!(!g.1, "two threads inside");
                        g.1 = true;
                        // Read, pause, write back: a second thread inside would lose updates.
                        let n = g.0;
                        std::hint::spin_loop();
                        g.0 = n + 1;
                        g.1 = false;
                    }
                });
            }
        });
        assert_eq!(lock.lock().0, threads * rounds);
    }
}
