// Command faultyhealth is the health-check service of chapter 1 with fault
// injection that can be switched while it runs, for chapter 4's chaos and
// canary experiments.
//
// Usage:
//
//	faultyhealth [-addr 127.0.0.1:8080] [-latency 0s] [-jitter 0s] [-error-pct 0] [-status 500]
//	             [-cpu-hogs 0] [-cpu-load 100] [-seed 1]
//
// GET /healthz answers like the chapter 1 service, through the active faults.
// The admin API is never faulty:
//
//	GET    /admin/ready     200 while the process runs (readiness for the harness)
//	GET    /admin/faults    the active faults as JSON
//	POST   /admin/faults    set faults from query parameters latency_ms, jitter_ms,
//	                        error_pct, status, cpu_hogs, cpu_load (unset ones keep their value)
//	DELETE /admin/faults    clear every fault
//	POST   /admin/kill      answer 202, then exit at once with status 137 (no graceful shutdown)
//
// Once listening it prints exactly one line to stdout: READY http://<host:port>.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"gohandbook.example/samples/internal/serve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exit is replaced in tests.
var exit = os.Exit

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("faultyhealth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address host:port (port 0 picks a free port)")
	var f Faults
	fs.DurationVar(&f.Latency, "latency", 0, "added latency per request")
	fs.DurationVar(&f.Jitter, "jitter", 0, "uniform random extra latency in [0, jitter)")
	fs.Float64Var(&f.ErrorPct, "error-pct", 0, "percentage of requests answered with -status instead of 200")
	fs.IntVar(&f.Status, "status", http.StatusInternalServerError, "status code of injected errors")
	fs.IntVar(&f.CPUHogs, "cpu-hogs", 0, "goroutines burning CPU")
	fs.Float64Var(&f.CPULoad, "cpu-load", 100, "busy percentage of each CPU hog")
	seed := fs.Uint64("seed", 1, "random seed for error and jitter draws")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "faultyhealth: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	if err := f.Validate(); err != nil {
		fmt.Fprintf(stderr, "faultyhealth: %v\n", err)
		return 2
	}
	svc := NewService(*seed)
	svc.Set(f)
	defer svc.Set(Faults{Status: http.StatusInternalServerError}) // stop the CPU hogs
	if err := serve.Run(ctx, *addr, svc.Handler(func() { exit(137) }), stdout); err != nil {
		fmt.Fprintf(stderr, "faultyhealth: %v\n", err)
		return 1
	}
	return 0
}
