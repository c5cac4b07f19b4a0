//! A goroutine's identity and state, as `runtime.Stack` and `go tool trace` show them.

use std::{
    fmt,
    sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicU8, Ordering},
};

use serde::Serialize;

/// What a goroutine is doing, in Go's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum State {
    /// In a run queue, waiting for a thread.
    Runnable = 0,
    /// Being polled on a thread.
    Running = 1,
    /// Parked until something wakes it; [`Wait`] says what.
    Blocked = 2,
    /// Returned (or panicked).
    Done = 3,
}

impl State {
    fn from_u8(v: u8) -> State {
        match v {
            0 => State::Runnable,
            1 => State::Running,
            2 => State::Blocked,
            _ => State::Done,
        }
    }
}

/// What a blocked goroutine waits on: the same reasons `runtime.Stack` prints in brackets
/// (serialized in those words: `"chan receive"`, `"select"`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum WaitKind {
    /// Not waiting.
    None = 0,
    /// `ch <- v` on a full or unbuffered channel.
    ChanSend = 1,
    /// `<-ch` on an empty channel.
    ChanReceive = 2,
    /// `select` with no ready case.
    Select = 3,
    /// `wg.Wait()`.
    WaitGroup = 4,
    /// `mu.Lock()` on a held mutex.
    Mutex = 5,
    /// Acquiring a counting semaphore with no permit left.
    Semaphore = 6,
    /// `time.Sleep`.
    Sleep = 7,
    /// Awaiting another goroutine's result.
    Join = 8,
}

impl WaitKind {
    fn from_u8(v: u8) -> WaitKind {
        use WaitKind::*;
        [
            None,
            ChanSend,
            ChanReceive,
            Select,
            WaitGroup,
            Mutex,
            Semaphore,
            Sleep,
            Join,
        ]
        .get(v as usize)
        .copied()
        .unwrap_or(None)
    }

    /// Go's own wording, as in `goroutine 7 [chan receive]:`.
    pub fn as_go(self) -> &'static str {
        match self {
            WaitKind::None => "running",
            WaitKind::ChanSend => "chan send",
            WaitKind::ChanReceive => "chan receive",
            WaitKind::Select => "select",
            WaitKind::WaitGroup => "sync.WaitGroup.Wait",
            WaitKind::Mutex => "sync.Mutex.Lock",
            WaitKind::Semaphore => "semacquire",
            WaitKind::Sleep => "sleep",
            WaitKind::Join => "join",
        }
    }
}

impl Serialize for WaitKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_go())
    }
}

impl fmt::Display for WaitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_go())
    }
}

/// A wait reason plus the object waited on (a channel, WaitGroup, mutex… id; 0 when none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    /// What kind of wait.
    pub kind: WaitKind,
    /// The id of the object waited on.
    pub object: u64,
}

/// Stores `value` in the atomic `cell` (relaxed) only if it holds something else: in wasm every
/// atomic store is a locked instruction, and a load is a plain one. (A macro: the cells are
/// atomics of three widths.)
macro_rules! store_if_changed {
    ($cell:expr, $value:expr) => {{
        let value = $value;
        if $cell.load(Ordering::Relaxed) != value {
            $cell.store(value, Ordering::Relaxed);
        }
    }};
}

/// The per-goroutine record the scheduler updates with atomics (no lock on the hot path). It
/// lives in the task's own allocation (async-task's metadata), so a spawn allocates once.
#[derive(Debug)]
pub(crate) struct GMeta {
    pub(crate) id: u64,
    pub(crate) name: &'static str,
    /// Its [`State`] (see [`GMeta::swap`] for who writes it).
    state: AtomicU8,
    wait_kind: AtomicU8,
    /// The runner that polled it last.
    last_runner: AtomicU16,
    /// The registry shard holding this goroutine's task handle.
    pub(crate) shard: u16,
    /// Its key in that shard's slab (set before the goroutine first runs).
    pub(crate) key: AtomicU32,
    wait_object: AtomicU64,
    /// Runtime time (ns) of the last state change that matters in reports (spawn, park), for
    /// "blocked for 2.1 s".
    since_ns: AtomicU64,
}

impl GMeta {
    pub(crate) fn new(id: u64, name: &'static str, shard: u16, now_ns: u64) -> GMeta {
        GMeta {
            id,
            name,
            state: AtomicU8::new(State::Runnable as u8),
            wait_kind: AtomicU8::new(0),
            last_runner: AtomicU16::new(u16::MAX),
            shard,
            key: AtomicU32::new(0),
            wait_object: AtomicU64::new(0),
            since_ns: AtomicU64::new(now_ns),
        }
    }

    pub(crate) fn state(&self) -> State {
        State::from_u8(self.state.load(Ordering::Acquire))
    }

    pub(crate) fn wait(&self) -> Wait {
        Wait {
            kind: WaitKind::from_u8(self.wait_kind.load(Ordering::Relaxed)),
            object: self.wait_object.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn since_ns(&self) -> u64 {
        self.since_ns.load(Ordering::Relaxed)
    }

    /// Sets the state and returns the previous one.
    ///
    /// A load and a store, not a read-modify-write: no two threads ever write the state at
    /// once. A goroutine is scheduled (this, from its wake), then run (`set_running`, then the
    /// poll, which parks or finishes it), one step at a time: a wake during a poll is held by
    /// async-task until the poll ends, and a wake's schedule comes after async-task's release of
    /// the task; the run queue's push and pop order `set_running` after the schedule. Other
    /// threads only read the state. Natively, three locked instructions less a park and wake
    /// (ping-pong: two of each a round trip): with the waker change in `chan::waitq`, ping-pong
    /// went from 238-249 to 207-212 ns, interleaved with the build before.
    pub(crate) fn swap(&self, s: State) -> State {
        let old = self.state.load(Ordering::Relaxed);
        self.state.store(s as u8, Ordering::Release);
        State::from_u8(old)
    }

    /// Marks it running on runner `runner` (mostly the one it ran on last).
    pub(crate) fn set_running(&self, runner: usize) {
        store_if_changed!(self.last_runner, runner as u16);
        self.state.store(State::Running as u8, Ordering::Release);
    }

    /// The runner that polled it last (65535 when it never ran).
    pub(crate) fn last_runner(&self) -> usize {
        self.last_runner.load(Ordering::Relaxed) as usize
    }

    /// `Running → Blocked(wait)`, from inside the goroutine's poll (no wake can make it
    /// runnable before the poll has returned: async-task holds a wake during the poll, and
    /// schedules the goroutine only after it). The wait is written first, so whoever reads the
    /// state `Blocked` reads its wait too.
    pub(crate) fn park_in_poll(&self, wait: Wait, now_ns: u64) -> bool {
        if self.state.load(Ordering::Relaxed) != State::Running as u8 {
            return false;
        }
        // A goroutine that parks again and again mostly parks on the same object, within the
        // runner's clock tick (it reads the clock every 50 µs).
        store_if_changed!(self.wait_kind, wait.kind as u8);
        store_if_changed!(self.wait_object, wait.object);
        store_if_changed!(self.since_ns, now_ns);
        self.state.store(State::Blocked as u8, Ordering::Release);
        true
    }
}

/// A snapshot of one goroutine, as in a Go stack dump header: `goroutine 7 [chan receive]:`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct GoroutineInfo {
    /// Goroutine id; the scenario's main goroutine is 1, as in Go.
    pub id: u64,
    /// The name given at spawn (`"worker"`, `"sender"`, …).
    pub name: &'static str,
    /// Its state.
    pub state: State,
    /// What it waits on when blocked, in Go's words (`"chan receive"`).
    pub wait: WaitKind,
    /// Id of the object waited on, 0 when none.
    pub object: u64,
    /// Name of the object waited on, when it has one (`"jobs"`).
    pub object_name: Option<String>,
    /// Milliseconds of runtime time in the current state.
    pub for_ms: f64,
}

impl fmt::Display for GoroutineInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state {
            State::Blocked => write!(f, "goroutine {} ({}) [{}", self.id, self.name, self.wait)?,
            State::Runnable => write!(f, "goroutine {} ({}) [runnable", self.id, self.name)?,
            State::Running => write!(f, "goroutine {} ({}) [running", self.id, self.name)?,
            State::Done => write!(f, "goroutine {} ({}) [done", self.id, self.name)?,
        }
        if let Some(n) = &self.object_name {
            write!(f, " on {n}")?;
        }
        write!(f, "]")
    }
}
