//! Property tests: random mixes of submit / close / cancel / panic / timeout on random pool
//! shapes. Every job ends in exactly one outcome, no goroutine is left behind, and the heap
//! returns to its baseline once the runtime is dropped.
//!
//! One test in this binary, so no other test thread allocates while the heap is compared.
//!
//! Native only: proptest is a native dev-dependency, and in the browser every test shares one
//! heap with the test harness, so a heap baseline means nothing there. The same pool bodies run
//! in Chromium through `tests/web.rs`.
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use proptest::prelude::*;
use worker_pool_playground::{
    metrics::alloc::heap,
    pool::{Outcome, PoolBuilder, QueuePolicy},
    runtime::{go, Runtime},
    time,
};

#[derive(Debug, Clone, Copy)]
enum Job {
    Ok,
    Err,
    Panic,
    Sleep(u64),
}

fn job() -> impl Strategy<Value = Job> {
    prop_oneof![
        4 => Just(Job::Ok),
        1 => Just(Job::Err),
        1 => Just(Job::Panic),
        3 => (0u64..40).prop_map(Job::Sleep),
    ]
}

fn policy() -> impl Strategy<Value = QueuePolicy> {
    prop_oneof![
        Just(QueuePolicy::None),
        (1usize..8).prop_map(QueuePolicy::Bounded),
        Just(QueuePolicy::Unbounded)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn every_job_is_accounted_for(
        threads in 1usize..3,
        workers in 1usize..6,
        queue in policy(),
        jobs in prop::collection::vec(job(), 0..40),
        cancel_after in prop::option::of(0usize..40),
        timeout_ms in prop::option::of(5u64..30),
    ) {
        let before = heap().live_bytes;
        {
            let rt = Runtime::builder().threads(threads).time_scale(20.0).build().unwrap();
            let n = jobs.len();
            let (results, m) = rt.block_on(async move {
                let mut b = PoolBuilder::new().workers(workers).queue(queue);
                if let Some(t) = timeout_ms {
                    b = b.task_timeout(Duration::from_millis(t));
                }
                let pool = b
                    .build(|t| async move {
                        match t.data {
                            Job::Ok => Ok(t.id),
                            Job::Err => Err("random processing error"),
                            Job::Panic => panic!("boom in {}", t.id),
                            Job::Sleep(ms) => {
                                time::sleep(Duration::from_millis(ms)).await;
                                Ok(t.id)
                            }
                        }
                    })
                    .unwrap();
                let res = pool.results();
                let p = pool.clone();
                go(async move {
                    for (i, j) in jobs.into_iter().enumerate() {
                        if cancel_after == Some(i) {
                            p.cancel();
                        }
                        if p.submit(j).await.is_err() {
                            continue; // stopped: not submitted, not counted
                        }
                    }
                    p.close();
                });
                let mut got = vec![];
                while let Some(r) = res.recv().await {
                    got.push(r.outcome.name());
                    if let Outcome::Panicked(m) = &r.outcome {
                        assert!(m.contains("boom in"), "{m}");
                    }
                }
                pool.wait().await;
                (got, pool.metrics())
            }).unwrap();
            prop_assert_eq!(m.submitted, m.successful + m.failed + m.timed_out + m.cancelled);
            prop_assert_eq!(results.len() as u64, m.submitted, "one result per submitted job");
            prop_assert!(m.submitted as usize <= n);
            if cancel_after.is_none() {
                prop_assert_eq!(m.submitted as usize, n);
            }
            prop_assert_eq!(m.waiting, 0);
            prop_assert_eq!(m.running_workers, 0);
            prop_assert_eq!(rt.settle(Duration::from_secs(2)), 0, "left behind: {:?}", rt.goroutines());
        }
        let after = heap().live_bytes;
        // 1 KiB of slack, as `stress` allows per run: about one case in 2,500 ends 404 or 660
        // bytes up, once, and never again (a lazy allocation on a path's first use; 10,000
        // stress runs end within 40 bytes of where they began). A leak per case passes this once
        // and fails `stress`'s check over its whole series.
        prop_assert!(after <= before + 1024, "heap {} -> {} bytes", before, after);
    }
}
