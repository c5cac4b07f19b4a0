//! The goroutine registry: every live goroutine's task handle, in slabs.
//!
//! `runtime.Stack(buf, true)` needs every goroutine, and shutdown must cancel the ones still
//! alive (dropping a task handle frees its future, and with it the channels it holds). A slab
//! reuses the slots of finished goroutines, so a spawn adds no allocation of its own: the task
//! (future, schedule function and `GMeta` in one block) is the only one. The slabs are sharded
//! by goroutine id, so the thread that spawns and the thread that finishes rarely meet on a lock.

use std::sync::Mutex;

use async_task::Task;
use crossbeam_utils::CachePadded;
use slab::Slab;

use super::goroutine::{GMeta, GoroutineInfo, State, WaitKind};

/// A live goroutine's handle: dropping it cancels the goroutine.
pub(crate) type Handle = Task<(), GMeta>;

const SHARDS: usize = 16;

pub(crate) struct Registry {
    shards: Vec<CachePadded<Mutex<Slab<Handle>>>>,
}

impl Registry {
    pub(crate) fn new() -> Registry {
        Registry {
            shards: (0..SHARDS)
                .map(|_| CachePadded::new(Mutex::new(Slab::new())))
                .collect(),
        }
    }

    /// The shard for goroutine `id`.
    pub(crate) fn shard_of(id: u64) -> u8 {
        (id % SHARDS as u64) as u8
    }

    /// Lists a goroutine (before it first runs, so it cannot finish unlisted).
    pub(crate) fn insert(&self, task: Handle) {
        let meta = task.metadata();
        let mut shard = self.shards[meta.shard as usize].lock().unwrap();
        let entry = shard.vacant_entry();
        meta.key
            .store(entry.key() as u32, std::sync::atomic::Ordering::Relaxed);
        entry.insert(task);
    }

    /// Takes a finished goroutine off the list; its handle is detached (the task frees itself
    /// when its last waker goes).
    pub(crate) fn remove(&self, meta: &GMeta) {
        let key = meta.key.load(std::sync::atomic::Ordering::Relaxed) as usize;
        let task = self.shards[meta.shard as usize]
            .lock()
            .unwrap()
            .try_remove(key);
        if let Some(task) = task {
            task.detach();
        }
    }

    /// Every live goroutine, sorted by id (object names not filled in).
    pub(crate) fn snapshot(&self, now_ns: u64) -> Vec<GoroutineInfo> {
        let mut out: Vec<GoroutineInfo> = Vec::new();
        for shard in &self.shards {
            let shard = shard.lock().unwrap();
            out.extend(shard.iter().map(|(_, t)| {
                let m = t.metadata();
                let w = m.wait();
                let state = m.state();
                let blocked = state == State::Blocked;
                GoroutineInfo {
                    id: m.id,
                    name: m.name,
                    state,
                    wait: if blocked { w.kind } else { WaitKind::None },
                    object: if blocked { w.object } else { 0 },
                    object_name: None,
                    for_ms: now_ns.saturating_sub(m.since_ns()) as f64 / 1e6,
                }
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
