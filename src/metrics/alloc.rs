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
/// The highest live bytes since the last [`reset_phase_peak`]: a scenario that measures its
/// phases one by one must not restart the whole run's [`PEAK`] to do it (review R4 of session
/// 14: control-comparison reported a run peak of 151 KB beside a phase that peaked at 305 KB).
static PHASE_PEAK: AtomicUsize = AtomicUsize::new(0);
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
        freed(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            freed(layout.size());
            grew(new_size);
        }
        p
    }
}

crate::tls::fast_thread_local! {
    /// How deep this thread is in [`unmeasured`] scopes (0: the program's allocations).
    static UNMEASURED: Cell<u32> = Cell::new(0);
    /// Bytes this thread allocated minus bytes it freed inside the current outermost
    /// [`unmeasured`] scope, held back from the live count until the scope ends.
    static HELD: Cell<isize> = Cell::new(0);
}

/// Runs `f` with this thread's allocations and frees kept out of every counter while it runs:
/// what the page does to show a run (a snapshot of its series, converted for JavaScript and
/// dropped) is not the program's memory.
///
/// The rule, so that live bytes stay exact for the program on every thread:
/// - inside the scope, this thread's allocations and frees move neither live bytes nor the
///   peaks nor the totals; their net (allocated − freed) is held on the side;
/// - when the outermost scope ends, the net is applied to live bytes at once. What the scope
///   built and dropped nets to 0 and never shows; what it freed of memory allocated outside
///   (or kept of memory allocated inside, to be freed outside and counted then) counts from
///   that moment, as if it happened at the end of the scope. Outside a scope, live bytes are
///   then exactly what counting every allocation would give.
///
/// Other threads are not affected: a program allocating on a runner thread while the page
/// builds a snapshot sees the live bytes of the program alone (the page's snapshot used to be
/// in them, and the program's peak with it: review R1 of session 14).
pub fn unmeasured<T>(f: impl FnOnce() -> T) -> T {
    struct Exit;
    impl Drop for Exit {
        fn drop(&mut self) {
            let _ = UNMEASURED.try_with(|u| {
                let depth = u.get().saturating_sub(1);
                u.set(depth);
                if depth == 0 {
                    let held = HELD.try_with(|h| h.replace(0)).unwrap_or(0);
                    if held > 0 {
                        // Kept: allocated as of now (in the total too, so that a peak is
                        // never more than what was allocated).
                        TOTAL.fetch_add(held.unsigned_abs() as u64, Ordering::Relaxed);
                        settle_grew(held.unsigned_abs());
                    } else if held < 0 {
                        shrank(held.unsigned_abs());
                    }
                }
            });
        }
    }
    let _ = UNMEASURED.try_with(|u| u.set(u.get() + 1));
    let _exit = Exit;
    f()
}

/// Whether this thread is inside [`unmeasured`]; if so, adds `delta` to what it holds back.
#[inline]
fn held_back(delta: isize) -> bool {
    if UNMEASURED.try_with(Cell::get).unwrap_or(0) == 0 {
        return false;
    }
    HELD.try_with(|h| h.set(h.get().wrapping_add(delta)))
        .is_ok()
}

#[inline]
fn grew(size: usize) {
    if held_back(size as isize) {
        return;
    }
    TOTAL.fetch_add(size as u64, Ordering::Relaxed);
    COUNT.fetch_add(1, Ordering::Relaxed);
    settle_grew(size);
}

/// Live bytes grow by `size`; the peaks follow.
#[inline]
fn settle_grew(size: usize) {
    let live = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    // A plain load first: the peaks rarely move, and an unconditional fetch_max would make every
    // allocation on every thread write the same cache line.
    if live > INTERVAL_HI.load(Ordering::Relaxed) {
        INTERVAL_HI.fetch_max(live, Ordering::Relaxed);
    }
    if live > PEAK.load(Ordering::Relaxed) {
        PEAK.fetch_max(live, Ordering::Relaxed);
    }
    if live > PHASE_PEAK.load(Ordering::Relaxed) {
        PHASE_PEAK.fetch_max(live, Ordering::Relaxed);
    }
}

#[inline]
fn freed(size: usize) {
    if held_back(-(size as isize)) {
        return;
    }
    shrank(size);
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

/// Starts a new peak window at the current live bytes (a run's), and a new phase with it.
pub fn reset_peak() {
    let live = LIVE.load(Ordering::Relaxed);
    PEAK.store(live, Ordering::Relaxed);
    PHASE_PEAK.store(live, Ordering::Relaxed);
}

/// Starts a new phase window at the current live bytes; the run's peak ([`HeapStats::peak_bytes`])
/// goes on.
pub fn reset_phase_peak() {
    PHASE_PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
}

/// The highest live bytes since the last [`reset_phase_peak`] (or [`reset_peak`]).
pub fn phase_peak() -> u64 {
    PHASE_PEAK.load(Ordering::Relaxed) as u64
}
