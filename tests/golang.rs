//! Tests copied from Go and rewritten in Rust on this crate's runtime.
//!
//! Each test names the file of github.com/golang/go it follows (the bodies live in
//! `tests/common/`, so the browser runs them too). The `sync`, `context` and
//! `runtime/chan_test.go` ports follow go1.19, the Go this machine runs, and say where they
//! differ from it.

mod common;

/// https://github.com/golang/go/blob/master/test/chan/fifo.go (AsynchFifo)
#[test]
fn fifo_asynch() {
    common::go_fifo_asynch();
}

/// https://github.com/golang/go/blob/master/test/chan/fifo.go (SynchFifo)
#[test]
fn fifo_synch() {
    common::go_fifo_synch();
}

/// https://github.com/golang/go/blob/master/test/chan/goroutines.go (10,000 goroutines)
#[test]
fn daisy_chain() {
    common::go_daisy_chain(common::miri_or(10_000, 100));
}

/// https://github.com/golang/go/blob/master/test/chan/sieve1.go
#[test]
fn sieve() {
    common::go_sieve();
}

/// https://github.com/golang/go/blob/master/test/chan/nonblock.go
#[test]
fn nonblock() {
    common::go_nonblock();
}

/// https://github.com/golang/go/blob/master/test/closedchan.go
#[test]
fn closed_chan() {
    common::go_closed_chan();
}

/// https://github.com/golang/go/blob/master/test/chan/select5.go and the spec's "uniform
/// pseudo-random selection"
#[test]
fn select_fairness() {
    common::select_is_fair();
}

/// https://github.com/golang/go/blob/go1.19/src/sync/waitgroup_test.go (TestWaitGroup)
#[test]
fn wait_group() {
    common::golang::wait_group();
}

/// https://github.com/golang/go/blob/go1.19/src/sync/waitgroup_test.go (TestWaitGroupMisuse)
#[test]
fn wait_group_misuse() {
    common::golang::wait_group_misuse();
}

/// https://github.com/golang/go/blob/go1.19/src/sync/waitgroup_test.go (TestWaitGroupRace)
#[test]
fn wait_group_race() {
    common::golang::wait_group_race();
}

/// https://github.com/golang/go/blob/go1.19/src/sync/mutex_test.go (TestMutex, HammerMutex)
#[test]
fn mutex() {
    common::golang::mutex();
}

/// https://github.com/golang/go/blob/go1.19/src/sync/once_test.go (TestOnce)
#[test]
fn once() {
    common::golang::once();
}

/// https://github.com/golang/go/blob/go1.19/src/sync/once_test.go (TestOncePanic)
#[test]
fn once_panic() {
    common::golang::once_panic();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go (XTestWithCancel)
#[test]
fn context_with_cancel() {
    common::golang::with_cancel();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go (XTestParentFinishesChild)
#[test]
fn context_parent_finishes_child() {
    common::golang::parent_finishes_child();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go (XTestChildFinishesFirst)
#[test]
fn context_child_finishes_first() {
    common::golang::child_finishes_first();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go (XTestDeadline)
#[test]
fn context_deadline() {
    common::golang::deadline();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go (XTestTimeout,
/// XTestCanceledTimeout)
#[test]
fn context_timeout() {
    common::golang::timeout();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go (XTestCancelRemoves)
#[test]
fn context_cancel_removes() {
    common::golang::cancel_removes();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go (XTestSimultaneousCancels)
#[test]
fn context_simultaneous_cancels() {
    common::golang::simultaneous_cancels();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go (XTestInterlockedCancels)
#[test]
fn context_interlocked_cancels() {
    common::golang::interlocked_cancels();
}

/// https://github.com/golang/go/blob/go1.19/src/context/context_test.go
/// (XTestWithCancelCanceledParent)
#[test]
fn context_with_cancel_canceled_parent() {
    common::golang::with_cancel_canceled_parent();
}

/// https://github.com/golang/go/blob/go1.19/src/runtime/chan_test.go (TestChan), on virtual time
#[test]
fn chan_virtual_time() {
    common::golang::chan_virtual();
}

/// https://github.com/golang/go/blob/go1.19/src/runtime/chan_test.go (TestChan), on two threads
#[test]
fn chan_two_threads() {
    common::golang::chan_threads();
}

/// https://github.com/golang/go/blob/go1.19/src/runtime/chan_test.go (TestNonblockRecvRace)
#[test]
fn nonblock_recv_race() {
    common::golang::nonblock_recv_race();
}

/// https://github.com/golang/go/blob/go1.19/src/runtime/chan_test.go (TestSelfSelect)
#[test]
fn self_select() {
    common::golang::self_select();
}
