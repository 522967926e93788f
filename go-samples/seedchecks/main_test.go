package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestPanicHandlerIsRecovered(t *testing.T) {
	out, err := PanicHandler()
	if err != nil {
		t.Fatal(err)
	}
	if out["server_survived"] != true {
		t.Fatalf("net/http server did not survive a handler panic: %v", out)
	}
}

// The panic check must end the process: run this test binary as the child.
func TestPanicGoroutineEndsProcess(t *testing.T) {
	if os.Getenv("SEEDCHECKS_CHILD") == "1" {
		PanicGoroutine(200 * time.Millisecond)
		os.Exit(0)
	}
	cmd := exec.Command(os.Args[0], "-test.run=TestPanicGoroutineEndsProcess")
	cmd.Env = append(os.Environ(), "SEEDCHECKS_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("process survived a goroutine panic: %s", out)
	}
	if !strings.Contains(string(out), "panic: assignment to entry in nil map") {
		t.Fatalf("unexpected output: %s", out)
	}
}

func TestReuseCountsConnections(t *testing.T) {
	out, err := Reuse(20, 5)
	if err != nil {
		t.Fatal(err)
	}
	tuned := out["max_idle_per_host_c"].(ReuseResult)
	seed := out["seed_no_close"].(ReuseResult)
	if tuned.Errors != 0 || tuned.NewConns < 1 || tuned.NewConns > 40 {
		t.Fatalf("tuned transport: %+v", tuned)
	}
	// a body that is never closed pins its connection: every request dials anew
	if seed.NewConns != int64(seed.Requests-seed.Errors) {
		t.Fatalf("seed loop reused connections: %+v", seed)
	}
}
