// Command go runs the programs of the worker-pool guide in real Go and prints what happened in
// the Report shape of the Rust engine (CONTRACT.md), so the two can be compared run for run:
//
//	go run . list [-json]
//	go run . <scenario> [-variant V] [-PARAM VALUE ...] [-json] [-progress]
//
// Parameter names are the Rust CLI's (tasks, workers, queue, seed, time_scale, break, ...).
// A variant that crashes a Go program (a deadlock, an unrecovered panic) runs in a child
// process, so the report can carry Go's own message and exit status; in the browser
// (GOOS=js) the Go engine worker does the same from the outside.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// writer is where reports and progress lines go: os.Stdout natively (child.go), the runtime's
// own write on js (child_js.go).
type writer interface{ Write([]byte) (int, error) }

// childEnv marks the child process that runs a crashing variant.
const childEnv = "WPP_GO_CHILD"

func main() {
	os.Exit(cli(os.Args[1:]))
}

func usage() string {
	return "usage: go run . list [-json] | go run . <scenario> [-variant V] [-PARAM VALUE ...] [-json] [-progress]"
}

// invocation is a parsed command line.
type invocation struct {
	scenario *scenario
	variant  *variant
	params   Params
	json     bool
	progress bool
}

func parseArgs(args []string) (*invocation, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("%s", usage())
	}
	s := findScenario(args[0])
	if s == nil {
		return nil, fmt.Errorf("unknown scenario %s (known: %s)", quote(args[0]), strings.Join(scenarioIDs(), ", "))
	}
	inv := &invocation{scenario: s}
	variantID := ""
	type kv struct{ k, v string }
	var given []kv
	rest := args[1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if !strings.HasPrefix(a, "-") {
			return nil, fmt.Errorf("unexpected argument %s", quote(a))
		}
		name := strings.TrimLeft(a, "-")
		value, hasValue := "", false
		if j := strings.IndexByte(name, '='); j >= 0 {
			name, value, hasValue = name[:j], name[j+1:], true
		}
		switch name {
		case "json":
			inv.json = true
			continue
		case "progress":
			inv.progress = true
			continue
		}
		if !hasValue {
			if i+1 >= len(rest) {
				return nil, fmt.Errorf("-%s needs a value", name)
			}
			i++
			value = rest[i]
		}
		if name == "variant" {
			variantID = value
			continue
		}
		given = append(given, kv{strings.ReplaceAll(name, "-", "_"), value})
	}
	inv.variant = s.findVariant(variantID)
	if inv.variant == nil {
		return nil, fmt.Errorf("unknown variant %s of %s (known: %s)", quote(variantID), s.id, strings.Join(s.variantIDs(), ", "))
	}
	inv.params = s.paramsFor(inv.variant)
	for _, g := range given {
		if err := inv.params.apply(g.k, g.v); err != nil {
			return nil, err
		}
	}
	if err := s.checkBudget(inv.params); err != nil {
		return nil, err
	}
	return inv, nil
}

func cli(args []string) int {
	if len(args) > 0 && (args[0] == "list") {
		return list(len(args) > 1 && strings.TrimLeft(args[1], "-") == "json")
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Println(usage())
		return 0
	}
	inv, rep, err := execute(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 2
	}
	if inv.json || inv.progress || os.Getenv(childEnv) == "1" {
		line, _ := json.Marshal(rep)
		stdout.Write(append(line, '\n'))
	} else {
		printText(rep)
	}
	return rep.ExitStatus
}

// execute parses the command line and runs the program: here, or in a child process when it
// may crash (natively), or here with every sample streamed (in the child, in the browser).
func execute(args []string) (*invocation, *Report, error) {
	inv, err := parseArgs(args)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case os.Getenv(childEnv) == "1":
		return inv, runInProcess(inv, stdout), nil
	case runtime.GOOS != "js" && inv.variant.mayCrash(inv.params):
		rep, err := runChild(inv, args)
		return inv, rep, err
	default:
		var stream writer
		if inv.progress {
			stream = stdout
		}
		return inv, runInProcess(inv, stream), nil
	}
}

// runInProcess runs the program in this process. Variants that may deadlock run without the
// sampler goroutine, whose timer would hide the deadlock from Go's detector.
func runInProcess(inv *invocation, stream writer) *Report {
	r := newRun(inv.scenario.id, inv.variant.id, inv.params, stream, !inv.variant.mayCrash(inv.params))
	r.begin()
	inv.variant.main(r)
	return r.finish()
}

func printText(r *Report) {
	fmt.Printf("%s / %s  (Go %s, %s, GOMAXPROCS %d)\n", r.Scenario, r.Variant, r.GoVersion, r.Build, r.Threads)
	for _, l := range r.Log {
		fmt.Println(" ", l)
	}
	t := r.Tasks
	fmt.Printf("ended                      %s (exit status %d)\n", r.Ended, r.ExitStatus)
	fmt.Printf("wall / runtime             %.1f ms / %.1f ms\n", r.WallMs, r.RuntimeMs)
	fmt.Printf("goroutines before → peak → after  %d → %d → %d\n", r.GoroutinesBefore, r.PeakGoroutines, r.GoroutinesAfter)
	fmt.Printf("heap peak / allocated      %d B / %d B\n", r.HeapPeakBytes, r.TotalAllocBytes)
	fmt.Printf("tasks                      submitted %d, successful %d, failed %d, timed out %d, cancelled %d, unfinished %d, dropped %d\n",
		t.Submitted, t.Successful, t.Failed, t.TimedOut, t.Cancelled, t.Unfinished, t.Dropped)
	fmt.Printf("latency p50/p90/p99/max    %.1f / %.1f / %.1f / %.1f ms\n", r.LatencyMs.P50, r.LatencyMs.P90, r.LatencyMs.P99, r.LatencyMs.Max)
	for _, f := range r.Findings {
		fmt.Printf("%s: %s\n", f.Kind, f.Message)
	}
}

func buildName() string {
	if runtime.GOOS == "js" {
		return "js-wasm"
	}
	return "native"
}
