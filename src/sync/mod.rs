//! Go's `sync` package: `WaitGroup`, `Mutex`, `Once`, plus a counting semaphore.

mod mutex;
mod semaphore;
mod waitgroup;

use std::sync::atomic::Ordering;

pub use self::{
    mutex::{Mutex, MutexGuard},
    semaphore::Semaphore,
    waitgroup::{NegativeCounter, WaitGroup},
};

/// `sync.Once`: runs a function exactly once, however many goroutines call it.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::sync::Once;
/// let once = Once::new();
/// let mut n = 0;
/// once.do_once(|| n += 1);
/// once.do_once(|| n += 1);
/// assert_eq!(n, 1);
/// ```
#[derive(Debug, Default)]
pub struct Once {
    done: std::sync::atomic::AtomicBool,
    lock: std::sync::Mutex<()>,
}

impl Once {
    /// A `Once` that has not run.
    pub fn new() -> Once {
        Once::default()
    }

    /// `once.Do(f)`: the first call runs `f`; the others wait for it to finish, then return.
    /// As in Go, a panic in `f` counts as its return: `f` never runs twice.
    pub fn do_once(&self, f: impl FnOnce()) {
        /// Go's `defer o.done.Store(1)`: set on the way out, unwinding included.
        struct SetDone<'a>(&'a std::sync::atomic::AtomicBool);
        impl Drop for SetDone<'_> {
            fn drop(&mut self) {
                self.0.store(true, Ordering::Release);
            }
        }
        if self.done.load(Ordering::Acquire) {
            return;
        }
        // A panic in `f` poisons the lock; the flag, not the poison, says whether `f` ran.
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if !self.done.load(Ordering::Acquire) {
            let _set = SetDone(&self.done);
            f();
        }
    }

    /// Whether `f` has run.
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}
