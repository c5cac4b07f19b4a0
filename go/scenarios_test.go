package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// TestMain lets the test binary be its own child process, as the go binary is for variants
// that crash (runChild re-executes os.Executable()).
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(cli(os.Args[1:]))
	}
	os.Exit(m.Run())
}

func run(t *testing.T, args ...string) *Report {
	t.Helper()
	_, rep, err := execute(args)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return rep
}

func findings(r *Report) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.Kind+": "+f.Message)
	}
	return strings.Join(s, "; ")
}

func expect(t *testing.T, r *Report, what string, got, want any) {
	t.Helper()
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s/%s: %s = %v, want %v (findings: %s)", r.Scenario, r.Variant, what, got, want, findings(r))
	}
}

func TestUnlimitedPeakIsEveryTaskAtOnce(t *testing.T) {
	// A seed with which no task sleeps less than 30 ms of its 1000: then every task is still
	// alive when the last one starts (however loaded the machine), and the peak is exact.
	seed := uint64(1)
	for ; ; seed++ {
		short := false
		for id := uint64(1); id <= 100; id++ {
			short = short || DrawTask(seed, id, 1000, 0).SleepMs < 30
		}
		if !short {
			break
		}
	}
	r := run(t, "unlimited", "-tasks", "100", "-seed", fmt.Sprint(seed), "-time_scale", "1")
	expect(t, r, "peak_goroutines", r.PeakGoroutines, 101)
	expect(t, r, "successful", r.Tasks.Successful, 100)
	expect(t, r, "goroutines_after", r.GoroutinesAfter, 0)
	expect(t, r, "max(series.goroutines)", maxOf(r.Series.Goroutines), 101)
	expect(t, r, "series starts at", fmt.Sprint(r.Series.TMs[0], r.Series.Goroutines[0]), "0 1")
}

func maxOf(v []float64) float64 {
	m := v[0]
	for _, x := range v {
		if x > m {
			m = x
		}
	}
	return m
}

func TestFixedPoolPeakIsWorkersPlusThree(t *testing.T) {
	r := run(t, "fixed-pool", "-tasks", "200", "-workers", "7", "-time_scale", "200")
	expect(t, r, "peak_goroutines", r.PeakGoroutines, 7+3) // workers, main, sender, closer
	expect(t, r, "successful", r.Tasks.Successful, 200)
	expect(t, r, "goroutines_after", r.GoroutinesAfter, 0)
}

func TestContextPoolFailuresComeFromTheGenerator(t *testing.T) {
	// time_scale 20: the 10 s context timeout is half a second of wall time, plenty.
	r := run(t, "context-pool", "-variant", "close", "-seed", "42", "-failure_rate", "0.3", "-time_scale", "20")
	want := 0
	for id := uint64(1); id <= 20; id++ {
		if DrawTask(42, id, 500, 0.3).Failed {
			want++
		}
	}
	expect(t, r, "failed", r.Tasks.Failed, want)
	expect(t, r, "successful", r.Tasks.Successful, 20-want)
	expect(t, r, "peak_goroutines", r.PeakGoroutines, 5) // 3 workers, main, submitter
}

func TestContextPoolCancelStopsEarly(t *testing.T) {
	// Slow enough that tasks are still queued when the tenth result arrives.
	r := run(t, "context-pool", "-variant", "cancel", "-time_scale", "5")
	expect(t, r, "ended", r.Ended, EndedCompleted)
	if r.Tasks.Cancelled == 0 {
		t.Errorf("cancel: no task was cancelled: %+v", r.Tasks)
	}
}

func TestGuideCancelDoubleCloses(t *testing.T) {
	r := run(t, "context-pool", "-variant", "guide-cancel", "-time_scale", "10")
	expect(t, r, "finding", findings(r), "panic: panic: close of closed channel")
	expect(t, r, "exit_status", r.ExitStatus, 2)
	expect(t, r, "ended", r.Ended, EndedPanicked)
}

func TestLeakWrongLeavesEveryWorker(t *testing.T) {
	r := run(t, "leak-unclosed-channel", "-variant", "wrong", "-workers", "4")
	expect(t, r, "goroutines_after", r.GoroutinesAfter, 4)
	expect(t, r, "findings", findings(r), "leak: 4 goroutines are still blocked after main returned")
	// 0, not absent: side by side reads the leak's measure at this place.
	returned, ok := r.Numbers["workers_returned"]
	expect(t, r, "workers_returned", fmt.Sprint(returned, ok), "0 true")
	r = run(t, "leak-unclosed-channel", "-variant", "right")
	expect(t, r, "goroutines_after", r.GoroutinesAfter, 0)
	expect(t, r, "findings", findings(r), "")
}

func TestSendOnClosed(t *testing.T) {
	// The late send is timed 20 ms of runtime after the close: slowed down tenfold, that is
	// 200 ms of wall time, which even a loaded machine does not oversleep (at time_scale 10,
	// 2 ms, it does: timed, the late send races the close).
	r := run(t, "send-on-closed", "-variant", "wrong", "-time_scale", "0.1")
	expect(t, r, "findings", findings(r), "panic: panic: send on closed channel")
	expect(t, r, "exit_status", r.ExitStatus, 2)
	expect(t, r, "log", strings.Join(r.Log, "|"), "panic: send on closed channel|goroutine 1 [running]:")
	// How many senders are still sending when the closer starts is timing: not checked.
	r = run(t, "send-on-closed", "-variant", "many-senders", "-senders", "4")
	expect(t, r, "delivered", r.Numbers["delivered"], 4*5)
	expect(t, r, "findings", findings(r), "")
	// The two instants the Rust lesson states, at the same places: the closer closes after the
	// last send.
	last, closed := r.Numbers["last_send_at_ms"], r.Numbers["closed_at_ms"]
	if !(last > 0 && closed >= last) {
		t.Errorf("many-senders: last send at %v ms, close at %v ms", last, closed)
	}
}

// Go's goroutine stacks at its peak are given only where StackInuse measures them: a few
// goroutines sit in stack spans already in use, and the page read "goroutine stacks were 0 B of
// the 3.26 MB" for 5 goroutines (review F12). A thousand parked goroutines need spans of their own.
func TestStacksOnlyWhereMeasured(t *testing.T) {
	r := run(t, "context-pool", "-variant", "cancel", "-time_scale", "50")
	if v, ok := r.Numbers["stack_inuse_at_peak_bytes"]; ok {
		t.Errorf("context-pool/cancel, %d goroutines: stacks given as %v B", r.PeakGoroutines, v)
	}
	// Where given, at least half the goroutines' smallest stacks. (A process that ran goroutines
	// before keeps spare stack spans: in the full test run, 988 goroutines grew StackInuse by less
	// than 988 × 2 KB.)
	r = run(t, "unlimited", "-tasks", "1000", "-time_scale", "50")
	if v, ok := r.Numbers["stack_inuse_at_peak_bytes"]; ok && v < float64(r.PeakGoroutines)*stackMin/2 {
		t.Errorf("unlimited, %d goroutines: stacks given as %v B", r.PeakGoroutines, v)
	}
	for _, c := range []struct {
		g     int
		grown float64
		want  bool
	}{{5, 0, false}, {5, stackSpan, false}, {1000, 2 << 20, true}, {1001, 1.97e6, true}, {1000, 0.9e6, false}, {1000, 0, false}, {63, 4 * stackSpan, false}, {64, 4 * stackSpan, true}} {
		if got := stacksMeasured(c.g, c.grown); got != c.want {
			t.Errorf("stacksMeasured(%d, %v) = %v", c.g, c.grown, got)
		}
	}
}

func TestDeadlocks(t *testing.T) {
	for _, v := range []string{"wrong", "small-buffer"} {
		r := run(t, "deadlock-unbuffered", "-variant", v)
		expect(t, r, "findings", findings(r), "deadlock: fatal error: all goroutines are asleep - deadlock!")
		expect(t, r, "ended", r.Ended, EndedDeadlock)
		expect(t, r, "exit_status", r.ExitStatus, 2)
		expect(t, r, "goroutines_after", r.GoroutinesAfter, 3) // main and both workers, all blocked
	}
	for _, v := range []string{"buffered", "separate-goroutines"} {
		r := run(t, "deadlock-unbuffered", "-variant", v)
		expect(t, r, "ended", r.Ended, EndedCompleted)
		expect(t, r, "successful", r.Tasks.Successful, 10)
	}
	// A buffer as big as the work: the small-buffer program no longer deadlocks.
	r := run(t, "deadlock-unbuffered", "-variant", "small-buffer", "-queue", "10")
	expect(t, r, "ended", r.Ended, EndedCompleted)
}

func TestWaitGroupMisuse(t *testing.T) {
	// With one P, main runs on from `go` to Wait before any goroutine runs its Add, as Go's
	// scheduler usually lets it; with more, an idle P may start some first (a race).
	procs := runtime.GOMAXPROCS(1)
	r := run(t, "waitgroup-misuse", "-variant", "add-inside", "-time_scale", "10")
	runtime.GOMAXPROCS(procs)
	expect(t, r, "findings", findings(r), "early_return: wg.Wait() returned while 5 of 5 goroutines had not finished")
	for _, v := range []string{"by-value", "forgot-done"} {
		r := run(t, "waitgroup-misuse", "-variant", v, "-time_scale", "20")
		expect(t, r, "findings", findings(r), "hang: wg.Wait() did not return within 2000 ms; leak: 1 goroutine is still blocked after main returned")
		expect(t, r, "ended", r.Ended, EndedHung)
	}
	r = run(t, "waitgroup-misuse", "-variant", "right", "-time_scale", "20")
	expect(t, r, "findings", findings(r), "")
	expect(t, r, "finished_at_wait", r.Numbers["finished_at_wait"], 3)
	r = run(t, "waitgroup-misuse", "-variant", "negative-counter", "-time_scale", "20")
	expect(t, r, "findings", findings(r), "panic: panic: sync: negative WaitGroup counter")
	expect(t, r, "exit_status", r.ExitStatus, 2)
}

func TestControlComparisonGuidePeakIsTheCountAfter(t *testing.T) {
	r := run(t, "control-comparison", "-tasks", "300", "-work_iterations", "100000")
	expect(t, r, "guide's peak without a pool", r.Numbers["unlimited_guide_peak"], 1)
	// The true peak is far above the guide's 1, but how far depends on how many tasks finish
	// while main is still spawning: 226–301 of 301 in 8 quiet runs, 235 in a CI run that failed
	// a bound of 250. Above the pool's 11 is the lesson.
	if p := r.Numbers["unlimited_peak"]; p <= 11 {
		t.Errorf("true peak without a pool: %v, want above the pool's 11", p)
	}
	expect(t, r, "true peak with the pool", r.Numbers["pool_peak"], 11)
	// Main alone outside the phases, as in the Rust Report (review F7): the two settling sleeps
	// of 100 ms at least, and no more than the run's runtime (lower bounds only: CI is loaded).
	if a := r.Numbers["main_alone_ms"]; a < 200 || a > r.RuntimeMs {
		t.Errorf("main alone %v ms, want 200 ms to the run's %v", a, r.RuntimeMs)
	}
}

// A count read in one phase and recorded in the next (a sampler held up in between) belongs to
// the first.
func TestAStaleCountStaysInItsPhase(t *testing.T) {
	r := newRun("control-comparison", "default", Params{}, nil, false)
	r.begin()
	r.startPhase()
	stale := reading{r.read(0).phase, 29}
	r.startPhase()
	r.point(stale, false)
	if p := r.endPhase(); p != 1 {
		t.Errorf("the second phase's peak is %d, want main alone (1)", p)
	}
	if p := atomic.LoadInt64(&r.peak); p != 29 {
		t.Errorf("the run's peak is %d, want the stale count's 29: it was alive then", p)
	}
}

// runtime.NumGoroutine() reads up to 32 too many while goroutines exit on another P (see read):
// in 300 rounds of 300 goroutines exiting, about 10 such readings are expected. A count that
// would raise the peak is checked, so none gets above it.
func TestCountsDoNotRiseWhileGoroutinesExit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	r := newRun("unlimited", "default", Params{}, nil, false)
	r.begin()
	for round := 0; round < 300; round++ {
		release := make(chan struct{})
		for i := 0; i < 300; i++ {
			go func() { <-release }()
		}
		r.startPhase()
		peak := r.endPhase()
		close(release)
		for g := r.read(0).g; g > 1; g = r.read(0).g {
			if g > int(peak) {
				t.Fatalf("round %d: a count of %d while %d goroutines exit", round, g, peak)
			}
		}
	}
}

// The browser's budget (1 GiB): a million goroutines at once do not fit, a pool of them does.
func TestMemoryBudget(t *testing.T) {
	defer func(b func() uint64) { budget = b }(budget)
	budget = func() uint64 { return 1 << 30 }
	_, err := parseArgs([]string{"unlimited", "-tasks", "1000000"})
	want := "tasks: 1000002 goroutines alive at once need about 3906 MiB, more than the Go engine's budget of 1024 MiB; use fewer tasks or a pool"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if _, err := parseArgs([]string{"unlimited", "-tasks", "200000"}); err != nil {
		t.Errorf("200,000 goroutines (800 MiB) should fit: %v", err)
	}
	if _, err := parseArgs([]string{"fixed-pool", "-tasks", "1000000"}); err != nil {
		t.Errorf("a pool for a million tasks should fit: %v", err)
	}
}

func TestBadParameters(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"unlimited -tasks 0", "tasks: expected a whole number from 1 to 1000000, got \"0\""},
		{"unlimited -tasks 1.5", "tasks: expected a whole number from 1 to 1000000, got \"1.5\""},
		{"unlimited -queue 3", "queue: unknown parameter"},
		{"unlimited -mode deterministic", "mode: expected one of real, got \"deterministic\""},
		{"unlimited -tasks", "-tasks needs a value"},
		{"nosuch", "unknown scenario \"nosuch\""},
		{"leak-unclosed-channel -variant nope", "unknown variant \"nope\" of leak-unclosed-channel"},
		{"fixed-pool -workers 10000 -tasks 10", ""}, // a pool of 10,000 fits
	} {
		_, err := parseArgs(strings.Fields(c.args))
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", c.args, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.args, err, c.want)
		}
	}
}

// best-practices: each break shows itself the way Go shows it (the checklist is the Rust
// engine's; here, how the program ends and what it finds).
func TestBestPracticesBreaks(t *testing.T) {
	for _, c := range []struct {
		args     []string
		ended    Ended
		findings string
	}{
		{[]string{"-break", "0"}, EndedCompleted, ""},
		{[]string{"-break", "4"}, EndedHung, "hang: main gave up waiting for results at its 10000 ms lifecycle deadline"},
		{[]string{"-break", "7"}, EndedPanicked, "panic: panic: task 7 hit a bug"},
		{[]string{"-break", "8"}, EndedCompleted, ""},
		{[]string{"-break", "10"}, EndedPanicked, "panic: panic: close of closed channel"},
		{[]string{"-variant", "guide-cancel"}, EndedDeadlock, "deadlock: fatal error: all goroutines are asleep - deadlock!"},
		{[]string{"-variant", "inner-panic"}, EndedPanicked, "panic: panic: task 7 hit a bug"},
	} {
		r := run(t, append([]string{"best-practices"}, c.args...)...)
		expect(t, r, fmt.Sprint(c.args, " ended"), r.Ended, c.ended)
		// Leaks aside: whether task 13's inner goroutine still sleeps when main returns is timing.
		var notLeaks []string
		for _, f := range strings.Split(findings(r), "; ") {
			if f != "" && !strings.HasPrefix(f, "leak: ") {
				notLeaks = append(notLeaks, f)
			}
		}
		expect(t, r, fmt.Sprint(c.args, " findings"), strings.Join(notLeaks, "; "), c.findings)
		switch c.args[1] {
		case "0":
			// Task 7's panic was recovered, task 13 timed out, the other 18 succeeded.
			expect(t, r, "tasks", fmt.Sprint(r.Tasks.Successful, r.Tasks.Failed, r.Tasks.TimedOut), "18 1 1")
			expect(t, r, "drill: blocked Submit came back", r.Numbers["drill_cancel_submit_returned_after_ms"] >= 0, true)
		case "8":
			expect(t, r, "timed out without a timeout", r.Tasks.TimedOut, 0)
		}
	}
	r := run(t, "best-practices", "-break", "13")
	expect(t, r, "workers with break 13", r.Numbers["pool_workers"], 1)
}

func TestDBPoolSharesItsConnections(t *testing.T) {
	r := run(t, "db-pool", "-variant", "pool", "-time_scale", "50")
	expect(t, r, "connections in use at most", r.Numbers["max_connections_in_use"], 3)
	expect(t, r, "peak_goroutines", r.PeakGoroutines, 10+2) // workers, main, submitter
	if r.Numbers["max_waiting_for_connection"] < 2 {
		t.Errorf("nobody waited for a connection: %v", r.Numbers)
	}
	r = run(t, "db-pool", "-variant", "without-pool", "-time_scale", "50")
	expect(t, r, "connections in use", r.Numbers["max_connections_in_use"], 10)
	expect(t, r, "successful", r.Tasks.Successful, 20)
}

func TestSizingSweepRunsEachSize(t *testing.T) {
	r := run(t, "sizing-sweep", "-workers", "6", "-tasks", "20", "-work_iterations", "1000", "-time_scale", "50")
	// The largest pool and main; one more pool's workers can still be exiting when the next
	// starts: wg.Wait returns at their deferred Done, before they have returned (a clean-clone
	// run read 8). Never more than the two largest pools and main.
	if r.PeakGoroutines < 6+1 || r.PeakGoroutines > 6+4+1 {
		t.Errorf("peak_goroutines = %d, want 7 to 11", r.PeakGoroutines)
	}
	// A CPU warm-up, then cpuRounds CPU rounds and one I/O round at 1, 2, 4, 6 workers.
	expect(t, r, "submitted", r.Tasks.Submitted, 20+(cpuRounds+1)*20*4)
	if _, ok := r.Numbers["io_tps_6"]; !ok {
		t.Error("workers itself did not run")
	}
	// Each size's CPU figure is the median of its rounds, between the slowest and the fastest.
	for _, w := range []int{1, 2, 4, 6} {
		lo, mid, hi := r.Numbers[fmt.Sprintf("cpu_tps_min_%d", w)], r.Numbers[fmt.Sprintf("cpu_tps_%d", w)], r.Numbers[fmt.Sprintf("cpu_tps_max_%d", w)]
		if !(0 < lo && lo <= mid && mid <= hi) {
			t.Errorf("%d workers: min %v, median %v, max %v", w, lo, mid, hi)
		}
	}
	if _, ok := r.Numbers["io_tps_8"]; ok {
		t.Error("a size above workers ran")
	}
	// The Rust program's headline ratios and each size's doWork time, for the page beside it
	// (review F8).
	for _, k := range []string{"cpu_task_us_knee", "cpu_gain_knee", "cpu_gain_top", "io_gain"} {
		if v := r.Numbers[k]; !(v > 0) {
			t.Errorf("%s = %v", k, v)
		}
	}
	if g, want := r.Numbers["io_gain"], r.Numbers["io_tps_6"]/r.Numbers["io_tps_1"]; g != want {
		t.Errorf("io_gain %v, want %v", g, want)
	}
}

func TestBackpressurePolicies(t *testing.T) {
	r := run(t, "backpressure", "-variant", "block", "-tasks", "100", "-time_scale", "20")
	expect(t, r, "successful", r.Tasks.Successful, 100)
	expect(t, r, "dropped", r.Tasks.Dropped, 0)
	if r.Numbers["max_queue_depth"] > 20 {
		t.Errorf("the queue held %v, more than its 20 slots", r.Numbers["max_queue_depth"])
	}
	// A producer 20 times faster than 2 workers: most offers find the 5 slots full.
	r = run(t, "backpressure", "-variant", "drop", "-tasks", "100", "-workers", "2", "-queue", "5",
		"-submit_every_ms", "10", "-time_scale", "1")
	expect(t, r, "submitted + dropped", r.Tasks.Submitted+r.Tasks.Dropped, 100)
	if r.Tasks.Dropped == 0 {
		t.Error("nothing was dropped")
	}
	r = run(t, "backpressure", "-variant", "unbounded", "-tasks", "100", "-time_scale", "20")
	expect(t, r, "dropped", r.Tasks.Dropped, 0)
	expect(t, r, "successful", r.Tasks.Successful, 100)
}

func TestRateLimit(t *testing.T) {
	r := run(t, "rate-limit", "-variant", "token-bucket", "-time_scale", "5")
	expect(t, r, "starts over the limit", r.Numbers["over_limit"], 0)
	expect(t, r, "peak_goroutines", r.PeakGoroutines, 10+2) // workers, main, refiller
	r = run(t, "rate-limit", "-variant", "no-limit", "-time_scale", "5")
	if r.Numbers["over_limit"] == 0 || r.Numbers["max_starts_per_s"] <= 25 {
		t.Errorf("without a limiter the rate held: %v", r.Numbers)
	}
}

// The Rust engine's own cases for the same rule (src/scenario/rate_limit.rs).
func TestJudgeRate(t *testing.T) {
	for _, c := range []struct {
		starts     []float64
		rate       float64
		burst      uint64
		busy, over int
	}{
		{[]float64{0, 0, 0}, 10, 2, 3, 1},
		{[]float64{0, 0, 100, 200}, 10, 2, 4, 0},
		{[]float64{0, 0, 50, 1500}, 10, 2, 3, 1},
		{nil, 10, 2, 0, 0},
	} {
		busy, over := judgeRate(c.starts, c.rate, c.burst)
		if busy != c.busy || over != c.over {
			t.Errorf("judgeRate(%v, %v, %v) = %d, %d; want %d, %d", c.starts, c.rate, c.burst, busy, over, c.busy, c.over)
		}
	}
}
