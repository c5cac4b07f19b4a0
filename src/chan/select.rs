//! Go's `select`: wait on several sends and receives, take exactly one.
//!
//! As `runtime/selectgo` does: lock every channel of the select once, in one global order (by
//! id; a channel in two cases is locked once), try the cases in a random order (a fresh shuffle
//! each time, Go's `pollorder`, so that the choice among ready cases is uniform), and otherwise
//! park on all of them at once; the first channel to complete a case claims the whole select.
//! One channel may appear in several cases, receives and sends alike, as in Go.

use std::{
    any::Any,
    future::Future,
    marker::PhantomData,
    pin::Pin,
    task::{Context, Poll},
};

use super::{
    waitq::{Core, Waiter},
    Chan, Got, RecvSlot, SendError, SendSlot, State, Wake,
};
use crate::runtime::{
    goroutine::WaitKind,
    local::{current_gid, set_wait, with_current},
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

/// One case, type-erased. A case's channel state arrives as `&mut dyn Any` (a `State<T>`),
/// locked by whoever calls: so two cases on one channel share one lock.
trait Case: Send + Sync {
    fn chan_id(&self) -> u64;
    /// Locks the channel and runs `f` with its state.
    fn locked(&self, f: &mut dyn FnMut(&mut dyn Any));
    /// Completes the case now if it can (its slot then holds the outcome).
    fn try_now(&self, st: &mut dyn Any, wake: &mut Wake) -> bool;
    /// Parks the case on its channel.
    ///
    /// # Safety
    ///
    /// The case and `core` must stay put until [`Case::unregister`] runs under the lock.
    unsafe fn register(&self, st: &mut dyn Any, core: &Core);
    fn unregister(&self, st: &mut dyn Any);
    fn as_any(&self) -> &dyn Any;
}

fn state<T: 'static>(st: &mut dyn Any) -> &mut State<T> {
    st.downcast_mut::<State<T>>()
        .expect("a case's state is its channel's")
}

struct RecvImpl<T> {
    chan: Chan<T>,
    waiter: Waiter<RecvSlot<T>>,
}

impl<T: Send + 'static> Case for RecvImpl<T> {
    fn chan_id(&self) -> u64 {
        self.chan.inner.id.get()
    }
    fn locked(&self, f: &mut dyn FnMut(&mut dyn Any)) {
        f(&mut *self.chan.inner.lock());
    }
    fn try_now(&self, st: &mut dyn Any, wake: &mut Wake) -> bool {
        let got = match state::<T>(st).try_recv(wake) {
            Some(Got::Value(v)) => RecvSlot::Value(v),
            Some(Got::Closed) => RecvSlot::Closed,
            None => return false,
        };
        // SAFETY: not queued: only its owner (the caller) touches it.
        unsafe { self.waiter.with_slot(|s| *s = got) };
        true
    }
    unsafe fn register(&self, st: &mut dyn Any, core: &Core) {
        // SAFETY: the caller's contract.
        unsafe { state::<T>(st).recvq.push_back(&self.waiter, core) };
    }
    fn unregister(&self, st: &mut dyn Any) {
        state::<T>(st).recvq.remove(&self.waiter);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

struct SendImpl<T> {
    chan: Chan<T>,
    waiter: Waiter<SendSlot<T>>,
}

impl<T: Send + 'static> Case for SendImpl<T> {
    fn chan_id(&self) -> u64 {
        self.chan.inner.id.get()
    }
    fn locked(&self, f: &mut dyn FnMut(&mut dyn Any)) {
        f(&mut *self.chan.inner.lock());
    }
    fn try_now(&self, st: &mut dyn Any, wake: &mut Wake) -> bool {
        let cap = self.chan.inner.cap;
        // SAFETY: not queued: only its owner (the caller) touches it.
        unsafe {
            self.waiter.with_slot(|slot| {
                let SendSlot::Pending(v) = std::mem::replace(slot, SendSlot::Taken) else {
                    unreachable!("an untried send case holds its value")
                };
                match state::<T>(st).try_send(v, cap, wake) {
                    Ok(()) => *slot = SendSlot::Sent,
                    // Go panics here ("send on closed channel"); the case completes with the
                    // error and the value.
                    Err((v, true)) => *slot = SendSlot::Closed(v),
                    Err((v, false)) => {
                        *slot = SendSlot::Pending(v);
                        return false;
                    }
                }
                true
            })
        }
    }
    unsafe fn register(&self, st: &mut dyn Any, core: &Core) {
        // SAFETY: the caller's contract.
        unsafe { state::<T>(st).sendq.push_back(&self.waiter, core) };
    }
    fn unregister(&self, st: &mut dyn Any) {
        state::<T>(st).sendq.remove(&self.waiter);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A `select` statement under construction: add cases, then [`Select::wait`] (or
/// [`Select::try_select`] for a `default` arm).
///
/// # Examples
///
/// ```ignore-wasm32
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
    /// On the heap: the channels point at their waiters while the select is parked, and the
    /// select itself may move in between.
    cases: Vec<Pinned<dyn Case>>,
    /// The wait all cases share while parked (on the heap for the same reason).
    core: Option<Pinned<Core>>,
    fired: Option<usize>,
}

/// A heap value that is only ever shared (`&T`), never held exclusively: unlike a `Box`, moving
/// it does not assert exclusive access, which would invalidate the pointers the channels hold
/// into it (Stacked Borrows; Miri checks it).
struct Pinned<T: ?Sized>(std::ptr::NonNull<T>);

// SAFETY: it owns its `T` like a `Box` does.
unsafe impl<T: ?Sized + Send> Send for Pinned<T> {}
unsafe impl<T: ?Sized + Sync> Sync for Pinned<T> {}

impl<T: ?Sized> Pinned<T> {
    fn new(b: Box<T>) -> Pinned<T> {
        Pinned(std::ptr::NonNull::from(Box::leak(b)))
    }
}

impl<T: ?Sized> std::ops::Deref for Pinned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: alive until `drop`.
        unsafe { self.0.as_ref() }
    }
}

impl<T: ?Sized> Drop for Pinned<T> {
    fn drop(&mut self) {
        // SAFETY: made by `Box::leak` in `new`, dropped once.
        drop(unsafe { Box::from_raw(self.0.as_ptr()) });
    }
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
        let i = self.cases.len();
        self.cases.push(Pinned::new(Box::new(RecvImpl {
            chan: chan.clone(),
            waiter: Waiter::new(i, current_gid(), RecvSlot::Empty),
        })));
        RecvCase(i, PhantomData)
    }

    /// `case ch <- v:`. If another case fires, the value comes back from [`Select::send_result`].
    pub fn send<T: Send + 'static>(&mut self, chan: &Chan<T>, value: T) -> SendCase<T> {
        let i = self.cases.len();
        self.cases.push(Pinned::new(Box::new(SendImpl {
            chan: chan.clone(),
            waiter: Waiter::new(i, current_gid(), SendSlot::Pending(value)),
        })));
        SendCase(i, PhantomData)
    }

    /// After the select: the received value (`None` = closed and drained, or the case did not fire).
    pub fn recv_value<T: Send + 'static>(&mut self, case: RecvCase<T>) -> Option<T> {
        self.settle();
        let c = self.cases[case.0]
            .as_any()
            .downcast_ref::<RecvImpl<T>>()
            .expect("case type");
        // SAFETY: not queued (`settle`): only the owner touches it.
        match unsafe {
            c.waiter
                .with_slot(|s| std::mem::replace(s, RecvSlot::Empty))
        } {
            RecvSlot::Value(v) => Some(v),
            RecvSlot::Empty | RecvSlot::Closed => None,
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
        self.settle();
        let c = self.cases[case.0]
            .as_any()
            .downcast_ref::<SendImpl<T>>()
            .expect("case type");
        // SAFETY: not queued (`settle`): only the owner touches it.
        match unsafe {
            c.waiter
                .with_slot(|s| std::mem::replace(s, SendSlot::Taken))
        } {
            SendSlot::Sent => Ok(()),
            SendSlot::Closed(v) | SendSlot::Pending(v) => Err(SendError(v)),
            SendSlot::Taken => panic!("send_result read twice"),
        }
    }

    /// Runs `f` with every case's channel locked, each channel once, in id order (the order
    /// that keeps two selects from deadlocking each other). `f` gets each case's state.
    fn with_all_locked(&self, f: &mut dyn FnMut(&[*mut dyn Any])) {
        let n = self.cases.len();
        let mut order = Small::new(n, 0usize);
        for (k, o) in order.iter_mut().enumerate() {
            *o = k;
        }
        order.sort_unstable_by_key(|&i| (self.cases[i].chan_id(), i));
        // The first case of each distinct channel locks it; the others share its state.
        let (mut leaders, mut group) = (Small::new(n, 0usize), Small::new(n, 0usize));
        let mut distinct = 0;
        for k in 0..n {
            let i = order[k];
            if k == 0 || self.cases[i].chan_id() != self.cases[order[k - 1]].chan_id() {
                leaders[distinct] = i;
                distinct += 1;
            }
            group[i] = distinct - 1;
        }
        fn lock_from(
            cases: &[Pinned<dyn Case>],
            leaders: &[usize],
            held: &mut [*mut dyn Any],
            depth: usize,
            f: &mut dyn FnMut(&[*mut dyn Any]),
        ) {
            match leaders.get(depth) {
                None => f(held),
                Some(&i) => cases[i].locked(&mut |st| {
                    held[depth] = st as *mut dyn Any;
                    lock_from(cases, leaders, held, depth + 1, f);
                }),
            }
        }
        let none: *mut dyn Any = std::ptr::null_mut::<()>();
        let mut held = Small::new(distinct, none);
        let mut per_case = Small::new(n, none);
        lock_from(
            &self.cases,
            &leaders[..distinct],
            &mut held,
            0,
            &mut |held| {
                for (c, &g) in per_case.iter_mut().zip(group.iter()) {
                    *c = held[g];
                }
                f(&per_case);
            },
        );
    }

    /// Tries every case once, in a fresh random order; when none is ready and `core` is given,
    /// parks on all of them. Returns the case that completed, and the waker it owes.
    fn try_all(&self, core: Option<&Core>) -> (Option<usize>, Wake) {
        let n = self.cases.len();
        let mut poll_order = Small::new(n, 0usize);
        for (k, o) in poll_order.iter_mut().enumerate() {
            *o = k;
        }
        for i in (1..n).rev() {
            poll_order.swap(i, random_below(i + 1));
        }
        let (mut fired, mut wake) = (None, None);
        self.with_all_locked(&mut |states| {
            for &i in poll_order.iter() {
                // SAFETY: the state is locked for the whole closure, and each case's state is
                // borrowed one case at a time.
                let st = unsafe { &mut *states[i] };
                if self.cases[i].try_now(st, &mut wake) {
                    fired = Some(i);
                    return;
                }
            }
            if let Some(core) = core {
                for (i, c) in self.cases.iter().enumerate() {
                    // SAFETY: as above; the cases and the core are boxed and unregister before
                    // they go (`settle`, `Drop`).
                    unsafe { c.register(&mut *states[i], core) };
                }
            }
        });
        (fired, wake)
    }

    /// `select { … default: }`: the index of a case that completed now, or `None` (the default arm).
    pub fn try_select(&mut self) -> Option<usize> {
        let (fired, wake) = self.try_all(None);
        if let Some(w) = wake {
            w.wake();
        }
        self.fired = fired;
        fired
    }

    /// Waits until one case completes and returns its index.
    pub fn wait(&mut self) -> Wait<'_> {
        Wait { sel: self }
    }

    /// Leaves every channel it is parked on (each under its lock, so a channel completing a
    /// case right now finishes first) and drops the wait.
    fn settle(&mut self) {
        if self.core.is_none() {
            return;
        }
        for c in &self.cases {
            c.locked(&mut |st| c.unregister(st));
        }
        self.core = None;
    }
}

/// Cases a select keeps on the stack; more go to the heap.
const INLINE: usize = 8;

/// A short array on the stack (a select rarely has more than a few cases), on the heap beyond:
/// a select allocates its cases and its wait, not its bookkeeping.
enum Small<T> {
    Inline([T; INLINE], usize),
    Heap(Vec<T>),
}

impl<T: Copy> Small<T> {
    fn new(n: usize, fill: T) -> Small<T> {
        if n <= INLINE {
            Small::Inline([fill; INLINE], n)
        } else {
            Small::Heap(vec![fill; n])
        }
    }
}

impl<T> std::ops::Deref for Small<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Small::Inline(a, n) => &a[..*n],
            Small::Heap(v) => v,
        }
    }
}

impl<T> std::ops::DerefMut for Small<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Small::Inline(a, n) => &mut a[..*n],
            Small::Heap(v) => v,
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
        if let Some(core) = &sel.core {
            if core.still_waiting(cx.waker()) {
                set_wait(WaitKind::Select, 0);
                return Poll::Pending;
            }
            let i = core.done().expect("not waiting, so done");
            sel.settle();
            sel.fired = Some(i);
            return Poll::Ready(i);
        }
        if sel.cases.is_empty() {
            set_wait(WaitKind::Select, 0); // `select {}`
            return Poll::Pending;
        }
        let core = Pinned::new(Box::new(Core::new(cx.waker())));
        let (fired, wake) = sel.try_all(Some(&core));
        if let Some(w) = wake {
            w.wake();
        }
        match fired {
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
        self.settle();
    }
}
