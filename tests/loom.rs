//! Model checking of the channel, WaitGroup and context cores with loom: every interleaving of
//! the threads below (up to loom's preemption bound) keeps the invariants.
//!
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom` (scripts/test.sh runs it). Without
//! `--cfg loom` this file is empty: loom's types replace std's only under that flag
//! (`src/primitives.rs`).
//!
//! A goroutine that returns `Pending` is polled again only when its waker runs, so the models
//! park too: `loom::future::block_on` parks the modelled thread until the waker unparks it, and
//! [`Runner`] parks as the runtime's runner threads do. A lost wake-up is then a thread parked
//! forever, which loom reports as a deadlock. (An earlier `block_on` re-polled in a loop with a
//! no-op waker, and a WaitGroup that re-checks its counter on every poll passed with the bug.)
#![cfg(loom)]

use std::{
    future::Future,
    pin::pin,
    task::{Context as TaskContext, Poll, Wake, Waker},
};

use loom::{
    future::block_on,
    sync::{Arc, Condvar, Mutex},
    thread,
};
use worker_pool_playground::{
    chan::Chan,
    context::{self, ContextError},
    sync::WaitGroup,
};

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    b.check(f);
}

/// The runtime's park/unpark protocol for one goroutine, as `runtime/scheduler.rs` has it: a
/// wake marks the goroutine runnable under the queue lock and notifies the condvar only if the
/// runner has parked; the runner re-checks the queue under the same lock before it parks. The
/// runtime's runner also wakes every 50 ms on its own, which would hide a lost wake-up; this
/// model never does.
struct Runner {
    queue: Mutex<Queue>,
    cv: Condvar,
}

#[derive(Default)]
struct Queue {
    runnable: bool,
    parked: bool,
}

impl Wake for Runner {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        let mut q = self.queue.lock().unwrap();
        q.runnable = true;
        let parked = q.parked;
        drop(q);
        if parked {
            self.cv.notify_one();
        }
    }
}

impl Runner {
    /// Runs `f` as a goroutine on a runner of its own.
    fn run<F: Future>(f: F) -> F::Output {
        let runner = std::sync::Arc::new(Runner {
            queue: Mutex::new(Queue::default()),
            cv: Condvar::new(),
        });
        let waker = Waker::from(runner.clone());
        let mut cx = TaskContext::from_waker(&waker);
        let mut f = pin!(f);
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
            let mut q = runner.queue.lock().unwrap();
            while !q.runnable {
                q.parked = true;
                q = runner.cv.wait(q).unwrap();
                q.parked = false;
            }
            q.runnable = false;
        }
    }
}

/// An unbuffered send and a receive on two threads meet: the value arrives exactly once.
#[test]
fn rendezvous_delivers_once() {
    model(|| {
        let ch: Chan<u32> = Chan::new(0);
        let tx = ch.clone();
        let sender = thread::spawn(move || block_on(tx.send(7)).is_ok());
        let got = block_on(ch.recv());
        assert!(sender.join().unwrap());
        assert_eq!(got, Some(7));
    });
}

/// A send racing a close: the value is either received or handed back to the sender, never
/// lost and never both (Go's "send on closed channel" returns it here).
#[test]
fn send_racing_close_loses_nothing() {
    model(|| {
        let ch: Chan<u32> = Chan::new(1);
        let (tx, closer) = (ch.clone(), ch.clone());
        let sender = thread::spawn(move || block_on(tx.send(7)).err().map(|e| e.into_inner()));
        let c = thread::spawn(move || closer.close().is_ok());
        assert!(c.join().unwrap());
        let returned = sender.join().unwrap();
        let received = block_on(ch.recv());
        assert_eq!(block_on(ch.recv()), None, "closed and drained");
        match (received, returned) {
            (Some(7), None) | (None, Some(7)) => {}
            other => panic!("value lost or duplicated: {other:?}"),
        }
    });
}

/// Two Done calls on two threads release a waiter parked on a modelled runner: no lost
/// wake-up, and a third Done is Go's negative-counter error.
#[test]
fn waitgroup_releases_waiter() {
    model(|| {
        let wg = Arc::new(WaitGroup::new());
        wg.add(2).unwrap();
        let ts: Vec<_> = (0..2)
            .map(|_| {
                let wg = wg.clone();
                thread::spawn(move || wg.done().unwrap())
            })
            .collect();
        Runner::run(wg.wait());
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(wg.count(), 0);
        assert!(wg.done().is_err());
    });
}

/// A receiver parked on a modelled runner is woken by a close on another thread.
#[test]
fn close_wakes_parked_receiver() {
    model(|| {
        let ch: Chan<u32> = Chan::new(0);
        let closer = ch.clone();
        let t = thread::spawn(move || closer.close().unwrap());
        assert_eq!(Runner::run(ch.recv()), None);
        t.join().unwrap();
    });
}

/// A child derived while its parent is being cancelled ends up cancelled, whichever comes
/// first (Go's `propagateCancel` checks the parent and registers the child under one lock).
/// With the check and the registration under two lock acquisitions, loom finds the
/// interleaving where the cancel slips between them and the child stays live forever.
#[test]
fn child_derived_during_cancel_is_cancelled() {
    model(|| {
        let (parent, cancel) = context::with_cancel(&context::background());
        let p = parent.clone();
        let deriving = thread::spawn(move || context::with_cancel(&p).0);
        cancel.cancel();
        let child = deriving.join().unwrap();
        assert_eq!(child.err(), Some(ContextError::Canceled));
        assert_eq!(
            child.done().try_recv(),
            Err(worker_pool_playground::chan::TryRecvError::Closed)
        );
        assert_eq!(
            parent.num_children(),
            0,
            "a cancelled parent keeps no children"
        );
    });
}

/// A child cancelled while its parent is cancelled: both done, and the parent keeps no child.
#[test]
fn child_and_parent_cancelled_together() {
    model(|| {
        let (parent, cancel) = context::with_cancel(&context::background());
        let (child, cancel_child) = context::with_cancel(&parent);
        let t = thread::spawn(move || cancel_child.cancel());
        cancel.cancel();
        t.join().unwrap();
        assert_eq!(child.err(), Some(ContextError::Canceled));
        assert_eq!(parent.num_children(), 0);
    });
}
