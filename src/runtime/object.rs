//! The objects goroutines wait on (channels, WaitGroups, mutexes, semaphores): their ids, their
//! names, and what the wait-for graph needs to know about each.
//!
//! Every object made inside a runtime registers itself here and forgets itself when dropped, so
//! a context per task costs nothing once the task is done. Each object also keeps a short record
//! of which goroutines did what to it (sent, received, closed, added, called Done…): that is how
//! the wait-for graph names who could release a waiting goroutine, and which goroutine that could
//! have is gone.

use std::{
    collections::HashMap,
    fmt,
    sync::{
        atomic::{fence, AtomicPtr, AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex, Weak,
    },
};

use super::local;

/// Ids for objects made outside any runtime (counted down from the top, so they never collide
/// with a runtime's own ids, which count up from 1).
fn next_global_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(u64::MAX / 2);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// What kind of object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObjectKind {
    Channel,
    WaitGroup,
    Mutex,
    Semaphore,
}

/// An operation on an object, as the wait-for graph names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// Made it (so it holds a handle, and may use it later).
    Make,
    Send,
    Recv,
    Close,
    Add,
    Done,
    Wait,
    Lock,
    Acquire,
}

impl Op {
    /// Every operation, indexed by its discriminant (how an `OpLog` key stores it).
    const ALL: [Op; 9] = [
        Op::Make,
        Op::Send,
        Op::Recv,
        Op::Close,
        Op::Add,
        Op::Done,
        Op::Wait,
        Op::Lock,
        Op::Acquire,
    ];
}

/// The last two distinct goroutines to do each operation on an object (`(operation, goroutine)`
/// pairs), one line of two entries per operation: a ring, so noting one never allocates and
/// never moves the others. A pair is one `u64` key, so the common case (the goroutine that did this
/// last time, in a loop) is two compares on one line: the bench measured `note` at a fifth of a
/// buffered channel's send or receive when it scanned `(Op, u64, &str)` triples.
///
/// One line per operation, because the operations that goroutines on different runners do at
/// once (a WaitGroup's `Add` and `Done`, a channel's `Send` and `Recv`) then never write where
/// the others look: their lines are first and last, two lines apart (96 bytes in wasm, 128
/// natively), so they never share a cache line. (Lines aligned to 64 bytes cost the wasm
/// module 110 bytes gzipped.) With one ring of eight for every operation, each `Done` (a new
/// goroutine each time) wrote the entry, and the "checked first" index, that the spawner's
/// `Add` read next: on the spawn bench the `Add`'s look missed the cache at every spawn, 11 % of
/// the samples in `perf`, and the notes together were a fifth of the bench (issue 9).
///
/// Goroutines on several threads note into it at once, without a lock: a WaitGroup's `Add` and
/// `Done` change the counter with atomics alone (they took the WaitGroup's lock to note
/// themselves and count; on the spawn bench the spawner's `Add` and the other runner's `Done`
/// fought for that lock, about a third of the bench's time in `perf`, issue 9). A channel
/// notes under its own lock all the same. Each entry is a seqlock: its sequence number is odd
/// while a writer writes it, and once written twice the note's place in its line (past the
/// line's other entry, so the two sort oldest first). A writer claims an entry by making it
/// odd (two writers never write one entry at once; one that finds the entry it chose being
/// written does not record its pair: the log is the last few, best effort under contention),
/// and a reader keeps what it read only if the number was even and the same before and after.
/// (A channel's log was a second, plain type, until the wasm module had to carry both: 1 KB
/// over its size budget.)
#[repr(C)]
pub(crate) struct OpLog {
    lines: [OpLine; OPLOG_LINES],
}

/// The lines of an `OpLog`, and the entries on each.
const OPLOG_LINES: usize = 4;
const PER_LINE: usize = 2;

#[repr(C)]
#[derive(Default)]
struct OpLine([LogEntry; PER_LINE]);

#[derive(Default)]
struct LogEntry {
    seq: AtomicU64,
    /// `goroutine << 4 | op`; 0 marks an empty entry (no goroutine has id 0).
    key: AtomicU64,
    /// The goroutine's name, a `&'static str` in two halves.
    name_ptr: AtomicPtr<u8>,
    name_len: AtomicUsize,
}

impl OpLog {
    /// A log that holds the calling goroutine's `Make`.
    // Out of line: inlined, it made every channel type's `new` 50-110 bytes bigger in the wasm
    // module (ten of them).
    #[inline(never)]
    pub(crate) fn made() -> OpLog {
        let log = OpLog::default();
        log.note(Op::Make);
        log
    }
}

impl Default for OpLog {
    #[inline(never)] // one copy, rather than one in each object's constructor
    fn default() -> Self {
        OpLog {
            lines: Default::default(),
        }
    }
}

impl OpLog {
    /// The line `op` is noted on: each object's operations have one each.
    fn line(&self, op: Op) -> &OpLine {
        let i = match op {
            Op::Send | Op::Add => 0,
            // Mutexes and semaphores list their holders themselves (`sync::semaphore`).
            Op::Make | Op::Lock | Op::Acquire => 1,
            Op::Close | Op::Wait => 2,
            Op::Recv | Op::Done => 3,
        };
        &self.lines[i]
    }

    /// Records that the calling goroutine did `op` (nothing outside a goroutine).
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn note(&self, op: Op) {
        let (g, name) = local::current_goroutine();
        let key = g << 4 | op as u64;
        let OpLine([a, b]) = self.line(op);
        if g != 0 && a.key.load(Ordering::Relaxed) != key && b.key.load(Ordering::Relaxed) != key {
            self.note_new(self.line(op), key, name);
        }
    }

    #[cold]
    #[inline(never)]
    fn note_new(&self, line: &OpLine, key: u64, name: &'static str) {
        // The older entry of the line (an empty one is oldest).
        let OpLine([a, b]) = line;
        let e = if b.seq.load(Ordering::Relaxed) < a.seq.load(Ordering::Relaxed) {
            b
        } else {
            a
        };
        let seq = e.seq.load(Ordering::Relaxed);
        // After both entries of the line: only the two of a line are ever compared. (A count
        // of the object's notes was one more locked instruction each, on a line that every
        // noter wrote.)
        let place = a
            .seq
            .load(Ordering::Relaxed)
            .max(b.seq.load(Ordering::Relaxed))
            / 2
            + 1;
        if seq % 2 == 1
            || e.seq
                .compare_exchange(seq, 2 * place + 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return; // another thread is writing this entry (see the type's doc)
        }
        // A reader that sees any of the writes below also sees the odd number on its second
        // look at it.
        fence(Ordering::Release);
        e.key.store(key, Ordering::Relaxed);
        e.name_ptr
            .store(name.as_ptr().cast_mut(), Ordering::Relaxed);
        e.name_len.store(name.len(), Ordering::Relaxed);
        e.seq.store(2 * place + 2, Ordering::Release);
    }

    /// The pairs remembered, by operation, each operation's oldest first.
    pub(crate) fn entries(&self) -> Vec<(Op, u64, &'static str)> {
        // Plain code, no iterator adapters: those brought 1.9 KB of generic code into the wasm
        // module, which had 65 bytes to spare under its size gate.
        let mut out = Vec::new();
        for OpLine([a, b]) in &self.lines {
            let (mut a, mut b) = (a.read(), b.read());
            if let (Some(x), Some(y)) = (a, b) {
                if y.0 < x.0 {
                    (a, b) = (b, a);
                }
            }
            if let Some((_, e)) = a {
                out.push(e);
            }
            if let Some((_, e)) = b {
                out.push(e);
            }
        }
        out
    }
}

impl LogEntry {
    /// `(sequence number, pair)`, if the entry holds a pair and no writer wrote it meanwhile.
    fn read(&self) -> Option<(u64, (Op, u64, &'static str))> {
        let seq = self.seq.load(Ordering::Acquire);
        let (key, ptr, len) = (
            self.key.load(Ordering::Relaxed),
            self.name_ptr.load(Ordering::Relaxed),
            self.name_len.load(Ordering::Relaxed),
        );
        fence(Ordering::Acquire);
        if seq % 2 == 1 || self.seq.load(Ordering::Relaxed) != seq || key == 0 {
            return None; // empty, or being written
        }
        // SAFETY: `ptr` and `len` are the halves of one `&'static str`, written by one writer:
        // the sequence number was even and unchanged around the reads, so no write to the entry
        // overlapped them.
        let name = unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(ptr, len)) };
        Some((seq, (Op::ALL[(key & 0xf) as usize], key >> 4, name)))
    }
}

/// The most waiters of one object a view lists (the graph draws fewer, and sums the rest).
pub(crate) const VIEW_WAITERS: usize = 32;

/// What the wait-for graph reads from an object.
pub(crate) struct ObjectView {
    pub(crate) kind: ObjectKind,
    /// A few words on its state: `"0/10 buffered"`, `"closed"`, `"counter 3"`.
    pub(crate) state: String,
    /// The first goroutines parked on it (at most [`VIEW_WAITERS`]) and how.
    pub(crate) waiters: Vec<(u64, Op)>,
    /// How many are parked on it in all.
    pub(crate) waiting: usize,
    /// Who did what to it lately.
    pub(crate) ops: Vec<(Op, u64, &'static str)>,
}

/// An object the wait-for graph can describe.
pub(crate) trait Observed: Send + Sync {
    fn view(&self) -> ObjectView;
}

struct Entry {
    name: Option<String>,
    object: Option<Weak<dyn Observed>>,
}

/// The objects of one runtime, by id.
#[derive(Default)]
pub(crate) struct Objects {
    next: AtomicU64,
    map: Mutex<HashMap<u64, Entry>>,
}

impl Objects {
    pub(crate) fn new() -> Objects {
        Objects {
            next: AtomicU64::new(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn name(&self, id: u64) -> Option<String> {
        self.map.lock().unwrap().get(&id)?.name.clone()
    }

    /// Calls `f` with object `id`'s name (`None`: no name, or no such object), without copying it.
    pub(crate) fn with_name<R>(&self, id: u64, f: impl FnOnce(Option<&str>) -> R) -> R {
        let map = self.map.lock().unwrap();
        f(map.get(&id).and_then(|e| e.name.as_deref()))
    }

    /// Every live object: `(id, name, view)`.
    pub(crate) fn views(&self) -> Vec<(u64, Option<String>, ObjectView)> {
        let live: Vec<(u64, Option<String>, Arc<dyn Observed>)> = self
            .map
            .lock()
            .unwrap()
            .iter()
            .filter_map(|(id, e)| Some((*id, e.name.clone(), e.object.as_ref()?.upgrade()?)))
            .collect();
        // Viewed after the registry lock is released: a view takes the object's own lock, and
        // an object being dropped takes the registry's.
        let mut out: Vec<_> = live
            .into_iter()
            .map(|(id, name, o)| (id, name, o.view()))
            .collect();
        out.sort_by_key(|(id, _, _)| *id);
        out
    }

    pub(crate) fn len(&self) -> usize {
        self.map.lock().unwrap().len()
    }
}

/// An object's identity: its id, and the registry it is listed in (none outside a runtime).
/// Dropping it takes the object off the list, name included.
pub(crate) struct ObjectId {
    id: u64,
    objects: Option<Arc<Objects>>,
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.id)
    }
}

impl ObjectId {
    /// A new id in the calling goroutine's runtime (a global one outside any).
    pub(crate) fn new() -> ObjectId {
        match local::objects() {
            Some(objects) => {
                let id = objects.next.fetch_add(1, Ordering::Relaxed);
                objects.map.lock().unwrap().insert(
                    id,
                    Entry {
                        name: None,
                        object: None,
                    },
                );
                ObjectId {
                    id,
                    objects: Some(objects),
                }
            }
            None => ObjectId {
                id: next_global_id(),
                objects: None,
            },
        }
    }

    pub(crate) fn get(&self) -> u64 {
        self.id
    }

    /// Gives the object a name for reports.
    pub(crate) fn set_name(&self, name: &str) {
        if let Some(o) = &self.objects {
            if let Some(e) = o.map.lock().unwrap().get_mut(&self.id) {
                e.name = Some(name.to_string());
            }
        }
    }

    /// Lets the wait-for graph look into the object. Takes the trait object, not a generic
    /// `Weak<O>`: a copy of this per channel type weighed in the wasm module (issue 11).
    pub(crate) fn observe(&self, object: Weak<dyn Observed>) {
        if let Some(o) = &self.objects {
            if let Some(e) = o.map.lock().unwrap().get_mut(&self.id) {
                e.object = Some(object);
            }
        }
    }
}

impl Drop for ObjectId {
    fn drop(&mut self) {
        if let Some(o) = &self.objects {
            o.map.lock().unwrap().remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_keys_round_trip() {
        for (i, op) in Op::ALL.iter().enumerate() {
            assert_eq!(*op as usize, i, "Op::ALL is in discriminant order");
        }
    }

    /// What the spawner's `Add` (or a sender) reads, and what each `Done` (or receiver) writes,
    /// are at least a cache line apart, wherever the log starts.
    #[test]
    fn add_and_done_never_share_a_cache_line() {
        let log = OpLog::default();
        let at = |p: *const u8| p as usize;
        for (give, take) in [(Op::Add, Op::Done), (Op::Send, Op::Recv)] {
            let give_end = at(log.line(give).0.as_ptr().cast()) + std::mem::size_of::<OpLine>();
            let take = at(log.line(take).0.as_ptr().cast());
            assert!(
                take >= give_end + 64,
                "{give:?} and {take:?}: {give_end} {take}"
            );
        }
    }

    #[test]
    fn oplog_keeps_the_last_two_of_each_operation_oldest_first() {
        let log = OpLog::default();
        log.note(Op::Send); // outside a goroutine: nothing
        assert!(log.entries().is_empty());
        local::set_goroutine(7, "producer");
        log.note(Op::Make);
        log.note(Op::Send);
        log.note(Op::Send);
        local::set_goroutine(9, "worker");
        log.note(Op::Recv);
        local::set_goroutine(7, "producer");
        log.note(Op::Make); // known, though not the last one
        assert_eq!(
            log.entries(),
            vec![
                (Op::Send, 7, "producer"),
                (Op::Make, 7, "producer"),
                (Op::Recv, 9, "worker")
            ]
        );
        for g in 100..110 {
            local::set_goroutine(g, "many");
            log.note(Op::Close);
        }
        local::set_goroutine(0, "");
        assert_eq!(
            log.entries(),
            vec![
                (Op::Send, 7, "producer"),
                (Op::Make, 7, "producer"),
                (Op::Close, 108, "many"),
                (Op::Close, 109, "many"),
                (Op::Recv, 9, "worker")
            ],
            "the last two closers, and the others kept"
        );
        local::set_goroutine(110, "many");
        log.note(Op::Close); // the older entry (108's) goes
        local::set_goroutine(0, "");
        assert_eq!(
            &log.entries()[2..4],
            [(Op::Close, 109, "many"), (Op::Close, 110, "many")],
            "oldest first within an operation, whichever entry holds it"
        );
    }

    /// Threads noting at once while another reads: every name read is the one its goroutine
    /// noted (a torn read, a pointer from one name with the length of another, would show as a
    /// wrong or garbled name, or worse).
    #[test]
    fn oplog_readers_never_see_a_torn_name() {
        const NAMES: [&str; 4] = ["a", "bb-bb", "ccc-ccc-ccc", "dddd-dddd-dddd-dddd"];
        let log = Arc::new(OpLog::default());
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let min_notes = if cfg!(miri) { 200 } else { 200_000 };
        // The writers note until the reader has read enough, so that the reads overlap the
        // notes however the threads are scheduled (the lib's other tests run beside this one
        // on two cores: a reader that started late once read only after the writers ended).
        let writers: Vec<_> = (0..3u64)
            .map(|t| {
                let (log, stop) = (log.clone(), stop.clone());
                std::thread::spawn(move || {
                    let mut i = 0;
                    while i < min_notes || !stop.load(Ordering::Relaxed) {
                        let g = 1 + t * 1_000_000_000 + i;
                        local::set_goroutine(g, NAMES[(g % 4) as usize]);
                        log.note(if i % 2 == 0 { Op::Add } else { Op::Done });
                        i += 1;
                    }
                })
            })
            .collect();
        // At least this many reads, and until one read an entry (the writers may start late).
        let reads = if cfg!(miri) { 20 } else { 2000 };
        let (mut seen, mut read, mut torn) = (0, 0, None);
        let start = std::time::Instant::now();
        while (read < reads || seen == 0) && start.elapsed() < std::time::Duration::from_secs(20) {
            for (_, g, name) in log.entries() {
                if name != NAMES[(g % 4) as usize] {
                    torn.get_or_insert((g, name));
                }
                seen += 1;
            }
            read += 1;
        }
        // Asserted only once the writers are stopped, so that a failure ends the test.
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.join().unwrap();
        }
        assert_eq!(torn, None, "a goroutine read with another's name");
        assert!(seen > 0, "no entry read whole in {read} reads");
        assert_eq!(
            log.entries().len(),
            2 * PER_LINE,
            "two lines (Add's, Done's), full"
        );
    }
}
