//! Pool bodies that need a fixed interleaving: deterministic mode (virtual time, seeded
//! scheduling), so a loaded machine cannot change what they see.

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use worker_pool_playground::{
    context::{self, ContextError},
    pool::{Pool, PoolBuilder, QueuePolicy, SubmitError},
    runtime::{recover, FindingKind, Runtime},
    time,
};

/// The queue-depth gauge never wraps below zero, whoever counts first.
///
/// With an unbuffered queue the submitter parks in its send; a worker takes the job from the
/// parked sender and counts it out of `waiting` before the submitter, woken but not yet run,
/// counts it in. The task reads the metrics in that instant. Before the fix `waiting` was
/// unsigned: it read 18,446,744,073,709,551,615 here (release), or the submitter's `+ 1`
/// overflowed and it panicked (debug), and the pool hung.
pub fn waiting_never_wraps(seeds: u64) {
    for seed in 0..seeds {
        let rt = Runtime::builder().deterministic(seed).build().unwrap();
        let seen = rt
            .block_on(async {
                type P = Pool<u64, (u64, u64)>;
                let slot: Arc<Mutex<Option<P>>> = Arc::default();
                let s = slot.clone();
                let pool = PoolBuilder::new()
                    .workers(2)
                    .queue(QueuePolicy::None)
                    .build(move |_t| {
                        let m = s.lock().unwrap().as_ref().map(Pool::metrics);
                        async move {
                            let m = m.expect("the pool is in the slot before any submit");
                            Ok::<_, String>((m.waiting, m.peak_waiting))
                        }
                    })
                    .unwrap();
                *slot.lock().unwrap() = Some(pool.clone());
                let results = pool.results();
                for i in 0..8 {
                    pool.submit(i).await.unwrap();
                }
                pool.close();
                let mut seen = vec![];
                while let Some(r) = results.recv().await {
                    seen.push(r.outcome);
                }
                let m = pool.metrics();
                slot.lock().unwrap().take(); // the task closure holds the slot: no cycle left
                (seen, m)
            })
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{:?}", rt.findings()));
        let (seen, m) = seen;
        let panics: Vec<_> = rt
            .findings()
            .into_iter()
            .filter(|f| f.kind == FindingKind::Panic)
            .collect();
        assert!(panics.is_empty(), "seed {seed}: {panics:?}");
        assert_eq!(
            (m.submitted, m.successful, m.waiting),
            (8, 8, 0),
            "seed {seed}"
        );
        for o in seen {
            let worker_pool_playground::pool::Outcome::Success((waiting, peak)) = o else {
                panic!("seed {seed}: {o:?}");
            };
            // An unbuffered queue holds no job; a job handed to a worker that has not run yet
            // still counts, so at most one per worker.
            assert!(
                waiting <= 2 && peak <= 2,
                "seed {seed}: waiting {waiting}, peak {peak}"
            );
        }
    }
}

/// A parent context's cancel reaches only the workers: each job still queued gets its one
/// outcome (cancelled), and nothing can enter the queue behind the drain. Before, the workers
/// returned and the queued jobs had no outcome at all.
pub fn parent_cancel_reports_queued_jobs() {
    super::on_virtual_time(8, || async {
        let (parent, cancel) = context::with_cancel(&context::background());
        let pool = PoolBuilder::new()
            .workers(2)
            .queue(QueuePolicy::Bounded(20))
            .context(parent)
            .build(|t| async move {
                time::sleep(Duration::from_millis(100)).await;
                Ok::<_, String>(t.data)
            })
            .unwrap();
        let results = pool.results();
        for i in 0..10u64 {
            pool.submit(i).await.unwrap();
        }
        time::sleep(Duration::from_millis(150)).await;
        cancel.cancel();
        assert!(matches!(
            pool.submit(99).await,
            Err(SubmitError::Context(99, ContextError::Canceled))
        ));
        let mut outcomes = BTreeMap::new();
        while let Some(r) = results.recv().await {
            *outcomes.entry(r.outcome.name()).or_insert(0) += 1;
        }
        pool.wait().await;
        let m = pool.metrics();
        // 2 done at 100 ms; 2 running at the cancel finish at 200 ms (the task ignores ctx);
        // the other 6 were queued.
        assert_eq!(
            (m.submitted, m.successful, m.cancelled),
            (10, 4, 6),
            "{m:?}"
        );
        assert_eq!(outcomes.values().sum::<u64>(), 10, "{outcomes:?}");
        assert_eq!(m.waiting, 0);
    });
}

/// Panics when the pool drops it: a value whose drop panics in the pool's own code.
#[derive(Debug)]
pub struct Bomb(pub Arc<AtomicBool>);

impl Drop for Bomb {
    fn drop(&mut self) {
        if self.0.load(Ordering::SeqCst) {
            panic!("bomb");
        }
    }
}

/// A panic in the pool's own goroutine, outside any task, is not a goroutine panic to record
/// and carry on from: the pool cancels itself and `wait` raises it in the caller. Here a result
/// the cancelled pool drops (nobody reads the unbuffered results) panics in its drop. Before,
/// the worker died, the runtime noted a panic, and `wait` returned as if all went well.
pub fn own_panic_reaches_wait() {
    let rt = Runtime::builder().deterministic(1).build().unwrap();
    let raised = rt
        .block_on(async {
            let armed = Arc::new(AtomicBool::new(true));
            let a = armed.clone();
            let pool = PoolBuilder::new()
                .workers(1)
                .results_capacity(0)
                .build(move |_t| {
                    let a = a.clone();
                    async move { Ok::<_, String>(Bomb(a)) }
                })
                .unwrap();
            pool.submit(1).await.unwrap();
            pool.submit(2).await.unwrap();
            time::sleep(Duration::from_millis(10)).await; // the worker waits to hand over job 1
            pool.cancel();
            let raised = recover(pool.wait()).await;
            let submit = recover(pool.submit(3)).await.map(|r| r.is_ok());
            armed.store(false, Ordering::SeqCst);
            (raised, submit, pool.metrics())
        })
        .unwrap();
    let (raised, submit, m) = raised;
    let msg = "worker pool: panic in worker 1, outside any task: bomb";
    assert_eq!(raised, Err(msg.to_string()), "wait raises the pool's panic");
    assert_eq!(submit, Err(msg.to_string()), "so does submit");
    assert_eq!((m.successful, m.cancelled), (1, 1), "{m:?}");
    let f = rt.findings();
    assert!(
        f.iter()
            .any(|f| f.kind == FindingKind::Panic && f.message.contains(msg)),
        "the runtime saw it too: {f:?}"
    );
}

/// A task closure that panics before it returns its future panicked in the task: the job ends
/// `Panicked` and the worker carries on. Before, the call ran outside `recover`: the worker
/// died and the job had no outcome.
pub fn closure_panic_is_the_tasks() {
    super::on_virtual_time(4, || async {
        let pool = PoolBuilder::new()
            .workers(1)
            .build(|t| {
                assert!(t.data != 1, "bad input {}", t.data);
                async move { Ok::<_, String>(t.data) }
            })
            .unwrap();
        let results = pool.results();
        for i in 0..3u64 {
            pool.submit(i).await.unwrap();
        }
        pool.close();
        let mut got = vec![];
        while let Some(r) = results.recv().await {
            got.push(r.outcome);
        }
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(
            got[1],
            worker_pool_playground::pool::Outcome::Panicked(
                "panic in worker 1: bad input 1".into()
            )
        );
        pool.wait().await;
    });
}
