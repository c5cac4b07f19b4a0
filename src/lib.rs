//! Worker Pool Playground: the Go worker-pool guide, run for real.
//!
//! The core knows nothing about the browser; it builds and tests natively. One module,
//! `bindings` (only on `wasm32`), turns it into a wasm API for the page's driver worker.
//!
//! # Modules, in Go's vocabulary
//!
//! - [`runtime`]: goroutines on an M:N scheduler: `go`, `NumGoroutine`, `GOMAXPROCS`, deadlock
//!   and leak detection, deterministic mode.
//! - [`chan`]: channels and `select`.
//! - [`sync`]: `WaitGroup`, `Mutex`, `Once`, a counting semaphore.
//! - [`context`]: cancellation and deadlines.
//! - [`time`]: `Sleep`, `After`, `Now` on runtime time (real, scaled or virtual).
//! - [`metrics`]: heap bytes, time series and the event log.
//! - [`workload`]: the guide's `doWork`; [`params`]: input validation; [`speed`]: the speed check.
//!
//! The examples in these docs run natively (`cargo test --doc`). Each is marked `ignore-wasm32`:
//! a wasm32 test run (`wasm-pack test`) cross-compiles doctests too (Rust 1.89 and later), and
//! there they did not build ("the crate `panic_abort` does not have the panic strategy `abort`":
//! rustdoc builds them for aborting panics, the wasm std unwinds). The browser tests are
//! `tests/web.rs`.
#![deny(missing_docs)]
// `#[thread_local]` statics (`tls.rs`): the pinned nightly builds the wasm packages anyway.
#![cfg_attr(target_arch = "wasm32", feature(thread_local))]

mod tls;

pub mod bench;
pub mod chan;
pub mod context;
pub mod json;
pub mod metrics;
pub mod params;
pub mod pool;
mod primitives;
pub mod runtime;
pub mod scenario;
pub mod speed;
#[cfg(not(target_arch = "wasm32"))]
pub mod stress;
pub mod sync;
pub mod time;
pub mod workload;

#[cfg(target_arch = "wasm32")]
mod bindings;

/// Counts every allocation, so runs can report live heap bytes like Go's `MemStats`.
#[global_allocator]
static ALLOC: metrics::alloc::CountingAlloc = metrics::alloc::CountingAlloc;
