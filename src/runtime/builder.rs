//! `Runtime::builder()`: GOMAXPROCS, time scale, deterministic mode, event log, sampling, and
//! where the runner threads come from.

use std::{
    fmt,
    sync::{Arc, Mutex},
    time::Duration,
};

use super::{
    clock::Clock,
    quiet_goroutine_panics,
    scheduler::{Mode, Shared},
    Runtime,
};

/// Starts a thread that runs `run` to completion; the seam where the browser plugs in Web Workers.
pub type SpawnHandler = Box<dyn FnMut(Box<dyn FnOnce() + Send>) -> Result<(), String> + Send>;

/// Builds a [`Runtime`].
pub struct RuntimeBuilder {
    threads: usize,
    scale: f64,
    virtual_time: bool,
    seed: Option<u64>,
    events: Option<usize>,
    sample_every: Duration,
    spawn: Option<SpawnHandler>,
}

impl fmt::Debug for RuntimeBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RuntimeBuilder")
            .field("threads", &self.threads)
            .field("scale", &self.scale)
            .field("virtual_time", &self.virtual_time)
            .field("seed", &self.seed)
            .finish()
    }
}

/// Why a runtime could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError(String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for BuildError {}

/// The most threads a runtime may have: far beyond any core count this runs on.
pub const MAX_THREADS: usize = 256;

impl RuntimeBuilder {
    pub(super) fn new() -> RuntimeBuilder {
        #[cfg(not(target_arch = "wasm32"))]
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        #[cfg(target_arch = "wasm32")]
        let threads = 0;
        RuntimeBuilder {
            threads,
            scale: 1.0,
            virtual_time: false,
            seed: None,
            events: None,
            sample_every: Duration::from_millis(5),
            spawn: None,
        }
    }

    /// `GOMAXPROCS`: how many threads run goroutines. 0 means none of its own: the caller pumps.
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n;
        self
    }

    /// Runtime time runs `scale` times faster than wall time (1000 × 1 s sleeps in 10 s at 100).
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.scale = scale;
        self
    }

    /// Deterministic mode: virtual time plus seeded scheduling choices, on the caller's thread.
    /// The same seed gives the same event trace, byte for byte.
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.virtual_time = true;
        self.seed = Some(seed);
        self.threads = 0;
        self
    }

    /// Keeps an event log of up to `cap` events (spawn, run, block, unblock, exit, panic,
    /// close, deadlock): what [`Runtime::trace`] is built from. Off by default: a goroutine
    /// poll then reads the clock twice more.
    pub fn record_events(mut self, cap: usize) -> Self {
        self.events = Some(cap);
        self
    }

    /// How often (runtime time) the series gets a sample at first; at most every 0.5 ms, so a
    /// run of 100 ms has 100 rows. The period doubles each time the series is thinned to stay
    /// under [`SERIES_CAP`] rows.
    pub fn sample_every(mut self, every: Duration) -> Self {
        self.sample_every = every;
        self
    }

    /// Replaces `std::thread::spawn` for the runner threads (the browser passes `rayon::spawn`).
    pub fn spawn_handler(mut self, spawn: SpawnHandler) -> Self {
        self.spawn = Some(spawn);
        self
    }

    /// Builds the runtime and starts its threads.
    ///
    /// # Errors
    ///
    /// Fails on more than [`MAX_THREADS`] threads, a time scale that is not a positive finite
    /// number, or when a thread cannot be started.
    pub fn build(mut self) -> Result<Runtime, BuildError> {
        if self.threads > MAX_THREADS {
            return Err(BuildError(format!(
                "threads must be at most {MAX_THREADS}, got {}",
                self.threads
            )));
        }
        if !(self.scale.is_finite() && self.scale > 0.0) {
            return Err(BuildError(format!(
                "time scale must be a positive number, got {}",
                self.scale
            )));
        }
        quiet_goroutine_panics();
        let clock = if self.virtual_time {
            Clock::virtual_()
        } else {
            Clock::real(self.scale)
        };
        let mode = if self.threads == 0 {
            Mode::Pumped
        } else {
            Mode::Threads(self.threads)
        };
        let shared = Arc::new(Shared::new(
            mode,
            clock,
            self.seed,
            self.events,
            self.sample_every,
        ));
        #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
        let mut joins = Vec::new();
        for i in 0..self.threads {
            shared
                .runners
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            let s = shared.clone();
            let run = Box::new(move || s.runner(i));
            match &mut self.spawn {
                Some(spawn) => {
                    spawn(run).map_err(|e| BuildError(format!("cannot start thread {i}: {e}")))?
                }
                None => {
                    #[cfg(not(target_arch = "wasm32"))]
                    {
                        let h = std::thread::Builder::new()
                            .name(format!("gomaxprocs-{i}"))
                            .spawn(run)
                            .map_err(|e| BuildError(format!("cannot start thread {i}: {e}")))?;
                        joins.push(h);
                    }
                    #[cfg(target_arch = "wasm32")]
                    {
                        drop(run);
                        return Err(BuildError("threads need a spawn handler on wasm".into()));
                    }
                }
            }
        }
        Ok(Runtime {
            shared,
            joins: Mutex::new(joins),
        })
    }
}
