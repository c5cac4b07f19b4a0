//go:build !js

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"runtime"
)

// runChild re-executes this program for a variant that may crash, with every goroutine in the
// crash's traceback (GOTRACEBACK=all), and builds the report from what the child streamed and
// what Go printed when it died.
func runChild(inv *invocation, args []string) (*Report, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), childEnv+"=1", "GOTRACEBACK=all")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	status := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		status = exit.ExitCode()
	} else if err != nil {
		return nil, err
	}
	ps, rep := parseStream(stdout.String())
	if rep != nil && status == 0 {
		return rep, nil
	}
	return crashReport(inv, crashed{progress: ps, stderr: stderr.String(), status: status}), nil
}

func goVersion() string { return runtime.Version() }
func gomaxprocs() int   { return runtime.GOMAXPROCS(0) }

var stdout writer = os.Stdout

// settleRuntime: nothing to settle natively (see child_js.go).
func settleRuntime() {}
