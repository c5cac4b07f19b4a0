//! The goroutine registry: every live goroutine's task handle, in slabs.
//!
//! `runtime.Stack(buf, true)` needs every goroutine, and shutdown must cancel the ones still
//! alive (dropping a task handle frees its future, and with it the channels it holds). A slab
//! reuses the slots of finished goroutines, so a spawn adds no allocation of its own: the task
//! (future, schedule function and `GMeta` in one block) is the only one. Each runner lists the
//! goroutines it spawns in its own slab, and a runner that finishes goroutines takes them off in
//! batches: so the thread that spawns and the thread that finishes rarely meet on a lock (that
//! meeting, per goroutine, cost as much as the rest of a spawn). Finished goroutines waiting for
//! their batch are skipped in listings.

use std::{
    cell::RefCell,
    sync::{atomic::Ordering, Mutex},
};

use async_task::Task;
use crossbeam_utils::CachePadded;
use slab::Slab;

use super::goroutine::{GMeta, GoroutineInfo, State, WaitKind};

/// A live goroutine's handle: dropping it cancels the goroutine.
pub(crate) type Handle = Task<(), GMeta>;

/// A runner takes finished goroutines off the list this many at a time.
const BATCH: usize = 64;

pub(crate) struct Registry {
    /// One slab per runner, and a last one for goroutines spawned elsewhere.
    shards: Vec<CachePadded<Mutex<Slab<Handle>>>>,
}

/// A runner's finished goroutines not yet taken off the list: `(shard, key, id)`.
#[derive(Default)]
pub(crate) struct Retired(RefCell<Vec<(u16, u32, u64)>>);

impl Registry {
    pub(crate) fn new(runners: usize) -> Registry {
        Registry {
            shards: (0..=runners)
                .map(|_| CachePadded::new(Mutex::new(Slab::new())))
                .collect(),
        }
    }

    /// The shard for goroutines spawned on runner `runner` (`None`: elsewhere).
    pub(crate) fn shard_for(&self, runner: Option<usize>) -> u16 {
        runner.unwrap_or(self.shards.len() - 1) as u16
    }

    /// Lists a goroutine (before it first runs, so it cannot finish unlisted).
    pub(crate) fn insert(&self, task: Handle) {
        let meta = task.metadata();
        let mut shard = self.shards[meta.shard as usize].lock().unwrap();
        let entry = shard.vacant_entry();
        meta.key.store(entry.key() as u32, Ordering::Relaxed);
        entry.insert(task);
    }

    /// Takes a finished goroutine off the list now; its handle is detached (the task frees
    /// itself when its last waker goes).
    pub(crate) fn remove(&self, meta: &GMeta) {
        self.remove_batch(&[(meta.shard, meta.key.load(Ordering::Relaxed), meta.id)]);
    }

    /// Takes a finished goroutine off the list with the runner's next batch.
    pub(crate) fn retire(&self, meta: &GMeta, retired: &Retired) {
        let mut r = retired.0.borrow_mut();
        r.push((meta.shard, meta.key.load(Ordering::Relaxed), meta.id));
        if r.len() >= BATCH {
            // In place: the list keeps its capacity (a spawn allocates once, this included).
            self.remove_batch(&r);
            r.clear();
        }
    }

    /// Takes a runner's retired goroutines off the list (before it parks, and when it stops).
    pub(crate) fn flush(&self, retired: &Retired) {
        let mut r = retired.0.borrow_mut();
        self.remove_batch(&r);
        r.clear();
    }

    fn remove_batch(&self, batch: &[(u16, u32, u64)]) {
        let mut i = 0;
        while i < batch.len() {
            let shard = batch[i].0;
            let mut slab = self.shards[shard as usize].lock().unwrap();
            while i < batch.len() && batch[i].0 == shard {
                let (_, key, id) = batch[i];
                // The id check: after a shutdown emptied the slab, the slot may hold another.
                if slab
                    .get(key as usize)
                    .is_some_and(|t| t.metadata().id == id)
                {
                    // Finished, so detaching runs no goroutine code: it only frees the task.
                    slab.remove(key as usize).detach();
                }
                i += 1;
            }
        }
    }

    /// Every live goroutine, sorted by id (object names not filled in).
    pub(crate) fn snapshot(&self, now_ns: u64) -> Vec<GoroutineInfo> {
        let mut out: Vec<GoroutineInfo> = Vec::new();
        for shard in &self.shards {
            let shard = shard.lock().unwrap();
            out.extend(shard.iter().filter_map(|(_, t)| {
                let m = t.metadata();
                let w = m.wait();
                let state = m.state();
                if state == State::Done {
                    return None; // finished, waiting for its batch
                }
                let blocked = state == State::Blocked;
                Some(GoroutineInfo {
                    id: m.id,
                    name: m.name,
                    state,
                    wait: if blocked { w.kind } else { WaitKind::None },
                    object: if blocked { w.object } else { 0 },
                    object_name: None,
                    for_ms: now_ns.saturating_sub(m.since_ns()) as f64 / 1e6,
                })
            }));
        }
        out.sort_by_key(|g| g.id);
        out
    }

    /// Cancels every goroutine still listed (shutdown).
    pub(crate) fn cancel_all(&self) {
        for shard in &self.shards {
            let tasks: Vec<Handle> = shard.lock().unwrap().drain().collect();
            drop(tasks); // outside the lock: a cancelled future may drop channels, WaitGroups…
        }
    }
}
