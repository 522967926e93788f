// Command proxy is a small HTTP reverse proxy (net/http/httputil.ReverseProxy)
// used to find a Go data plane's performance knee. It forwards every request
// to one upstream and differs between its two variants only in where the
// buffer that copies each response body comes from:
//
//   - fresh: a new buffer per request (like a per-connection make([]byte, n)
//     in the seed's MOSN snippet; ReverseProxy without a BufferPool does the
//     same with 32 KiB);
//   - pooled: an httputil.BufferPool backed by sync.Pool, so buffers are reused.
//
// Usage:
//
//	proxy -upstream http://127.0.0.1:8080 [-addr 127.0.0.1:0] [-buffers fresh|pooled]
//	      [-buffer-size 32768] [-max-idle 1024]
//
// Once listening it prints one line, READY http://<host:port>. GET
// /debug/runtime answers with JSON: requests proxied so far and a snapshot of
// runtime/metrics (allocations, GC cycles, GC CPU, GC pauses), so a caller can
// take differences around a load run. SIGTERM or SIGINT shut it down.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Config is what the flags select.
type Config struct {
	Addr       string
	Upstream   *url.URL
	Buffers    string // "fresh" or "pooled"
	BufferSize int
	MaxIdle    int
}

func parseFlags(args []string, stderr io.Writer) (Config, error) {
	fs := flag.NewFlagSet("proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg Config
	upstream := fs.String("upstream", "", "upstream base `URL`, http://host:port (required)")
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:0", "listen address host:port (port 0 picks a free port)")
	fs.StringVar(&cfg.Buffers, "buffers", "pooled", "copy buffers: fresh (allocated per request) or pooled (sync.Pool)")
	fs.IntVar(&cfg.BufferSize, "buffer-size", 32*1024, "copy buffer size in bytes")
	fs.IntVar(&cfg.MaxIdle, "max-idle", 1024, "idle keep-alive connections kept to the upstream")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *upstream == "" {
		return cfg, errors.New("-upstream is required")
	}
	u, err := url.Parse(*upstream)
	if err != nil || (u.Scheme != "http") || u.Host == "" {
		return cfg, fmt.Errorf("-upstream %q: want http://host:port", *upstream)
	}
	cfg.Upstream = u
	if cfg.Buffers != "fresh" && cfg.Buffers != "pooled" {
		return cfg, fmt.Errorf("-buffers %q: want fresh or pooled", cfg.Buffers)
	}
	if cfg.BufferSize < 512 || cfg.BufferSize > 1<<24 {
		return cfg, fmt.Errorf("-buffer-size %d: want 512 to 16777216", cfg.BufferSize)
	}
	if cfg.MaxIdle < 0 {
		return cfg, fmt.Errorf("-max-idle %d: want >= 0", cfg.MaxIdle)
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "proxy: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(stderr, "proxy: listen on %s: %v\n", cfg.Addr, err)
		return 1
	}
	srv := &http.Server{Handler: New(cfg, log.New(stderr, "proxy: ", 0)), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "READY http://%s\n", ln.Addr())
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "proxy: serve: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintf(stderr, "proxy: shutdown: %v\n", err)
		return 1
	}
	return 0
}
