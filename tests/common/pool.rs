//! Pool bodies that need a fixed interleaving: deterministic mode (virtual time, seeded
//! scheduling), so a loaded machine cannot change what they see.

use std::sync::{Arc, Mutex};

use worker_pool_playground::{
    pool::{Pool, PoolBuilder, QueuePolicy},
    runtime::{FindingKind, Runtime},
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
