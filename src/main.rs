//! `worker-pool-playground`: the guide's programs from the command line.
//!
//! ```text
//! cargo run --release -- list
//! cargo run --release -- run <scenario> [--variant v] [--key value …] [--json] [--verbose]
//! cargo run --release -- bench [--json] [--small]
//! ```

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::main(std::env::args().skip(1).collect()));
}

#[cfg(target_arch = "wasm32")]
fn main() {}
