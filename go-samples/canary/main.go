// Command canary is chapter 4's traffic-shifting router: it splits requests
// by weight between a stable and a canary backend and steps the weight
// through a plan, checking the canary's success rate every interval and
// rolling back or promoting it, with Flagger's semantics (see Plan).
//
// Usage:
//
//	canary -stable http://127.0.0.1:P1 -canary http://127.0.0.1:P2 [-addr 127.0.0.1:8080]
//	       [-steps 5,50,100] [-interval 60s] [-threshold 1] [-min-success 99] [-header x-canary] [-arm]
//
// A request with "x-canary: v2" always goes to the canary and one with
// "x-canary: v1" to the stable backend; neither counts in the analysis.
// Every response carries "X-Served-By: stable|canary". Admin API:
//
//	GET  /admin/ready    200 while running
//	GET  /admin/status   the rollout as JSON (state, plan, checks, counts)
//	POST /admin/arm      reset to a plan (query: steps, interval_ms, threshold, min_success;
//	                     missing ones come from the flags); the rollout starts with the
//	                     next proxied request
//
// With -arm the flags' plan is armed at start. Once listening it prints
// exactly one line to stdout: READY http://<host:port>.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gohandbook.example/samples/internal/serve"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("canary", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address host:port (port 0 picks a free port)")
	stableURL := fs.String("stable", "", "stable backend base URL (required)")
	canaryURL := fs.String("canary", "", "canary backend base URL (required)")
	header := fs.String("header", "x-canary", "header that pins a request: v2 canary, v1 stable")
	steps := fs.String("steps", "5,50,100", "canary weights in percent, one per interval")
	var p Plan
	fs.DurationVar(&p.Interval, "interval", time.Minute, "analysis interval")
	fs.IntVar(&p.Threshold, "threshold", 1, "failed checks before rollback")
	fs.Float64Var(&p.MinSuccess, "min-success", 99, "minimum canary success rate in percent")
	arm := fs.Bool("arm", false, "arm the plan at start")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "canary: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return bad("unexpected arguments: %v", fs.Args())
	}
	var err error
	if p.Steps, err = ParseSteps(*steps); err != nil {
		return bad("%v", err)
	}
	if err := p.Validate(); err != nil {
		return bad("%v", err)
	}
	targets := make([]*url.URL, 2)
	for i, raw := range []string{*stableURL, *canaryURL} {
		u, err := url.Parse(raw)
		if raw == "" || err != nil || u.Scheme != "http" || u.Host == "" {
			return bad("-stable and -canary need http://host:port URLs, got %q", raw)
		}
		targets[i] = u
	}
	r := NewRouter(targets[0], targets[1], *header)
	if *arm {
		r.Arm(p)
	}
	if err := serve.Run(ctx, *addr, r.Handler(p), stdout); err != nil {
		fmt.Fprintf(stderr, "canary: %v\n", err)
		return 1
	}
	return 0
}
