//! Thread-locals: which runtime this thread works for, which goroutine it is polling, and what
//! that goroutine is about to wait on.

use std::{
    cell::{Cell, RefCell},
    sync::Arc,
};

use super::{
    goroutine::{Wait, WaitKind},
    object::Objects,
    queue::Local,
    scheduler::Shared,
};

crate::tls::fast_thread_local! {
    /// The runtime whose goroutine this thread is running (or pumping).
    static CURRENT: RefCell<Option<Arc<Shared>>> = RefCell::new(None);
    /// Set by a primitive just before it returns `Pending`: what the goroutine now waits on.
    static WAIT: Cell<Option<Wait>> = Cell::new(None);
    /// This thread's index in the runtime (0 when pumped).
    static THREAD: Cell<u32> = Cell::new(0);
    /// The id and name of the goroutine being polled on this thread.
    static GOROUTINE: Cell<(u64, &'static str)> = Cell::new((0, ""));
    /// This runner thread's queue and `runnext` (null on other threads).
    static RUNNER: Cell<*const Local> = Cell::new(std::ptr::null());
    /// The runtime that runner works for.
    static RUNNER_OF: Cell<*const Shared> = Cell::new(std::ptr::null());
}

/// Runs `f` with this thread's runner half, if it is a runner.
#[inline]
pub(crate) fn with_runner<R>(f: impl FnOnce(Option<&Local>) -> R) -> R {
    let p = RUNNER.with(Cell::get);
    // SAFETY: set by `enter_runner` to a `Local` that outlives the guard, and cleared by it.
    f(unsafe { p.as_ref() })
}

/// Runs `f` with this thread's runner half if it is a runner of `shared`.
#[inline]
pub(crate) fn with_runner_of<R>(shared: &Shared, f: impl FnOnce(&Local) -> R) -> Option<R> {
    if !std::ptr::eq(RUNNER_OF.with(Cell::get), shared) {
        return None;
    }
    with_runner(|l| l.map(f))
}

struct RunnerGuard;

impl Drop for RunnerGuard {
    fn drop(&mut self) {
        RUNNER.with(|r| r.set(std::ptr::null()));
        RUNNER_OF.with(|r| r.set(std::ptr::null()));
    }
}

/// Makes `local` this thread's runner half (of the current runtime) until the guard drops.
pub(crate) fn enter_runner(local: &Local) -> impl Drop + '_ {
    let shared = with_current(|rt| rt.map_or(std::ptr::null(), Arc::as_ptr));
    RUNNER.with(|r| r.set(local));
    RUNNER_OF.with(|r| r.set(shared));
    RunnerGuard
}

/// Records what the calling goroutine is about to block on.
pub(crate) fn set_wait(kind: WaitKind, object: u64) {
    WAIT.with(|w| w.set(Some(Wait { kind, object })));
}

/// Takes what the goroutine just polled said it waits on (`None`: it did not say).
pub(crate) fn take_wait() -> Option<Wait> {
    WAIT.with(Cell::take)
}

/// The runtime of the calling goroutine, if any.
pub(crate) fn current() -> Option<Arc<Shared>> {
    CURRENT.with(|c| c.borrow().clone())
}

pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Arc<Shared>>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_ref()))
}

/// The object registry of the calling goroutine's runtime.
pub(crate) fn objects() -> Option<Arc<Objects>> {
    with_current(|rt| rt.map(|rt| rt.objects.clone()))
}

/// The id and name of the goroutine running on this thread (`(0, "")` outside a goroutine).
#[inline]
pub(crate) fn current_goroutine() -> (u64, &'static str) {
    GOROUTINE.with(Cell::get)
}

/// The id of the goroutine running on this thread (0 outside a goroutine).
#[inline]
pub(crate) fn current_gid() -> u64 {
    current_goroutine().0
}

pub(crate) fn set_goroutine(id: u64, name: &'static str) {
    GOROUTINE.with(|g| g.set((id, name)));
}

/// The index of the calling thread in its runtime.
pub(crate) fn thread_index() -> u32 {
    THREAD.with(Cell::get)
}

pub(crate) fn set_thread_index(i: u32) {
    THREAD.with(|t| t.set(i));
}

struct EnterGuard(Option<Arc<Shared>>);

impl Drop for EnterGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = self.0.take());
    }
}

/// Makes `shared` this thread's runtime until the guard drops.
pub(crate) fn enter(shared: &Arc<Shared>) -> impl Drop {
    EnterGuard(CURRENT.with(|c| c.borrow_mut().replace(shared.clone())))
}
