//! The goroutine runtime: `go`, `runtime.NumGoroutine`, `GOMAXPROCS`, deadlock and leak detection.
//!
//! A goroutine is an async task run M:N on a fixed set of threads (`GOMAXPROCS`): OS threads
//! natively, Web Workers in the threaded browser build, or the caller's own thread when it pumps
//! the runtime (the single-threaded build and deterministic mode). Never one thread per goroutine.
//!
//! # Examples
//!
//! ```ignore-wasm32
//! use worker_pool_playground::{chan::Chan, runtime::{go, Runtime}};
//!
//! let rt = Runtime::builder().threads(2).build().unwrap();
//! let sum = rt.block_on(async {
//!     let results = Chan::new(10);
//!     for i in 1..=10u64 {
//!         let results = results.clone();
//!         go(async move { results.send(i * i).await.unwrap() });
//!     }
//!     let mut sum = 0;
//!     for _ in 0..10 {
//!         sum += results.recv().await.unwrap();
//!     }
//!     sum
//! });
//! assert_eq!(sum.unwrap(), 385);
//! ```

mod builder;
mod census;
pub(crate) mod clock;
mod deadlock;
mod events;
pub mod goroutine;
mod level;
pub(crate) mod local;
pub(crate) mod object;
mod observe;
mod pump;
mod queue;
mod registry;
mod runner;
mod runq;
pub(crate) mod scheduler;
mod sleep;
mod waitgraph;

use std::{
    any::Any,
    fmt,
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde::Serialize;

pub use self::{
    builder::{BuildError, RuntimeBuilder, SpawnHandler, MAX_THREADS},
    events::{Event, EventKind, Trace, TraceArgs, TraceEvent, TraceInfo},
    observe::{Gauge, Mark, MarkKind, MAX_GAUGES, SERIES_CAP},
    waitgraph::{Edge, Node, NodeKind, WaitGraph},
};
use self::{
    goroutine::GoroutineInfo,
    local::{current, with_current},
    pump::Pump,
    scheduler::{Mode, Shared},
};
use crate::metrics::Series;

/// A goroutine runtime. Dropping it stops its threads and cancels what is still alive.
pub struct Runtime {
    shared: Arc<Shared>,
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    joins: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("gomaxprocs", &self.gomaxprocs())
            .finish()
    }
}

/// What went wrong with a run as a whole.
#[derive(Debug, Clone, PartialEq)]
pub enum RunError {
    /// Every goroutine blocked with nothing to wake it: Go's fatal error. Lists who waits on what.
    Deadlock(Vec<GoroutineInfo>),
    /// The main goroutine panicked.
    Panic(String),
    /// The run was stopped from outside (`Runtime::abort`).
    Aborted,
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Deadlock(gs) => {
                write!(f, "fatal error: all goroutines are asleep - deadlock!")?;
                for g in gs {
                    write!(f, "\n{g}")?;
                }
                Ok(())
            }
            RunError::Panic(m) => write!(f, "panic: {m}"),
            RunError::Aborted => write!(f, "run stopped"),
        }
    }
}
impl std::error::Error for RunError {}

/// A deadlock, leak or panic the runtime noticed.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// What kind.
    pub kind: FindingKind,
    /// Go's message, or a plain description.
    pub message: String,
    /// Runtime time it was noticed, in ms.
    pub at_ms: f64,
    /// The goroutines involved and what each waits on.
    pub goroutines: Vec<GoroutineInfo>,
}

/// The kinds of [`Finding`].
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// All goroutines asleep.
    Deadlock,
    /// Goroutines still blocked when the main goroutine returned.
    Leak,
    /// A goroutine panicked and nothing recovered it: the program died.
    Panic,
    /// A goroutine panicked and a deferred `recover` caught it: the program went on.
    RecoveredPanic,
    /// `wg.Wait()` returned while work it should have waited for was still running.
    EarlyReturn,
    /// A wait that never ended within its time limit.
    Hang,
}

/// Keeps the default panic hook quiet for panics inside goroutines: the runtime reports those
/// itself (as a finding, or as an error result after `recover`), the way Go prints a panic once.
/// Panics anywhere else still print as usual.
fn quiet_goroutine_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // The instant the panic was raised, before it unwinds: catching it comes later (80
            // µs natively, 400 µs in wasm, × the time scale: review F12 saw a wg.Done() at
            // 192 ms and its panic at 196 ms). Go raises the panic inside the call.
            let at = RAISED_AT
                .with(std::cell::Cell::take)
                .unwrap_or_else(stamp_ns);
            PANIC_AT.with(|t| t.set(Some(at)));
            if local::current_gid() == 0 {
                previous(info);
                return;
            }
            let msg = match info.payload().downcast_ref::<&str>() {
                Some(s) => (*s).to_string(),
                None => info
                    .payload()
                    .downcast_ref::<String>()
                    .cloned()
                    .unwrap_or_default(),
            };
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
        }));
    });
}

thread_local! {
    /// The message of the last goroutine panic on this thread (read while it unwinds).
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// When the last panic on this thread was raised, runtime ns (taken by whoever catches it).
    static PANIC_AT: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
    /// The instant the next panic on this thread is raised at, when its caller knows it
    /// ([`panic_at`]); the hook takes it.
    static RAISED_AT: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

/// Panics with `message`, raised at runtime instant `t_ns` (ns, as [`mark`] returns): the call
/// that fails had its instant marked, and the panic is that call's, as Go raises
/// "sync: negative WaitGroup counter" inside the `wg.Done()` that drives it below zero. The
/// clock read again in the panic hook came 0.05–1.65 ms of runtime after that Done's mark on a
/// loaded page (independent review, session 17, F12), and the picture drew them apart.
#[track_caller]
pub fn panic_at(t_ns: u64, message: String) -> ! {
    RAISED_AT.with(|r| r.set(Some(t_ns)));
    std::panic::panic_any(message)
}

/// When the panic being caught on this thread was raised (runtime ns); now, for a panic that
/// did not pass the hook (`resume_unwind`).
pub(crate) fn take_panic_at() -> u64 {
    PANIC_AT.with(|t| t.take()).unwrap_or_else(stamp_ns)
}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_string()
    }
}

/// Outcome of the main goroutine, shared between it and whoever waits for the run.
type MainSlot<T> = Arc<Mutex<Option<Result<T, RunError>>>>;

/// A run started with [`Runtime::start`], for callers that must not block (the browser driver).
pub struct RunHandle<T> {
    slot: MainSlot<T>,
}

impl<T> fmt::Debug for RunHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RunHandle")
    }
}

/// Goroutine polls one [`Runtime::poll`] of a deterministic (virtual-clock) run makes before it
/// returns, so the page's driver reads Stop between slices. 256, not 4096: with CPU-bound tasks
/// (a 5,000,000-iteration doWork per poll) a slice of 4096 polls took seconds and Stop was not
/// heard before the run completed (re-check of review R3). A poll itself cannot be cut short (no
/// preemption): a worker that drains a full queue in one poll still runs until it awaits.
pub const VIRTUAL_SLICE_POLLS: usize = 256;

/// Where a started run stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress {
    /// Still running; poll again.
    Running,
    /// Nothing can run until this many wall-clock milliseconds pass (pumped runtimes).
    IdleFor(f64),
    /// The run ended; take its result.
    Done,
}

impl Runtime {
    /// A builder with `GOMAXPROCS` = the machine's parallelism, real time at scale 1.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::new()
    }

    /// `runtime.GOMAXPROCS(0)`: threads running goroutines (1 when pumped).
    pub fn gomaxprocs(&self) -> usize {
        self.shared.threads()
    }

    /// `runtime.NumGoroutine()`.
    pub fn num_goroutine(&self) -> usize {
        self.shared.live()
    }

    /// The most goroutines alive at once so far, over the whole run (the free function
    /// [`peak_goroutines`] counts since the last [`reset_peak`] instead).
    pub fn peak_goroutines(&self) -> usize {
        self.shared.obs.peak()
    }

    /// Goroutine polls so far: how often the scheduler ran a goroutine (Go's scheduler overhead
    /// is per poll too).
    pub fn polls(&self) -> u64 {
        self.shared.polls()
    }

    /// Channels, WaitGroups, mutexes and semaphores of this runtime still alive (an object
    /// leaves the list, name and all, when its last handle is dropped).
    pub fn live_objects(&self) -> usize {
        self.shared.objects.len()
    }

    /// The marks so far, in time order.
    pub fn marks(&self) -> Vec<Mark> {
        self.shared.obs.marks()
    }

    /// The wait-for graph now: who waits on what, and who could release it.
    pub fn wait_graph(&self) -> WaitGraph {
        self.shared.wait_graph()
    }

    /// The wait-for graph as it was when a deadlock was declared (`None`: no deadlock).
    pub fn deadlock_graph(&self) -> Option<WaitGraph> {
        self.shared.deadlock_graph()
    }

    /// The run as a Chrome trace (Trace Event Format), from the event log: empty of goroutine
    /// events unless the runtime was built with [`RuntimeBuilder::record_events`]. Opens in
    /// Perfetto and `chrome://tracing`.
    ///
    /// It ends where the program did ([`Runtime::ended_ms`]), as the Report's runtime does: the
    /// poll in which main returned is cut there (the rest of it is the runtime's bookkeeping),
    /// and so is any poll still running on another thread, which Go's exit would have stopped.
    pub fn trace(&self) -> Trace {
        let (events, dropped) = self.shared.events();
        events::trace(
            &events,
            dropped,
            &self.marks(),
            self.gomaxprocs(),
            self.shared
                .ended_ns()
                .unwrap_or_else(|| self.shared.now_ns()),
            &|id| self.shared.object_name(id),
        )
    }

    /// The event log so far (and how many events did not fit), left in place.
    pub fn events(&self) -> (Vec<Event>, u64) {
        self.shared.events()
    }

    /// `(live, running, blocked, queued)` goroutines now.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        self.shared.counts()
    }

    /// Goroutines spawned so far.
    pub fn spawned(&self) -> u64 {
        self.shared.spawned()
    }

    /// Live heap bytes (process-wide, [`crate::metrics::alloc::heap`]) when [`Runtime::start`]
    /// started the run: the zero of the series' `heap_bytes`, and the baseline to measure the
    /// run's heap peak from, so that the two agree.
    pub fn heap_base(&self) -> u64 {
        self.shared.obs.heap_base()
    }

    /// When the program ended, runtime ms since start: main returned or unwound, a deadlock
    /// was declared, or [`Runtime::abort`] stopped it; `None` while it runs.
    pub fn ended_ms(&self) -> Option<f64> {
        self.shared.ended_ns().map(|t| t as f64 / 1e6)
    }

    /// Runtime time since start, in milliseconds.
    pub fn now_ms(&self) -> f64 {
        self.shared.now_ns() as f64 / 1e6
    }

    /// Every live goroutine with its state and what it waits on (`runtime.Stack(buf, true)`).
    pub fn goroutines(&self) -> Vec<GoroutineInfo> {
        self.shared.goroutines()
    }

    /// Deadlocks, leaks and panics noticed so far.
    pub fn findings(&self) -> Vec<Finding> {
        self.shared.findings()
    }

    /// The sampled series so far.
    pub fn series(&self) -> Series {
        self.shared.obs.series()
    }

    /// The series so far with a last row at runtime now, in the copy only (what a live view
    /// draws; see `Observer::series_now`).
    pub fn series_now(&self) -> Series {
        let sh = &self.shared;
        sh.obs.series_now(sh.now_ns(), &sh.queues)
    }

    /// Takes a sample now, whatever the interval.
    pub fn sample(&self) {
        self.shared.sample(true)
    }

    /// The event log (and how many events did not fit), emptied.
    pub fn take_events(&self) -> (Vec<Event>, u64) {
        self.shared.take_events()
    }

    /// Runs `main` as goroutine 1 and blocks the calling thread until it returns.
    ///
    /// Like Go's `main`, the run ends when `main` returns, even if other goroutines are still
    /// blocked (they are reported as leaked by [`Runtime::leaks`]).
    ///
    /// # Errors
    ///
    /// [`RunError::Deadlock`] when every goroutine blocks forever, [`RunError::Panic`] when `main`
    /// panics, [`RunError::Aborted`] after [`Runtime::abort`].
    pub fn block_on<T, F>(&self, main: F) -> Result<T, RunError>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let handle = self.start(main);
        loop {
            match self.poll(&handle) {
                Progress::Done => return self.take(&handle).expect("a finished run has a result"),
                Progress::Running => {}
                Progress::IdleFor(ms) => {
                    #[cfg(not(target_arch = "wasm32"))]
                    std::thread::sleep(Duration::from_secs_f64(ms.min(5.0) / 1e3));
                    #[cfg(target_arch = "wasm32")]
                    let _ = ms;
                }
            }
            if let Mode::Threads(_) = self.shared.mode {
                self.shared.wait_done(Duration::from_nanos(block_on_wait_ns(
                    self.shared.sample_every_ns,
                )));
            }
        }
    }

    /// Starts `main` as goroutine 1 without blocking; drive it with [`Runtime::poll`].
    pub fn start<T, F>(&self, main: F) -> RunHandle<T>
    where
        T: Send + 'static,
        F: Future<Output = T> + Send + 'static,
    {
        let slot: MainSlot<T> = Arc::new(Mutex::new(None));
        let out = slot.clone();
        let shared = self.shared.clone();
        // The series starts at t = 0 with main alive, as Go's NumGoroutine is 1 in main; the
        // clock reads 0 until main first runs.
        self.shared
            .obs
            .first_row(self.shared.obs.live.get(&self.shared.queues.stats) + 1);
        self.shared.spawn("main", async move {
            // Runtime time begins as main first runs (the first run of this runtime: a second
            // `block_on` goes on from where the first ended). The runner polling main read the
            // clock before, as 0: what main spawns and waits on is stamped from now on.
            shared.clock.begin();
            local::with_runner_of(&shared, |l| l.now_ns.set(shared.now_ns()));
            let mut guard = MainGuard {
                slot: out.clone(),
                shared: shared.clone(),
                returned: false,
            };
            let v = main.await;
            *out.lock().unwrap() = Some(Ok(v));
            guard.returned = true;
        });
        RunHandle { slot }
    }

    /// Advances a started run: pumps it when the runtime has no threads, samples the series, and
    /// says where it stands. Never blocks.
    pub fn poll<T>(&self, handle: &RunHandle<T>) -> Progress {
        let s = &self.shared;
        let mut progress = Progress::Running;
        if s.mode == Mode::Pumped {
            // A virtual clock gets a budget of polls, not of wall time, so that a seed still fixes
            // where every slice ends. Without one, a deterministic run was pumped to its end in a
            // single call and the page's driver never heard Stop (review R3: 1,000,000 tasks ran
            // on for 7 s after Stop).
            progress = match s.pump(if s.clock.is_virtual() {
                VIRTUAL_SLICE_POLLS
            } else {
                20_000
            }) {
                Pump::Busy => Progress::Running,
                Pump::IdleUntil(t) => Progress::IdleFor(s.clock.real_until(t).as_secs_f64() * 1e3),
                Pump::Idle => Progress::Running,
            };
        }
        // On a virtual clock the pump samples as time advances; a sample here would land where
        // a wall-clock slice happened to end, and two runs with one seed would differ.
        if !s.clock.is_virtual() {
            s.sample(false);
        }
        // Done once main has returned *and* left the scheduler, so that NumGoroutine afterwards
        // counts only what main left behind (or on a deadlock, or after `abort`).
        match self.check(handle) {
            Progress::Done => {
                s.sample(true);
                Progress::Done
            }
            _ => progress,
        }
    }

    /// True when the caller pumps this runtime (no threads of its own: the single-threaded
    /// build, deterministic mode): after a [`Progress::Running`] it should poll again at once.
    pub fn pumped(&self) -> bool {
        self.shared.mode == Mode::Pumped
    }

    /// Deterministic mode: runs exactly one goroutine poll, or, when none is ready, moves
    /// virtual time to the next timer and fires it. Then reports where the run stands.
    /// On a runtime with threads of its own it only reports (they do not stop to be stepped).
    pub fn step<T>(&self, handle: &RunHandle<T>) -> Progress {
        if self.shared.mode == Mode::Pumped {
            self.shared.step_one();
            self.shared.sample(true);
        }
        self.check(handle)
    }

    /// Deterministic mode: steps until runtime time reaches `t_ms` (or the run ends).
    pub fn step_until<T>(&self, handle: &RunHandle<T>, t_ms: f64) -> Progress {
        loop {
            let p = self.step(handle);
            if p == Progress::Done || self.now_ms() >= t_ms || self.shared.mode != Mode::Pumped {
                return p;
            }
        }
    }

    fn check<T>(&self, handle: &RunHandle<T>) -> Progress {
        use std::sync::atomic::Ordering;
        let s = &self.shared;
        if handle.slot.lock().unwrap().is_some() && s.main_exited.load(Ordering::Acquire) {
            return Progress::Done;
        }
        if s.deadlocked.load(Ordering::Acquire) {
            let gs = s
                .findings()
                .into_iter()
                .find(|f| f.kind == FindingKind::Deadlock)
                .map(|f| f.goroutines);
            *handle.slot.lock().unwrap() = Some(Err(RunError::Deadlock(gs.unwrap_or_default())));
            return Progress::Done;
        }
        if s.aborted.load(Ordering::Acquire) {
            *handle.slot.lock().unwrap() = Some(Err(RunError::Aborted));
            return Progress::Done;
        }
        Progress::Running
    }

    /// The result of a finished run (once).
    pub fn take<T>(&self, handle: &RunHandle<T>) -> Option<Result<T, RunError>> {
        handle.slot.lock().unwrap().take()
    }

    /// Stops the run from outside: the next [`Runtime::poll`] reports [`RunError::Aborted`].
    pub fn abort(&self) {
        self.shared.ended();
        self.shared
            .aborted
            .store(true, std::sync::atomic::Ordering::Release);
        self.shared.notify_done();
    }

    /// Lets goroutines that are on their way out finish, for at most `max` of wall time: Go's
    /// "time.Sleep(100 * time.Millisecond) // Let things settle". Returns `num_goroutine()`.
    pub fn settle(&self, max: Duration) -> usize {
        let start = web_time::Instant::now();
        loop {
            let blocked = self
                .goroutines()
                .iter()
                .filter(|g| g.state == goroutine::State::Blocked)
                .count();
            if self.num_goroutine() <= blocked || start.elapsed() >= max {
                return self.num_goroutine();
            }
            match self.shared.mode {
                Mode::Pumped => {
                    self.shared.pump(10_000);
                }
                Mode::Threads(_) => self.shared.wait_done(Duration::from_millis(1)),
            }
        }
    }

    /// Goroutines still blocked now: after `main` returned, these are leaks. Each one's
    /// `for_ms` ends where the program did ([`Runtime::ended_ms`]), as the Report's runtime and
    /// the leak's instant do: read to now, it also counted the settling and the driver's delay
    /// before the Report, and a leak outlasted its run (leak-unclosed-channel blocked "for 514
    /// ms" at 505.9 ms on the page, by-value 2,174 ms in a 2,012 ms run: review F7, session 18).
    pub fn leaks(&self) -> Vec<GoroutineInfo> {
        let sh = &self.shared;
        sh.goroutines_at(sh.ended_ns().unwrap_or_else(|| sh.now_ns()))
            .into_iter()
            .filter(|g| g.state == goroutine::State::Blocked)
            .collect()
    }

    /// A gauge of this runtime (drawn in the series as its own column, extremes kept); the same
    /// name gives the same gauge. The series draws the first [`MAX_GAUGES`] gauges made (their
    /// columns are reserved with the runtime, so drawing them costs the program's heap nothing).
    pub fn gauge(&self, name: &'static str) -> Gauge {
        self.shared.obs.gauge(name)
    }

    /// Marks an instant at runtime now (see [`mark`]); returns that instant, runtime ns.
    pub fn mark(&self, kind: MarkKind, label: impl Into<String>) -> u64 {
        self.shared.mark(kind, label.into())
    }
}

/// How long `block_on` waits between two looks at a threaded run (a finish, a deadlock and an
/// abort wake it early): about a sample period, so a quiet run is sampled.
///
/// Under Miri, 100 ms: its clock charges 5 µs per interpreted block, so one look (a poll and a
/// sample) outlasts a 5 ms wait, and the waiting thread alone kept Miri's clock running, every
/// sample filling the gap with rows (issue 9). The runners sample whenever they wake.
fn block_on_wait_ns(sample_every_ns: u64) -> u64 {
    if cfg!(miri) {
        100_000_000
    } else {
        sample_every_ns.clamp(200_000, 20_000_000)
    }
}

/// Reports a panic of the main goroutine (dropped without completing = it unwound).
struct MainGuard<T> {
    slot: MainSlot<T>,
    shared: Arc<Shared>,
    returned: bool,
}

impl<T> Drop for MainGuard<T> {
    fn drop(&mut self) {
        if self.returned {
            self.shared.ended();
            self.shared
                .finished
                .store(true, std::sync::atomic::Ordering::Release);
            self.shared.notify_done();
            return;
        }
        if self.slot.lock().unwrap().is_some()
            || self
                .shared
                .deadlocked
                .load(std::sync::atomic::Ordering::Acquire)
        {
            return; // cancelled at shutdown after the run already ended
        }
        let msg = if std::thread::panicking() {
            LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "main goroutine panicked".into())
        } else {
            "main goroutine cancelled".into()
        };
        self.shared.ended();
        *self.slot.lock().unwrap() = Some(Err(RunError::Panic(msg)));
        self.shared
            .finished
            .store(true, std::sync::atomic::Ordering::Release);
        self.shared.notify_done();
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        self.shared.shutdown();
        #[cfg(not(target_arch = "wasm32"))]
        for h in self.joins.lock().unwrap().drain(..) {
            let _ = h.join();
        }
        // Threads from a spawn handler (Web Workers) cannot be joined: wait until they have all
        // returned, so the next runtime gets them back. Capped, because a runner whose thread
        // never started (every worker busy) only returns once it gets one.
        let start = web_time::Instant::now();
        while self
            .shared
            .runners
            .load(std::sync::atomic::Ordering::Acquire)
            > 0
            && start.elapsed() < Duration::from_secs(2)
        {
            self.shared.wait_done(Duration::from_millis(5));
        }
        // The instrument's reserved memory goes now, on this thread, not whenever the last
        // runner lets go of `shared`: on the web that is after the next run has taken its
        // heap baseline, which would then see megabytes freed and report a peak of ~0.
        self.shared.obs.release();
        if let Some(events) = &self.shared.events {
            events.release();
        }
    }
}

/// `go f()`: starts a goroutine on the current runtime.
///
/// # Panics
///
/// Panics when called outside a goroutine (there is no runtime to run it on).
pub fn go<F>(f: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    go_named("goroutine", f);
}

/// `go f()` with a name that reports and the timeline show (`"worker"`, `"sender"`).
///
/// Returns the goroutine id.
///
/// # Panics
///
/// Panics when called outside a goroutine.
pub fn go_named<F>(name: &'static str, f: F) -> u64
where
    F: Future<Output = ()> + Send + 'static,
{
    with_current(|rt| {
        rt.expect("go: not inside a goroutine (start one with Runtime::block_on)")
            .spawn(name, f)
    })
}

/// `runtime.NumGoroutine()` of the current runtime (0 outside one).
pub fn num_goroutine() -> usize {
    with_current(|rt| rt.map_or(0, |rt| rt.live()))
}

/// Goroutine polls of the current runtime so far (0 outside one): what a scenario measures
/// scheduler overhead with (see [`Runtime::polls`]).
pub fn polls() -> u64 {
    current().map_or(0, |rt| rt.polls())
}

/// The most goroutines alive at once since the last [`reset_peak`] (0 outside a runtime).
pub fn peak_goroutines() -> usize {
    with_current(|rt| rt.map_or(0, |rt| rt.obs.window_peak()))
}

/// Starts a new peak window for [`peak_goroutines`] (a phase of a scenario). The whole run's
/// peak ([`Runtime::peak_goroutines`]) is not affected.
pub fn reset_peak() {
    with_current(|rt| {
        if let Some(rt) = rt {
            rt.obs.reset_window(&rt.queues);
        }
    });
}

/// Every live goroutine of the current runtime with what it waits on (empty outside one).
pub fn goroutines() -> Vec<GoroutineInfo> {
    current().map_or(vec![], |rt| rt.goroutines())
}

/// [`goroutines`], each one's time in its state measured to `t_ns` (runtime ns) instead of now:
/// for a finding dated at an instant before it looked, whose durations must end at its instant
/// (add-inside's early return, dated at Wait's return, listed a worker blocked "for 0.074 ms" at
/// 0.065 ms). A state entered after `t_ns` counts 0.
pub fn goroutines_at(t_ns: u64) -> Vec<GoroutineInfo> {
    current().map_or(vec![], |rt| rt.goroutines_at(t_ns))
}

/// The current runtime's wait-for graph now (empty outside one).
pub fn wait_graph() -> WaitGraph {
    with_current(|rt| rt.map(|rt| rt.wait_graph()).unwrap_or_default())
}

/// `runtime.GOMAXPROCS(0)` of the current runtime (0 outside one).
pub fn gomaxprocs() -> usize {
    current().map_or(0, |rt| rt.threads())
}

/// The id of the calling goroutine (0 outside one).
pub fn goid() -> u64 {
    local::current_gid()
}

/// The index of the thread running the calling goroutine.
pub fn thread_index() -> u32 {
    local::thread_index()
}

/// A gauge of the current runtime (see [`Runtime::gauge`]).
///
/// # Panics
///
/// Panics when called outside a goroutine.
pub fn gauge(name: &'static str) -> Gauge {
    current()
        .expect("gauge: not inside a goroutine")
        .obs
        .gauge(name)
}

/// Marks an instant on the run's time axis at runtime now: a cancel, a close, a drop… The page
/// draws marks across its charts and the timeline. Returns the instant marked, runtime ns, for
/// whatever else records that moment; does nothing outside a runtime (and returns 0).
pub fn mark(kind: MarkKind, label: impl Into<String>) -> u64 {
    current().map_or(0, |rt| rt.mark(kind, label.into()))
}

/// Takes a row of the series at runtime time `t_ns`, an instant just past at which the program
/// died (an unrecovered panic), dropping the rows taken after it. Nothing outside a runtime.
pub fn sample_at(t_ns: u64) {
    if let Some(rt) = current() {
        rt.obs.sample_back_at(t_ns, &rt.queues);
    }
}

/// [`mark`], with `change` (a gauge's new value) and a row of the series at the mark's own
/// instant, none of the runners' samples between them: for a gauge whose picture is read against
/// its marks. Sampled only between polls, WaitGroup counter changes were drawn where the
/// goroutine that made them next parked, by-value's rise 1.0–1.6 ms after its Adds on the page
/// (review F2, session 18); marked, then sampled, a thread preempted between the two drew it a
/// millisecond late under load (session 20). Outside a runtime, `change` alone at 0.
///
/// `change` must not panic: the series' lock is held. Keep what failed and panic after. (Not
/// generic, so compiled once into the page's package.)
pub fn mark_with(kind: MarkKind, label: String, change: &mut dyn FnMut()) -> u64 {
    match current() {
        Some(rt) => rt.mark_with(kind, label, change),
        None => {
            change();
            0
        }
    }
}

/// Runtime time now, in nanoseconds (0 outside a runtime).
pub fn now_ns() -> u64 {
    current().map_or(0, |rt| rt.now_ns())
}

/// [`now_ns`] for an instant drawn in order with others (a panic): never earlier than a mark
/// or a stamp made before it on another thread (see `Clock::stamp_ns`).
pub(crate) fn stamp_ns() -> u64 {
    current().map_or(0, |rt| rt.stamp_ns())
}

/// `runtime.Gosched()`: lets other goroutines run.
pub async fn yield_now() {
    struct Yield(bool);
    impl Future for Yield {
        type Output = ();
        fn poll(
            mut self: std::pin::Pin<&mut Self>,
            cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<()> {
            if self.0 {
                return std::task::Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    }
    Yield(false).await
}

/// `defer func() { if r := recover(); r != nil { … } }()` around a future: a panic inside `fut`
/// becomes `Err(message)` and the goroutine carries on.
///
/// # Errors
///
/// The panic message when `fut` panicked.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::runtime::{recover, Runtime};
/// let rt = Runtime::builder().threads(1).build().unwrap();
/// let r = rt.block_on(async { recover(async { panic!("boom") }).await });
/// assert_eq!(r.unwrap(), Err::<(), _>("boom".to_string()));
/// ```
pub async fn recover<T>(fut: impl Future<Output = T>) -> Result<T, String> {
    // Not through recover_at: this is instantiated at every call site, and the wasm module has a
    // size budget (issue 11). A time left behind here is overwritten by the next panic's hook.
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(p) => std::task::Poll::Ready(Err(panic_message(&p))),
        }
    })
    .await
}

/// A panic caught by [`recover_at`].
#[derive(Debug)]
pub struct Panicked {
    /// The panic's message.
    pub message: String,
    /// When it was raised, runtime ns: not when the unwinding reached the catch.
    pub at_ns: u64,
}

/// [`recover`], with the instant the panic was raised.
pub async fn recover_at<T>(fut: impl Future<Output = T>) -> Result<T, Panicked> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(p) => std::task::Poll::Ready(Err(Panicked {
                message: panic_message(&p),
                at_ns: take_panic_at(),
            })),
        }
    })
    .await
}
