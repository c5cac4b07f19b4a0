//! Runtime time: a real clock (optionally scaled) or a virtual one, and the timer heap.
//!
//! All runtime code speaks runtime nanoseconds. With a time scale of 100, `time::sleep(1s)`
//! takes 10 ms of wall time and every ratio between durations holds. With virtual time nothing
//! waits at all: when no goroutine can run, the clock jumps to the next timer (deterministic mode).

use std::{
    cmp::Ordering as CmpOrdering,
    collections::BinaryHeap,
    sync::{
        atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering},
        Arc, Mutex, OnceLock,
    },
    task::Waker,
    time::Duration,
};

use web_time::Instant;

/// Where runtime time comes from.
#[derive(Debug)]
pub(crate) enum Clock {
    /// Wall time since `start`, multiplied by `scale`; 0 until it begins.
    ///
    /// `start` is set once, when main first runs ([`Clock::begin`]): a run's t = 0 is main's start, as a Go program's is, not the moment its
    /// runtime was built nor when main was spawned. Between the two, allocating the runtime and
    /// starting its threads took 5–265 ms of wall time on a loaded 2-core machine (150–230 ms of
    /// Miri's clock), and the page's first run waited 30–170 ms for its Web Workers to take up
    /// their runners, multiplied by the time scale: `unlimited --tasks 10` started its first task
    /// 5–145 ms into the run, and the page's `guide-timing` closed at 192 ms instead of 100.
    /// Before it begins, the clock reads 0: nothing the program does can be stamped earlier.
    Real {
        start: OnceLock<Instant>,
        scale: f64,
        /// The latest [`Clock::stamp_ns`] handed out: stamps never go back, across threads.
        latest: AtomicU64,
    },
    /// A counter that only moves when the scheduler advances it to the next timer.
    Virtual { now: AtomicU64 },
}

impl Clock {
    pub(crate) fn real(scale: f64) -> Clock {
        Clock::Real {
            start: OnceLock::new(),
            scale,
            latest: AtomicU64::new(0),
        }
    }

    pub(crate) fn virtual_() -> Clock {
        Clock::Virtual {
            now: AtomicU64::new(0),
        }
    }

    pub(crate) fn is_virtual(&self) -> bool {
        matches!(self, Clock::Virtual { .. })
    }

    /// Runtime nanoseconds since the runtime started.
    pub(crate) fn now_ns(&self) -> u64 {
        match self {
            // web-time adds `performance.timeOrigin`, so Web Workers' clocks agree: measured here,
            // a 1 s run at 50× ended within 1 % on every worker.
            Clock::Real { start, scale, .. } => {
                let Some(start) = start.get() else {
                    return 0;
                };
                let wall = start.elapsed().as_nanos() as u64;
                if *scale == 1.0 {
                    wall
                } else {
                    (wall as f64 * scale) as u64
                }
            }
            Clock::Virtual { now } => now.load(Ordering::Acquire),
        }
    }

    /// [`Clock::now_ns`] for an instant the page orders against others (a mark, an event): never
    /// earlier than a stamp taken before it on any thread. In the browser each runner is a Web
    /// Worker whose clock is its own `performance.now()` plus its `performance.timeOrigin`, both
    /// coarsened to 5 µs with jitter: read right after another worker's read (handed over
    /// through shared memory), it was 5 µs behind in 18,804 of 20,000 readings on one pair of
    /// workers (Chromium 156, session 22). A sender's last send, marked just before its Done,
    /// then sorted after the close its Done let happen, and many-senders drew "sender 0: 4 sends"
    /// (clean-clone CI, session 21). A stamp that happens after another (through a channel, a
    /// WaitGroup, a lock) reads `latest` after that one wrote it, so it is not smaller: relaxed
    /// atomics are enough, as every write to `latest` is a max.
    // One copy, not one per caller: the page's package has a size budget.
    #[inline(never)]
    pub(crate) fn stamp_ns(&self) -> u64 {
        let now = self.now_ns();
        match self {
            Clock::Real { latest, .. } => latest.fetch_max(now, Ordering::Relaxed).max(now),
            Clock::Virtual { .. } => now,
        }
    }

    /// The latest [`Clock::stamp_ns`], without reading the clock: a row of the series timed no
    /// earlier than the marks of what it holds. 0 on a virtual clock, whose one thread stamps
    /// and samples in order.
    pub(crate) fn latest_ns(&self) -> u64 {
        match self {
            Clock::Real { latest, .. } => latest.load(Ordering::Relaxed),
            Clock::Virtual { .. } => 0,
        }
    }

    /// Runtime time starts now, unless it already started: called as main first runs, before
    /// any goroutine or timer of the program has read the clock. A virtual clock starts at 0
    /// anyway.
    pub(crate) fn begin(&self) {
        if let Clock::Real { start, .. } = self {
            start.get_or_init(Instant::now);
        }
    }

    /// How long to wait in wall time until runtime time `deadline_ns`.
    pub(crate) fn real_until(&self, deadline_ns: u64) -> Duration {
        match self {
            Clock::Real { scale, .. } => {
                let delta = deadline_ns.saturating_sub(self.now_ns());
                Duration::from_nanos((delta as f64 / scale).ceil() as u64)
            }
            Clock::Virtual { .. } => Duration::ZERO,
        }
    }

    /// Wall time between two runtime times (zero on a virtual clock).
    pub(crate) fn real_until_from(&self, from_ns: u64, to_ns: u64) -> Duration {
        match self {
            Clock::Real { scale, .. } => {
                Duration::from_nanos((to_ns.saturating_sub(from_ns) as f64 / scale) as u64)
            }
            Clock::Virtual { .. } => Duration::ZERO,
        }
    }

    /// Moves virtual time forward to `t_ns` (never backward). No-op on a real clock.
    pub(crate) fn advance_to(&self, t_ns: u64) {
        if let Clock::Virtual { now } = self {
            now.fetch_max(t_ns, Ordering::AcqRel);
        }
    }
}

const PENDING: u8 = 0;
const FIRED: u8 = 1;
const CANCELLED: u8 = 2;

/// What a timer does when it fires.
pub(crate) enum Action {
    /// Wake a sleeping goroutine.
    Wake(Waker),
    /// Run a short callback (close a context, send on an `after` channel).
    Call(Box<dyn FnOnce() + Send>),
}

/// One armed timer; dropping the handle does not cancel it, [`TimerHandle::cancel`] does.
pub(crate) struct TimerHandle {
    state: AtomicU8,
    action: Mutex<Option<Action>>,
    timers: Arc<TimerCount>,
}

/// How many armed timers have neither fired nor been cancelled. Deadlock detection needs it:
/// a goroutine asleep in `time.Sleep` is not deadlocked.
#[derive(Default)]
pub(crate) struct TimerCount(AtomicUsize);

impl TimerHandle {
    /// Replaces the waker of a `Wake` timer (a re-polled `sleep`).
    pub(crate) fn set_waker(&self, waker: &Waker) {
        let mut a = self.action.lock().unwrap();
        if let Some(Action::Wake(w)) = &mut *a {
            if !w.will_wake(waker) {
                *w = waker.clone();
            }
        }
    }

    /// Disarms the timer; returns false if it had already fired.
    pub(crate) fn cancel(&self) -> bool {
        if self
            .state
            .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.timers.0.fetch_sub(1, Ordering::AcqRel);
            self.action.lock().unwrap().take();
            true
        } else {
            false
        }
    }

    pub(crate) fn fired(&self) -> bool {
        self.state.load(Ordering::Acquire) == FIRED
    }
}

struct Entry {
    deadline: u64,
    seq: u64,
    handle: Arc<TimerHandle>,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.deadline, self.seq) == (o.deadline, o.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    // Reversed: BinaryHeap is a max-heap and we want the earliest deadline (then the oldest) first.
    fn cmp(&self, o: &Self) -> CmpOrdering {
        (o.deadline, o.seq).cmp(&(self.deadline, self.seq))
    }
}

/// The runtime's timers: one heap, serviced by whichever thread is idle (or by the pump).
pub(crate) struct Timers {
    heap: Mutex<BinaryHeap<Entry>>,
    /// The heap's earliest deadline (`u64::MAX` when empty), so that a busy runner can see that
    /// nothing is due without taking the lock.
    earliest: AtomicU64,
    seq: AtomicU64,
    live: Arc<TimerCount>,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            heap: Mutex::new(BinaryHeap::new()),
            earliest: AtomicU64::new(u64::MAX),
            seq: AtomicU64::new(0),
            live: Arc::default(),
        }
    }
}

impl Timers {
    fn set_earliest(&self, heap: &BinaryHeap<Entry>) {
        self.earliest.store(
            heap.peek().map_or(u64::MAX, |e| e.deadline),
            Ordering::Release,
        );
    }

    /// Whether any timer is in the heap (cheap: no lock).
    #[inline]
    pub(crate) fn any(&self) -> bool {
        self.earliest.load(Ordering::Acquire) != u64::MAX
    }

    /// Whether a timer may be due at `now` (cheap: no lock).
    #[inline]
    pub(crate) fn maybe_due(&self, now: u64) -> bool {
        now >= self.earliest.load(Ordering::Acquire)
    }

    /// Arms a timer at runtime time `deadline`; returns its handle and whether it is now the earliest.
    pub(crate) fn add(&self, deadline: u64, action: Action) -> (Arc<TimerHandle>, bool) {
        let handle = Arc::new(TimerHandle {
            state: AtomicU8::new(PENDING),
            action: Mutex::new(Some(action)),
            timers: self.live.clone(),
        });
        self.live.0.fetch_add(1, Ordering::AcqRel);
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let mut heap = self.heap.lock().unwrap();
        let earliest = heap.peek().is_none_or(|e| deadline < e.deadline);
        heap.push(Entry {
            deadline,
            seq,
            handle: handle.clone(),
        });
        self.set_earliest(&heap);
        (handle, earliest)
    }

    /// Armed timers that have neither fired nor been cancelled.
    pub(crate) fn live(&self) -> usize {
        self.live.0.load(Ordering::Acquire)
    }

    /// The earliest deadline of a live timer, dropping cancelled entries on the way.
    pub(crate) fn next_deadline(&self) -> Option<u64> {
        let mut heap = self.heap.lock().unwrap();
        while let Some(e) = heap.peek() {
            if e.handle.state.load(Ordering::Acquire) == PENDING {
                return Some(e.deadline);
            }
            heap.pop();
        }
        self.set_earliest(&heap);
        None
    }

    /// Fires every timer due at `now`; actions run after the heap lock is released.
    pub(crate) fn fire_due(&self, now: u64) -> usize {
        if !self.maybe_due(now) {
            return 0;
        }
        let mut due = Vec::new();
        {
            let mut heap = self.heap.lock().unwrap();
            while heap.peek().is_some_and(|e| e.deadline <= now) {
                due.push(heap.pop().unwrap().handle);
            }
            self.set_earliest(&heap);
        }
        let mut fired = 0;
        for h in due {
            if h.state
                .compare_exchange(PENDING, FIRED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                let action = h.action.lock().unwrap().take();
                // The timer stops counting as live only after its action has run (below): the
                // deadlock check must never see "no timers" while the wake it causes is in flight.
                match action {
                    Some(Action::Wake(w)) => {
                        w.wake();
                    }
                    Some(Action::Call(f)) => f(),
                    None => {}
                }
                self.live.0.fetch_sub(1, Ordering::AcqRel);
                fired += 1;
            }
        }
        fired
    }

    /// Drops every timer (runtime shutdown).
    pub(crate) fn clear(&self) {
        let entries: Vec<_> = {
            let mut heap = self.heap.lock().unwrap();
            let entries = heap.drain().collect();
            self.set_earliest(&heap);
            entries
        };
        for e in entries {
            e.handle.cancel();
        }
    }
}
