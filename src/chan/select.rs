//! Go's `select`: wait on several sends and receives, take exactly one.
//!
//! Like `runtime/selectgo`, it locks every channel of the select in one global order (by id),
//! tries the cases in a random order (fairness: no case wins just by being first), and otherwise
//! parks on all of them at once; the first channel to complete a case claims the whole select.

use std::{
    any::Any,
    future::Future,
    marker::PhantomData,
    pin::Pin,
    task::{Context, Poll},
};

use super::{Chan, Core, Got, RecvSlot, SendError, SendSlot, State, Waiter};
use crate::{
    primitives::{Arc, Mutex, MutexGuard},
    runtime::{
        goroutine::WaitKind,
        local::{current_gid, set_wait, with_current},
    },
};

/// A receive case of a [`Select`]; read its value with [`Select::recv_value`].
#[derive(Debug)]
pub struct RecvCase<T>(usize, PhantomData<fn() -> T>);

/// A send case of a [`Select`]; read its outcome with [`Select::send_result`].
#[derive(Debug)]
pub struct SendCase<T>(usize, PhantomData<fn() -> T>);

impl<T> Clone for RecvCase<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for RecvCase<T> {}
impl<T> Clone for SendCase<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SendCase<T> {}

impl<T> RecvCase<T> {
    /// The index [`Select::wait`] returns when this case fires.
    pub fn index(self) -> usize {
        self.0
    }
}

impl<T> SendCase<T> {
    /// The index [`Select::wait`] returns when this case fires.
    pub fn index(self) -> usize {
        self.0
    }
}

trait Case: Send {
    fn chan_id(&self) -> u64;
    fn lock(&self) -> Box<dyn Locked + '_>;
    /// The case completed (its slot holds the outcome).
    fn done(&self) -> bool;
    fn as_any(&mut self) -> &mut dyn Any;
}

trait Locked {
    /// Completes the case now if it can; true when it did.
    fn try_now(&mut self) -> bool;
    fn register(&mut self, core: &Arc<Core>, case: usize);
    fn unregister(&mut self, core: &Arc<Core>);
}

struct RecvImpl<T> {
    chan: Chan<T>,
    slot: Arc<Mutex<RecvSlot<T>>>,
}

struct LockedRecv<'a, T> {
    st: MutexGuard<'a, State<T>>,
    slot: &'a Arc<Mutex<RecvSlot<T>>>,
}

impl<T: Send + 'static> Case for RecvImpl<T> {
    fn chan_id(&self) -> u64 {
        self.chan.inner.id.get()
    }
    fn lock(&self) -> Box<dyn Locked + '_> {
        Box::new(LockedRecv {
            st: self.chan.inner.state.lock().unwrap(),
            slot: &self.slot,
        })
    }
    fn done(&self) -> bool {
        !matches!(*self.slot.lock().unwrap(), RecvSlot::Empty)
    }
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }
}

impl<T> Locked for LockedRecv<'_, T> {
    fn try_now(&mut self) -> bool {
        match self.st.try_recv() {
            Some(Got::Value(v)) => *self.slot.lock().unwrap() = RecvSlot::Value(v),
            Some(Got::Closed) => *self.slot.lock().unwrap() = RecvSlot::Closed,
            None => return false,
        }
        true
    }
    fn register(&mut self, core: &Arc<Core>, case: usize) {
        self.st.recvq.push_back(Waiter {
            core: core.clone(),
            case,
            slot: self.slot.clone(),
            gid: current_gid(),
        });
    }
    fn unregister(&mut self, core: &Arc<Core>) {
        self.st.unregister(core);
    }
}

struct SendImpl<T> {
    chan: Chan<T>,
    slot: Arc<Mutex<SendSlot<T>>>,
}

struct LockedSend<'a, T> {
    st: MutexGuard<'a, State<T>>,
    cap: usize,
    slot: &'a Arc<Mutex<SendSlot<T>>>,
}

impl<T: Send + 'static> Case for SendImpl<T> {
    fn chan_id(&self) -> u64 {
        self.chan.inner.id.get()
    }
    fn lock(&self) -> Box<dyn Locked + '_> {
        Box::new(LockedSend {
            st: self.chan.inner.state.lock().unwrap(),
            cap: self.chan.inner.cap,
            slot: &self.slot,
        })
    }
    fn done(&self) -> bool {
        matches!(
            *self.slot.lock().unwrap(),
            SendSlot::Sent | SendSlot::Closed(_)
        )
    }
    fn as_any(&mut self) -> &mut dyn Any {
        self
    }
}

impl<T> Locked for LockedSend<'_, T> {
    fn try_now(&mut self) -> bool {
        let mut slot = self.slot.lock().unwrap();
        let SendSlot::Pending(v) = std::mem::replace(&mut *slot, SendSlot::Taken) else {
            unreachable!("an untried send case holds its value")
        };
        match self.st.try_send(v, self.cap) {
            Ok(()) => *slot = SendSlot::Sent,
            // Go panics here ("send on closed channel"); the case completes with the error.
            Err((v, true)) => *slot = SendSlot::Closed(v),
            Err((v, false)) => {
                *slot = SendSlot::Pending(v);
                return false;
            }
        }
        true
    }
    fn register(&mut self, core: &Arc<Core>, case: usize) {
        self.st.sendq.push_back(Waiter {
            core: core.clone(),
            case,
            slot: self.slot.clone(),
            gid: current_gid(),
        });
    }
    fn unregister(&mut self, core: &Arc<Core>) {
        self.st.unregister(core);
    }
}

/// A `select` statement under construction: add cases, then [`Select::wait`] (or
/// [`Select::try_select`] for a `default` arm).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use worker_pool_playground::{chan::{Chan, Select}, runtime::Runtime, time};
///
/// let rt = Runtime::builder().threads(1).time_scale(100.0).build().unwrap();
/// rt.block_on(async {
///     let jobs: Chan<u32> = Chan::new(0);
///     // select { case j := <-jobs: … case <-time.After(1 * time.Second): … }
///     let mut sel = Select::new();
///     let job = sel.recv(&jobs);
///     let timeout = sel.recv(&time::after(Duration::from_secs(1)));
///     let fired = sel.wait().await;
///     assert_eq!(fired, timeout.index()); // nobody sends on jobs: the timer wins
///     assert_eq!(sel.recv_value(job), None);
/// })
/// .unwrap();
/// ```
#[derive(Default)]
pub struct Select {
    cases: Vec<Box<dyn Case>>,
    core: Option<Arc<Core>>,
    fired: Option<usize>,
}

impl std::fmt::Debug for Select {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Select({} cases, fired {:?})",
            self.cases.len(),
            self.fired
        )
    }
}

impl Select {
    /// An empty select. `select {}` with no cases blocks forever, as in Go.
    pub fn new() -> Select {
        Select::default()
    }

    /// `case v, ok := <-ch:`.
    pub fn recv<T: Send + 'static>(&mut self, chan: &Chan<T>) -> RecvCase<T> {
        self.cases.push(Box::new(RecvImpl {
            chan: chan.clone(),
            slot: Arc::new(Mutex::new(RecvSlot::Empty)),
        }));
        RecvCase(self.cases.len() - 1, PhantomData)
    }

    /// `case ch <- v:`. If another case fires, the value comes back from [`Select::send_result`].
    pub fn send<T: Send + 'static>(&mut self, chan: &Chan<T>, value: T) -> SendCase<T> {
        self.cases.push(Box::new(SendImpl {
            chan: chan.clone(),
            slot: Arc::new(Mutex::new(SendSlot::Pending(value))),
        }));
        SendCase(self.cases.len() - 1, PhantomData)
    }

    /// After the select: the received value (`None` = closed and drained, or the case did not fire).
    pub fn recv_value<T: Send + 'static>(&mut self, case: RecvCase<T>) -> Option<T> {
        let c = self.cases[case.0]
            .as_any()
            .downcast_mut::<RecvImpl<T>>()
            .expect("case type");
        match std::mem::replace(&mut *c.slot.lock().unwrap(), RecvSlot::Empty) {
            RecvSlot::Value(v) => Some(v),
            _ => None,
        }
    }

    /// After the select: `Ok(())` if the send happened; otherwise the value, with the error
    /// "send on closed channel" when the channel was closed.
    ///
    /// # Errors
    ///
    /// [`SendError`] holding the value when it was not sent.
    pub fn send_result<T: Send + 'static>(
        &mut self,
        case: SendCase<T>,
    ) -> Result<(), SendError<T>> {
        let c = self.cases[case.0]
            .as_any()
            .downcast_mut::<SendImpl<T>>()
            .expect("case type");
        match std::mem::replace(&mut *c.slot.lock().unwrap(), SendSlot::Taken) {
            SendSlot::Sent => Ok(()),
            SendSlot::Closed(v) | SendSlot::Pending(v) => Err(SendError(v)),
            SendSlot::Taken => panic!("send_result read twice"),
        }
    }

    fn lock_order(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.cases.len()).collect();
        order.sort_by_key(|&i| self.cases[i].chan_id());
        for w in order.windows(2) {
            assert_ne!(
                self.cases[w[0]].chan_id(),
                self.cases[w[1]].chan_id(),
                "select: one channel in two cases is not supported"
            );
        }
        order
    }

    /// Tries every case once, in random order; registers `core` on all when none is ready.
    fn try_all(&self, core: Option<&Arc<Core>>) -> Option<usize> {
        let order = self.lock_order();
        let mut locked: Vec<(usize, Box<dyn Locked + '_>)> =
            order.iter().map(|&i| (i, self.cases[i].lock())).collect();
        let n = locked.len();
        let start = random_below(n.max(1));
        for k in 0..n {
            let (i, l) = &mut locked[(start + k) % n];
            if l.try_now() {
                return Some(*i);
            }
        }
        if let Some(core) = core {
            for (i, l) in &mut locked {
                l.register(core, *i);
            }
        }
        None
    }

    /// `select { … default: }`: the index of a case that completed now, or `None` (the default arm).
    pub fn try_select(&mut self) -> Option<usize> {
        self.fired = self.try_all(None);
        self.fired
    }

    /// Waits until one case completes and returns its index.
    pub fn wait(&mut self) -> Wait<'_> {
        Wait { sel: self }
    }

    fn unregister_all(&self, core: &Arc<Core>) {
        for c in &self.cases {
            c.lock().unregister(core);
        }
    }
}

fn random_below(n: usize) -> usize {
    with_current(|rt| match rt {
        Some(rt) => rt.random_below(n),
        None => fastrand::usize(0..n),
    })
}

/// The future of [`Select::wait`].
#[derive(Debug)]
pub struct Wait<'a> {
    sel: &'a mut Select,
}

impl Future for Wait<'_> {
    type Output = usize;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<usize> {
        let sel = &mut *self.sel;
        if let Some(i) = sel.fired {
            return Poll::Ready(i);
        }
        if let Some(core) = sel.core.clone() {
            core.set_waker(cx.waker());
            if let Some(i) = core.fired() {
                if sel.cases[i].done() {
                    sel.unregister_all(&core);
                    sel.core = None;
                    sel.fired = Some(i);
                    return Poll::Ready(i);
                }
            }
            set_wait(WaitKind::Select, 0);
            return Poll::Pending;
        }
        if sel.cases.is_empty() {
            set_wait(WaitKind::Select, 0); // `select {}`
            return Poll::Pending;
        }
        let core = Core::new(cx.waker());
        match sel.try_all(Some(&core)) {
            Some(i) => {
                sel.fired = Some(i);
                Poll::Ready(i)
            }
            None => {
                sel.core = Some(core);
                set_wait(WaitKind::Select, 0);
                Poll::Pending
            }
        }
    }
}

impl Drop for Select {
    fn drop(&mut self) {
        if let Some(core) = self.core.take() {
            self.unregister_all(&core);
        }
    }
}
