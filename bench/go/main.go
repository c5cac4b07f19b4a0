// The Go side of `cargo run --release -- bench`: the same five figures, measured the same way,
// printed as one JSON object. Run by the Rust bench when `go` is on PATH.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

func doWork() int {
	sum := 0
	for i := 0; i < 1000000; i++ {
		sum += i
	}
	return sum
}

func spawnNs(n int) float64 {
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

func bytesPerBlocked(n int) float64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ch := make(chan int)
	var ready sync.WaitGroup
	for i := 0; i < n; i++ {
		ready.Add(1)
		go func() { ready.Done(); <-ch }()
	}
	ready.Wait()
	time.Sleep(10 * time.Millisecond)
	runtime.ReadMemStats(&after)
	used := float64((after.HeapInuse + after.StackInuse) - (before.HeapInuse + before.StackInuse))
	close(ch)
	return used / float64(n)
}

func pingPongNs(n int) float64 {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
	}()
	start := time.Now()
	for i := 0; i < n; i++ {
		ping <- i
		<-pong
	}
	close(ping)
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

func dispatchNs(n, workers int) float64 {
	jobs := make(chan int, 100)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
			}
		}()
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}

func cpuSpeedup(tasks int) (float64, float64) {
	start := time.Now()
	for i := 0; i < tasks; i++ {
		doWork()
	}
	serial := time.Since(start)
	jobs := make(chan int, 100)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				doWork()
			}
		}()
	}
	start = time.Now()
	for i := 0; i < tasks; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	pool := time.Since(start)
	return float64(serial.Milliseconds()), float64(serial) / float64(pool)
}

// warmUp runs f until d has passed, once at least.
func warmUp(d time.Duration, f func()) {
	start := time.Now()
	for {
		f()
		if time.Since(start) >= d {
			return
		}
	}
}

func main() {
	// The Rust suite's `Sizes::FULL.warm_up`, which `cargo run --release -- bench` hands over
	// (src/cli/bench.rs): no default here, so the two cannot drift apart.
	warmUpFor := flag.Duration("warmup", -1, "how long to warm each time up, a Go duration (required)")
	flag.Parse()
	if *warmUpFor < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: go run . -warmup DURATION (`cargo run --release -- bench` runs it with Sizes::FULL.warm_up)")
		os.Exit(2)
	}
	// Each time is first measured at the same size, repeated for the warm-up, its results dropped:
	// the Rust suite warms its times up so (for the browser's optimizing compiler, see `measure` in
	// src/bench.rs), and Go is measured alike. The heap per blocked goroutine is measured cold,
	// as there: after a warm-up Go reuses the dead goroutines.
	warmUp(*warmUpFor, func() { cpuSpeedup(1000) })
	serialMs, speedup := cpuSpeedup(1000)
	warmUp(*warmUpFor, func() { spawnNs(1000000) })
	spawn := spawnNs(1000000)
	blocked := bytesPerBlocked(100000)
	warmUp(*warmUpFor, func() { pingPongNs(200000) })
	pingPong := pingPongNs(200000)
	warmUp(*warmUpFor, func() { dispatchNs(1000000, 2) })
	dispatch := dispatchNs(1000000, 2)
	out := map[string]interface{}{
		"go_version":                  runtime.Version(),
		"gomaxprocs":                  runtime.GOMAXPROCS(0),
		"spawn_ns_per_goroutine":      spawn,
		"bytes_per_blocked_goroutine": blocked,
		"chan_pingpong_ns":            pingPong,
		"pool_dispatch_ns_per_job":    dispatch,
		"cpu_speedup":                 speedup,
		"cpu_serial_ms":               serialMs,
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
