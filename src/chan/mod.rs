//! Go channels: `make(chan T, n)`, `ch <- v`, `<-ch`, `close(ch)`, `len`, `cap`, `range`, `select`.
//!
//! Why our own channel and not a crate's: Go's unbuffered channel is a rendezvous, and `select`
//! must be able to give up a pending operation without losing a value. `async-channel` has no
//! zero-capacity channel (`bounded(0)` panics); flume and kanal have one but lose values when a
//! pending operation is dropped (flume#104, kanal#24), which is exactly what `select` does. So the
//! core here follows Go's `runtime/chan.go`: a mutex per channel, queues of parked senders and
//! receivers whose records live in the parked futures themselves (no allocation per operation,
//! see `waitq.rs`), a direct hand-off between them, and `select` that locks all its channels in a
//! fixed order before it parks on every one of them.
//!
//! # Examples
//!
//! ```ignore-wasm32
//! use worker_pool_playground::{chan::Chan, runtime::{go, Runtime}};
//!
//! let rt = Runtime::builder().threads(2).build().unwrap();
//! let got = rt.block_on(async {
//!     let jobs = Chan::new(0); // unbuffered: every send waits for a receiver
//!     let producer = jobs.clone();
//!     go(async move {
//!         for i in 0..3 {
//!             producer.send(i).await.unwrap();
//!         }
//!         producer.close().unwrap(); // `for j := range jobs` ends after this
//!     });
//!     let mut got = vec![];
//!     let mut range = jobs.range();
//!     while let Some(j) = range.next().await {
//!         got.push(j);
//!     }
//!     assert_eq!(jobs.close().unwrap_err().to_string(), "close of closed channel");
//!     got
//! });
//! assert_eq!(got.unwrap(), vec![0, 1, 2]);
//! ```

mod err;
mod select;
mod waitq;

use std::{
    collections::VecDeque,
    fmt,
    future::Future,
    marker::PhantomPinned,
    pin::Pin,
    task::{Context, Poll, Waker},
};

use self::waitq::{Core, WaitQueue, Waiter};
pub use self::{
    err::{CloseError, SendError, TryRecvError, TrySendError},
    select::{RecvCase, Select, SendCase},
};
use crate::{
    primitives::{Arc, SpinGuard, SpinLock},
    runtime::{
        goroutine::WaitKind,
        local::{current_gid, set_wait, with_current},
        object::{ObjectId, Op, OpLog},
        EventKind,
    },
};

/// What a parked receive gets.
pub(crate) enum RecvSlot<T> {
    Empty,
    Value(T),
    Closed,
}

/// A parked send's value, and what became of it.
pub(crate) enum SendSlot<T> {
    Pending(T),
    Sent,
    Closed(T),
    Taken,
}

pub(crate) struct State<T> {
    buf: VecDeque<T>,
    closed: bool,
    recvq: WaitQueue<RecvSlot<T>>,
    sendq: WaitQueue<SendSlot<T>>,
    /// Who made, sent, received and closed lately (for the wait-for graph).
    ops: OpLog,
}

/// Result of a receive that did not block.
pub(crate) enum Got<T> {
    Value(T),
    Closed,
}

/// The waker a completed operation hands back, called once the channel is unlocked.
pub(crate) type Wake = Option<Waker>;

impl<T> State<T> {
    /// Takes the value of the first parked sender that can still fire, and its waker.
    fn take_from_sender(&mut self, wake: &mut Wake) -> Option<T> {
        let mut got = None;
        let w = self.sendq.fire_first(|slot| {
            got = match std::mem::replace(slot, SendSlot::Sent) {
                SendSlot::Pending(v) => Some(v),
                SendSlot::Sent | SendSlot::Closed(_) | SendSlot::Taken => {
                    unreachable!("a parked sender holds its value")
                }
            }
        })?;
        *wake = w;
        got
    }

    /// `<-ch` without blocking: a buffered value, a parked sender's value, or closed.
    pub(crate) fn try_recv(&mut self, wake: &mut Wake) -> Option<Got<T>> {
        self.ops.note(Op::Recv);
        if let Some(v) = self.buf.pop_front() {
            // A slot freed up: the first parked sender's value moves into the buffer.
            if let Some(s) = self.take_from_sender(wake) {
                self.buf.push_back(s);
            }
            return Some(Got::Value(v));
        }
        if let Some(v) = self.take_from_sender(wake) {
            return Some(Got::Value(v));
        }
        if self.closed {
            return Some(Got::Closed);
        }
        None
    }

    /// `ch <- v` without blocking. `Err((v, closed))` when it would block or the channel is closed.
    pub(crate) fn try_send(&mut self, v: T, cap: usize, wake: &mut Wake) -> Result<(), (T, bool)> {
        self.ops.note(Op::Send);
        if self.closed {
            return Err((v, true));
        }
        let mut v = Some(v);
        if let Some(w) = self.recvq.fire_first(|slot| {
            *slot = RecvSlot::Value(v.take().expect("one value"));
        }) {
            *wake = w;
            return Ok(());
        }
        let v = v.expect("not handed off");
        if self.buf.len() < cap {
            self.buf.push_back(v);
            return Ok(());
        }
        Err((v, false))
    }
}

pub(crate) struct Inner<T> {
    id: ObjectId,
    cap: usize,
    state: SpinLock<State<T>>,
}

impl<T> Inner<T> {
    #[inline]
    fn lock(&self) -> SpinGuard<'_, State<T>> {
        self.state.lock()
    }
}

#[cfg(not(loom))]
impl<T: std::marker::Send> crate::runtime::object::Observed for Inner<T> {
    fn view(&self) -> crate::runtime::object::ObjectView {
        use crate::runtime::object::VIEW_WAITERS;
        let st = self.lock();
        let buffered = st.buf.len();
        let recv = st.recvq.gids(VIEW_WAITERS);
        let send = st.sendq.gids(VIEW_WAITERS);
        let ops = st.ops.entries();
        let closed = st.closed;
        drop(st);
        view(self.cap, buffered, closed, recv, send, ops)
    }
}

/// A channel's [`ObjectView`](crate::runtime::object::ObjectView) from what `Inner::view` read
/// under the lock. Not generic, so the wasm module has one copy of it rather than one per
/// channel type (issue 11).
#[cfg(not(loom))]
fn view(
    cap: usize,
    buffered: usize,
    closed: bool,
    (recv, nrecv): (Vec<u64>, usize),
    (send, nsend): (Vec<u64>, usize),
    ops: Vec<(Op, u64, &'static str)>,
) -> crate::runtime::object::ObjectView {
    let mut state = if cap == 0 {
        "unbuffered".to_string()
    } else if cap == UNBOUNDED {
        format!("{buffered} buffered")
    } else {
        format!("{buffered}/{cap} buffered")
    };
    if closed {
        state.push_str(", closed");
    }
    let waiters = recv
        .into_iter()
        .map(|g| (g, Op::Recv))
        .chain(send.into_iter().map(|g| (g, Op::Send)))
        .collect();
    crate::runtime::object::ObjectView {
        kind: crate::runtime::object::ObjectKind::Channel,
        state,
        waiters,
        waiting: nrecv + nsend,
        ops,
    }
}

/// A Go channel. Cloning gives another reference to the same channel, as copying a Go `chan` does.
pub struct Chan<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Chan#{}(cap {})", self.inner.id.get(), self.inner.cap)
    }
}

/// A channel with no limit on its buffer: the pool's "unbounded" queue policy.
pub const UNBOUNDED: usize = usize::MAX;

impl<T: std::marker::Send + 'static> Chan<T> {
    /// `make(chan T, cap)`; `cap == 0` is unbuffered (every send waits for a receiver).
    pub fn new(cap: usize) -> Chan<T> {
        let ops = OpLog::made();
        let chan = Chan {
            inner: Arc::new(Inner {
                id: ObjectId::new(),
                cap,
                state: SpinLock::new(State {
                    buf: VecDeque::with_capacity(cap.min(1024)),
                    closed: false,
                    recvq: WaitQueue::default(),
                    sendq: WaitQueue::default(),
                    ops,
                }),
            }),
        };
        #[cfg(not(loom))]
        {
            let weak = Arc::downgrade(&chan.inner);
            chan.inner.id.observe(weak);
        }
        chan
    }
}

impl<T> Chan<T> {
    /// Gives the channel a name for reports ("blocked on chan receive on jobs"). The name goes
    /// when the channel does.
    pub fn named(self, name: &str) -> Self {
        self.inner.id.set_name(name);
        self
    }

    /// The id reports use for this channel.
    pub fn id(&self) -> u64 {
        self.inner.id.get()
    }

    /// `cap(ch)`.
    pub fn cap(&self) -> usize {
        self.inner.cap
    }

    /// `len(ch)`: values in the buffer now.
    pub fn len(&self) -> usize {
        self.inner.lock().buf.len()
    }

    /// `len(ch) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.inner.lock().closed
    }

    /// `ch <- v`: waits until a receiver takes it (unbuffered) or the buffer has room.
    ///
    /// # Errors
    ///
    /// [`SendError`] ("send on closed channel") with the value, if the channel is or gets closed.
    pub fn send(&self, v: T) -> Send<'_, T> {
        Send {
            chan: self,
            value: Some(v),
            parked: None,
            _pin: PhantomPinned,
        }
    }

    /// `select { case ch <- v: default: }`.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] when it would block, [`TrySendError::Closed`] when closed.
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        let mut wake = None;
        let r = self.inner.lock().try_send(v, self.inner.cap, &mut wake);
        if let Some(w) = wake {
            w.wake();
        }
        r.map_err(|(v, closed)| {
            if closed {
                TrySendError::Closed(v)
            } else {
                TrySendError::Full(v)
            }
        })
    }

    /// `v, ok := <-ch`: `Some(v)`, or `None` once the channel is closed and drained.
    pub fn recv(&self) -> Recv<'_, T> {
        Recv {
            chan: self,
            parked: None,
            _pin: PhantomPinned,
        }
    }

    /// `select { case v := <-ch: default: }`.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] when it would block, [`TryRecvError::Closed`] when closed and drained.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut wake = None;
        let r = self.inner.lock().try_recv(&mut wake);
        if let Some(w) = wake {
            w.wake();
        }
        match r {
            Some(Got::Value(v)) => Ok(v),
            Some(Got::Closed) => Err(TryRecvError::Closed),
            None => Err(TryRecvError::Empty),
        }
    }

    /// `close(ch)`: receivers drain the buffer, then get `None`; parked senders get their value
    /// back with "send on closed channel".
    ///
    /// # Errors
    ///
    /// [`CloseError`] ("close of closed channel") if it was already closed.
    pub fn close(&self) -> Result<(), CloseError> {
        let mut wakers = Vec::new();
        {
            let mut st = self.inner.lock();
            st.ops.note(Op::Close);
            if st.closed {
                return Err(CloseError);
            }
            st.closed = true;
            st.recvq
                .fire_all(|slot| *slot = RecvSlot::Closed, &mut wakers);
            st.sendq.fire_all(
                |slot| {
                    if let SendSlot::Pending(v) = std::mem::replace(slot, SendSlot::Taken) {
                        *slot = SendSlot::Closed(v);
                    }
                },
                &mut wakers,
            );
        }
        closed(self.inner.id.get(), wakers);
        Ok(())
    }

    /// `for v := range ch`: `while let Some(v) = range.next().await`.
    pub fn range(&self) -> Range<'_, T> {
        Range { chan: self }
    }
}

/// The rest of [`Chan::close`] once the channel is unlocked: the event, then the wakes. Not
/// generic, so that it is not copied per channel type (issue 11).
fn closed(id: u64, wakers: Vec<Waker>) {
    with_current(|rt| {
        if let Some(rt) = rt {
            rt.event(EventKind::Close, current_gid(), WaitKind::None, id);
        }
    });
    for w in wakers {
        w.wake();
    }
}

/// The iterator of `for v := range ch`.
#[derive(Debug)]
pub struct Range<'a, T> {
    chan: &'a Chan<T>,
}

impl<T> Range<'_, T> {
    /// The next value; `None` once the channel is closed and drained.
    pub async fn next(&mut self) -> Option<T> {
        self.chan.recv().await
    }
}

/// A single parked operation: its wait and its record, inside the future (which is pinned, so
/// the channel may point at them).
struct Parked<S> {
    core: Core,
    waiter: Waiter<S>,
}

/// The future of [`Chan::recv`].
pub struct Recv<'a, T> {
    chan: &'a Chan<T>,
    parked: Option<Parked<RecvSlot<T>>>,
    /// The channel points into `parked` while it is queued.
    _pin: PhantomPinned,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        // SAFETY: nothing is moved out of `self`; `parked` is only replaced when unqueued.
        let this = unsafe { self.get_unchecked_mut() };
        let id = this.chan.inner.id.get();
        if let Some(p) = &this.parked {
            if p.core.still_waiting(cx.waker()) {
                set_wait(WaitKind::ChanReceive, id);
                return Poll::Pending;
            }
            // SAFETY: done, so the channel no longer touches the slot.
            let got = unsafe {
                p.waiter
                    .with_slot(|s| std::mem::replace(s, RecvSlot::Empty))
            };
            this.parked = None;
            return Poll::Ready(match got {
                RecvSlot::Value(v) => Some(v),
                RecvSlot::Empty | RecvSlot::Closed => None,
            });
        }
        let mut wake = None;
        let mut st = this.chan.inner.lock();
        let got = st.try_recv(&mut wake);
        if got.is_none() {
            let p = this.parked.insert(Parked {
                core: Core::new(cx.waker()),
                waiter: Waiter::new(0, current_gid(), RecvSlot::Empty),
            });
            // SAFETY: `self` is pinned and unlinks the waiter (under this lock) before it goes.
            unsafe { st.recvq.push_back(&p.waiter, &p.core) };
        }
        drop(st);
        if let Some(w) = wake {
            w.wake();
        }
        match got {
            Some(Got::Value(v)) => Poll::Ready(Some(v)),
            Some(Got::Closed) => Poll::Ready(None),
            None => {
                set_wait(WaitKind::ChanReceive, id);
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Recv<'_, T> {
    // Inlined: almost every operation completes without parking, and then dropping it is one
    // test (callgrind: 13 instructions a call out of line, 4 % of the dispatch bench).
    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    fn drop(&mut self) {
        if let Some(p) = &self.parked {
            unlink(&mut self.chan.inner.lock().recvq, &p.waiter);
        }
    }
}

/// Takes a parked operation's record off its queue (it was given up: `select` chose another
/// case, or the future was dropped).
#[cold]
fn unlink<S>(q: &mut WaitQueue<S>, w: &Waiter<S>) {
    q.remove(w);
}

/// The future of [`Chan::send`].
pub struct Send<'a, T> {
    chan: &'a Chan<T>,
    value: Option<T>,
    parked: Option<Parked<SendSlot<T>>>,
    /// The channel points into `parked` while it is queued.
    _pin: PhantomPinned,
}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: nothing is moved out of `self` but the value; `parked` is only replaced when
        // unqueued.
        let this = unsafe { self.get_unchecked_mut() };
        let id = this.chan.inner.id.get();
        if let Some(p) = &this.parked {
            if p.core.still_waiting(cx.waker()) {
                set_wait(WaitKind::ChanSend, id);
                return Poll::Pending;
            }
            // SAFETY: done, so the channel no longer touches the slot.
            let slot = unsafe {
                p.waiter
                    .with_slot(|s| std::mem::replace(s, SendSlot::Taken))
            };
            this.parked = None;
            return Poll::Ready(match slot {
                SendSlot::Closed(v) => Err(SendError(v)),
                SendSlot::Sent | SendSlot::Taken | SendSlot::Pending(_) => Ok(()),
            });
        }
        let v = this.value.take().expect("Send polled after completion");
        let mut wake = None;
        let mut st = this.chan.inner.lock();
        let r = match st.try_send(v, this.chan.inner.cap, &mut wake) {
            Ok(()) => Poll::Ready(Ok(())),
            Err((v, true)) => Poll::Ready(Err(SendError(v))),
            Err((v, false)) => {
                let p = this.parked.insert(Parked {
                    core: Core::new(cx.waker()),
                    waiter: Waiter::new(0, current_gid(), SendSlot::Pending(v)),
                });
                // SAFETY: `self` is pinned and unlinks the waiter (under this lock) before it
                // goes.
                unsafe { st.sendq.push_back(&p.waiter, &p.core) };
                Poll::Pending
            }
        };
        drop(st);
        if let Some(w) = wake {
            w.wake();
        }
        if r.is_pending() {
            set_wait(WaitKind::ChanSend, id);
        }
        r
    }
}

impl<T> Drop for Send<'_, T> {
    // Inlined: almost every operation completes without parking, and then dropping it is one
    // test (callgrind: 13 instructions a call out of line, 4 % of the dispatch bench).
    #[cfg_attr(not(target_arch = "wasm32"), inline)]
    fn drop(&mut self) {
        if let Some(p) = &self.parked {
            unlink(&mut self.chan.inner.lock().sendq, &p.waiter);
        }
    }
}
