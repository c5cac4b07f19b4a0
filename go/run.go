package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Run is what a scenario's program gets: its parameters, the clock scaled by time_scale, and
// the instruments that turn the run into a Report. The programs themselves are plain Go; they
// call r.sample() after each `go` statement (the live count peaks right after a goroutine
// starts) and r.done(...) when a task ends.
type Run struct {
	p       Params
	id      string
	variant string

	start  time.Time
	offset int          // goroutines alive before the run that are not its main (harness, tests)
	procs  int          // GOMAXPROCS when the run began: with one P, counts are always exact
	others map[int]bool // ids of goroutines that were there before the run (excluded at the end)

	// The sampler goroutine: counted by runtime.NumGoroutine(), subtracted from every count.
	// Runs that may deadlock have none: a goroutine with a pending timer keeps Go's deadlock
	// detector from firing, so those runs sample only at r.sample() calls.
	sampler     bool
	samplerID   int
	stopSampler chan struct{}
	samplerDone chan struct{}

	// Streaming: progress lines for the browser worker and for the parent of a child process.
	stream   writer
	streamMu sync.Mutex

	eventExtra int64 // atomic: js/wasm event goroutines beyond the baseline (eventGoroutines)
	eventBase  int64
	// lastEventScan: when the event goroutines were last counted (js/wasm has one thread).
	lastEventScan time.Time
	peak          int64 // atomic: the most goroutines alive at once, the whole run
	// phasePeak: the same since the last startPhase(), packed with that phase's number
	// (phase<<32 | peak) so that a count read in one phase cannot raise the next one's peak.
	phasePeak int64 // atomic

	mu                       sync.Mutex
	series                   Series
	pending                  Series // points not yet streamed
	lastHeap                 uint64
	heapBase                 uint64
	heapAllocBase, stackBase uint64
	heapPeak                 uint64
	alloc0                   uint64
	tasks                    TaskCounts
	latencies                []float64
	findings                 []Finding
	numbers                  map[string]float64
	log                      []string
	ended                    Ended
}

// Ended is how a run ended (the Report's `ended`).
type Ended string

const (
	EndedCompleted Ended = "completed"
	EndedHung      Ended = "hung"
	EndedDeadlock  Ended = "deadlock"
	EndedPanicked  Ended = "panicked"
)

// Outcome is what happened to one task.
type Outcome int

const (
	Successful Outcome = iota
	Failed
	Cancelled // the pool or its context was cancelled before the task finished
	TimedOut
	Dropped
	// Unfinished: the program ended first (deadlock, unrecovered panic, main gave up its
	// wait); nothing cancelled the task (review R18 found these counted as cancelled).
	Unfinished
)

// TaskCounts are the Report's `tasks`.
type TaskCounts struct {
	Submitted  uint64 `json:"submitted"`
	Successful uint64 `json:"successful"`
	Failed     uint64 `json:"failed"`
	Cancelled  uint64 `json:"cancelled"`
	TimedOut   uint64 `json:"timed_out"`
	Unfinished uint64 `json:"unfinished"`
	Dropped    uint64 `json:"dropped"`
}

// accounted is the submitted tasks with an outcome of any kind.
func (c TaskCounts) accounted() uint64 {
	return c.Successful + c.Failed + c.Cancelled + c.TimedOut + c.Unfinished
}

// atEnd is the counts once the program has ended: a submitted task without an outcome never
// finished because the program ended first, so it is unfinished, never cancelled (as the Rust
// engine's TaskCounts::at_end).
func (c TaskCounts) atEnd() TaskCounts {
	if a := c.accounted(); c.Submitted > a {
		c.Unfinished += c.Submitted - a
	}
	return c
}

// Series is columnar samples over runtime time.
type Series struct {
	TMs        []float64 `json:"t_ms"`
	Goroutines []float64 `json:"goroutines"`
	HeapBytes  []float64 `json:"heap_bytes"`
}

func (s *Series) push(t float64, g int, heap uint64) {
	s.TMs = append(s.TMs, t)
	s.Goroutines = append(s.Goroutines, float64(g))
	s.HeapBytes = append(s.HeapBytes, float64(heap))
}

func (s *Series) len() int { return len(s.TMs) }

// thin keeps at most about maxRows rows: per bucket of k rows, the rows holding the bucket's
// fewest and most goroutines (and the last row), so the drawn peak is the true peak.
func (s *Series) thin(maxRows int) {
	n := s.len()
	if n <= maxRows || maxRows < 4 {
		return
	}
	k := (n + maxRows/2 - 1) / (maxRows / 2)
	var out Series
	for b := 0; b < n; b += k {
		end := b + k
		if end > n {
			end = n
		}
		lo, hi := b, b
		for i := b; i < end; i++ {
			if s.Goroutines[i] < s.Goroutines[lo] {
				lo = i
			}
			if s.Goroutines[i] > s.Goroutines[hi] {
				hi = i
			}
		}
		first, second := lo, hi
		if hi < lo {
			first, second = hi, lo
		}
		out.push(s.TMs[first], int(s.Goroutines[first]), uint64(s.HeapBytes[first]))
		if second != first {
			out.push(s.TMs[second], int(s.Goroutines[second]), uint64(s.HeapBytes[second]))
		}
	}
	if last := n - 1; out.TMs[out.len()-1] != s.TMs[last] {
		out.push(s.TMs[last], int(s.Goroutines[last]), uint64(s.HeapBytes[last]))
	}
	*s = out
}

// Finding is a deadlock, leak, panic, recovered panic, early return or hang.
type Finding struct {
	Kind       string   `json:"kind"`
	Message    string   `json:"message"`
	AtMs       float64  `json:"at_ms"`
	Goroutines []string `json:"goroutines"`
}

// newRun prepares a run; start() starts its clock and sampler.
func newRun(id, variant string, p Params, stream writer, sampler bool) *Run {
	return &Run{p: p, id: id, variant: variant, stream: stream, sampler: sampler,
		numbers: map[string]float64{}, ended: EndedCompleted}
}

func (r *Run) begin() {
	settleRuntime()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	r.heapBase = m.HeapAlloc + m.StackInuse
	r.heapAllocBase, r.stackBase = m.HeapAlloc, m.StackInuse
	r.alloc0 = m.TotalAlloc
	r.others = map[int]bool{}
	for _, g := range goroutineList() {
		r.others[g.id] = true
	}
	if runtime.GOOS == "js" {
		r.eventBase = r.eventGoroutines()
	}
	// Everything alive now is not the run's main (tests, earlier runs), and neither is the
	// sampler about to start: the clock and the baseline are set before it can take a sample.
	r.offset = runtime.NumGoroutine() - 1
	if r.sampler {
		r.offset++
	}
	if r.stream != nil {
		// What a crash report needs that the program cannot print once it has died.
		line, _ := json.Marshal(map[string]any{"start": map[string]any{
			"scenario": r.id, "variant": r.variant, "params": r.p, "build": buildName(),
			"threads": runtime.GOMAXPROCS(0), "go_version": runtime.Version()}})
		r.stream.Write(append(line, '\n'))
	}
	r.procs = runtime.GOMAXPROCS(0)
	r.start = time.Now()
	// The first row is t = 0 with main alone, as in the Rust engine's series.
	r.peak = 1
	atomic.StoreInt64(&r.phasePeak, 1) // phase 0, which lasts until a startPhase
	r.series.push(0, 1, 0)
	r.pending.push(0, 1, 0)
	if r.sampler {
		r.stopSampler = make(chan struct{})
		r.samplerDone = make(chan struct{})
		ready := make(chan int)
		go r.sampleLoop(ready)
		r.samplerID = <-ready
	}
}

// goroutines is runtime.NumGoroutine() without the harness's own goroutines, and on js/wasm
// without the runtime's event goroutines started since the baseline (see eventGoroutines).
func (r *Run) goroutines() int {
	return runtime.NumGoroutine() - r.offset - int(atomic.LoadInt64(&r.eventExtra))
}

// count is goroutines(), looked at twice on js/wasm when it would be a new peak: a new peak must
// not be one of the runtime's event goroutines.
//
// The runtime can only start one while the program is idle, never during a loop that starts
// goroutines, so one look per millisecond of wall time is enough: a loop that starts a
// thousand goroutines is not slowed by a stack walk for each.
func (r *Run) count() int {
	g := r.goroutines()
	if runtime.GOOS == "js" && int64(g) > atomic.LoadInt64(&r.peak) && runtime.NumGoroutine() <= 64 &&
		time.Since(r.lastEventScan) >= time.Millisecond {
		r.scanEventGoroutines()
		g = r.goroutines()
	}
	return g
}

// scanEventGoroutines updates the count of the js/wasm runtime's event goroutines.
func (r *Run) scanEventGoroutines() {
	atomic.StoreInt64(&r.eventExtra, r.eventGoroutines()-r.eventBase)
	r.lastEventScan = time.Now()
}

// eventGoroutines counts the js/wasm runtime's goroutines that wait for browser events. The
// runtime starts one the first time the program goes idle (settleRuntime starts it before the
// baseline), and now and then another, which runtime.NumGoroutine() counts too; the sampler
// and every new peak look for them (a stack walk, so only while the program has at most 64
// goroutines: one more among more than 64 is under 2 %, and among the thousand of unlimited,
// 0.1 %). Natively there are none.
func (r *Run) eventGoroutines() int64 {
	n := int64(0)
	for _, g := range goroutineList() {
		if g.event {
			n++
		}
	}
	return n
}

// sample records the live goroutine count now. Called right after `go` statements, where the
// count peaks, so the reported peak is the true one however fast goroutines come and go.
func (r *Run) sample() {
	c := r.read(1) // one above the peak: the goroutine just started
	r.phaseMax(c)
	g := int64(c.g)
	for {
		p := atomic.LoadInt64(&r.peak)
		if g <= p {
			if !r.sampler {
				r.point(c, true)
			}
			return
		}
		if atomic.CompareAndSwapInt64(&r.peak, p, g) {
			r.point(c, !r.sampler)
			return
		}
	}
}

// reading is a live count with the phase it was read in: a count read in one phase and
// recorded in the next (a sampler held up in between) must not raise the next one's peak.
type reading struct {
	phase int64
	g     int
}

// read reads the phase, then the count. A count that would raise the phase's peak (and so
// perhaps the run's) by more than rise is checked against an exact count first.
//
// runtime.NumGoroutine() can read too many while goroutines exit: it subtracts each P's list of
// dead goroutines, which a P moves to the global list 33 at a time, popping them from its own
// list before adding them to the global one ("the result can be inconsistent", gcount in Go's
// runtime/proc.go). Here 49 and 83 of 2,000 rounds of 300 goroutines exiting read too many,
// by up to 32, for up to 3.3 µs. One such reading made a CI run's pool peak 29, not 11.
// With one P (js/wasm) the count and the move never interleave. A count at or below the peak is
// taken as read: natively, a row of the series can be up to 32 too high while goroutines exit;
// and right after a go statement a count one above the peak is taken as read too, so a peak
// can be one too high if a P moved its list at that instant. exactCount itself counts the
// finalizer goroutine while it runs finalizers (runtime/mprof.go), which NumGoroutine never does.
func (r *Run) read(rise int64) reading {
	phase := atomic.LoadInt64(&r.phasePeak)
	c := reading{phase >> 32, r.count()}
	if r.procs > 1 && int64(c.g) > phase&math.MaxUint32+rise {
		if exact := r.exactCount(); exact < c.g {
			c.g = exact
		}
	}
	return c
}

// exactCount counts the run's goroutines with the world stopped (runtime.GoroutineProfile, about
// 50 µs here with a busy P), so only a reading that would raise a peak pays for it.
func (r *Run) exactCount() int {
	n, _ := runtime.GoroutineProfile(nil)
	return n - r.offset - int(atomic.LoadInt64(&r.eventExtra))
}

// phaseMax raises the phase's peak to c.g if c was read in the current phase.
func (r *Run) phaseMax(c reading) {
	for {
		old := atomic.LoadInt64(&r.phasePeak)
		if old>>32 != c.phase || int64(c.g) <= old&math.MaxUint32 ||
			atomic.CompareAndSwapInt64(&r.phasePeak, old, c.phase<<32|int64(c.g)) {
			return
		}
	}
}

func atomicMax(p *int64, v int64) {
	for {
		old := atomic.LoadInt64(p)
		if v <= old || atomic.CompareAndSwapInt64(p, old, v) {
			return
		}
	}
}

// startPhase starts measuring a part of the program on its own (control-comparison's two
// halves); endPhase returns the most goroutines alive at once since. Only main calls them.
func (r *Run) startPhase() {
	phase := atomic.LoadInt64(&r.phasePeak)>>32 + 1
	// The phase's first count is its floor, which later counts are checked against (read): a
	// stopped-world count, as a reading could be too high (review, session 25).
	g := r.goroutines()
	if r.procs > 1 {
		g = r.exactCount()
	}
	atomic.StoreInt64(&r.phasePeak, phase<<32|int64(g))
}
func (r *Run) endPhase() int64 {
	r.phaseMax(r.read(0))
	return atomic.LoadInt64(&r.phasePeak) & math.MaxUint32
}

// point adds a row to the series (reading the heap when asked: that stops the world briefly).
func (r *Run) point(c reading, readHeap bool) {
	g := c.g
	atomicMax(&r.peak, int64(g))
	r.phaseMax(c)
	var heap uint64
	if readHeap {
		heap = r.readHeap(g)
	}
	t := r.nowMs()
	r.mu.Lock()
	if !readHeap {
		heap = r.lastHeap
	}
	r.series.push(t, g, heap)
	r.pending.push(t, g, heap)
	flush := r.stream != nil && !r.sampler
	r.mu.Unlock()
	if flush {
		r.flush()
	}
}

// The smallest stack Go gives a goroutine (_StackMin), and the span its small stacks are carved
// from (_StackCacheSize): StackInuse counts whole spans, not stacks.
const (
	stackMin  = 2 << 10
	stackSpan = 32 << 10
)

// stacksMeasured says whether StackInuse's growth over the run measures the stacks of its g
// goroutines. Only when they need several spans: a few goroutines fit in spans already in use,
// and the growth read 0 B for 5 goroutines beside a 3.26 MB peak (review F12). And only when the
// growth holds at least half their smallest stacks: it falls short of them by the room left in
// spans from before the run (1,001 goroutines in the tab: 1.97 MB against 2.05 MB), and a process
// that ran goroutines before may have room for most of them.
func stacksMeasured(g int, grown float64) bool {
	need := float64(g) * stackMin
	return need >= 4*stackSpan && grown >= need/2
}

// readHeap reads the heap with g goroutines of the run alive.
func (r *Run) readHeap(g int) uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	heap := m.HeapAlloc + m.StackInuse
	if heap < r.heapBase {
		heap = r.heapBase
	}
	heap -= r.heapBase
	r.mu.Lock()
	r.lastHeap = heap
	if heap > r.heapPeak {
		r.heapPeak = heap
		// The two parts at the peak: objects on the heap, and goroutine stacks (Go's main cost
		// per goroutine, which HeapAlloc leaves out), the stacks only where measured.
		r.numbers["heap_alloc_at_peak_bytes"] = float64(m.HeapAlloc) - float64(r.heapAllocBase)
		if grown := float64(m.StackInuse) - float64(r.stackBase); stacksMeasured(g, grown) {
			r.numbers["stack_inuse_at_peak_bytes"] = grown
		} else {
			delete(r.numbers, "stack_inuse_at_peak_bytes")
		}
	}
	r.mu.Unlock()
	return heap
}

// sampleLoop samples every millisecond of wall time and streams what it saw every 20 ms.
func (r *Run) sampleLoop(ready chan<- int) {
	defer close(r.samplerDone)
	ready <- currentGoroutineID()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	lastFlush := time.Now()
	for {
		select {
		case <-r.stopSampler:
			return
		case <-tick.C:
			if runtime.GOOS == "js" && runtime.NumGoroutine() <= 64 {
				r.scanEventGoroutines()
			}
			r.point(r.read(0), true)
			if r.stream != nil && time.Since(lastFlush) >= 20*time.Millisecond {
				r.flush()
				lastFlush = time.Now()
			}
		}
	}
}

// progress is one streamed line: the rows since the last line, and the counts so far.
type progress struct {
	Series  Series     `json:"series"`
	Peak    int64      `json:"peak_goroutines"`
	Heap    uint64     `json:"heap_peak_bytes"`
	Alloc   uint64     `json:"total_alloc_bytes"`
	Tasks   TaskCounts `json:"tasks"`
	WallMs  float64    `json:"wall_ms"`
	Runtime float64    `json:"runtime_ms"`
}

// flush streams the rows not yet streamed, with the counts so far. streamMu is held from taking
// the rows until their line is written: a flush that finds nothing pending returns only after
// the flush that took its rows wrote them. Otherwise a goroutine could record a task, find its
// row taken by another goroutine's flush, return, and end the program (negative-counter's
// fourth Done) before that line reached the parent, which then counts the task as cancelled.
func (r *Run) flush() {
	r.streamMu.Lock()
	defer r.streamMu.Unlock()
	r.mu.Lock()
	if r.pending.len() == 0 {
		r.mu.Unlock()
		return
	}
	pr := progress{Series: r.pending, Peak: atomic.LoadInt64(&r.peak), Heap: r.heapPeak,
		Tasks: r.tasks, WallMs: r.wallMs(), Runtime: r.nowMs()}
	r.pending = Series{}
	r.mu.Unlock()
	var m runtime.MemStats
	if !r.sampler {
		runtime.ReadMemStats(&m)
		pr.Alloc = m.TotalAlloc - r.alloc0
	}
	line, _ := json.Marshal(map[string]progress{"progress": pr})
	r.stream.Write(append(line, '\n'))
}

// ---- the clock: runtime time is wall time × time_scale ----

func (r *Run) wallMs() float64 { return float64(time.Since(r.start)) / 1e6 }

// nowMs is runtime milliseconds since the start.
func (r *Run) nowMs() float64 { return r.wallMs() * r.p.TimeScale }

// scaled turns a runtime duration into the wall duration to wait.
func (r *Run) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / r.p.TimeScale)
}

// ms is n milliseconds of runtime time.
func ms(n uint64) time.Duration { return time.Duration(n) * time.Millisecond }

func (r *Run) sleep(d time.Duration) {
	if d > 0 {
		time.Sleep(r.scaled(d))
	}
}

func (r *Run) after(d time.Duration) <-chan time.Time { return time.After(r.scaled(d)) }

func (r *Run) withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, r.scaled(d))
}

// ---- what the programs record ----

func (r *Run) submitted(n uint64) {
	r.mu.Lock()
	r.tasks.Submitted += n
	r.mu.Unlock()
	r.taskEvent()
}

// cancelled counts n submitted tasks the pool or its context cancelled before they finished.
func (r *Run) cancelled(n uint64) {
	r.mu.Lock()
	r.tasks.Cancelled += n
	r.mu.Unlock()
	r.taskEvent()
}

// cancelledRest counts every submitted task still without an outcome as cancelled: for a
// program that cancelled its pool and read every result there will be.
func (r *Run) cancelledRest() {
	r.mu.Lock()
	if a := r.tasks.accounted(); r.tasks.Submitted > a {
		r.tasks.Cancelled += r.tasks.Submitted - a
	}
	r.mu.Unlock()
	r.taskEvent()
}

// taskEvent streams the counts at once in a run without a sampler (one that may crash: its
// parent has only what was streamed before the crash).
func (r *Run) taskEvent() {
	if !r.sampler {
		r.point(r.read(0), true)
	}
}

// done records a task's outcome and its latency from submitMs (runtime ms) to now.
func (r *Run) done(outcome Outcome, submitMs float64) { r.doneAt(outcome, submitMs, r.nowMs()) }

// doneAt records a task that ended at endMs (runtime ms), counted where its result arrives.
func (r *Run) doneAt(outcome Outcome, submitMs, now float64) {
	defer r.taskEvent()
	r.mu.Lock()
	defer r.mu.Unlock()
	switch outcome {
	case Successful:
		r.tasks.Successful++
	case Failed:
		r.tasks.Failed++
	case Cancelled:
		r.tasks.Cancelled++
		return
	case TimedOut:
		r.tasks.TimedOut++
	case Dropped:
		r.tasks.Dropped++
		return
	case Unfinished:
		r.tasks.Unfinished++
		return
	}
	r.latencies = append(r.latencies, now-submitMs)
}

// outcomeOf is Successful for a nil error, Failed otherwise.
func outcomeOf(err error) Outcome {
	if err != nil {
		return Failed
	}
	return Successful
}

func (r *Run) finding(kind, message string) {
	r.mu.Lock()
	r.findings = append(r.findings, Finding{Kind: kind, Message: message, AtMs: r.nowMs(), Goroutines: []string{}})
	r.mu.Unlock()
}

func (r *Run) number(name string, v float64) {
	r.mu.Lock()
	r.numbers[name] = v
	r.mu.Unlock()
}

// maxNumber keeps the largest value seen under name.
func (r *Run) maxNumber(name string, v float64) {
	r.mu.Lock()
	if v > r.numbers[name] {
		r.numbers[name] = v
	}
	r.mu.Unlock()
}

func (r *Run) addNumber(name string, v float64) {
	r.mu.Lock()
	r.numbers[name] += v
	r.mu.Unlock()
}

func (r *Run) logf(format string, args ...any) {
	r.mu.Lock()
	if len(r.log) < 200 {
		r.log = append(r.log, fmt.Sprintf(format, args...))
	}
	r.mu.Unlock()
}

func (r *Run) setEnded(e Ended) {
	r.mu.Lock()
	r.ended = e
	r.mu.Unlock()
}

// ---- the end of a run ----

// finish settles the run after its main returned and builds the report.
func (r *Run) finish() *Report {
	wall := r.wallMs()
	runtimeMs := r.nowMs()
	if runtime.GOOS == "js" {
		r.scanEventGoroutines()
	}
	// Let goroutines on their way out finish: up to 200 ms of wall time, until every goroutine
	// left is blocked on something that nothing will release.
	left := r.leftovers()
	for deadline := time.Now().Add(200 * time.Millisecond); time.Now().Before(deadline); {
		if allBlocked(left) {
			break
		}
		time.Sleep(time.Millisecond)
		left = r.leftovers()
	}
	if runtime.GOOS == "js" {
		r.scanEventGoroutines() // the settling above may have let the runtime start one
	}
	r.point(r.read(0), true)
	if r.sampler {
		close(r.stopSampler)
		<-r.samplerDone
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ended == EndedCompleted || r.ended == EndedHung {
		var blocked []string
		for _, g := range left {
			if g.blocked() {
				blocked = append(blocked, g.String())
			}
		}
		if n := len(blocked); n > 0 {
			msg := fmt.Sprintf("%d goroutines are still blocked after main returned", n)
			if n == 1 {
				msg = "1 goroutine is still blocked after main returned"
			}
			r.findings = append(r.findings, Finding{Kind: "leak", Message: msg, AtMs: runtimeMs, Goroutines: blocked})
		}
	}
	r.tasks = r.tasks.atEnd()
	series := r.series
	series.thin(2000)
	completed := r.tasks.Successful + r.tasks.Failed + r.tasks.TimedOut
	rep := &Report{
		Scenario: r.id, Variant: r.variant, Engine: "go", Params: r.p,
		Build: buildName(), Threads: runtime.GOMAXPROCS(0),
		WallMs: wall, RuntimeMs: runtimeMs,
		GoroutinesBefore: 1, PeakGoroutines: atomic.LoadInt64(&r.peak),
		GoroutinesAfter: len(left),
		HeapPeakBytes:   r.heapPeak, TotalAllocBytes: m.TotalAlloc - r.alloc0,
		Tasks: r.tasks, LatencyMs: latencyOf(r.latencies),
		Series: series, Findings: r.findings, Numbers: r.numbers, Log: r.log,
		Ended: r.ended, ExitStatus: 0, GoVersion: runtime.Version(),
	}
	if runtimeMs > 0 {
		rep.ThroughputPerS = float64(completed) / (runtimeMs / 1e3)
	}
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	if rep.Log == nil {
		rep.Log = []string{}
	}
	return rep
}

// leftovers are the run's goroutines still alive (not the harness's, not earlier runs').
func (r *Run) leftovers() []goroutineInfo {
	self := currentGoroutineID()
	var out []goroutineInfo
	for _, g := range goroutineList() {
		if g.id == self || g.id == r.samplerID || r.others[g.id] || g.event {
			continue
		}
		out = append(out, g)
	}
	return out
}

func allBlocked(gs []goroutineInfo) bool {
	for _, g := range gs {
		if !g.blocked() {
			return false
		}
	}
	return true
}

// Latency is the Report's latency_ms: nearest-rank percentiles, as the Rust engine computes.
type Latency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

func latencyOf(v []float64) Latency {
	if len(v) == 0 {
		return Latency{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	at := func(q float64) float64 {
		i := int(math.Ceil(q * float64(len(s))))
		if i < 1 {
			i = 1
		}
		if i > len(s) {
			i = len(s)
		}
		return s[i-1]
	}
	return Latency{P50: at(0.5), P90: at(0.9), P99: at(0.99), Max: s[len(s)-1]}
}

// ---- goroutines as Go's own traceback lists them ----

type goroutineInfo struct {
	id    int
	event bool   // the js/wasm runtime's own goroutine that waits for browser events
	state string // "chan receive", "select", "semacquire", "sleep", "running", ...
	fn    string // the function it started in (created by ... is not used)
	top   string // the function it is in
}

func (g goroutineInfo) String() string {
	return fmt.Sprintf("goroutine %d [%s]: %s (from %s)", g.id, g.state, g.top, g.fn)
}

// blocked says the goroutine is parked: on a channel, a select, a lock, a WaitGroup, or a
// timer (time.Sleep), as the Rust engine counts a goroutine still blocked after main returned.
// Running and runnable goroutines are on their way out.
func (g goroutineInfo) blocked() bool {
	switch g.state {
	case "running", "runnable", "syscall", "GC assist wait", "preempted":
		return false
	}
	return true
}

// goroutineList parses runtime.Stack(all): "goroutine 7 [chan receive]:\nmain.f(...)\n...".
func goroutineList() []goroutineInfo {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutineInfo
	for _, block := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(strings.TrimSpace(block), "\n")
		var g goroutineInfo
		if _, err := fmt.Sscanf(lines[0], "goroutine %d [", &g.id); err != nil {
			continue
		}
		st := lines[0][strings.Index(lines[0], "[")+1:]
		st = st[:strings.Index(st, "]")]
		if i := strings.Index(st, ","); i >= 0 {
			st = st[:i]
		}
		g.state = st
		g.event = strings.Contains(block, "runtime.handleEvent(")
		if len(lines) > 1 {
			g.top = funcName(lines[1])
		}
		if len(lines) >= 3 {
			// "created by main.f" (Go 1.21 adds " in goroutine N"): where the goroutine started.
			created := strings.TrimPrefix(lines[len(lines)-2], "created by ")
			if i := strings.Index(created, " in goroutine "); i >= 0 {
				created = created[:i]
			}
			g.fn = funcName(created)
		}
		out = append(out, g)
	}
	return out
}

func funcName(line string) string {
	if i := strings.LastIndex(line, "("); i > 0 {
		return line[:i]
	}
	return line
}

func currentGoroutineID() int {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	var id int
	fmt.Sscanf(string(buf), "goroutine %d ", &id)
	return id
}

// blockedIn counts the run's goroutines, started by the function named fn (without its
// package), that are blocked now.
func (r *Run) blockedIn(fn string) int {
	n := 0
	for _, g := range r.leftovers() {
		if g.blocked() && strings.HasSuffix(g.fn, "."+fn) {
			n++
		}
	}
	return n
}
