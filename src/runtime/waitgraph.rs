//! The wait-for graph: who waits on what, and who could release it.
//!
//! A deadlock is a cycle in this graph, a leak a waiter nobody can release: the picture makes
//! both visible at a glance. Nodes are goroutines (alive or exited) and the objects they wait on;
//! an edge goroutine → object is a wait ("waits to receive"), an edge object → goroutine names
//! who could release it ("could send"), or who could have and is gone ("last sender (exited)").
//! "Could" comes from each object's record of who did what to it (`object.rs`): the runtime does
//! not know who holds a reference, only who used one.

use serde::Serialize;

use super::{
    goroutine::{GoroutineInfo, State, WaitKind},
    object::{ObjectKind, ObjectView, Op},
};

/// The graph, as the Report carries it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct WaitGraph {
    /// Goroutines and objects.
    pub nodes: Vec<Node>,
    /// Waits and releases.
    pub edges: Vec<Edge>,
}

/// A node of the [`WaitGraph`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Node {
    /// `g7` for goroutine 7, `o3` for object 3, `timers` for the timer heap, `more…` for a
    /// summary.
    pub id: String,
    /// What it is.
    pub kind: NodeKind,
    /// What the picture writes on it.
    pub label: String,
}

/// The kinds of [`Node`].
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// A live goroutine.
    Goroutine,
    /// A goroutine that has returned (it appears because it was the last to use an object).
    ExitedGoroutine,
    /// A channel.
    Channel,
    /// A `sync.WaitGroup`.
    Waitgroup,
    /// A `sync.Mutex`.
    Mutex,
    /// A counting semaphore.
    Semaphore,
    /// The timers sleeping goroutines wait for.
    Timer,
    /// A context's `Done()` channel.
    Context,
}

/// An edge of the [`WaitGraph`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Edge {
    /// A node id.
    pub from: String,
    /// A node id.
    pub to: String,
    /// `"waits to receive"`, `"could send"`, `"last sender (exited)"`…
    pub label: String,
}

/// At most this many waiters of one object are drawn; the rest become one summary node.
const WAITERS_SHOWN: usize = 24;
/// At most this many goroutines in all.
const GOROUTINES_SHOWN: usize = 200;

fn gid(g: u64) -> String {
    format!("g{g}")
}

fn oid(o: u64) -> String {
    format!("o{o}")
}

/// How a goroutine parked on an object waits, in words.
fn wait_label(kind: ObjectKind, op: Op, state: &str) -> String {
    match (kind, op) {
        (_, Op::Send) => "waits to send".into(),
        (_, Op::Recv) => "waits to receive".into(),
        (ObjectKind::WaitGroup, _) => format!("waits for counter 0 ({state})"),
        (ObjectKind::Mutex, _) => "waits for the lock".into(),
        (_, _) => "waits for a permit".into(),
    }
}

/// Which operations release a waiter that waits with `op`, and how the edge reads for a live
/// and for an exited goroutine that did them.
fn releasers(kind: ObjectKind, op: Op) -> &'static [(Op, &'static str, &'static str)] {
    match (kind, op) {
        (ObjectKind::Channel, Op::Recv) => &[
            (Op::Send, "could send", "last sender (exited)"),
            (Op::Close, "could close", "closer (exited)"),
            // Its maker is named by what it could do, as the page's sentence says it ("only main
            // could receive from results"), not by having made it (review N5, session 20).
            (Op::Make, "could send or close", "its maker (exited)"),
        ],
        (ObjectKind::Channel, _) => &[
            (Op::Recv, "could receive", "last receiver (exited)"),
            (Op::Make, "could receive", "its maker (exited)"),
        ],
        (ObjectKind::WaitGroup, _) => &[
            (Op::Done, "could call Done", "called Done (exited)"),
            (
                Op::Add,
                "added to the counter",
                "added to the counter (exited)",
            ),
        ],
        (ObjectKind::Mutex, _) => &[(Op::Lock, "holds the lock", "held the lock (exited)")],
        (ObjectKind::Semaphore, _) => &[(Op::Acquire, "holds a permit", "held a permit (exited)")],
    }
}

/// The graph under construction. Plain vectors rather than `BTreeMap`/`BTreeSet`: every B-tree
/// of another key and value type brought its own copy of the B-tree's generic code into the wasm
/// module (issue 11), and these stay small (at most [`GOROUTINES_SHOWN`] goroutines are drawn
/// through the waiters; see `build`).
struct Building<'a> {
    /// The live goroutines, sorted by id.
    live: &'a [GoroutineInfo],
    /// Nodes, in the order they were added; sorted by id at the end.
    nodes: Vec<Node>,
    /// The goroutines drawn so far, sorted.
    shown: Vec<u64>,
}

impl Building<'_> {
    fn live(&self, id: u64) -> Option<&GoroutineInfo> {
        self.live
            .binary_search_by_key(&id, |g| g.id)
            .ok()
            .map(|i| &self.live[i])
    }

    fn is_shown(&self, id: u64) -> bool {
        self.shown.binary_search(&id).is_ok()
    }

    /// Adds goroutine `id` (alive, or exited under `name`) to the graph, once.
    fn add_goroutine(&mut self, id: u64, name: &str) {
        let Err(at) = self.shown.binary_search(&id) else {
            return;
        };
        self.shown.insert(at, id);
        let node = match self.live(id) {
            Some(g) => Node {
                id: gid(id),
                kind: NodeKind::Goroutine,
                label: format!(
                    "{} #{id} [{}]",
                    g.name,
                    match g.state {
                        State::Blocked => g.wait.as_go(),
                        State::Running => "running",
                        State::Runnable => "runnable",
                        State::Done => "done",
                    }
                ),
            },
            None => Node {
                id: gid(id),
                kind: NodeKind::ExitedGoroutine,
                label: format!("{name} #{id} (exited)"),
            },
        };
        self.nodes.push(node);
    }
}

/// Builds the graph from the live goroutines (sorted by id, as the registry lists them) and the
/// objects' views. Every node id is unique: an object's and its summary's are by its id, a
/// goroutine's by [`Building::add_goroutine`], the timers' by `timers`.
pub(crate) fn build(
    goroutines: &[GoroutineInfo],
    objects: &[(u64, Option<String>, ObjectView)],
) -> WaitGraph {
    debug_assert!(goroutines.windows(2).all(|w| w[0].id < w[1].id));
    let mut b = Building {
        live: goroutines,
        nodes: Vec::new(),
        shown: Vec::new(),
    };
    let mut edges: Vec<Edge> = Vec::new();
    let mut timers = false;
    for (id, name, view) in objects {
        if view.waiters.is_empty() {
            continue;
        }
        let context = name.as_deref() == Some("ctx.Done()");
        let kind = match view.kind {
            ObjectKind::Channel if context => NodeKind::Context,
            ObjectKind::Channel => NodeKind::Channel,
            ObjectKind::WaitGroup => NodeKind::Waitgroup,
            ObjectKind::Mutex => NodeKind::Mutex,
            ObjectKind::Semaphore => NodeKind::Semaphore,
        };
        let what = match view.kind {
            ObjectKind::Channel => "chan",
            ObjectKind::WaitGroup => "WaitGroup",
            ObjectKind::Mutex => "Mutex",
            ObjectKind::Semaphore => "semaphore",
        };
        let label = match name {
            Some(n) => format!("{n} ({})", view.state),
            None => format!("{what} {id} ({})", view.state),
        };
        b.nodes.push(Node {
            id: oid(*id),
            kind,
            label,
        });
        let waiting = |g: u64| view.waiters.iter().any(|w| w.0 == g);
        let mut ops_waited: Vec<Op> = vec![];
        // The view lists the first few (more than are drawn); one node sums the rest.
        for (n, &(g, op)) in view.waiters.iter().enumerate() {
            if !ops_waited.contains(&op) {
                ops_waited.push(op);
            }
            if n >= WAITERS_SHOWN || b.shown.len() >= GOROUTINES_SHOWN {
                let more = view.waiting - n;
                let id_more = format!("more{id}");
                b.nodes.push(Node {
                    id: id_more.clone(),
                    kind: NodeKind::Goroutine,
                    label: format!("{more} more goroutines"),
                });
                edges.push(Edge {
                    from: id_more,
                    to: oid(*id),
                    label: wait_label(view.kind, op, &view.state),
                });
                break;
            }
            let name = b.live(g).map_or("goroutine", |i| i.name);
            b.add_goroutine(g, name);
            edges.push(Edge {
                from: gid(g),
                to: oid(*id),
                label: wait_label(view.kind, op, &view.state),
            });
        }
        for op in ops_waited {
            for &(rel, alive, exited) in releasers(view.kind, op) {
                for &(o, g, name) in view.ops.iter().rev() {
                    if o != rel || waiting(g) {
                        continue;
                    }
                    let (from, to) = (oid(*id), gid(g));
                    // One edge per pair: the first reason found (sent beats made) says it.
                    if edges.iter().any(|e| e.from == from && e.to == to) {
                        continue;
                    }
                    let label = if b.live(g).is_some() { alive } else { exited };
                    b.add_goroutine(g, name);
                    edges.push(Edge {
                        from,
                        to,
                        label: label.into(),
                    });
                }
            }
        }
    }
    // Sleepers wait on a timer, which will fire: not a deadlock, but part of the picture.
    for g in goroutines {
        if g.state != State::Blocked || b.is_shown(g.id) {
            continue;
        }
        if b.shown.len() >= GOROUTINES_SHOWN {
            break;
        }
        match g.wait {
            WaitKind::Sleep => {
                if !std::mem::replace(&mut timers, true) {
                    b.nodes.push(Node {
                        id: "timers".into(),
                        kind: NodeKind::Timer,
                        label: "timers".into(),
                    });
                }
                b.add_goroutine(g.id, g.name);
                edges.push(Edge {
                    from: gid(g.id),
                    to: "timers".into(),
                    label: "sleeps".into(),
                });
            }
            _ => b.add_goroutine(g.id, g.name),
        }
    }
    // In id order, as the page and the tests have always had them.
    b.nodes.sort_unstable_by(|x, y| x.id.cmp(&y.id));
    WaitGraph {
        nodes: b.nodes,
        edges,
    }
}
