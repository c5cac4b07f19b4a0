//! Go's own tests of `sync`, `context` and `runtime/chan_test.go`, rewritten on this crate.
//!
//! Each body cites the function of golang/go (go1.19, the Go this machine runs) it follows and
//! says where it differs. Tests about time run on virtual time ([`super::on_virtual_time`]): Go's
//! `time.Sleep(time.Millisecond)` "to let the goroutines block" becomes exact there, because
//! virtual time moves only once every goroutine has blocked.

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicBool, AtomicU32, Ordering},
        Arc,
    },
    time::Duration,
};

use worker_pool_playground::{
    chan::{Chan, Select, TryRecvError, TrySendError},
    context::{self, ContextError},
    runtime::{go, recover},
    sync::{Mutex, Once, WaitGroup},
    time,
};

use super::{miri_or, on_virtual_time, run_checked, runtime};

/// Fails unless `ch` is closed and drained right now (`select { case <-ch: default: t.Error }`).
fn assert_done(ch: &Chan<()>, what: &str) {
    assert_eq!(
        ch.try_recv(),
        Err(TryRecvError::Closed),
        "<-{what}.Done() blocked"
    );
}

/// Fails unless a receive on `ch` would block right now.
fn assert_not_done(ch: &Chan<()>, what: &str) {
    assert_eq!(
        ch.try_recv(),
        Err(TryRecvError::Empty),
        "<-{what}.Done() did not block"
    );
}

// ---- sync ----------------------------------------------------------------------------------

/// go1.19 src/sync/waitgroup_test.go, TestWaitGroup: 16 goroutines pass one WaitGroup (a
/// barrier) and wait on another; none may leave before the last Done; the same two
/// WaitGroups are reused 8 times.
pub fn wait_group() {
    run_checked(
        &runtime(2),
        async {
            let (wg1, wg2) = (WaitGroup::new(), WaitGroup::new());
            for _ in 0..8 {
                const N: i64 = 16;
                wg1.add(N).unwrap();
                wg2.add(N).unwrap();
                let exited: Chan<bool> = Chan::new(N as usize);
                for _ in 0..N {
                    let (wg1, wg2, exited) = (wg1.clone(), wg2.clone(), exited.clone());
                    go(async move {
                        wg1.done().unwrap();
                        wg2.wait().await;
                        exited.send(true).await.unwrap();
                    });
                }
                wg1.wait().await;
                for _ in 0..N {
                    assert!(
                        exited.try_recv().is_err(),
                        "WaitGroup released group too soon"
                    );
                    wg2.done().unwrap();
                }
                for _ in 0..N {
                    exited.recv().await; // blocks if the barrier fails to release someone
                }
            }
        },
        "wait_group",
    );
}

/// go1.19 src/sync/waitgroup_test.go, TestWaitGroupMisuse: one Done too many is Go's
/// "sync: negative WaitGroup counter". `done()` returns it as an error; `defer wg.Done()`
/// (the guard) panics with it, as Go's Done does.
pub fn wait_group_misuse() {
    on_virtual_time(1, || async {
        let wg = WaitGroup::new();
        wg.add(1).unwrap();
        wg.done().unwrap();
        assert_eq!(
            wg.done().unwrap_err().to_string(),
            "sync: negative WaitGroup counter"
        );
        let wg2 = wg.clone();
        let r = recover(async move {
            let _d = wg2.defer_done();
        })
        .await;
        assert_eq!(r, Err("sync: negative WaitGroup counter".to_string()));
        assert_eq!(wg.count(), 0, "a refused Done leaves the counter alone");
    });
}

/// go1.19 src/sync/waitgroup_test.go, TestWaitGroupRace: Wait returns only after both Dones
/// (no spurious wake-up), 1000 times, on two threads.
pub fn wait_group_race() {
    run_checked(
        &runtime(2),
        async {
            for _ in 0..miri_or(1000, 20) {
                let wg = WaitGroup::new();
                let n = Arc::new(AtomicU32::new(0));
                for _ in 0..2 {
                    wg.add(1).unwrap();
                    let (wg, n) = (wg.clone(), n.clone());
                    go(async move {
                        n.fetch_add(1, Ordering::SeqCst);
                        wg.done().unwrap();
                    });
                }
                wg.wait().await;
                assert_eq!(n.load(Ordering::SeqCst), 2, "Spurious wakeup from Wait");
            }
        },
        "wait_group_race",
    );
}

/// go1.19 src/sync/mutex_test.go, TestMutex with HammerMutex: TryLock fails while locked and
/// succeeds when not; 10 goroutines lock and unlock 1000 times each (every third a TryLock).
/// Added here: a check that nobody else is inside while one holds the lock (Go's test only
/// looks for crashes and hangs).
pub fn mutex() {
    run_checked(
        &runtime(2),
        async {
            let m = Arc::new(Mutex::new(0u32));
            {
                let _g = m.lock().await;
                assert!(
                    m.try_lock().is_none(),
                    "TryLock succeeded with mutex locked"
                );
            }
            assert!(m.try_lock().is_some(), "TryLock failed with mutex unlocked");
            let inside = Arc::new(AtomicU32::new(0));
            let c: Chan<bool> = Chan::new(0);
            for _ in 0..10 {
                let (m, inside, c) = (m.clone(), inside.clone(), c.clone());
                go(async move {
                    for i in 0..miri_or(1000, 30) {
                        let guard = if i % 3 == 0 {
                            m.try_lock()
                        } else {
                            Some(m.lock().await)
                        };
                        if let Some(mut g) = guard {
                            assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "two holders");
                            *g += 1;
                            worker_pool_playground::runtime::yield_now().await;
                            inside.fetch_sub(1, Ordering::SeqCst);
                        }
                    }
                    c.send(true).await.unwrap();
                });
            }
            for _ in 0..10 {
                c.recv().await;
            }
            assert!(
                *m.lock().await >= 10 * (miri_or(1000, 30) - miri_or(334, 10)),
                "every Lock got in"
            );
        },
        "mutex",
    );
}

/// go1.19 src/sync/once_test.go, TestOnce: ten goroutines call Do; the function runs once and
/// each caller sees its effect when Do returns.
pub fn once() {
    run_checked(
        &runtime(2),
        async {
            let once = Arc::new(Once::new());
            let o = Arc::new(AtomicU32::new(0));
            let c: Chan<bool> = Chan::new(0);
            for _ in 0..10 {
                let (once, o, c) = (once.clone(), o.clone(), c.clone());
                go(async move {
                    once.do_once(|| {
                        o.fetch_add(1, Ordering::SeqCst);
                    });
                    assert_eq!(o.load(Ordering::SeqCst), 1, "once failed inside run");
                    c.send(true).await.unwrap();
                });
            }
            for _ in 0..10 {
                c.recv().await;
            }
            assert_eq!(o.load(Ordering::SeqCst), 1, "once failed outside run");
        },
        "once",
    );
}

/// go1.19 src/sync/once_test.go, TestOncePanic: a panic in the function counts as its return;
/// the next Do does not call it again.
pub fn once_panic() {
    on_virtual_time(1, || async {
        let once = Arc::new(Once::new());
        let o = once.clone();
        let r = recover(async move { o.do_once(|| panic!("failed")) }).await;
        assert_eq!(r, Err("failed".to_string()), "Once.Do did not panic");
        once.do_once(|| panic!("Once.Do called twice"));
        assert!(once.is_done());
    });
}

// ---- context -------------------------------------------------------------------------------

/// A very long duration, as Go's tests use for timers that must not fire.
const VERY_LONG: Duration = Duration::from_secs(40_000);
/// Go's `shortDuration`.
const SHORT: Duration = Duration::from_millis(1);

/// go1.19 src/context/context_test.go, XTestWithCancel: a child of a cancelable context is
/// live until the cancel, and the cancel reaches both synchronously. (Go's `otherContext`
/// wrapper has no counterpart: this crate has one context type.)
pub fn with_cancel() {
    on_virtual_time(1, || async {
        let (c1, cancel) = context::with_cancel(&context::background());
        let (c2, _c) = context::with_cancel(&c1);
        for (c, name) in [(&c1, "c1"), (&c2, "c2")] {
            assert_eq!(c.err(), None, "{name}");
            assert_not_done(c.done(), name);
        }
        cancel.cancel(); // should propagate synchronously
        for (c, name) in [(&c1, "c1"), (&c2, "c2")] {
            assert_done(c.done(), name);
            assert_eq!(c.err(), Some(ContextError::Canceled), "{name}");
        }
    });
}

/// go1.19 src/context/context_test.go, XTestParentFinishesChild: the parent lists its two
/// cancelable children, and its cancel finishes both and empties the list; a child derived
/// from the cancelled parent is done at once. (No `WithValue` here: the crate has no values.)
pub fn parent_finishes_child() {
    on_virtual_time(1, || async {
        let (parent, cancel) = context::with_cancel(&context::background());
        let (cancel_child, _stop) = context::with_cancel(&parent);
        let (timer_child, _stop2) = context::with_timeout(&parent, VERY_LONG);
        for (c, name) in [
            (&parent, "parent"),
            (&cancel_child, "cancelChild"),
            (&timer_child, "timerChild"),
        ] {
            assert_not_done(c.done(), name);
        }
        assert_eq!(parent.num_children(), 2, "bad linkage");
        cancel.cancel();
        assert_eq!(
            parent.num_children(),
            0,
            "pc.cancel didn't clear pc.children"
        );
        for (c, name) in [
            (&parent, "parent"),
            (&cancel_child, "cancelChild"),
            (&timer_child, "timerChild"),
        ] {
            assert_done(c.done(), name);
            assert_eq!(c.err(), Some(ContextError::Canceled), "{name}");
        }
        let (precanceled, _c) = context::with_cancel(&parent);
        assert_done(precanceled.done(), "precanceledChild");
        assert_eq!(precanceled.err(), Some(ContextError::Canceled));
    });
}

/// go1.19 src/context/context_test.go, XTestChildFinishesFirst: a child cancelled first leaves
/// its parent's list and the parent stays live; Background keeps no list at all.
pub fn child_finishes_first() {
    on_virtual_time(1, || async {
        let (cancelable, _stop) = context::with_cancel(&context::background());
        for (parent, tracks) in [(context::background(), false), (cancelable, true)] {
            let (child, cancel) = context::with_cancel(&parent);
            assert_not_done(parent.done(), "parent");
            assert_not_done(child.done(), "child");
            assert_eq!(parent.num_children(), usize::from(tracks), "bad linkage");
            cancel.cancel();
            assert_eq!(
                parent.num_children(),
                0,
                "child's cancel didn't remove self from pc.children"
            );
            assert_done(child.done(), "child");
            assert_eq!(child.err(), Some(ContextError::Canceled));
            assert_not_done(parent.done(), "parent");
            assert_eq!(parent.err(), None);
        }
    });
}

/// go1.19 src/context/context_test.go, XTestDeadline, on virtual time: a deadline in the
/// future, in a chain, in the past and now all end in "context deadline exceeded".
pub fn deadline() {
    on_virtual_time(2, || async {
        let bg = context::background();
        let check = |c: context::Context, name: &'static str| async move {
            let mut sel = Select::new();
            let done = sel.recv(c.done());
            sel.recv(&time::after(Duration::from_secs(1))); // Go's `quiescent(t)`
            assert_eq!(
                sel.wait().await,
                done.index(),
                "{name}: context not timed out"
            );
            assert_eq!(c.err(), Some(ContextError::DeadlineExceeded), "{name}");
        };
        let (c, _x) = context::with_deadline(&bg, time::now() + SHORT);
        check(c, "WithDeadline").await;
        let (c, _x) = context::with_deadline(&bg, time::now() + SHORT);
        let (c, _y) = context::with_deadline(&c, time::now() + VERY_LONG);
        check(c, "WithDeadline+WithDeadline").await;
        time::sleep(SHORT).await;
        let (c, _x) = context::with_deadline(&bg, time::now() - SHORT);
        assert_eq!(
            c.err(),
            Some(ContextError::DeadlineExceeded),
            "in the past: at once"
        );
        check(c, "WithDeadline+inthepast").await;
        let (c, _x) = context::with_deadline(&bg, time::now());
        check(c, "WithDeadline+now").await;
    });
}

/// go1.19 src/context/context_test.go, XTestTimeout and XTestCanceledTimeout, on virtual time:
/// a timeout fires at its time, not before; a cancel before it wins, synchronously.
pub fn timeout() {
    on_virtual_time(2, || async {
        let bg = context::background();
        let start = time::now();
        let (c, _x) = context::with_timeout(&bg, Duration::from_millis(50));
        let (c2, _y) = context::with_timeout(&c, VERY_LONG);
        c2.done().recv().await;
        assert_eq!(
            time::since(start),
            Duration::from_millis(50),
            "fired on time"
        );
        assert_eq!(c2.err(), Some(ContextError::DeadlineExceeded));
        // XTestCanceledTimeout
        let (c, _x) = context::with_timeout(&bg, Duration::from_secs(1));
        let (c, cancel) = context::with_timeout(&c, VERY_LONG);
        cancel.cancel(); // should propagate synchronously
        assert_done(c.done(), "c");
        assert_eq!(c.err(), Some(ContextError::Canceled));
    });
}

/// go1.19 src/context/context_test.go, XTestCancelRemoves: cancelling a child (WithCancel or
/// WithTimeout) removes it from its parent.
pub fn cancel_removes() {
    on_virtual_time(1, || async {
        let (ctx, _c) = context::with_cancel(&context::background());
        assert_eq!(ctx.num_children(), 0, "after creation");
        let (_child, cancel) = context::with_cancel(&ctx);
        assert_eq!(ctx.num_children(), 1, "with WithCancel child");
        cancel.cancel();
        assert_eq!(ctx.num_children(), 0, "after canceling WithCancel child");
        let (_child, cancel) = context::with_timeout(&ctx, Duration::from_secs(3600));
        assert_eq!(ctx.num_children(), 1, "with WithTimeout child");
        cancel.cancel();
        assert_eq!(ctx.num_children(), 0, "after canceling WithTimeout child");
        // Added: a child whose deadline passes leaves too.
        let (child, _c) = context::with_timeout(&ctx, SHORT);
        child.done().recv().await;
        assert_eq!(
            ctx.num_children(),
            0,
            "after the WithTimeout child timed out"
        );
    });
}

/// go1.19 src/context/context_test.go, XTestSimultaneousCancels, on two threads: a tree of
/// about 100 contexts cancelled by 100 goroutines in any order; every Done closes and every
/// cancel returns.
pub fn simultaneous_cancels() {
    run_checked(
        &runtime(2),
        async {
            let (root, cancel) = context::with_cancel(&context::background());
            let mut all = vec![(root.clone(), cancel)];
            let mut queue = std::collections::VecDeque::from([root]);
            while let Some(parent) = queue.pop_front() {
                if all.len() >= 100 {
                    break;
                }
                for _ in 0..4 {
                    let (c, cancel) = context::with_cancel(&parent);
                    all.push((c.clone(), cancel));
                    queue.push_back(c);
                }
            }
            let wg = WaitGroup::new();
            for (_, cancel) in &all {
                wg.add(1).unwrap();
                let (cancel, wg) = (cancel.clone(), wg.clone());
                go(async move {
                    cancel.cancel();
                    wg.done().unwrap();
                });
            }
            for (ctx, _) in &all {
                ctx.done().recv().await;
            }
            wg.wait().await;
        },
        "simultaneous_cancels",
    );
}

/// go1.19 src/context/context_test.go, XTestInterlockedCancels: a goroutine cancels the child
/// as soon as the parent is done, while the parent's cancel is cancelling that child.
pub fn interlocked_cancels() {
    run_checked(
        &runtime(2),
        async {
            for _ in 0..100 {
                let (parent, cancel_parent) = context::with_cancel(&context::background());
                let (child, cancel_child) = context::with_cancel(&parent);
                go(async move {
                    parent.done().recv().await;
                    cancel_child.cancel();
                });
                cancel_parent.cancel();
                child.done().recv().await;
            }
        },
        "interlocked_cancels",
    );
}

/// go1.19 src/context/context_test.go, XTestWithCancelCanceledParent: a child of a cancelled
/// parent is done upon construction.
pub fn with_cancel_canceled_parent() {
    on_virtual_time(1, || async {
        let (parent, pcancel) = context::with_cancel(&context::background());
        pcancel.cancel();
        let (c, _c) = context::with_cancel(&parent);
        assert_done(c.done(), "child");
        assert_eq!(c.err(), Some(ContextError::Canceled));
    });
}

// ---- runtime/chan_test.go ------------------------------------------------------------------

/// go1.19 src/runtime/chan_test.go, TestChan, with N = 20 as `go test -short` runs it: for
/// each capacity, receives from an empty channel and sends to a full one block (and their
/// non-blocking forms do not), a closed channel drains then yields zero values, close wakes a
/// receiver, values arrive in FIFO order and none is lost or duplicated with 4 senders and 4
/// receivers, and len/cap are right. Go sleeps 1 ms to let goroutines block; on virtual time
/// that sleep ends only once they all have.
pub async fn chan_body(n: usize) {
    for cap in 0..n {
        {
            // Receive from an empty channel blocks.
            let c: Chan<i32> = Chan::new(cap);
            let recv = Arc::new(AtomicU32::new(0));
            for _ in 0..2 {
                let (c, recv) = (c.clone(), recv.clone());
                go(async move {
                    c.recv().await;
                    recv.fetch_add(1, Ordering::SeqCst);
                });
            }
            time::sleep(Duration::from_millis(1)).await;
            assert_eq!(
                recv.load(Ordering::SeqCst),
                0,
                "chan[{cap}]: receive from empty chan"
            );
            assert_eq!(
                c.try_recv(),
                Err(TryRecvError::Empty),
                "chan[{cap}]: receive from empty chan"
            );
            let mut sel = Select::new();
            sel.recv(&c);
            assert_eq!(
                sel.try_select(),
                None,
                "chan[{cap}]: receive from empty chan"
            );
            drop(sel);
            c.send(0).await.unwrap();
            c.send(0).await.unwrap();
        }
        {
            // Send to a full channel blocks.
            let c: Chan<i32> = Chan::new(cap);
            for i in 0..cap {
                c.send(i as i32).await.unwrap();
            }
            let sent = Arc::new(AtomicBool::new(false));
            let (c2, s2) = (c.clone(), sent.clone());
            go(async move {
                c2.send(0).await.unwrap();
                s2.store(true, Ordering::SeqCst);
            });
            time::sleep(Duration::from_millis(1)).await;
            assert!(
                !sent.load(Ordering::SeqCst),
                "chan[{cap}]: send to full chan"
            );
            assert!(
                matches!(c.try_send(0), Err(TrySendError::Full(0))),
                "chan[{cap}]: send to full chan"
            );
            let mut sel = Select::new();
            sel.send(&c, 0);
            assert_eq!(sel.try_select(), None, "chan[{cap}]: send to full chan");
            drop(sel);
            c.recv().await;
        }
        {
            // Receive zero values from a closed channel, after its buffer.
            let c: Chan<i32> = Chan::new(cap);
            for i in 0..cap {
                c.send(i as i32).await.unwrap();
            }
            c.close().unwrap();
            for i in 0..cap {
                assert_eq!(c.recv().await, Some(i as i32), "chan[{cap}]");
            }
            assert_eq!(c.recv().await, None, "chan[{cap}]: v, ok = 0, false");
            assert_eq!(c.recv().await, None, "chan[{cap}]: again");
        }
        {
            // Close unblocks a receive.
            let c: Chan<i32> = Chan::new(cap);
            let done: Chan<bool> = Chan::new(0);
            let (c2, d2) = (c.clone(), done.clone());
            go(async move {
                let v = c2.recv().await;
                d2.send(v.is_none()).await.unwrap();
            });
            time::sleep(Duration::from_millis(1)).await;
            c.close().unwrap();
            assert_eq!(
                done.recv().await,
                Some(true),
                "chan[{cap}]: received non zero from closed chan"
            );
        }
        {
            // 100 integers in FIFO order, twice.
            let c: Chan<i32> = Chan::new(cap);
            for _ in 0..2 {
                let c2 = c.clone();
                go(async move {
                    for i in 0..100 {
                        c2.send(i).await.unwrap();
                    }
                });
                for i in 0..100 {
                    assert_eq!(c.recv().await, Some(i), "chan[{cap}]");
                }
            }
            // 4 senders × 1000 integers, 4 receivers: each value arrives 4 times.
            const P: usize = 4;
            const L: i32 = miri_or(1000, 50) as i32;
            for _ in 0..P {
                let c2 = c.clone();
                go(async move {
                    for i in 0..L {
                        c2.send(i).await.unwrap();
                    }
                });
            }
            let done: Chan<HashMap<i32, usize>> = Chan::new(0);
            for _ in 0..P {
                let (c2, d2) = (c.clone(), done.clone());
                go(async move {
                    let mut recv = HashMap::new();
                    for _ in 0..L {
                        *recv.entry(c2.recv().await.unwrap()).or_insert(0) += 1;
                    }
                    d2.send(recv).await.unwrap();
                });
            }
            let mut recv: HashMap<i32, usize> = HashMap::new();
            for _ in 0..P {
                for (k, v) in done.recv().await.unwrap() {
                    *recv.entry(k).or_insert(0) += v;
                }
            }
            assert_eq!(recv.len(), L as usize, "chan[{cap}]: received values");
            assert!(
                recv.values().all(|&v| v == P),
                "chan[{cap}]: each value {P} times"
            );
        }
        {
            // len and cap.
            let c: Chan<i32> = Chan::new(cap);
            assert_eq!((c.len(), c.cap()), (0, cap), "chan[{cap}]: bad len/cap");
            for i in 0..cap {
                c.send(i as i32).await.unwrap();
            }
            assert_eq!((c.len(), c.cap()), (cap, cap), "chan[{cap}]: bad len/cap");
        }
    }
}

/// TestChan on virtual time, two seeds.
pub fn chan_virtual() {
    on_virtual_time(2, || chan_body(miri_or(20, 3) as usize));
}

/// TestChan on two threads.
pub fn chan_threads() {
    run_checked(&runtime(2), chan_body(miri_or(20, 3) as usize), "TestChan");
}

/// go1.19 src/runtime/chan_test.go, TestNonblockRecvRace, 1000 rounds (Go: 10,000; 100 with
/// `-short`): a buffered channel holding a value and then closed is always ready for a
/// non-blocking receive, on whichever thread it races the close. Added: every goroutine is
/// waited for, so none of their verdicts is lost at the end.
pub fn nonblock_recv_race() {
    run_checked(
        &runtime(2),
        async {
            let failed = Arc::new(AtomicU32::new(0));
            let wg = WaitGroup::new();
            for _ in 0..miri_or(1000, 20) {
                let c: Chan<i32> = Chan::new(1);
                c.send(1).await.unwrap();
                wg.add(1).unwrap();
                let (c2, f, wg2) = (c.clone(), failed.clone(), wg.clone());
                go(async move {
                    let _d = wg2.defer_done();
                    let mut sel = Select::new();
                    sel.recv(&c2);
                    if sel.try_select().is_none() {
                        f.fetch_add(1, Ordering::SeqCst); // "chan is not ready"
                    }
                });
                c.close().unwrap();
                c.recv().await;
            }
            wg.wait().await;
            assert_eq!(failed.load(Ordering::SeqCst), 0, "chan is not ready");
        },
        "nonblock_recv_race",
    );
}

/// go1.19 src/runtime/chan_test.go, TestSelfSelect: two goroutines select a send and a receive
/// on the same channel, 1000 times each; no crash, no deadlock, and on an unbuffered channel
/// no goroutine receives its own value.
pub fn self_select() {
    run_checked(
        &runtime(2),
        async {
            for cap in [0usize, 10] {
                let wg = WaitGroup::new();
                wg.add(2).unwrap();
                let c: Chan<usize> = Chan::new(cap);
                for p in 0..2usize {
                    let (wg, c) = (wg.clone(), c.clone());
                    go(async move {
                        let _d = wg.defer_done();
                        for i in 0..miri_or(1000, 20) {
                            let mut sel = Select::new();
                            let (send, recv) = if p == 0 || i % 2 == 0 {
                                let s = sel.send(&c, p);
                                (s, sel.recv(&c))
                            } else {
                                let r = sel.recv(&c);
                                (sel.send(&c, p), r)
                            };
                            if sel.wait().await == recv.index() {
                                let v = sel.recv_value(recv);
                                assert!(!(cap == 0 && v == Some(p)), "self receive");
                            } else {
                                assert!(sel.send_result(send).is_ok());
                            }
                        }
                    });
                }
                wg.wait().await;
            }
        },
        "self_select",
    );
}
