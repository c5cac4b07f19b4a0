//! Beyond the guide's code, from its "Resource Protection: prevents API rate limit
//! violations": a token bucket in front of the workers, and what the same pool does without it.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use super::{
    count, gauge, measures, now_ms, variants, At, Ctx, Gauge, Named, Of, Param, Report, Spec,
    TaskOutcome, Unit,
};
use crate::{
    chan::{Chan, Select},
    params::Value,
    sync::WaitGroup,
    time,
};

variants! {
    /// With or without the limiter.
    enum Variant {
        TokenBucket = "token-bucket", Right, "a token bucket: a task starts only with a token";
        NoLimit = "no-limit", Wrong, "no limiter: every free worker starts at once";
    }
}

static PARAMS: &[(Param, Value)] = &[
    (Param::Tasks, Value::Int(60)),
    (Param::Workers, Value::Int(10)),
    (Param::RatePerS, Value::Float(20.0)),
    (Param::Burst, Value::Int(5)),
    (Param::SleepMaxMs, Value::Int(100)),
    (Param::Seed, Value::Int(1)),
    (Param::TimeScale, Value::Float(10.0)),
    (Param::Mode, Value::Choice("real")),
];

pub(super) fn spec() -> Spec {
    Spec {
        id: "rate-limit",
        section: "Benefits: Resource Protection",
        title: "Rate limiting with a token bucket",
        shows: "tasks started per second against the limit: the bucket holds the rate, the bare pool breaks it",
        variants: Variant::specs(),
        params: PARAMS,
        main: |c| Box::pin(main(c)),
        lesson,
        checklist: super::no_checklist,
        measures: |r, v| {
            const BUSIEST: Named = Named(
                At::Number("max_starts_per_s"),
                "starts in one second, at most",
                Unit::Count,
                Of::Nothing,
            );
            measures(
                r,
                match Variant::of(v) {
                    Variant::TokenBucket => &[
                        BUSIEST,
                        Named(At::Number("over_limit"), "starts over limit + burst", Unit::Count, Of::Nothing),
                    ],
                    Variant::NoLimit => &[
                        BUSIEST,
                        Named(At::Number("over_limit"), "starts over limit + burst", Unit::Count, Of::Tasks),
                    ],
                },
            )
        },
        // main, the refiller and the workers.
        need: |p, _| (p.workers + 2) * 456 + p.tasks * 205,
    }
}

/// Starts in the last second of runtime, as a gauge (`starts_per_s`).
struct Window {
    starts: Mutex<VecDeque<f64>>,
    all: Mutex<Vec<f64>>,
    gauge: Gauge,
}

impl Window {
    fn start(&self) {
        let now = now_ms();
        let mut w = self.starts.lock().unwrap();
        w.push_back(now);
        while w.front().is_some_and(|&t| t <= now - 1000.0) {
            w.pop_front();
        }
        self.gauge.set(w.len() as u64);
        self.all.lock().unwrap().push(now);
    }
}

async fn main(c: Arc<Ctx>) {
    let v = Variant::of(c.variant);
    let p = &c.p;
    let window = Arc::new(Window {
        starts: Mutex::default(),
        all: Mutex::default(),
        gauge: gauge("starts_per_s"),
    });
    // Only a program with a bucket charts one: the no-limit variant drew "tokens in the bucket"
    // flat at its burst (independent review, session 15, F4).
    let tokens_gauge = (v == Variant::TokenBucket).then(|| gauge("tokens"));
    // snippet:start rate-limit/token-bucket
    // tokens := make(chan struct{}, burst), full at the start; a ticker adds one every 1/rate s.
    let tokens: Chan<()> = Chan::new(p.burst as usize).named("tokens");
    for _ in 0..p.burst {
        tokens.try_send(()).expect("room for the burst");
    }
    let stop: Chan<()> = Chan::new(0).named("stop");
    if let Some(g) = tokens_gauge.clone() {
        let (t, s, every) = (
            tokens.clone(),
            stop.clone(),
            Duration::from_secs_f64(1.0 / p.rate_per_s),
        );
        c.go("refiller", async move {
            loop {
                let mut sel = Select::new();
                let stopped = sel.recv(&s);
                sel.recv(&time::after(every));
                if sel.wait().await == stopped.index() {
                    return;
                }
                let _ = t.try_send(()); // select { case tokens <- struct{}{}: default: }
                g.set(t.len() as u64);
            }
        });
    }
    // snippet:end rate-limit/token-bucket
    if let Some(g) = &tokens_gauge {
        g.set(tokens.len() as u64);
    }
    let jobs: Chan<(u64, f64)> = Chan::new(p.tasks as usize).named("jobs");
    let wg = WaitGroup::named("wg");
    // snippet:start rate-limit
    for w in 1..=p.workers {
        wg.add(1).expect("counting up");
        let (c2, jobs, wg, tokens, tg, window) = (
            c.clone(),
            jobs.clone(),
            wg.clone(),
            tokens.clone(),
            tokens_gauge.clone(),
            window.clone(),
        );
        c.go("worker", async move {
            let _done = wg.defer_done();
            while let Some((id, submitted)) = jobs.recv().await {
                if let Some(tg) = &tg {
                    tokens.recv().await; // <-tokens: wait for the bucket
                    tg.set(tokens.len() as u64);
                }
                window.start();
                let start = now_ms();
                time::sleep(Duration::from_millis(c2.draw(id).sleep_ms)).await;
                c2.rec
                    .task(w, id, submitted, start, now_ms(), TaskOutcome::Success);
            }
        });
    }
    // snippet:end rate-limit
    for id in 1..=p.tasks {
        jobs.send((id, now_ms()))
            .await
            .expect("room for every task");
        c.rec.submitted(1);
    }
    jobs.close().expect("closed once");
    wg.wait().await;
    let _ = stop.try_send(()); // stop the ticker
    let starts = window.all.lock().unwrap().clone();
    let (busiest, over) = judge(&starts, p.rate_per_s, p.burst);
    c.rec.set_number("max_starts_per_s", busiest as f64);
    c.rec.set_number("over_limit", over as f64);
    c.rec.set_number("limit_per_s", p.rate_per_s);
    c.rec.log(format!(
        "busiest second: {busiest} starts (limit {} per s, burst {}); {over} starts over limit + burst",
        p.rate_per_s, p.burst
    ));
}

/// The most starts in any one second, and how many starts broke the limit: a start breaks
/// it when, counting it, more than `rate_per_s + burst` tasks started in the second that ends
/// with it (a token bucket of that rate and burst never allows that). Judged over whole seconds,
/// not at the millisecond: the threads that time the starts and the ticks agree only to about
/// a millisecond of wall time in the browser.
fn judge(starts: &[f64], rate_per_s: f64, burst: u64) -> (usize, usize) {
    let limit = rate_per_s + burst as f64;
    let (mut busiest, mut over) = (0, 0);
    for (i, &t) in starts.iter().enumerate() {
        // Starts in (t - 1000 ms, t], the sorted list's slice ending at this one.
        let from = starts[..=i].partition_point(|&u| u <= t - 1000.0);
        let n = i + 1 - from;
        busiest = busiest.max(n);
        if n as f64 > limit {
            over += 1;
        }
    }
    (busiest, over)
}

fn lesson(r: &Report, v: usize) -> String {
    let p = &r.params;
    let (busiest, over) = (r.number("max_starts_per_s"), r.number("over_limit"));
    let pace = r.throughput_per_s;
    match Variant::of(v) {
        Variant::TokenBucket => format!(
            "A bucket of {} tokens refilled at {} per second {}: at most {busiest:.0} tasks started in any one second (the limit allows {} plus the burst of {}), and {over:.0} went over that.\u{1f}\
             The {} tasks took {:.0} ms. {}",
            p.burst,
            p.rate_per_s,
            if over == 0.0 { "held the rate" } else { "did not hold the rate in this run" },
            p.rate_per_s,
            p.burst,
            p.tasks,
            r.runtime_ms,
            if pace >= 0.8 * p.rate_per_s {
                format!("{pace:.1} tasks finished per second, close to the limit: the limit, not the {}, set the pace.", count(p.workers as f64, "worker", "workers"))
            } else {
                format!("Only {pace:.1} tasks finished per second, well under the limit of {}: here the {} and their task times set the pace, not the bucket.", p.rate_per_s, count(p.workers as f64, "worker", "workers"))
            },
        ),
        Variant::NoLimit if over > 0.0 => format!(
            "Without a limiter, every free worker started at once: {busiest:.0} tasks started in the busiest second against a limit of {} per second (burst {}), and {over:.0} of {} starts would have been refused by an API holding that limit.\u{1f}\
             Each came when that many had started in the second before. The pool bounds concurrency to its {}, not rate: protecting a rate needs its own limiter.",
            p.rate_per_s,
            p.burst,
            p.tasks,
            count(p.workers as f64, "worker", "workers"),
        ),
        Variant::NoLimit => format!(
            "Without a limiter, every free worker started at once, yet no second saw more than {busiest:.0} starts against a limit of {} per second (burst {}): with {} and these task times the pool stayed under the limit by itself, {over:.0} starts over it.\u{1f}\
             Nothing guarantees that: the pool bounds concurrency, not rate.",
            p.rate_per_s,
            p.burst,
            count(p.workers as f64, "worker", "workers"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::judge;

    #[test]
    fn judge_counts_the_busiest_second_and_the_starts_over_the_limit() {
        // A limit of 10 per second plus a burst of 2: 12 in any second.
        let steady: Vec<f64> = (0..30).map(|k| k as f64 * 100.0).collect();
        assert_eq!(judge(&steady, 10.0, 2), (10, 0));
        let burst: Vec<f64> = [0.0, 0.0]
            .into_iter()
            .chain(steady.iter().copied())
            .collect();
        assert_eq!(judge(&burst, 10.0, 2), (12, 0));
        let flood = vec![5.0; 15];
        assert_eq!(judge(&flood, 10.0, 2), (15, 3));
        // A second later the window has moved on.
        assert_eq!(
            judge(
                &[0.0; 12]
                    .iter()
                    .copied()
                    .chain([1000.0; 12])
                    .collect::<Vec<_>>(),
                10.0,
                2
            ),
            (12, 0)
        );
        assert_eq!(judge(&[], 10.0, 2), (0, 0));
    }
}
