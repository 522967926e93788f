// Command healthcheck serves GET /healthz (200, "ok\n") until SIGTERM or
// SIGINT, then shuts down gracefully.
//
// Usage:
//
//	healthcheck [-addr 127.0.0.1:8080]
//
// Once listening it prints exactly one line to stdout:
//
//	READY http://<host:port>
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"gohandbook.example/samples/internal/health"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, serves until ctx is done and returns the exit code:
// 0 after a clean shutdown, 1 on a runtime error, 2 on bad flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address host:port (port 0 picks a free port)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "healthcheck: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	if err := health.Serve(ctx, *addr, stdout); err != nil {
		fmt.Fprintf(stderr, "healthcheck: %v\n", err)
		return 1
	}
	return 0
}
