package main

import "testing"

// The test vectors of docs/workload.md, checked by the Rust tests too (src/workload.rs).
func TestSplitMix64ReferenceOutputs(t *testing.T) {
	r := NewTaskRng(0, 0)
	for i, want := range []uint64{0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F} {
		if got := r.Next(); got != want {
			t.Errorf("output %d from state 0: got %#x, want %#x", i, got, want)
		}
	}
	r = NewTaskRng(1, 1)
	if got := r.Next(); got != 0x96b2c0722ea312df {
		t.Errorf("TaskRng(1, 1).Next() = %#x, want 0x96b2c0722ea312df", got)
	}
}

func TestTaskDrawVectors(t *testing.T) {
	wantSleep := []uint64{39, 920, 920, 392, 72}
	for i, want := range wantSleep {
		if got := DrawTask(1, uint64(i+1), 1000, 0).SleepMs; got != want {
			t.Errorf("seed 1, task %d, sleep_max_ms 1000: sleep %d ms, want %d", i+1, got, want)
		}
	}
	wantFail := []bool{false, false, true, false, false, false, false, false, false, false}
	for i, want := range wantFail {
		if got := DrawTask(42, uint64(i+1), 500, 0.1).Failed; got != want {
			t.Errorf("seed 42, task %d, failure_rate 0.1: failed %v, want %v", i+1, got, want)
		}
	}
	r := NewTaskRng(9, 9)
	if r.Below(0) != 0 {
		t.Error("below(0) must be 0")
	}
	r = NewTaskRng(7, 3)
	if u := r.Unit(); u < 0 || u >= 1 {
		t.Errorf("unit() = %v, outside [0, 1)", u)
	}
}

// A failure rate does not change the sleeps: the sleep is drawn first, always.
func TestFailureRateDoesNotChangeSleeps(t *testing.T) {
	for id := uint64(1); id <= 100; id++ {
		if DrawTask(5, id, 1000, 0).SleepMs != DrawTask(5, id, 1000, 0.5).SleepMs {
			t.Fatalf("task %d: the sleep changed with the failure rate", id)
		}
	}
}
