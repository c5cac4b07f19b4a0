package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Params are a run's parameters after defaults, with the names, types and ranges of the Rust
// schema (`cargo run -- list --json`, the one source of truth; tests/go_compare.rs checks that
// these agree with it).
type Params struct {
	Tasks           uint64  `json:"tasks"`
	Workers         uint64  `json:"workers"`
	Queue           uint64  `json:"queue"`
	QueuePolicy     string  `json:"queue_policy"`
	Workload        string  `json:"workload"`
	WorkIterations  uint64  `json:"work_iterations"`
	SleepMaxMs      uint64  `json:"sleep_max_ms"`
	FailureRate     float64 `json:"failure_rate"`
	TaskTimeoutMs   uint64  `json:"task_timeout_ms"`
	TimeoutMs       uint64  `json:"timeout_ms"`
	Connections     uint64  `json:"connections"`
	Seed            uint64  `json:"seed"`
	TimeScale       float64 `json:"time_scale"`
	Mode            string  `json:"mode"`
	Break           uint64  `json:"break"`
	Trials          uint64  `json:"trials"`
	ProducerEveryMs uint64  `json:"producer_every_ms"`
	RatePerS        float64 `json:"rate_per_s"`
	Burst           uint64  `json:"burst"`
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
		i("seed", 0, math.MaxUint32, &p.Seed),
		f("time_scale", 0.01, 10_000, &p.TimeScale),
		c("mode", &p.Mode, "real"),
		i("break", 0, 15, &p.Break),
		i("trials", 1, 1000, &p.Trials),
		i("producer_every_ms", 0, 10_000, &p.ProducerEveryMs),
		f("rate_per_s", 0.1, 100_000, &p.RatePerS),
		i("burst", 1, 10_000, &p.Burst),
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

// apply sets the named parameter from text.
func (p *Params) apply(name, text string) error {
	for _, d := range p.defs() {
		if d.name == name {
			return d.set(text)
		}
	}
	names := []string{}
	for _, d := range p.defs() {
		names = append(names, d.name)
	}
	return fmt.Errorf("%s: unknown parameter (known: %s)", quote(name)[1:len(quote(name))-1], strings.Join(names, ", "))
}

// overlay applies a scenario's or variant's defaults, written as "name=value" pairs.
func (p *Params) overlay(defaults []string) {
	for _, kv := range defaults {
		i := strings.IndexByte(kv, '=')
		if err := p.apply(kv[:i], kv[i+1:]); err != nil {
			panic("bad default " + kv + ": " + err.Error())
		}
	}
}

// baseParams are the values every scenario starts from; each scenario overlays its own.
func baseParams() Params {
	return Params{
		Tasks: 20, Workers: 5, Queue: 10, QueuePolicy: "bounded", Workload: "io",
		WorkIterations: 1_000_000, SleepMaxMs: 0, FailureRate: 0, TaskTimeoutMs: 0,
		TimeoutMs: 0, Connections: 3, Seed: 1, TimeScale: 1, Mode: "real", Break: 0,
		Trials: 1, ProducerEveryMs: 0, RatePerS: 10, Burst: 1,
	}
}
