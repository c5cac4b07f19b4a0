//! The guide's workloads: CPU-bound `doWork` and I/O-like sleeps.

use std::hint::black_box;

/// Iterations of the guide's `doWork`: `for i := 0; i < 1000000; i++ { sum += i }`.
pub const DO_WORK_ITERATIONS: u64 = 1_000_000;

/// The guide's `doWork`: sums `0..iterations` and returns the sum.
///
/// `black_box` keeps the loop a loop. Without it LLVM folds the sum into `n*(n-1)/2` and the
/// "CPU-bound" task takes nanoseconds; Go's compiler does not do that, so neither do we.
///
/// `inline(never)` matters in the browser: V8 moves a wasm function to its optimizing tier only at
/// a call, never in the middle of a running loop, so a `doWork` inlined into a caller's long loop
/// stayed in the baseline tier and ran about 7× slower than the same code called per task.
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::workload::do_work;
/// assert_eq!(do_work(1_000_000), 499_999_500_000);
/// assert_eq!(do_work(0), 0);
/// ```
#[inline(never)]
pub fn do_work(iterations: u64) -> u64 {
    let mut sum = 0u64;
    for i in 0..iterations {
        sum = sum.wrapping_add(black_box(i));
    }
    sum
}

/// The seeded generator every task draws from, the same in Rust and Go (docs/workload.md):
/// SplitMix64 started from the run's seed and the task's id, so a task's draws depend on nothing
/// else (not on which thread runs it, nor on the order tasks start).
///
/// # Examples
///
/// ```ignore-wasm32
/// use worker_pool_playground::workload::TaskRng;
/// let mut r = TaskRng::new(1, 1);
/// assert_eq!(r.next_u64(), 0x96b2_c072_2ea3_12df);
/// assert_eq!(TaskRng::new(1, 1).below(1000), 0x96b2_c072_2ea3_12df % 1000);
/// ```
#[derive(Debug, Clone)]
pub struct TaskRng {
    state: u64,
}

/// SplitMix64's increment, the golden ratio in 64 bits.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
/// Spreads task ids over the state space before the first step.
const TASK_MIX: u64 = 0xD6E8_FEB8_6659_FD93;

impl TaskRng {
    /// The generator of task `task_id` in a run seeded with `seed`.
    pub fn new(seed: u64, task_id: u64) -> TaskRng {
        TaskRng {
            state: seed ^ task_id.wrapping_mul(TASK_MIX),
        }
    }

    /// One SplitMix64 step.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0), like Go's `rand.Intn(n)` in spirit; the small
    /// modulo bias does not matter for sleep times and is the same in both languages.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// A float in `[0, 1)` from the top 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// What one task does, drawn from its [`TaskRng`]: always both draws, in this order, so adding a
/// failure rate does not change the sleeps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaskDraw {
    /// How long it sleeps (I/O work), ms: `below(sleep_max_ms)`.
    pub sleep_ms: u64,
    /// Whether it fails: `unit() < failure_rate`.
    pub failed: bool,
}

impl TaskDraw {
    /// Task `task_id`'s draws in a run seeded with `seed`.
    ///
    /// # Examples
    ///
    /// ```ignore-wasm32
    /// use worker_pool_playground::workload::TaskDraw;
    /// let d = TaskDraw::new(3, 7, 1000, 0.0);
    /// assert!(d.sleep_ms < 1000 && !d.failed);
    /// assert_eq!(d, TaskDraw::new(3, 7, 1000, 0.0)); // the same seed and id, the same task
    /// ```
    pub fn new(seed: u64, task_id: u64, sleep_max_ms: u64, failure_rate: f64) -> TaskDraw {
        let mut r = TaskRng::new(seed, task_id);
        let sleep_ms = r.below(sleep_max_ms);
        let failed = r.unit() < failure_rate;
        TaskDraw { sleep_ms, failed }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors of docs/workload.md; the Go tests check the same numbers.
    #[test]
    fn known_outputs() {
        let mut r = TaskRng::new(0, 0);
        // SplitMix64 from state 0: the reference implementation's first outputs.
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next_u64(), 0x06C4_5D18_8009_454F);
        let mut r = TaskRng::new(1, 1);
        assert_eq!(r.next_u64(), 0x96b2_c072_2ea3_12df);
        let draws: Vec<u64> = (1..=5)
            .map(|id| TaskDraw::new(1, id, 1000, 0.0).sleep_ms)
            .collect();
        assert_eq!(draws, VECTOR_SEED1_SLEEP1000);
        let fails: Vec<bool> = (1..=10)
            .map(|id| TaskDraw::new(42, id, 500, 0.1).failed)
            .collect();
        assert_eq!(fails, VECTOR_SEED42_FAIL);
        let sleeps: Vec<u64> = (1..=10)
            .map(|id| TaskDraw::new(42, id, 500, 0.1).sleep_ms)
            .collect();
        assert_eq!(sleeps, [258, 457, 235, 458, 314, 353, 160, 441, 388, 200]);
        let failures = (1..=1000)
            .filter(|&id| TaskDraw::new(42, id, 500, 0.1).failed)
            .count();
        assert_eq!(failures, 110);
        assert_eq!(TaskRng::new(9, 9).below(0), 0);
        let u = TaskRng::new(7, 3).unit();
        assert!((0.0..1.0).contains(&u));
    }

    const VECTOR_SEED1_SLEEP1000: [u64; 5] = [39, 920, 920, 392, 72];
    const VECTOR_SEED42_FAIL: [bool; 10] = [
        false, false, true, false, false, false, false, false, false, false,
    ];
}
