package main

// Report is the subset of the Rust engine's Report that the Go programs print (CONTRACT.md),
// plus build, threads, log and go_version.
type Report struct {
	Scenario         string             `json:"scenario"`
	Variant          string             `json:"variant"`
	Engine           string             `json:"engine"`
	Params           Params             `json:"params"`
	Build            string             `json:"build"`
	Threads          int                `json:"threads"`
	WallMs           float64            `json:"wall_ms"`
	RuntimeMs        float64            `json:"runtime_ms"`
	GoroutinesBefore int                `json:"goroutines_before"`
	PeakGoroutines   int64              `json:"peak_goroutines"`
	GoroutinesAfter  int                `json:"goroutines_after"`
	HeapPeakBytes    uint64             `json:"heap_peak_bytes"`
	TotalAllocBytes  uint64             `json:"total_alloc_bytes"`
	Tasks            TaskCounts         `json:"tasks"`
	LatencyMs        Latency            `json:"latency_ms"`
	ThroughputPerS   float64            `json:"throughput_per_s"`
	Series           Series             `json:"series"`
	Findings         []Finding          `json:"findings"`
	Numbers          map[string]float64 `json:"numbers"`
	Log              []string           `json:"log"`
	Ended            Ended              `json:"ended"`
	ExitStatus       int                `json:"exit_status"`
	GoVersion        string             `json:"go_version"`
}
