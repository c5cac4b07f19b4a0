//! Tests copied from Go and rewritten in Rust on this crate's runtime.
//!
//! Each test names the file of github.com/golang/go it follows (the bodies live in
//! `tests/common/`, so the browser runs them too).

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
    common::go_daisy_chain(10_000);
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
