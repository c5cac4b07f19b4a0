package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The guide's by-value WaitGroup code does not pass go vet. testdata/byvalue.go keeps that code
// (outside ./..., so `go vet ./...` stays clean) and testdata/byvalue.vet.txt keeps vet's words,
// which the page quotes: this test fails when vet stops rejecting the code or words change.
func TestVetRejectsWaitGroupByValue(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "vet", "./testdata/byvalue.go").CombinedOutput()
	if err == nil {
		t.Fatalf("go vet accepted testdata/byvalue.go; it must reject a WaitGroup passed by value:\n%s", out)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if !strings.HasPrefix(line, "#") {
			got = append(got, line)
		}
	}
	want, err := os.ReadFile("testdata/byvalue.vet.txt")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.TrimSpace(string(want)) {
		t.Errorf("go vet said:\n%s\ntestdata/byvalue.vet.txt says:\n%s", strings.Join(got, "\n"), want)
	}
	for _, words := range []string{"passes lock by value: sync.WaitGroup contains sync.noCopy",
		"call of incorrectWorker copies lock value"} {
		if !strings.Contains(string(out), words) {
			t.Errorf("go vet's output lacks %q", words)
		}
	}
}
