//! The guide's four common errors, each with its wrong and its right version.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use serde_json::json;

use super::{now_ms, v, Ctx, Report, Spec};
use crate::{
    chan::{Chan, Select},
    runtime::{
        go_named, goroutine::State, goroutines, num_goroutine, recover, Finding, FindingKind,
    },
    sync::WaitGroup,
    time,
};

// ---------------------------------------------------------------- Error 1: not closing channels

pub(super) fn leak_spec() -> Spec {
    Spec {
        id: "leak-unclosed-channel",
        section: "Error 1: Not Closing Channels",
        title: "Not closing channels",
        shows: "workers ranging over a channel nobody closes never return: a goroutine leak",
        variants: vec![
            v("wrong", "❌ channel never closed", true),
            v("right", "✅ close(jobs), then wg.Wait()", false),
        ],
        defaults: json!({"tasks": 10, "workers": 5, "seed": 1, "time_scale": 1}),
        uses: vec!["tasks", "workers", "seed", "mode"],
        main: |c| Box::pin(leak(c)),
        lesson: leak_lesson,
        peak: |p| p.workers + 1,
    }
}

async fn leak(c: Arc<Ctx>) {
    let jobs: Chan<u64> = Chan::new(0).named("jobs");
    let wg = WaitGroup::named("wg");
    for w in 1..=c.p.workers {
        wg.add(1).expect("counting up");
        let (jobs, wg, c) = (jobs.clone(), wg.clone(), c.clone());
        go_named("worker", async move {
            let _d = wg.defer_done();
            while let Some(job) = jobs.recv().await {
                let t = now_ms();
                c.rec.log(format!("Worker {w}: processing {job}"));
                c.rec.task(w, job, t, t, now_ms(), "success");
            }
            c.rec.log(format!("Worker {w}: shutting down cleanly"));
        });
    }
    c.rec.submitted(c.p.tasks);
    for i in 0..c.p.tasks {
        jobs.send(i).await.expect("open");
    }
    if c.variant == "right" {
        jobs.close().expect("closed once");
        wg.wait().await;
        c.rec.log("✅ All workers shut down cleanly");
    } else {
        c.rec
            .log("⚠️  Main finished, but workers are still waiting...");
        // Like the guide's time.Sleep(500ms): give the workers time to park on their receive.
        time::sleep(Duration::from_millis(50)).await;
    }
    c.rec
        .log(format!("Goroutines still running: {}", num_goroutine()));
}

fn leak_lesson(r: &Report) -> String {
    if r.variant == "wrong" {
        let leaks = r.findings_of(FindingKind::Leak);
        let first = leaks
            .first()
            .and_then(|f| f.goroutines.first())
            .map(|g| g.to_string())
            .unwrap_or_default();
        format!(
            "Main returned with {} goroutines still alive: every worker is parked in `for job := range jobs` on a channel nobody will close or send on (e.g. {first}). They hold their memory forever, and a wg.Wait() here would have deadlocked instead.",
            r.goroutines_after
        )
    } else {
        format!(
            "close(jobs) ended every `range jobs` loop after the {} jobs: all {} workers returned, wg.Wait() came back, and {} goroutines were left behind.",
            r.tasks.submitted, r.params.workers, r.goroutines_after
        )
    }
}

// ---------------------------------------------------------- Error 2: sending on a closed channel

pub(super) fn send_closed_spec() -> Spec {
    Spec {
        id: "send-on-closed",
        section: "Error 2: Sending on Closed Channel",
        title: "Sending on a closed channel",
        shows: "a second sender that does not own the channel sends after it was closed: Go panics",
        variants: vec![
            v("wrong", "❌ a racing second sender", true),
            v(
                "single-sender",
                "✅ one goroutine owns send and close",
                false,
            ),
            v(
                "many-senders",
                "✅ many senders, one closer after wg.Wait()",
                false,
            ),
        ],
        defaults: json!({"tasks": 5, "workers": 3, "seed": 1, "time_scale": 1}),
        uses: vec!["tasks", "workers", "seed", "mode"],
        main: |c| Box::pin(send_closed(c)),
        lesson: send_closed_lesson,
        peak: |p| p.workers + 3,
    }
}

/// A consumer that counts what it receives until the channel is closed.
fn consumer(c: &Arc<Ctx>, jobs: &Chan<u64>, wg: &WaitGroup, slow: bool) {
    wg.add(1).expect("counting up");
    let (c, jobs, wg) = (c.clone(), jobs.clone(), wg.clone());
    go_named("worker", async move {
        let _d = wg.defer_done();
        while let Some(job) = jobs.recv().await {
            let t = now_ms();
            c.rec.log(format!("Processing: {job}"));
            if slow {
                time::sleep(Duration::from_millis(10)).await;
            }
            c.rec.task(1, job, t, t, now_ms(), "success");
            c.rec.number("delivered", 1.0);
        }
    });
}

async fn send_closed(c: Arc<Ctx>) {
    let n = c.p.tasks;
    let wg = WaitGroup::named("wg");
    match c.variant {
        "wrong" => {
            let jobs: Chan<u64> = Chan::new(0).named("jobs");
            consumer(&c, &jobs, &wg, true);
            let (j, c2) = (jobs.clone(), c.clone());
            go_named("owner", async move {
                for i in 0..n {
                    j.send(i).await.expect("open while the owner sends");
                    c2.rec.submitted(1);
                    time::sleep(Duration::from_millis(20)).await;
                }
                j.close().expect("closed once");
                c2.rec
                    .log(format!("owner: closed jobs at {:.0} ms", now_ms()));
            });
            // The second sender does not know the owner closed the channel. In the guide it sends
            // at 50 ms, usually before the close, so the bug hides; here it sends at 20 ms × tasks
            // + 20 ms, just after, as it would on a slower day.
            time::sleep(Duration::from_millis(20 * n + 20)).await;
            let r = recover(async {
                c.rec
                    .log(format!("main: sending 999 at {:.0} ms", now_ms()));
                if let Err(e) = jobs.send(999).await {
                    panic!("{e}");
                }
            })
            .await;
            match r {
                Err(msg) => {
                    c.rec.log(format!("❌ PANIC CAUGHT: {msg}"));
                    c.rec.finding(Finding {
                        kind: FindingKind::Panic,
                        message: format!("panic: {msg} [goroutine 1, recovered]"),
                        at_ms: now_ms(),
                        goroutines: vec![],
                    });
                }
                Ok(()) => c
                    .rec
                    .log("the late send got through this time (the race went the other way)"),
            }
            wg.wait().await;
        }
        "single-sender" => {
            let jobs: Chan<u64> = Chan::new(0).named("jobs");
            consumer(&c, &jobs, &wg, false);
            // defer close(jobs): the one goroutine that sends is the one that closes.
            for i in 0..n {
                jobs.send(i).await.expect("open");
                c.rec.submitted(1);
            }
            jobs.close().expect("closed once");
            wg.wait().await;
            c.rec.log("✅ Completed successfully");
        }
        _ => {
            let jobs: Chan<u64> = Chan::new(10).named("jobs");
            consumer(&c, &jobs, &wg, false);
            let senders = WaitGroup::named("senderWg");
            for s in 0..c.p.workers {
                senders.add(1).expect("counting up");
                let (j, sw, c2) = (jobs.clone(), senders.clone(), c.clone());
                go_named("sender", async move {
                    let _d = sw.defer_done();
                    for i in 0..n {
                        j.send(s * 100 + i)
                            .await
                            .expect("closed only after every sender is done");
                        c2.rec.submitted(1);
                    }
                });
            }
            let (j, sw) = (jobs.clone(), senders.clone());
            go_named("closer", async move {
                sw.wait().await;
                j.close().expect("closed once");
            });
            wg.wait().await;
            c.rec.log("✅ All senders completed successfully");
        }
    }
}

fn send_closed_lesson(r: &Report) -> String {
    let delivered = r.number("delivered");
    match r.variant.as_str() {
        "wrong" => match r.findings_of(FindingKind::Panic).first() {
            Some(f) => format!(
                "The owner closed the channel after its {} values; the second sender, not knowing, sent 999 afterwards and got Go's runtime panic: \"{}\" — recovered here, fatal in a Go program that does not recover. {} values were delivered. Only the goroutine that sends should close, and only after its last send.",
                r.params.tasks,
                f.message.trim_start_matches("panic: ").split(" [").next().unwrap_or(""),
                delivered
            ),
            None => "The late send got in before the close this time: the bug is a race, which is why it hides in tests.".into(),
        },
        "single-sender" => format!("One goroutine sent all {delivered:.0} values and then closed the channel: no send can follow the close, so there is nothing to panic about."),
        _ => format!(
            "{} senders shared the channel; a separate closer goroutine waited for all of them (senderWg.Wait()) before closing. All {delivered:.0} values arrived and no send ever met a closed channel.",
            r.params.workers
        ),
    }
}

// ------------------------------------------------------ Error 3: deadlock from unbuffered channels

pub(super) fn deadlock_spec() -> Spec {
    Spec {
        id: "deadlock-unbuffered",
        section: "Error 3: Deadlock from Unbuffered Channels",
        title: "Deadlock from unbuffered channels",
        shows: "sending all jobs before reading any result, on unbuffered channels: everyone waits for everyone",
        variants: vec![
            v("wrong", "❌ send and receive in one goroutine", true),
            v("buffered", "✅ buffered channels", false),
            v("separate-goroutines", "✅ a sender goroutine", false),
            v("blocked-workers", "⚠️ results read late: workers blocked", false),
        ],
        defaults: json!({"tasks": 10, "workers": 2, "seed": 1, "time_scale": 1}),
        uses: vec!["tasks", "workers", "seed", "time_scale", "mode"],
        main: |c| Box::pin(deadlock(c)),
        lesson: deadlock_lesson,
        peak: |p| p.workers + 3,
    }
}

fn doubling_workers(c: &Arc<Ctx>, jobs: &Chan<u64>, results: &Chan<u64>, wg: &WaitGroup) {
    for w in 1..=c.p.workers {
        wg.add(1).expect("counting up");
        let (c, jobs, results, wg) = (c.clone(), jobs.clone(), results.clone(), wg.clone());
        go_named("worker", async move {
            let _d = wg.defer_done();
            while let Some(job) = jobs.recv().await {
                let t = now_ms();
                results
                    .send(job * 2)
                    .await
                    .expect("results stay open while workers run");
                let blocked = now_ms() - t;
                c.rec.number("blocked_ms", blocked);
                c.rec.number_max("max_blocked_ms", blocked);
                c.rec.task(w, job, t, t, now_ms(), "success");
            }
        });
    }
}

async fn deadlock(c: Arc<Ctx>) {
    let n = c.p.tasks;
    let wg = WaitGroup::named("wg");
    c.rec.submitted(n);
    match c.variant {
        "wrong" => {
            let jobs: Chan<u64> = Chan::new(0).named("jobs");
            let results: Chan<u64> = Chan::new(0).named("results");
            doubling_workers(&c, &jobs, &results, &wg);
            for i in 0..n {
                c.rec.log(format!("main: sending job {i}"));
                jobs.send(i).await.expect("open");
            }
            jobs.close().expect("closed once");
            for _ in 0..n {
                c.rec.log(format!("Result: {:?}", results.recv().await));
            }
            wg.wait().await;
        }
        "buffered" => {
            let jobs: Chan<u64> = Chan::new(n as usize).named("jobs");
            let results: Chan<u64> = Chan::new(n as usize).named("results");
            doubling_workers(&c, &jobs, &results, &wg);
            for i in 0..n {
                jobs.send(i).await.expect("open");
            }
            jobs.close().expect("closed once");
            let (r, w) = (results.clone(), wg.clone());
            go_named("closer", async move {
                w.wait().await;
                r.close().expect("closed once");
            });
            while let Some(v) = results.recv().await {
                c.rec.log(format!("Result: {v}"));
            }
            c.rec.log("✅ Completed without deadlock");
        }
        "separate-goroutines" => {
            let jobs: Chan<u64> = Chan::new(0).named("jobs");
            let results: Chan<u64> = Chan::new(0).named("results");
            doubling_workers(&c, &jobs, &results, &wg);
            let j = jobs.clone();
            go_named("sender", async move {
                for i in 0..n {
                    j.send(i).await.expect("open");
                }
                j.close().expect("closed once");
            });
            let (r, w) = (results.clone(), wg.clone());
            go_named("closer", async move {
                w.wait().await;
                r.close().expect("closed once");
            });
            let mut count = 0;
            while let Some(v) = results.recv().await {
                count += 1;
                c.rec.log(format!("Result: {v}"));
            }
            c.rec.log(format!("✅ Processed {count} results"));
        }
        _ => {
            let jobs: Chan<u64> = Chan::new(n as usize).named("jobs");
            let results: Chan<u64> = Chan::new(0).named("results");
            doubling_workers(&c, &jobs, &results, &wg);
            for i in 0..n {
                jobs.send(i).await.expect("open");
            }
            jobs.close().expect("closed once");
            c.rec
                .log("⚠️  Sleeping while workers try to send results...");
            time::sleep(Duration::from_secs(2)).await;
            let blocked: Vec<_> = goroutines()
                .into_iter()
                .filter(|g| g.name == "worker" && g.state == State::Blocked)
                .collect();
            for g in &blocked {
                c.rec.log(format!("{g} for {:.0} ms", g.for_ms));
            }
            c.rec.log("Now reading results...");
            for _ in 0..n {
                c.rec.log(format!("Got result: {:?}", results.recv().await));
            }
            wg.wait().await;
            c.rec.log("⚠️  This worked but workers were blocked!");
        }
    }
}

fn deadlock_lesson(r: &Report) -> String {
    match r.variant.as_str() {
        "wrong" => match r.findings_of(FindingKind::Deadlock).first() {
            Some(f) => {
                let who: Vec<String> = f.goroutines.iter().map(|g| g.to_string()).collect();
                format!(
                    "fatal error: all goroutines are asleep - deadlock! Main sends every job before reading any result, both channels unbuffered: the workers each took a job and now wait to hand over a result nobody reads, while main waits for a worker to take the next job. Detected {:.1} ms into the run: {}.",
                    f.at_ms,
                    who.join("; ")
                )
            }
            None => "No deadlock this time.".into(),
        },
        "buffered" => format!("With room for all {} jobs and results, nobody waits on anybody: main queues everything, the workers drain it, a closer goroutine closes results after wg.Wait(). No deadlock.", r.params.tasks),
        "separate-goroutines" => "Sending from its own goroutine lets main read results while jobs still go out: unbuffered channels are fine once send and receive happen in different goroutines.".into(),
        _ => format!(
            "No deadlock, but the workers spent {:.0} ms in total (up to {:.0} ms each) blocked on an unbuffered results channel while main slept: the pool stood still with work queued.",
            r.number("blocked_ms"),
            r.number("max_blocked_ms")
        ),
    }
}

// ---------------------------------------------------------- Error 4: WaitGroup used wrongly

pub(super) fn waitgroup_spec() -> Spec {
    Spec {
        id: "waitgroup-misuse",
        section: "Error 4: Not Using WaitGroup Correctly",
        title: "WaitGroup misuse",
        shows: "Add inside the goroutine, a copied WaitGroup, a forgotten Done — and the guard that always calls Done",
        variants: vec![
            v("add-inside", "❌ wg.Add(1) inside the goroutine", true),
            v("by-value", "❌ WaitGroup passed by value", true),
            v("forgot-done", "❌ Done() skipped on an early return", true),
            v("right", "✅ Add before go, defer Done", false),
        ],
        defaults: json!({"tasks": 5, "workers": 3, "timeout_ms": 2000, "seed": 1, "time_scale": 10}),
        uses: vec!["tasks", "timeout_ms", "seed", "time_scale", "mode"],
        main: |c| Box::pin(waitgroup(c)),
        lesson: waitgroup_lesson,
        peak: |p| p.tasks + 3,
    }
}

/// `wg.Wait()` with a time limit, the way the guide's program avoids hanging: a helper goroutine
/// waits and signals a channel, main selects on it and `time.After`. True if Wait returned.
async fn wait_or_hang(c: &Ctx, wg: &WaitGroup) -> bool {
    let done: Chan<()> = Chan::new(1).named("done");
    let (d, w) = (done.clone(), wg.clone());
    go_named("waiter", async move {
        w.wait().await;
        let _ = d.send(()).await;
    });
    let mut sel = Select::new();
    let ok = sel.recv(&done);
    sel.recv(&time::after(Duration::from_millis(c.p.timeout_ms.max(1))));
    sel.wait().await == ok.index()
}

async fn waitgroup(c: Arc<Ctx>) {
    let n = c.p.tasks;
    let finished = Arc::new(AtomicU64::new(0));
    let wg = WaitGroup::named("wg");
    c.rec.submitted(n);
    let worker = |id: u64, c: Arc<Ctx>, finished: Arc<AtomicU64>| async move {
        let t = now_ms();
        c.rec.log(format!("Worker {id}: running"));
        time::sleep(Duration::from_millis(100)).await;
        finished.fetch_add(1, Ordering::SeqCst);
        c.rec.task(id + 1, id, t, t, now_ms(), "success");
    };
    match c.variant {
        "add-inside" => {
            for i in 0..n {
                let (wg, c, f) = (wg.clone(), c.clone(), finished.clone());
                go_named("worker", async move {
                    wg.add(1).expect("counting up"); // ❌ main may already be in Wait
                    let _d = wg.defer_done();
                    worker(i, c, f).await;
                });
            }
            wg.wait().await;
            let done = finished.load(Ordering::SeqCst);
            c.rec.log(format!(
                "⚠️  Main finished (Wait returned) with {done}/{n} workers done"
            ));
            if done < n {
                let running: Vec<_> = goroutines()
                    .into_iter()
                    .filter(|g| g.name == "worker")
                    .collect();
                c.rec.finding(Finding {
                    kind: FindingKind::EarlyReturn,
                    message: format!("wg.Wait() returned while {} of {n} workers had not finished: their results are missing", n - done),
                    at_ms: now_ms(),
                    goroutines: running,
                });
            }
            c.rec.number("finished_at_wait", done as f64);
            // Let the stragglers finish so they are not reported as leaks.
            time::sleep(Duration::from_millis(200)).await;
        }
        "by-value" => {
            for i in 0..n {
                wg.add(1).expect("counting up");
                // Rust will not compile the Go mistake: `WaitGroup` is not `Copy`, and a moved
                // one cannot be waited on. `copy_by_value` does explicitly what Go does silently.
                let (copy, c, f) = (wg.copy_by_value(), c.clone(), finished.clone());
                go_named("worker", async move {
                    let _d = copy.defer_done(); // modifies the copy, not the original
                    worker(i, c, f).await;
                });
            }
            c.rec.log("⚠️  Waiting (this would hang forever)...");
            if !wait_or_hang(&c, &wg).await {
                c.rec
                    .log("❌ TIMEOUT: WaitGroup never completed (passed by value!)");
                hang(&c, format!("wg.Wait() still waiting after {} ms: every Done went to a copy; the original counts {}", c.p.timeout_ms, wg.count()));
            }
        }
        "forgot-done" => {
            for i in 0..n {
                wg.add(1).expect("counting up");
                let (wg, c, f) = (wg.clone(), c.clone(), finished.clone());
                go_named("worker", async move {
                    worker(i, c, f).await;
                    if i == 1 {
                        return; // ❌ early return without Done()
                    }
                    wg.done().expect("one Done per Add");
                });
            }
            c.rec.log("⚠️  Waiting (this would hang)...");
            if !wait_or_hang(&c, &wg).await {
                c.rec.log("❌ TIMEOUT: One worker forgot to call Done()!");
                hang(&c, format!("wg.Wait() still waiting after {} ms: worker 1 returned early without Done; the counter is stuck at {}", c.p.timeout_ms, wg.count()));
            }
        }
        _ => {
            for i in 0..n {
                wg.add(1).expect("counting up"); // ✅ before go
                let (wg, c, f) = (wg.clone(), c.clone(), finished.clone());
                go_named("worker", async move {
                    let _d = wg.defer_done(); // ✅ runs on every way out
                    worker(i, c, f).await;
                    if i == 1 {
                        // Early return is safe with the guard.
                    }
                });
            }
            wg.wait().await;
            c.rec.log(format!(
                "✅ All {} workers completed (even with early returns)",
                finished.load(Ordering::SeqCst)
            ));
            c.rec
                .number("finished_at_wait", finished.load(Ordering::SeqCst) as f64);
        }
    }
}

fn hang(c: &Ctx, message: String) {
    let waiting: Vec<_> = goroutines()
        .into_iter()
        .filter(|g| g.name == "waiter")
        .collect();
    c.rec.finding(Finding {
        kind: FindingKind::Hang,
        message,
        at_ms: now_ms(),
        goroutines: waiting,
    });
}

fn waitgroup_lesson(r: &Report) -> String {
    let n = r.params.tasks;
    match r.variant.as_str() {
        "add-inside" if r.number("finished_at_wait") < n as f64 => format!(
            "Each goroutine called wg.Add(1) itself, but main reached wg.Wait() first, when the counter was still 0: Wait returned with {:.0} of {n} workers finished, so their results were missing. Call Add before `go`.",
            r.number("finished_at_wait")
        ),
        "add-inside" => format!(
            "This time every worker ran its wg.Add(1) before main reached wg.Wait(), so Wait waited for all {n}: the bug is a race, and races hide. Run it in deterministic mode, where main runs until it blocks as Go's scheduler usually lets it, and Wait returns early every time. Call Add before `go`."
        ),
        "by-value" => format!(
            "Each worker got a copy of the WaitGroup, so its Done() decremented the copy: the original stayed at {n} and Wait() hung until the {} ms timeout gave up (the helper goroutine still waiting is reported as leaked, as it would leak in Go). Rust refuses to compile this mistake; here it is emulated with an explicit copy.",
            r.params.timeout_ms
        ),
        "forgot-done" => format!(
            "Worker 1 returned early and skipped its Done(), so the counter never reached zero and Wait() hung until the {} ms timeout. A guard (`defer wg.Done()`) runs on every way out.",
            r.params.timeout_ms
        ),
        _ => format!(
            "Add before `go`, and a guard that calls Done on every way out, early returns included: Wait returned when all {:.0} of {n} workers had finished, and nothing was left behind ({} goroutines after).",
            r.number("finished_at_wait"),
            r.goroutines_after
        ),
    }
}
