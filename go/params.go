package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Params are a run's parameters after defaults, with the names, types and ranges of the Rust
// schema (`cargo run -- list --json`, the one source of truth; tests/go_compare.rs checks that
// these agree with it).
type Params struct {
	Tasks          uint64
	Workers        uint64
	Queue          uint64
	QueuePolicy    string
	Workload       string
	WorkIterations uint64
	SleepMaxMs     uint64
	FailureRate    float64
	TaskTimeoutMs  uint64
	TimeoutMs      uint64
	Connections    uint64
	Senders        uint64
	Seed           uint64
	TimeScale      float64
	Mode           string
	Break          uint64
	Trials         uint64
	SubmitEveryMs  float64
	RatePerS       float64
	Burst          uint64

	// used are the parameters the scenario reads: the only ones it accepts and reports.
	used []string
}

type paramKind int

const (
	intParam paramKind = iota
	floatParam
	choiceParam
)

// param is one parameter's definition and where its value lives.
type param struct {
	name     string
	kind     paramKind
	min, max float64
	choices  []string
	u        *uint64
	f        *float64
	s        *string
}

func (p *Params) defs() []param {
	i := func(name string, min, max float64, v *uint64) param {
		return param{name: name, kind: intParam, min: min, max: max, u: v}
	}
	f := func(name string, min, max float64, v *float64) param {
		return param{name: name, kind: floatParam, min: min, max: max, f: v}
	}
	c := func(name string, v *string, choices ...string) param {
		return param{name: name, kind: choiceParam, choices: choices, s: v}
	}
	return []param{
		i("tasks", 1, 1_000_000, &p.Tasks),
		i("workers", 1, 10_000, &p.Workers),
		i("queue", 0, 1_000_000, &p.Queue),
		c("queue_policy", &p.QueuePolicy, "bounded", "none", "unbounded"),
		c("workload", &p.Workload, "io", "cpu", "mixed"),
		i("work_iterations", 0, 100_000_000, &p.WorkIterations),
		i("sleep_max_ms", 0, 60_000, &p.SleepMaxMs),
		f("failure_rate", 0, 1, &p.FailureRate),
		i("task_timeout_ms", 0, 600_000, &p.TaskTimeoutMs),
		i("timeout_ms", 0, 3_600_000, &p.TimeoutMs),
		i("connections", 1, 1000, &p.Connections),
		i("senders", 1, 1000, &p.Senders),
		i("seed", 0, math.MaxUint32, &p.Seed),
		f("time_scale", 0.01, 10_000, &p.TimeScale),
		// Go has no deterministic mode: its scheduler is its own. "real" is the only choice.
		c("mode", &p.Mode, "real"),
		i("break", 0, 15, &p.Break),
		i("trials", 1, 10_000, &p.Trials),
		f("submit_every_ms", 0, 10_000, &p.SubmitEveryMs),
		f("rate_per_s", 0.1, 100_000, &p.RatePerS),
		i("burst", 1, 100_000, &p.Burst),
	}
}

// quote shows at most about 40 characters of a bad value.
func quote(s string) string {
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	return strconv.Quote(s)
}

// set parses text as the parameter's type, strictly: a number is a number, a choice is one of
// the choices, nothing else is accepted.
func (d param) set(text string) error {
	switch d.kind {
	case intParam:
		n, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) || n != math.Trunc(n) || n < d.min || n > d.max {
			return fmt.Errorf("%s: expected a whole number from %s to %s, got %s", d.name, num(d.min), num(d.max), quote(text))
		}
		*d.u = uint64(n)
	case floatParam:
		n, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
		if err != nil || math.IsInf(n, 0) || math.IsNaN(n) || n < d.min || n > d.max {
			return fmt.Errorf("%s: expected a number from %s to %s, got %s", d.name, num(d.min), num(d.max), quote(text))
		}
		*d.f = n
	case choiceParam:
		for _, c := range d.choices {
			if text == c {
				*d.s = c
				return nil
			}
		}
		return fmt.Errorf("%s: expected one of %s, got %s", d.name, strings.Join(d.choices, ", "), quote(text))
	}
	return nil
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// apply sets the named parameter from text; the scenario must read it.
func (p *Params) apply(name, text string) error {
	for _, u := range p.used {
		if u == name {
			return p.set(name, text)
		}
	}
	return fmt.Errorf("%s: unknown parameter (known: %s)", strings.Trim(quote(name), `"`), strings.Join(p.used, ", "))
}

func (p *Params) set(name, text string) error {
	for _, d := range p.defs() {
		if d.name == name {
			return d.set(text)
		}
	}
	return fmt.Errorf("%s: unknown parameter", name)
}

// MarshalJSON writes the parameters the scenario reads, in the schema's order.
func (p Params) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	n := 0
	for _, d := range p.defs() {
		if !p.uses(d.name) {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		b.WriteString(strconv.Quote(d.name) + ":")
		switch d.kind {
		case intParam:
			b.WriteString(strconv.FormatUint(*d.u, 10))
		case floatParam:
			b.WriteString(strconv.FormatFloat(*d.f, 'g', -1, 64))
		case choiceParam:
			b.WriteString(strconv.Quote(*d.s))
		}
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

func (p *Params) uses(name string) bool {
	for _, u := range p.used {
		if u == name {
			return true
		}
	}
	return false
}

// overlay applies a scenario's or variant's defaults, written as "name=value" pairs.
func (p *Params) overlay(defaults []string) {
	for _, kv := range defaults {
		i := strings.IndexByte(kv, '=')
		if err := p.set(kv[:i], kv[i+1:]); err != nil {
			panic("bad default " + kv + ": " + err.Error())
		}
	}
}

// baseParams are neutral values (the Rust engine's Params::default()); a scenario overlays
// the defaults of every parameter it reads.
func baseParams() Params {
	return Params{
		Tasks: 1, Workers: 1, Queue: 0, QueuePolicy: "bounded", Workload: "io",
		WorkIterations: 0, SleepMaxMs: 0, FailureRate: 0, TaskTimeoutMs: 0, TimeoutMs: 0,
		Connections: 1, Senders: 1, Seed: 1, TimeScale: 1, Mode: "real", Break: 0,
		Trials: 1, SubmitEveryMs: 0, RatePerS: 1, Burst: 1,
	}
}

// UnmarshalJSON reads what MarshalJSON wrote (a child process's report, passed through).
func (p *Params) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	*p = baseParams()
	for _, d := range p.defs() {
		raw, ok := m[d.name]
		if !ok {
			continue
		}
		p.used = append(p.used, d.name)
		var text string
		if d.kind == choiceParam {
			if err := json.Unmarshal(raw, &text); err != nil {
				return err
			}
		} else {
			text = string(raw)
		}
		if err := d.set(text); err != nil {
			return err
		}
	}
	return nil
}
