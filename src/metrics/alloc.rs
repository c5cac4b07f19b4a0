//! A counting global allocator: Go's `MemStats.HeapAlloc` and `TotalAlloc`, for Rust.
//!
//! It works in threaded wasm too and sees allocations on every Web Worker. wasm memory never
//! shrinks, so live bytes come from here, not from `memory.buffer.byteLength`.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::Cell,
    sync::atomic::{AtomicU64, AtomicUsize, Ordering},
};

/// Wraps the system allocator and counts bytes.
#[derive(Debug)]
pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static TOTAL: AtomicU64 = AtomicU64::new(0);
static COUNT: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// The highest and lowest live bytes since the last [`take_interval`]: the series keeps them, so
/// a heap spike between two samples still shows on the chart.
static INTERVAL_HI: AtomicUsize = AtomicUsize::new(0);
static INTERVAL_LO: AtomicUsize = AtomicUsize::new(usize::MAX);

// SAFETY: every call forwards to `System` with the same layout; the counters are only statistics.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

thread_local! {
    /// Set on a thread while it works for the instrument, not the program (see [`unmeasured`]).
    static UNMEASURED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with its allocations on this thread left out of the totals and peaks: what the page
/// does to show a run (a snapshot of its series, converted for JavaScript and dropped) is not the
/// program's memory. Live bytes still follow them, so frees stay balanced.
pub fn unmeasured<T>(f: impl FnOnce() -> T) -> T {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = UNMEASURED.try_with(|u| u.set(false));
        }
    }
    let _ = UNMEASURED.try_with(|u| u.set(true));
    let _reset = Reset;
    f()
}

#[inline]
fn grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    if UNMEASURED.try_with(Cell::get).unwrap_or(false) {
        return;
    }
    TOTAL.fetch_add(size as u64, Ordering::Relaxed);
    COUNT.fetch_add(1, Ordering::Relaxed);
    // A plain load first: the peaks rarely move, and an unconditional fetch_max would make every
    // allocation on every thread write the same cache line.
    if live > INTERVAL_HI.load(Ordering::Relaxed) {
        INTERVAL_HI.fetch_max(live, Ordering::Relaxed);
    }
    if live > PEAK.load(Ordering::Relaxed) {
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

#[inline]
fn shrank(size: usize) {
    let live = LIVE.fetch_sub(size, Ordering::Relaxed).wrapping_sub(size);
    if live < INTERVAL_LO.load(Ordering::Relaxed) {
        INTERVAL_LO.fetch_min(live, Ordering::Relaxed);
    }
}

/// Heap statistics at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct HeapStats {
    /// Bytes allocated and not yet freed (Go: `HeapAlloc`).
    pub live_bytes: u64,
    /// Bytes ever allocated (Go: `TotalAlloc`); only grows.
    pub total_bytes: u64,
    /// The highest `live_bytes` since the last [`reset_peak`].
    pub peak_bytes: u64,
    /// Allocations ever made (Go: `Mallocs`); a `realloc` counts as one.
    pub allocations: u64,
}

/// Reads the counters.
///
/// # Examples
///
/// ```
/// use worker_pool_playground::metrics::alloc::heap;
/// let before = heap();
/// let v = vec![0u8; 1 << 20];
/// assert!(heap().total_bytes >= before.total_bytes + (1 << 20));
/// drop(v);
/// ```
pub fn heap() -> HeapStats {
    HeapStats {
        live_bytes: LIVE.load(Ordering::Relaxed) as u64,
        total_bytes: TOTAL.load(Ordering::Relaxed),
        peak_bytes: PEAK.load(Ordering::Relaxed) as u64,
        allocations: COUNT.load(Ordering::Relaxed),
    }
}

/// `(lowest, highest, now)` live bytes since the last call, and starts a new interval at the
/// current value. One interval for the whole process: two runtimes sampling at once split the
/// extremes between them (the heap is the process's anyway).
pub(crate) fn take_interval() -> (u64, u64, u64) {
    let now = LIVE.load(Ordering::Relaxed);
    let hi = INTERVAL_HI.swap(now, Ordering::Relaxed).max(now);
    let lo = INTERVAL_LO.swap(now, Ordering::Relaxed).min(now);
    (lo as u64, hi as u64, now as u64)
}

/// Starts a new peak window at the current live bytes.
pub fn reset_peak() {
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}
