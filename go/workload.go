package main

import (
	"errors"
	"time"
)

// TaskRng is the workload generator shared with the Rust engine (docs/workload.md): SplitMix64
// seeded from the run's seed and the task id, so the same seed gives every task the same sleep
// and the same failure in both languages, whatever goroutine or thread runs it.
type TaskRng struct{ state uint64 }

// NewTaskRng starts task id's generator: state = seed ^ (id * 0xD6E8FEB86659FD93).
func NewTaskRng(seed, taskID uint64) TaskRng {
	return TaskRng{state: seed ^ (taskID * 0xD6E8FEB86659FD93)}
}

// Next is one SplitMix64 step (all arithmetic wraps, as uint64 does in Go).
func (r *TaskRng) Next() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// Below is a number in [0, n), or 0 when n is 0.
func (r *TaskRng) Below(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	return r.Next() % n
}

// Unit is a float in [0, 1) from the top 53 bits.
func (r *TaskRng) Unit() float64 {
	return float64(r.Next()>>11) / (1 << 53)
}

// TaskDraw is what the generator decides for one task, drawn in the documented order.
type TaskDraw struct {
	SleepMs uint64
	Failed  bool
}

// DrawTask draws task id's sleep (below sleep_max_ms) and then whether it fails.
func DrawTask(seed, id, sleepMaxMs uint64, failureRate float64) TaskDraw {
	r := NewTaskRng(seed, id)
	sleep := r.Below(sleepMaxMs)
	return TaskDraw{SleepMs: sleep, Failed: r.Unit() < failureRate}
}

// errProcessing is the guide's "random processing error".
var errProcessing = errors.New("random processing error")

// doWork is the guide's CPU-bound task: the sum of 0..iterations-1. The result is kept in a
// package variable so the compiler cannot drop the loop.
func doWork(iterations uint64) uint64 {
	sum := uint64(0)
	for i := uint64(0); i < iterations; i++ {
		sum += i
	}
	workSink += sum
	return sum
}

var workSink uint64

// work runs task id as the parameters say (a sleep, doWork, or half of each) and fails it when
// the generator says so. It is the body every pool program calls for a task.
func (r *Run) work(id int) error {
	t := DrawTask(r.p.Seed, uint64(id), r.p.SleepMaxMs, r.p.FailureRate)
	switch r.p.Workload {
	case "cpu":
		doWork(r.p.WorkIterations)
	case "mixed":
		doWork(r.p.WorkIterations / 2)
		r.sleep(time.Duration(t.SleepMs/2) * time.Millisecond)
	default:
		r.sleep(time.Duration(t.SleepMs) * time.Millisecond)
	}
	if t.Failed {
		return errProcessing
	}
	return nil
}
