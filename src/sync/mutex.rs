//! `sync.Mutex`, holding the data it guards (Rust's way), with an async `lock`.

use std::{
    cell::UnsafeCell,
    fmt,
    ops::{Deref, DerefMut},
};

use super::Semaphore;
use crate::runtime::goroutine::WaitKind;

/// `sync.Mutex` around a value.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::{runtime::Runtime, sync::Mutex};
/// let rt = Runtime::builder().threads(1).build().unwrap();
/// rt.block_on(async {
///     let m = Mutex::new(0);
///     *m.lock().await += 1;
///     assert_eq!(*m.lock().await, 1);
/// })
/// .unwrap();
/// ```
pub struct Mutex<T> {
    sem: Semaphore,
    value: UnsafeCell<T>,
}

// SAFETY: the semaphore admits one holder at a time, so `&Mutex<T>` only ever hands out one
// `&mut T`; that is `std::sync::Mutex`'s contract too.
unsafe impl<T: Send> Send for Mutex<T> {}
unsafe impl<T: Send> Sync for Mutex<T> {}

impl<T> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Mutex(..)")
    }
}

impl<T> Mutex<T> {
    /// An unlocked mutex holding `value`.
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            sem: Semaphore::with_kind(1, None, WaitKind::Mutex),
            value: UnsafeCell::new(value),
        }
    }

    /// `mu.Lock()`: waits until it is free; unlocks when the guard drops (`defer mu.Unlock()`).
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.sem.acquire().await;
        MutexGuard { mutex: self }
    }

    /// `mu.TryLock()`.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        // Not `then_some(MutexGuard { .. })`: that builds the guard even when the lock is taken,
        // and dropping it unlocked the holder's lock (two holders after one failed TryLock; the
        // port of Go's TestMutex in tests/golang.rs found it).
        self.sem.try_acquire().then(|| MutexGuard { mutex: self })
    }

    /// The value, when nobody else can hold the lock.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

/// Holds a [`Mutex`] locked; unlocks on drop.
pub struct MutexGuard<'a, T> {
    mutex: &'a Mutex<T>,
}

impl<T> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MutexGuard(..)")
    }
}

impl<T> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard is the only holder (see the Send/Sync impls).
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, and `&mut self` makes this borrow unique.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.sem.release();
    }
}
