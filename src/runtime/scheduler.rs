//! The M:N scheduler: goroutines (async tasks) on a fixed set of threads, or pumped by the caller.
//!
//! See README.md next to this file for the design.

use std::{
    cell::{Cell, RefCell},
    collections::{HashMap, VecDeque},
    future::Future,
    panic::{catch_unwind, AssertUnwindSafe},
    pin::Pin,
    sync::{
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
        Arc, Condvar, Mutex,
    },
    task::{Context, Poll},
    time::Duration,
};

use async_task::{Runnable, ScheduleInfo, Task, WithInfo};

use super::{
    clock::{Clock, Timers},
    goroutine::{GMeta, GoroutineInfo, State, Wait, WaitKind},
    Finding, FindingKind,
};
use crate::metrics::{alloc::heap, Event, EventKind, EventLog, Sample, Series};

pub(crate) type GRunnable = Runnable<Arc<GMeta>>;

/// A live goroutine in the registry: its record and its task handle (dropping the handle at
/// shutdown cancels the goroutine and frees its future).
type Entry = (Arc<GMeta>, Task<(), Arc<GMeta>>);

thread_local! {
    /// The runtime whose goroutine this thread is running (or pumping).
    static CURRENT: RefCell<Option<Arc<Shared>>> = const { RefCell::new(None) };
    /// Go's `runnext`: a goroutine woken by the running one runs next on this thread.
    static RUN_NEXT: Cell<Option<GRunnable>> = const { Cell::new(None) };
    /// True while this thread polls a goroutine (wakes then go to `RUN_NEXT`).
    static IN_POLL: Cell<bool> = const { Cell::new(false) };
    /// Set by a primitive just before it returns `Pending`: what the goroutine now waits on.
    static WAIT: Cell<Option<Wait>> = const { Cell::new(None) };
    /// This thread's index in the runtime (0 when pumped).
    static THREAD: Cell<u32> = const { Cell::new(0) };
    /// The id of the goroutine being polled on this thread.
    static GID: Cell<u64> = const { Cell::new(0) };
}

/// Records what the calling goroutine is about to block on.
pub(crate) fn set_wait(kind: WaitKind, object: u64) {
    WAIT.with(|w| w.set(Some(Wait { kind, object })));
}

/// The runtime of the calling goroutine, if any.
pub(crate) fn current() -> Option<Arc<Shared>> {
    CURRENT.with(|c| c.borrow().clone())
}

pub(crate) fn with_current<R>(f: impl FnOnce(Option<&Arc<Shared>>) -> R) -> R {
    CURRENT.with(|c| f(c.borrow().as_ref()))
}

/// The id of the goroutine running on this thread (0 outside a goroutine).
pub(crate) fn current_gid() -> u64 {
    GID.with(|g| g.get())
}

/// The index of the calling thread in its runtime.
pub(crate) fn thread_index() -> u32 {
    THREAD.with(|t| t.get())
}

struct EnterGuard(Option<Arc<Shared>>);
impl Drop for EnterGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = self.0.take());
    }
}
pub(crate) fn enter(shared: &Arc<Shared>) -> impl Drop {
    EnterGuard(CURRENT.with(|c| c.borrow_mut().replace(shared.clone())))
}

/// How goroutines get threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `n` runner threads park when idle and service timers.
    Threads(usize),
    /// No threads of its own: the caller pumps (single-threaded wasm, deterministic mode).
    Pumped,
}

struct Queue {
    runnable: VecDeque<GRunnable>,
    /// Threads with nothing to do (parked or about to park); all idle = deadlock candidate.
    idle: usize,
    /// Threads parked on the condvar: only these need a (costly) notify.
    parked: usize,
}

/// Everything the runner threads, the goroutines and the caller share.
pub(crate) struct Shared {
    pub(crate) mode: Mode,
    pub(crate) clock: Clock,
    pub(crate) timers: Timers,
    queue: Mutex<Queue>,
    /// `queue.runnable.len()`, readable without the lock by spinning threads.
    queue_len: AtomicUsize,
    cv: Condvar,
    /// Wakes `block_on` when the main goroutine ends or a deadlock is found.
    done_cv: Condvar,
    done_mx: Mutex<()>,
    live: AtomicUsize,
    running: AtomicUsize,
    blocked: AtomicUsize,
    queued: AtomicUsize,
    peak_live: AtomicUsize,
    spawned: AtomicU64,
    next_gid: AtomicU64,
    next_object: AtomicU64,
    registry: Vec<Mutex<HashMap<u64, Entry>>>,
    names: Mutex<HashMap<u64, String>>,
    gauges: Mutex<Vec<(String, Arc<AtomicU64>)>>,
    events: Option<EventLog>,
    findings: Mutex<Vec<Finding>>,
    pub(crate) deadlocked: AtomicBool,
    /// The id of the run's main goroutine, and whether it has fully exited.
    pub(crate) main_id: AtomicU64,
    pub(crate) main_exited: AtomicBool,
    declaring: AtomicBool,
    pub(crate) finished: AtomicBool,
    pub(crate) aborted: AtomicBool,
    shutdown: AtomicBool,
    /// Runner threads started and not yet returned (a dropped runtime waits for them).
    pub(crate) runners: AtomicUsize,
    rng: Option<Mutex<fastrand::Rng>>,
    series: Mutex<Series>,
    pub(crate) sample_every_ns: u64,
    last_sample_ns: AtomicU64,
    pub(crate) heap_base: u64,
}

const SHARDS: usize = 16;
/// After this many `runnext` hand-offs in a row, the next one goes through the queue, so a
/// ping-pong pair cannot starve everyone else (Go's `runnext` inherits the time slice for the
/// same reason).
const RUN_NEXT_STREAK: u32 = 32;
/// How long an idle runner spins before it parks: roughly 10–20 µs here.
const SPIN_ROUNDS: u32 = 4000;

impl Shared {
    pub(crate) fn new(
        mode: Mode,
        clock: Clock,
        seed: Option<u64>,
        events: Option<usize>,
        sample_every_ns: u64,
    ) -> Shared {
        Shared {
            mode,
            clock,
            timers: Timers::default(),
            queue: Mutex::new(Queue {
                runnable: VecDeque::new(),
                idle: 0,
                parked: 0,
            }),
            queue_len: AtomicUsize::new(0),
            cv: Condvar::new(),
            done_cv: Condvar::new(),
            done_mx: Mutex::new(()),
            live: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            blocked: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            peak_live: AtomicUsize::new(0),
            spawned: AtomicU64::new(0),
            next_gid: AtomicU64::new(1),
            next_object: AtomicU64::new(1),
            registry: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            names: Mutex::new(HashMap::new()),
            gauges: Mutex::new(Vec::new()),
            events: events.map(EventLog::new),
            findings: Mutex::new(Vec::new()),
            deadlocked: AtomicBool::new(false),
            main_id: AtomicU64::new(u64::MAX),
            main_exited: AtomicBool::new(false),
            declaring: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            aborted: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            runners: AtomicUsize::new(0),
            rng: seed.map(|s| Mutex::new(fastrand::Rng::with_seed(s))),
            series: Mutex::new(Series::default()),
            sample_every_ns,
            last_sample_ns: AtomicU64::new(0),
            heap_base: heap().live_bytes,
        }
    }

    pub(crate) fn threads(&self) -> usize {
        match self.mode {
            Mode::Threads(n) => n,
            Mode::Pumped => 1,
        }
    }

    pub(crate) fn now_ns(&self) -> u64 {
        self.clock.now_ns()
    }

    pub(crate) fn new_object_id(&self) -> u64 {
        self.next_object.fetch_add(1, Ordering::Relaxed)
    }

    pub(crate) fn name_object(&self, id: u64, name: &str) {
        self.names.lock().unwrap().insert(id, name.to_string());
    }

    pub(crate) fn gauge(&self, name: &str) -> Arc<AtomicU64> {
        let mut g = self.gauges.lock().unwrap();
        if let Some((_, a)) = g.iter().find(|(n, _)| n == name) {
            return a.clone();
        }
        let a = Arc::new(AtomicU64::new(0));
        g.push((name.to_string(), a.clone()));
        a
    }

    pub(crate) fn live(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    pub(crate) fn peak_live(&self) -> usize {
        self.peak_live.load(Ordering::Acquire)
    }

    /// Starts a new peak window at the current live count.
    pub(crate) fn reset_peak(&self) {
        self.peak_live.store(self.live(), Ordering::Release);
    }

    pub(crate) fn counts(&self) -> (usize, usize, usize, usize) {
        (
            self.live.load(Ordering::Acquire),
            self.running.load(Ordering::Acquire),
            self.blocked.load(Ordering::Acquire),
            self.queued.load(Ordering::Acquire),
        )
    }

    pub(crate) fn spawned(&self) -> u64 {
        self.spawned.load(Ordering::Relaxed)
    }

    fn event(&self, kind: EventKind, g: u64, wait: WaitKind) {
        if let Some(log) = &self.events {
            log.push(Event {
                t_ns: self.now_ns(),
                kind,
                g,
                thread: thread_index(),
                wait,
            });
        }
    }

    pub(crate) fn take_events(&self) -> (Vec<Event>, u64) {
        self.events.as_ref().map(EventLog::take).unwrap_or_default()
    }

    pub(crate) fn add_finding(&self, f: Finding) {
        self.findings.lock().unwrap().push(f);
    }

    pub(crate) fn findings(&self) -> Vec<Finding> {
        self.findings.lock().unwrap().clone()
    }

    /// `go f()`: spawns a goroutine named `name`.
    pub(crate) fn spawn<F>(self: &Arc<Self>, name: &'static str, fut: F) -> u64
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = self.next_gid.fetch_add(1, Ordering::Relaxed);
        if name == "main" {
            self.main_id.store(id, Ordering::Release);
            self.main_exited.store(false, Ordering::Release);
        }
        let meta = Arc::new(GMeta::new(id, name, self.now_ns()));
        // Counted as queued before it counts as live: the deadlock check reads `live` first,
        // so it can never see a live goroutine that is neither queued nor running. (It did,
        // when main was spawned from outside the runtime while both runners were idle.)
        self.queued.fetch_add(1, Ordering::AcqRel);
        let live = self.live.fetch_add(1, Ordering::AcqRel) + 1;
        self.peak_live.fetch_max(live, Ordering::AcqRel);
        self.spawned.fetch_add(1, Ordering::Relaxed);
        let shared = self.clone();
        let wrapped = Goroutine {
            fut,
            shared: self.clone(),
            meta: meta.clone(),
        };
        let schedule = WithInfo(move |r: GRunnable, info: ScheduleInfo| shared.schedule(r, info));
        let (runnable, task) = async_task::Builder::new()
            .metadata(meta.clone())
            .spawn(|_| wrapped, schedule);
        // Registered before it is first scheduled, so it cannot finish before it is listed.
        self.registry[id as usize % SHARDS]
            .lock()
            .unwrap()
            .insert(id, (meta, task));
        self.event(EventKind::Spawn, id, WaitKind::None);
        self.push(runnable, false);
        id
    }

    fn schedule(&self, r: GRunnable, info: ScheduleInfo) {
        let meta = r.metadata();
        let prev = meta.swap(State::Runnable, self.now_ns());
        if prev == State::Blocked {
            self.blocked.fetch_sub(1, Ordering::AcqRel);
            self.event(EventKind::Unblock, meta.id, WaitKind::None);
        }
        self.queued.fetch_add(1, Ordering::AcqRel);
        // A goroutine that woke itself (`yield_now`) goes to the back of the queue, not `runnext`.
        self.push(r, !info.woken_while_running);
    }

    fn push(&self, r: GRunnable, from_wake: bool) {
        if from_wake
            && matches!(self.mode, Mode::Threads(_))
            && IN_POLL.with(Cell::get)
            && self.is_current()
        {
            if let Some(old) = RUN_NEXT.with(|s| s.replace(Some(r))) {
                self.push_queue(old);
            }
            return;
        }
        self.push_queue(r);
    }

    fn is_current(&self) -> bool {
        with_current(|c| c.is_some_and(|c| std::ptr::eq(Arc::as_ptr(c), self)))
    }

    fn push_queue(&self, r: GRunnable) {
        let mut q = self.queue.lock().unwrap();
        q.runnable.push_back(r);
        self.queue_len.store(q.runnable.len(), Ordering::Release);
        let parked = q.parked;
        drop(q);
        if parked > 0 {
            self.cv.notify_one();
        }
    }

    fn pop_queue(&self) -> Option<GRunnable> {
        if self.queue_len.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut q = self.queue.lock().unwrap();
        let r = Self::pop_locked(&self.rng, &mut q);
        self.queue_len.store(q.runnable.len(), Ordering::Release);
        r
    }

    fn pop_locked(rng: &Option<Mutex<fastrand::Rng>>, q: &mut Queue) -> Option<GRunnable> {
        match rng {
            // Deterministic mode: a seeded choice among the runnable goroutines, so that one seed
            // explores one interleaving and another seed another.
            Some(rng) => {
                let n = q.runnable.len();
                if n == 0 {
                    return None;
                }
                let i = rng.lock().unwrap().usize(0..n);
                q.runnable.swap_remove_back(i)
            }
            None => q.runnable.pop_front(),
        }
    }

    /// Polls one goroutine and records the state it is left in.
    fn run(&self, r: GRunnable) {
        let meta = r.metadata().clone();
        // Running before it stops being queued, for the same reason as in `spawn`.
        self.running.fetch_add(1, Ordering::AcqRel);
        self.queued.fetch_sub(1, Ordering::AcqRel);
        meta.swap(State::Running, self.now_ns());
        WAIT.with(|w| w.set(None));
        GID.with(|g| g.set(meta.id));
        IN_POLL.with(|p| p.set(true));
        r.run();
        IN_POLL.with(|p| p.set(false));
        GID.with(|g| g.set(0));
        self.running.fetch_sub(1, Ordering::AcqRel);
        let wait = WAIT.with(|w| w.take()).unwrap_or(Wait {
            kind: WaitKind::None,
            object: 0,
        });
        if meta.park(wait, self.now_ns()) {
            self.blocked.fetch_add(1, Ordering::AcqRel);
            self.event(EventKind::Block, meta.id, wait.kind);
        }
    }

    pub(crate) fn finish(&self, meta: &GMeta) {
        meta.swap(State::Done, self.now_ns());
        if meta.id == self.main_id.load(Ordering::Acquire) {
            self.main_exited.store(true, Ordering::Release);
        }
        self.event(EventKind::Exit, meta.id, WaitKind::None);
        if let Some((_, task)) = self.registry[meta.id as usize % SHARDS]
            .lock()
            .unwrap()
            .remove(&meta.id)
        {
            task.detach();
        }
        if self.live.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.notify_done();
        }
    }

    pub(crate) fn notify_done(&self) {
        let _g = self.done_mx.lock().unwrap();
        self.done_cv.notify_all();
        drop(_g);
        self.cv.notify_all();
    }

    /// Blocks the calling (non-runtime) thread until notified or `timeout` passes.
    pub(crate) fn wait_done(&self, timeout: Duration) {
        let g = self.done_mx.lock().unwrap();
        let _ = self.done_cv.wait_timeout(g, timeout).unwrap();
    }

    /// All goroutines, sorted by id.
    pub(crate) fn goroutines(&self) -> Vec<GoroutineInfo> {
        let now = self.now_ns();
        let names = self.names.lock().unwrap();
        let mut out: Vec<GoroutineInfo> = self
            .registry
            .iter()
            .flat_map(|shard| {
                shard
                    .lock()
                    .unwrap()
                    .values()
                    .map(|(m, _)| {
                        let w = m.wait();
                        let state = m.state();
                        let blocked = state == State::Blocked;
                        GoroutineInfo {
                            id: m.id,
                            name: m.name,
                            state,
                            wait: if blocked { w.kind } else { WaitKind::None },
                            object: if blocked { w.object } else { 0 },
                            object_name: if blocked {
                                names.get(&w.object).cloned()
                            } else {
                                None
                            },
                            for_ms: now.saturating_sub(m.since_ns()) as f64 / 1e6,
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        out.sort_by_key(|g| g.id);
        out
    }

    /// One row of counters now.
    pub(crate) fn sample_now(&self) -> Sample {
        Sample {
            t_ms: self.now_ns() as f64 / 1e6,
            goroutines: self.live.load(Ordering::Acquire) as f64,
            running: self.running.load(Ordering::Acquire) as f64,
            blocked: self.blocked.load(Ordering::Acquire) as f64,
            queued: self.queued.load(Ordering::Acquire) as f64,
            heap_bytes: heap().live_bytes.saturating_sub(self.heap_base) as f64,
        }
    }

    /// Appends a sample to the series if `sample_every_ns` has passed since the last (or `force`).
    pub(crate) fn sample(&self, force: bool) {
        let now = self.now_ns();
        let last = self.last_sample_ns.load(Ordering::Acquire);
        if !force && now < last.saturating_add(self.sample_every_ns) && last != 0 {
            return;
        }
        self.last_sample_ns.store(now.max(1), Ordering::Release);
        let s = self.sample_now();
        let gauges: Vec<(String, f64)> = self
            .gauges
            .lock()
            .unwrap()
            .iter()
            .map(|(n, a)| (n.clone(), a.load(Ordering::Acquire) as f64))
            .collect();
        self.series.lock().unwrap().push(s, &gauges);
    }

    pub(crate) fn series(&self) -> Series {
        self.series.lock().unwrap().clone()
    }

    /// Go's deadlock condition: every goroutine is blocked, no timer can wake one, and the
    /// program has not finished. Nothing outside the runtime holds a channel (the driver only
    /// starts, polls and aborts runs), so there is no outside waker to count.
    fn deadlock_now(&self) -> bool {
        // Read in the reverse order of the writes in `spawn` (queued, then live) and `run`
        // (running, then queued): whoever sees the later write also sees the earlier one.
        self.live.load(Ordering::Acquire) > 0
            && self.queued.load(Ordering::Acquire) == 0
            && self.running.load(Ordering::Acquire) == 0
            && self.timers.live() == 0
            && !self.finished.load(Ordering::Acquire)
            && !self.aborted.load(Ordering::Acquire)
    }

    fn declare_deadlock(&self) {
        if self.declaring.swap(true, Ordering::AcqRel) {
            return;
        }
        let waiting = self.goroutines();
        self.add_finding(Finding {
            kind: FindingKind::Deadlock,
            message: "fatal error: all goroutines are asleep - deadlock!".into(),
            at_ms: self.now_ns() as f64 / 1e6,
            goroutines: waiting,
        });
        // The flag goes up only once the finding is recorded: whoever sees it can read the list.
        self.deadlocked.store(true, Ordering::Release);
        self.notify_done();
    }

    /// The loop of one runner thread. Returns at shutdown.
    pub(crate) fn runner(self: &Arc<Self>, index: u32) {
        struct Exit<'a>(&'a Shared);
        impl Drop for Exit<'_> {
            fn drop(&mut self) {
                self.0.runners.fetch_sub(1, Ordering::AcqRel);
                self.0.notify_done();
            }
        }
        let _exit = Exit(self);
        let _enter = enter(self);
        // A runnext left over from an earlier runtime on this (reused) thread is not ours.
        drop(RUN_NEXT.with(Cell::take));
        THREAD.with(|t| t.set(index));
        let mut streak = 0u32;
        let mut since_timers = 0u32;
        loop {
            if let Some(r) = RUN_NEXT.with(Cell::take) {
                if streak < RUN_NEXT_STREAK {
                    streak += 1;
                    self.run(r);
                    continue;
                }
                self.push_queue(r);
            }
            streak = 0;
            since_timers += 1;
            if since_timers >= 16 {
                since_timers = 0;
                self.timers.fire_due(self.now_ns());
            }
            if let Some(r) = self.pop_queue() {
                self.run(r);
                continue;
            }
            // Nothing to run: service timers, spin a little (a wake costs ~25 µs, while a
            // hand-off from the other thread often comes within a few µs; Go's idle Ps spin
            // too), then sleep until the next timer or a push.
            self.timers.fire_due(self.now_ns());
            if self.spin() {
                continue;
            }
            let mut q = self.queue.lock().unwrap();
            if !q.runnable.is_empty() {
                continue;
            }
            // Read under the queue lock: `add_timer` checks for idle runners under the same lock,
            // so a timer armed after this read always comes with a notify.
            let next = self.timers.next_deadline();
            if self.shutdown.load(Ordering::Acquire) {
                drop(q);
                drop(RUN_NEXT.with(Cell::take));
                return;
            }
            q.idle += 1;
            if q.idle == self.threads() && self.deadlock_now() {
                drop(q);
                self.declare_deadlock();
                q = self.queue.lock().unwrap();
            }
            q.parked += 1;
            q = match next {
                Some(t) => self.cv.wait_timeout(q, self.clock.real_until(t)).unwrap().0,
                None => {
                    self.cv
                        .wait_timeout(q, Duration::from_millis(50))
                        .unwrap()
                        .0
                }
            };
            q.parked -= 1;
            q.idle -= 1;
        }
    }

    /// Spins for a few microseconds waiting for work; true when some arrived.
    fn spin(&self) -> bool {
        if self.threads() < 2 {
            return false;
        }
        for _ in 0..SPIN_ROUNDS {
            if self.queue_len.load(Ordering::Acquire) > 0 {
                return true;
            }
            std::hint::spin_loop();
        }
        false
    }

    /// Runs ready goroutines on the calling thread until none is ready or `max_polls` ran.
    /// Fires due timers; on a virtual clock, jumps to the next timer when nothing can run.
    pub(crate) fn pump(self: &Arc<Self>, max_polls: usize) -> Pump {
        let _enter = enter(self);
        let mut polls = 0;
        // A pump slice also ends after ~12 ms of wall time, so a single-threaded driver gets back
        // to its event loop (and hears "Stop") even when goroutines do CPU work.
        let start = web_time::Instant::now();
        loop {
            self.timers.fire_due(self.now_ns());
            if let Some(r) = self.pop_queue() {
                self.run(r);
                polls += 1;
                // Not on a virtual clock: a slice boundary that depends on the wall clock made
                // two runs with one seed differ there (rarely, on a loaded machine).
                let slice_over = !self.clock.is_virtual()
                    && polls % 8 == 0
                    && start.elapsed() > Duration::from_millis(12);
                if polls >= max_polls || slice_over {
                    return Pump::Busy;
                }
                continue;
            }
            match self.timers.next_deadline() {
                // Once main has returned the program is over, as in Go: virtual time does not
                // jump to timers nobody waits for (a context's timeout), or two runs with one
                // seed would end at different times depending on where a slice ended.
                Some(_) if self.clock.is_virtual() && self.finished.load(Ordering::Acquire) => {
                    return Pump::Idle
                }
                Some(t) if self.clock.is_virtual() => {
                    self.sample(false);
                    self.clock.advance_to(t);
                }
                Some(t) => return Pump::IdleUntil(t),
                None => {
                    if self.deadlock_now() {
                        self.declare_deadlock();
                    }
                    return Pump::Idle;
                }
            }
        }
    }

    /// One step of a pumped runtime: fire due timers and poll one goroutine; when none is
    /// ready, jump virtual time to the next timer (or detect a deadlock).
    pub(crate) fn step_one(self: &Arc<Self>) {
        let _enter = enter(self);
        self.timers.fire_due(self.now_ns());
        if let Some(r) = self.pop_queue() {
            self.run(r);
            return;
        }
        match self.timers.next_deadline() {
            Some(_) if self.clock.is_virtual() && self.finished.load(Ordering::Acquire) => {}
            Some(t) if self.clock.is_virtual() => {
                self.clock.advance_to(t);
                self.timers.fire_due(t);
            }
            Some(_) => {}
            None => {
                if self.deadlock_now() {
                    self.declare_deadlock();
                }
            }
        }
    }

    /// Stops the runner threads and cancels every goroutine still alive.
    pub(crate) fn shutdown(&self) {
        self.shutdown.store(true, Ordering::Release);
        {
            let _q = self.queue.lock().unwrap();
            self.cv.notify_all();
        }
        self.timers.clear();
        let mut tasks = Vec::new();
        for shard in &self.registry {
            tasks.extend(shard.lock().unwrap().drain().map(|(_, (_, t))| t));
        }
        drop(tasks); // dropping a Task cancels its goroutine and frees its future
        let queued: Vec<_> = self.queue.lock().unwrap().runnable.drain(..).collect();
        self.queue_len.store(0, Ordering::Release);
        drop(queued);
    }
}

/// What a pump call ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pump {
    /// It stopped after `max_polls`; more is ready.
    Busy,
    /// Nothing is ready until the timer at this runtime time.
    IdleUntil(u64),
    /// Nothing is ready and no timer is armed.
    Idle,
}

/// A goroutine's future: catches its panic (Go would crash; we report it and carry on) and
/// tells the scheduler when it ends.
struct Goroutine<F> {
    fut: F,
    shared: Arc<Shared>,
    meta: Arc<GMeta>,
}

impl<F: Future<Output = ()>> Future for Goroutine<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `fut` is structurally pinned; the other fields are never moved out.
        let this = unsafe { self.get_unchecked_mut() };
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(())) => {
                this.shared.finish(&this.meta);
                Poll::Ready(())
            }
            Err(payload) => {
                let message = super::panic_message(&payload);
                this.shared
                    .event(EventKind::Panic, this.meta.id, WaitKind::None);
                this.shared.add_finding(Finding {
                    kind: FindingKind::Panic,
                    message: format!("panic: {message} [goroutine {}]", this.meta.id),
                    at_ms: this.shared.now_ns() as f64 / 1e6,
                    goroutines: vec![],
                });
                this.shared.finish(&this.meta);
                Poll::Ready(())
            }
        }
    }
}

impl Shared {
    /// A random number below `n`: seeded in deterministic mode, so a seed fixes every choice.
    pub(crate) fn random_below(&self, n: usize) -> usize {
        match &self.rng {
            Some(rng) => rng.lock().unwrap().usize(0..n),
            None => fastrand::usize(0..n),
        }
    }

    /// Arms a timer; wakes a sleeping runner when it became the earliest, so that runner
    /// recomputes how long to sleep.
    pub(crate) fn add_timer(
        &self,
        deadline_ns: u64,
        action: super::clock::Action,
    ) -> Arc<super::clock::TimerHandle> {
        let (handle, earliest) = self.timers.add(deadline_ns, action);
        if earliest && matches!(self.mode, Mode::Threads(_)) {
            let q = self.queue.lock().unwrap();
            if q.parked > 0 {
                self.cv.notify_one();
            }
        }
        handle
    }
}
