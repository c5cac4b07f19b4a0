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
        atomic::{AtomicU64, Ordering},
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

/// The last few distinct `(operation, goroutine)` pairs on an object: a ring, so noting one
/// never allocates and never moves the others (it runs under the object's lock, on every
/// operation). A pair is one `u64` key, so the common case (the goroutine that did this last
/// time, in a loop) is one compare: the bench measured `note` at a fifth of a buffered
/// channel's send or receive when it scanned `(Op, u64, &str)` triples.
pub(crate) struct OpLog {
    /// `goroutine << 4 | op`; 0 marks an empty entry (no goroutine has id 0).
    keys: [u64; OPLOG_LEN],
    names: [&'static str; OPLOG_LEN],
    /// Where the next new pair goes (the oldest is overwritten).
    next: u8,
    /// The entry the last call found or wrote: checked first.
    hit: u8,
}

/// How many `(operation, goroutine)` pairs an object remembers.
const OPLOG_LEN: usize = 8;

impl Default for OpLog {
    fn default() -> Self {
        OpLog {
            keys: [0; OPLOG_LEN],
            names: [""; OPLOG_LEN],
            next: 0,
            hit: 0,
        }
    }
}

impl fmt::Debug for OpLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OpLog({} entries)", self.entries().len())
    }
}

impl OpLog {
    /// Records that the calling goroutine did `op` (nothing outside a goroutine).
    // Forced inline natively only: the wasm build is optimized for size, and every channel
    // operation of every element type would carry a copy.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn note(&mut self, op: Op) {
        let (g, name) = local::current_goroutine();
        let key = g << 4 | op as u64;
        // The common case, inlined into every send and receive: nothing outside a goroutine,
        // or the same goroutine in a loop.
        if g != 0 && self.keys[usize::from(self.hit)] != key {
            self.note_new(key, name);
        }
    }

    #[cold]
    #[inline(never)]
    fn note_new(&mut self, key: u64, name: &'static str) {
        if let Some(i) = self.keys.iter().position(|&k| k == key) {
            self.hit = i as u8;
            return;
        }
        let i = usize::from(self.next);
        self.keys[i] = key;
        self.names[i] = name;
        self.hit = self.next;
        self.next = ((i + 1) % OPLOG_LEN) as u8;
    }

    /// The pairs remembered, oldest first.
    pub(crate) fn entries(&self) -> Vec<(Op, u64, &'static str)> {
        (0..OPLOG_LEN)
            .map(|k| (usize::from(self.next) + k) % OPLOG_LEN)
            .filter(|&i| self.keys[i] != 0)
            .map(|i| {
                let key = self.keys[i];
                (Op::ALL[(key & 0xf) as usize], key >> 4, self.names[i])
            })
            .collect()
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

    #[test]
    fn oplog_keeps_the_last_distinct_pairs_oldest_first() {
        let mut log = OpLog::default();
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
                (Op::Make, 7, "producer"),
                (Op::Send, 7, "producer"),
                (Op::Recv, 9, "worker")
            ]
        );
        for g in 100..110 {
            local::set_goroutine(g, "many");
            log.note(Op::Close);
        }
        local::set_goroutine(0, "");
        let e = log.entries();
        assert_eq!(e.len(), OPLOG_LEN);
        assert_eq!(e.first(), Some(&(Op::Close, 102, "many")));
        assert_eq!(e.last(), Some(&(Op::Close, 109, "many")));
    }
}
