//! The guide's best-practices worker pool as a library type.
//!
//! A fixed set of worker goroutines reads jobs from one queue channel (`for job := range jobs`),
//! runs each with a per-task timeout and panic recovery, and sends a result. `close` drains the
//! queue gracefully; `cancel` stops now and reports what was still queued as cancelled.
//!
//! # Examples
//!
//! ```ignore-wasm32
//! use worker_pool_playground::{pool::{Outcome, PoolBuilder, QueuePolicy}, runtime::Runtime};
//!
//! let rt = Runtime::builder().threads(2).build().unwrap();
//! let sum = rt.block_on(async {
//!     let pool = PoolBuilder::new()
//!         .workers(3)
//!         .queue(QueuePolicy::Bounded(10))
//!         .build(|task| async move { Ok::<_, String>(task.data * 2) })
//!         .unwrap();
//!     let results = pool.results();
//!     for n in 1..=5u64 {
//!         pool.submit(n).await.unwrap();
//!     }
//!     pool.close();
//!     let mut sum = 0;
//!     while let Some(r) = results.recv().await {
//!         if let Outcome::Success(v) = r.outcome {
//!             sum += v;
//!         }
//!     }
//!     assert_eq!(pool.metrics().successful, 5);
//!     sum
//! });
//! assert_eq!(sum.unwrap(), 30);
//! ```

mod error;
mod metrics;

use std::{
    fmt,
    future::Future,
    sync::{Arc, Mutex},
    time::Duration,
};

use serde::Serialize;

use self::metrics::Counters;
pub use self::{
    error::{BuildError, SubmitError, TrySubmitError},
    metrics::Metrics,
};
use crate::{
    chan::{Chan, Select, UNBOUNDED},
    context::{self, CancelFunc, Context},
    runtime::{go_named, recover},
    sync::{Once, WaitGroup},
    time,
};

/// The most workers a pool may have.
pub const MAX_WORKERS: usize = 100_000;
/// The largest bounded queue.
pub const MAX_QUEUE: usize = 10_000_000;

/// How the job queue buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueuePolicy {
    /// Unbuffered: `submit` waits until a worker takes the job.
    None,
    /// Buffered: `submit` waits only when this many jobs are already waiting.
    Bounded(usize),
    /// Never full: `submit` never waits (memory is the limit).
    Unbounded,
}

/// What a worker hands the task function.
#[derive(Debug)]
pub struct Task<J> {
    /// Sequence number, from 1, in submission order.
    pub id: u64,
    /// The worker running it, from 1.
    pub worker: usize,
    /// The job.
    pub data: J,
    /// The pool's context: check it in long tasks.
    pub ctx: Context,
}

/// How a task ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "value")]
pub enum Outcome<R> {
    /// The task returned `Ok`.
    Success(R),
    /// The task returned an error.
    Failed(String),
    /// The task panicked; the worker recovered.
    Panicked(String),
    /// The per-task timeout passed first.
    TimedOut,
    /// The pool was cancelled before the task ran.
    Cancelled,
}

impl<R> Outcome<R> {
    /// `"success"`, `"failed"`, `"panicked"`, `"timed_out"` or `"cancelled"`.
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::Success(_) => "success",
            Outcome::Failed(_) => "failed",
            Outcome::Panicked(_) => "panicked",
            Outcome::TimedOut => "timed_out",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// One task's result, sent on [`Pool::results`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskResult<R> {
    /// The task's id.
    pub id: u64,
    /// The worker that ran it (0 when it never ran).
    pub worker: usize,
    /// How it ended.
    pub outcome: Outcome<R>,
    /// Runtime time it started, ms (equal to `end_ms` when it never ran).
    pub start_ms: f64,
    /// Runtime time it ended, ms.
    pub end_ms: f64,
}

/// Builds a [`Pool`].
#[derive(Debug, Clone)]
pub struct PoolBuilder {
    workers: usize,
    queue: QueuePolicy,
    results: Option<usize>,
    task_timeout: Option<Duration>,
    ctx: Option<Context>,
}

impl Default for PoolBuilder {
    fn default() -> Self {
        PoolBuilder::new()
    }
}

impl PoolBuilder {
    /// 5 workers and a queue of 100, as in the guide's fixed pool.
    pub fn new() -> PoolBuilder {
        PoolBuilder {
            workers: 5,
            queue: QueuePolicy::Bounded(100),
            results: None,
            task_timeout: None,
            ctx: None,
        }
    }

    /// How many worker goroutines.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    /// How the job queue buffers.
    pub fn queue(mut self, q: QueuePolicy) -> Self {
        self.queue = q;
        self
    }

    /// Capacity of the results channel (default: unbounded, so no result is ever lost, even
    /// those of jobs cancelled while nobody reads). A bounded results channel is the guide's
    /// backpressure: workers wait for a reader; after `cancel`, a result that finds it full is
    /// counted but not sent. 0 makes it unbuffered.
    pub fn results_capacity(mut self, n: usize) -> Self {
        self.results = Some(n);
        self
    }

    /// Stops each task after `d`; it ends as [`Outcome::TimedOut`].
    pub fn task_timeout(mut self, d: Duration) -> Self {
        self.task_timeout = Some(d);
        self
    }

    /// The parent context: cancelling it cancels the pool.
    pub fn context(mut self, ctx: Context) -> Self {
        self.ctx = Some(ctx);
        self
    }

    /// Starts the workers. `f` runs each task; `Err` marks it failed.
    ///
    /// # Errors
    ///
    /// [`BuildError`] for zero or too many workers, or a too large queue.
    ///
    /// # Panics
    ///
    /// Outside a goroutine (the workers need a runtime).
    pub fn build<J, R, E, F, Fut>(self, f: F) -> Result<Pool<J, R>, BuildError>
    where
        J: Send + 'static,
        R: Send + 'static,
        E: fmt::Display + Send,
        F: Fn(Task<J>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
    {
        if self.workers == 0 {
            return Err(BuildError::ZeroWorkers);
        }
        if self.workers > MAX_WORKERS {
            return Err(BuildError::TooManyWorkers(self.workers));
        }
        let cap = match self.queue {
            QueuePolicy::None => 0,
            QueuePolicy::Bounded(n) if n > MAX_QUEUE => return Err(BuildError::QueueTooLarge(n)),
            QueuePolicy::Bounded(n) => n,
            QueuePolicy::Unbounded => UNBOUNDED,
        };
        let results_cap = self.results.unwrap_or(UNBOUNDED);
        let parent = self.ctx.unwrap_or_else(context::background);
        let (ctx, cancel) = context::with_cancel(&parent);
        let shared = Arc::new(Shared {
            queue: Chan::new(cap).named("jobs"),
            results: Chan::new(results_cap).named("results"),
            ctx,
            cancel,
            counters: Counters::default(),
            closed: Once::new(),
            wg: WaitGroup::named("workers"),
            next_id: std::sync::atomic::AtomicU64::new(1),
            timeout: self.task_timeout,
            timeline: Mutex::new(Vec::new()),
            workers: self.workers,
            bug: Mutex::new(None),
        });
        let f = Arc::new(f);
        for w in 1..=self.workers {
            shared.wg.add(1).expect("a fresh WaitGroup counts up");
            let (s, f) = (shared.clone(), f.clone());
            go_named("worker", async move {
                // `defer wg.Done()` outside the worker's own code, so that a worker that panics
                // still counts while `own_goroutine` drains the queue into the results.
                let _done = s.wg.defer_done();
                s.clone()
                    .own_goroutine(format!("worker {w}"), s.worker(w, &*f))
                    .await
            });
        }
        // Close results once every worker has returned, as the guide's collector goroutine does.
        let s = shared.clone();
        go_named("results closer", async move {
            let closer = async {
                s.wg.wait().await;
                s.results
                    .close()
                    .expect("the results closer is the only goroutine that closes results");
            };
            s.clone()
                .own_goroutine("the results closer".into(), closer)
                .await
        });
        Ok(Pool { shared })
    }
}

struct Job<J> {
    id: u64,
    data: J,
    queued_ms: f64,
}

struct Shared<J, R> {
    queue: Chan<Job<J>>,
    results: Chan<TaskResult<R>>,
    ctx: Context,
    cancel: CancelFunc,
    counters: Counters,
    closed: Once,
    wg: WaitGroup,
    next_id: std::sync::atomic::AtomicU64,
    timeout: Option<Duration>,
    timeline: Mutex<Vec<TimelineEntry>>,
    workers: usize,
    /// Set when the pool's own code panicked on one of its goroutines (see `own_goroutine`).
    bug: Mutex<Option<String>>,
}

/// One bar of the per-worker timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    /// Worker, from 1 (0: cancelled before any worker took it).
    pub worker: usize,
    /// Task id.
    pub task: u64,
    /// Start, runtime ms.
    pub start_ms: f64,
    /// End, runtime ms.
    pub end_ms: f64,
    /// How it ended (`Outcome::name`).
    pub outcome: &'static str,
    /// How long it waited in the queue, ms.
    pub queued_ms: f64,
}

/// Keeps at most this many timeline entries per pool, so a million tasks do not fill memory.
const TIMELINE_CAP: usize = 20_000;

fn now_ms() -> f64 {
    crate::runtime::now_ns() as f64 / 1e6
}

impl<J: Send + 'static, R: Send + 'static> Shared<J, R> {
    async fn worker<E, F, Fut>(&self, w: usize, f: &F)
    where
        E: fmt::Display + Send,
        F: Fn(Task<J>) -> Fut,
        Fut: Future<Output = Result<R, E>>,
    {
        loop {
            // select { case <-ctx.Done(): return; case job, ok := <-jobs: … }
            let mut sel = Select::new();
            let done = sel.recv(self.ctx.done());
            let next = sel.recv(&self.queue);
            let fired = sel.wait().await;
            if fired == done.index() {
                // Cancelled, by `cancel` or by a parent context: what is still queued never
                // runs, and each job gets its one outcome before this worker returns.
                drop(sel);
                self.drain_cancelled();
                return;
            }
            let Some(job) = sel.recv_value(next) else {
                return;
            };
            drop(sel);
            self.counters.dequeued();
            if self.ctx.err().is_some() {
                // Picked up in the same instant as the cancel: it never runs.
                self.report(job.id, 0, Outcome::Cancelled, now_ms(), job.queued_ms)
                    .await;
                continue;
            }
            Counters::inc(&self.counters.running_workers);
            let start = now_ms();
            let task = Task {
                id: job.id,
                worker: w,
                data: job.data,
                ctx: self.ctx.clone(),
            };
            // `f(task)` inside the recover too: a closure that panics before it returns its
            // future is the task's panic, not the worker's.
            let run = recover(async { f(task).await });
            // Ok(Ok(v)) success, Ok(Err(Some(e))) error, Ok(Err(None)) timeout, Err(p) panic.
            let outcome: Result<Result<R, Option<E>>, String> = match self.timeout {
                Some(d) => match time::timeout(d, run).await {
                    Ok(r) => r.map(|r| r.map_err(Some)),
                    Err(_) => Ok(Err(None)),
                },
                None => run.await.map(|r| r.map_err(Some)),
            };
            let outcome = match outcome {
                Ok(Ok(v)) => Outcome::Success(v),
                Ok(Err(Some(e))) => Outcome::Failed(e.to_string()),
                Ok(Err(None)) => Outcome::TimedOut,
                Err(panic) => Outcome::Panicked(format!("panic in worker {w}: {panic}")),
            };
            Counters::dec(&self.counters.running_workers);
            self.report(job.id, w, outcome, start, job.queued_ms).await;
        }
    }

    /// Reports a job that never ran because the pool was cancelled (never waits). A full results
    /// channel drops the result (it is counted): after a cancel nobody may be reading.
    fn report_cancelled(&self, id: u64, queued_ms: f64) {
        let now = now_ms();
        let r = self.record(id, 0, Outcome::Cancelled, now, queued_ms);
        match self.results.try_send(r) {
            Ok(()) | Err(crate::chan::TrySendError::Full(_)) => {}
            Err(crate::chan::TrySendError::Closed(_)) => {
                panic!("results closed while job {id} was still queued")
            }
        }
    }

    /// `close(jobs)`, once (`sync.Once`, best practice 10).
    fn close_queue(&self) {
        self.closed.do_once(|| {
            self.queue
                .close()
                .expect("only the pool closes its queue, once");
        });
    }

    /// After a cancel: closes the queue, so no job can enter behind the drain, and reports every
    /// job still in it as cancelled. Called by `Pool::cancel` and by each worker that sees the
    /// context done (a parent context's cancel reaches only them).
    fn drain_cancelled(&self) {
        self.close_queue();
        while let Ok(job) = self.queue.try_recv() {
            self.counters.dequeued();
            self.report_cancelled(job.id, job.queued_ms);
        }
    }

    /// Runs one of the pool's own goroutines (a worker, the results closer). Tasks run under
    /// `recover`, so a panic that reaches here came from the pool's own code (a bug) or from
    /// dropping a value it holds (a job or a result whose `Drop` panics). Either way it must not
    /// be recorded as a goroutine's panic and carried on from, with a worker short and a job
    /// without an outcome. The pool cancels itself, keeps the message for `wait`, `submit` and
    /// `try_submit` to raise in their callers (as rayon hands a job's panic to the caller), and
    /// the panic goes on to the runtime.
    async fn own_goroutine(self: Arc<Self>, what: String, body: impl Future<Output = ()>) {
        if let Err(msg) = recover(body).await {
            let bug = format!("worker pool: panic in {what}, outside any task: {msg}");
            self.bug
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get_or_insert(bug.clone());
            self.cancel.cancel();
            self.drain_cancelled();
            std::panic::resume_unwind(Box::new(bug));
        }
    }

    /// Raises the pool's bug, if it has one, in the caller.
    fn check_bug(&self) {
        if let Some(bug) = self.bug.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            panic!("{bug}");
        }
    }

    /// Counts an outcome and adds it to the timeline; returns the result to send.
    fn record(
        &self,
        id: u64,
        worker: usize,
        outcome: Outcome<R>,
        start_ms: f64,
        queued_ms: f64,
    ) -> TaskResult<R> {
        let c = &self.counters;
        Counters::inc(match &outcome {
            Outcome::Success(_) => &c.successful,
            Outcome::Failed(_) => &c.failed,
            Outcome::Panicked(_) => {
                Counters::inc(&c.panicked);
                &c.failed
            }
            Outcome::TimedOut => &c.timed_out,
            Outcome::Cancelled => &c.cancelled,
        });
        let end_ms = now_ms();
        {
            let mut t = self.timeline.lock().unwrap();
            if t.len() < TIMELINE_CAP {
                t.push(TimelineEntry {
                    worker,
                    task: id,
                    start_ms,
                    end_ms,
                    outcome: outcome.name(),
                    queued_ms: (start_ms - queued_ms).max(0.0),
                });
            }
        }
        TaskResult {
            id,
            worker,
            outcome,
            start_ms,
            end_ms,
        }
    }

    async fn report(
        &self,
        id: u64,
        worker: usize,
        outcome: Outcome<R>,
        start_ms: f64,
        queued_ms: f64,
    ) {
        let r = self.record(id, worker, outcome, start_ms, queued_ms);
        // Room in the results channel: send without a select, because a select that also sees
        // ctx.Done() ready picks either case at random and would drop a deliverable result.
        let r = match self.results.try_send(r) {
            Ok(()) => return,
            Err(e) => e.into_inner(),
        };
        // Full: select { case results <- r: case <-ctx.Done(): } — a cancelled pool stops
        // waiting for a reader, so cancel never hangs on a full results channel.
        if self.ctx.err().is_some() {
            return;
        }
        let mut sel = Select::new();
        let sent = sel.send(&self.results, r);
        sel.recv(self.ctx.done());
        sel.wait().await;
        // Not sent: the pool was cancelled while nobody read (counted, dropped). Results closed
        // under a running worker would be a bug: the closer waits for every worker.
        if sel.send_result(sent).is_err() {
            assert!(
                !self.results.is_closed(),
                "results closed under a running worker"
            );
        }
    }
}

/// A running worker pool. Dropping it does not stop it; call [`Pool::close`] or [`Pool::cancel`].
pub struct Pool<J, R> {
    shared: Arc<Shared<J, R>>,
}

impl<J, R> Clone for Pool<J, R> {
    fn clone(&self) -> Self {
        Pool {
            shared: self.shared.clone(),
        }
    }
}

impl<J, R> fmt::Debug for Pool<J, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pool({} workers)", self.shared.workers)
    }
}

impl<J: Send + 'static, R: Send + 'static> Pool<J, R> {
    /// Queues a job, waiting while the queue is full; returns its task id.
    ///
    /// # Errors
    ///
    /// [`SubmitError::Stopped`] after `close`/`cancel`, [`SubmitError::Context`] when the
    /// pool's context is done; both hand the job back.
    pub async fn submit(&self, data: J) -> Result<u64, SubmitError<J>> {
        let s = &self.shared;
        s.check_bug();
        if let Some(e) = s.ctx.err() {
            return Err(SubmitError::Context(data, e));
        }
        if s.closed.is_done() {
            return Err(SubmitError::Stopped(data));
        }
        let id = s.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // select { case jobs <- job: case <-ctx.Done(): return ctx.Err() }
        let mut sel = Select::new();
        let sent = sel.send(
            &s.queue,
            Job {
                id,
                data,
                queued_ms: now_ms(),
            },
        );
        sel.recv(s.ctx.done());
        sel.wait().await;
        match sel.send_result(sent) {
            Ok(()) => {
                s.counters.queued();
                Ok(id)
            }
            Err(e) => {
                let job = e.into_inner();
                match s.ctx.err() {
                    Some(ce) => Err(SubmitError::Context(job.data, ce)),
                    None => Err(SubmitError::Stopped(job.data)),
                }
            }
        }
    }

    /// Queues a job only if that needs no waiting.
    ///
    /// # Errors
    ///
    /// [`TrySubmitError::QueueFull`] (counted as dropped) or [`TrySubmitError::Stopped`].
    pub fn try_submit(&self, data: J) -> Result<u64, TrySubmitError<J>> {
        let s = &self.shared;
        s.check_bug();
        if s.ctx.err().is_some() || s.closed.is_done() {
            return Err(TrySubmitError::Stopped(data));
        }
        let id = s.next_id.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match s.queue.try_send(Job {
            id,
            data,
            queued_ms: now_ms(),
        }) {
            Ok(()) => {
                s.counters.queued();
                Ok(id)
            }
            Err(crate::chan::TrySendError::Full(j)) => {
                Counters::inc(&s.counters.dropped);
                Err(TrySubmitError::QueueFull(j.data))
            }
            Err(crate::chan::TrySendError::Closed(j)) => Err(TrySubmitError::Stopped(j.data)),
        }
    }

    /// The results channel; it is closed after the last worker returns.
    pub fn results(&self) -> Chan<TaskResult<R>> {
        self.shared.results.clone()
    }

    /// Graceful stop: no new jobs; workers finish everything queued, then return.
    /// Safe to call twice (`sync.Once`, best practice 10).
    pub fn close(&self) {
        self.shared.close_queue();
    }

    /// Immediate stop: cancels the context; running tasks see `ctx.Done()`, queued jobs are
    /// reported [`Outcome::Cancelled`].
    pub fn cancel(&self) {
        let s = &self.shared;
        // Hold the results channel open until the queue is drained: the results closer waits
        // on this WaitGroup too, and cancelled jobs must still be reported.
        s.wg.add(1)
            .expect("adding 1 never takes a counter below zero");
        s.cancel.cancel();
        s.drain_cancelled();
        s.wg.done().expect("the 1 added above");
    }

    /// Waits until every worker has returned (after `close` or `cancel`).
    ///
    /// # Panics
    ///
    /// When the pool's own code panicked on one of its goroutines (a bug in the pool), with
    /// that panic's message.
    pub async fn wait(&self) {
        self.shared.wg.wait().await;
        self.shared.check_bug();
    }

    /// The pool's context.
    pub fn context(&self) -> &Context {
        &self.shared.ctx
    }

    /// Metrics now.
    pub fn metrics(&self) -> Metrics {
        self.shared.counters.snapshot()
    }

    /// `len(jobs)`: jobs waiting in the queue (best practice 15: monitor queue depth).
    pub fn queue_len(&self) -> usize {
        self.shared.queue.len()
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        self.shared.workers
    }

    /// The per-worker timeline so far (at most 20,000 entries).
    pub fn timeline(&self) -> Vec<TimelineEntry> {
        self.shared.timeline.lock().unwrap().clone()
    }
}
