//! The guide's Error 4: `sync.WaitGroup` used wrongly, and the way that always works. The
//! counter is a gauge (`waitgroup_counter`) and every `Add`, `Done` and `Wait` is a mark, so the
//! picture is the counter's life.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use super::{
    gauge, measures, now_ms, variants, At, AtMs, Ctx, Gauge, MarkKind, Measure, Named, Of, Param,
    Report, Spec, TaskOutcome, Unit,
};
use crate::{
    chan::{Chan, Select},
    params::Value,
    runtime::{goroutines, goroutines_at, FindingKind},
    sync::WaitGroup,
    time,
};

variants! {
    /// The guide's three mistakes, the right way, and one more mistake it warns about.
    enum Variant {
        AddInside = "add-inside", Wrong, "wg.Add(1) inside the goroutine", {Tasks: 5}, ignores [TimeoutMs];
        ByValue = "by-value", Wrong, "WaitGroup passed by value";
        ForgotDone = "forgot-done", Wrong, "Done() skipped on an early return";
        Right = "right", Right, "Add before go, defer Done", ignores [TimeoutMs];
        NegativeCounter = "negative-counter", Wrong, "one Done too many", ignores [TimeoutMs];
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(3)),
    (Param::TimeoutMs, Value::Int(2000)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(10.0)),
    (Param::Mode, Value::Choice("real")),
];

/// Each worker's `time.Sleep(100 * time.Millisecond)`.
const WORK_MS: u64 = 100;
/// The guide's main pauses 500 ms between its examples.
const PAUSE_MS: u64 = 500;

pub(super) fn spec() -> Spec {
    Spec {
        id: "waitgroup-misuse",
        section: "Error 4: Not Using WaitGroup Correctly",
        title: "WaitGroup misuse",
        shows: "the WaitGroup counter over time: Add inside the goroutine, a copied WaitGroup, a forgotten Done, one Done too many",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(main(c)),
        lesson,
        checklist: super::no_checklist,
        measures: lesson_measures,
        // main, the workers and the helper that waits with a time limit.
        need: |p, _| (p.tasks + 2) * 549,
    }
}

/// A `sync.WaitGroup` whose counter is drawn (`waitgroup_counter`) and whose calls are marked.
#[derive(Clone)]
struct Wg {
    wg: WaitGroup,
    /// `None` for a copy: the picture follows the original.
    counter: Option<Gauge>,
    c: Arc<Ctx>,
}

impl Wg {
    fn new(c: &Arc<Ctx>) -> Wg {
        Wg {
            wg: WaitGroup::named("wg"),
            counter: Some(gauge("waitgroup_counter")),
            c: c.clone(),
        }
    }

    /// Sets the drawn counter (called inside `mark_with`, which takes the series' row at the
    /// call's mark: the picture reads the line against the marks).
    fn show(&self) {
        if let Some(g) = &self.counter {
            g.set(self.wg.count().max(0) as u64);
        }
    }

    /// `wg.Add(n)`; like Go, panics when the counter would go below zero.
    fn add(&self, n: i64, who: &str) {
        if let Err(e) = self.wg.add(n) {
            panic!("{e}");
        }
        crate::runtime::mark_with(MarkKind::Add, format!("wg.Add({n}) {who}"), &mut || {
            self.show()
        });
    }

    /// `wg.Done()`; panics with "sync: negative WaitGroup counter" on one Done too many.
    fn done(&self, who: &str) {
        let copy = if self.counter.is_some() {
            ""
        } else {
            " on a copy"
        };
        let mut done = Ok(());
        let at = crate::runtime::mark_with(
            MarkKind::Done,
            format!("wg.Done(){copy} {who}"),
            &mut || {
                done = self.wg.done();
                if done.is_ok() {
                    self.show();
                }
            },
        );
        if let Err(e) = done {
            // Raised inside this Done, as in Go: the panic's instant is the Done's mark.
            crate::runtime::panic_at(at, e.to_string());
        }
    }

    /// `defer wg.Done()`.
    fn defer_done(&self, who: String) -> DoneGuard {
        DoneGuard(self.clone(), who)
    }

    /// `wg.Wait()`; returns when it returned, runtime ms (the instant its mark shows).
    async fn wait(&self) -> f64 {
        self.c.mark(MarkKind::Wait, "wg.Wait()");
        self.wg.wait().await;
        self.c.mark(MarkKind::WaitReturned, "wg.Wait() returned")
    }

    /// What passing the WaitGroup by value does in Go: a copy of the counter, nothing shared.
    fn copy_by_value(&self) -> Wg {
        Wg {
            wg: self.wg.copy_by_value(),
            counter: None,
            c: self.c.clone(),
        }
    }
}

/// Calls `done` when dropped, on every way out of the goroutine.
struct DoneGuard(Wg, String);

impl Drop for DoneGuard {
    fn drop(&mut self) {
        // Never a second panic while one unwinds (that would abort the process).
        if !std::thread::panicking() {
            self.0.done(&self.1);
        }
    }
}

/// One of the guide's workers: "Worker N: running", 100 ms of sleep.
async fn work(c: &Ctx, id: u64, finished: &AtomicU64) {
    let t = now_ms();
    c.rec.log(format!("Worker {id}: running"));
    time::sleep(Duration::from_millis(WORK_MS)).await;
    finished.fetch_add(1, Ordering::SeqCst);
    c.rec.task(id + 1, id, t, t, now_ms(), TaskOutcome::Success);
}

/// `wg.Wait()` with a time limit, as the guide's program avoids hanging: a helper goroutine
/// waits and signals a channel, main selects on it and `time.After`. True if Wait returned.
async fn wait_or_give_up(c: &Arc<Ctx>, wg: &Wg) -> bool {
    let done: Chan<()> = Chan::new(0).named("done");
    let (d, w) = (done.clone(), wg.clone());
    // Its own timeline row, after the workers' (named only if main gives up, see `gave_up`):
    // where Wait never returns, the row draws its wait to the end (review N1, session 20).
    c.go_row(c.p.tasks + 1, "waiter", async move {
        w.wait().await;
        let _ = d.send(()).await;
    });
    let mut sel = Select::new();
    let ok = sel.recv(&done);
    sel.recv(&time::after(Duration::from_millis(c.p.timeout_ms.max(1))));
    sel.wait().await == ok.index()
}

/// Main gave up: the run ends as "hung", the helper still waiting is the evidence.
fn gave_up(c: &Ctx, wg: &Wg) {
    let waiting = goroutines()
        .into_iter()
        .filter(|g| g.name == "waiter")
        .collect();
    c.rec.set_number("counter_at_timeout", wg.wg.count() as f64);
    c.rec.label_row(c.p.tasks + 1, "wg.Wait()");
    c.rec.hang(
        format!("wg.Wait() did not return within {} ms", c.p.timeout_ms),
        now_ms(),
        waiting,
    );
}

async fn main(c: Arc<Ctx>) {
    let n = c.p.tasks;
    let finished = Arc::new(AtomicU64::new(0));
    let wg = Wg::new(&c);
    c.rec.submitted(n);
    match Variant::of(c.variant) {
        Variant::AddInside => {
            // snippet:start waitgroup-misuse/add-inside
            for i in 0..n {
                let (wg, c2, f) = (wg.clone(), c.clone(), finished.clone());
                c.go("worker", async move {
                    wg.add(1, &format!("in worker {i}")); // RACE: main may already be in Wait
                    let _done = wg.defer_done(format!("worker {i}"));
                    work(&c2, i, &f).await;
                });
            }
            let returned = wg.wait().await; // may return at once: the counter can still be 0
            let done = finished.load(Ordering::SeqCst);
            c.rec.set_number("finished_at_wait", done as f64);
            c.rec.log(format!(
                "Main finished (but {} of {n} workers had not)",
                n - done
            ));
            if done < n {
                // Each one's time in its state up to Wait's return, the finding's instant.
                let running = goroutines_at((returned * 1e6).round() as u64)
                    .into_iter()
                    .filter(|g| g.name == "worker")
                    .collect();
                c.rec.finding(crate::runtime::Finding {
                    kind: FindingKind::EarlyReturn,
                    message: format!(
                        "wg.Wait() returned while {} of {n} goroutines had not finished",
                        n - done
                    ),
                    // When Wait returned, as its mark: taken after main looked at the
                    // goroutines, it said 34.8 ms beside a headline's 32.2 (review F12).
                    at_ms: returned,
                    goroutines: running,
                });
            }
            time::sleep(Duration::from_millis(PAUSE_MS)).await; // the guide's main pauses here
                                                                // snippet:end waitgroup-misuse/add-inside
        }
        Variant::ByValue => {
            // snippet:start waitgroup-misuse/by-value
            for i in 0..n {
                wg.add(1, &format!("for worker {i}"));
                // Rust will not compile Go's mistake (a WaitGroup is not Copy, and a moved one
                // cannot be waited on); `copy_by_value` does explicitly what Go does silently.
                let (copy, c2, f) = (wg.copy_by_value(), c.clone(), finished.clone());
                c.go("worker", async move {
                    let _done = copy.defer_done(format!("worker {i}")); // modifies the COPY
                    work(&c2, i, &f).await;
                });
            }
            c.rec.log("Waiting (this would hang forever)...");
            if !wait_or_give_up(&c, &wg).await {
                c.rec
                    .log("TIMEOUT: WaitGroup never completed (passed by value!)");
                gave_up(&c, &wg);
            }
            // snippet:end waitgroup-misuse/by-value
        }
        Variant::ForgotDone => {
            // snippet:start waitgroup-misuse/forgot-done
            for i in 0..n {
                wg.add(1, &format!("for worker {i}"));
                let (wg, c2, f) = (wg.clone(), c.clone(), finished.clone());
                c.go("worker", async move {
                    work(&c2, i, &f).await;
                    if i == 1 {
                        return; // early return without Done()
                    }
                    wg.done(&format!("worker {i}"));
                });
            }
            c.rec.log("Waiting (this would hang)...");
            if !wait_or_give_up(&c, &wg).await {
                c.rec.log("TIMEOUT: One worker forgot to call Done()!");
                gave_up(&c, &wg);
            }
            // snippet:end waitgroup-misuse/forgot-done
        }
        Variant::Right => {
            // snippet:start waitgroup-misuse/right
            for i in 0..n {
                wg.add(1, &format!("for worker {i}")); // Add BEFORE starting the goroutine
                let (wg, c2, f) = (wg.clone(), c.clone(), finished.clone());
                c.go("worker", async move {
                    let _done = wg.defer_done(format!("worker {i}")); // runs on every way out
                    work(&c2, i, &f).await;
                    if i == 1 {
                        c2.rec.log("Worker 1: early return (Done still runs)");
                    }
                });
            }
            wg.wait().await;
            let done = finished.load(Ordering::SeqCst);
            c.rec.set_number("finished_at_wait", done as f64);
            c.rec.log(format!(
                "All {done} workers completed (even with early returns)"
            ));
            // snippet:end waitgroup-misuse/right
        }
        Variant::NegativeCounter => {
            // snippet:start waitgroup-misuse/negative-counter
            for i in 0..n {
                wg.add(1, &format!("for worker {i}"));
                let (wg, c2, f) = (wg.clone(), c.clone(), finished.clone());
                c.go("worker", async move {
                    let _done = wg.defer_done(format!("worker {i}"));
                    work(&c2, i, &f).await;
                    if i == 1 {
                        wg.done("worker 1, on its error path"); // one Done too many
                    }
                });
            }
            wg.wait().await; // returns early: the extra Done brought the counter to 0
            c.rec
                .set_number("finished_at_wait", finished.load(Ordering::SeqCst) as f64);
            c.rec.log("Main: wg.Wait() returned");
            time::sleep(Duration::from_millis(PAUSE_MS)).await;
            // snippet:end waitgroup-misuse/negative-counter
        }
    }
}

/// When Wait returned, as the picture marks it (the finding is taken a little later, after
/// main looked at the goroutines: "Wait returned at 14.5 ms" stood beside a mark at 13.9 ms).
fn wait_returned_at(r: &Report) -> Option<f64> {
    r.marks
        .iter()
        .find(|m| m.kind == MarkKind::WaitReturned)
        .map(|m| m.t_ms)
}

/// When main gave up waiting (the hang), measured.
fn gave_up_at(r: &Report) -> Option<f64> {
    r.findings_of(FindingKind::Hang).first().map(|f| f.at_ms)
}

/// The counter and the moments the lesson is about.
fn lesson_measures(r: &Report, v: usize) -> Vec<Measure> {
    const FINISHED: Named = Named(
        At::Number("finished_at_wait"),
        "finished when Wait returned",
        Unit::Count,
        Of::Tasks,
    );
    const TOP: Named = Named(
        At::GaugeMax("waitgroup_counter"),
        "the counter, at most",
        Unit::Count,
        Of::Nothing,
    );
    let named: &[Named] = match Variant::of(v) {
        Variant::AddInside if !r.findings_of(FindingKind::EarlyReturn).is_empty() => &[
            FINISHED,
            Named(
                At::MarkAt(MarkKind::WaitReturned),
                "Wait returned at",
                Unit::Instant,
                Of::Nothing,
            ),
            TOP,
        ],
        Variant::AddInside => &[TOP],
        Variant::ByValue | Variant::ForgotDone => &[
            Named(
                At::Number("counter_at_timeout"),
                "counter when main gave up",
                Unit::Count,
                Of::Nothing,
            ),
            Named(
                At::FindingAt(FindingKind::Hang),
                "main gave up at",
                Unit::Instant,
                Of::Nothing,
            ),
        ],
        Variant::Right => &[FINISHED, TOP],
        Variant::NegativeCounter if r.ended == super::Ended::Panicked => &[
            Named(
                At::FindingAt(FindingKind::Panic),
                "counter below zero at",
                Unit::Instant,
                Of::Nothing,
            ),
            FINISHED,
        ],
        Variant::NegativeCounter => &[FINISHED],
    };
    measures(r, named)
}

fn lesson(r: &Report, v: usize) -> String {
    let n = r.params.tasks;
    let top = r.gauge_max("waitgroup_counter");
    let gave_up = AtMs(gave_up_at(r).unwrap_or(r.params.timeout_ms as f64));
    match Variant::of(v) {
        Variant::AddInside => match r.findings_of(FindingKind::EarlyReturn).first() {
            Some(f) => format!(
                "Each goroutine called wg.Add(1) itself, but main reached wg.Wait() first: {} ({:.0} finished) at {}, and main went on without their results.\u{1f}\
                 The counter only reached {top:.0} afterwards. Call Add before `go`.",
                f.message,
                r.number("finished_at_wait"),
                AtMs(wait_returned_at(r).unwrap_or(f.at_ms)),
            ),
            None => format!(
                "This time all {n} goroutines ran their wg.Add(1) before main reached wg.Wait() (the counter reached {top:.0} first), so Wait waited: the bug is a race, and races hide.\u{1f}\
                 Deterministic mode runs main until it blocks, as Go's scheduler usually does, and Wait returns early every time. Call Add before `go`.",
            ),
        },
        Variant::ByValue => format!(
            "Each worker got a copy of the WaitGroup, so its Done() changed the copy: the original counter stayed at {:.0} and wg.Wait() never returned, so main gave up at {gave_up} (ended: hung).\u{1f}\
             The helper goroutine still waiting leaked, as it would in Go. Pass *sync.WaitGroup.",
            r.number("counter_at_timeout"),
        ),
        Variant::ForgotDone => format!(
            "Worker 1 returned early and skipped its Done(), so the counter stopped at {:.0} instead of 0 and wg.Wait() hung until main gave up at {gave_up} (ended: hung).\u{1f}\
             `defer wg.Done()` at the top runs on every way out.",
            r.number("counter_at_timeout"),
        ),
        Variant::Right => format!(
            "Add before `go` and `defer wg.Done()`: the counter rose to {top:.0}, fell to 0 as the workers finished (worker 1's early return included), and Wait returned when all {:.0} of {n} had finished, with {} goroutines left behind.",
            r.number("finished_at_wait"),
            r.goroutines_after
        ),
        Variant::NegativeCounter => match r.findings_of(FindingKind::Panic).first() {
            Some(f) => format!(
                "Worker 1 called Done on its error path and again in its defer, so the last of {} Dones for {n} Adds took the counter below zero: \"{}\" at {}, and the program died.\u{1f}\
                 The counter reached 0 while a worker still ran ({}). Exit status 2. Match every Add with exactly one Done.",
                n + 1,
                f.message,
                AtMs(f.at_ms),
                // Only what this run did: main may never run again after the Wait that 0
                // released (independent review, session 18: "Wait returned with 0 of 3" beside
                // an order strip with no return, 2 runs in 5 on the page).
                match r.marks.iter().any(|m| m.kind == MarkKind::WaitReturned) {
                    true => format!("Wait returned with {:.0} of {n} finished", r.number("finished_at_wait")),
                    false => "it released wg.Wait(), but the panic came before main ran again".to_string(),
                },
            ),
            None => "Main returned before the extra Done ran; the counter would have gone negative.".into(),
        },
    }
}
