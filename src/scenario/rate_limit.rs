//! Beyond the guide's code, from its "Resource Protection: prevents API rate limit
//! violations": a token bucket in front of the workers, and what the same pool does without it.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use super::{gauge, now_ms, variants, Ctx, Gauge, Param, Report, Spec, TaskOutcome};
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
    let tokens_gauge = gauge("tokens");
    // snippet:start rate-limit/token-bucket
    // tokens := make(chan struct{}, burst), full at the start; a ticker adds one every 1/rate s.
    let tokens: Chan<()> = Chan::new(p.burst as usize).named("tokens");
    for _ in 0..p.burst {
        tokens.try_send(()).expect("room for the burst");
    }
    let stop: Chan<()> = Chan::new(0).named("stop");
    if v == Variant::TokenBucket {
        let (t, s, g, every) = (
            tokens.clone(),
            stop.clone(),
            tokens_gauge.clone(),
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
    tokens_gauge.set(tokens.len() as u64);
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
                if v == Variant::TokenBucket {
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
        "busiest second: {busiest} starts (limit {} per s, burst {}); {over} starts over the limit",
        p.rate_per_s, p.burst
    ));
}

/// The most starts in any one second, and how many starts a token bucket of this rate and
/// burst (full at t = 0, refilled continuously) would have refused: it lets a burst through at
/// once, then one start per 1/rate.
fn judge(starts: &[f64], rate_per_s: f64, burst: u64) -> (usize, usize) {
    let mut busiest = 0;
    for (i, &t) in starts.iter().enumerate() {
        let n = starts[i..].iter().take_while(|&&u| u < t + 1000.0).count();
        busiest = busiest.max(n);
    }
    let (mut tokens, mut last, mut over) = (burst as f64, 0.0, 0);
    for &t in starts {
        tokens = (tokens + (t - last) / 1e3 * rate_per_s).min(burst as f64);
        last = t;
        // A hair of slack for float rounding: the ticker can never be ahead of the bucket.
        if tokens >= 1.0 - 1e-9 {
            tokens -= 1.0;
        } else {
            over += 1;
        }
    }
    (busiest, over)
}

fn lesson(r: &Report, v: usize) -> String {
    let p = &r.params;
    let (busiest, over) = (r.number("max_starts_per_s"), r.number("over_limit"));
    match Variant::of(v) {
        Variant::TokenBucket => format!(
            "A bucket of {} tokens refilled at {} per second held the rate: at most {busiest:.0} tasks started in any one second (the limit allows {} plus the burst of {}), {over:.0} starts over the limit, and the {} tasks took {:.0} ms. The {} workers mostly waited for tokens: the limit, not the pool size, set the pace.",
            p.burst,
            p.rate_per_s,
            p.rate_per_s,
            p.burst,
            p.tasks,
            r.runtime_ms,
            p.workers
        ),
        Variant::NoLimit => format!(
            "Without a limiter, every free worker started at once: {busiest:.0} tasks started in the busiest second against a limit of {} per second (burst {}), and {over:.0} of {} starts would have been refused by the API's limit. The pool bounds concurrency ({} at once), not rate: protecting a rate needs its own limiter.",
            p.rate_per_s, p.burst, p.tasks, p.workers
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::judge;

    #[test]
    fn judge_counts_the_busiest_second_and_the_starts_over_the_limit() {
        // A burst of 2, then one token per 100 ms.
        assert_eq!(judge(&[0.0, 0.0, 0.0], 10.0, 2), (3, 1));
        assert_eq!(judge(&[0.0, 0.0, 100.0, 200.0], 10.0, 2), (4, 0));
        assert_eq!(judge(&[0.0, 0.0, 50.0, 1500.0], 10.0, 2), (3, 1));
        assert_eq!(judge(&[], 10.0, 2), (0, 0));
    }
}
