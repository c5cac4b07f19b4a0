//! The benchmark suite: five figures, each beside its baselines from the same run.
//!
//! `cargo run --release -- bench --json` runs it natively (and the Go program in `bench/go`
//! when `go` is on PATH); `npm run bench` runs the same code in Chromium on Web Workers.

use std::{hint::black_box, time::Duration};

use serde::Serialize;
use web_time::Instant;

use crate::{
    chan::Chan,
    metrics::alloc::heap,
    runtime::{go, Runtime},
    sync::WaitGroup,
    time,
    workload::{do_work, DO_WORK_ITERATIONS},
};

/// One measured figure and what it is compared with.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// The figure, in `unit`.
    pub value: f64,
    /// `ns`, `bytes` or `x` (a ratio).
    pub unit: &'static str,
    /// Baselines measured in the same run (`sequential`, `os_thread_per_task`, `pool`, …).
    pub baselines: Vec<(String, f64)>,
    /// What was measured, in one line.
    pub what: &'static str,
}

/// Sizes of the suite (smaller in tests).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Goroutines spawned and joined.
    pub spawn: usize,
    /// Goroutines parked on one channel.
    pub blocked: usize,
    /// Round trips over an unbuffered channel.
    pub pingpong: usize,
    /// Empty jobs through a 2-worker pool.
    pub dispatch: usize,
    /// `doWork` calls for the CPU speedup.
    pub cpu_tasks: usize,
    /// How long a time is warmed up before it is measured, at least: its run is repeated until
    /// this has passed (once at least, see [`measure`]).
    pub warm_up: Duration,
}

impl Sizes {
    /// The sizes the issue names: 1M spawns, 100k blocked, 200k round trips, 1M jobs, 1000 doWork.
    pub const FULL: Sizes = Sizes {
        spawn: 1_000_000,
        blocked: 100_000,
        pingpong: 200_000,
        dispatch: 1_000_000,
        cpu_tasks: 1000,
        warm_up: Duration::from_millis(250),
    };
    /// A quick run for tests.
    pub const SMALL: Sizes = Sizes {
        spawn: 20_000,
        blocked: 5_000,
        pingpong: 5_000,
        dispatch: 20_000,
        cpu_tasks: 40,
        warm_up: Duration::ZERO,
    };
}

/// Everything the suite measured.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// `native`, `threads` or `single`.
    pub build: &'static str,
    /// GOMAXPROCS of the runtimes measured.
    pub threads: usize,
    /// ns to spawn and join one goroutine.
    pub spawn_ns_per_goroutine: Figure,
    /// Heap bytes per goroutine blocked on a channel.
    pub bytes_per_blocked_goroutine: Figure,
    /// ns per round trip on an unbuffered channel between two goroutines.
    pub chan_pingpong_ns: Figure,
    /// ns per empty job through a pool of 2 workers with a queue of 100.
    pub pool_dispatch_ns_per_job: Figure,
    /// 1000 × doWork: one thread's time over a GOMAXPROCS-worker pool's.
    pub cpu_speedup: Figure,
}

fn per(start: Instant, n: usize) -> f64 {
    start.elapsed().as_nanos() as f64 / n as f64
}

/// The suite's figures, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fig {
    /// `spawn_ns_per_goroutine`.
    Spawn,
    /// `bytes_per_blocked_goroutine`.
    Blocked,
    /// `chan_pingpong_ns`.
    PingPong,
    /// `pool_dispatch_ns_per_job`.
    Dispatch,
    /// `cpu_speedup`.
    Cpu,
}

impl Fig {
    /// Every figure, in report order.
    pub const ALL: [Fig; 5] = [
        Fig::Spawn,
        Fig::Blocked,
        Fig::PingPong,
        Fig::Dispatch,
        Fig::Cpu,
    ];

    /// The figure's name in the report (and in Go's JSON).
    pub fn name(self) -> &'static str {
        match self {
            Fig::Spawn => "spawn_ns_per_goroutine",
            Fig::Blocked => "bytes_per_blocked_goroutine",
            Fig::PingPong => "chan_pingpong_ns",
            Fig::Dispatch => "pool_dispatch_ns_per_job",
            Fig::Cpu => "cpu_speedup",
        }
    }

    /// Whether it is a time (or a ratio of times), which a warm-up run comes before (see
    /// [`measure`]). The heap per blocked goroutine is measured cold: Go reuses the goroutines
    /// a run before left dead, so its figure falls after one (2,613 bytes a goroutine in a
    /// fresh process, 2,086–2,152 measured again in the same one, three processes; 2,396–2,512
    /// in the suite after a small warm-up, against 2,621–2,713 before), while this runtime's
    /// stays at 277.
    pub fn timed(self) -> bool {
        match self {
            Fig::Spawn | Fig::PingPong | Fig::Dispatch | Fig::Cpu => true,
            Fig::Blocked => false,
        }
    }

    /// The figure named `name`.
    pub fn by_name(name: &str) -> Option<Fig> {
        Fig::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The figures named (`bench --only`, natively and in the browser), each once, in the order
    /// first named.
    ///
    /// # Errors
    ///
    /// The first name that is no figure's.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Vec<Fig>, UnknownFigure> {
        let mut figs = Vec::new();
        for name in names {
            let name = name.as_ref();
            let fig =
                Fig::by_name(name).ok_or_else(|| UnknownFigure(name.chars().take(40).collect()))?;
            if !figs.contains(&fig) {
                figs.push(fig);
            }
        }
        Ok(figs)
    }
}

/// A name that is none of [`Fig::ALL`]'s (its first 40 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFigure(pub String);

impl std::fmt::Display for UnknownFigure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let known: Vec<_> = Fig::ALL.iter().map(|f| f.name()).collect();
        // `escape_debug` in quotes, not `{:?}`: the wasm build formats no Debug
        // (`-Zfmt-debug=none`), and the name printed nothing there.
        write!(
            f,
            "unknown figure \"{}\" (known: {})",
            self.0.escape_debug(),
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownFigure {}

/// Where and how big: what every figure's measurement needs.
pub struct Setup<'a> {
    /// GOMAXPROCS of the runtimes measured.
    pub threads: usize,
    /// Builds a runtime with `n` threads.
    pub runtime: &'a dyn Fn(usize) -> Runtime,
    /// Whether to measure the baselines that need `std::thread` (native only).
    pub os_threads: bool,
    /// How much work.
    pub sizes: Sizes,
}

impl std::fmt::Debug for Setup<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Setup({} threads, {:?})", self.threads, self.sizes)
    }
}

/// Measures one figure; a time after warm-up runs of it at the same sizes, repeated until
/// [`Sizes::warm_up`] has passed, whose results are dropped ([`Fig::timed`]).
///
/// The warm-up is for the browser: V8 first runs a wasm function as its baseline compiler
/// (Liftoff) made it, and swaps in the optimized code only at a later call, never within one. A
/// figure's loop is one long call, so measured cold it ran unoptimized throughout: the browser's
/// spawn took 253–315 ns a goroutine cold against 208–234 after a small warm-up (Chromium 156,
/// four fresh pages each, 2026-12-01). The warm-up was at the small sizes until session 32, and
/// that was not enough: measured alone (`npm run bench -- --only …`), the browser's ping-pong
/// took 496 ns and its dispatch 131 ns a job, against 313–341 and 50–65 in the whole suite, whose
/// earlier figures had warmed up the code they share. With the warm-up at full size, four fresh
/// pages interleaved with four of the small warm-up took 292–358 ns a spawn (median 330) against
/// 381–413 (394), and 310–327 ns a ping-pong against 341–416 (2026-12-02, the machine in its
/// slow state). One run at full size was still not enough for the shorter figures: V8 compiles
/// in the background, on the two cores the runners keep busy (its compiler threads took 30–50 ms
/// of CPU in a 125 ms dispatch figure run alone), and one dispatch run lasts about 50 ms. So the
/// warm-up is a time, 250 ms, the run repeated until it has passed. Native and Go take the same
/// warm-up (`bench/go`), so the three are measured alike.
///
/// # Panics
///
/// If a runtime fails to build or a run deadlocks, which would be a bug in the runtime.
pub fn measure(fig: Fig, s: &Setup<'_>) -> Figure {
    let warm = Setup {
        os_threads: false,
        ..*s
    };
    if fig.timed() {
        let start = Instant::now();
        loop {
            let _ = measure_once(fig, &warm);
            if start.elapsed() >= s.sizes.warm_up {
                break;
            }
        }
    }
    measure_once(fig, s)
}

fn measure_once(fig: Fig, s: &Setup<'_>) -> Figure {
    match fig {
        Fig::Spawn => spawn(s),
        Fig::Blocked => blocked(s),
        Fig::PingPong => pingpong(s),
        Fig::Dispatch => dispatch(s),
        Fig::Cpu => cpu(s),
    }
}

/// Runs the suite. `runtime(n)` builds a runtime with `n` threads; `os_threads` adds the
/// baselines that need `std::thread` (native only).
///
/// # Panics
///
/// If a runtime fails to build or a run deadlocks, which would be a bug in the runtime.
pub fn run(
    build: &'static str,
    threads: usize,
    runtime: &dyn Fn(usize) -> Runtime,
    os_threads: bool,
    sizes: Sizes,
) -> BenchReport {
    let s = Setup {
        threads,
        runtime,
        os_threads,
        sizes,
    };
    let spawn_ns_per_goroutine = measure(Fig::Spawn, &s);
    let bytes_per_blocked_goroutine = measure(Fig::Blocked, &s);
    let chan_pingpong_ns = measure(Fig::PingPong, &s);
    let mut pool_dispatch_ns_per_job = measure(Fig::Dispatch, &s);
    pool_dispatch_ns_per_job
        .baselines
        .push(("goroutine_per_job".into(), spawn_ns_per_goroutine.value));
    BenchReport {
        build,
        threads,
        spawn_ns_per_goroutine,
        bytes_per_blocked_goroutine,
        chan_pingpong_ns,
        pool_dispatch_ns_per_job,
        cpu_speedup: measure(Fig::Cpu, &s),
    }
}

/// Spawn and join: `n` goroutines that each call `wg.Done()`.
fn spawn(s: &Setup<'_>) -> Figure {
    let rt = (s.runtime)(s.threads);
    let n = s.sizes.spawn;
    let spawn = rt
        .block_on(async move {
            let wg = WaitGroup::new();
            let start = Instant::now();
            for _ in 0..n {
                wg.add(1).unwrap();
                let wg = wg.clone();
                go(async move {
                    let _ = wg.done();
                });
            }
            wg.wait().await;
            per(start, n)
        })
        .expect("spawn run");
    drop(rt);
    let start = Instant::now();
    for i in 0..n {
        black_box(i);
    }
    #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
    let mut baselines = vec![("sequential".to_string(), per(start, n))];
    if s.os_threads {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let k = 2000;
            let start = Instant::now();
            for _ in 0..k {
                std::thread::spawn(|| black_box(0)).join().unwrap();
            }
            baselines.push(("os_thread_per_task".into(), per(start, k)));
        }
    }
    Figure {
        value: spawn,
        unit: "ns",
        baselines,
        what: "spawn one goroutine and wait for it (WaitGroup), averaged over the run",
    }
}

/// Heap per goroutine parked on one unbuffered channel (from the counting allocator), beside
/// a pool of 10 workers parked on one jobs channel, whatever the task count.
fn blocked(s: &Setup<'_>) -> Figure {
    let rt = (s.runtime)(s.threads);
    let n = s.sizes.blocked;
    let (bytes, pool_bytes) = rt
        .block_on(async move {
            let ch: Chan<u8> = Chan::new(0);
            let ready = WaitGroup::new();
            let exited = WaitGroup::new();
            let before = heap().live_bytes;
            for _ in 0..n {
                ready.add(1).unwrap();
                exited.add(1).unwrap();
                let (ch, ready, exited) = (ch.clone(), ready.clone(), exited.clone());
                go(async move {
                    let _ = ready.done();
                    ch.recv().await;
                    let _ = exited.done();
                });
            }
            ready.wait().await;
            time::sleep(Duration::from_millis(10)).await;
            let bytes = heap().live_bytes.saturating_sub(before) as f64 / n as f64;
            ch.close().unwrap();
            exited.wait().await;
            let before = heap().live_bytes;
            let jobs: Chan<u8> = Chan::new(100);
            let wg = WaitGroup::new();
            for _ in 0..10 {
                wg.add(1).unwrap();
                let (jobs, wg) = (jobs.clone(), wg.clone());
                go(async move {
                    let _d = wg.defer_done();
                    while jobs.recv().await.is_some() {}
                });
            }
            time::sleep(Duration::from_millis(10)).await;
            let pool_bytes = heap().live_bytes.saturating_sub(before) as f64;
            jobs.close().unwrap();
            wg.wait().await;
            (bytes, pool_bytes)
        })
        .expect("blocked run");
    Figure {
        value: bytes,
        unit: "bytes",
        baselines: vec![("pool_of_10_workers_total".into(), pool_bytes)],
        what: "live heap per goroutine parked on one unbuffered channel",
    }
}

/// Ping-pong: one round trip on two unbuffered channels between two goroutines.
fn pingpong(s: &Setup<'_>) -> Figure {
    let rt = (s.runtime)(s.threads);
    let n = s.sizes.pingpong;
    let pingpong = rt
        .block_on(async move {
            let (ping, pong): (Chan<usize>, Chan<usize>) = (Chan::new(0), Chan::new(0));
            let (p2, q2) = (ping.clone(), pong.clone());
            go(async move {
                while let Some(v) = p2.recv().await {
                    q2.send(v).await.unwrap();
                }
            });
            let start = Instant::now();
            for i in 0..n {
                ping.send(i).await.unwrap();
                pong.recv().await;
            }
            ping.close().unwrap();
            per(start, n)
        })
        .expect("pingpong run");
    drop(rt);
    #[cfg_attr(target_arch = "wasm32", allow(unused_mut))]
    let mut baselines = vec![];
    if s.os_threads {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let k = (n / 10).max(1000);
            let (ping_tx, ping_rx) = std::sync::mpsc::sync_channel::<usize>(0);
            let (pong_tx, pong_rx) = std::sync::mpsc::sync_channel::<usize>(0);
            let echo = std::thread::spawn(move || {
                while let Ok(v) = ping_rx.recv() {
                    pong_tx.send(v).unwrap();
                }
            });
            let start = Instant::now();
            for i in 0..k {
                ping_tx.send(i).unwrap();
                pong_rx.recv().unwrap();
            }
            baselines.push(("os_threads_std_sync_channel_0".into(), per(start, k)));
            drop(ping_tx);
            echo.join().unwrap();
        }
    }
    Figure {
        value: pingpong,
        unit: "ns",
        baselines,
        what: "one round trip: send on an unbuffered channel, receive the echo",
    }
}

/// Pool dispatch: empty jobs through 2 workers ranging over a channel buffered to 100.
fn dispatch(s: &Setup<'_>) -> Figure {
    let rt = (s.runtime)(s.threads);
    let n = s.sizes.dispatch;
    let dispatch = rt
        .block_on(async move {
            let jobs: Chan<usize> = Chan::new(100);
            let wg = WaitGroup::new();
            for _ in 0..2 {
                wg.add(1).unwrap();
                let (jobs, wg) = (jobs.clone(), wg.clone());
                go(async move {
                    let _d = wg.defer_done();
                    while let Some(j) = jobs.recv().await {
                        black_box(j);
                    }
                });
            }
            let start = Instant::now();
            for i in 0..n {
                jobs.send(i).await.unwrap();
            }
            jobs.close().unwrap();
            wg.wait().await;
            per(start, n)
        })
        .expect("dispatch run");
    drop(rt);
    let start = Instant::now();
    for i in 0..n {
        black_box(i);
    }
    Figure {
        value: dispatch,
        unit: "ns",
        baselines: vec![("sequential".into(), per(start, n))],
        what: "one empty job through 2 workers ranging over a channel buffered to 100",
    }
}

/// CPU speedup: 1000 × doWork, one thread versus a pool of GOMAXPROCS workers.
fn cpu(s: &Setup<'_>) -> Figure {
    let k = s.sizes.cpu_tasks;
    let start = Instant::now();
    for _ in 0..k {
        black_box(do_work(DO_WORK_ITERATIONS));
    }
    let serial_ms = start.elapsed().as_secs_f64() * 1e3;
    let rt = (s.runtime)(s.threads);
    let (pool_ms, unlimited_ms) = rt
        .block_on(async move {
            let run = |per_task: bool| async move {
                let start = Instant::now();
                let wg = WaitGroup::new();
                if per_task {
                    for _ in 0..k {
                        wg.add(1).unwrap();
                        let wg = wg.clone();
                        go(async move {
                            let _d = wg.defer_done();
                            black_box(do_work(DO_WORK_ITERATIONS));
                        });
                    }
                } else {
                    let jobs: Chan<usize> = Chan::new(100);
                    for _ in 0..crate::runtime::gomaxprocs() {
                        wg.add(1).unwrap();
                        let (jobs, wg) = (jobs.clone(), wg.clone());
                        go(async move {
                            let _d = wg.defer_done();
                            while jobs.recv().await.is_some() {
                                black_box(do_work(DO_WORK_ITERATIONS));
                            }
                        });
                    }
                    for i in 0..k {
                        jobs.send(i).await.unwrap();
                    }
                    jobs.close().unwrap();
                }
                wg.wait().await;
                start.elapsed().as_secs_f64() * 1e3
            };
            (run(false).await, run(true).await)
        })
        .expect("cpu run");
    Figure {
        value: serial_ms / pool_ms,
        unit: "x",
        baselines: vec![
            ("serial_ms".into(), serial_ms),
            ("pool_ms".into(), pool_ms),
            ("goroutine_per_task_ms".into(), unlimited_ms),
        ],
        what: "1000 × doWork: one thread's wall time over a pool of GOMAXPROCS workers",
    }
}
