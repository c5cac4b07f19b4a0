//! The M:N scheduler: goroutines (async tasks) on a fixed set of threads, or pumped by the caller.
//!
//! See README.md next to this file for the design.

use std::{
    cell::Cell,
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
    events::{Event, EventKind, EventLog},
    goroutine::{GMeta, GoroutineInfo, State, Wait, WaitKind},
    local::{self, enter, thread_index, with_current},
    object::Objects,
    observe::{MarkKind, Observer},
    waitgraph::{self, WaitGraph},
    Finding, FindingKind,
};

pub(crate) type GRunnable = Runnable<Arc<GMeta>>;

/// A live goroutine in the registry: its record and its task handle (dropping the handle at
/// shutdown cancels the goroutine and frees its future).
type Entry = (Arc<GMeta>, Task<(), Arc<GMeta>>);

thread_local! {
    /// Go's `runnext`: a goroutine woken by the running one runs next on this thread.
    static RUN_NEXT: Cell<Option<GRunnable>> = const { Cell::new(None) };
    /// True while this thread polls a goroutine (wakes then go to `RUN_NEXT`).
    static IN_POLL: Cell<bool> = const { Cell::new(false) };
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
    /// The goroutine counters, the series, gauges and marks.
    pub(crate) obs: Observer,
    /// The channels, WaitGroups, mutexes… made in this runtime.
    pub(crate) objects: Arc<Objects>,
    spawned: AtomicU64,
    polls: AtomicU64,
    next_gid: AtomicU64,
    registry: Vec<Mutex<HashMap<u64, Entry>>>,
    events: Option<EventLog>,
    findings: Mutex<Vec<Finding>>,
    /// The wait-for graph when the deadlock was declared.
    deadlock_graph: Mutex<Option<WaitGraph>>,
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
    pub(crate) sample_every_ns: u64,
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
        sample_every: Duration,
    ) -> Shared {
        let threads = match mode {
            Mode::Threads(n) => n,
            Mode::Pumped => 1,
        };
        let heap_extremes = !clock.is_virtual();
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
            obs: Observer::new(sample_every, heap_extremes),
            objects: Arc::new(Objects::new()),
            spawned: AtomicU64::new(0),
            polls: AtomicU64::new(0),
            next_gid: AtomicU64::new(1),
            registry: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            events: events.map(|cap| EventLog::new(cap, threads)),
            findings: Mutex::new(Vec::new()),
            deadlock_graph: Mutex::new(None),
            deadlocked: AtomicBool::new(false),
            main_id: AtomicU64::new(u64::MAX),
            main_exited: AtomicBool::new(false),
            declaring: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            aborted: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            runners: AtomicUsize::new(0),
            rng: seed.map(|s| Mutex::new(fastrand::Rng::with_seed(s))),
            sample_every_ns: (sample_every.as_nanos() as u64).max(1),
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

    pub(crate) fn live(&self) -> usize {
        self.obs.live.get().max(0) as usize
    }

    /// The most goroutines alive at once over the whole run.
    pub(crate) fn peak_live(&self) -> usize {
        self.obs.peak()
    }

    /// The most alive since the last [`Shared::reset_peak`].
    pub(crate) fn window_peak(&self) -> usize {
        self.obs.window_peak()
    }

    /// Starts a new peak window at the current live count.
    pub(crate) fn reset_peak(&self) {
        self.obs.reset_window();
    }

    pub(crate) fn counts(&self) -> (usize, usize, usize, usize) {
        let g = |l: &super::level::Level| l.get().max(0) as usize;
        (
            g(&self.obs.live),
            g(&self.obs.running),
            g(&self.obs.blocked),
            g(&self.obs.queued),
        )
    }

    pub(crate) fn spawned(&self) -> u64 {
        self.spawned.load(Ordering::Relaxed)
    }

    pub(crate) fn polls(&self) -> u64 {
        self.polls.load(Ordering::Relaxed)
    }

    pub(crate) fn event(&self, kind: EventKind, g: u64, wait: WaitKind, object: u64) {
        if let Some(log) = &self.events {
            if object != 0 {
                log.remember(object, || self.objects.name(object));
            }
            log.push(Event {
                t_ns: self.now_ns(),
                dur_ns: 0,
                kind,
                g,
                name: "",
                thread: thread_index(),
                wait,
                object,
            });
        }
    }

    pub(crate) fn take_events(&self) -> (Vec<Event>, u64) {
        self.events.as_ref().map(EventLog::take).unwrap_or_default()
    }

    pub(crate) fn events(&self) -> (Vec<Event>, u64) {
        self.events
            .as_ref()
            .map(EventLog::events)
            .unwrap_or_default()
    }

    /// An object's name for the trace: as it was when an event referred to it, or now.
    pub(crate) fn object_name(&self, id: u64) -> String {
        self.events
            .as_ref()
            .and_then(|log| log.name(id))
            .or_else(|| self.objects.name(id))
            .unwrap_or_else(|| format!("object {id}"))
    }

    /// An instant on the run's time axis, at runtime now.
    pub(crate) fn mark(&self, kind: MarkKind, label: String) {
        self.obs.mark(self.now_ns(), kind, label);
    }

    pub(crate) fn add_finding(&self, f: Finding) {
        self.findings.lock().unwrap().push(f);
    }

    pub(crate) fn findings(&self) -> Vec<Finding> {
        self.findings.lock().unwrap().clone()
    }

    /// The wait-for graph now.
    pub(crate) fn wait_graph(&self) -> WaitGraph {
        waitgraph::build(&self.goroutines(), &self.objects.views())
    }

    /// The wait-for graph as it was when the deadlock was declared.
    pub(crate) fn deadlock_graph(&self) -> Option<WaitGraph> {
        self.deadlock_graph.lock().unwrap().clone()
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
        self.obs.queued.add(1);
        self.obs.spawned();
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
        if let Some(log) = &self.events {
            log.push(Event {
                t_ns: self.now_ns(),
                dur_ns: 0,
                kind: EventKind::Spawn,
                g: id,
                name,
                thread: thread_index(),
                wait: WaitKind::None,
                object: 0,
            });
        }
        self.push(runnable, false);
        id
    }

    fn schedule(&self, r: GRunnable, info: ScheduleInfo) {
        let meta = r.metadata();
        let prev = meta.swap(State::Runnable, self.now_ns());
        if prev == State::Blocked {
            self.obs.blocked.add(-1);
            self.event(EventKind::Unblock, meta.id, WaitKind::None, 0);
        }
        self.obs.queued.add(1);
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
        self.obs.running.add(1);
        self.obs.queued.add(-1);
        let start = self.now_ns();
        meta.swap(State::Running, start);
        local::take_wait();
        local::set_goroutine(meta.id, meta.name);
        IN_POLL.with(|p| p.set(true));
        r.run();
        IN_POLL.with(|p| p.set(false));
        local::set_goroutine(0, "");
        self.polls.fetch_add(1, Ordering::Relaxed);
        self.obs.running.add(-1);
        let wait = local::take_wait().unwrap_or(Wait {
            kind: WaitKind::None,
            object: 0,
        });
        let end = self.now_ns();
        if let Some(log) = &self.events {
            log.push(Event {
                t_ns: start,
                dur_ns: end.saturating_sub(start),
                kind: EventKind::Run,
                g: meta.id,
                name: meta.name,
                thread: thread_index(),
                wait: WaitKind::None,
                object: 0,
            });
        }
        if meta.park(wait, end) {
            self.obs.blocked.add(1);
            self.event(EventKind::Block, meta.id, wait.kind, wait.object);
        }
        if self.obs.due(end) {
            self.obs.sample(end, false);
        }
    }

    pub(crate) fn finish(&self, meta: &GMeta) {
        meta.swap(State::Done, self.now_ns());
        if meta.id == self.main_id.load(Ordering::Acquire) {
            self.main_exited.store(true, Ordering::Release);
        }
        self.event(EventKind::Exit, meta.id, WaitKind::None, 0);
        if let Some((_, task)) = self.registry[meta.id as usize % SHARDS]
            .lock()
            .unwrap()
            .remove(&meta.id)
        {
            task.detach();
        }
        if self.obs.live.add(-1) == 0 {
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
                            object_name: None,
                            for_ms: now.saturating_sub(m.since_ns()) as f64 / 1e6,
                        }
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        // Named after the registry locks are released (an object being dropped takes the
        // objects' lock, never a registry shard's, but keep the two apart anyway).
        for g in &mut out {
            if g.object != 0 {
                g.object_name = self.objects.name(g.object);
            }
        }
        out.sort_by_key(|g| g.id);
        out
    }

    /// Samples the series if a sample is due (or `force`).
    pub(crate) fn sample(&self, force: bool) {
        self.obs.sample(self.now_ns(), force);
    }

    /// Go's deadlock condition: every goroutine is blocked, no timer can wake one, and the
    /// program has not finished. Nothing outside the runtime holds a channel (the driver only
    /// starts, polls and aborts runs), so there is no outside waker to count.
    fn deadlock_now(&self) -> bool {
        // Read in the reverse order of the writes in `spawn` (queued, then live) and `run`
        // (running, then queued): whoever sees the later write also sees the earlier one.
        self.obs.live.get() > 0
            && self.obs.queued.get() == 0
            && self.obs.running.get() == 0
            && self.timers.live() == 0
            && !self.finished.load(Ordering::Acquire)
            && !self.aborted.load(Ordering::Acquire)
    }

    fn declare_deadlock(&self) {
        if self.declaring.swap(true, Ordering::AcqRel) {
            return;
        }
        let waiting = self.goroutines();
        let graph = waitgraph::build(&waiting, &self.objects.views());
        *self.deadlock_graph.lock().unwrap() = Some(graph);
        self.event(EventKind::Deadlock, 0, WaitKind::None, 0);
        self.mark(MarkKind::Deadlock, "all goroutines are asleep".into());
        self.add_finding(Finding {
            kind: FindingKind::Deadlock,
            message: "fatal error: all goroutines are asleep - deadlock!".into(),
            at_ms: self.now_ns() as f64 / 1e6,
            goroutines: waiting,
        });
        self.sample(true);
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
        local::set_thread_index(index);
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
            let now = self.now_ns();
            self.timers.fire_due(now);
            if self.spin() {
                continue;
            }
            self.obs.sample(now, false);
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
            drop(q);
            self.sample(false);
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
                    .event(EventKind::Panic, this.meta.id, WaitKind::None, 0);
                this.shared.mark(
                    MarkKind::Panic,
                    format!("{} #{}: {message}", this.meta.name, this.meta.id),
                );
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
