//! Go channels: `make(chan T, n)`, `ch <- v`, `<-ch`, `close(ch)`, `len`, `cap`, `range`, `select`.
//!
//! Why our own channel and not a crate's: Go's unbuffered channel is a rendezvous, and `select`
//! must be able to give up a pending operation without losing a value. `async-channel` has no
//! zero-capacity channel (`bounded(0)` panics); flume and kanal have one but lose values when a
//! pending operation is dropped (flume#104, kanal#24), which is exactly what `select` does. So the
//! core here follows Go's `runtime/chan.go`: a mutex per channel, queues of parked senders and
//! receivers, a direct hand-off between them, and `select` that locks all its channels in a fixed
//! order before it parks on every one of them.
//!
//! # Examples
//!
//! ```
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

use std::{
    collections::VecDeque,
    fmt,
    future::Future,
    pin::Pin,
    sync::atomic::Ordering,
    task::{Context, Poll, Waker},
};

pub use self::{
    err::{CloseError, SendError, TryRecvError, TrySendError},
    select::{RecvCase, Select, SendCase},
};
use crate::{
    primitives::{Arc, AtomicUsize, Mutex},
    runtime::{
        goroutine::WaitKind,
        local::{current_gid, set_wait, with_current},
        object::{ObjectId, Op, OpLog},
        EventKind,
    },
};

/// No case has fired yet.
const NONE: usize = usize::MAX;

/// What one parked goroutine waits for: one or several cases (a `select`), of which exactly one
/// fires. Go calls the equivalent `selectDone` and the per-case records `sudog`s.
pub(crate) struct Core {
    fired: AtomicUsize,
    waker: Mutex<Option<Waker>>,
}

impl Core {
    fn new(waker: &Waker) -> Arc<Core> {
        Arc::new(Core {
            fired: AtomicUsize::new(NONE),
            waker: Mutex::new(Some(waker.clone())),
        })
    }

    /// Claims the waiter for `case`; false when another case already fired.
    fn try_fire(&self, case: usize) -> bool {
        self.fired
            .compare_exchange(NONE, case, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    fn wake(&self) {
        if let Some(w) = self.waker.lock().unwrap().take() {
            w.wake();
        }
    }

    fn set_waker(&self, waker: &Waker) {
        let mut w = self.waker.lock().unwrap();
        match &mut *w {
            Some(old) if old.will_wake(waker) => {}
            _ => *w = Some(waker.clone()),
        }
    }

    fn fired(&self) -> Option<usize> {
        match self.fired.load(Ordering::Acquire) {
            NONE => None,
            i => Some(i),
        }
    }
}

pub(crate) enum RecvSlot<T> {
    Empty,
    Value(T),
    Closed,
}

pub(crate) enum SendSlot<T> {
    Pending(T),
    Sent,
    Closed(T),
    Taken,
}

pub(crate) struct Waiter<S> {
    core: Arc<Core>,
    case: usize,
    slot: Arc<Mutex<S>>,
    /// The goroutine parked here (for the wait-for graph).
    gid: u64,
}

pub(crate) struct State<T> {
    buf: VecDeque<T>,
    closed: bool,
    recvq: VecDeque<Waiter<RecvSlot<T>>>,
    sendq: VecDeque<Waiter<SendSlot<T>>>,
    /// Who sent, received and closed lately (for the wait-for graph).
    ops: OpLog,
}

/// Result of a receive that did not block.
pub(crate) enum Got<T> {
    Value(T),
    Closed,
}

impl<T> State<T> {
    /// Takes the value of the first live parked sender, marking it sent and waking it.
    fn take_from_sender(&mut self) -> Option<T> {
        while let Some(w) = self.sendq.pop_front() {
            if w.core.try_fire(w.case) {
                let v = match std::mem::replace(&mut *w.slot.lock().unwrap(), SendSlot::Sent) {
                    SendSlot::Pending(v) => v,
                    _ => unreachable!("a parked sender holds its value"),
                };
                w.core.wake();
                return Some(v);
            }
        }
        None
    }

    /// `<-ch` without blocking: a buffered value, a parked sender's value, or closed.
    pub(crate) fn try_recv(&mut self) -> Option<Got<T>> {
        self.ops.note(Op::Recv);
        if let Some(v) = self.buf.pop_front() {
            // A slot freed up: the first parked sender's value moves into the buffer.
            if let Some(s) = self.take_from_sender() {
                self.buf.push_back(s);
            }
            return Some(Got::Value(v));
        }
        if let Some(v) = self.take_from_sender() {
            return Some(Got::Value(v));
        }
        if self.closed {
            return Some(Got::Closed);
        }
        None
    }

    /// `ch <- v` without blocking. `Err((v, closed))` when it would block or the channel is closed.
    pub(crate) fn try_send(&mut self, v: T, cap: usize) -> Result<(), (T, bool)> {
        self.ops.note(Op::Send);
        if self.closed {
            return Err((v, true));
        }
        while let Some(w) = self.recvq.pop_front() {
            if w.core.try_fire(w.case) {
                *w.slot.lock().unwrap() = RecvSlot::Value(v);
                w.core.wake();
                return Ok(());
            }
        }
        if self.buf.len() < cap {
            self.buf.push_back(v);
            return Ok(());
        }
        Err((v, false))
    }

    fn unregister(&mut self, core: &Arc<Core>) {
        self.recvq.retain(|w| !Arc::ptr_eq(&w.core, core));
        self.sendq.retain(|w| !Arc::ptr_eq(&w.core, core));
    }
}

pub(crate) struct Inner<T> {
    id: ObjectId,
    cap: usize,
    state: Mutex<State<T>>,
}

#[cfg(not(loom))]
impl<T: std::marker::Send> crate::runtime::object::Observed for Inner<T> {
    fn view(&self) -> crate::runtime::object::ObjectView {
        let st = self.state.lock().unwrap();
        let mut state = if self.cap == 0 {
            "unbuffered".to_string()
        } else if self.cap == UNBOUNDED {
            format!("{} buffered", st.buf.len())
        } else {
            format!("{}/{} buffered", st.buf.len(), self.cap)
        };
        if st.closed {
            state.push_str(", closed");
        }
        let waiters = st
            .recvq
            .iter()
            .map(|w| (w.gid, Op::Recv))
            .chain(st.sendq.iter().map(|w| (w.gid, Op::Send)))
            .collect();
        crate::runtime::object::ObjectView {
            kind: crate::runtime::object::ObjectKind::Channel,
            state,
            waiters,
            ops: st.ops.entries().to_vec(),
        }
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
        let mut ops = OpLog::default();
        ops.note(Op::Make);
        let chan = Chan {
            inner: Arc::new(Inner {
                id: ObjectId::new(),
                cap,
                state: Mutex::new(State {
                    buf: VecDeque::with_capacity(cap.min(1024)),
                    closed: false,
                    recvq: VecDeque::new(),
                    sendq: VecDeque::new(),
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
        self.inner.state.lock().unwrap().buf.len()
    }

    /// `len(ch) == 0`.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.inner.state.lock().unwrap().closed
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
            waiting: None,
        }
    }

    /// `select { case ch <- v: default: }`.
    ///
    /// # Errors
    ///
    /// [`TrySendError::Full`] when it would block, [`TrySendError::Closed`] when closed.
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        let mut st = self.inner.state.lock().unwrap();
        st.try_send(v, self.inner.cap).map_err(|(v, closed)| {
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
            waiting: None,
        }
    }

    /// `select { case v := <-ch: default: }`.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] when it would block, [`TryRecvError::Closed`] when closed and drained.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match self.inner.state.lock().unwrap().try_recv() {
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
        let mut st = self.inner.state.lock().unwrap();
        st.ops.note(Op::Close);
        if st.closed {
            return Err(CloseError);
        }
        st.closed = true;
        with_current(|rt| {
            if let Some(rt) = rt {
                rt.event(
                    EventKind::Close,
                    current_gid(),
                    WaitKind::None,
                    self.inner.id.get(),
                );
            }
        });
        for w in std::mem::take(&mut st.recvq) {
            if w.core.try_fire(w.case) {
                *w.slot.lock().unwrap() = RecvSlot::Closed;
                w.core.wake();
            }
        }
        for w in std::mem::take(&mut st.sendq) {
            if w.core.try_fire(w.case) {
                let mut slot = w.slot.lock().unwrap();
                if let SendSlot::Pending(v) = std::mem::replace(&mut *slot, SendSlot::Taken) {
                    *slot = SendSlot::Closed(v);
                }
                drop(slot);
                w.core.wake();
            }
        }
        Ok(())
    }

    /// `for v := range ch`: `while let Some(v) = range.next().await`.
    pub fn range(&self) -> Range<'_, T> {
        Range { chan: self }
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

/// A parked single operation: its waiter record and the slot the other side fills.
type Parked<S> = (Arc<Core>, Arc<Mutex<S>>);

/// The future of [`Chan::recv`].
pub struct Recv<'a, T> {
    chan: &'a Chan<T>,
    waiting: Option<Parked<RecvSlot<T>>>,
}

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = &mut *self;
        if let Some((core, slot)) = &this.waiting {
            core.set_waker(cx.waker());
            let got = std::mem::replace(&mut *slot.lock().unwrap(), RecvSlot::Empty);
            match got {
                RecvSlot::Value(v) => {
                    this.waiting = None;
                    return Poll::Ready(Some(v));
                }
                RecvSlot::Closed => {
                    this.waiting = None;
                    return Poll::Ready(None);
                }
                RecvSlot::Empty => {
                    set_wait(WaitKind::ChanReceive, this.chan.inner.id.get());
                    return Poll::Pending;
                }
            }
        }
        let mut st = this.chan.inner.state.lock().unwrap();
        match st.try_recv() {
            Some(Got::Value(v)) => Poll::Ready(Some(v)),
            Some(Got::Closed) => Poll::Ready(None),
            None => {
                let core = Core::new(cx.waker());
                let slot = Arc::new(Mutex::new(RecvSlot::Empty));
                st.recvq.push_back(Waiter {
                    core: core.clone(),
                    case: 0,
                    slot: slot.clone(),
                    gid: current_gid(),
                });
                drop(st);
                this.waiting = Some((core, slot));
                set_wait(WaitKind::ChanReceive, this.chan.inner.id.get());
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Recv<'_, T> {
    fn drop(&mut self) {
        if let Some((core, _)) = self.waiting.take() {
            self.chan.inner.state.lock().unwrap().unregister(&core);
        }
    }
}

/// The future of [`Chan::send`].
pub struct Send<'a, T> {
    chan: &'a Chan<T>,
    value: Option<T>,
    waiting: Option<Parked<SendSlot<T>>>,
}

impl<T> Unpin for Send<'_, T> {}

impl<T> Future for Send<'_, T> {
    type Output = Result<(), SendError<T>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some((core, slot)) = &this.waiting {
            core.set_waker(cx.waker());
            let mut s = slot.lock().unwrap();
            match std::mem::replace(&mut *s, SendSlot::Taken) {
                SendSlot::Sent => {
                    drop(s);
                    this.waiting = None;
                    return Poll::Ready(Ok(()));
                }
                SendSlot::Closed(v) => {
                    drop(s);
                    this.waiting = None;
                    return Poll::Ready(Err(SendError(v)));
                }
                pending => {
                    *s = pending;
                    set_wait(WaitKind::ChanSend, this.chan.inner.id.get());
                    return Poll::Pending;
                }
            }
        }
        let v = this.value.take().expect("Send polled after completion");
        let mut st = this.chan.inner.state.lock().unwrap();
        match st.try_send(v, this.chan.inner.cap) {
            Ok(()) => Poll::Ready(Ok(())),
            Err((v, true)) => Poll::Ready(Err(SendError(v))),
            Err((v, false)) => {
                let core = Core::new(cx.waker());
                let slot = Arc::new(Mutex::new(SendSlot::Pending(v)));
                st.sendq.push_back(Waiter {
                    core: core.clone(),
                    case: 0,
                    slot: slot.clone(),
                    gid: current_gid(),
                });
                drop(st);
                this.waiting = Some((core, slot));
                set_wait(WaitKind::ChanSend, this.chan.inner.id.get());
                Poll::Pending
            }
        }
    }
}

impl<T> Drop for Send<'_, T> {
    fn drop(&mut self) {
        if let Some((core, _)) = self.waiting.take() {
            self.chan.inner.state.lock().unwrap().unregister(&core);
        }
    }
}
