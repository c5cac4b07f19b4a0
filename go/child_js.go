//go:build js

package main

import (
	"errors"
	"runtime"
	"time"
	"unsafe"

	// The runtime calls syscall/js's event handler when the page resumes a paused program;
	// the Go engine worker resumes a program that has nothing left to wait for, so that Go's
	// own deadlock detector reports it (as wasm_exec_node.js does on exit).
	_ "syscall/js"
)

// In the browser there are no processes: the Go engine worker (www/go-worker.js) watches the
// program from outside and builds a crash's report itself.
func runChild(*invocation, []string) (*Report, error) {
	return nil, errors.New("no child processes in the browser")
}

func goVersion() string { return runtime.Version() }
func gomaxprocs() int   { return runtime.GOMAXPROCS(0) }

//go:linkname runtimeWrite runtime.write
func runtimeWrite(fd uintptr, p unsafe.Pointer, n int32) int32

// jsStdout writes straight to fd 1 through the runtime, as panics reach fd 2. os.Stdout on js
// goes through syscall/js with a callback, and the event that delivers the callback leaves a
// goroutine parked in the runtime that runtime.NumGoroutine() counts: one phantom goroutine in
// every count after the first line of output.
type jsStdout struct{}

func (jsStdout) Write(p []byte) (int, error) {
	if len(p) > 0 {
		runtimeWrite(1, unsafe.Pointer(&p[0]), int32(len(p)))
	}
	return len(p), nil
}

var stdout writer = jsStdout{}

// settleRuntime lets the program go idle once before a run is measured. The first time a js/wasm
// program has nothing to run, the runtime starts a goroutine to wait for browser events
// (runtime.handleAsyncEvent), and that goroutine lives on, parked, for the rest of the program,
// counted by runtime.NumGoroutine(). Starting it before the baseline is taken keeps it out of
// every count.
func settleRuntime() { time.Sleep(time.Millisecond) }
