//! What a run measured: heap bytes and columnar time series.
//!
//! Series are columnar (one `Vec<f64>` per column), which is exactly what uPlot draws, so the page
//! hands them to a chart as they are. A series never loses an extreme: the runtime records each
//! sampling interval's minimum and maximum (not just the value at the sample), and
//! [`Series::thin`] keeps every bucket's minimum and maximum (M4, Jugel et al., VLDB 2014), so
//! `max(series.goroutines)` is the run's true peak however long the run and however thin the
//! chart.

pub mod alloc;
mod gauges;
pub(crate) use gauges::serialize_named;
use serde::Serialize;

pub use self::gauges::Gauges;

/// The fixed columns of a [`Series`], in the order of [`Row::values`].
pub const COLUMNS: [&str; 5] = ["goroutines", "running", "blocked", "queued", "heap_bytes"];

/// Columnar samples of a run: every column has the same length as `t_ms`.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Series {
    /// Milliseconds of runtime time since the run started; strictly ascending.
    pub t_ms: Vec<f64>,
    /// Live goroutines (`runtime.NumGoroutine()`).
    pub goroutines: Vec<f64>,
    /// Goroutines being polled on a thread.
    pub running: Vec<f64>,
    /// Goroutines parked on a channel, lock, WaitGroup, timer…
    pub blocked: Vec<f64>,
    /// Goroutines ready to run, waiting for a thread.
    pub queued: Vec<f64>,
    /// Live heap bytes above the run's start (counting allocator).
    pub heap_bytes: Vec<f64>,
    /// Gauges by name (`connections_in_use`, `queue_depth`…), each as long as `t_ms`. A gauge
    /// created mid-run reads 0 before it existed.
    pub gauges: Gauges,
}

/// One row of a [`Series`]: a time, the fixed columns in [`COLUMNS`] order, and the gauges.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Runtime ms.
    pub t_ms: f64,
    /// `goroutines, running, blocked, queued, heap_bytes`.
    pub values: [f64; 5],
    /// Gauge values by name.
    pub gauges: Vec<(String, f64)>,
}

impl Series {
    /// Every column, time first, then the runtime's series and each gauge: for whoever cuts
    /// or reorders rows (they must stay aligned).
    pub fn every_column_mut(&mut self) -> impl Iterator<Item = &mut Vec<f64>> {
        [
            &mut self.t_ms,
            &mut self.goroutines,
            &mut self.running,
            &mut self.blocked,
            &mut self.queued,
            &mut self.heap_bytes,
        ]
        .into_iter()
        .chain(self.gauges.values_mut())
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.t_ms.len()
    }

    /// True when nothing was sampled.
    pub fn is_empty(&self) -> bool {
        self.t_ms.is_empty()
    }

    fn columns_mut(&mut self) -> [&mut Vec<f64>; 5] {
        [
            &mut self.goroutines,
            &mut self.running,
            &mut self.blocked,
            &mut self.queued,
            &mut self.heap_bytes,
        ]
    }

    /// The fixed columns in [`COLUMNS`] order.
    pub fn columns(&self) -> [&Vec<f64>; 5] {
        [
            &self.goroutines,
            &self.running,
            &self.blocked,
            &self.queued,
            &self.heap_bytes,
        ]
    }

    /// The last row's values (fixed columns), if any.
    pub fn last_values(&self) -> Option<[f64; 5]> {
        let n = self.len().checked_sub(1)?;
        Some(self.columns().map(|c| c[n]))
    }

    /// The last value of gauge `name` (0 when it has none yet).
    pub fn last_gauge(&self, name: &str) -> f64 {
        self.gauges
            .get(name)
            .and_then(|g| g.last().copied())
            .unwrap_or(0.0)
    }

    /// Appends a row. Times must ascend for uPlot: a row at or before the last one's time is
    /// moved just after it (a row is never dropped, so no extreme is lost).
    pub fn push(&mut self, row: Row) {
        let mut t = row.t_ms;
        if let Some(&last) = self.t_ms.last() {
            if t <= last {
                t = next_after(last);
            }
        }
        let n = self.len();
        self.t_ms.push(t);
        for (col, v) in self.columns_mut().into_iter().zip(row.values) {
            col.push(v);
        }
        for (name, v) in row.gauges {
            self.gauges
                .get_or_insert_with(name, || vec![0.0; n])
                .push(v);
        }
        // Gauges this row did not mention keep their last value.
        for g in self.gauges.values_mut() {
            if g.len() == n {
                let last = g.last().copied().unwrap_or(0.0);
                g.push(last);
            }
        }
    }

    /// Thins the series to at most `max_rows` rows (at least 4) for display, keeping every
    /// extreme: the first and the last row stay as they are, and the rows between are cut into
    /// buckets of which each becomes two rows, at the bucket's first and last time, holding each
    /// column's minimum and maximum in the order they occurred (M4 without the duplicate first
    /// and last points). So every column's overall maximum and minimum survive exactly.
    pub fn thin(&mut self, max_rows: usize) {
        let Series {
            t_ms,
            goroutines,
            running,
            blocked,
            queued,
            heap_bytes,
            gauges,
        } = self;
        thin_columns(
            t_ms,
            &mut [goroutines, running, blocked, queued],
            std::iter::once(heap_bytes).chain(gauges.values_mut()),
            max_rows,
        );
    }
}

impl Series {
    /// Before [`Series::thin`]: drops rows equal to the row before them in every column but
    /// time, the earliest first, until at most `max_rows` are left or none repeats; the first
    /// and the last row stay. Each value holds until the next row, so they draw nothing, and a
    /// quiet stretch (a run waiting for its timeout) is made of them; cut into buckets instead,
    /// a change is drawn at its bucket's last time (by-value's WaitGroup counter rose 0.84 ms
    /// after its Adds natively, a 3-row bucket of a 2,000 ms run thinned to 2,000 rows, while
    /// 1,900 ms of it repeated one row: review F2, session 18). Not for a run that a seed must
    /// repeat: which rows repeat reads the heap column, and the heap differs from run to run
    /// (the allocator's state). In place (see [`drop_repeats_columns`]).
    pub fn drop_repeats(&mut self, max_rows: usize) {
        let mut cols: Vec<&mut Vec<f64>> = self.every_column_mut().collect();
        drop_repeats_columns(&mut cols, max_rows);
    }
}

/// [`Series::drop_repeats`] on bare columns, the times first (`cols[0]`, never compared), in
/// place: the runtime's own series drops repeats inside the memory it reserved up front, as
/// [`thin_columns`] thins it.
pub(crate) fn drop_repeats_columns(cols: &mut [&mut Vec<f64>], max_rows: usize) {
    let n = cols.first().map_or(0, |t| t.len());
    if n <= max_rows {
        return;
    }
    // Row i repeats row i - 1 (as it was: rows are only moved down, to a place at or before
    // their own, so i - 1 still holds its own row when i is read).
    let mut w = 1;
    for i in 1..n {
        let last = i == n - 1;
        if !last && w + (n - i) > max_rows && cols[1..].iter().all(|c| c[i] == c[i - 1]) {
            continue;
        }
        if w != i {
            for col in cols.iter_mut() {
                col[w] = col[i];
            }
        }
        w += 1;
    }
    for col in cols.iter_mut() {
        col.truncate(w);
    }
}

/// [`Series::thin`] on bare columns (`t` the times, `cols` the value columns, each as long as
/// `t`), in place: it never allocates, so the runtime's own series can thin itself inside the
/// memory it reserved up front.
///
/// `together` are columns that describe one instant together: the first (goroutines alive)
/// picks each bucket's two rows, its minimum and maximum, and the others take their values from
/// those same rows. Picked per column, a bucket's row mixed one instant's goroutines with
/// another's states, and running + blocked + runnable stopped adding up to alive (independent
/// review N1, session 16: 358 of 2,000 rows of `unlimited`).
pub(crate) fn thin_columns<'a>(
    t: &mut Vec<f64>,
    together: &mut [&mut Vec<f64>],
    cols: impl IntoIterator<Item = &'a mut Vec<f64>>,
    max_rows: usize,
) {
    let max_rows = max_rows.max(4);
    let n = t.len();
    if n <= max_rows {
        return;
    }
    let inner = n - 2;
    let buckets = (max_rows - 2) / 2;
    // Bucket b covers inner rows [b * inner / buckets, (b + 1) * inner / buckets). Since
    // inner >= 2 * buckets + 1, every bucket holds at least two rows and bucket b's output
    // (at most rows 1 + 2b and 2 + 2b) lands before its first unread input: writing in place
    // never clobbers a row still to be read.
    let bounds = (0..buckets)
        .map(move |b| (1 + b * inner / buckets, 1 + (b + 1) * inner / buckets))
        .filter(|(lo, hi)| hi > lo);
    let mut w = 1;
    for (lo, hi) in bounds.clone() {
        let (first, last) = (t[lo], t[hi - 1]);
        t[w] = first;
        w += 1;
        if hi - lo > 1 {
            t[w] = last;
            w += 1;
        }
    }
    t[w] = t[n - 1];
    t.truncate(w + 1);
    // The followers first: they read the lead's rows before the lead is thinned.
    if let Some((lead, followers)) = together.split_first_mut() {
        for v in followers.iter_mut() {
            thin_column(v, Some(lead), bounds.clone(), n);
        }
        thin_column(lead, None, bounds.clone(), n);
    }
    for v in cols {
        thin_column(v, None, bounds.clone(), n);
    }
}

/// How many of the times `t_ms` (ascending) are by `by_ms`, counting those within the clock's
/// resolution (1 ns) of it: on a virtual clock what happened at one instant is spread over the
/// floats just above it (a row taken at a panic among them).
pub(crate) fn rows_by(t_ms: &[f64], by_ms: f64) -> usize {
    t_ms.iter().take_while(|&&t| t <= by_ms + 1e-6).count()
}

/// Thins one column to its buckets' two rows each (see [`thin_columns`]): the rows where `by`
/// (or, without it, the column itself) is lowest and highest, in the order they occurred.
fn thin_column(
    v: &mut Vec<f64>,
    by: Option<&Vec<f64>>,
    bounds: impl Iterator<Item = (usize, usize)>,
    n: usize,
) {
    debug_assert_eq!(v.len(), n);
    let mut w = 1;
    for (lo, hi) in bounds {
        if hi - lo == 1 {
            v[w] = v[lo];
            w += 1;
            continue;
        }
        let key: &[f64] = by.map_or(v, |b| b);
        let (mut imin, mut imax) = (lo, lo);
        for i in lo..hi {
            if key[i] < key[imin] {
                imin = i;
            }
            if key[i] > key[imax] {
                imax = i;
            }
        }
        let (a, b) = (v[imin.min(imax)], v[imin.max(imax)]);
        v[w] = a;
        v[w + 1] = b;
        w += 2;
    }
    v[w] = v[n - 1];
    v.truncate(w + 1);
}
/// The next representable time after `t` (at least a nanosecond later, so two rows never share
/// an x value).
pub(crate) fn next_after(t: f64) -> f64 {
    let step = (t.abs() * f64::EPSILON * 4.0).max(1e-6);
    t + step
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[f64]) -> Series {
        let mut s = Series::default();
        for (i, &v) in values.iter().enumerate() {
            s.push(Row {
                t_ms: i as f64,
                values: [v, -v, v / 2.0, 0.0, 1000.0 + v],
                gauges: vec![("g".into(), 100.0 - v)],
            });
        }
        s
    }

    fn max(v: &[f64]) -> f64 {
        v.iter().copied().fold(f64::MIN, f64::max)
    }
    fn min(v: &[f64]) -> f64 {
        v.iter().copied().fold(f64::MAX, f64::min)
    }

    #[test]
    fn thin_keeps_every_columns_extremes_first_and_last() {
        // A lone spike and a lone dip, each one row wide, in a long flat run.
        // Miri interprets every instruction: a shorter series there.
        let n = if cfg!(miri) { 1_000 } else { 10_000 };
        let mut v = vec![5.0; n];
        v[n / 3] = 1001.0;
        v[n * 7 / 9] = 0.0;
        v[0] = 1.0;
        v[n - 1] = 2.0;
        let mut s = series(&v);
        s.thin(100);
        assert!(s.len() <= 100, "{} rows", s.len());
        assert!(s.len() >= 90, "{} rows", s.len());
        assert_eq!(max(&s.goroutines), 1001.0, "the spike survives");
        assert_eq!(min(&s.goroutines), 0.0, "the dip survives");
        assert_eq!(min(&s.running), -1001.0, "another column's extremes too");
        assert_eq!(min(&s.gauges["g"]), 100.0 - 1001.0, "and the gauges'");
        assert_eq!(max(&s.gauges["g"]), 100.0);
        assert_eq!((s.t_ms[0], s.goroutines[0]), (0.0, 1.0), "first row kept");
        assert_eq!(
            (*s.t_ms.last().unwrap(), *s.goroutines.last().unwrap()),
            ((n - 1) as f64, 2.0),
            "last row kept"
        );
        assert!(s.t_ms.windows(2).all(|w| w[0] < w[1]), "times ascend");
        for c in s.columns() {
            assert_eq!(c.len(), s.len());
        }
        assert_eq!(s.gauges["g"].len(), s.len());
    }

    #[test]
    fn thin_draws_a_step_at_its_own_row_when_repeats_make_room() {
        // by-value's shape: a gauge steps 0 -> 3 early (its Adds), then the run waits for its
        // timeout, every row repeating the last, 3,000 rows thinned to 2,000. Cut into 3-row
        // buckets, the step was drawn at its bucket's last time (review F2, session 18).
        let n = 3000;
        let v: Vec<f64> = (0..n).map(|i| if i < 8 { 1.0 } else { 4.0 }).collect();
        let mut s = series(&v);
        for (i, t) in s.t_ms.iter_mut().enumerate() {
            *t = i as f64 * 0.5;
        }
        s.drop_repeats(2000);
        s.thin(2000);
        assert_eq!(s.len(), 2000);
        let step = s.gauges["g"].iter().position(|&g| g == 96.0).unwrap();
        assert_eq!(s.t_ms[step], 4.0, "the step is drawn where it was sampled");
        assert_eq!(s.gauges["g"][step - 1], 99.0, "and held before it");
        assert_eq!(
            (s.t_ms[1999], s.goroutines[1999]),
            (1499.5, 4.0),
            "last row kept"
        );
        // Where nothing repeats, buckets as before.
        let mut ramp = series(&(0..3000).map(|i| i as f64).collect::<Vec<_>>());
        ramp.drop_repeats(2000);
        assert_eq!(ramp.len(), 3000);
        ramp.thin(2000);
        assert!(ramp.len() <= 2000);
    }

    #[test]
    fn thin_keeps_the_order_of_a_bucket_s_min_and_max() {
        // Rising then falling: within each bucket the max comes after the min on the way up and
        // before it on the way down.
        let v: Vec<f64> = (0..1000)
            .map(|i| if i < 500 { i as f64 } else { (999 - i) as f64 })
            .collect();
        let mut s = series(&v);
        s.thin(20);
        let g = &s.goroutines;
        let peak = g.iter().position(|&x| x == 499.0).unwrap();
        assert!(g[..=peak].windows(2).all(|w| w[0] <= w[1]), "{g:?}");
        assert!(g[peak..].windows(2).all(|w| w[0] >= w[1]), "{g:?}");
    }

    #[test]
    fn thin_keeps_each_row_one_instant() {
        // Alive moves one way while its split between states moves another, so each column's
        // extremes fall on different rows: a bucket's rows must still add up.
        let mut s = Series::default();
        for i in 0..1000 {
            let alive = (i % 37) as f64;
            let running = ((i * 7) % 5).min(i % 37) as f64;
            let queued = ((alive - running) / 2.0).floor();
            s.push(Row {
                t_ms: i as f64,
                values: [alive, running, alive - running - queued, queued, 0.0],
                gauges: vec![],
            });
        }
        s.thin(40);
        assert!(s.len() <= 40);
        assert_eq!(max(&s.goroutines), 36.0, "alive's peak survives");
        for i in 0..s.len() {
            assert_eq!(
                s.running[i] + s.blocked[i] + s.queued[i],
                s.goroutines[i],
                "row {i}"
            );
        }
    }

    #[test]
    fn thin_leaves_short_series_alone() {
        let mut s = series(&[1.0, 2.0, 3.0]);
        let before = s.clone();
        s.thin(100);
        assert_eq!(s, before);
    }

    #[test]
    fn push_keeps_times_ascending_and_gauges_aligned() {
        let mut s = Series::default();
        let row = |t: f64, gauges: Vec<(String, f64)>| Row {
            t_ms: t,
            values: [1.0; 5],
            gauges,
        };
        s.push(row(0.0, vec![]));
        s.push(row(0.0, vec![("late".into(), 3.0)]));
        s.push(row(5.0, vec![]));
        assert_eq!(s.len(), 3);
        assert!(s.t_ms[1] > 0.0 && s.t_ms[1] < 5.0);
        assert_eq!(s.gauges["late"], vec![0.0, 3.0, 3.0]);
    }
}
