package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
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

// snippet:end db-pool/without-pool

// ConnectionPool hands out at most `size` connections; Acquire waits for a free one.
type ConnectionPool struct {
	available chan *DatabaseConnection
	inUse     int64 // gauge: connections_in_use
	waiting   int64 // gauge: waiting_for_connection
	r         *Run
}

func NewConnectionPool(r *Run, size int) *ConnectionPool {
	cp := &ConnectionPool{available: make(chan *DatabaseConnection, size), r: r}
	for i := 0; i < size; i++ {
		cp.available <- &DatabaseConnection{id: i + 1}
	}
	return cp
}

// Acquire waits for a connection (or the context); how long it waited is measured here only,
// not the time the query sat in the task queue.
func (cp *ConnectionPool) Acquire(ctx context.Context) (*DatabaseConnection, error) {
	start := time.Now()
	cp.r.maxNumber("max_waiting_for_connection", float64(atomic.AddInt64(&cp.waiting, 1)))
	defer atomic.AddInt64(&cp.waiting, -1)
	select {
	case conn := <-cp.available:
		cp.r.maxNumber("max_connections_in_use", float64(atomic.AddInt64(&cp.inUse, 1)))
		cp.r.maxNumber("max_wait_for_connection_ms", float64(time.Since(start))/1e6*cp.r.p.TimeScale)
		return conn, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (cp *ConnectionPool) Release(conn *DatabaseConnection) {
	atomic.AddInt64(&cp.inUse, -1)
	cp.available <- conn
}

type QueryTask struct {
	ID        int
	Submitted float64
}

// dbPool: `workers` workers share `connections` connections.
func dbPool(r *Run) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	connPool := NewConnectionPool(r, int(r.p.Connections))
	tasks := make(chan QueryTask, r.p.Queue)
	results := make(chan error, r.p.Queue)
	var wg sync.WaitGroup
	for i := 1; i <= int(r.p.Workers); i++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			for task := range tasks {
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
		}(i)
		r.sample()
	}
	go func() { // the submitter
		for i := 1; i <= int(r.p.Tasks); i++ {
			r.submitted(1)
			tasks <- QueryTask{ID: i, Submitted: r.nowMs()}
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
	r.logf("All queries completed! Errors: %d", errorCount)
}

// snippet:end db-pool/pool

// snippet:start db-pool/without-pool
// dbWithoutPool: a goroutine and a connection per query, nothing shared or limited.
func dbWithoutPool(r *Run) {
	var wg sync.WaitGroup
	var open int64
	for i := 1; i <= int(r.p.Tasks); i++ {
		wg.Add(1)
		r.submitted(1)
		submitted := r.nowMs()
		go func(id int) {
			defer wg.Done()
			conn := &DatabaseConnection{id: id} // a new connection for every query
			r.maxNumber("max_connections_in_use", float64(atomic.AddInt64(&open, 1)))
			err := conn.Query(r, id)
			atomic.AddInt64(&open, -1)
			r.done(outcomeOf(err), submitted)
		}(i)
		r.sample()
	}
	wg.Wait()
}

// snippet:end db-pool/without-pool
