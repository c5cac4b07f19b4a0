//! A counting semaphore (Go: `golang.org/x/sync/semaphore`, or a buffered channel of tokens).

use std::{
    collections::VecDeque,
    fmt,
    future::Future,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll, Waker},
};

use crate::runtime::{
    goroutine::WaitKind,
    local::{current_gid, current_goroutine, set_wait},
    object::{ObjectId, ObjectKind, ObjectView, Observed, Op},
};

struct State {
    permits: usize,
    /// `(key, waker, goroutine)` of each goroutine waiting for a permit, in line.
    waiters: VecDeque<(u64, Waker, u64)>,
    next_key: u64,
    /// The goroutines holding a permit (as far as the runtime can tell: a permit released by
    /// another goroutine is taken off the oldest holder), for the wait-for graph.
    holders: VecDeque<(u64, &'static str)>,
    /// Listed in the runtime's objects while the semaphore lives.
    object: ObjectId,
    kind: ObjectKind,
}

/// Holders remembered at most (a semaphore of 10,000 permits lists its first 64).
const HOLDERS_KEPT: usize = 64;

impl State {
    fn took(&mut self) {
        let g = current_goroutine();
        if g.0 != 0 && self.holders.len() < HOLDERS_KEPT {
            self.holders.push_back(g);
        }
    }

    fn gave_back(&mut self) {
        let g = current_gid();
        match self.holders.iter().position(|h| h.0 == g) {
            Some(i) => {
                self.holders.remove(i);
            }
            None => {
                self.holders.pop_front();
            }
        }
    }
}

impl Observed for Mutex<State> {
    fn view(&self) -> ObjectView {
        let st = self.lock().unwrap();
        let (wait, hold) = match st.kind {
            ObjectKind::Mutex => (Op::Lock, Op::Lock),
            ObjectKind::Semaphore | ObjectKind::Channel | ObjectKind::WaitGroup => {
                (Op::Acquire, Op::Acquire)
            }
        };
        ObjectView {
            kind: st.kind,
            state: match st.kind {
                ObjectKind::Mutex if st.permits == 0 => "locked".into(),
                ObjectKind::Mutex => "unlocked".into(),
                ObjectKind::Semaphore | ObjectKind::Channel | ObjectKind::WaitGroup => {
                    format!("{} free", st.permits)
                }
            },
            waiters: st
                .waiters
                .iter()
                .take(crate::runtime::object::VIEW_WAITERS)
                .map(|w| (w.2, wait))
                .collect(),
            waiting: st.waiters.len(),
            ops: st.holders.iter().map(|&(g, n)| (hold, g, n)).collect(),
        }
    }
}

/// A counting semaphore: at most `n` holders at once; the rest wait in line.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::{runtime::Runtime, sync::Semaphore};
/// let rt = Runtime::builder().threads(1).build().unwrap();
/// rt.block_on(async {
///     let conns = Semaphore::new(3);
///     conns.acquire().await;
///     assert_eq!(conns.available(), 2);
///     conns.release();
///     assert_eq!(conns.available(), 3);
/// })
/// .unwrap();
/// ```
#[derive(Clone)]
pub struct Semaphore {
    id: u64,
    wait_kind: WaitKind,
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Semaphore#{}({} available)", self.id, self.available())
    }
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Semaphore {
        Semaphore::with_kind(permits, None, WaitKind::Semaphore)
    }

    /// A semaphore with a name for reports.
    pub fn named(permits: usize, name: &str) -> Semaphore {
        Semaphore::with_kind(permits, Some(name), WaitKind::Semaphore)
    }

    pub(crate) fn with_kind(permits: usize, name: Option<&str>, wait_kind: WaitKind) -> Semaphore {
        let object = ObjectId::new();
        if let Some(n) = name {
            object.set_name(n);
        }
        let sem = Semaphore {
            id: object.get(),
            wait_kind,
            state: Arc::new(Mutex::new(State {
                permits,
                waiters: VecDeque::new(),
                next_key: 0,
                holders: VecDeque::new(),
                object,
                kind: if wait_kind == WaitKind::Mutex {
                    ObjectKind::Mutex
                } else {
                    ObjectKind::Semaphore
                },
            })),
        };
        let weak = Arc::downgrade(&sem.state);
        sem.state.lock().unwrap().object.observe(weak);
        sem
    }

    /// Permits free now.
    pub fn available(&self) -> usize {
        self.state.lock().unwrap().permits
    }

    /// Goroutines waiting for a permit now.
    pub fn waiting(&self) -> usize {
        self.state.lock().unwrap().waiters.len()
    }

    /// Takes a permit if one is free, without waiting.
    pub fn try_acquire(&self) -> bool {
        let mut st = self.state.lock().unwrap();
        if st.permits > 0 && st.waiters.is_empty() {
            st.permits -= 1;
            st.took();
            true
        } else {
            false
        }
    }

    /// Waits for a permit and takes it.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            sem: self,
            key: None,
        }
    }

    /// Gives a permit back and wakes the first waiter.
    pub fn release(&self) {
        let mut st = self.state.lock().unwrap();
        st.permits += 1;
        st.gave_back();
        if let Some((_, w, _)) = st.waiters.front() {
            w.wake_by_ref();
        }
    }
}

/// The future of [`Semaphore::acquire`].
pub struct Acquire<'a> {
    sem: &'a Semaphore,
    key: Option<u64>,
}

impl Future for Acquire<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut st = this.sem.state.lock().unwrap();
        // First in line (or nobody in line): take a free permit.
        let first = match this.key {
            Some(k) => st.waiters.front().is_some_and(|(key, _, _)| *key == k),
            None => st.waiters.is_empty(),
        };
        if first && st.permits > 0 {
            st.permits -= 1;
            st.took();
            if this.key.take().is_some() {
                st.waiters.pop_front();
            }
            // More permits may be free: let the next in line try too.
            if st.permits > 0 {
                if let Some((_, w, _)) = st.waiters.front() {
                    w.wake_by_ref();
                }
            }
            return Poll::Ready(());
        }
        match this.key {
            Some(k) => {
                if let Some((_, w, _)) = st.waiters.iter_mut().find(|(key, _, _)| *key == k) {
                    *w = cx.waker().clone();
                }
            }
            None => {
                let k = st.next_key;
                st.next_key += 1;
                st.waiters.push_back((k, cx.waker().clone(), current_gid()));
                this.key = Some(k);
            }
        }
        set_wait(this.sem.wait_kind, this.sem.id);
        Poll::Pending
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let Some(k) = self.key {
            let mut st = self.sem.state.lock().unwrap();
            let was_first = st.waiters.front().is_some_and(|(key, _, _)| *key == k);
            st.waiters.retain(|(key, _, _)| *key != k);
            // Pass a pending wake-up on, so a permit is not stranded.
            if was_first && st.permits > 0 {
                if let Some((_, w, _)) = st.waiters.front() {
                    w.wake_by_ref();
                }
            }
        }
    }
}
