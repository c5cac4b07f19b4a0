//! `sync.WaitGroup`.

use std::{
    fmt,
    future::Future,
    pin::Pin,
    task::{Context, Poll, Waker},
};

use crate::{
    primitives::{Arc, Mutex},
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

struct State {
    count: i64,
    /// Bumped each time the counter reaches zero: a waiter released by it returns even if the
    /// counter went up again before the waiter ran.
    generation: u64,
    /// `(key, waker, goroutine)` of each goroutine in `Wait`.
    waiters: Vec<(u64, Waker, u64)>,
    next_key: u64,
    /// Who added, called Done and waited lately (for the wait-for graph).
    ops: OpLog,
    /// Listed in the runtime's objects while the WaitGroup lives.
    _object: ObjectId,
}

#[cfg(not(loom))]
impl crate::runtime::object::Observed for Mutex<State> {
    fn view(&self) -> crate::runtime::object::ObjectView {
        let st = self.lock().unwrap();
        crate::runtime::object::ObjectView {
            kind: crate::runtime::object::ObjectKind::WaitGroup,
            state: format!("counter {}", st.count),
            waiters: st
                .waiters
                .iter()
                .take(crate::runtime::object::VIEW_WAITERS)
                .map(|w| (w.2, Op::Wait))
                .collect(),
            waiting: st.waiters.len(),
            ops: st.ops.entries(),
        }
    }
}

/// `sync.WaitGroup`. Cloning shares the counter, like passing `*sync.WaitGroup`; to see what
/// passing it by value does in Go, use [`WaitGroup::copy_by_value`].
///
/// # Examples
///
/// ```
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
    state: Arc<Mutex<State>>,
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
            state: Arc::new(Mutex::new(State {
                count: 0,
                generation: 0,
                waiters: Vec::new(),
                next_key: 0,
                ops: OpLog::default(),
                _object: object,
            })),
        };
        #[cfg(not(loom))]
        {
            let weak = Arc::downgrade(&wg.state);
            wg.state.lock().unwrap()._object.observe(weak);
        }
        wg
    }

    /// The id reports use.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The counter now.
    pub fn count(&self) -> i64 {
        self.state.lock().unwrap().count
    }

    /// `wg.Add(n)`.
    ///
    /// # Errors
    ///
    /// [`NegativeCounter`] if the counter would drop below zero; it is left unchanged.
    pub fn add(&self, n: i64) -> Result<(), NegativeCounter> {
        let mut st = self.state.lock().unwrap();
        st.ops.note(if n < 0 { Op::Done } else { Op::Add });
        if st.count + n < 0 {
            return Err(NegativeCounter);
        }
        st.count += n;
        if st.count == 0 {
            st.generation += 1;
            for (_, w, _) in st.waiters.drain(..) {
                w.wake();
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
        copy.state.lock().unwrap().count = self.count();
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
        let mut st = this.wg.state.lock().unwrap();
        if this.key.is_none() {
            st.ops.note(Op::Wait);
        }
        if st.count == 0 || this.generation.is_some_and(|g| g != st.generation) {
            if let Some(k) = this.key.take() {
                st.waiters.retain(|(key, _, _)| *key != k);
            }
            return Poll::Ready(());
        }
        this.generation.get_or_insert(st.generation);
        match this.key {
            Some(k) => {
                if let Some((_, w, _)) = st.waiters.iter_mut().find(|(key, _, _)| *key == k) {
                    *w = cx.waker().clone();
                } else {
                    st.waiters.push((k, cx.waker().clone(), current_gid()));
                }
            }
            None => {
                let k = st.next_key;
                st.next_key += 1;
                st.waiters.push((k, cx.waker().clone(), current_gid()));
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
                .lock()
                .unwrap()
                .waiters
                .retain(|(key, _, _)| *key != k);
        }
    }
}
