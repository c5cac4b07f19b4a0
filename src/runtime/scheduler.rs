//! The M:N scheduler: goroutines (async tasks) on a fixed set of threads, or pumped by the caller.
//!
//! This file holds what every part shares (`Shared`), and how a goroutine is spawned, made ready
//! and polled. The parts: `runner.rs` (a runner thread's loop), `queue.rs` (run queues),
//! `sleep.rs` (parking), `registry.rs` (the live goroutines), `observe.rs` (counters and
//! series), `deadlock.rs`, `pump.rs` (the caller-driven mode), `local.rs` (thread-locals). See
//! README.md for the design.

use std::{
    cell::Cell,
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

use async_task::{Runnable, ScheduleInfo, WithInfo};

use super::{
    super::metrics::alloc,
    clock::{Action, Clock, TimerHandle, Timers},
    events::{Event, EventKind, EventLog},
    goroutine::{GMeta, GoroutineInfo, State, Wait, WaitKind},
    local::{self, thread_index},
    object::Objects,
    observe::{MarkKind, Observer},
    queue::{Local, Queues},
    registry::Registry,
    sleep::Sleep,
    waitgraph::{self, WaitGraph},
    Finding, FindingKind,
};

pub(crate) type GRunnable = Runnable<GMeta>;

/// How goroutines get threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `n` runner threads park when idle and service timers.
    Threads(usize),
    /// No threads of its own: the caller pumps (single-threaded wasm, deterministic mode).
    Pumped,
}

/// Everything the runner threads, the goroutines and the caller share.
pub(crate) struct Shared {
    pub(crate) mode: Mode,
    pub(crate) clock: Clock,
    pub(crate) timers: Timers,
    pub(crate) queues: Queues,
    pub(crate) sleep: Sleep,
    pub(crate) registry: Registry,
    /// The goroutine counters, the series, gauges and marks.
    pub(crate) obs: Observer,
    /// The channels, WaitGroups, mutexes… made in this runtime.
    pub(crate) objects: Arc<Objects>,
    /// Wakes `block_on` when the main goroutine ends or a deadlock is found.
    done_cv: Condvar,
    done_mx: Mutex<()>,
    /// The next goroutine's id; ids count up from 1, so it also counts the goroutines spawned
    /// (a second shared counter cost an atomic add per spawn).
    next_gid: AtomicU64,
    pub(crate) events: Option<EventLog>,
    findings: Mutex<Vec<Finding>>,
    /// The wait-for graph when the deadlock was declared.
    pub(crate) deadlock_graph: Mutex<Option<WaitGraph>>,
    pub(crate) deadlocked: AtomicBool,
    /// The id of the run's main goroutine, and whether it has fully exited.
    pub(crate) main_id: AtomicU64,
    pub(crate) main_exited: AtomicBool,
    pub(crate) declaring: AtomicBool,
    pub(crate) finished: AtomicBool,
    pub(crate) aborted: AtomicBool,
    /// When the program ended, in runtime ns (`u64::MAX` until then): see [`Shared::ended`].
    ended_ns: AtomicU64,
    pub(crate) shutdown: AtomicBool,
    /// Runner threads started and not yet returned (a dropped runtime waits for them).
    pub(crate) runners: AtomicUsize,
    pub(crate) rng: Option<Mutex<fastrand::Rng>>,
    pub(crate) sample_every_ns: u64,
}

/// A pointer to `Shared` inside each task's schedule function and wrapper future, instead of an
/// `Arc`: cloning an `Arc` per spawn and dropping it per exit would bounce its count between
/// the spawning and the finishing thread. Sound because `Shared` outlives every call through
/// it: tasks run only on runner threads and pumping callers, which hold an `Arc`, and a task is
/// only scheduled while it is open; shutdown closes every task (a closed task is never
/// scheduled again) before the runtime lets go of `Shared`.
#[derive(Clone, Copy)]
struct SharedRef(*const Shared);

// SAFETY: `Shared` is `Sync`; see the type's comment for why the pointer stays valid.
unsafe impl Send for SharedRef {}
unsafe impl Sync for SharedRef {}

impl SharedRef {
    fn get(&self) -> &Shared {
        // SAFETY: see the type's comment.
        unsafe { &*self.0 }
    }
}

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
            Mode::Pumped => 0,
        };
        let queues = Queues::new(threads);
        let heap_extremes = !clock.is_virtual();
        Shared {
            mode,
            clock,
            timers: Timers::default(),
            queues,
            sleep: Sleep::new(threads),
            registry: Registry::new(threads),
            obs: Observer::new(sample_every, heap_extremes),
            objects: Arc::new(Objects::new()),
            done_cv: Condvar::new(),
            done_mx: Mutex::new(()),
            next_gid: AtomicU64::new(1),
            events: events.map(|cap| EventLog::new(cap, threads.max(1))),
            findings: Mutex::new(Vec::new()),
            deadlock_graph: Mutex::new(None),
            deadlocked: AtomicBool::new(false),
            main_id: AtomicU64::new(u64::MAX),
            main_exited: AtomicBool::new(false),
            declaring: AtomicBool::new(false),
            finished: AtomicBool::new(false),
            aborted: AtomicBool::new(false),
            ended_ns: AtomicU64::new(u64::MAX),
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

    /// Runtime now, for an instant ordered against others on the page: see [`Clock::stamp_ns`].
    pub(crate) fn stamp_ns(&self) -> u64 {
        self.clock.stamp_ns()
    }

    /// The program ended now (main returned or unwound, a deadlock was declared, the run was
    /// aborted); the first call wins. A report's runtime is measured to here, not to whenever
    /// its driver gets round to finishing: on the page that was later by its polling delay times
    /// the time scale (review R5 of session 14: 1894 ms reported for a run whose last goroutine
    /// ended at 1273 ms).
    pub(crate) fn ended(&self) {
        self.ended_at(self.stamp_ns());
    }

    /// [`Shared::ended`] at `now_ns`.
    pub(crate) fn ended_at(&self, now_ns: u64) {
        let first = self
            .ended_ns
            .compare_exchange(u64::MAX, now_ns, Ordering::AcqRel, Ordering::Acquire)
            .is_ok();
        // A row at the end: the extremes since the last sample land before it, and a report
        // that ends its series there loses none (a short run may have had no sample yet).
        if first {
            // At the end's own instant: the run's last row is at its runtime. Rows stamped
            // after it are taken back, their extremes kept (see `Observer::sample_end`).
            self.obs.sample_end(now_ns, &self.queues);
        }
    }

    /// When the program ended, runtime ns ([`Shared::ended`]).
    pub(crate) fn ended_ns(&self) -> Option<u64> {
        Some(self.ended_ns.load(Ordering::Acquire)).filter(|&t| t != u64::MAX)
    }

    pub(crate) fn live(&self) -> usize {
        self.obs.live.get(&self.queues.stats).max(0) as usize
    }

    pub(crate) fn spawned(&self) -> u64 {
        self.next_gid.load(Ordering::Relaxed) - 1
    }

    pub(crate) fn polls(&self) -> u64 {
        self.queues.polls()
    }

    /// `(live, running, blocked, queued)` now.
    pub(crate) fn counts(&self) -> (usize, usize, usize, usize) {
        let live = self.live();
        let running = self.queues.running_now();
        let queued = self.queues.queued();
        let blocked = live.saturating_sub(running + queued);
        (live, running, blocked, queued)
    }

    pub(crate) fn event(&self, kind: EventKind, g: u64, wait: WaitKind, object: u64) {
        if self.events.is_some() {
            self.event_at(self.stamp_ns(), kind, g, wait, object);
        }
    }

    /// [`Shared::event`] at `t_ns` (runtime ns).
    pub(crate) fn event_at(&self, t_ns: u64, kind: EventKind, g: u64, wait: WaitKind, object: u64) {
        if let Some(log) = &self.events {
            if object != 0 {
                log.remember(object, &self.objects);
            }
            log.push(Event {
                t_ns,
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

    pub(crate) fn events(&self) -> (Vec<Event>, u64) {
        self.events
            .as_ref()
            .map(EventLog::events)
            .unwrap_or_default()
    }

    pub(crate) fn take_events(&self) -> (Vec<Event>, u64) {
        self.events.as_ref().map(EventLog::take).unwrap_or_default()
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
    /// Marks an instant at runtime now; returns that instant (ns), so a caller can give another
    /// record of the same moment the same time (review F12: a finding 2.6 ms after its mark).
    pub(crate) fn mark(&self, kind: MarkKind, label: String) -> u64 {
        let t = self.stamp_ns();
        self.obs.mark(t, kind, label);
        t
    }

    /// A mark, `change` and a row of the series, at one instant (see `Observer::at_instant`).
    /// On a virtual clock the pump samples before each jump of time, so the mark alone.
    pub(crate) fn mark_with(&self, kind: MarkKind, label: String, change: &mut dyn FnMut()) -> u64 {
        if self.clock.is_virtual() {
            let t = self.mark(kind, label);
            change();
            return t;
        }
        let mut label = Some(label);
        self.obs
            .at_instant(&|| self.stamp_ns(), &self.queues, &mut |t| {
                if let Some(label) = label.take() {
                    self.obs.mark(t, kind, label);
                }
                change();
            })
    }

    pub(crate) fn add_finding(&self, f: Finding) {
        self.findings.lock().unwrap().push(f);
    }

    pub(crate) fn findings(&self) -> Vec<Finding> {
        self.findings.lock().unwrap().clone()
    }

    /// Every live goroutine, sorted by id, with the names of the objects they wait on.
    pub(crate) fn goroutines(&self) -> Vec<GoroutineInfo> {
        self.goroutines_at(self.now_ns())
    }

    /// [`Shared::goroutines`], each one's time in its state measured to `now_ns`.
    pub(crate) fn goroutines_at(&self, now_ns: u64) -> Vec<GoroutineInfo> {
        let mut out = self.registry.snapshot(now_ns);
        for g in &mut out {
            if g.object != 0 {
                g.object_name = self.objects.name(g.object);
            }
        }
        out
    }

    /// The wait-for graph now.
    pub(crate) fn wait_graph(&self) -> WaitGraph {
        waitgraph::build(&self.goroutines(), &self.objects.views())
    }

    /// Samples the series at runtime now if a sample is due (or `force`).
    pub(crate) fn sample(&self, force: bool) {
        self.sample_at(self.now_ns(), force);
    }

    pub(crate) fn sample_at(&self, now_ns: u64, force: bool) {
        if force || self.obs.due(now_ns) {
            self.obs
                .sample(now_ns, force, &self.queues, Some(&self.clock));
        }
    }

    /// Samples before nothing runs for a while (see `Observer::sample_settled`).
    pub(crate) fn sample_settled(&self, now_ns: u64) {
        self.obs.sample_settled(now_ns, &self.queues, &self.clock);
    }

    /// `go f()`: spawns a goroutine named `name`.
    pub(crate) fn spawn<F>(&self, name: &'static str, fut: F) -> u64
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let id = self.next_gid.fetch_add(1, Ordering::Relaxed);
        if name == "main" {
            self.main_id.store(id, Ordering::Release);
            self.main_exited.store(false, Ordering::Release);
        }
        let (runner, now) = local::with_runner_of(self, |l| (l.index, l.now_ns.get()))
            .map_or_else(|| (None, self.now_ns()), |(i, t)| (Some(i), t));
        let meta = GMeta::new(id, name, self.registry.shard_for(runner), now);
        let this = SharedRef(self);
        let schedule =
            WithInfo(move |r: GRunnable, info: ScheduleInfo| this.get().schedule(r, info));
        // On a runner, the task reuses the block of a goroutine this runner freed. (Not with
        // `goroutine_blocks`: a copy of it per goroutine type weighed in the wasm module.)
        let was = alloc::set_goroutine_blocks(runner.is_some());
        let (runnable, task) = async_task::Builder::new().metadata(meta).spawn(
            move |meta: &GMeta| Goroutine {
                fut,
                shared: this,
                meta: meta as *const GMeta,
            },
            schedule,
        );
        alloc::set_goroutine_blocks(was);
        // Listed before it is first scheduled, so it cannot finish unlisted.
        self.registry.insert(task);
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
        self.push(runnable, Push::Spawn);
        id
    }

    /// async-task's schedule function: the goroutine is ready.
    fn schedule(&self, r: GRunnable, info: ScheduleInfo) {
        let meta = r.metadata();
        if meta.swap(State::Runnable) == State::Blocked && self.events.is_some() {
            self.event(EventKind::Unblock, meta.id, WaitKind::None, 0);
        }
        // A goroutine woken while it was running (`yield_now`, or a wake from another thread
        // during its poll) goes to the back of the queue; one woken by the running goroutine
        // runs next.
        self.push(
            r,
            if info.woken_while_running {
                Push::Back
            } else {
                Push::Wake
            },
        );
    }

    fn push(&self, r: GRunnable, how: Push) {
        // A new goroutine counts as live just before it is queued: a deadlock check (which
        // only runs when no runner is busy, and for pushes from outside under the same lock as
        // the push) never sees it alive and nowhere.
        let spawned = |runner| {
            if how == Push::Spawn {
                self.obs.spawned(&self.queues, runner);
            }
        };
        if self.mode == Mode::Pumped {
            spawned(None);
            self.queues.pumped.lock().unwrap().push_back(r);
            return;
        }
        let mut r = Some(r);
        local::with_runner_of(self, |l| {
            let r = r.take().expect("pushed once");
            spawned(Some(l.index));
            match how {
                Push::Wake if l.in_poll.get() => {
                    // A goroutine that last ran on another runner moves here: an idle runner
                    // may take it back from `runnext` if this one stays busy. One that ran
                    // here is a plain hand-off: nobody needs waking.
                    let migrated = r.metadata().last_runner() != l.index;
                    match self.queues.stats[l.index].put_next(r) {
                        Some(old) => self.queues.push_local(l.index, old),
                        None if !migrated => return,
                        None => {}
                    }
                }
                _ => self.queues.push_local(l.index, r),
            }
            self.sleep.notify_work();
        });
        // Not on one of our runners (the driver starting main, a timer on another runtime's
        // thread): the global queue, under the lock the deadlock check takes.
        if let Some(r) = r {
            self.sleep.push_outside(|| {
                spawned(None);
                self.queues.global.push(r);
            });
        }
    }

    /// Polls one goroutine and records the state it is left in.
    pub(crate) fn run(&self, r: GRunnable, l: Option<&Local>) {
        // The goroutine parks itself at the end of its poll (`Shared::parked`): once `run`
        // returns, a wake can run it to its end on another thread and free it, so its task is
        // not looked at after. (Parking here after the poll needed a reference to the task for
        // that, a waker cloned and dropped around every poll: two atomic operations.)
        let meta = r.metadata();
        let (id, name) = (meta.id, meta.name);
        meta.set_running(l.map_or(0, |l| l.index));
        let (stats, events) = (
            l.map(|l| &self.queues.stats[l.index]),
            self.events.is_some(),
        );
        if let Some(s) = stats {
            s.running.store(1, Ordering::Release);
        }
        let start = if events || l.is_none() {
            self.now_ns()
        } else {
            0
        };
        local::take_wait();
        local::set_goroutine(id, name);
        if let Some(l) = l {
            l.in_poll.set(true);
        }
        let finished = {
            FINISHED.with(|f| f.set(false));
            r.run();
            FINISHED.with(|f| f.get())
        };
        if let Some(l) = l {
            l.in_poll.set(false);
        }
        local::set_goroutine(0, "");
        if let Some(s) = stats {
            s.running.store(0, Ordering::Release);
            s.polls
                .store(s.polls.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        } else {
            let s = &self.queues.stats[0];
            s.polls
                .store(s.polls.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
        }
        if let Some(log) = &self.events {
            let end = self.now_ns();
            log.push(Event {
                t_ns: start,
                dur_ns: end.saturating_sub(start),
                kind: EventKind::Run,
                g: id,
                name,
                thread: thread_index(),
                wait: WaitKind::None,
                object: 0,
            });
            if let Some(wait) = PARKED.with(Cell::take) {
                self.event(EventKind::Block, id, wait.kind, wait.object);
            }
        }
        if finished && l.is_some() {
            alloc::set_goroutine_blocks(false); // see `finish`
        }
    }

    /// The goroutine polled on this thread returned `Pending`: `Running → Blocked` with what it
    /// said it waits on, from inside its poll. No wake can have made it runnable yet: async-task
    /// schedules a goroutine woken during its poll only once the poll has returned.
    fn parked(&self, meta: &GMeta) {
        let wait = local::take_wait().unwrap_or(Wait {
            kind: WaitKind::None,
            object: 0,
        });
        let events = self.events.is_some();
        // The runner's clock as of the poll's start (it reads the clock only every few polls).
        let now = if events {
            None
        } else {
            local::with_runner_of(self, |l| l.now_ns.get())
        }
        .unwrap_or_else(|| self.now_ns());
        if meta.park_in_poll(wait, now) && events {
            PARKED.with(|p| p.set(Some(wait)));
        }
    }

    /// A goroutine returned (or panicked): take it off the books.
    fn finish(&self, meta: &GMeta) {
        FINISHED.with(|f| f.set(true));
        meta.swap(State::Done);
        let main = meta.id == self.main_id.load(Ordering::Acquire);
        self.event(EventKind::Exit, meta.id, WaitKind::None, 0);
        let runner = local::with_runner_of(self, |l| {
            self.registry.retire(l.index, meta, &l.retired);
            // Until the poll ends (`run`): a goroutine its own runner retired is freed by
            // async-task then, and its block is kept for this runner's next spawn. Nothing else
            // is freed there: the future has returned, and the rest holds no heap.
            alloc::set_goroutine_blocks(true);
            l.index
        });
        if runner.is_none() {
            self.registry.remove(meta);
        }
        self.obs.live.exited(&self.queues.stats, runner);
        // `block_on` returns once main has (leaking whatever else is alive). Marked exited only
        // once it is off the count: `NumGoroutine` right after `block_on` does not count it.
        if main {
            self.main_exited.store(true, Ordering::Release);
            self.notify_done();
        }
    }

    pub(crate) fn notify_done(&self) {
        let _g = self.done_mx.lock().unwrap();
        self.done_cv.notify_all();
    }

    /// Blocks the calling (non-runtime) thread until notified or `timeout` passes.
    pub(crate) fn wait_done(&self, timeout: Duration) {
        let g = self.done_mx.lock().unwrap();
        let _ = self.done_cv.wait_timeout(g, timeout).unwrap();
    }

    /// Stops the runner threads and cancels every goroutine still alive.
    pub(crate) fn shutdown(&self) {
        self.shutdown.store(true, Ordering::Release);
        self.sleep.shutdown();
        self.timers.clear();
        self.registry.cancel_all();
        // Cancelled goroutines that were parked were scheduled one last time, to the global
        // queue: dropping them there frees their futures.
        self.queues.global.clear();
        let pumped: Vec<_> = self.queues.pumped.lock().unwrap().drain(..).collect();
        drop(pumped);
    }

    /// A random number below `n`: seeded in deterministic mode, so a seed fixes every choice.
    pub(crate) fn random_below(&self, n: usize) -> usize {
        match &self.rng {
            Some(rng) => seeded_below(&mut rng.lock().unwrap(), n),
            None => fastrand::usize(0..n),
        }
    }

    /// Arms a timer; wakes a parked runner when it became the earliest, so that runner
    /// recomputes how long to sleep.
    pub(crate) fn add_timer(&self, deadline_ns: u64, action: Action) -> Arc<TimerHandle> {
        let (handle, earliest) = self.timers.add(deadline_ns, action);
        if earliest && matches!(self.mode, Mode::Threads(_)) {
            self.sleep.timer_earlier();
        }
        handle
    }

    /// Polls one ready goroutine of a pumped runtime (seeded choice in deterministic mode);
    /// false when none is ready.
    pub(crate) fn run_one_pumped(&self) -> bool {
        let r = {
            let mut q = self.queues.pumped.lock().unwrap();
            match &self.rng {
                // Deterministic mode: a seeded choice among the runnable goroutines, so that
                // one seed explores one interleaving and another seed another.
                Some(rng) if !q.is_empty() => {
                    let i = seeded_below(&mut rng.lock().unwrap(), q.len());
                    q.swap_remove_back(i)
                }
                _ => q.pop_front(),
            }
        };
        match r {
            Some(r) => {
                self.run(r, None);
                true
            }
            None => false,
        }
    }
}

/// Where a ready goroutine goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Push {
    /// Just spawned: the back of the queue.
    Spawn,
    /// Woken by another goroutine: `runnext` if that one is running here.
    Wake,
    /// Woken while it ran (it yielded): the back of the queue.
    Back,
}

crate::tls::fast_thread_local! {
    /// Set during a poll when the goroutine returned or its future was dropped (cancelled at
    /// shutdown): its task may be freed as soon as the poll returns.
    static FINISHED: Cell<bool> = Cell::new(false);
    /// With the event log: what the goroutine just polled parked on, for its block event
    /// (logged after its run event).
    static PARKED: Cell<Option<Wait>> = Cell::new(None);
}

/// A goroutine's future: catches its panic (Go would crash; we report it and carry on) and
/// tells the scheduler when it ends.
struct Goroutine<F> {
    fut: F,
    shared: SharedRef,
    /// Its own metadata, in the same task allocation (alive as long as this future).
    meta: *const GMeta,
}

// SAFETY: `meta` points into the task that owns this future; `GMeta` is `Sync`.
unsafe impl<F: Send> Send for Goroutine<F> {}

impl<F> Drop for Goroutine<F> {
    fn drop(&mut self) {
        // A cancelled goroutine's future is dropped inside `Runnable::run`: tell `run` not to
        // look at the task afterwards.
        FINISHED.with(|f| f.set(true));
    }
}

impl<F: Future<Output = ()>> Future for Goroutine<F> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: `fut` is structurally pinned; the other fields are never moved out.
        let this = unsafe { self.get_unchecked_mut() };
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        let shared = this.shared.get();
        // SAFETY: the metadata lives in the task that owns this future.
        let meta = unsafe { &*this.meta };
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => {
                shared.parked(meta);
                Poll::Pending
            }
            Ok(Poll::Ready(())) => {
                shared.finish(meta);
                Poll::Ready(())
            }
            Err(payload) => {
                let message = super::panic_message(&payload);
                let at = super::take_panic_at();
                shared.event(EventKind::Panic, meta.id, WaitKind::None, 0);
                shared.obs.mark(
                    at,
                    MarkKind::Panic,
                    format!("{} #{}: {message}", meta.name, meta.id),
                );
                shared.add_finding(Finding {
                    kind: FindingKind::Panic,
                    message: format!("panic: {message} [goroutine {}]", meta.id),
                    at_ms: at as f64 / 1e6,
                    goroutines: vec![],
                });
                shared.finish(meta);
                Poll::Ready(())
            }
        }
    }
}

/// A seeded choice below `n` that is the same on every target: fastrand's `usize` draws a `u64`
/// on 64-bit targets and a `u32` on wasm32, so one seed made one Report natively and another in
/// the page (context-pool/guide-cancel, seed 1: 10 results and 3 unread natively, 12 and none
/// in Chromium; the README promises the same Report for the same seed).
fn seeded_below(rng: &mut fastrand::Rng, n: usize) -> usize {
    let n = u32::try_from(n).expect("fewer than 2^32 choices");
    rng.u32(0..n) as usize
}
