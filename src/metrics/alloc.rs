//! A counting global allocator: Go's `MemStats.HeapAlloc` and `TotalAlloc`, for Rust.
//!
//! It works in threaded wasm too and sees allocations on every Web Worker. wasm memory never
//! shrinks, so live bytes come from here, not from `memory.buffer.byteLength`.

use std::{
    alloc::{GlobalAlloc, Layout, System},
    cell::{Cell, RefCell},
    ptr,
    sync::atomic::{AtomicU64, AtomicUsize, Ordering},
};

/// Wraps the system allocator and counts bytes.
#[derive(Debug)]
pub struct CountingAlloc;

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// Bytes and allocations counted by threads without a [`Tally`] of their own (see
/// [`enter_runner`]), and what `unmeasured` adds from any thread.
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

// SAFETY: every call forwards to `System` with the same layout, or (inside `goroutine_blocks`)
// keeps a freed block to hand out again for the same layout; the counters are only statistics.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if let Some(p) = reused(layout) {
            grew(layout.size());
            return p;
        }
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
        // SAFETY: `ptr` was allocated with `layout` and is ours now.
        if unsafe { kept(ptr, layout) } {
            return;
        }
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
    match tally::mine() {
        // Only this thread writes its tally: a load and a store, no locked instruction.
        Some(t) => {
            let bump = |c: &AtomicU64, by: u64| {
                c.store(
                    c.load(Ordering::Relaxed).wrapping_add(by),
                    Ordering::Relaxed,
                )
            };
            bump(&t.total, size as u64);
            bump(&t.count, 1);
        }
        None => {
            TOTAL.fetch_add(size as u64, Ordering::Relaxed);
            COUNT.fetch_add(1, Ordering::Relaxed);
        }
    }
    settle_grew(size);
}

/// A runner's own allocator state. While it lives, the thread counts its allocations on a
/// tally of its own, natively and if a slot is free ([`enter_runner`]), and may keep the blocks
/// of the goroutines it frees for its next spawns ([`goroutine_blocks`]). Dropped, also by a
/// panic unwinding the runner, it gives both back. Given back by calls at the runner's end, a
/// runner that unwound kept its slot taken for good, and up to [`CACHE_BYTES`] of blocks.
///
/// Not `Send`: dropped on another thread, it would end that thread's counting and blocks.
#[must_use = "the runner's tally and kept blocks are given back when this is dropped"]
pub(crate) struct RunnerAlloc(std::marker::PhantomData<*const ()>);

impl Drop for RunnerAlloc {
    fn drop(&mut self) {
        release_kept_blocks();
        tally::stop_counting_here();
    }
}

/// This thread is a runner until the [`RunnerAlloc`] is dropped (see `tally::count_here`).
pub(crate) fn enter_runner() -> RunnerAlloc {
    tally::count_here();
    RunnerAlloc(std::marker::PhantomData)
}

/// Bytes and allocations counted by one thread at a time: only its thread writes it. The live
/// bytes stay one shared counter, for exact peaks.
struct Tally {
    total: AtomicU64,
    count: AtomicU64,
}

/// Per-thread [`Tally`]s (natively: in wasm an atomic store is sequentially consistent, a locked
/// instruction in the browser's compiled code too, so a tally would save nothing there).
#[cfg(not(target_arch = "wasm32"))]
mod tally {
    use std::{
        cell::Cell,
        ptr,
        sync::atomic::{AtomicU64, AtomicUsize, Ordering},
    };

    use crossbeam_utils::CachePadded;

    use super::Tally;

    /// How many threads can count on a [`Tally`] of their own at once (the runners of the
    /// runtimes alive); the others count on the shared atomics.
    const SLOTS: usize = 64;

    static TALLIES: [CachePadded<Tally>; SLOTS] = [const {
        CachePadded::new(Tally {
            total: AtomicU64::new(0),
            count: AtomicU64::new(0),
        })
    }; SLOTS];
    /// Which of [`TALLIES`] a thread counts on now (bit `i`: slot `i`).
    static TAKEN: AtomicU64 = AtomicU64::new(0);
    /// One more than the highest slot ever taken: [`totals`] sums those.
    static USED: AtomicUsize = AtomicUsize::new(0);

    thread_local! {
        /// The [`Tally`] this thread counts its allocations on (null: the shared counters).
        static MINE: Cell<*const Tally> = const { Cell::new(ptr::null()) };
    }

    /// This thread's tally, if it has one.
    #[inline]
    pub(super) fn mine() -> Option<&'static Tally> {
        let t = MINE.try_with(Cell::get).unwrap_or(ptr::null());
        // SAFETY: a thread's tally pointer is null or one of `TALLIES`, which are static.
        unsafe { t.as_ref() }
    }

    /// This thread counts its allocations on a [`Tally`] of its own until
    /// [`stop_counting_here`] (called as its [`RunnerAlloc`](super::RunnerAlloc) is dropped): two
    /// atomic read-modify-writes less per allocation (`TOTAL` and `COUNT`), and a runner makes
    /// one allocation per spawn (the task). On the spawn bench, every locked instruction on the spawning runner's path cost it several ns (`perf`, issue
    /// 9). A slot's counts stay in the sums when its thread stops; the next thread to take the
    /// slot adds to them.
    pub(crate) fn count_here() {
        let _ = MINE.try_with(|mine| {
            if !mine.get().is_null() {
                return;
            }
            let mut taken = TAKEN.load(Ordering::Relaxed);
            loop {
                let i = (!taken).trailing_zeros() as usize;
                if i >= SLOTS {
                    return; // all taken: the shared counters
                }
                // Acquire: this thread adds to what the slot's last thread counted.
                match TAKEN.compare_exchange_weak(
                    taken,
                    taken | 1 << i,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        USED.fetch_max(i + 1, Ordering::Relaxed);
                        mine.set(&*TALLIES[i]);
                        return;
                    }
                    Err(now) => taken = now,
                }
            }
        });
    }

    /// Ends [`count_here`] on this thread (a runner returning): its slot is free for another.
    pub(super) fn stop_counting_here() {
        let _ = MINE.try_with(|mine| {
            let p = mine.replace(ptr::null());
            if let Some(i) = TALLIES.iter().position(|t| ptr::eq(&**t, p)) {
                TAKEN.fetch_and(!(1 << i), Ordering::Release);
            }
        });
    }

    /// `(bytes, allocations)` counted on the tallies.
    pub(super) fn totals() -> (u64, u64) {
        let used = USED.load(Ordering::Relaxed);
        TALLIES[..used]
            .iter()
            .fold((0, 0), |(b, n): (u64, u64), t| {
                (
                    b.wrapping_add(t.total.load(Ordering::Relaxed)),
                    n.wrapping_add(t.count.load(Ordering::Relaxed)),
                )
            })
    }
}

#[cfg(target_arch = "wasm32")]
mod tally {
    use super::Tally;

    #[inline(always)]
    pub(super) fn mine() -> Option<&'static Tally> {
        None
    }

    pub(super) fn count_here() {}

    pub(super) fn stop_counting_here() {}

    pub(super) fn totals() -> (u64, u64) {
        (0, 0)
    }
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

crate::tls::fast_thread_local! {
    /// Whether this thread is inside [`goroutine_blocks`].
    static IN_BLOCKS: Cell<bool> = Cell::new(false);
    /// Goroutine blocks this thread freed, kept for its next spawns.
    static BLOCKS: RefCell<BlockCache> = RefCell::new(BlockCache::EMPTY);
}

/// Blocks of this many bytes at most are kept (a goroutine's task with a small future: the
/// spawn bench's is 144).
const BLOCK_MAX: usize = 1024;
/// The most bytes of freed blocks one thread keeps.
const CACHE_BYTES: usize = 256 * 1024;
/// Layouts kept at once (spawn sites, roughly).
const CLASSES: usize = 4;

/// Freed blocks of one layout: a stack threaded through the blocks themselves.
#[derive(Clone, Copy)]
struct Class {
    size: usize,
    align: usize,
    head: *mut u8,
    len: usize,
}

/// A thread's kept blocks, by layout.
struct BlockCache {
    classes: [Class; CLASSES],
    bytes: usize,
}

impl BlockCache {
    const EMPTY: BlockCache = BlockCache {
        classes: [Class {
            size: 0,
            align: 0,
            head: ptr::null_mut(),
            len: 0,
        }; CLASSES],
        bytes: 0,
    };
}

/// Runs `f` with the blocks this thread frees kept for its next allocations of the same layout,
/// and those allocations served from them: Go's per-P free list of dead goroutines (`gfput`,
/// `gfget`), for the one allocation a goroutine costs here, its task. A runner wraps its spawns
/// and its frees of finished goroutines in it (it frees only its own goroutines, see
/// `runtime/registry.rs`), so a spawn reuses a block its runner freed, without glibc: malloc and
/// free were about 390 of the 1,590 instructions a spawn and join cost (callgrind), and the
/// runner frees its finished goroutines 64 at a time, more than glibc's per-thread cache (7 a
/// size) holds, so most went to glibc's arena, under its lock. Only what tasks are allocated
/// with is kept, and only on the runners (not by a pumping caller, nor at shutdown).
///
/// Measured on the spawn bench (1M goroutines, 2 runners, native): 88–96 % of the spawns got a
/// kept block (counted with a temporary counter, four runs); 10 runs interleaved with the build
/// before, load 2.1–2.5: median 234 → 220 ns a goroutine (222–463 → 216–467). The counters see
/// kept blocks as freed and reused ones as allocated, as before. A thread that uses this must
/// give its blocks back before it exits: a runner's [`RunnerAlloc`] does, tests call
/// [`release_kept_blocks`].
pub(crate) fn goroutine_blocks<T>(f: impl FnOnce() -> T) -> T {
    struct Exit(bool);
    impl Drop for Exit {
        fn drop(&mut self) {
            let _ = IN_BLOCKS.try_with(|b| b.set(self.0));
        }
    }
    let _exit = Exit(IN_BLOCKS.try_with(|b| b.replace(true)).unwrap_or(false));
    f()
}

/// Starts (`true`) or ends what [`goroutine_blocks`] does, for a scope that does not fit in a
/// closure (a runner's goroutine frees its own task at the end of the poll in which it returns,
/// inside async-task), or without a closure's generic copy. Returns whether it was on.
pub(crate) fn set_goroutine_blocks(on: bool) -> bool {
    IN_BLOCKS.try_with(|b| b.replace(on)).unwrap_or(false)
}

/// Gives the blocks this thread kept back to the system allocator.
pub(crate) fn release_kept_blocks() {
    let _ = BLOCKS.try_with(|c| {
        let Ok(mut c) = c.try_borrow_mut() else {
            return;
        };
        for class in &mut c.classes {
            while !class.head.is_null() {
                let p = class.head;
                // SAFETY: every block on the stack holds the next one's address in its first
                // bytes (written by `kept`), and was allocated by `System` with this layout.
                unsafe {
                    class.head = p.cast::<*mut u8>().read_unaligned();
                    System.dealloc(
                        p,
                        Layout::from_size_align_unchecked(class.size, class.align),
                    );
                }
            }
            class.len = 0;
        }
        c.bytes = 0;
    });
}

/// A kept block for `layout`, if this thread is in [`goroutine_blocks`] and has one. Else, the
/// layout becomes one this thread keeps blocks of, if it has room for another: only layouts
/// that tasks were allocated with here are kept, so that nothing else freed in the scope (a
/// boxed future dropped with its task) takes the room.
#[inline]
fn reused(layout: Layout) -> Option<*mut u8> {
    let (size, align) = (layout.size(), layout.align());
    if size > BLOCK_MAX || !IN_BLOCKS.try_with(Cell::get).unwrap_or(false) {
        return None;
    }
    BLOCKS
        .try_with(|c| {
            let mut c = c.try_borrow_mut().ok()?;
            let Some(class) = c
                .classes
                .iter_mut()
                .find(|k| k.size == size && k.align == align)
            else {
                if let Some(k) = c.classes.iter_mut().find(|k| k.len == 0) {
                    (k.size, k.align) = (size, align);
                }
                return None;
            };
            if class.len == 0 {
                return None;
            }
            let p = class.head;
            // SAFETY: as in `release_kept_blocks`.
            class.head = unsafe { p.cast::<*mut u8>().read_unaligned() };
            class.len -= 1;
            c.bytes -= size;
            Some(p)
        })
        .ok()
        .flatten()
}

/// Keeps a block being freed, if this thread is in [`goroutine_blocks`], keeps blocks of its
/// layout, and has room; then the counters count it freed.
///
/// # Safety
///
/// `p` was allocated by `System` with `layout`, and nobody uses it any more.
#[inline]
unsafe fn kept(p: *mut u8, layout: Layout) -> bool {
    let (size, align) = (layout.size(), layout.align());
    if size > BLOCK_MAX
        || size < size_of::<*mut u8>()
        || !IN_BLOCKS.try_with(Cell::get).unwrap_or(false)
    {
        return false;
    }
    let kept = BLOCKS
        .try_with(|c| {
            let Ok(mut c) = c.try_borrow_mut() else {
                return false;
            };
            if c.bytes + size > CACHE_BYTES {
                return false;
            }
            let Some(class) = c
                .classes
                .iter_mut()
                .find(|k| k.size == size && k.align == align)
            else {
                return false;
            };
            // SAFETY: the block is at least a pointer long, and ours (see the function's doc).
            unsafe { p.cast::<*mut u8>().write_unaligned(class.head) };
            class.head = p;
            class.len += 1;
            c.bytes += size;
            true
        })
        .unwrap_or(false);
    if kept {
        freed(size);
    }
    kept
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
/// ```ignore-wasm32
/// use worker_pool_playground::metrics::alloc::heap;
/// let before = heap();
/// let v = vec![0u8; 1 << 20];
/// assert!(heap().total_bytes >= before.total_bytes + (1 << 20));
/// drop(v);
/// ```
pub fn heap() -> HeapStats {
    let (b, n) = tally::totals();
    let (total_bytes, allocations) = (
        TOTAL.load(Ordering::Relaxed).wrapping_add(b),
        COUNT.load(Ordering::Relaxed).wrapping_add(n),
    );
    HeapStats {
        live_bytes: LIVE.load(Ordering::Relaxed) as u64,
        total_bytes,
        peak_bytes: PEAK.load(Ordering::Relaxed) as u64,
        allocations,
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

/// Takes `lo` and `hi` live bytes into the current interval: the extremes of rows a sampler
/// took back.
pub(crate) fn widen_interval(lo: u64, hi: u64) {
    INTERVAL_HI.fetch_max(hi as usize, Ordering::Relaxed);
    INTERVAL_LO.fetch_min(lo as usize, Ordering::Relaxed);
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

#[cfg(test)]
mod tests {
    use std::alloc::{alloc, dealloc, Layout};

    use super::*;

    /// Blocks this thread keeps now.
    fn kept_now() -> usize {
        BLOCKS.with(|c| c.borrow().classes.iter().map(|k| k.len).sum())
    }

    /// On a thread of its own (each thread keeps its own blocks).
    fn on_a_new_thread(f: impl FnOnce() + Send + 'static) {
        std::thread::spawn(f).join().unwrap();
    }

    /// What a thread counts on its own tally is in the totals, while it counts and after it
    /// stops (the slot keeps its counts for the next thread to add to).
    #[test]
    fn a_threads_tally_is_in_the_totals_and_outlives_it() {
        let before = heap();
        on_a_new_thread(move || {
            let counting = enter_runner();
            // The thread counts on a tally of its own (64 slots: far more than the test
            // threads and runners alive at once).
            assert!(
                tally::mine().is_some(),
                "enter_runner gave the thread no tally"
            );
            let v = std::hint::black_box(vec![0u8; 1000]);
            let during = heap();
            assert!(during.allocations > before.allocations);
            assert!(during.total_bytes >= before.total_bytes + 1000);
            drop(v);
            drop(counting);
        });
        let after = heap();
        assert!(after.allocations > before.allocations);
        assert!(after.total_bytes >= before.total_bytes + 1000);
        // The freed slot is taken again, and added to.
        on_a_new_thread(move || {
            let _runner = enter_runner();
            assert!(
                tally::mine().is_some(),
                "enter_runner gave the thread no tally"
            );
            drop(std::hint::black_box(vec![0u8; 500]));
        });
        assert!(heap().total_bytes >= after.total_bytes + 500);
    }

    /// A runner that unwinds (a bug in the runtime) gives back its tally's slot and the blocks
    /// it kept on the way out.
    #[test]
    fn an_unwinding_runner_gives_back_its_tally_and_blocks() {
        on_a_new_thread(|| {
            let task = Layout::from_size_align(144, 8).unwrap();
            let unwound = std::panic::catch_unwind(|| {
                let _runner = enter_runner();
                assert!(tally::mine().is_some(), "no tally to give back");
                // SAFETY: freed once, with its layout, and not used after.
                goroutine_blocks(|| unsafe { dealloc(std::hint::black_box(alloc(task)), task) });
                assert_eq!(kept_now(), 1, "no block to give back");
                panic!("a runner's bug");
            });
            // Unwound by the runner's bug, not by a failed check before it.
            let why = unwound.expect_err("the runner unwinds");
            assert_eq!(why.downcast_ref::<&str>(), Some(&"a runner's bug"));
            assert!(
                tally::mine().is_none(),
                "the unwound thread still counts on its slot"
            );
            assert_eq!(kept_now(), 0, "the unwound thread still keeps its block");
        });
    }

    /// Inside the scope, a freed block of a layout allocated there is kept and handed out again
    /// for that layout; outside it, blocks go back to the system allocator as before.
    #[test]
    fn a_freed_task_block_is_reused_in_the_scope_only() {
        on_a_new_thread(|| {
            let task = Layout::from_size_align(144, 8).unwrap();
            // SAFETY: each block is freed once, with its layout, and not used after.
            unsafe {
                let (a, b) = goroutine_blocks(|| {
                    let a = std::hint::black_box(alloc(task));
                    dealloc(a, task);
                    assert_eq!(kept_now(), 1, "a freed task block was not kept");
                    (a, alloc(task))
                });
                assert_eq!(a, b, "the next task did not get the kept block");
                assert_eq!(kept_now(), 0);
                dealloc(b, task); // outside the scope
                assert_eq!(kept_now(), 0, "a block freed outside the scope was kept");
                // black_box: else the pair is optimized away.
                let c = std::hint::black_box(alloc(task));
                goroutine_blocks(|| dealloc(c, task));
                assert_eq!(kept_now(), 1);
                release_kept_blocks();
                assert_eq!(kept_now(), 0, "release left blocks kept");
            }
        });
    }

    /// Only layouts that tasks were allocated with in the scope are kept: a boxed future freed
    /// with its task, or a block too large, goes back to the system allocator. And a thread keeps
    /// at most `CACHE_BYTES`.
    #[test]
    fn only_task_layouts_are_kept_and_at_most_cache_bytes() {
        on_a_new_thread(|| {
            let task = Layout::from_size_align(144, 8).unwrap();
            let other = Layout::from_size_align(200, 8).unwrap();
            let large = Layout::from_size_align(BLOCK_MAX + 8, 8).unwrap();
            // SAFETY: as above.
            unsafe {
                let (o, l) = (alloc(other), alloc(large));
                goroutine_blocks(|| {
                    let l2 = std::hint::black_box(alloc(large)); // a task too large to keep
                    dealloc(o, other);
                    dealloc(l, large);
                    dealloc(l2, large);
                });
                assert_eq!(kept_now(), 0, "a block of another layout was kept");
                let n = CACHE_BYTES / task.size() + 10;
                let blocks: Vec<*mut u8> = (0..n).map(|_| alloc(task)).collect();
                goroutine_blocks(|| {
                    // A task of this layout (black_box: else the pair is optimized away).
                    dealloc(std::hint::black_box(alloc(task)), task);
                    for &p in &blocks {
                        dealloc(p, task);
                    }
                });
                assert_eq!(kept_now(), CACHE_BYTES / task.size());
                release_kept_blocks();
                assert_eq!(kept_now(), 0);
            }
        });
    }
}
