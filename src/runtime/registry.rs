//! The goroutine registry: every live goroutine's task handle, in slabs.
//!
//! `runtime.Stack(buf, true)` needs every goroutine, and shutdown must cancel the ones still
//! alive (dropping a task handle frees its future, and with it the channels it holds). A slab
//! reuses the slots of finished goroutines, so a spawn adds no allocation of its own: the task
//! (future, schedule function and `GMeta` in one block) is the only one.
//!
//! Each runner lists the goroutines it spawns in its own slab, under a lock only it takes
//! often. A runner that finishes another's goroutines takes them off in batches of 64: one
//! lock of the owner's shard per batch, and the tasks are freed after the lock is released, so
//! the spawning runner (often the busiest) neither waits nor frees them. Taking another
//! runner's lock per goroutine cost as much as the rest of a spawn. Finished goroutines waiting
//! for their batch are skipped in listings.

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

/// A runner takes other runners' finished goroutines off this many at a time.
const BATCH: usize = 64;

struct Shard {
    slab: Mutex<Slab<Handle>>,
}

pub(crate) struct Registry {
    /// One shard per runner, and a last one for goroutines spawned elsewhere.
    shards: Vec<CachePadded<Shard>>,
}

/// A runner's finished goroutines of other runners, not yet taken off, by shard.
#[derive(Default)]
pub(crate) struct Retired(RefCell<Vec<Vec<(u32, u64)>>>);

impl Registry {
    pub(crate) fn new(runners: usize) -> Registry {
        Registry {
            shards: (0..=runners)
                .map(|_| {
                    CachePadded::new(Shard {
                        slab: Mutex::new(Slab::new()),
                    })
                })
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
        let mut slab = self.shards[meta.shard as usize].slab.lock().unwrap();
        let entry = slab.vacant_entry();
        meta.key.store(entry.key() as u32, Ordering::Relaxed);
        entry.insert(task);
    }

    /// Takes a finished goroutine off the list now.
    pub(crate) fn remove(&self, meta: &GMeta) {
        let mut slab = self.shards[meta.shard as usize].slab.lock().unwrap();
        let own = remove_key(&mut slab, meta.key.load(Ordering::Relaxed), meta.id);
        drop(slab);
        if let Some(t) = own {
            t.detach(); // finished: this runs no goroutine code, it only frees the task
        }
    }

    /// A goroutine finished on runner `me`: its own are taken off at once (its lock is
    /// uncontended); others' are taken off in batches of 64 (one lock of the owner's shard per
    /// batch, the tasks freed here after the lock is released, off the spawner's path).
    pub(crate) fn retire(&self, me: usize, meta: &GMeta, retired: &Retired) {
        let s = meta.shard as usize;
        if s == me {
            return self.remove(meta);
        }
        let mut r = retired.0.borrow_mut();
        if r.len() < self.shards.len() {
            r.resize_with(self.shards.len(), Vec::new);
        }
        r[s].push((meta.key.load(Ordering::Relaxed), meta.id));
        if r[s].len() >= BATCH {
            let mut slab = self.shards[s].slab.lock().unwrap();
            let mut taken = Vec::with_capacity(BATCH);
            for &(key, id) in &r[s] {
                taken.extend(remove_key(&mut slab, key, id));
            }
            drop(slab);
            r[s].clear();
            detach_all(taken);
        }
    }

    /// Takes off everything a runner retired (going to sleep, or stopping: a listing or a
    /// deadlock report must not wait for its next batch).
    pub(crate) fn flush(&self, retired: &Retired) {
        let mut r = retired.0.borrow_mut();
        for (s, keys) in r.iter_mut().enumerate() {
            if keys.is_empty() {
                continue;
            }
            let mut slab = self.shards[s].slab.lock().unwrap();
            let taken: Vec<Handle> = keys
                .drain(..)
                .filter_map(|(key, id)| remove_key(&mut slab, key, id))
                .collect();
            drop(slab);
            detach_all(taken);
        }
    }

    /// Every live goroutine, sorted by id (object names not filled in).
    pub(crate) fn snapshot(&self, now_ns: u64) -> Vec<GoroutineInfo> {
        let mut out: Vec<GoroutineInfo> = Vec::new();
        for shard in &self.shards {
            let slab = shard.slab.lock().unwrap();
            out.extend(slab.iter().filter_map(|(_, t)| {
                let m = t.metadata();
                let w = m.wait();
                let state = m.state();
                if state == State::Done {
                    return None; // finished, waiting to be taken off
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
            let tasks: Vec<Handle> = shard.slab.lock().unwrap().drain().collect();
            drop(tasks); // outside the lock: a cancelled future may drop channels, WaitGroups…
        }
    }
}

/// Removes `key` if it still holds goroutine `id` (after a shutdown emptied the slab, the slot
/// may hold another).
fn remove_key(slab: &mut Slab<Handle>, key: u32, id: u64) -> Option<Handle> {
    slab.get(key as usize)
        .is_some_and(|t| t.metadata().id == id)
        .then(|| slab.remove(key as usize))
}

/// Frees finished goroutines' tasks (outside the lock: freeing 64 takes a while).
fn detach_all(tasks: Vec<Handle>) {
    // Finished, so detaching runs no goroutine code.
    for t in tasks {
        t.detach();
    }
}
