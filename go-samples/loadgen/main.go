// Command loadgen is a closed-loop HTTP/1.1 keep-alive load generator.
//
// Usage:
//
//	loadgen -url http://host:port/path [-c 16] [-d 5s] [-warmup 1s] [-n 0] [-timeout 2s] [-spec FILE]
//
// With -spec, FILE is a JSON object {"requests": [{"method": "POST",
// "path": "/orders", "headers": {...}, "body": "...", "expect_status": 201,
// "expect_body": ["\"total\""]}, ...]}: each connection sends the requests in
// turn to -url's host, and a response counts only if it passes its checks.
//
// It prints one JSON object (see loadgen.Result) to stdout. The exit code
// is 0 after a run, even if requests failed, 1 if the target could not be
// reached at all and 2 for invalid flags.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gohandbook.example/samples/internal/loadgen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// parseFlags turns the command line into a validated Config.
func parseFlags(args []string, stderr io.Writer) (loadgen.Config, error) {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg loadgen.Config
	fs.StringVar(&cfg.URL, "url", "", "target `URL`, http://host:port/path (required)")
	fs.IntVar(&cfg.Connections, "c", 16, "concurrent keep-alive connections")
	fs.DurationVar(&cfg.Duration, "d", 5*time.Second, "measured duration after warm-up (ignored with -n unless set explicitly)")
	fs.DurationVar(&cfg.Warmup, "warmup", time.Second, "warm-up duration whose requests are not counted")
	fs.Int64Var(&cfg.Requests, "n", 0, "stop after this many counted requests (0: run for -d)")
	fs.DurationVar(&cfg.Timeout, "timeout", 2*time.Second, "per-request timeout")
	spec := fs.String("spec", "", "JSON `file` with a request list and checks (see the package doc)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if *spec != "" {
		reqs, err := readSpec(*spec)
		if err != nil {
			return cfg, err
		}
		cfg.Targets = reqs
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if cfg.URL == "" {
		return cfg, errors.New("-url is required")
	}
	if cfg.Requests > 0 {
		explicitD := false
		fs.Visit(func(f *flag.Flag) { explicitD = explicitD || f.Name == "d" })
		if !explicitD {
			cfg.Duration = 0
		}
	}
	return cfg, cfg.Validate()
}

// readSpec reads a request list; unknown fields are errors (a typo must not
// silently drop a check).
func readSpec(path string) ([]loadgen.Request, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("-spec: %w", err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var spec struct {
		Requests []loadgen.Request `json:"requests"`
	}
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("-spec %s: %w", path, err)
	}
	if len(spec.Requests) == 0 {
		return nil, fmt.Errorf("-spec %s: no requests", path)
	}
	return spec.Requests, nil
}

// run executes one load-generation run and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 2
	}
	res, err := loadgen.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "loadgen: %v\n", err)
		return 1
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintf(stderr, "loadgen: write result: %v\n", err)
		return 1
	}
	return 0
}
