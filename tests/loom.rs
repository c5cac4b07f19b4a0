//! Model checking of the channel and WaitGroup cores with loom: every interleaving of the
//! threads below (up to loom's preemption bound) keeps the invariants.
//!
//! `RUSTFLAGS="--cfg loom" cargo test --release --test loom` (scripts/test.sh runs it). Without
//! `--cfg loom` this file is empty: loom's types replace std's only under that flag
//! (`src/primitives.rs`).
#![cfg(loom)]

use std::{
    future::Future,
    pin::pin,
    task::{Context, Poll, Waker},
};

use loom::{sync::Arc, thread};
use worker_pool_playground::{chan::Chan, sync::WaitGroup};

/// Polls `f` to completion, yielding to the other modelled threads while it is pending.
fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        thread::yield_now();
    }
}

fn model(f: impl Fn() + Sync + Send + 'static) {
    let mut b = loom::model::Builder::new();
    b.preemption_bound = Some(3);
    b.check(f);
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

/// Two Done calls on two threads release a waiter on a third: no lost wake-up, and a third
/// Done is Go's negative-counter error.
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
        block_on(wg.wait());
        for t in ts {
            t.join().unwrap();
        }
        assert_eq!(wg.count(), 0);
        assert!(wg.done().is_err());
    });
}
