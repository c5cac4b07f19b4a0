package main

import (
	"encoding/json"
	"fmt"
	"strings"
)

// crashed is what a parent learns of a program that died: the progress lines it streamed,
// what it wrote to stderr, and its exit status.
type crashed struct {
	progress []progress
	stderr   string
	status   int
}

// goroutineHeaders are the "goroutine 7 [chan send]:" lines of a traceback.
func goroutineHeaders(stderr string) []string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		var id int
		if _, err := fmt.Sscanf(line, "goroutine %d [", &id); err == nil && strings.HasSuffix(line, "]:") {
			out = append(out, line)
		}
	}
	return out
}

// crashMessage is Go's own first line of the crash: "panic: ..." or "fatal error: ...".
func crashMessage(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "panic: ") || strings.HasPrefix(line, "fatal error: ") {
			return line
		}
	}
	return ""
}

// crashReport builds the report of a program that crashed from what it streamed before it died
// (the same fields the Go engine worker fills in the browser, see www/go-worker.js).
func crashReport(inv *invocation, c crashed) *Report {
	rep := &Report{
		Scenario: inv.scenario.id, Variant: inv.variant.id, Engine: "go", Params: inv.params,
		Build: buildName(), GoroutinesBefore: 1, Numbers: map[string]float64{},
		Findings: []Finding{}, Log: []string{}, ExitStatus: c.status, GoVersion: goVersion(),
		Threads: gomaxprocs(),
	}
	for _, p := range c.progress {
		rep.Series.TMs = append(rep.Series.TMs, p.Series.TMs...)
		rep.Series.Goroutines = append(rep.Series.Goroutines, p.Series.Goroutines...)
		rep.Series.HeapBytes = append(rep.Series.HeapBytes, p.Series.HeapBytes...)
		if p.Peak > rep.PeakGoroutines {
			rep.PeakGoroutines = p.Peak
		}
		if p.Heap > rep.HeapPeakBytes {
			rep.HeapPeakBytes = p.Heap
		}
		rep.TotalAllocBytes = p.Alloc
		rep.Tasks = p.Tasks
		rep.WallMs, rep.RuntimeMs = p.WallMs, p.Runtime
	}
	msg := crashMessage(c.stderr)
	headers := goroutineHeaders(c.stderr)
	rep.GoroutinesAfter = len(headers)
	kind := "panic"
	rep.Ended = EndedPanicked
	if msg == "fatal error: all goroutines are asleep - deadlock!" {
		kind, rep.Ended = "deadlock", EndedDeadlock
	}
	if msg == "" {
		msg = "the program exited with status " + itoa(c.status)
	}
	rep.Findings = append(rep.Findings, Finding{Kind: kind, Message: msg, AtMs: rep.RuntimeMs, Goroutines: headers})
	rep.Log = append(rep.Log, msg)
	if len(headers) > 0 {
		rep.Log = append(rep.Log, headers[0])
	}
	// The program died with these tasks unfinished: they never complete.
	rep.Tasks = rep.Tasks.atEnd()
	rep.Series.thin(2000)
	return rep
}

// parseStream splits a child's stdout into its progress lines and its report, if it printed one.
func parseStream(out string) ([]progress, *Report) {
	var ps []progress
	var rep *Report
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, `{"progress"`) {
			var p map[string]progress
			if json.Unmarshal([]byte(line), &p) == nil {
				ps = append(ps, p["progress"])
			}
		} else if strings.HasPrefix(line, "{") {
			var r Report
			if json.Unmarshal([]byte(line), &r) == nil {
				rep = &r
			}
		}
	}
	return ps, rep
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
