//go:build js

package main

import (
	"errors"
	"runtime"

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
