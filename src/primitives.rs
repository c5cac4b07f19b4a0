//! The synchronization primitives of the channel, WaitGroup and context cores: std's, or loom's
//! when the cores are model-checked (`RUSTFLAGS="--cfg loom" cargo test --release --test loom`).
//! Only these cores switch; the scheduler is tested by running it, and its park/unpark protocol
//! is modelled in tests/loom.rs.

#[cfg(not(loom))]
pub(crate) use std::sync::{
    atomic::{AtomicI64, AtomicUsize},
    Arc, Mutex, MutexGuard,
};

#[cfg(loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicI64, AtomicUsize},
    Arc, Mutex, MutexGuard,
};
