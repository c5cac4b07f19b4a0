//! What the runtime shows about itself while it runs: the counters, their series, gauges and
//! marks.
//!
//! The series never misses an extreme (see `level.rs`): each sample draws the interval's lowest
//! and highest value as extra rows before the value now, so `max(series.goroutines)` is the exact
//! peak. It has enough rows for a chart whatever the run's length: sampling starts fine (at most
//! every 0.5 ms of runtime time) and each time the series reaches [`SERIES_CAP`] rows it is
//! thinned to half (keeping every extreme) and the period doubles. Whoever is awake samples
//! (runners between polls, the pump, the driver); after a gap in which nobody looked, nothing
//! changed, so the gap is filled with rows holding the last values.

use std::{
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use serde::Serialize;

use super::{level::Level, queue::Queues};
use crate::metrics::{alloc, Row, Series};

/// The series is thinned to half when it reaches this many rows.
pub const SERIES_CAP: usize = 4000;
/// The finest sampling period (runtime time): a run of 100 ms gets at least 100 rows.
const FINEST_PERIOD_NS: u64 = 500_000;
/// At most this many marks are kept; later ones are counted.
const MARKS_CAP: usize = 10_000;

/// A named value a scenario sets (`connections_in_use`, `queue_depth`), drawn as its own
/// column of the series with its extremes kept, like the goroutine count.
#[derive(Clone, Debug)]
pub struct Gauge(Arc<Level>);

impl Gauge {
    /// Adds `d` (negative to subtract); returns the new value.
    pub fn add(&self, d: i64) -> i64 {
        self.0.add(d)
    }

    /// Sets the value.
    pub fn set(&self, v: u64) {
        self.0.set(i64::try_from(v).unwrap_or(i64::MAX));
    }

    /// The value now.
    pub fn get(&self) -> i64 {
        self.0.get()
    }
}

/// What an instant on the time axis marks (the page draws each kind its own way). Serialized
/// in snake_case (`"wait_returned"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// `wg.Add(n)`.
    Add,
    /// `wg.Done()`.
    Done,
    /// `wg.Wait()` called.
    Wait,
    /// `wg.Wait()` returned.
    WaitReturned,
    /// A context was cancelled.
    Cancel,
    /// A context's deadline passed.
    Deadline,
    /// A channel was closed.
    Close,
    /// A value was sent.
    Send,
    /// A send on a closed channel: Go's panic.
    FatalSend,
    /// A task was dropped (queue full).
    Drop,
    /// A goroutine panicked.
    Panic,
    /// Every goroutine asleep.
    Deadlock,
    /// A time limit passed.
    Timeout,
    /// A resource was taken (a connection, a token).
    Acquire,
    /// A resource was given back.
    Release,
}

impl MarkKind {
    /// The kind in snake_case, as JSON spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkKind::Add => "add",
            MarkKind::Done => "done",
            MarkKind::Wait => "wait",
            MarkKind::WaitReturned => "wait_returned",
            MarkKind::Cancel => "cancel",
            MarkKind::Deadline => "deadline",
            MarkKind::Close => "close",
            MarkKind::Send => "send",
            MarkKind::FatalSend => "fatal_send",
            MarkKind::Drop => "drop",
            MarkKind::Panic => "panic",
            MarkKind::Deadlock => "deadlock",
            MarkKind::Timeout => "timeout",
            MarkKind::Acquire => "acquire",
            MarkKind::Release => "release",
        }
    }
}

impl Serialize for MarkKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// An instant on the run's time axis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mark {
    /// Runtime ms.
    pub t_ms: f64,
    /// What it marks.
    pub kind: MarkKind,
    /// A short label (`"cancel after 10 results"`).
    pub label: String,
}

struct SeriesState {
    series: Series,
    period_ns: u64,
    last_ns: u64,
}

/// The counters, the series built from them, the gauges and the marks of one runtime.
///
/// Only the live count is one shared counter (its peak must be exact). Running is counted per
/// runner (each keeps its own extremes; their sum bounds the true one), queued is read from the
/// queues at each sample, and blocked is what remains.
pub(crate) struct Observer {
    pub(crate) live: Level,
    /// The most goroutines alive at once, over the whole run.
    peak: AtomicI64,
    /// The most alive since the last `reset_window` (a phase of a scenario).
    window_peak: AtomicI64,
    gauges: Mutex<Vec<(String, Gauge)>>,
    marks: Mutex<Vec<Mark>>,
    marks_dropped: AtomicU64,
    state: Mutex<SeriesState>,
    /// `u64::MAX` until the run starts ([`Observer::first_row`]): no samples before.
    next_due_ns: AtomicU64,
    heap_base: u64,
    /// Whether the heap's extremes get rows of their own. Not on a virtual clock: the heap is
    /// the process's, so its extremes depend on whatever else runs, and two runs with one seed
    /// would get different rows.
    heap_extremes: bool,
}

impl Observer {
    pub(crate) fn new(sample_every: Duration, heap_extremes: bool) -> Observer {
        let period_ns = (sample_every.as_nanos() as u64).clamp(1, FINEST_PERIOD_NS);
        Observer {
            live: Level::default(),
            peak: AtomicI64::new(0),
            window_peak: AtomicI64::new(0),
            gauges: Mutex::new(Vec::new()),
            marks: Mutex::new(Vec::new()),
            marks_dropped: AtomicU64::new(0),
            state: Mutex::new(SeriesState {
                series: Series::default(),
                period_ns,
                last_ns: 0,
            }),
            next_due_ns: AtomicU64::new(u64::MAX),
            heap_base: alloc::heap().live_bytes,
            heap_extremes,
        }
    }

    /// One more goroutine alive; keeps the peaks exact.
    #[inline]
    pub(crate) fn spawned(&self) {
        let v = self.live.add(1);
        if v > self.peak.load(Ordering::Relaxed) {
            self.peak.fetch_max(v, Ordering::Relaxed);
        }
        if v > self.window_peak.load(Ordering::Relaxed) {
            self.window_peak.fetch_max(v, Ordering::Relaxed);
        }
    }

    pub(crate) fn peak(&self) -> usize {
        self.peak.load(Ordering::Acquire).max(0) as usize
    }

    pub(crate) fn window_peak(&self) -> usize {
        self.window_peak.load(Ordering::Acquire).max(0) as usize
    }

    pub(crate) fn reset_window(&self) {
        self.window_peak.store(self.live.get(), Ordering::Release);
    }

    pub(crate) fn gauge(&self, name: &str) -> Gauge {
        let mut g = self.gauges.lock().unwrap();
        if let Some((_, a)) = g.iter().find(|(n, _)| n == name) {
            return a.clone();
        }
        let a = Gauge(Arc::new(Level::default()));
        g.push((name.to_string(), a.clone()));
        a
    }

    pub(crate) fn mark(&self, t_ns: u64, kind: MarkKind, label: String) {
        let mut m = self.marks.lock().unwrap();
        if m.len() < MARKS_CAP {
            m.push(Mark {
                t_ms: t_ns as f64 / 1e6,
                kind,
                label,
            });
        } else {
            self.marks_dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn marks(&self) -> Vec<Mark> {
        let mut m = self.marks.lock().unwrap().clone();
        m.sort_by(|a, b| a.t_ms.total_cmp(&b.t_ms));
        m
    }

    /// The first row, at t = 0: `goroutines` alive (main, about to be spawned), queued, nothing
    /// else. Only when the series is empty. Call it before spawning main: the interval then
    /// starts at the value main's spawn brings, and the moment before it is not drawn.
    pub(crate) fn first_row(&self, goroutines: i64) {
        let mut st = self.state.lock().unwrap();
        if !st.series.is_empty() {
            return;
        }
        self.live.start_interval_at(goroutines);
        let (_, _, heap) = alloc::take_interval();
        let gauges = self.gauge_rows();
        st.series.push(Row {
            t_ms: 0.0,
            values: [
                goroutines as f64,
                0.0,
                0.0,
                goroutines as f64,
                heap.saturating_sub(self.heap_base) as f64,
            ],
            gauges: gauges.into_iter().map(|(n, (_, _, v))| (n, v)).collect(),
        });
        st.last_ns = 0;
        self.next_due_ns.store(0, Ordering::Relaxed);
    }

    fn gauge_rows(&self) -> Vec<(String, (f64, f64, f64))> {
        self.gauges
            .lock()
            .unwrap()
            .iter()
            .map(|(n, g)| {
                let (lo, hi, now) = g.0.take_interval();
                (n.clone(), (lo as f64, hi as f64, now as f64))
            })
            .collect()
    }

    /// Whether a sample is due at `now_ns`.
    #[inline]
    pub(crate) fn due(&self, now_ns: u64) -> bool {
        now_ns >= self.next_due_ns.load(Ordering::Relaxed)
    }

    /// Samples at `now_ns` if a sample is due (or `force`). A sampler that finds another one at
    /// work skips, unless forced.
    pub(crate) fn sample(&self, now_ns: u64, force: bool, queues: &Queues) {
        if !force && !self.due(now_ns) {
            return;
        }
        let mut st = if force {
            self.state.lock().unwrap()
        } else {
            match self.state.try_lock() {
                Ok(st) => st,
                Err(_) => return,
            }
        };
        if st.series.is_empty() {
            return; // the run has not started
        }
        let now_ns = now_ns.max(st.last_ns);
        let live = self.live.take_interval();
        let running = queues.running_interval();
        let queued = queues.queued() as i64;
        let blocked = (live.2 - running.2 - queued).max(0);
        let (hlo, hhi, hnow) = alloc::take_interval();
        let base = self.heap_base;
        let mut cols = [(0.0, 0.0, 0.0); 5];
        for (c, (lo, hi, now)) in cols.iter_mut().zip([
            live,
            running,
            (blocked, blocked, blocked),
            (queued, queued, queued),
        ]) {
            *c = (lo as f64, hi as f64, now as f64);
        }
        cols[4] = (
            hlo.saturating_sub(base) as f64,
            hhi.saturating_sub(base) as f64,
            hnow.saturating_sub(base) as f64,
        );
        let gauges = self.gauge_rows();
        let st = &mut *st;
        // A gap nobody sampled: nothing changed in it, so it holds the last row's values.
        if let Some(prev) = st.series.last_values() {
            while now_ns.saturating_sub(st.last_ns) / st.period_ns > SERIES_CAP as u64 / 2 {
                st.period_ns *= 2;
            }
            let mut t = st.last_ns + st.period_ns;
            while t + st.period_ns < now_ns {
                let gauges = gauges
                    .iter()
                    .map(|(n, _)| (n.clone(), st.series.last_gauge(n)))
                    .collect();
                st.series.push(Row {
                    t_ms: t as f64 / 1e6,
                    values: prev,
                    gauges,
                });
                t += st.period_ns;
            }
        }
        let prev = st.series.last_values();
        let prev_gauges: Vec<f64> = gauges
            .iter()
            .map(|(n, (_, _, now))| {
                if st.series.gauges.contains_key(n) {
                    st.series.last_gauge(n)
                } else {
                    *now
                }
            })
            .collect();
        let mut extras: Vec<Vec<f64>> = Vec::with_capacity(cols.len() + gauges.len());
        for (i, &(lo, hi, now)) in cols.iter().enumerate() {
            if i == 4 && !self.heap_extremes {
                extras.push(vec![]);
                continue;
            }
            extras.push(between(prev.map_or(now, |p| p[i]), lo, hi, now));
        }
        for ((_, (lo, hi, now)), p) in gauges.iter().zip(&prev_gauges) {
            extras.push(between(*p, *lo, *hi, *now));
        }
        let n_extra = extras.iter().map(Vec::len).max().unwrap_or(0);
        let t0 = st.last_ns;
        for k in 0..n_extra {
            let at = |i: usize, now: f64| {
                let e = &extras[i];
                e.get(k).or(e.last()).copied().unwrap_or(now)
            };
            let mut values = [0.0; 5];
            for (i, v) in values.iter_mut().enumerate() {
                *v = at(i, cols[i].2);
            }
            let g = gauges
                .iter()
                .enumerate()
                .map(|(j, (n, (_, _, now)))| (n.clone(), at(5 + j, *now)))
                .collect();
            let t = t0 + (now_ns - t0) * (k as u64 + 1) / (n_extra as u64 + 1);
            st.series.push(Row {
                t_ms: t as f64 / 1e6,
                values,
                gauges: g,
            });
        }
        st.series.push(Row {
            t_ms: now_ns as f64 / 1e6,
            values: cols.map(|c| c.2),
            gauges: gauges.into_iter().map(|(n, (_, _, v))| (n, v)).collect(),
        });
        st.last_ns = now_ns;
        if st.series.len() >= SERIES_CAP {
            st.series.thin(SERIES_CAP / 2);
            st.period_ns *= 2;
        }
        self.next_due_ns
            .store(now_ns.saturating_add(st.period_ns), Ordering::Relaxed);
    }

    pub(crate) fn series(&self) -> Series {
        self.state.lock().unwrap().series.clone()
    }
}

/// The values to draw between a row holding `prev` and one holding `now`, so that the interval's
/// extremes `lo` and `hi` appear: none, one, or both (the low first when the value ends higher
/// than it started, as a dip before a rise; else the high first).
fn between(prev: f64, lo: f64, hi: f64, now: f64) -> Vec<f64> {
    let need_hi = hi > prev.max(now);
    let need_lo = lo < prev.min(now);
    match (need_lo, need_hi) {
        (false, false) => vec![],
        (true, false) => vec![lo],
        (false, true) => vec![hi],
        (true, true) if now >= prev => vec![lo, hi],
        (true, true) => vec![hi, lo],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_between_samples_is_drawn() {
        let o = Observer::new(Duration::from_millis(1), true);
        o.first_row(1);
        o.spawned(); // main
        for _ in 0..999 {
            o.spawned();
        }
        for _ in 0..999 {
            o.live.add(-1);
        }
        o.sample(2_000_000, true, &Queues::new(0));
        let s = o.series();
        assert_eq!((s.t_ms[0], s.goroutines[0]), (0.0, 1.0));
        assert_eq!(s.goroutines.iter().copied().fold(0.0, f64::max), 1000.0);
        assert_eq!(o.peak(), 1000);
        assert_eq!(*s.goroutines.last().unwrap(), 1.0);
        assert!(s.t_ms.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn a_long_quiet_gap_is_filled_and_the_series_stays_bounded() {
        let o = Observer::new(Duration::from_millis(1), true);
        o.first_row(1);
        o.spawned();
        let g = o.gauge("in_use");
        g.set(3);
        // 100 ms of nothing, then one sample: at least 100 rows, all holding the same values.
        o.sample(100_000_000, true, &Queues::new(0));
        let s = o.series();
        assert!(s.len() >= 100, "{} rows", s.len());
        assert!(s.goroutines.iter().all(|&v| v == 1.0));
        assert_eq!(s.gauges["in_use"].iter().copied().fold(0.0, f64::max), 3.0);
        let q = Queues::new(0);
        // An hour, sampled every millisecond: bounded, and the peak survives every thinning.
        for ms in (1000..3_600_000u64).step_by(1000) {
            if ms == 1_800_000 {
                g.add(97);
                g.add(-97);
            }
            o.sample(ms * 1_000_000, false, &q);
        }
        let s = o.series();
        assert!(s.len() < SERIES_CAP, "{} rows", s.len());
        assert!(s.len() >= SERIES_CAP / 4, "{} rows", s.len());
        assert_eq!(
            s.gauges["in_use"].iter().copied().fold(0.0, f64::max),
            100.0
        );
    }

    #[test]
    fn between_orders_the_extremes() {
        assert_eq!(between(1.0, 1.0, 1.0, 1.0), Vec::<f64>::new());
        assert_eq!(between(1.0, 0.0, 5.0, 3.0), vec![0.0, 5.0]);
        assert_eq!(between(3.0, 0.0, 5.0, 1.0), vec![5.0, 0.0]);
        assert_eq!(between(1.0, 1.0, 5.0, 3.0), vec![5.0]);
    }
}
