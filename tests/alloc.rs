//! What the runtime allocates, counted by the crate's allocator. One test per file, so that no
//! other test allocates at the same time in this process.

use std::time::Duration;

use worker_pool_playground::{
    chan::{Chan, Select},
    metrics::alloc::heap,
    runtime::{go, Runtime},
    sync::WaitGroup,
};

/// Channel operations allocate nothing: a parked operation's record lives in the parked future.
/// And a spawn allocates once: the task, with the goroutine's record in it.
#[test]
fn channel_operations_and_spawns_allocate_at_most_once() {
    let rt = Runtime::builder().threads(1).build().unwrap();
    let (per_round_trip, per_select, per_spawn) = rt
        .block_on(async {
            // Unbuffered ping-pong: every send and receive parks or hands off.
            let (ping, pong): (Chan<u64>, Chan<u64>) = (Chan::new(0), Chan::new(0));
            let (p, q) = (ping.clone(), pong.clone());
            go(async move {
                while let Some(v) = p.recv().await {
                    q.send(v).await.unwrap();
                }
            });
            ping.send(0).await.unwrap(); // warm up
            pong.recv().await;
            let n = 10_000;
            let before = heap().allocations;
            for i in 0..n {
                ping.send(i).await.unwrap();
                pong.recv().await;
            }
            let per_round_trip = (heap().allocations - before) as f64 / n as f64;
            // A parked two-case select: its cases and its wait, nothing per channel operation.
            let before = heap().allocations;
            for i in 0..n {
                let mut sel = Select::new();
                let s = sel.send(&ping, i);
                sel.recv(&pong);
                sel.wait().await;
                sel.send_result(s).unwrap();
                pong.recv().await;
            }
            let per_select = (heap().allocations - before) as f64 / n as f64;
            ping.close().unwrap();
            // Spawn and finish.
            let wg = WaitGroup::new();
            let before = heap().allocations;
            for _ in 0..n {
                wg.add(1).unwrap();
                let wg = wg.clone();
                go(async move {
                    let _ = wg.done();
                });
            }
            wg.wait().await;
            let per_spawn = (heap().allocations - before) as f64 / n as f64;
            worker_pool_playground::time::sleep(Duration::from_millis(1)).await;
            (per_round_trip, per_select, per_spawn)
        })
        .unwrap();
    // Not quite zero: the runtime samples its series meanwhile (a row now and then). Parked
    // operations allocating their records would make it 4 per round trip.
    assert!(
        per_round_trip < 0.1,
        "{per_round_trip} allocations per round trip"
    );
    // The select: a Vec of cases, a box per case, a box for the wait.
    assert!(per_select <= 4.1, "{per_select} allocations per select");
    assert!(per_spawn <= 1.05, "{per_spawn} allocations per spawn");
}
