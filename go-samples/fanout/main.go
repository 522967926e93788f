// Command fanout sends N HTTP GET requests to one URL, the way the source
// document's snippet does (one goroutine per request, nothing bounded), or
// through a bounded worker pool, and reports completion time, errors by
// kind and the process's peak RSS, threads and open files.
//
// Usage:
//
//	fanout -url http://127.0.0.1:PORT/healthz -n 100000 -mode seed|unbounded|bounded [-workers 64] [-deadline 60s]
//
// Modes:
//
//	seed       the snippet as written: go http.Get(...) per request on
//	           http.DefaultClient; the response body is never closed
//	unbounded  the same, but each body is read and closed
//	bounded    at most -workers requests in flight (an errgroup-style limit),
//	           bodies read and closed, a Transport keeping -workers idle
//	           connections so they are reused
//
// Only loopback URLs are accepted: this program is meant to hammer a local
// test server, never an outside host. Requests still running at -deadline
// are counted as unfinished. It prints one JSON object to stdout.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gohandbook.example/samples/internal/procstat"
)

// Result is the program's output.
type Result struct {
	Mode           string            `json:"mode"`
	N              int               `json:"n"`
	Workers        int               `json:"workers"`
	OK             int64             `json:"ok"`
	Errors         int64             `json:"errors"`
	Unfinished     int64             `json:"unfinished"`
	ErrorKinds     map[string]int64  `json:"error_kinds"`
	FirstErrors    map[string]string `json:"first_errors"`
	Seconds        float64           `json:"seconds"`
	DeadlineHit    bool              `json:"deadline_hit"`
	PeakRSSKiB     int64             `json:"peak_rss_kib"`
	PeakGoroutines int               `json:"peak_goroutines"`
	PeakFDs        int64             `json:"peak_fds"`
	PeakThreads    int64             `json:"peak_threads"`
	FDLimit        uint64            `json:"fd_limit"`
	GoVersion      string            `json:"go_version"`
	ClosesBody     bool              `json:"closes_body"`
}

// Kind sorts an error into a few readable classes.
func Kind(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "too many open files"):
		return "too many open files"
	case strings.Contains(msg, "cannot assign requested address"):
		return "no free local port"
	case strings.Contains(msg, "connection reset"):
		return "connection reset"
	case strings.Contains(msg, "connection refused"):
		return "connection refused"
	case strings.Contains(msg, "timeout"), strings.Contains(msg, "deadline exceeded"):
		return "timeout"
	case strings.Contains(msg, "EOF"):
		return "unexpected EOF"
	case strings.HasPrefix(msg, "HTTP "):
		return "HTTP status"
	}
	return "other"
}

type tally struct {
	mu    sync.Mutex
	ok    atomic.Int64
	errs  atomic.Int64
	kinds map[string]int64
	first map[string]string
	done  atomic.Int64
}

func (t *tally) record(err error) {
	t.done.Add(1)
	if err == nil {
		t.ok.Add(1)
		return
	}
	t.errs.Add(1)
	k := Kind(err)
	t.mu.Lock()
	t.kinds[k]++
	if _, seen := t.first[k]; !seen {
		t.first[k] = err.Error()
	}
	t.mu.Unlock()
}

// group is a minimal errgroup with SetLimit: Go blocks while limit
// functions are running.
type group struct {
	wg  sync.WaitGroup
	sem chan struct{}
}

func newGroup(limit int) *group { return &group{sem: make(chan struct{}, limit)} }

func (g *group) Go(f func()) {
	g.sem <- struct{}{}
	g.wg.Add(1)
	go func() {
		defer func() { <-g.sem; g.wg.Done() }()
		f()
	}()
}

func (g *group) Wait() { g.wg.Wait() }

func checkStatus(resp *http.Response) error {
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// Run performs the fan-out and returns when every request finished or the
// deadline passed.
func Run(mode, target string, n, workers int, deadline time.Duration) (Result, error) {
	t := &tally{kinds: map[string]int64{}, first: map[string]string{}}
	all := make(chan struct{})
	var wg sync.WaitGroup
	res := Result{Mode: mode, N: n, GoVersion: runtime.Version(), ClosesBody: mode != "seed"}
	// Opened now: at the peak the process may have no descriptor left to open /proc files.
	ps, err := procstat.Open()
	if err != nil {
		return res, fmt.Errorf("read /proc: %w", err)
	}
	defer ps.Close()
	stopSampler := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // peak goroutines, open files and threads, every 5 ms
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if g := runtime.NumGoroutine(); g > res.PeakGoroutines {
				res.PeakGoroutines = g
			}
			s := ps.Read()
			res.PeakFDs = max(res.PeakFDs, s.FDs)
			res.PeakThreads = max(res.PeakThreads, s.Threads)
			select {
			case <-stopSampler:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	switch mode {
	case "seed":
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func(id int) {
				defer wg.Done()
				resp, err := http.Get(target + "?task=" + strconv.Itoa(id))
				if err == nil {
					err = checkStatus(resp) // as in the snippet, resp.Body is never closed
				}
				t.record(err)
			}(i)
		}
	case "unbounded":
		wg.Add(n)
		for i := 0; i < n; i++ {
			go func(id int) {
				defer wg.Done()
				t.record(getAndClose(http.DefaultClient, target+"?task="+strconv.Itoa(id)))
			}(i)
		}
	case "bounded":
		res.Workers = workers
		client := &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				MaxIdleConns: workers, MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers,
				IdleConnTimeout: 30 * time.Second,
			},
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			g := newGroup(workers)
			for i := 0; i < n; i++ {
				id := i
				g.Go(func() { t.record(getAndClose(client, target+"?task="+strconv.Itoa(id))) })
			}
			g.Wait()
		}()
	default:
		return res, fmt.Errorf("unknown mode %q (seed, unbounded or bounded)", mode)
	}
	go func() { wg.Wait(); close(all) }()
	select {
	case <-all:
	case <-time.After(deadline):
		res.DeadlineHit = true
	}
	res.Seconds = time.Since(start).Seconds()
	close(stopSampler)
	<-sampled
	res.OK, res.Errors = t.ok.Load(), t.errs.Load()
	res.Unfinished = int64(n) - t.done.Load()
	t.mu.Lock()
	res.ErrorKinds, res.FirstErrors = t.kinds, t.first
	t.mu.Unlock()
	res.PeakRSSKiB = ps.Read().HWMKiB
	res.FDLimit = fdLimit()
	return res, nil
}

func getAndClose(c *http.Client, u string) error {
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return checkStatus(resp)
}

// CheckLoopback refuses any URL whose host is not a loopback address.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("-url must be an http:// URL: %q", raw)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		return errors.New("-url must point at a loopback address (127.0.0.1 or ::1): this tool is for local tests only")
	}
	return nil
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fanout", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "", "loopback URL to GET (required)")
	n := fs.Int("n", 100000, "number of requests")
	mode := fs.String("mode", "seed", "seed, unbounded or bounded")
	workers := fs.Int("workers", 64, "in-flight limit for -mode bounded")
	deadline := fs.Duration("deadline", 60*time.Second, "stop waiting after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if err := CheckLoopback(*target); err != nil {
		fmt.Fprintln(stderr, "fanout:", err)
		return 2
	}
	if *n < 1 || *n > 1_000_000 || *workers < 1 || *workers > 10000 || *deadline <= 0 {
		fmt.Fprintln(stderr, "fanout: need 1 <= -n <= 1000000, 1 <= -workers <= 10000, -deadline > 0")
		return 2
	}
	res, err := Run(*mode, *target, *n, *workers, *deadline)
	if err != nil {
		fmt.Fprintln(stderr, "fanout:", err)
		return 2
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		return 1
	}
	return 0
}

func main() {
	code := run(os.Args[1:], os.Stdout, os.Stderr)
	os.Exit(code) // does not wait for requests still running after the deadline
}
