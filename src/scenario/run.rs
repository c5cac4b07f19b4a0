//! A run of a scenario: start it on a fresh runtime, drive it without blocking, and turn what
//! happened into a [`Report`].

use std::{fmt, sync::Arc, time::Duration};

use serde::Serialize;
use web_time::Instant;

use super::{
    find,
    params::{check_budget, Mode, Params},
    report::{split_lesson, Ended, Latency, Recorded, Report, TimelineRow, TimelineTask},
    Ctx, Env, Recorder, ScenarioError, Spec,
};
use crate::{
    metrics::{
        alloc::{heap, reset_peak, HeapStats},
        Series,
    },
    params::RawParams,
    runtime::{Finding, FindingKind, Progress, RunError, RunHandle, Runtime},
};

/// The event log of a scenario run keeps this many events (56 B each: about 5.6 MB, reserved
/// when the runtime is built, before the run's heap is measured, so the log is not counted as
/// the program's heap); `Runtime::trace` is built from it.
const EVENTS_CAP: usize = 100_000;

/// A live view of a running scenario, posted to the page while it runs.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// Runtime ms since start.
    pub t_ms: f64,
    /// Goroutines alive now.
    pub goroutines: usize,
    /// Being polled now.
    pub running: usize,
    /// Parked now.
    pub blocked: usize,
    /// Ready, waiting for a thread.
    pub queued: usize,
    /// Live heap above the start, bytes.
    pub heap_bytes: u64,
    /// Tasks finished so far.
    pub finished: u64,
    /// The series so far (thinned to at most 1500 rows).
    pub series: Series,
    /// The instants so far (cancel, close, Add/Done/Wait…).
    pub marks: Vec<crate::runtime::Mark>,
    /// Who waits on what right now, while few enough goroutines are alive to draw
    /// ([`LIVE_GRAPH_MAX`]); `None` beyond, when building and posting it would cost more than
    /// the picture is worth.
    pub wait_graph: Option<crate::runtime::WaitGraph>,
}

/// The most live goroutines a snapshot draws a wait-for graph for.
pub const LIVE_GRAPH_MAX: usize = 300;

/// Marks in the order they happened: by time, and at one instant a panic after the others, as
/// it is raised by the operation marked there (negative-counter's panic takes the instant of
/// the wg.Done() that raised it, and was listed before that Done).
fn in_order(a: &crate::runtime::Mark, b: &crate::runtime::Mark) -> std::cmp::Ordering {
    let panic = |m: &crate::runtime::Mark| m.kind == crate::runtime::MarkKind::Panic;
    a.t_ms.total_cmp(&b.t_ms).then(panic(a).cmp(&panic(b)))
}

/// A started scenario. Drive it with [`Run::poll`] until it is done, then [`Run::finish`].
pub struct Run {
    rt: Runtime,
    handle: RunHandle<()>,
    spec: Spec,
    variant: usize,
    ctx: Arc<Ctx>,
    build: &'static str,
    started: Instant,
    heap0: HeapStats,
    result: Option<Result<(), RunError>>,
}

impl fmt::Debug for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Run({} {})",
            self.spec.id, self.spec.variants[self.variant].id
        )
    }
}

/// Everything [`Run::start`] checks before it runs anything: the scenario, the variant, the
/// parameters and the memory budget. Returns the scenario, the variant's index and the typed
/// parameters.
///
/// # Errors
///
/// As [`Run::start`], except a runtime that could not start.
pub fn check(
    id: &str,
    variant: Option<&str>,
    params: &RawParams,
    env: &Env,
) -> Result<(Spec, usize, Params), ScenarioError> {
    let (spec, variant) = find(id, variant)?;
    let p = Params::parse(params, spec.params, &spec.variants[variant].defaults)?;
    check_budget(p.tasks, (spec.need)(&p, variant), env.budget)?;
    Ok((spec, variant, p))
}

impl Run {
    /// Types the parameters, checks the memory budget, builds a runtime and starts the
    /// scenario's main goroutine.
    ///
    /// # Errors
    ///
    /// Unknown scenario or variant, a bad parameter (or one over the memory budget), or a
    /// runtime that could not start.
    pub fn start(
        id: &str,
        variant: Option<&str>,
        params: &RawParams,
        env: &Env,
    ) -> Result<Run, ScenarioError> {
        let (spec, variant, p) = check(id, variant, params, env)?;
        let mut b = Runtime::builder()
            .record_events(EVENTS_CAP)
            .sample_every(Duration::from_secs_f64(0.002 * p.time_scale.max(1.0)))
            .time_scale(p.time_scale);
        b = match (p.mode, env.threads) {
            (Mode::Deterministic, _) => b.deterministic(p.seed),
            (Mode::Real, 0) => b.threads(0),
            (Mode::Real, n) => {
                let b = b.threads(n);
                match env.spawn {
                    Some(spawn) => b.spawn_handler(spawn()),
                    None => b,
                }
            }
        };
        let rt = b
            .build()
            .map_err(|e| ScenarioError::Runtime(e.to_string()))?;
        let ctx = Arc::new(Ctx {
            p,
            variant,
            rec: Recorder::default(),
        });
        let started = Instant::now();
        let main = spec.main;
        let c = ctx.clone();
        reset_peak();
        let mut heap0 = heap();
        // Main is goroutine 1; a panic it does not recover ends the program, as in Go.
        let handle = rt.start(async move {
            if let Err(p) = crate::runtime::recover_at(main(c.clone())).await {
                c.died(p);
            }
        });
        // The series' zero is the peak's too: one baseline for both figures.
        heap0.live_bytes = rt.heap_base();
        Ok(Run {
            rt,
            handle,
            spec,
            variant,
            ctx,
            build: env.build,
            started,
            heap0,
            result: None,
        })
    }

    /// Stops the runtime once an unrecovered panic ended the program.
    fn end_if_dead(&self) {
        if self.ctx.rec.is_fatal() {
            self.rt.abort();
        }
    }

    /// Advances the run (pumping it when the runtime has no threads); never blocks.
    pub fn poll(&mut self) -> Progress {
        if self.result.is_some() {
            return Progress::Done;
        }
        self.end_if_dead();
        let p = self.rt.poll(&self.handle);
        if p == Progress::Done {
            self.result = self.rt.take(&self.handle);
        }
        p
    }

    /// True when the caller pumps the run ([`Runtime::pumped`]): poll again at once after
    /// [`Progress::Running`], there is nobody else to wait for.
    pub fn pumped(&self) -> bool {
        self.rt.pumped()
    }

    /// Deterministic mode: advances the run by `n` events (a goroutine poll, or a jump of
    /// virtual time to the next timer). Runs with threads of their own just report.
    pub fn step(&mut self, n: usize) -> Progress {
        if self.result.is_some() {
            return Progress::Done;
        }
        let mut p = Progress::Running;
        for _ in 0..n.max(1) {
            self.end_if_dead();
            p = self.rt.step(&self.handle);
            if p == Progress::Done {
                self.result = self.rt.take(&self.handle);
                break;
            }
        }
        p
    }

    /// What the page draws while the run goes.
    ///
    /// One instant: the counts, the heap and the time are the series' last row, which is taken
    /// now, and marks after it are left for the next snapshot (review D7, session 17: the status
    /// read 1,012 ms of runtime beside a chart that ended at 18.7 ms).
    pub fn snapshot(&self) -> Snapshot {
        // The copy is the page's memory, not the program's: the heap in its last row is the
        // program's (the wasm binding's own scope covers only the conversion; natively nothing did).
        let mut series = crate::metrics::alloc::unmeasured(|| self.rt.series_now());
        let (t_ms, [goroutines, running, blocked, queued, heap_bytes]) =
            match (series.t_ms.last(), series.last_values()) {
                (Some(&t), Some(row)) => (t, row.map(|x| x as u64)),
                // Before the run's first row: the counters as they are.
                _ => {
                    let (g, r, b, q) = self.rt.counts();
                    let h = heap().live_bytes.saturating_sub(self.heap0.live_bytes);
                    (
                        self.rt.now_ms(),
                        [g as u64, r as u64, b as u64, q as u64, h],
                    )
                }
            };
        thin_for_page(&mut series, self.ctx.p.mode, 1500);
        let (c, mut marks) = {
            let r = self.ctx.rec.inner.lock().unwrap();
            (r.counts, r.marks.clone())
        };
        marks.extend(self.rt.marks());
        marks.retain(|m| m.t_ms <= t_ms);
        marks.sort_by(in_order);
        Snapshot {
            t_ms,
            goroutines: goroutines as usize,
            running: running as usize,
            blocked: blocked as usize,
            queued: queued as usize,
            heap_bytes,
            finished: c.finished() + c.cancelled,
            series,
            marks,
            wait_graph: (goroutines as usize <= LIVE_GRAPH_MAX).then(|| self.rt.wait_graph()),
        }
    }

    /// The run so far as a Chrome Trace Event Format document (Perfetto, `chrome://tracing`):
    /// a row per runner thread and per goroutine, a bar each time a goroutine ran, instants for
    /// closes, cancels, panics and deadlocks. Take it before [`Run::finish`]; building it
    /// allocates, and the run's heap is still being measured then: [`Run::finish_with_trace`]
    /// builds it after.
    pub fn trace(&self) -> crate::runtime::Trace {
        self.rt.trace()
    }

    /// Stops the run: the next poll ends it, and the report says "stopped".
    pub fn stop(&self) {
        self.rt.abort();
    }

    /// Builds the report of a finished (or stopped) run.
    pub fn finish(self) -> Report {
        self.finish_inner(false).0
    }

    /// [`Run::finish`] and [`Run::trace`], the trace built once the run's heap is measured (so
    /// it does not count as the program's).
    pub fn finish_with_trace(self) -> (Report, crate::runtime::Trace) {
        let (report, trace) = self.finish_inner(true);
        (report, trace.expect("asked for"))
    }

    fn finish_inner(mut self, want_trace: bool) -> (Report, Option<crate::runtime::Trace>) {
        let wall_ms = self.started.elapsed().as_secs_f64() * 1e3;
        let result = self.result.take().unwrap_or(Err(RunError::Aborted));
        let mut rec = std::mem::take(&mut *self.ctx.rec.inner.lock().unwrap());
        let mut findings = self.rt.findings();
        // A panic outside `Ctx::go` (inside the library) was caught by the runtime, which
        // carries on; in Go it ends the program all the same.
        let stray = findings.iter().any(|f| f.kind == FindingKind::Panic);
        let ended = match (&rec.fatal, &result) {
            (Some(_), _) => Ended::Panicked,
            (None, Err(RunError::Deadlock(_))) => Ended::Deadlock,
            (None, Err(RunError::Panic(_))) => Ended::Panicked,
            (None, _) if stray => Ended::Panicked,
            (None, Err(RunError::Aborted)) => Ended::Stopped,
            (None, Ok(())) if rec.hung => Ended::Hung,
            (None, Ok(())) => Ended::Completed,
        };
        // Main returned: let goroutines on their way out finish (Go's program sleeps 100 ms for
        // this); what is still blocked then has leaked.
        let after = match ended {
            Ended::Completed | Ended::Hung => self.rt.settle(Duration::from_millis(200)) as u64,
            Ended::Panicked => rec
                .fatal
                .as_ref()
                .map_or(self.rt.num_goroutine() as u64, |f| f.alive),
            Ended::Deadlock | Ended::Stopped => self.rt.num_goroutine() as u64,
        };
        self.rt.sample();
        let heap1 = heap();
        let trace = want_trace.then(|| self.rt.trace());
        match ended {
            Ended::Completed | Ended::Hung => {
                let leaks = self.rt.leaks();
                if !leaks.is_empty() {
                    findings.push(Finding {
                        kind: FindingKind::Leak,
                        message: leak_message(&leaks),
                        // When main returned, as the Report's runtime: they were left then (read
                        // now, the finding fell after the run's end: by-value at 2,135 ms of a
                        // 2,011 ms run; independent review, session 17).
                        at_ms: self.rt.ended_ms().unwrap_or_else(|| self.rt.now_ms()),
                        goroutines: leaks,
                    });
                }
            }
            Ended::Deadlock => {
                let first = findings
                    .iter()
                    .find(|f| f.kind == FindingKind::Deadlock)
                    .map(|f| f.message.clone())
                    .unwrap_or_else(|| "fatal error: all goroutines are asleep - deadlock!".into());
                let main_wait = findings
                    .iter()
                    .flat_map(|f| f.goroutines.iter())
                    .find(|g| g.id == 1)
                    .map_or("select".to_string(), |g| g.wait.to_string());
                push_log(&mut rec, first);
                push_log(&mut rec, format!("goroutine 1 [{main_wait}]:"));
            }
            Ended::Panicked | Ended::Stopped => {}
        }
        let fatal = rec.fatal.take();
        if let Some(f) = &fatal {
            findings.push(Finding {
                kind: FindingKind::Panic,
                message: format!("panic: {}", f.message),
                at_ms: f.at_ms,
                goroutines: vec![],
            });
            push_log(&mut rec, format!("panic: {}", f.message));
            push_log(&mut rec, format!("goroutine {} [running]:", f.goroutine));
        }
        findings.append(&mut rec.findings);
        // Nothing after an unrecovered panic belongs to the program: cut the series there.
        let mut series = self.rt.series();
        let runtime_ms = match &fatal {
            Some(f) => {
                truncate(&mut series, f.at_ms);
                f.at_ms
            }
            // When the program ended, not now: the driver may finish it much later.
            None => {
                let end = self.rt.ended_ms().unwrap_or_else(|| self.rt.now_ms());
                end_at(&mut series, end);
                end
            }
        };
        if let Some(f) = &fatal {
            rec.cut_at(f.at_ms);
        }
        // Results sent that the program never read: the lesson says how many, drawn or not.
        let unread = rec.unread_at(runtime_ms);
        if unread > 0 {
            rec.numbers.set("results_unread", unread as f64);
        }
        // The whole run's peak: a scenario that measures phases resets the runtime's peak
        // window (control-comparison), the series keeps every phase's.
        let series_peak = series.goroutines.iter().fold(0.0f64, |a, &b| a.max(b)) as u64;
        let peak = match &fatal {
            Some(_) => series_peak,
            None => series_peak.max(self.rt.peak_goroutines() as u64),
        };
        thin_for_page(&mut series, self.ctx.p.mode, 2000);
        let c = rec.counts.at_end();
        let mut report = Report {
            scenario: self.spec.id,
            variant: self.spec.variants[self.variant].id,
            engine: "rust",
            params: self.ctx.p.clone(),
            build: self.build,
            threads: self.rt.gomaxprocs(),
            wall_ms,
            runtime_ms,
            goroutines_before: 1,
            peak_goroutines: peak,
            goroutines_after: after,
            heap_peak_bytes: heap1.peak_bytes.saturating_sub(self.heap0.live_bytes),
            total_alloc_bytes: heap1.total_bytes - self.heap0.total_bytes,
            tasks: c,
            latency_ms: Latency::of(&mut rec.latencies.iter().map(|&(l, _)| l).collect::<Vec<_>>()),
            throughput_per_s: if runtime_ms > 0.0 {
                c.finished() as f64 / (runtime_ms / 1e3)
            } else {
                0.0
            },
            series,
            // Nothing after an unrecovered panic belongs to the program.
            marks: std::mem::take(&mut rec.marks)
                .into_iter()
                .chain(self.rt.marks())
                .filter(|m| fatal.as_ref().is_none_or(|f| m.t_ms <= f.at_ms))
                .collect(),
            // The graph that explains the end: the cycle at a deadlock, the orphaned waiters of
            // a leak.
            wait_graph: match ended {
                Ended::Deadlock => self.rt.deadlock_graph(),
                Ended::Completed | Ended::Hung if after > 0 => Some(self.rt.wait_graph()),
                Ended::Completed | Ended::Hung | Ended::Panicked | Ended::Stopped => None,
            },
            timeline: {
                rec.still_running(runtime_ms);
                timeline(
                    std::mem::take(&mut rec.tasks),
                    &rec.row_labels,
                    &rec.row_goroutines,
                )
            },
            findings,
            tables: std::mem::take(&mut rec.tables),
            checklist: vec![],
            log: Vec::new(),
            numbers: std::mem::take(&mut rec.numbers),
            measures: Vec::new(),
            lesson: String::new(),
            lesson_details: String::new(),
            ended,
            exit_status: ended.exit_status(),
        };
        if rec.log_dropped > 0 {
            // Go's last lines (the panic, the deadlock) stay last.
            let tail = if fatal.is_some() || ended == Ended::Deadlock {
                rec.log.split_off(rec.log.len().saturating_sub(2))
            } else {
                vec![]
            };
            rec.log
                .push(format!("… {} more lines not shown", rec.log_dropped));
            rec.log.extend(tail);
        }
        report.log = rec.log;
        report.marks.sort_by(in_order);
        report.checklist = (self.spec.checklist)(&report, self.variant);
        (report.lesson, report.lesson_details) =
            split_lesson(&(self.spec.lesson)(&report, self.variant));
        report.measures = (self.spec.measures)(&report, self.variant);
        (report, trace)
    }
}

/// `5 goroutines are still blocked after main returned` (Go's harness prints the same).
fn leak_message(leaks: &[crate::runtime::goroutine::GoroutineInfo]) -> String {
    let n = leaks.len();
    // A goroutine in time.Sleep is not blocked for good: it will wake and end, if the program
    // lives that long (best-practices' timed-out task 13: review R17).
    let how = if leaks.iter().all(|g| g.wait.as_go() == "sleep") {
        "asleep"
    } else {
        "blocked"
    };
    format!(
        "{n} goroutine{} still {how} after main returned",
        if n == 1 { " is" } else { "s are" }
    )
}

/// Appends a line even past the log's cap (Go's last lines must be there).
fn push_log(rec: &mut Recorded, line: String) {
    if rec.log.len() >= super::report::LOG_CAP {
        rec.log_dropped += 1;
        rec.log.remove(0);
    }
    rec.log.push(line);
}

/// Thins `s` to `rows` for the page: on a real clock the rows that repeat go first (see
/// `Series::drop_repeats`), then buckets, where a change drawn at its bucket's end lagged its
/// mark by a row or two. In deterministic mode buckets only, so a seed gives the same rows.
fn thin_for_page(s: &mut Series, mode: Mode, rows: usize) {
    if mode == Mode::Real {
        s.drop_repeats(rows);
    }
    s.thin(rows);
}

/// How many rows were sampled by `t_ms` ([`crate::metrics::rows_by`]).
fn rows_by(s: &Series, t_ms: f64) -> usize {
    crate::metrics::rows_by(&s.t_ms, t_ms)
}

/// Drops the samples after an unrecovered panic at `t_ms` ([`rows_by`]). `Ctx::died` took a row
/// at the panic and dropped the rows taken after it (`runtime::sample_at`); what came after the
/// panic is not the program's. (Keeping the first row after it kept an interval's extreme in
/// the browser: the counter ended at 1, session 18.)
fn truncate(s: &mut Series, t_ms: f64) {
    let keep = rows_by(s, t_ms).max(1);
    for v in s.every_column_mut() {
        v.truncate(keep);
    }
}

/// Ends the series when the program ended: drops the rows sampled after `t_ms` but the last,
/// which moves to the end (what was left then, as `goroutines_after` counts it). The runtime
/// sampled at the end itself, so the rows kept hold every extreme up to it; rows within the
/// clock's resolution of the end are at it ([`rows_by`]), and the moved row goes just after
/// them.
/// It holds the highest heap of the rows dropped, so that the series keeps the heap peak the
/// report states (review R2).
fn end_at(s: &mut Series, t_ms: f64) {
    let n = s.t_ms.len();
    let keep = rows_by(s, t_ms);
    if keep >= n {
        return;
    }
    let tail_heap = s.heap_bytes[keep..].iter().fold(0.0f64, |a, &b| a.max(b));
    let t = match keep.checked_sub(1).map(|i| s.t_ms[i]) {
        // The next float up (t >= 0).
        Some(last) if last >= t_ms => f64::from_bits(last.to_bits() + 1),
        _ => t_ms,
    };
    for v in s.every_column_mut() {
        v.swap(keep, n - 1);
        v.truncate(keep + 1);
    }
    s.t_ms[keep] = t;
    s.heap_bytes[keep] = s.heap_bytes[keep].max(tail_heap);
}

/// The per-worker timeline, rows by worker, each row in start order.
fn timeline(
    mut tasks: Vec<(u64, TimelineTask)>,
    labels: &[(u64, String)],
    goroutines: &[(u64, u64)],
) -> Vec<TimelineRow> {
    let label = |worker: u64| match labels.iter().find(|(w, _)| *w == worker) {
        Some((_, l)) => l.clone(),
        None if worker == 0 => "never ran".to_string(),
        None => format!("worker {worker}"),
    };
    tasks.sort_by(|(w1, a), (w2, b)| w1.cmp(w2).then(a.start_ms.total_cmp(&b.start_ms)));
    let mut rows: Vec<TimelineRow> = Vec::new();
    for (worker, t) in tasks {
        match rows.last_mut() {
            Some(row) if row.worker == worker => row.tasks.push(t),
            _ => rows.push(TimelineRow {
                worker,
                label: label(worker),
                tasks: vec![t],
                goroutine: None,
            }),
        }
    }
    // A named row is drawn even when its worker never took a task: leak/wrong's five leaked
    // workers were one row, the one that happened to take every job (review F2, session 20).
    // Inserted in worker order (the rows are, from the sort above), not pushed and sorted: a
    // sort of rows would be one more sort compiled into the page's package.
    for (worker, l) in labels {
        if let Err(at) = rows.binary_search_by_key(worker, |r| r.worker) {
            rows.insert(
                at,
                TimelineRow {
                    worker: *worker,
                    label: l.clone(),
                    tasks: vec![],
                    goroutine: None,
                },
            );
        }
    }
    // Each row's goroutine, where the scenario named it.
    for &(worker, g) in goroutines {
        if let Ok(at) = rows.binary_search_by_key(&worker, |r| r.worker) {
            rows[at].goroutine = Some(g);
        }
    }
    rows
}

/// Runs a scenario to the end on the calling thread (native, or a thread that may block).
///
/// # Errors
///
/// As [`Run::start`].
pub fn run_blocking(
    id: &str,
    variant: Option<&str>,
    params: &RawParams,
    env: &Env,
) -> Result<Report, ScenarioError> {
    let mut run = Run::start(id, variant, params, env)?;
    drive(&mut run, env);
    Ok(run.finish())
}

/// Polls a started run until it is done, sleeping while it has nothing to do (native, or a
/// thread that may block).
pub fn drive(run: &mut Run, env: &Env) {
    loop {
        match run.poll() {
            Progress::Done => return,
            Progress::IdleFor(ms) => {
                #[cfg(not(target_arch = "wasm32"))]
                std::thread::sleep(Duration::from_secs_f64(ms.clamp(0.0, 5.0) / 1e3));
                #[cfg(target_arch = "wasm32")]
                let _ = ms;
            }
            // Threads of its own run it: look again in a ms. (On wasm a blocking thread
            // spins; the browser's driver does not use this loop.)
            Progress::Running => {
                #[cfg(not(target_arch = "wasm32"))]
                if env.threads > 0 && !run.pumped() {
                    std::thread::sleep(Duration::from_millis(1));
                }
                #[cfg(target_arch = "wasm32")]
                let _ = env;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::RawValue;

    fn det(tasks: f64, seed: f64) -> RawParams {
        RawParams::new()
            .with("tasks", RawValue::Number(tasks))
            .with("mode", RawValue::Text("deterministic".into()))
            .with("seed", RawValue::Number(seed))
    }

    /// A deterministic run comes back from `poll` in slices (so the page's driver reads Stop
    /// between them: review R3, where one `poll` ran 1,000,000 tasks to the end), and Stop
    /// between slices ends it as "stopped" with most tasks not run.
    #[test]
    fn deterministic_poll_returns_in_slices_and_hears_stop() {
        let env = Env::native();
        let mut run = Run::start("unlimited", None, &det(50_000.0, 1.0), &env).unwrap();
        assert!(run.pumped());
        let t0 = Instant::now();
        assert_ne!(run.poll(), Progress::Done, "one poll ran the whole run");
        let slice_ms = t0.elapsed().as_secs_f64() * 1e3;
        assert!(slice_ms < 500.0, "one slice took {slice_ms:.0} ms");
        run.stop();
        run.step(1);
        let r = run.finish();
        assert_eq!(r.ended, Ended::Stopped);
        assert!(r.tasks.successful < 50_000, "{} ran", r.tasks.successful);
    }

    /// Slices end on a count of polls, never on the wall clock: a seed still fixes the run.
    #[test]
    fn sliced_deterministic_runs_repeat() {
        let env = Env::native();
        let a = run_blocking("fixed-pool", None, &det(3000.0, 7.0), &env).unwrap();
        let b = run_blocking("fixed-pool", None, &det(3000.0, 7.0), &env).unwrap();
        assert_eq!(a.runtime_ms, b.runtime_ms);
        assert_eq!(a.timeline, b.timeline);
        assert_eq!(a.series.goroutines, b.series.goroutines);
    }
}
