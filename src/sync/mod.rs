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
/// ```
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
    pub fn do_once(&self, f: impl FnOnce()) {
        if self.done.load(Ordering::Acquire) {
            return;
        }
        let _g = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if !self.done.load(Ordering::Acquire) {
            f();
            self.done.store(true, Ordering::Release);
        }
    }

    /// Whether `f` has run.
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }
}
