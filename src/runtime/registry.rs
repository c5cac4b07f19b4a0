//! The goroutine registry: every live goroutine's task handle, in slabs.
//!
//! `runtime.Stack(buf, true)` needs every goroutine, and shutdown must cancel the ones still
//! alive (dropping a task handle frees its future, and with it the channels it holds). A slab
//! reuses the slots of finished goroutines, so a spawn adds no allocation of its own: the task
//! (future, schedule function and `GMeta` in one block) is the only one.
//!
//! Each runner lists the goroutines it spawns in its own slab, under a lock only it takes
//! often, and it alone takes them off and frees their tasks. A runner that finishes another's
//! goroutine notes it, and hands its notes to the owner's inbox in batches of 64 (one lock per
//! batch); the owner empties its inbox when it next spawns or goes idle. So a task is freed on
//! the thread that allocated it, and the slab's slots are written by one thread. Before, the
//! finishing runner freed the task: glibc then frees into the allocating thread's arena under
//! that arena's lock, which the spawning thread takes at the same time to allocate, and the
//! slots the spawner reused had just been written by the other core. Measured on the spawn
//! bench (1M goroutines, two runners, load 7–8 from other builds, two sets of 15 and 20 runs
//! interleaved with the build before): fastest runs 233 and 244 ns per goroutine against 330
//! and 315, medians 525 and 492 against 556 and 507 (within the noise); callgrind counts 1.7 %
//! more instructions (the inbox).
//!
//! Tried and dropped (session 19, issue 9): freeing what the owner takes off one task per
//! spawn instead of 64 at once, so that glibc's per-thread cache (7 blocks a size) serves every
//! next allocation. Callgrind counted 12 % fewer instructions on the spawn bench (1,458–1,506 a
//! goroutine against 1,674–1,714; allocations missing the cache 254,000–438,000 of 1M against
//! 1M), but natively it was slower: 12 runs each interleaved at load 5.5–6.2, median 374 ns a
//! goroutine against main's 214 (and 292 with a backlog kept under 64); why was not found.
//!
//! A goroutine that finished on another runner is freed here with one load of its task's state,
//! not async-task's three compare-and-swaps on the line the finishing runner just wrote (a
//! patched copy, `vendor/async-task`; why and what it measured: `[patch.crates-io]` in
//! `Cargo.toml`). One that finishes on its own runner is taken off inside its last poll, while
//! its task is still running, and goes through async-task's usual path.
//!
//! Goroutines spawned outside the runners (main, from the driver) have no owner runner: the
//! finishing runner takes those off itself, in batches. Finished goroutines waiting to be taken
//! off are skipped in listings.

use std::{
    cell::RefCell,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Mutex,
    },
};

use async_task::Task;
use crossbeam_utils::CachePadded;
use slab::Slab;

use super::goroutine::{GMeta, GoroutineInfo, State, WaitKind};
use crate::primitives::SpinLock;

/// A live goroutine's handle: dropping it cancels the goroutine.
pub(crate) type Handle = Task<(), GMeta>;

/// A runner takes other runners' finished goroutines off this many at a time.
const BATCH: usize = 64;

struct Shard {
    /// Behind a spin lock: its owner takes it at every spawn, others only to list or cancel
    /// goroutines, rarely, so it is almost never contended (on the spawn bench a mutex's two
    /// locked instructions were a fifth of the spawning runner's samples in `perf`, issue 9).
    slab: SpinLock<Slab<Handle>>,
    /// Goroutines of this shard that finished on other runners, `(key, id)`, for the owner to
    /// take off.
    inbox: Mutex<Vec<(u32, u64)>>,
    /// `inbox.len()`, readable without the lock.
    pending: AtomicUsize,
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
                        slab: SpinLock::new(Slab::new()),
                        inbox: Mutex::new(Vec::new()),
                        pending: AtomicUsize::new(0),
                    })
                })
                .collect(),
        }
    }

    /// The shard for goroutines spawned on runner `runner` (`None`: elsewhere).
    pub(crate) fn shard_for(&self, runner: Option<usize>) -> u16 {
        runner.unwrap_or(self.shards.len() - 1) as u16
    }

    /// Lists a goroutine (before it first runs, so it cannot finish unlisted). On its owner's
    /// runner, first takes off what other runners finished of this shard (see the module doc).
    pub(crate) fn insert(&self, task: Handle) {
        let shard = &self.shards[task.metadata().shard as usize];
        // Out of line: most spawns find the inbox empty, and took it, looked for keys to
        // remove and gave it back all the same (about 40 instructions a spawn, callgrind).
        if shard.pending.load(Ordering::Acquire) != 0 {
            self.take_off_inbox(shard);
        }
        let mut slab = shard.slab.lock();
        let entry = slab.vacant_entry();
        task.metadata()
            .key
            .store(entry.key() as u32, Ordering::Relaxed);
        entry.insert(task);
    }

    /// Takes off (and frees) what other runners handed to `shard`.
    #[cold]
    #[inline(never)]
    fn take_off_inbox(&self, shard: &Shard) {
        let mut done = self.take_inbox(shard);
        let mut slab = shard.slab.lock();
        let taken = remove_all(&mut slab, &mut done);
        drop(slab);
        self.return_inbox(shard, done);
        detach_all(taken);
    }

    /// The shard's inbox, if anything is in it (emptied).
    #[inline]
    fn take_inbox(&self, shard: &Shard) -> Vec<(u32, u64)> {
        if shard.pending.load(Ordering::Acquire) == 0 {
            return Vec::new();
        }
        let mut inbox = shard.inbox.lock().unwrap();
        shard.pending.store(0, Ordering::Release);
        std::mem::take(&mut *inbox)
    }

    /// Gives an emptied inbox vector back, so that handing over a batch does not allocate.
    fn return_inbox(&self, shard: &Shard, done: Vec<(u32, u64)>) {
        if done.capacity() == 0 {
            return;
        }
        let mut inbox = shard.inbox.lock().unwrap();
        if inbox.capacity() == 0 {
            *inbox = done;
        }
    }

    /// Takes a finished goroutine off the list now.
    pub(crate) fn remove(&self, meta: &GMeta) {
        let mut slab = self.shards[meta.shard as usize].slab.lock();
        let own = remove_key(&mut slab, meta.key.load(Ordering::Relaxed), meta.id);
        drop(slab);
        if let Some(t) = own {
            t.detach(); // finished: this runs no goroutine code, it only frees the task
        }
    }

    /// A goroutine finished on runner `me`: its own are taken off at once (its lock is
    /// uncontended); others' are noted, and handed to their owner in batches of 64.
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
            self.hand_over(s, &mut r[s]);
        }
    }

    /// Hands finished goroutines of shard `s` to its owner (or, for the shard of goroutines
    /// spawned outside the runners, which has none, takes them off here).
    fn hand_over(&self, s: usize, keys: &mut Vec<(u32, u64)>) {
        let shard = &self.shards[s];
        if s == self.shards.len() - 1 {
            let mut slab = shard.slab.lock();
            let taken = remove_all(&mut slab, keys);
            drop(slab);
            return detach_all(taken);
        }
        let mut inbox = shard.inbox.lock().unwrap();
        if inbox.is_empty() {
            std::mem::swap(&mut *inbox, keys);
        } else {
            inbox.append(keys);
        }
        shard.pending.store(inbox.len(), Ordering::Release);
    }

    /// Runner `me` going to sleep or stopping: hands over everything it noted, and takes off
    /// what others handed to it (a listing or a deadlock report must not wait for a batch, and
    /// the tasks should not wait long to be freed).
    pub(crate) fn flush(&self, me: usize, retired: &Retired) {
        let mut r = retired.0.borrow_mut();
        for (s, keys) in r.iter_mut().enumerate() {
            if !keys.is_empty() {
                self.hand_over(s, keys);
            }
        }
        drop(r);
        let shard = &self.shards[me];
        if shard.pending.load(Ordering::Acquire) != 0 {
            self.take_off_inbox(shard);
        }
    }

    /// Every live goroutine, sorted by id (object names not filled in).
    pub(crate) fn snapshot(&self, now_ns: u64) -> Vec<GoroutineInfo> {
        let mut out: Vec<GoroutineInfo> = Vec::new();
        for shard in &self.shards {
            let slab = shard.slab.lock();
            out.extend(slab.iter().filter_map(|(_, t)| {
                let m = t.metadata();
                // The state first: `park_in_poll` writes the wait before the state, so a
                // `Blocked` read here comes with its wait.
                let state = m.state();
                let w = m.wait();
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
            let tasks: Vec<Handle> = shard.slab.lock().drain().collect();
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

/// Removes every `(key, id)` of `keys` (emptied) that is still there; returns the handles.
fn remove_all(slab: &mut Slab<Handle>, keys: &mut Vec<(u32, u64)>) -> Vec<Handle> {
    if keys.is_empty() {
        return Vec::new();
    }
    let taken = keys
        .iter()
        .filter_map(|&(key, id)| remove_key(slab, key, id))
        .collect();
    keys.clear();
    taken
}

/// Frees finished goroutines' tasks (outside the lock: freeing 64 takes a while).
///
/// Only on a runner thread: their blocks are kept for its next spawns (see
/// `metrics::alloc::goroutine_blocks`).
fn detach_all(tasks: Vec<Handle>) {
    crate::metrics::alloc::goroutine_blocks(|| {
        // Finished, so detaching runs no goroutine code, and frees nothing but the task.
        for t in tasks {
            t.detach();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::goroutine::GMeta;

    impl Registry {
        /// Goroutines listed, finished or not.
        fn listed(&self) -> usize {
            self.shards.iter().map(|s| s.slab.lock().len()).sum()
        }
    }

    /// A finished goroutine of shard `shard`, listed; returns its record.
    fn finished(reg: &Registry, id: u64, shard: u16) -> *const GMeta {
        let (r, t) = async_task::Builder::new()
            .metadata(GMeta::new(id, "t", shard, 0))
            .spawn(|_| async {}, |_r| {});
        let meta: *const GMeta = t.metadata();
        reg.insert(t);
        r.run();
        meta
    }

    /// Runner 1 finishes runner 0's goroutines: it only notes them and hands them over; runner
    /// 0 takes them off (and frees them) when it goes idle, or when it next spawns.
    #[test]
    fn only_the_spawning_runner_takes_its_goroutines_off() {
        let reg = Registry::new(2);
        let (r0, r1) = (Retired::default(), Retired::default());
        let n = 100;
        let metas: Vec<_> = (1..=n).map(|id| finished(&reg, id, 0)).collect();
        for &m in &metas {
            // SAFETY: listed, so alive until taken off, which only runner 0 does.
            reg.retire(1, unsafe { &*m }, &r1);
        }
        assert_eq!(
            reg.listed(),
            n as usize,
            "runner 1 freed runner 0's goroutines"
        );
        reg.flush(1, &r1); // runner 1 goes idle: hands over the rest of its notes
        assert_eq!(reg.listed(), n as usize);
        reg.flush(0, &r0); // runner 0 goes idle: takes them off
        assert_eq!(reg.listed(), 0, "runner 0 kept finished goroutines");

        let metas: Vec<_> = (n + 1..=n + 64).map(|id| finished(&reg, id, 0)).collect();
        for &m in &metas {
            // SAFETY: as above.
            reg.retire(1, unsafe { &*m }, &r1);
        }
        assert_eq!(reg.listed(), 64);
        finished(&reg, 1000, 0); // runner 0 spawns: takes the handed-over batch off first
        assert_eq!(reg.listed(), 1, "a spawn left the inbox full");
    }
}
