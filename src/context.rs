//! Go's `context`: cancellation and deadlines that flow from parent to children.
//!
//! # Examples
//!
//! ```ignore-wasm32
//! use std::time::Duration;
//! use worker_pool_playground::{context, runtime::Runtime};
//!
//! let rt = Runtime::builder().threads(1).time_scale(1000.0).build().unwrap();
//! rt.block_on(async {
//!     let (ctx, cancel) = context::with_timeout(&context::background(), Duration::from_secs(10));
//!     let (child, _cancel_child) = context::with_cancel(&ctx);
//!     assert_eq!(child.err(), None);
//!     ctx.done().recv().await; // closed when the 10 s (10 ms of wall time here) run out
//!     assert_eq!(child.err().unwrap().to_string(), "context deadline exceeded");
//!     cancel.cancel(); // cancelling later changes nothing
//!     assert_eq!(ctx.err(), Some(context::ContextError::DeadlineExceeded));
//! })
//! .unwrap();
//! ```

use std::{
    collections::HashMap,
    fmt,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Weak,
    },
    time::Duration,
};

use crate::{chan::Chan, primitives::Mutex, runtime::clock::TimerHandle};

/// Why a context is done: `context.Canceled` or `context.DeadlineExceeded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ContextError {
    /// `cancel()` was called (here or on a parent).
    Canceled,
    /// The deadline passed.
    DeadlineExceeded,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContextError::Canceled => "context canceled",
            ContextError::DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl std::error::Error for ContextError {}

/// What Go's `cancelCtx` guards with its one mutex. One lock, because a child registering itself
/// must see the error and join the children under the same lock that a cancel sets the one and
/// takes the other: with two locks, a cancel slipped between a child's "not cancelled yet" and its
/// registration, and that child stayed uncancelled forever (tests/loom.rs checks every
/// interleaving).
struct State {
    err: Option<ContextError>,
    /// The contexts to cancel with this one, by [`Inner::seq`]. A child that is cancelled first
    /// removes itself (Go's `removeChild`), so a long-lived parent does not collect dead children.
    children: HashMap<u64, Arc<Inner>>,
    timer: Option<Arc<TimerHandle>>,
}

struct Inner {
    /// When it was made, among all contexts: its key among its parent's children.
    seq: u64,
    done: Chan<()>,
    state: Mutex<State>,
    /// The parent to leave when cancelled first. Weak: the parent holds its children, so a child
    /// holding its parent would be a cycle that outlives both.
    parent: Option<Weak<Inner>>,
    /// `Background()` is never cancelled, so it keeps no children (Go's `propagateCancel` skips a
    /// parent whose `Done()` is nil).
    cancelable: bool,
}

impl Inner {
    fn new(parent: Option<Weak<Inner>>, cancelable: bool) -> Arc<Inner> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        Arc::new(Inner {
            seq: SEQ.fetch_add(1, Ordering::Relaxed),
            done: Chan::new(0).named("ctx.Done()"),
            state: Mutex::new(State {
                err: None,
                children: HashMap::new(),
                timer: None,
            }),
            parent,
            cancelable,
        })
    }

    fn key(&self) -> u64 {
        self.seq
    }

    /// Go's `cancelCtx.cancel(removeFromParent, err)`.
    fn cancel(self: &Arc<Self>, err: ContextError, remove_from_parent: bool) {
        let (children, timer) = {
            let mut st = self.state.lock().unwrap();
            if st.err.is_some() {
                return;
            }
            st.err = Some(err);
            // Closed under the lock, as Go does: whoever reads `err()` finds `done()` closed.
            let _ = self.done.close();
            (std::mem::take(&mut st.children), st.timer.take())
        };
        if let Some(t) = timer {
            t.cancel();
        }
        // In the order they were made. Go's map cancels them in a random order; the map's own
        // order here was random too, and unseeded, so one seed of deterministic mode woke
        // best-practices/guide-cancel's workers in another order each run.
        let mut children: Vec<_> = children.into_values().collect();
        children.sort_unstable_by_key(|c| c.seq);
        for c in children {
            c.cancel(err, false);
        }
        if remove_from_parent {
            if let Some(p) = self.parent.as_ref().and_then(Weak::upgrade) {
                p.state.lock().unwrap().children.remove(&self.key());
            }
        }
    }
}

/// A `context.Context`. Cloning shares it.
#[derive(Clone)]
pub struct Context {
    inner: Arc<Inner>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Context(err: {:?})", self.err())
    }
}

/// A `context.CancelFunc`.
#[derive(Clone)]
pub struct CancelFunc {
    inner: Arc<Inner>,
}

impl fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CancelFunc")
    }
}

impl CancelFunc {
    /// `cancel()`: closes `ctx.Done()` with "context canceled", for the context and its children,
    /// and detaches the context from its parent.
    pub fn cancel(&self) {
        self.inner.cancel(ContextError::Canceled, true);
    }
}

impl Context {
    /// `ctx.Done()`: a channel closed when the context is cancelled or times out.
    pub fn done(&self) -> &Chan<()> {
        &self.inner.done
    }

    /// `ctx.Err()`: `None` while the context is live.
    pub fn err(&self) -> Option<ContextError> {
        self.inner.state.lock().unwrap().err
    }

    /// How many derived contexts a cancel of this one would reach now (Go's tests read
    /// `cancelCtx.children`). A cancelled child leaves at once, so on a long-lived context this
    /// stays at the number of live children.
    pub fn num_children(&self) -> usize {
        self.inner.state.lock().unwrap().children.len()
    }

    /// Go's `propagateCancel`: a child of a done parent is done at once; otherwise the parent
    /// will cancel it. Checked and registered under the parent's one lock.
    fn child(&self) -> Context {
        let parent = &self.inner;
        if !parent.cancelable {
            return Context {
                inner: Inner::new(None, true),
            };
        }
        let c = Inner::new(Some(Arc::downgrade(parent)), true);
        let mut st = parent.state.lock().unwrap();
        match st.err {
            Some(e) => {
                drop(st);
                c.cancel(e, false);
            }
            None => {
                st.children.insert(c.key(), c.clone());
            }
        }
        Context { inner: c }
    }
}

/// `context.Background()`: never cancelled.
pub fn background() -> Context {
    Context {
        inner: Inner::new(None, false),
    }
}

/// `context.WithCancel(parent)`.
pub fn with_cancel(parent: &Context) -> (Context, CancelFunc) {
    let c = parent.child();
    let cancel = CancelFunc {
        inner: c.inner.clone(),
    };
    (c, cancel)
}

/// `context.WithTimeout(parent, d)`.
///
/// # Panics
///
/// Outside a goroutine (the timer needs a runtime clock).
pub fn with_timeout(parent: &Context, d: Duration) -> (Context, CancelFunc) {
    let (c, cancel) = with_cancel(parent);
    if d.is_zero() {
        // Go: a deadline already passed cancels at once, with no timer.
        c.inner.cancel(ContextError::DeadlineExceeded, true);
        return (c, cancel);
    }
    let mut st = c.inner.state.lock().unwrap();
    // Armed under the lock (as Go's `WithDeadline` does): a cancel that comes first finds no timer
    // to stop, so none is armed after it to keep the runtime's timer heap busy.
    if st.err.is_none() {
        let weak = Arc::downgrade(&c.inner);
        st.timer = Some(crate::time::after_func(d, move || {
            if let Some(inner) = weak.upgrade() {
                inner.cancel(ContextError::DeadlineExceeded, true);
            }
        }));
    }
    drop(st);
    (c, cancel)
}

/// `context.WithDeadline(parent, t)`, with `t` in runtime time since the run started.
///
/// # Panics
///
/// Outside a goroutine.
pub fn with_deadline(parent: &Context, deadline: Duration) -> (Context, CancelFunc) {
    with_timeout(parent, deadline.saturating_sub(crate::time::now()))
}
