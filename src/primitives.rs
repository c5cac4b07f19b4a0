//! The synchronization primitives of the channel and WaitGroup cores: std's, or loom's when
//! the cores are model-checked (`RUSTFLAGS="--cfg loom" cargo test --release --test loom`).
//! Only these two cores switch; the scheduler is tested by running it, not modelled.

#[cfg(not(loom))]
pub(crate) use std::sync::{atomic::AtomicUsize, Arc, Mutex, MutexGuard};

#[cfg(loom)]
pub(crate) use loom::sync::{atomic::AtomicUsize, Arc, Mutex, MutexGuard};
