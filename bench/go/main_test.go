package main

import (
	"testing"
	"time"
)

// The warm-up is a time, as the Rust suite's (`a_warm_up_lasts_its_time` in tests/bench.rs):
// a run shorter than it is repeated until it has passed.
func TestWarmUpLastsItsTime(t *testing.T) {
	const d = 40 * time.Millisecond
	runs := 0
	start := time.Now()
	warmUp(d, func() { runs++; time.Sleep(5 * time.Millisecond) })
	if took := time.Since(start); took < d || runs < 2 {
		t.Fatalf("warm-up ended after %v and %d runs, want at least %v", took, runs, d)
	}
}

// A run longer than the warm-up runs once, and the warm-up never skips its run.
func TestWarmUpRunsOnceAtLeast(t *testing.T) {
	runs := 0
	warmUp(0, func() { runs++ })
	if runs != 1 {
		t.Fatalf("%d runs, want 1", runs)
	}
}

// Each figure at a small size is a positive number under 10^9 ns or bytes (a figure in the wrong unit,
// or a run that lost its goroutines, which would hang until `go test -timeout` ends it).
func TestFiguresAtSmallSizes(t *testing.T) {
	for name, v := range map[string]float64{
		"spawn_ns_per_goroutine":      spawnNs(1000),
		"bytes_per_blocked_goroutine": bytesPerBlocked(10000),
		"chan_pingpong_ns":            pingPongNs(1000),
		"pool_dispatch_ns_per_job":    dispatchNs(1000, 2),
	} {
		if !(v > 0) || v > 1e9 {
			t.Errorf("%s = %v, want a positive figure", name, v)
		}
	}
}
