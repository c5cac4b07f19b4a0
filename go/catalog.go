package main

import (
	"encoding/json"
	"fmt"
	"runtime"
)

// scenario is one program of the guide, as in the Rust catalog (CONTRACT.md): the same ids,
// variants and defaults (tests/go_compare.rs checks them against `list --json`).
type scenario struct {
	id       string
	defaults []string // name=value over baseParams()
	uses     []string // the parameters the program reads
	variants []*variant
	// peak is how many goroutines the program may have alive at once (for the memory budget);
	// nil: a pool's few (workers and their helpers).
	peak func(p Params) uint64
}

// bytesPerGoroutine: a parked goroutine with its timer, measured with unlimited (100,000
// goroutines: 3.1 KB each natively and on js/wasm, the 2 KB stack included), rounded up.
const bytesPerGoroutine = 4096

// budget is the memory a run may plan to use: 8 GiB natively (as the Rust engine's native
// budget), 1 GiB in the browser, where the Go engine shares the tab.
var budget = func() uint64 {
	if runtime.GOOS == "js" {
		return 1 << 30
	}
	return 8 << 30
}

// checkBudget refuses settings whose goroutines would not fit the budget.
func (s *scenario) checkBudget(p Params) error {
	peak := 3*p.Workers + p.Senders + 16
	if s.peak != nil {
		peak = s.peak(p)
	}
	if need := peak * bytesPerGoroutine; need > budget() {
		return fmt.Errorf("tasks: %d goroutines alive at once need about %d MiB, more than the Go engine's budget of %d MiB; use fewer tasks or a pool",
			peak, need>>20, budget()>>20)
	}
	return nil
}

// variant is one way to run a scenario.
type variant struct {
	id       string
	kind     string   // wrong | right | guide_bug | demo
	defaults []string // name=value over the scenario's
	main     func(r *Run)
	// crashes says whether, with these parameters, the program may die of a deadlock or an
	// unrecovered panic; such a run goes to a child process and has no sampler goroutine.
	crashes func(p Params) bool
}

func (v *variant) mayCrash(p Params) bool { return v.crashes != nil && v.crashes(p) }

func always(Params) bool { return true }

func (s *scenario) findVariant(id string) *variant {
	if id == "" {
		return s.variants[0]
	}
	for _, v := range s.variants {
		if v.id == id {
			return v
		}
	}
	return nil
}

func (s *scenario) variantIDs() []string {
	var ids []string
	for _, v := range s.variants {
		ids = append(ids, v.id)
	}
	return ids
}

// paramsFor is the variant's parameters before the user's: base, scenario, variant.
func (s *scenario) paramsFor(v *variant) Params {
	p := baseParams()
	p.used = s.uses
	p.overlay(s.defaults)
	p.overlay(v.defaults)
	return p
}

var catalog []*scenario

func register(s *scenario) { catalog = append(catalog, s) }

func findScenario(id string) *scenario {
	for _, s := range catalog {
		if s.id == id {
			return s
		}
	}
	return nil
}

func scenarioIDs() []string {
	var ids []string
	for _, s := range ordered() {
		ids = append(ids, s.id)
	}
	return ids
}

// list prints the catalog: ids, variants and the parameters after defaults.
func list(asJSON bool) int {
	type vj struct {
		ID     string `json:"id"`
		Kind   string `json:"kind"`
		Params Params `json:"params"`
		Crash  bool   `json:"may_crash"`
	}
	type sj struct {
		ID       string   `json:"id"`
		Uses     []string `json:"uses"`
		Variants []vj     `json:"variants"`
	}
	var out []sj
	for _, s := range ordered() {
		x := sj{ID: s.id, Uses: s.uses}
		for _, v := range s.variants {
			p := s.paramsFor(v)
			x.Variants = append(x.Variants, vj{v.id, v.kind, p, v.mayCrash(p)})
		}
		out = append(out, x)
	}
	if asJSON {
		b, _ := json.Marshal(out)
		fmt.Println(string(b))
		return 0
	}
	for _, s := range out {
		fmt.Println(s.ID)
		for _, v := range s.Variants {
			fmt.Printf("    -variant %-22s %s\n", v.ID, v.Kind)
		}
	}
	return 0
}

// ordered is the catalog in the guide's order (files register themselves in any order).
func ordered() []*scenario {
	order := []string{"unlimited", "fixed-pool", "context-pool", "db-pool", "control-comparison",
		"leak-unclosed-channel", "send-on-closed", "deadlock-unbuffered", "waitgroup-misuse",
		"best-practices", "sizing-sweep", "backpressure", "rate-limit"}
	var out []*scenario
	for _, id := range order {
		if s := findScenario(id); s != nil {
			out = append(out, s)
		}
	}
	for _, s := range catalog {
		found := false
		for _, id := range order {
			found = found || id == s.id
		}
		if !found {
			out = append(out, s)
		}
	}
	return out
}
