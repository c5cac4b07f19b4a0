//! Worker Pool Playground: the Go worker-pool guide, run for real.
//!
//! The core knows nothing about the browser; it builds and tests natively. One module,
//! [`bindings`](crate) (only on `wasm32`), turns it into a wasm API for the page's driver worker.
//!
//! # Modules
//!
//! - [`workload`]: the guide's `doWork` and sleeps.
//! - [`params`]: validation of JSON parameters with clear messages.
//! - [`speed`]: one thread versus all threads on `doWork`.
#![deny(missing_docs)]

pub mod params;
pub mod speed;
pub mod workload;

#[cfg(target_arch = "wasm32")]
mod bindings;
