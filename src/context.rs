//! Go's `context`: cancellation and deadlines that flow from parent to children.
//!
//! # Examples
//!
//! ```
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
    fmt,
    sync::{Arc, Mutex, Weak},
    time::Duration,
};

use crate::{chan::Chan, runtime::clock::TimerHandle};

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

struct Inner {
    done: Chan<()>,
    err: Mutex<Option<ContextError>>,
    children: Mutex<Vec<Weak<Inner>>>,
    timer: Mutex<Option<Arc<TimerHandle>>>,
}

impl Inner {
    fn cancel(&self, err: ContextError) {
        {
            let mut e = self.err.lock().unwrap();
            if e.is_some() {
                return;
            }
            *e = Some(err);
        }
        let _ = self.done.close();
        if let Some(t) = self.timer.lock().unwrap().take() {
            t.cancel();
        }
        let children = std::mem::take(&mut *self.children.lock().unwrap());
        for c in children.iter().filter_map(Weak::upgrade) {
            c.cancel(err);
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
    /// `cancel()`: closes `ctx.Done()` with "context canceled", for the context and its children.
    pub fn cancel(&self) {
        self.inner.cancel(ContextError::Canceled);
    }
}

impl Context {
    fn new() -> Context {
        Context {
            inner: Arc::new(Inner {
                done: Chan::new(0).named("ctx.Done()"),
                err: Mutex::new(None),
                children: Mutex::new(Vec::new()),
                timer: Mutex::new(None),
            }),
        }
    }

    /// `ctx.Done()`: a channel closed when the context is cancelled or times out.
    pub fn done(&self) -> &Chan<()> {
        &self.inner.done
    }

    /// `ctx.Err()`: `None` while the context is live.
    pub fn err(&self) -> Option<ContextError> {
        *self.inner.err.lock().unwrap()
    }

    fn child(&self) -> Context {
        let c = Context::new();
        match self.err() {
            Some(e) => c.inner.cancel(e),
            None => self
                .inner
                .children
                .lock()
                .unwrap()
                .push(Arc::downgrade(&c.inner)),
        }
        c
    }
}

/// `context.Background()`: never cancelled.
pub fn background() -> Context {
    Context::new()
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
    if c.err().is_none() {
        let weak = Arc::downgrade(&c.inner);
        let t = crate::time::after_func(d, move || {
            if let Some(inner) = weak.upgrade() {
                inner.cancel(ContextError::DeadlineExceeded);
            }
        });
        *c.inner.timer.lock().unwrap() = Some(t);
    }
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
