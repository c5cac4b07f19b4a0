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

/// The last few distinct `(operation, goroutine)` pairs on an object: a ring, so noting one
/// never allocates and never moves the others (it runs under the object's lock, on every
/// operation).
pub(crate) struct OpLog {
    entries: [(Op, u64, &'static str); OPLOG_LEN],
    /// Where the next new pair goes (the oldest is overwritten).
    next: usize,
}

/// How many `(operation, goroutine)` pairs an object remembers.
const OPLOG_LEN: usize = 8;

impl Default for OpLog {
    fn default() -> Self {
        OpLog {
            // Goroutine 0 marks an empty entry (no goroutine has id 0).
            entries: [(Op::Make, 0, ""); OPLOG_LEN],
            next: 0,
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
    #[inline]
    pub(crate) fn note(&mut self, op: Op) {
        let (g, name) = local::current_goroutine();
        if g == 0 || self.entries.iter().any(|e| e.0 == op && e.1 == g) {
            return; // known already: the common case, a goroutine in a loop
        }
        self.entries[self.next] = (op, g, name);
        self.next = (self.next + 1) % OPLOG_LEN;
    }

    /// The pairs remembered, oldest first.
    pub(crate) fn entries(&self) -> Vec<(Op, u64, &'static str)> {
        (0..OPLOG_LEN)
            .map(|i| self.entries[(self.next + i) % OPLOG_LEN])
            .filter(|e| e.1 != 0)
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
