//! The event log (`go tool trace`'s raw material) and the Chrome trace built from it.
//!
//! The log is sharded by runner thread, so two threads recording at once do not contend, and
//! capped: the first `cap` events are kept, later ones only counted. Its memory is reserved when
//! the runtime is built (chunks of [`CHUNK`] events the shards take as they fill, and a fixed
//! table of object names), so recording never allocates and the instrument's bookkeeping is not
//! counted as the program's heap. [`trace`] turns it into the
//! Trace Event Format that `chrome://tracing` and Perfetto open: a track per runner thread
//! showing which goroutine ran when, a track per goroutine showing when it ran and what it waited
//! on, and instants for closes, panics, deadlocks and the run's marks.
//! Format: <https://docs.google.com/document/d/1CvAClvFfyA5R-PhYUmn5OOQtYMH4h6I0nSsKchNAySU>
//! (JSON Object Format; `ts` and `dur` in microseconds; phases `M`, `X`, `i`).

use std::{
    collections::HashMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
};

use serde::Serialize;

use super::{goroutine::WaitKind, object::Objects, observe::Mark};

/// Events per chunk of the log's reserved memory.
const CHUNK: usize = 1024;
/// At most this many object names are remembered (later objects are named as they are when the
/// trace is built).
const NAMES_CAP: usize = 1024;
/// Bytes of object names remembered at most.
const NAMES_BYTES: usize = 16 * 1024;

/// What happened to a goroutine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `go f()`.
    Spawn,
    /// It ran on `thread` from `t_ns` for `dur_ns` (one poll).
    Run,
    /// Parked; `wait` says on what, `object` on which object.
    Block,
    /// Made runnable again.
    Unblock,
    /// Returned.
    Exit,
    /// Panicked.
    Panic,
    /// It closed channel `object`.
    Close,
    /// Every goroutine asleep: Go's fatal error.
    Deadlock,
}

/// One entry of the event log, like a `go tool trace` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Runtime time in nanoseconds.
    pub t_ns: u64,
    /// For `run`: how long the poll took.
    pub dur_ns: u64,
    /// What happened.
    pub kind: EventKind,
    /// Goroutine id (0: no goroutine, e.g. a deadlock).
    pub g: u64,
    /// The goroutine's name, for `spawn`.
    pub name: &'static str,
    /// Index of the thread it happened on.
    pub thread: u32,
    /// For `block`: the wait reason.
    pub wait: WaitKind,
    /// For `block` and `close`: the object's id (0 when none).
    pub object: u64,
}

/// A bounded event log, one shard per thread.
#[derive(Debug)]
pub(crate) struct EventLog {
    /// Each thread's chunks, in the order it filled them (each list reserved for every chunk).
    shards: Vec<Mutex<Vec<Vec<Event>>>>,
    /// Empty chunks, reserved up front; together they hold `cap` events. A shard takes one when
    /// its last is full; when none is left, events are only counted.
    pool: Mutex<Vec<Vec<Event>>>,
    dropped: AtomicU64,
    /// The names of the objects events refer to, taken when the event happened: the trace is
    /// built after the run, when most objects (and their names) are gone.
    names: Mutex<Names>,
}

/// Object names, in memory reserved up front.
#[derive(Debug)]
struct Names {
    /// Object id → its name's range in `text` (`None`: the object has no name).
    index: HashMap<u64, Option<(u32, u32)>>,
    text: String,
}

impl EventLog {
    /// Frees the reserved chunks on this thread, now (see `Observer::release`).
    pub(crate) fn release(&self) {
        for shard in &self.shards {
            *shard.lock().unwrap() = Vec::new();
        }
        *self.pool.lock().unwrap() = Vec::new();
    }

    pub(crate) fn new(cap: usize, shards: usize) -> EventLog {
        let pool: Vec<Vec<Event>> = (0..cap.div_ceil(CHUNK))
            .map(|i| Vec::with_capacity(CHUNK.min(cap - i * CHUNK)))
            .collect();
        let chunks = pool.len();
        EventLog {
            shards: (0..shards.max(1))
                .map(|_| Mutex::new(Vec::with_capacity(chunks)))
                .collect(),
            pool: Mutex::new(pool),
            dropped: AtomicU64::new(0),
            names: Mutex::new(Names {
                index: HashMap::with_capacity(NAMES_CAP),
                text: String::with_capacity(NAMES_BYTES),
            }),
        }
    }

    /// Remembers object `id`'s name (looked up in `objects` the first time it is referred to),
    /// while there is room.
    pub(crate) fn remember(&self, id: u64, objects: &Objects) {
        let mut names = self.names.lock().unwrap();
        let Names { index, text } = &mut *names;
        if index.len() >= NAMES_CAP || index.contains_key(&id) {
            return;
        }
        objects.with_name(id, |name| {
            let range = match name {
                None => None,
                Some(n) if text.len() + n.len() <= text.capacity() => {
                    let start = text.len();
                    text.push_str(n);
                    Some((start as u32, n.len() as u32))
                }
                Some(_) => return, // no room: the trace names it as it is then
            };
            index.insert(id, range);
        });
    }

    /// The name remembered for object `id`.
    pub(crate) fn name(&self, id: u64) -> Option<String> {
        let names = self.names.lock().unwrap();
        let (start, len) = (*names.index.get(&id)?)?;
        let (start, len) = (start as usize, len as usize);
        Some(names.text[start..start + len].to_string())
    }

    pub(crate) fn push(&self, e: Event) {
        let mut shard = self.shards[e.thread as usize % self.shards.len()]
            .lock()
            .unwrap();
        if let Some(chunk) = shard.last_mut() {
            if chunk.len() < chunk.capacity() {
                chunk.push(e);
                return;
            }
        }
        match self.pool.lock().unwrap().pop() {
            Some(mut chunk) => {
                chunk.push(e);
                shard.push(chunk);
            }
            None => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Every event so far in time order (stable: one thread's events keep their order).
    pub(crate) fn events(&self) -> (Vec<Event>, u64) {
        let mut all: Vec<Event> = Vec::new();
        for s in &self.shards {
            for chunk in s.lock().unwrap().iter() {
                all.extend_from_slice(chunk);
            }
        }
        all.sort_by_key(|e| e.t_ns);
        (all, self.dropped.load(Ordering::Relaxed))
    }

    /// Like [`EventLog::events`], and empties the log (its chunks go back to the pool).
    pub(crate) fn take(&self) -> (Vec<Event>, u64) {
        let out = self.events();
        for s in &self.shards {
            let mut shard = s.lock().unwrap();
            let mut pool = self.pool.lock().unwrap();
            for mut chunk in shard.drain(..) {
                chunk.clear();
                pool.push(chunk);
            }
        }
        out
    }
}

/// A Chrome Trace Event Format document (JSON Object Format).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Trace {
    /// The events.
    #[serde(rename = "traceEvents")]
    pub trace_events: Vec<TraceEvent>,
    /// `"ms"`: how the viewer shows times (the events themselves are in microseconds).
    #[serde(rename = "displayTimeUnit")]
    pub display_time_unit: &'static str,
    /// Metadata the viewers show as is.
    #[serde(rename = "otherData")]
    pub other_data: TraceInfo,
}

/// The trace's `otherData`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TraceInfo {
    /// Who wrote it.
    pub producer: &'static str,
    /// Events the log had no room for (the trace misses them).
    pub dropped_events: u64,
}

/// One trace event.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TraceEvent {
    /// What is shown.
    pub name: String,
    /// Phase: `M` metadata, `X` complete, `i` instant.
    pub ph: &'static str,
    /// Category (filterable in the viewers).
    #[serde(skip_serializing_if = "str::is_empty")]
    pub cat: &'static str,
    /// 1: the runner threads; 2: the goroutines.
    pub pid: u32,
    /// The runner index (pid 1) or goroutine id (pid 2).
    pub tid: u64,
    /// Microseconds of runtime time (absent on metadata).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ts: Option<f64>,
    /// Microseconds, for `X`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dur: Option<f64>,
    /// Scope of an instant: `g` global, `t` thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s: Option<&'static str>,
    /// Arguments shown on selection.
    #[serde(skip_serializing_if = "TraceArgs::is_empty")]
    pub args: TraceArgs,
}

/// The `args` of a [`TraceEvent`].
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct TraceArgs {
    /// For metadata: the thread or process name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The goroutine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goroutine: Option<u64>,
    /// The runner thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread: Option<u32>,
    /// The object waited on or closed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
}

impl TraceArgs {
    fn is_empty(&self) -> bool {
        *self == TraceArgs::default()
    }
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1e3
}

fn meta(pid: u32, tid: u64, what: &'static str, name: String) -> TraceEvent {
    TraceEvent {
        name: what.into(),
        ph: "M",
        cat: "",
        pid,
        tid,
        ts: None,
        dur: None,
        s: None,
        args: TraceArgs {
            name: Some(name),
            ..TraceArgs::default()
        },
    }
}

/// What [`trace`] knows of one goroutine so far.
struct Seen {
    name: &'static str,
    /// The wait it is in, if it is blocked.
    blocked: Option<Blocked>,
}

impl Default for Seen {
    fn default() -> Self {
        Seen {
            name: "goroutine",
            blocked: None,
        }
    }
}

/// A wait that began at `from` (runtime ns), on `object` (0: none).
#[derive(Clone, Copy)]
struct Blocked {
    from: u64,
    wait: WaitKind,
    object: u64,
}

/// Builds the trace. `threads` runner threads; `object_name` names an object id; goroutines
/// still blocked at `end_ns` get a wait span up to then.
pub(crate) fn trace(
    events: &[Event],
    dropped: u64,
    marks: &[Mark],
    threads: usize,
    end_ns: u64,
    object_name: &dyn Fn(u64) -> String,
) -> Trace {
    let mut out = vec![
        meta(1, 0, "process_name", "runner threads (GOMAXPROCS)".into()),
        meta(2, 0, "process_name", "goroutines".into()),
    ];
    for t in 0..threads.max(1) {
        out.push(meta(1, t as u64, "thread_name", format!("runner {t}")));
    }
    // Per goroutine: its name, and since when and on what it is blocked. One hash map rather
    // than two `BTreeMap`s: each B-tree of another type brought its own copy of the B-tree's
    // code into the wasm module (issue 11); the waits still open at the end are sorted below.
    let mut seen: HashMap<u64, Seen> = HashMap::new();
    // A poll that was running when the program ended is drawn up to the end (see
    // `Runtime::trace`); one that started after it (a goroutine Go's exit would have stopped)
    // as a slice of no length at the end, so every poll still has its event.
    let at = |e: &Event| e.t_ns.min(end_ns);
    let cut = |e: &Event| e.dur_ns.min(end_ns.saturating_sub(e.t_ns));
    let label = |g: u64, seen: &HashMap<u64, Seen>| {
        format!("{} #{g}", seen.get(&g).map_or("goroutine", |s| s.name))
    };
    let wait_span = |g: u64, Blocked { from, wait, object }: Blocked, to: u64| TraceEvent {
        name: wait.as_go().into(),
        ph: "X",
        cat: "wait",
        pid: 2,
        tid: g,
        ts: Some(us(from)),
        dur: Some(us(to.saturating_sub(from))),
        s: None,
        args: TraceArgs {
            object: (object != 0).then(|| object_name(object)),
            ..TraceArgs::default()
        },
    };
    // An instant (`ph: "i"`) on the goroutine's track; scope `s`: "t" on that track, "g" across
    // the whole trace.
    let instant = |e: &Event, name: String, s: &'static str| TraceEvent {
        name,
        ph: "i",
        cat: "event",
        pid: 2,
        tid: e.g,
        ts: Some(us(e.t_ns)),
        dur: None,
        s: Some(s),
        args: TraceArgs {
            goroutine: (e.g != 0).then_some(e.g),
            object: (e.object != 0).then(|| object_name(e.object)),
            ..TraceArgs::default()
        },
    };
    for e in events {
        match e.kind {
            EventKind::Spawn => {
                seen.entry(e.g).or_default().name = e.name;
                out.push(meta(2, e.g, "thread_name", label(e.g, &seen)));
            }
            EventKind::Run => {
                let name = label(e.g, &seen);
                out.push(TraceEvent {
                    name: name.clone(),
                    ph: "X",
                    cat: "run",
                    pid: 1,
                    tid: e.thread as u64,
                    ts: Some(us(at(e))),
                    dur: Some(us(cut(e))),
                    s: None,
                    args: TraceArgs {
                        goroutine: Some(e.g),
                        ..TraceArgs::default()
                    },
                });
                out.push(TraceEvent {
                    name: "running".into(),
                    ph: "X",
                    cat: "run",
                    pid: 2,
                    tid: e.g,
                    ts: Some(us(at(e))),
                    dur: Some(us(cut(e))),
                    s: None,
                    args: TraceArgs {
                        thread: Some(e.thread),
                        ..TraceArgs::default()
                    },
                });
            }
            EventKind::Block => {
                seen.entry(e.g).or_default().blocked = Some(Blocked {
                    from: e.t_ns,
                    wait: e.wait,
                    object: e.object,
                });
            }
            EventKind::Unblock | EventKind::Exit => {
                if let Some(b) = seen.get_mut(&e.g).and_then(|s| s.blocked.take()) {
                    out.push(wait_span(e.g, b, e.t_ns));
                }
            }
            EventKind::Panic => {
                out.push(instant(e, format!("panic in {}", label(e.g, &seen)), "t"));
            }
            EventKind::Close => {
                out.push(instant(e, format!("close({})", object_name(e.object)), "t"));
            }
            EventKind::Deadlock => {
                let fatal = "fatal error: all goroutines are asleep - deadlock!";
                out.push(instant(e, fatal.into(), "g"));
            }
        }
    }
    let mut open: Vec<(u64, Blocked)> = seen
        .into_iter()
        .filter_map(|(g, s)| Some((g, s.blocked?)))
        .collect();
    open.sort_unstable_by_key(|&(g, _)| g);
    for (g, b) in open {
        out.push(wait_span(g, b, end_ns));
    }
    for m in marks {
        out.push(TraceEvent {
            name: format!("{}: {}", m.kind.as_str(), m.label),
            ph: "i",
            cat: "mark",
            pid: 2,
            tid: 0,
            ts: Some(m.t_ms * 1e3),
            dur: None,
            s: Some("g"),
            args: TraceArgs::default(),
        });
    }
    Trace {
        trace_events: out,
        display_time_unit: "ms",
        other_data: TraceInfo {
            producer: concat!("worker-pool-playground ", env!("CARGO_PKG_VERSION")),
            dropped_events: dropped,
        },
    }
}
