//! What the runtime shows about itself while it runs: the counters, their series, gauges and
//! marks.
//!
//! The series never misses an extreme (see `level.rs`): each sample draws the interval's lowest
//! and highest value as extra rows before the value now, so `max(series.goroutines)` is the
//! peak, never above what the count was (`census.rs` says when it can fall short). It has
//! enough rows for a chart whatever the run's length: sampling starts fine (at most
//! every 0.5 ms of runtime time) and each time the series reaches [`SERIES_CAP`] rows it is
//! thinned to half (keeping every extreme) and the period doubles. Whoever is awake samples
//! (runners between polls, the pump, the driver); after a gap in which nobody looked, nothing
//! changed, so the gap is filled with rows holding the last values.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use serde::Serialize;

use super::{census::Census, clock::Clock, level::Level, queue::Queues};
use crate::metrics::{alloc, drop_repeats_columns, next_after, rows_by, thin_columns, Row, Series};

/// The series is thinned to half when it reaches this many rows.
pub const SERIES_CAP: usize = 4000;
/// The finest sampling period (runtime time): a run of 100 ms gets at least 100 rows.
///
/// Under Miri, 50 ms. Its clock (isolated) charges 5 µs per interpreted basic block, so a
/// goroutine poll lasts milliseconds there, and at 0.5 ms every sample filled the gap since the
/// last one with rows: filling and thinning the series was 90 % of an interpreted run (a run of
/// one goroutine sending and receiving 10 values: 47 s of Miri's clock, 4.2 s at 50 ms; issue 9).
const FINEST_PERIOD_NS: u64 = if cfg!(miri) { 50_000_000 } else { 500_000 };
/// At most this many marks are kept; later ones are counted.
const MARKS_CAP: usize = 10_000;
/// The gauges the series draws: their columns are reserved with the series'. A gauge made
/// beyond these works (and is read by whoever holds it) but is not drawn.
pub const MAX_GAUGES: usize = 4;

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
    /// A value was received (deadlock-unbuffered's right versions draw main's reads of the
    /// results beside the sends: review D5, session 17).
    Receive,
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
    /// A measured phase began (control-comparison: the run without a pool, then with one). The
    /// picture draws each phase between its marks; unmarked, both shared one unlabelled axis
    /// with main's idle time between them (independent review F7, session 15).
    PhaseStart,
    /// A measured phase ended.
    PhaseEnd,
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
            MarkKind::Receive => "receive",
            MarkKind::FatalSend => "fatal_send",
            MarkKind::Drop => "drop",
            MarkKind::Panic => "panic",
            MarkKind::Deadlock => "deadlock",
            MarkKind::Timeout => "timeout",
            MarkKind::Acquire => "acquire",
            MarkKind::Release => "release",
            MarkKind::PhaseStart => "phase_start",
            MarkKind::PhaseEnd => "phase_end",
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

/// The observer's own copy of the series: columns by index, every one reserved to
/// [`SERIES_CAP`] rows when the observer is made, and thinned in place. Sampling never
/// allocates, so the instrument's bookkeeping is not counted as the program's heap (the run's
/// heap is measured from after the runtime is built).
struct Columns {
    t_ms: Vec<f64>,
    fixed: [Vec<f64>; 5],
    /// By gauge index; the first `n_gauges` are in use.
    gauges: [Vec<f64>; MAX_GAUGES],
    n_gauges: usize,
}

impl Columns {
    fn new() -> Columns {
        let col = || Vec::with_capacity(SERIES_CAP);
        Columns {
            t_ms: col(),
            fixed: std::array::from_fn(|_| col()),
            gauges: std::array::from_fn(|_| col()),
            n_gauges: 0,
        }
    }

    fn len(&self) -> usize {
        self.t_ms.len()
    }

    fn is_empty(&self) -> bool {
        self.t_ms.is_empty()
    }

    fn last_values(&self) -> Option<[f64; 5]> {
        let n = self.len().checked_sub(1)?;
        Some(std::array::from_fn(|i| self.fixed[i][n]))
    }

    /// Gauge `i`'s last value (0 when it has none yet).
    fn last_gauge(&self, i: usize) -> f64 {
        match i < self.n_gauges {
            true => self.gauges[i].last().copied().unwrap_or(0.0),
            false => 0.0,
        }
    }

    /// Appends a row (as [`Series::push`]: times ascend; a gauge new to the series reads 0
    /// before). `gauges` holds gauges `0..gauges.len()`.
    fn push(&mut self, t_ms: f64, values: [f64; 5], gauges: &[f64]) {
        let n = self.len();
        let t = match self.t_ms.last() {
            Some(&last) if t_ms <= last => next_after(last),
            _ => t_ms,
        };
        debug_assert!(
            n < self.t_ms.capacity(),
            "the series outgrew its reservation"
        );
        while self.n_gauges < gauges.len() {
            self.gauges[self.n_gauges].resize(n, 0.0);
            self.n_gauges += 1;
        }
        self.t_ms.push(t);
        for (col, v) in self.fixed.iter_mut().zip(values) {
            col.push(v);
        }
        for (i, col) in self.gauges[..self.n_gauges].iter_mut().enumerate() {
            let v = match gauges.get(i) {
                Some(&v) => v,
                None => col.last().copied().unwrap_or(0.0),
            };
            col.push(v);
        }
    }

    /// Keeps the first `n` rows.
    fn truncate(&mut self, n: usize) {
        self.t_ms.truncate(n);
        for col in self
            .fixed
            .iter_mut()
            .chain(&mut self.gauges[..self.n_gauges])
        {
            col.truncate(n);
        }
    }

    /// `metrics::Series::drop_repeats` on these columns: rows equal to the row before them in
    /// every column but time go first, the earliest first, until at most `max_rows` are left.
    /// Without allocating, as [`Columns::thin`].
    fn drop_repeats(&mut self, max_rows: usize) {
        let [a, b, c, d, e] = self.fixed.each_mut();
        let [g0, g1, g2, g3] = self.gauges.each_mut();
        let mut all = [&mut self.t_ms, a, b, c, d, e, g0, g1, g2, g3];
        drop_repeats_columns(&mut all[..6 + self.n_gauges], max_rows);
    }

    fn thin(&mut self, max_rows: usize) {
        let Columns {
            t_ms,
            fixed,
            gauges,
            n_gauges,
        } = self;
        let [goroutines, running, blocked, queued, heap] = fixed;
        thin_columns(
            t_ms,
            &mut [goroutines, running, blocked, queued],
            std::iter::once(heap).chain(&mut gauges[..*n_gauges]),
            max_rows,
        );
    }

    /// A [`Series`] of these columns; `names` names the gauges by index.
    fn to_series(&self, names: &[(&'static str, Gauge)]) -> Series {
        let [goroutines, running, blocked, queued, heap_bytes] = self.fixed.clone();
        Series {
            t_ms: self.t_ms.clone(),
            goroutines,
            running,
            blocked,
            queued,
            heap_bytes,
            gauges: names
                .iter()
                .zip(&self.gauges[..self.n_gauges])
                .map(|((name, _), col)| (name.to_string(), col.clone()))
                .collect(),
        }
    }
}

struct SeriesState {
    cols: Columns,
    period_ns: u64,
    last_ns: u64,
    /// `(start, taken)`: the window of one period the settled samples are counted in, and how
    /// many were taken in it (see [`Observer::sample_settled`]).
    settled: (u64, u32),
    /// Whether thinning drops repeated rows first (a real clock).
    drop_repeats: bool,
}

/// At most this many settled samples (a runner about to park) per sample period: rows of a
/// program whose runners park and wake a thousand times a period stay within a few times the
/// due ones, and the period is not doubled for them at every thinning.
const SETTLED_PER_PERIOD: u32 = 8;

/// How far before the program's end its last row may lie ([`Observer::sample_end`]): room for
/// the two extremes a column can add and the end's own row, 1 ns apart, with a nanosecond lost
/// to each of the row's times being read back from milliseconds, and some to spare.
const END_ROOM_NS: u64 = 8;

impl SeriesState {
    /// How many rows are by `t_ns` (at least the first, at t = 0): the rows after them were
    /// stamped past it.
    fn rows_by_ns(&self, t_ns: u64) -> usize {
        rows_by(&self.cols.t_ms, t_ns as f64 / 1e6).max(1)
    }

    /// Drops the rows from `keep` on; the next row goes after the last one left.
    fn take_back(&mut self, keep: usize) {
        if keep < self.cols.len() {
            self.cols.truncate(keep);
            self.last_ns = (self.cols.t_ms[keep - 1] * 1e6) as u64;
        }
    }

    /// Appends a row; at [`SERIES_CAP`] rows thins the series to half and doubles the period,
    /// so the columns never outgrow their reservation.
    fn push(&mut self, t_ns: u64, values: [f64; 5], gauges: &[f64]) {
        self.cols.push(t_ns as f64 / 1e6, values, gauges);
        if self.cols.len() >= SERIES_CAP {
            // On a real clock, repeated rows first (see `Columns::drop_repeats`): halved into
            // 4-row buckets, the WaitGroup counter's steps, each sampled at its mark, were drawn
            // up to 0.65 ms after it on the page (by-value, forgot-done). Not on a virtual clock,
            // where the rows a seed gives must not depend on the heap column.
            if self.drop_repeats {
                self.cols.drop_repeats(SERIES_CAP / 2);
            }
            self.cols.thin(SERIES_CAP / 2);
            self.period_ns *= 2;
        }
    }
}

/// The counters, the series built from them, the gauges and the marks of one runtime.
///
/// Alive is spawns minus exits, each runner counting its own exits ([`Census`]). Running is
/// counted per runner and read at each sample, queued is read from the queues, and blocked is
/// what remains (see [`states`]).
pub(crate) struct Observer {
    pub(crate) live: Census,
    /// The gauges by index, in the order they were made (reserved for [`MAX_GAUGES`]).
    gauges: Mutex<Vec<(&'static str, Gauge)>>,
    /// The levels of the first [`MAX_GAUGES`] gauges, made up front.
    spare_gauges: [Gauge; MAX_GAUGES],
    marks: Mutex<Vec<Mark>>,
    marks_dropped: AtomicU64,
    state: Mutex<SeriesState>,
    /// `u64::MAX` until the run starts ([`Observer::first_row`]): no samples before.
    next_due_ns: AtomicU64,
    /// Live heap bytes when the run started ([`Observer::first_row`]): the series' zero, the
    /// same baseline as a scenario's heap peak. Taken when the observer was made, it left the
    /// runtime's own reservations (the event log, ~5.6 MB) in every row (review R2 of session
    /// 14: series.heap_bytes[0] = 5,677,254 B beside a heap peak of 58,618 B).
    heap_base: AtomicU64,
    /// Whether the heap's extremes get rows of their own. Not on a virtual clock: the heap is
    /// the process's, so its extremes depend on whatever else runs, and two runs with one seed
    /// would get different rows.
    heap_extremes: bool,
}

impl Observer {
    /// Frees the series' reserved columns on this thread, now. A dropped runtime's last
    /// reference can live on a Web Worker a moment longer; freeing megabytes there would land
    /// inside the next run's heap window and hide that run's own allocations.
    pub(crate) fn release(&self) {
        let mut st = self.state.lock().unwrap();
        let cols = &mut st.cols;
        cols.t_ms = Vec::new();
        cols.fixed = Default::default();
        cols.gauges = Default::default();
        cols.n_gauges = 0;
        *self.marks.lock().unwrap() = Vec::new();
    }

    pub(crate) fn new(sample_every: Duration, heap_extremes: bool) -> Observer {
        let period_ns = (sample_every.as_nanos() as u64).clamp(1, FINEST_PERIOD_NS);
        Observer {
            live: Census::new(),
            gauges: Mutex::new(Vec::with_capacity(MAX_GAUGES)),
            spare_gauges: std::array::from_fn(|_| Gauge(Arc::new(Level::default()))),
            marks: Mutex::new(Vec::new()),
            marks_dropped: AtomicU64::new(0),
            state: Mutex::new(SeriesState {
                cols: Columns::new(),
                period_ns,
                last_ns: 0,
                settled: (0, 0),
                drop_repeats: heap_extremes,
            }),
            next_due_ns: AtomicU64::new(u64::MAX),
            heap_base: AtomicU64::new(alloc::heap().live_bytes),
            heap_extremes,
        }
    }

    /// One more goroutine alive, spawned on runner `runner` (`None`: outside the runners).
    #[inline]
    pub(crate) fn spawned(&self, queues: &Queues, runner: Option<usize>) {
        self.live.spawned(&queues.stats, runner);
    }

    pub(crate) fn peak(&self) -> usize {
        self.live.peak()
    }

    pub(crate) fn window_peak(&self) -> usize {
        self.live.window_peak()
    }

    pub(crate) fn reset_window(&self, queues: &Queues) {
        self.live.reset_window(&queues.stats);
    }

    pub(crate) fn gauge(&self, name: &'static str) -> Gauge {
        let mut g = self.gauges.lock().unwrap();
        if let Some((_, a)) = g.iter().find(|(n, _)| *n == name) {
            return a.clone();
        }
        let a = match self.spare_gauges.get(g.len()) {
            Some(a) => a.clone(),
            None => Gauge(Arc::new(Level::default())),
        };
        g.push((name, a.clone()));
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

    /// The first row, at t = 0: `goroutines` alive (main, about to be spawned), running, nothing
    /// else. Only when the series is empty. Call it before spawning main: the interval then
    /// starts at the value main's spawn brings, and the moment before it is not drawn.
    pub(crate) fn first_row(&self, goroutines: i64) {
        let mut st = self.state.lock().unwrap();
        if !st.cols.is_empty() {
            return;
        }
        self.live.start_interval_at(goroutines);
        let (_, _, heap) = alloc::take_interval();
        self.heap_base.store(heap, Ordering::Relaxed);
        let mut g = [(0.0, 0.0, 0.0); MAX_GAUGES];
        let ng = self.gauge_rows(&mut g);
        let now: [f64; MAX_GAUGES] = g.map(|(_, _, v)| v);
        // Drawn running: t = 0 is main's start. Drawn runnable until the next sample, main
        // read as "waiting for a thread" for the first 0.23 ms of leak/right, while it ran
        // (independent review N1, session 16).
        st.push(
            0,
            [goroutines as f64, goroutines as f64, 0.0, 0.0, 0.0],
            &now[..ng],
        );
        st.last_ns = 0;
        // The next sample one period on, not at once: sampled as the runner takes main, main
        // was still queued, and that row held "runnable" until the next sample (0.27 ms of
        // leak/right on the page).
        self.next_due_ns.store(st.period_ns, Ordering::Relaxed);
    }

    /// Each drawn gauge's `(lowest, highest, now)` since the last look, into `out`; returns how
    /// many gauges there are. Allocates nothing.
    fn gauge_rows(&self, out: &mut [(f64, f64, f64); MAX_GAUGES]) -> usize {
        let g = self.gauges.lock().unwrap();
        let n = g.len().min(MAX_GAUGES);
        for (o, (_, g)) in out.iter_mut().zip(&g[..n]) {
            let (lo, hi, now) = g.0.take_interval();
            *o = (lo as f64, hi as f64, now as f64);
        }
        n
    }

    /// Live heap bytes when the run started: the series' zero.
    pub(crate) fn heap_base(&self) -> u64 {
        self.heap_base.load(Ordering::Relaxed)
    }

    /// Whether a sample is due at `now_ns`.
    #[inline]
    pub(crate) fn due(&self, now_ns: u64) -> bool {
        now_ns >= self.next_due_ns.load(Ordering::Relaxed)
    }

    /// Samples at `now_ns` if a sample is due (or `force`). A sampler that finds another one at
    /// work skips, unless forced.
    pub(crate) fn sample(&self, now_ns: u64, force: bool, queues: &Queues, clock: Option<&Clock>) {
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
        self.sample_into(&mut st, now_ns, queues, clock);
    }

    /// The row at the program's end, at `now_ns`. Rows stamped after it, which a runner took
    /// before it, are taken back, and their extremes go into the interval this row closes. Such
    /// a row is not always later: a Web Worker's clock reads up to 5 µs ahead of another's (see
    /// [`Clock::stamp_ns`]), and natively a runner can read the clock after main did and take
    /// this lock first. A Report ends its series at the end and drops the rows past it, and with
    /// them went the extremes they held: leak/right's peak of 6 goroutines was drawn as 1 (22
    /// browser runs in 900, and once in clean-clone CI, session 23). Not moved to the row's
    /// time instead: a deadlock is declared as of one instant, and the rows taken while its
    /// wait-for graph was built (2 ms for 20,000 goroutines) are later than it.
    ///
    /// Rows less than [`END_ROOM_NS`] before the end are taken back too, so that the extremes
    /// this row adds fit before it: rows of one instant go 1 ns apart, and with the last row at
    /// the end's own instant they went past it, where the Report's cut dropped the second one
    /// (review, session 24). The end and the runtime stay where the program ended.
    pub(crate) fn sample_end(&self, now_ns: u64, queues: &Queues) {
        let mut st = self.state.lock().unwrap();
        if st.cols.is_empty() {
            return; // the run has not started
        }
        let keep = st.rows_by_ns(now_ns.saturating_sub(END_ROOM_NS));
        if keep < st.cols.len() {
            let span = |c: &[f64]| {
                c[keep..]
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
            };
            let (lo, hi) = span(&st.cols.fixed[0]);
            self.live.widen(lo as i64, hi as i64);
            let base = self.heap_base.load(Ordering::Relaxed);
            let (lo, hi) = span(&st.cols.fixed[4]);
            alloc::widen_interval(lo as u64 + base, hi as u64 + base);
            let gauges = self.gauges.lock().unwrap();
            for (j, (_, g)) in gauges.iter().take(st.cols.n_gauges).enumerate() {
                let (lo, hi) = span(&st.cols.gauges[j]);
                g.0.widen(lo as i64, hi as i64);
            }
            drop(gauges);
            st.take_back(keep);
        }
        self.sample_into(&mut st, now_ns, queues, None);
    }

    /// Samples at `now_ns`, up to [`SETTLED_PER_PERIOD`] times a period: what a runner does
    /// before it parks (and the single-threaded pump before it waits for a timer), so the row
    /// before a stretch where nothing runs holds how the busy stretch ended. Sampled only when
    /// due, the rows filling that stretch held the state from before its events:
    /// negative-counter drew the WaitGroup counter at 0 for 0–2.5 ms natively and 0–30 ms on the
    /// page after `wg.Add(1)` ×3 at 0.25 ms (session 18, the real-time cousin of review D1).
    /// Bounded by count, not by the last row's age: two runners park within microseconds, and
    /// the second, whose goroutine made the change, skipped a row the first had just taken
    /// (forgot-done's counter drawn 2 → 1 21.5 ms after its Done: independent review, session 18).
    pub(crate) fn sample_settled(&self, now_ns: u64, queues: &Queues, clock: &Clock) {
        let mut st = self.state.lock().unwrap();
        let (start, taken) = st.settled;
        let taken = match now_ns.saturating_sub(start) >= st.period_ns {
            true => 0,
            false => taken,
        };
        if taken >= SETTLED_PER_PERIOD {
            return;
        }
        st.settled = (if taken == 0 { now_ns } else { start }, taken + 1);
        self.sample_into(&mut st, now_ns, queues, Some(clock));
    }

    /// Reads the clock, runs `change` at that instant (a mark and a gauge's new value) and takes
    /// the row there, all under the series' lock: no runner's sample can fall between the mark
    /// and the row. Marked first and sampled after, a thread preempted between them drew the
    /// step where a runner's sample next saw it, up to a millisecond after its mark under load
    /// (session 20: waitgroup-misuse's counter step 0.1 ms past its Add in 1 of 25 runs).
    pub(crate) fn at_instant(
        &self,
        now: &dyn Fn() -> u64,
        queues: &Queues,
        change: &mut dyn FnMut(u64),
    ) -> u64 {
        let mut st = self.state.lock().unwrap();
        let t = now();
        change(t);
        self.sample_into(&mut st, t, queues, None);
        t
    }

    /// A row at `t_ns`, an instant just past at which the program died (an unrecovered panic),
    /// holding the counts now: the rows other runners took after it are dropped first. Taken
    /// after them, the row landed past the panic and was cut with them, and the series ended at
    /// the sample before the panic's cause (negative-counter's counter at 3, or at 1 in the
    /// browser: session 18).
    pub(crate) fn sample_back_at(&self, t_ns: u64, queues: &Queues) {
        let mut st = self.state.lock().unwrap();
        let keep = st.rows_by_ns(t_ns);
        st.take_back(keep);
        self.sample_into(&mut st, t_ns, queues, None);
    }

    /// A row of the counts and gauges as they are now, at `now_ns` or at the `clock`'s latest
    /// stamp read after them, whichever is later. A runner read the clock, then sampled: a row
    /// that already held a change was timed before the mark of its cause, made meanwhile on
    /// another thread (blocked-workers' workers released 0.35 ms before main's read, session
    /// 22). Read after the values, a stamp is not earlier than any mark of what they hold.
    fn sample_into(
        &self,
        st: &mut SeriesState,
        now_ns: u64,
        queues: &Queues,
        clock: Option<&Clock>,
    ) {
        if st.cols.is_empty() {
            return; // the run has not started
        }
        let live = self.live.take_interval(&queues.stats);
        let running = queues.running_now() as i64;
        let queued = queues.queued() as i64;
        let (hlo, hhi, hnow) = alloc::take_interval();
        let base = self.heap_base.load(Ordering::Relaxed);
        let mut cols = [(0.0, 0.0, 0.0); 5];
        // Running as it is now, without extremes: a row between two samples stands at alive's
        // extreme, and running's own extremes fell at other instants (drawn there, leak/right
        // read 6 alive with none running while main ran). Alive's extremes are its own. Blocked is
        // left at 0 here: `states` derives it, in every row, from the other three.
        for (c, (lo, hi, now)) in cols.iter_mut().zip([
            live,
            (running, running, running),
            (0, 0, 0),
            (queued, queued, queued),
        ]) {
            *c = (lo as f64, hi as f64, now as f64);
        }
        cols[4] = (
            hlo.saturating_sub(base) as f64,
            hhi.saturating_sub(base) as f64,
            hnow.saturating_sub(base) as f64,
        );
        let mut gauges = [(0.0, 0.0, 0.0); MAX_GAUGES];
        let ng = self.gauge_rows(&mut gauges);
        let gauges = &gauges[..ng];
        // (The fence: the values read above happen before the stamp read below.)
        std::sync::atomic::fence(Ordering::Acquire);
        let marked = clock.map_or(0, Clock::latest_ns);
        let now_ns = now_ns.max(marked).max(st.last_ns);
        // A gap nobody sampled: nothing changed in it, so it holds the last row's values.
        if let Some(prev) = st.cols.last_values() {
            while now_ns.saturating_sub(st.last_ns) / st.period_ns > SERIES_CAP as u64 / 2 {
                st.period_ns *= 2;
            }
            let last: [f64; MAX_GAUGES] = std::array::from_fn(|i| st.cols.last_gauge(i));
            let mut t = st.last_ns + st.period_ns;
            while t + st.period_ns < now_ns {
                st.push(t, prev, &last[..ng]);
                t += st.period_ns;
            }
        }
        let prev = st.cols.last_values();
        let mut extras = [Between::default(); 5 + MAX_GAUGES];
        for (i, &(lo, hi, now)) in cols.iter().enumerate() {
            if i == 4 && !self.heap_extremes {
                continue;
            }
            extras[i] = between(prev.map_or(now, |p| p[i]), lo, hi, now);
        }
        for (j, &(lo, hi, now)) in gauges.iter().enumerate() {
            let p = match j < st.cols.n_gauges {
                true => st.cols.last_gauge(j),
                false => now,
            };
            extras[5 + j] = between(p, lo, hi, now);
        }
        let extras = &extras[..5 + ng];
        let n_extra = extras.iter().map(|e| e.len).max().unwrap_or(0);
        // A gauge with no extreme of its own holds its last row's value in the rows between,
        // and takes its value now in the row now: given now there, its change was drawn at the
        // first row between, ahead of the call that made it (forgot-done's counter stepped 3 -> 2
        // 0.09–0.19 ms before the Done's mark natively, up to 0.4 ms on the page: review F2/F7,
        // session 18). A gauge's picture is read against the marks; the counts are not.
        let held: [f64; MAX_GAUGES] = std::array::from_fn(|j| match j < st.cols.n_gauges {
            true => st.cols.last_gauge(j),
            false => gauges.get(j).map_or(0.0, |g| g.2),
        });
        // The rows of the extremes between go after the latest mark, where there is room: an
        // extreme is known only to lie in the interval, and spread over it, blocked-workers'
        // release was drawn 0.14 ms before main's read that caused it (1 run in 13, review M1,
        // session 22).
        let t0 = st
            .last_ns
            .max(marked.min(now_ns.saturating_sub(n_extra as u64 + 1)));
        for k in 0..n_extra {
            let at = |i: usize, now: f64| {
                let e = extras[i].as_slice();
                e.get(k).or(e.last()).copied().unwrap_or(now)
            };
            let values = states(std::array::from_fn(|i| at(i, cols[i].2)));
            let g: [f64; MAX_GAUGES] =
                std::array::from_fn(|j| gauges.get(j).map_or(0.0, |_| at(5 + j, held[j])));
            let t = t0 + (now_ns - t0) * (k as u64 + 1) / (n_extra as u64 + 1);
            st.push(t, values, &g[..ng]);
        }
        let now: [f64; MAX_GAUGES] =
            std::array::from_fn(|j| gauges.get(j).map_or(0.0, |&(_, _, v)| v));
        st.push(now_ns, states(cols.map(|c| c.2)), &now[..ng]);
        st.last_ns = now_ns;
        self.next_due_ns
            .store(now_ns.saturating_add(st.period_ns), Ordering::Relaxed);
    }

    /// The series so far (a copy: the observer's own stays in the memory it reserved).
    pub(crate) fn series(&self) -> Series {
        let st = self.state.lock().unwrap();
        let names = self.gauges.lock().unwrap();
        st.cols.to_series(&names)
    }

    /// The series so far, ending in a row at `now_ns` that holds the values now: what a live
    /// view draws, so that its chart, its headline and its status line are one instant. The row
    /// is in the copy only: the runtime's own series, and so a deterministic run's Report, are the
    /// same however often the page looked. (A view whose status came from the counters now and
    /// whose chart from the last sample disagreed by as much as nobody had sampled since: review
    /// D7, session 17.) Empty before the run starts.
    pub(crate) fn series_now(&self, now_ns: u64, queues: &Queues) -> Series {
        let st = self.state.lock().unwrap();
        let names = self.gauges.lock().unwrap();
        let mut s = st.cols.to_series(&names);
        if s.is_empty() {
            return s;
        }
        let heap = alloc::heap()
            .live_bytes
            .saturating_sub(self.heap_base.load(Ordering::Relaxed));
        let values = states([
            self.live.get_drawn(&queues.stats) as f64,
            queues.running_now() as f64,
            0.0,
            queues.queued() as f64,
            heap as f64,
        ]);
        let gauges = names
            .iter()
            .take(MAX_GAUGES)
            .map(|(name, g)| (name.to_string(), g.get() as f64))
            .collect();
        s.push(Row {
            t_ms: now_ns.max(st.last_ns) as f64 / 1e6,
            values,
            gauges,
        });
        s
    }
}

/// A row whose states add up to the goroutines alive: running, then runnable, each at most what
/// is left of alive, and blocked the rest. The three counts are read one after another while
/// goroutines move between them, and a row between two samples holds each count's own extreme
/// (alive's is alive's own, the others' instants are not known), so read as they are they could add
/// up to more or less than alive (independent review N1, session 16: leak/right drew 6 alive
/// with 1 running and none blocked or runnable).
fn states(mut row: [f64; 5]) -> [f64; 5] {
    let [alive, running, _, queued, _] = row;
    let running = running.clamp(0.0, alive.max(0.0));
    let queued = queued.clamp(0.0, alive.max(0.0) - running);
    row[1] = running;
    row[2] = alive.max(0.0) - running - queued;
    row[3] = queued;
    row
}

/// Up to two values to draw between two rows (see [`between`]); no allocation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Between {
    v: [f64; 2],
    len: usize,
}

impl Between {
    fn of(values: &[f64]) -> Between {
        let mut b = Between::default();
        b.v[..values.len()].copy_from_slice(values);
        b.len = values.len();
        b
    }

    fn as_slice(&self) -> &[f64] {
        &self.v[..self.len]
    }
}

/// The values to draw between a row holding `prev` and one holding `now`, so that the interval's
/// extremes `lo` and `hi` appear: none, one, or both (the low first when the value ends higher
/// than it started, as a dip before a rise; else the high first).
fn between(prev: f64, lo: f64, hi: f64, now: f64) -> Between {
    let need_hi = hi > prev.max(now);
    let need_lo = lo < prev.min(now);
    match (need_lo, need_hi) {
        (false, false) => Between::of(&[]),
        (true, false) => Between::of(&[lo]),
        (false, true) => Between::of(&[hi]),
        (true, true) if now >= prev => Between::of(&[lo, hi]),
        (true, true) => Between::of(&[hi, lo]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An observer with main alive and a gauge `name` at `value`.
    fn main_and_a_gauge(
        period: Duration,
        heap: bool,
        name: &'static str,
        value: u64,
    ) -> (Observer, Gauge) {
        let o = Observer::new(period, heap);
        let q = Queues::new(0);
        o.first_row(1);
        o.spawned(&q, None);
        let g = o.gauge(name);
        g.set(value);
        (o, g)
    }

    #[test]
    fn a_spike_between_samples_is_drawn() {
        let o = Observer::new(Duration::from_millis(1), true);
        let q = Queues::new(0);
        o.first_row(1);
        o.spawned(&q, None); // main
        for _ in 0..999 {
            o.spawned(&q, None);
        }
        for _ in 0..999 {
            o.live.exited(&q.stats, None);
        }
        o.sample(2_000_000, true, &Queues::new(0), None);
        let s = o.series();
        assert_eq!((s.t_ms[0], s.goroutines[0]), (0.0, 1.0));
        assert_eq!(s.goroutines.iter().copied().fold(0.0, f64::max), 1000.0);
        assert_eq!(o.peak(), 1000);
        assert_eq!(*s.goroutines.last().unwrap(), 1.0);
        assert!(s.t_ms.windows(2).all(|w| w[0] < w[1]));
    }

    /// Ends the run at `now_ns` and checks that the Report, which cuts the series at the end,
    /// keeps every row.
    fn end_at(o: &Observer, now_ns: u64) -> Series {
        o.sample_end(now_ns, &Queues::new(0));
        let s = o.series();
        let by = rows_by(&s.t_ms, now_ns as f64 / 1e6);
        assert_eq!(
            by,
            s.len(),
            "a row past the end at {now_ns} ns: {:?}",
            s.t_ms
        );
        s
    }

    fn top(c: &[f64]) -> f64 {
        c.iter().copied().fold(f64::MIN, f64::max)
    }

    /// A runner's row stamped after the end, taken before the end's own row, is taken back,
    /// and the extremes it held stay in the series, before the end: here they would have been
    /// drawn at 170 µs, halfway from the row at 140 µs to the late one at 200 µs, past the end
    /// at 150 µs.
    #[test]
    fn a_row_stamped_past_the_end_keeps_its_extremes() {
        let o = Observer::new(Duration::from_millis(1), false);
        let q = Queues::new(0);
        o.first_row(1);
        o.spawned(&q, None); // main
        let g = o.gauge("in use");
        o.sample(140_000, true, &Queues::new(0), None);
        g.set(3);
        for _ in 0..5 {
            o.spawned(&q, None);
        }
        for _ in 0..5 {
            o.live.exited(&q.stats, None);
        }
        g.set(0);
        // A runner whose clock reads 200 µs samples first; main then ends at 150 µs.
        o.sample(200_000, true, &Queues::new(0), None);
        o.live.exited(&q.stats, None);
        let s = end_at(&o, 150_000);
        assert_eq!(top(&s.goroutines), 6.0, "{:?} {:?}", s.t_ms, s.goroutines);
        assert_eq!(top(&s.gauges["in use"]), 3.0, "{:?}", s.gauges);
        assert_eq!(*s.goroutines.last().unwrap(), 0.0);
        assert!(s.t_ms.windows(2).all(|w| w[0] < w[1]), "{:?}", s.t_ms);
    }

    /// The heap's extreme in a row taken back stays too, measured from the run's heap base.
    #[test]
    fn a_row_stamped_past_the_end_keeps_its_heap_peak() {
        let o = Observer::new(Duration::from_millis(1), true);
        let q = Queues::new(0);
        o.first_row(1);
        o.spawned(&q, None);
        o.sample(140_000, true, &Queues::new(0), None);
        // Reserved, not written: allocated and freed within microseconds (the heap interval is
        // the process's, and another test's sampler could take it meanwhile).
        drop(std::hint::black_box(Vec::<u8>::with_capacity(64 << 20)));
        o.sample(200_000, true, &Queues::new(0), None);
        let s = end_at(&o, 150_000);
        assert!(
            top(&s.heap_bytes) >= (64 << 20) as f64,
            "{:?}",
            s.heap_bytes
        );
    }

    /// With the last row at the end's own instant, the end's extremes went 1 ns apart past it,
    /// and the Report's cut dropped the second: that row is taken back too, and both fit before
    /// the end.
    #[test]
    fn the_end_follows_its_own_rows() {
        let o = Observer::new(Duration::from_millis(1), true);
        let q = Queues::new(0);
        o.first_row(1);
        for _ in 0..3 {
            o.spawned(&q, None); // main and two more
        }
        o.sample(100_000, true, &Queues::new(0), None); // a row at the end's own instant
        o.live.exited(&q.stats, None); // a dip to 2
        for _ in 0..4 {
            o.spawned(&q, None); // the peak: 6
        }
        o.sample(105_000, true, &Queues::new(0), None); // a runner 5 µs ahead
        for _ in 0..3 {
            o.live.exited(&q.stats, None); // 3 at the end
        }
        let s = end_at(&o, 100_000);
        assert_eq!(top(&s.goroutines), 6.0, "{:?} {:?}", s.t_ms, s.goroutines);
        assert_eq!(*s.goroutines.last().unwrap(), 3.0);
    }

    /// A real clock whose latest stamp (a mark, made on another thread) is 2 ms or more.
    fn clock_marked_at_2_ms() -> (Clock, f64) {
        let clock = Clock::real(1.0);
        clock.begin();
        std::thread::sleep(Duration::from_millis(2));
        let marked = clock.stamp_ns();
        (clock, marked as f64 / 1e6)
    }

    /// A runner that read the clock at 1 ms and sampled later holds what happened meanwhile:
    /// its row is timed by the latest stamp read after the values, not at 1 ms, before the mark
    /// of that change (blocked-workers, session 22).
    #[test]
    fn a_row_is_timed_after_the_values_it_holds() {
        let (o, _released) = main_and_a_gauge(Duration::from_micros(100), false, "released", 1);
        let (clock, marked) = clock_marked_at_2_ms();
        o.sample(1_000_000, true, &Queues::new(0), Some(&clock));
        let s = o.series();
        assert_eq!(*s.t_ms.last().unwrap(), marked, "{:?}", s.t_ms);
    }

    /// An extreme between two rows is drawn after the latest mark: it is only known to lie in
    /// the interval, and the mark may be its cause (blocked-workers drew a release 0.14 ms
    /// before main's read: review M1, session 22).
    #[test]
    fn an_extreme_between_rows_is_drawn_after_the_latest_mark() {
        let (o, g) = main_and_a_gauge(Duration::from_millis(10), false, "blocked", 2);
        o.sample(1_000, true, &Queues::new(0), None);
        // Main reads (its mark, at 2 ms or more): a worker is released, and another blocks again.
        let (clock, marked) = clock_marked_at_2_ms();
        g.set(1);
        g.set(2);
        let now = (marked * 1e6) as u64 + 100_000;
        o.sample(now, true, &Queues::new(0), Some(&clock));
        let s = o.series();
        let blocked = &s.gauges["blocked"];
        let fell = blocked
            .iter()
            .position(|&v| v == 1.0)
            .expect("the dip is kept");
        assert!(
            s.t_ms[fell] >= marked,
            "the dip drawn at {} ms, before the mark at {marked} ms: {:?}",
            s.t_ms[fell],
            s.t_ms
        );
    }

    #[test]
    fn a_runner_parking_just_after_another_still_samples() {
        let o = Observer::new(Duration::from_micros(500), false);
        let q = Queues::new(0);
        o.first_row(1);
        o.spawned(&q, None);
        let g = o.gauge("counter");
        let q = Queues::new(2);
        g.set(2);
        o.sample_settled(1_000_000, &q, &Clock::virtual_()); // one runner parks
        g.set(1);
        o.sample_settled(1_010_000, &q, &Clock::virtual_()); // the other, 10 µs later, after its goroutine's Done
        let s = o.series();
        assert_eq!(s.t_ms.last(), Some(&1.01), "{:?}", s.t_ms);
        assert_eq!(s.gauges["counter"].last(), Some(&1.0));
        // Bounded: a runner parking every microsecond of a period samples 8 times in it. (The
        // first also fills the gap since 1.01 ms; only the gauge changes here, as the heap's
        // extremes would with other tests allocating beside this one.)
        o.sample_settled(2_000_000, &q, &Clock::virtual_());
        let before = o.series().len();
        for us in 2_001..2_500u64 {
            o.sample_settled(us * 1_000, &q, &Clock::virtual_());
        }
        assert_eq!(o.series().len() - before, 7);
    }

    #[test]
    fn a_long_quiet_gap_is_filled_and_the_series_stays_bounded() {
        let (o, g) = main_and_a_gauge(Duration::from_millis(1), true, "in_use", 3);
        // 100 ms of nothing, then one sample: at least 100 rows, all holding the same values.
        o.sample(100_000_000, true, &Queues::new(0), None);
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
            o.sample(ms * 1_000_000, false, &q, None);
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
    fn every_row_adds_up_to_alive() {
        let o = Observer::new(Duration::from_millis(1), true);
        let q = Queues::new(0);
        o.first_row(1);
        o.spawned(&q, None); // main
        let q = Queues::new(2);
        // Between two samples: 5 more spawn and end, and runner 0 reads 2 running at the sample
        // (its count moved after alive's read): the counts, read one after another, disagree.
        for _ in 0..5 {
            o.spawned(&q, None);
        }
        for _ in 0..5 {
            o.live.exited(&q.stats, None);
        }
        q.stats[0].running.store(2, Ordering::Relaxed);
        o.sample(1_000_000, true, &q, None);
        let s = o.series();
        assert_eq!(
            (s.goroutines[0], s.running[0], s.queued[0]),
            (1.0, 1.0, 0.0)
        );
        assert_eq!(s.goroutines.iter().copied().fold(0.0, f64::max), 6.0);
        for i in 0..s.len() {
            let states = [s.running[i], s.blocked[i], s.queued[i]];
            assert!(states.iter().all(|&n| n >= 0.0), "row {i}: {states:?}");
            assert_eq!(
                states.iter().sum::<f64>(),
                s.goroutines[i],
                "row {i}: {states:?}"
            );
        }
    }

    #[test]
    fn halving_on_a_real_clock_keeps_a_step_at_its_row() {
        // by-value's series when it reaches the cap: a gauge stepping at its marks early on,
        // then a long wait repeating one row. Halved into 4-row buckets, a step was drawn at
        // its bucket's last time (0.5–0.65 ms late on the page).
        let mut st = SeriesState {
            cols: Columns::new(),
            period_ns: 1,
            last_ns: 0,
            settled: (0, 0),
            drop_repeats: true,
        };
        st.cols.n_gauges = 1;
        for i in 0..SERIES_CAP as u64 {
            let g = if i < 7 { 0.0 } else { 3.0 };
            st.push(i * 500_000, [1.0, 0.0, 1.0, 0.0, 0.0], &[g]);
        }
        let c = &st.cols;
        assert!(c.len() <= SERIES_CAP / 2, "{} rows", c.len());
        let step = c.gauges[0].iter().position(|&g| g == 3.0).unwrap();
        assert_eq!(c.t_ms[step], 3.5, "the step where it was sampled");
    }

    #[test]
    fn between_orders_the_extremes() {
        assert_eq!(between(1.0, 1.0, 1.0, 1.0).as_slice(), &[] as &[f64]);
        assert_eq!(between(1.0, 0.0, 5.0, 3.0).as_slice(), &[0.0, 5.0]);
        assert_eq!(between(3.0, 0.0, 5.0, 1.0).as_slice(), &[5.0, 0.0]);
        assert_eq!(between(1.0, 1.0, 5.0, 3.0).as_slice(), &[5.0]);
    }
}
