//! The guide's real-world example: 10 workers share 3 database connections.

use std::{sync::Arc, time::Duration};

use serde_json::json;

use super::{now_ms, v, Ctx, Report, Spec};
use crate::{
    chan::Chan,
    runtime::{gauge, go_named},
    sync::WaitGroup,
    time,
};

pub(super) fn spec() -> Spec {
    Spec {
        id: "db-pool",
        section: "Real-World Example: Database Operations",
        title: "The database connection pool",
        shows: "10 workers, 3 connections: never more than 3 queries in flight, the rest wait",
        variants: vec![
            v("pool", "✅ 10 workers share 3 connections", false),
            v(
                "without-pool",
                "❌ every worker opens its own connection",
                true,
            ),
        ],
        defaults: json!({"tasks": 20, "workers": 10, "connections": 3, "queue": 50, "seed": 1, "time_scale": 10}),
        uses: vec![
            "tasks",
            "workers",
            "connections",
            "queue",
            "seed",
            "time_scale",
            "mode",
        ],
        main: |c| Box::pin(db_pool(c)),
        lesson,
        peak: |p| p.workers + 3,
    }
}

/// A connection: its id and how many queries it ran.
#[derive(Debug)]
struct Conn {
    id: u64,
    queries: u64,
}

async fn db_pool(c: Arc<Ctx>) {
    let p = &c.p;
    let conns = if c.variant == "pool" {
        p.connections
    } else {
        p.workers
    };
    c.rec.log(format!(
        "🗄️  Scenario: {} workers sharing {conns} database connections",
        p.workers
    ));
    // The connection pool is a buffered channel of connections, as in the guide: Acquire is a
    // receive, Release a send.
    let available: Chan<Conn> = Chan::new(conns as usize).named("available connections");
    for id in 1..=conns {
        available
            .try_send(Conn { id, queries: 0 })
            .expect("room for every connection");
    }
    let (in_use, waiting) = (gauge("in_use"), gauge("waiting_for_conn"));
    let tasks: Chan<u64> = Chan::new(p.queue as usize).named("tasks");
    let wg = WaitGroup::named("wg");
    for w in 1..=p.workers {
        wg.add(1).expect("counting up");
        let (c, tasks, available, wg, in_use, waiting) = (
            c.clone(),
            tasks.clone(),
            available.clone(),
            wg.clone(),
            in_use.clone(),
            waiting.clone(),
        );
        go_named("worker", async move {
            let _done = wg.defer_done();
            while let Some(q) = tasks.recv().await {
                let queued = (q & 0xffff_ffff) as f64;
                let id = q >> 32;
                waiting.add(1);
                let mut conn = available.recv().await.expect("the pool stays open");
                waiting.add(-1);
                let now = in_use.add(1);
                c.rec.number_max("max_in_use", now as f64);
                conn.queries += 1;
                c.rec.log(format!(
                    "Worker {w}: acquired DB connection {} for query {id}",
                    conn.id
                ));
                let start = now_ms();
                c.rec.number("wait_for_conn_ms", start - queued);
                // The guide's query: 100 ms + 10 ms per query id.
                time::sleep(Duration::from_millis(100 + id * 10)).await;
                in_use.add(-1);
                c.rec.task(w, id, queued, start, now_ms(), "success");
                available
                    .send(conn)
                    .await
                    .expect("room: this connection came from here");
            }
        });
    }
    c.rec.submitted(p.tasks);
    for id in 1..=p.tasks {
        tasks
            .send(id << 32 | (now_ms() as u64 & 0xffff_ffff))
            .await
            .expect("open");
    }
    tasks.close().expect("closed once");
    wg.wait().await;
    let mut conns_back = vec![];
    while let Ok(conn) = available.try_recv() {
        conns_back.push(conn);
    }
    conns_back.sort_by_key(|c| c.id);
    let per_conn = conns_back
        .iter()
        .map(|c| vec![format!("connection {}", c.id), c.queries.to_string()])
        .collect();
    c.rec.table(
        "Queries per connection",
        &["connection", "queries"],
        per_conn,
    );
    c.rec.log(format!(
        "✅ All queries completed using {conns} connections"
    ));
}

fn lesson(r: &Report) -> String {
    let max = r.number("max_in_use");
    let waited = r.number("wait_for_conn_ms") / r.tasks.submitted.max(1) as f64;
    if r.variant == "pool" {
        format!(
            "{} workers ran {} queries over {} connections: connections in use never went above {:.0} (checked at every query, and at every one of the {} samples of the chart), and workers waited {:.0} ms on average for a free connection instead of opening another. Without a pool the same workers would need {} connections — or the queries would run one at a time.",
            r.params.workers,
            r.tasks.submitted,
            r.params.connections,
            max,
            r.series.len(),
            waited,
            r.params.workers
        )
    } else {
        format!(
            "With a connection per worker, {:.0} connections were in use at once and nobody waited ({:.0} ms on average), and the run took {:.0} ms of runtime. That is the cost the pool avoids: a database that allows {} connections would have refused the rest.",
            max, waited, r.runtime_ms, r.params.connections
        )
    }
}
