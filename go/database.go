package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

func init() {
	register(&scenario{
		id:       "db-pool",
		defaults: []string{"tasks=20", "workers=10", "connections=3", "queue=50", "time_scale=10"},
		uses:     []string{"tasks", "workers", "connections", "queue", "seed", "time_scale", "mode"},
		variants: []*variant{
			{id: "pool", kind: "right", main: dbPool},
			{id: "without-pool", kind: "wrong", main: dbWithoutPool},
		},
	})
}

// snippet:start db-pool/pool
// snippet:start db-pool/without-pool
// DatabaseConnection is a simulated connection; a query takes 100 + 10·id ms.
type DatabaseConnection struct {
	id       int
	queryNum int
}

func (conn *DatabaseConnection) Query(r *Run, queryID int) error {
	conn.queryNum++
	r.sleep(ms(100 + 10*uint64(queryID)))
	return nil
}

// ConnectionPool hands out at most `size` connections; Acquire waits for a free one.
type ConnectionPool struct {
	available chan *DatabaseConnection
	inUse     int64 // connections in use now
	waiting   int64 // workers inside Acquire now
	r         *Run
}

func NewConnectionPool(r *Run, size int) *ConnectionPool {
	cp := &ConnectionPool{available: make(chan *DatabaseConnection, size), r: r}
	for i := 0; i < size; i++ {
		cp.available <- &DatabaseConnection{id: i + 1}
	}
	return cp
}

// Acquire waits for a connection or the context. The wait is measured here, in Acquire only,
// not while the query sat in the task queue.
func (cp *ConnectionPool) Acquire(ctx context.Context) (*DatabaseConnection, error) {
	asked := cp.r.nowMs()
	cp.r.maxNumber("max_waiting_for_connection", float64(atomic.AddInt64(&cp.waiting, 1)))
	defer atomic.AddInt64(&cp.waiting, -1)
	select {
	case conn := <-cp.available:
		cp.r.maxNumber("max_connections_in_use", float64(atomic.AddInt64(&cp.inUse, 1)))
		waited := cp.r.nowMs() - asked
		cp.r.addNumber("wait_for_connection_ms", waited)
		cp.r.maxNumber("max_wait_for_connection_ms", waited)
		return conn, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (cp *ConnectionPool) Release(conn *DatabaseConnection) {
	atomic.AddInt64(&cp.inUse, -1)
	cp.available <- conn
}

// QueryTask is a query, stamped with when it was submitted (runtime ms).
type QueryTask struct {
	ID        int
	Submitted float64
}

// dbWorker takes queries until the tasks channel is closed (or the context is cancelled).
func dbWorker(r *Run, id int, ctx context.Context, tasks <-chan QueryTask, connPool *ConnectionPool, results chan<- error, wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case task, ok := <-tasks:
			if !ok {
				return // shutting down
			}
			conn, err := connPool.Acquire(ctx)
			if err != nil {
				results <- fmt.Errorf("worker %d: failed to acquire connection: %w", id, err)
				continue
			}
			err = conn.Query(r, task.ID)
			connPool.Release(conn)
			r.done(outcomeOf(err), task.Submitted)
			results <- err
		}
	}
}

// runDBPool: `workers` workers share `connections` connections; a submitter sends the queries
// and closes.
func runDBPool(r *Run, connections int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	connPool := NewConnectionPool(r, connections)
	tasks := make(chan QueryTask, r.p.Queue)
	results := make(chan error, r.p.Queue)
	var wg sync.WaitGroup
	for i := 1; i <= int(r.p.Workers); i++ {
		wg.Add(1)
		go dbWorker(r, i, ctx, tasks, connPool, results, &wg)
		r.sample()
	}
	go func() { // the submitter, then Close(): close(tasks); wg.Wait(); close(results)
		for i := 1; i <= int(r.p.Tasks); i++ {
			tasks <- QueryTask{ID: i, Submitted: r.nowMs()}
			r.submitted(1)
		}
		close(tasks)
		wg.Wait()
		close(results)
	}()
	r.sample()
	errorCount := 0
	for err := range results {
		if err != nil {
			errorCount++
		}
	}
	r.number("connections", float64(connections))
	r.logf("All queries completed! Errors: %d. %d workers shared %d connections", errorCount, r.p.Workers, connections)
}

// snippet:end db-pool/without-pool
// snippet:end db-pool/pool

// snippet:start db-pool/pool
func dbPool(r *Run) {
	r.number("pool_limit", float64(r.p.Connections)) // the limit the page draws as the pool's
	runDBPool(r, int(r.p.Connections))
}

// snippet:end db-pool/pool

// snippet:start db-pool/without-pool
// Without the connection pool's limit: every worker has a connection of its own.
func dbWithoutPool(r *Run) { runDBPool(r, int(r.p.Workers)) }

// snippet:end db-pool/without-pool
