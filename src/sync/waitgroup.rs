//! `sync.WaitGroup`.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    sync::atomic::Ordering,
    task::{Context, Poll, Waker},
};

use crate::{
    primitives::{Arc, AtomicI64, Mutex},
    runtime::{
        goroutine::WaitKind,
        local::{current_gid, set_wait},
        object::{ObjectId, Op, OpLog},
    },
};

/// `wg.Add` took the counter below zero: Go panics with "sync: negative WaitGroup counter".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegativeCounter;

impl fmt::Display for NegativeCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("sync: negative WaitGroup counter")
    }
}
impl std::error::Error for NegativeCounter {}

/// A WaitGroup's shared part. The counter is an atomic: `Add` and `Done` are one atomic
/// operation each (and the note of who did it, also lock-free), as in Go; the lock is taken by
/// `Wait` and by the `Add` or `Done` that brings the counter to zero, to release the waiters.
/// Both took the lock before: on the spawn bench (`Add` on the spawning runner, `Done` on the
/// other), the two runners fought for it, about a third of the bench's time in `perf` (issue 9).
#[repr(C)]
struct Inner {
    count: AtomicI64,
    /// Who added, called Done and waited lately (for the wait-for graph).
    ops: OpLog,
    waiters: Mutex<Waiters>,
}

struct Waiters {
    /// Bumped each time the counter reaches zero: a waiter released by it returns even if the
    /// counter went up again before the waiter ran.
    generation: u64,
    /// `(key, waker, goroutine)` of each goroutine in `Wait`.
    list: Vec<(u64, Waker, u64)>,
    next_key: u64,
    /// Listed in the runtime's objects while the WaitGroup lives.
    _object: ObjectId,
}

#[cfg(not(loom))]
impl crate::runtime::object::Observed for Inner {
    fn view(&self) -> crate::runtime::object::ObjectView {
        let w = self.waiters.lock().unwrap();
        crate::runtime::object::ObjectView {
            kind: crate::runtime::object::ObjectKind::WaitGroup,
            state: format!("counter {}", self.count.load(Ordering::Acquire)),
            waiters: w
                .list
                .iter()
                .take(crate::runtime::object::VIEW_WAITERS)
                .map(|w| (w.2, Op::Wait))
                .collect(),
            waiting: w.list.len(),
            ops: self.ops.entries(),
        }
    }
}

/// `sync.WaitGroup`. Cloning shares the counter, like passing `*sync.WaitGroup`; to see what
/// passing it by value does in Go, use [`WaitGroup::copy_by_value`].
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::{runtime::{go, Runtime}, sync::WaitGroup};
/// let rt = Runtime::builder().threads(2).build().unwrap();
/// let n = rt.block_on(async {
///     let wg = WaitGroup::new();
///     let done = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
///     for _ in 0..5 {
///         wg.add(1).unwrap(); // before `go`, never inside it
///         let (wg, done) = (wg.clone(), done.clone());
///         go(async move {
///             let _done = wg.defer_done(); // `defer wg.Done()`
///             done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
///         });
///     }
///     wg.wait().await;
///     assert_eq!(wg.done().unwrap_err().to_string(), "sync: negative WaitGroup counter");
///     done.load(std::sync::atomic::Ordering::SeqCst)
/// });
/// assert_eq!(n.unwrap(), 5);
/// ```
#[derive(Clone)]
pub struct WaitGroup {
    id: u64,
    state: Arc<Inner>,
}

impl fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WaitGroup#{}(count {})", self.id, self.count())
    }
}

impl Default for WaitGroup {
    fn default() -> Self {
        WaitGroup::new()
    }
}

impl WaitGroup {
    /// `var wg sync.WaitGroup`.
    pub fn new() -> WaitGroup {
        WaitGroup::named_opt(None)
    }

    /// A WaitGroup with a name for reports.
    pub fn named(name: &str) -> WaitGroup {
        WaitGroup::named_opt(Some(name))
    }

    fn named_opt(name: Option<&str>) -> WaitGroup {
        let object = ObjectId::new();
        if let Some(n) = name {
            object.set_name(n);
        }
        let wg = WaitGroup {
            id: object.get(),
            state: Arc::new(Inner {
                count: AtomicI64::new(0),
                ops: OpLog::default(),
                waiters: Mutex::new(Waiters {
                    generation: 0,
                    list: Vec::new(),
                    next_key: 0,
                    _object: object,
                }),
            }),
        };
        #[cfg(not(loom))]
        {
            let weak = Arc::downgrade(&wg.state);
            wg.state.waiters.lock().unwrap()._object.observe(weak);
        }
        wg
    }

    /// The id reports use.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The counter now.
    pub fn count(&self) -> i64 {
        self.state.count.load(Ordering::Acquire)
    }

    /// `wg.Add(n)`.
    ///
    /// # Errors
    ///
    /// [`NegativeCounter`] if the counter would drop below zero, or pass `i64::MAX` (where Go's
    /// counter wraps to a negative one); it is left unchanged.
    pub fn add(&self, n: i64) -> Result<(), NegativeCounter> {
        let inner = &*self.state;
        inner.ops.note(if n < 0 { Op::Done } else { Op::Add });
        // Release: what the goroutine did before `Done` is seen by the waiter that sees zero
        // (Go: "a call to Done synchronizes before the return of any Wait call it unblocks").
        // (Natively: in wasm the add's code did not fit in the 250 KB gate.)
        let now = if n > 0 && cfg!(not(target_arch = "wasm32")) {
            // Adding cannot take the counter below zero: one atomic add, as Go's `Add` is. The
            // compare-and-swap loop below reads the counter and then swaps it: two trips to a
            // line that goroutines calling `Done` on other runners write, and more when a `Done`
            // comes between (the spawn bench: the spawner's `Add` against the other runner's
            // `Done`s, issue 9).
            let before = inner.count.fetch_add(n, Ordering::AcqRel);
            match before.checked_add(n) {
                Some(now) => now,
                None => {
                    // Past `i64::MAX` the counter would read negative, as Go's 32-bit one does
                    // (Go then panics: "sync: negative WaitGroup counter"). The add is undone,
                    // so the counter ends as it was, as the compare-and-swap path leaves it; a
                    // `Done` on another thread in between sees the wrapped counter and fails,
                    // which only an `Add` of about `i64::MAX` can cause (review, session 23).
                    inner.count.fetch_sub(n, Ordering::AcqRel);
                    return Err(NegativeCounter);
                }
            }
        } else {
            let mut count = inner.count.load(Ordering::Relaxed);
            loop {
                let Some(now) = count.checked_add(n).filter(|&now| now >= 0) else {
                    return Err(NegativeCounter);
                };
                match inner.count.compare_exchange_weak(
                    count,
                    now,
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => break now,
                    Err(c) => count = c,
                }
            }
        };
        if now == 0 {
            // Under the lock `Wait` registers under: a waiter either saw zero, or is listed
            // here by now.
            let mut w = inner.waiters.lock().unwrap();
            w.generation += 1;
            for (_, waker, _) in w.list.drain(..) {
                waker.wake();
            }
        }
        Ok(())
    }

    /// `wg.Done()`.
    ///
    /// # Errors
    ///
    /// [`NegativeCounter`] when called more times than `add` counted.
    pub fn done(&self) -> Result<(), NegativeCounter> {
        self.add(-1)
    }

    /// `defer wg.Done()`: a guard that calls `done` when dropped, on every path out, early
    /// returns and panics included.
    pub fn defer_done(&self) -> DoneGuard {
        DoneGuard(self.clone())
    }

    /// What Go does when a WaitGroup is passed by value: a new WaitGroup with a copy of the
    /// counter and nothing else shared. `Done` on the copy never reaches the original. Rust will
    /// not compile the Go mistake (`WaitGroup` is not `Copy`); this makes it explicit.
    pub fn copy_by_value(&self) -> WaitGroup {
        let copy = WaitGroup::named_opt(None);
        copy.state.count.store(self.count(), Ordering::Release);
        copy
    }

    /// `wg.Wait()`: until the counter is zero.
    pub fn wait(&self) -> WaitFuture<'_> {
        WaitFuture {
            wg: self,
            generation: None,
            key: None,
        }
    }
}

/// Calls [`WaitGroup::done`] when dropped.
#[derive(Debug)]
pub struct DoneGuard(WaitGroup);

impl Drop for DoneGuard {
    /// # Panics
    ///
    /// With Go's "sync: negative WaitGroup counter" when the counter is already zero, as
    /// `defer wg.Done()` does (`done` returns that error instead). Not while this thread already
    /// unwinds from another panic: a second panic there would abort the process, and the first
    /// one is already on its way to be reported.
    fn drop(&mut self) {
        if let Err(e) = self.0.done() {
            if !std::thread::panicking() {
                panic!("{e}");
            }
        }
    }
}

/// The future of [`WaitGroup::wait`].
pub struct WaitFuture<'a> {
    wg: &'a WaitGroup,
    generation: Option<u64>,
    key: Option<u64>,
}

impl Future for WaitFuture<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let inner = &*this.wg.state;
        if this.key.is_none() {
            inner.ops.note(Op::Wait);
        }
        let mut w = inner.waiters.lock().unwrap();
        if inner.count.load(Ordering::Acquire) == 0
            || this.generation.is_some_and(|g| g != w.generation)
        {
            if let Some(k) = this.key.take() {
                w.list.retain(|(key, _, _)| *key != k);
            }
            return Poll::Ready(());
        }
        this.generation.get_or_insert(w.generation);
        match this.key {
            Some(k) => {
                if let Some((_, waker, _)) = w.list.iter_mut().find(|(key, _, _)| *key == k) {
                    *waker = cx.waker().clone();
                } else {
                    w.list.push((k, cx.waker().clone(), current_gid()));
                }
            }
            None => {
                let k = w.next_key;
                w.next_key += 1;
                w.list.push((k, cx.waker().clone(), current_gid()));
                this.key = Some(k);
            }
        }
        set_wait(WaitKind::WaitGroup, this.wg.id);
        Poll::Pending
    }
}

impl Drop for WaitFuture<'_> {
    fn drop(&mut self) {
        if let Some(k) = self.key {
            self.wg
                .state
                .waiters
                .lock()
                .unwrap()
                .list
                .retain(|(key, _, _)| *key != k);
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::{
        sync::{
            atomic::{AtomicBool, AtomicUsize},
            Arc as StdArc,
        },
        task::Wake,
    };

    use super::*;

    struct Flag(AtomicBool, AtomicUsize);

    impl Wake for Flag {
        fn wake(self: StdArc<Self>) {
            self.0.store(true, Ordering::SeqCst);
            self.1.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// `Add` and `Done` from several threads at once (natively, an `Add` is one atomic add and
    /// a `Done` a compare-and-swap loop, which must not go below zero): no update is
    /// lost, a `Done` that would take the counter below zero fails and changes nothing, and the
    /// waiter parked before is woken once, by the `Done` that reaches zero.
    #[test]
    fn add_and_done_from_many_threads() {
        let n: i64 = if cfg!(miri) { 50 } else { 100_000 };
        let wg = WaitGroup::new();
        wg.add(4 * n).unwrap();
        let flag = StdArc::new(Flag(AtomicBool::new(false), AtomicUsize::new(0)));
        let waker = Waker::from(flag.clone());
        let mut wait = Box::pin(wg.wait());
        assert!(wait
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let wg = wg.clone();
                std::thread::spawn(move || {
                    for _ in 0..n {
                        // Up and down again, then one of the 4n down for good.
                        wg.add(2).unwrap();
                        wg.add(-2).unwrap();
                        wg.done().unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(wg.count(), 0);
        assert_eq!(wg.done(), Err(NegativeCounter));
        assert_eq!(wg.add(-5), Err(NegativeCounter));
        assert_eq!(wg.count(), 0, "a failed Done changed the counter");
        assert!(flag.0.load(Ordering::SeqCst), "the waiter was not woken");
        assert_eq!(flag.1.load(Ordering::SeqCst), 1);
        assert!(wait
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_ready());
    }

    /// An `Add` past `i64::MAX` fails and leaves the counter as it was, by either path (a
    /// positive delta takes one atomic add natively, a negative one the compare-and-swap loop):
    /// the add's result wrapped to a negative counter, and `Add` returned `Ok` (review, session
    /// 23).
    #[test]
    fn an_add_past_the_top_fails_and_changes_nothing() {
        let wg = WaitGroup::new();
        wg.add(i64::MAX - 1).unwrap();
        assert_eq!(wg.add(2), Err(NegativeCounter));
        assert_eq!(wg.count(), i64::MAX - 1);
        wg.add(1).unwrap();
        assert_eq!(wg.add(i64::MAX), Err(NegativeCounter));
        assert_eq!(wg.count(), i64::MAX);
        assert_eq!(wg.add(-i64::MAX), Ok(()));
        assert_eq!(wg.count(), 0);
    }
}
