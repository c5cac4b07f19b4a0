// The Go each scenario follows and the Rust that ran it, written for this project (short
// versions; the full Rust is in src/scenario/). Keys are scenario ids.
export const SNIPPETS = {
  'unlimited': {
    go: `var wg sync.WaitGroup
for i := 1; i <= numTasks; i++ {
    wg.Add(1)
    go func(id int) {          // one goroutine per task
        defer wg.Done()
        time.Sleep(randomDuration())
    }(i)
}
wg.Wait()`,
    rust: `let wg = WaitGroup::named("wg");
for id in 1..=n {
    wg.add(1)?;
    let wg = wg.clone();
    go_named("task", async move {
        let _done = wg.defer_done();
        c.work(id).await   // time::sleep(random)
    });
}
wg.wait().await;`,
  },
  'fixed-pool': {
    go: `jobs := make(chan Job, 100)
results := make(chan Result, 100)
for w := 1; w <= 5; w++ {
    wg.Add(1)
    go worker(w, jobs, results, &wg) // for job := range jobs
}
go func() { for j := 1..n { jobs <- Job{j} }; close(jobs) }()
go func() { wg.Wait(); close(results) }()
for r := range results { count(r) }`,
    rust: `let jobs = Chan::new(100).named("jobs");
let results = Chan::new(100).named("results");
for w in 1..=workers {
    wg.add(1)?;
    go_named("worker", async move {
        let _done = wg.defer_done();
        while let Some(job) = jobs.recv().await {   // range jobs
            results.send(work(job).await).await?;
        }
    });
}
go(async move { /* send all */ jobs.close() });
go(async move { wg.wait().await; results.close() });`,
  },
  'context-pool': {
    go: `ctx, cancel := context.WithTimeout(bg, 10*time.Second)
defer cancel()
for {
    select {
    case <-ctx.Done(): return
    case task, ok := <-tasks:
        if !ok { return }
        results <- process(task) // 10% fail
    }
}`,
    rust: `let (ctx, _cancel) = context::with_timeout(&background(), 10s);
let pool = PoolBuilder::new().workers(3).queue(Bounded(10))
    .context(ctx).build(|t| async move { c.work(t.id).await })?;
// worker: select { ctx.done() => return, job = jobs.recv() => … }
if let Err(e) = pool.submit(task).await { /* "context canceled" */ }
pool.close();     // graceful: drain the queue
// or pool.cancel(): queued jobs end as Cancelled`,
  },
  'db-pool': {
    go: `available := make(chan *Conn, 3) // 3 connections
conn := <-available                // Acquire (waits when all 3 are out)
conn.Query(id)                     // 100ms + 10ms*id
available <- conn                  // Release`,
    rust: `let available: Chan<Conn> = Chan::new(3).named("available connections");
// 10 workers, each query:
let conn = available.recv().await?;     // Acquire
in_use.fetch_add(1);                    // charted as the in_use column
time::sleep(100ms + 10ms * id).await;   // the query
available.send(conn).await?;            // Release`,
  },
  'control-comparison': {
    go: `measure("without pool", func() {
    for i := 0; i < 1000; i++ { wg.Add(1); go func() { defer wg.Done(); doWork() }() }
    wg.Wait()
})
measure("with pool", func() {
    for w := 0; w < 10; w++ { go func() { for range jobs { doWork() } }() }
    ...
})`,
    rust: `measure("❌ WITHOUT WORKER POOL", async {
    for id in 0..n { wg.add(1)?; go(async move { do_work(1_000_000); wg.done() }) }
    wg.wait().await
}).await;
measure("✅ WITH WORKER POOL", async {
    for w in 1..=10 { go(async move { while let Some(_) = jobs.recv().await { do_work(1_000_000) } }) }
    ...
}).await;   // goroutines before → peak, heap TotalAlloc, time`,
  },
  'leak-unclosed-channel': {
    go: `jobs := make(chan int)
for w := 0; w < 5; w++ {
    go func() { for job := range jobs { process(job) } }()
}
for i := 0; i < 10; i++ { jobs <- i }
// ❌ no close(jobs): 5 workers wait forever
// ✅ close(jobs); wg.Wait()`,
    rust: `let jobs: Chan<u64> = Chan::new(0).named("jobs");
for w in 1..=5 {
    go_named("worker", async move {
        while let Some(job) = jobs.recv().await { process(job) }
    });
}
for i in 0..10 { jobs.send(i).await? }
// right: jobs.close()?; wg.wait().await;
// wrong: return — the runtime reports 5 goroutines [chan receive on jobs]`,
  },
  'send-on-closed': {
    go: `go func() { for i := range 5 { jobs <- i }; close(jobs) }()
time.Sleep(...)
jobs <- 999 // ❌ panic: send on closed channel
// ✅ one owner sends and closes, or a closer waits for all senders`,
    rust: `let r = recover(async {
    if let Err(e) = jobs.send(999).await {   // SendError: the value comes back
        panic!("{e}")                        // "send on closed channel", as Go
    }
}).await;                                   // Err("send on closed channel")`,
  },
  'deadlock-unbuffered': {
    go: `jobs, results := make(chan int), make(chan int) // unbuffered
// workers: for j := range jobs { results <- j * 2 }
for i := 0; i < 10; i++ { jobs <- i } // ❌ blocks: workers wait on results
for i := 0; i < 10; i++ { <-results }
// fatal error: all goroutines are asleep - deadlock!`,
    rust: `let jobs = Chan::new(0).named("jobs");
let results = Chan::new(0).named("results");
for i in 0..10 { jobs.send(i).await? }   // main: chan send on jobs
// workers: results.send(j * 2)          // chan send on results
// → RunError::Deadlock: every goroutine blocked, no timer, nothing outside`,
  },
  'waitgroup-misuse': {
    go: `go func() { wg.Add(1); defer wg.Done() }() // ❌ Add inside
go worker(i, wg)                            // ❌ passed by value
if id == 1 { return }; wg.Done()            // ❌ Done skipped
wg.Add(1); go func() { defer wg.Done() }()  // ✅`,
    rust: `// ✅ add before go, a guard that always calls Done:
wg.add(1)?;
go(async move { let _done = wg.defer_done(); /* early return is fine */ });
// ❌ by value does not compile in Rust (WaitGroup is not Copy);
//    emulated with wg.copy_by_value(): Done never reaches the original.`,
  },
  'best-practices': {
    go: `pool := NewBestPracticeWorkerPool(ctx, 5, 50) // context, buffered
defer recover()                               // panics → errors
ctx, cancel := context.WithTimeout(bp.ctx, 5*time.Second)
once.Do(func() { close(tasks); wg.Wait(); close(results) })
queued, _ := pool.Stats()                     // monitor queue depth`,
    rust: `let pool = PoolBuilder::new().workers(5).queue(Bounded(50))
    .task_timeout(5s).context(ctx)
    .build(|t| async move { /* task 7 panics, task 13 is slow */ })?;
// results: Outcome::{Success, Failed, Panicked, TimedOut, Cancelled}
pool.close(); pool.close();   // sync.Once: the second is a no-op
pool.metrics()                // pond: submitted, successful, failed, …`,
  },
  'sizing-sweep': {
    go: `for _, w := range []int{1, 2, 4, 8, 16, 32, 64} {
    measure(w, cpuBound)  // knee at runtime.NumCPU()
    measure(w, ioBound)   // Little's law: X = N / R
}`,
    rust: `for w in [1, 2, 4, 8, 16, 32, 64] {
    let cpu = measure(&c, w, true).await;   // do_work: stops scaling at GOMAXPROCS
    let io = measure(&c, w, false).await;   // sleeps: scale with workers
    let little = w as f64 / mean_service_s; // predicted I/O throughput
}`,
  },
};
