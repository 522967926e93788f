// Command seedchecks runs small, self-contained checks of statements the
// source document makes about Go, each against 127.0.0.1 only:
//
//	seedchecks -check panic-goroutine   # does a panic in one goroutine end the process?
//	seedchecks -check panic-handler     # does a panic in a net/http handler end the server?
//	seedchecks -check reuse -c 100 -r 20  # connections opened by concurrent http.Get calls
//
// Each prints one JSON object to stdout. panic-goroutine prints it only if
// the process is still alive after the panic; the caller reads its absence
// and the exit status (2) as the answer.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	check := flag.String("check", "", "panic-goroutine, panic-handler or reuse")
	c := flag.Int("c", 100, "reuse: concurrent goroutines")
	r := flag.Int("r", 20, "reuse: sequential requests per goroutine")
	flag.Parse()
	var out any
	var err error
	switch *check {
	case "panic-goroutine":
		out = PanicGoroutine(200 * time.Millisecond)
	case "panic-handler":
		out, err = PanicHandler()
	case "reuse":
		if *c < 1 || *c > 5000 || *r < 1 || *r > 1000 {
			fmt.Fprintln(os.Stderr, "seedchecks: -c must be 1-5000 and -r 1-1000")
			os.Exit(2)
		}
		out, err = Reuse(*c, *r)
	default:
		fmt.Fprintln(os.Stderr, "seedchecks: -check must be panic-goroutine, panic-handler or reuse")
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "seedchecks:", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(out)
}

// PanicGoroutine starts a worker goroutine that panics while the main
// goroutine keeps working for `wait`. It returns only if the process
// survived the panic (the Go spec says it does not).
func PanicGoroutine(wait time.Duration) map[string]any {
	var ticks atomic.Int64
	go func() {
		time.Sleep(wait / 4)
		var m map[string]int
		m["boom"] = 1 // assignment to a nil map: a run-time panic nobody recovers
	}()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		ticks.Add(1)
		time.Sleep(time.Millisecond)
	}
	return map[string]any{"check": "panic-goroutine", "survived": true, "ticks": ticks.Load()}
}

// PanicHandler serves one handler that panics and one that answers, then
// asks both: net/http recovers a handler's panic and drops that connection.
func PanicHandler() (map[string]any, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/panic", func(http.ResponseWriter, *http.Request) { panic("handler panic") })
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	// net/http logs the recovered panic with its stack; keep stderr for real errors
	srv := &http.Server{Handler: mux, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}
	_, panicErr := client.Get(base + "/panic")
	resp, err := client.Get(base + "/ok")
	survived := err == nil && resp.StatusCode == 200
	if resp != nil {
		resp.Body.Close()
	}
	msg := ""
	if panicErr != nil {
		msg = panicErr.Error()
	}
	return map[string]any{"check": "panic-handler", "server_survived": survived, "panic_request_error": msg}, nil
}

// ReuseResult is what one transport setting did under concurrency.
type ReuseResult struct {
	Transport      string  `json:"transport"`
	MaxIdlePerHost int     `json:"max_idle_conns_per_host"`
	ClosesBody     bool    `json:"closes_body"`
	Requests       int     `json:"requests"`
	Errors         int     `json:"errors"`
	NewConns       int64   `json:"new_connections"`
	ReusedFraction float64 `json:"reused_fraction"`
	Seconds        float64 `json:"seconds"`
}

// Reuse runs c goroutines that each make r sequential GETs against a local
// server, with three clients: the default transport (what http.Get uses:
// 2 idle connections kept per host), a transport that keeps c idle
// connections per host, and the source's loop (default transport, body never
// closed). The server counts the connections it accepts.
func Reuse(c, r int) (map[string]any, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var accepted atomic.Int64
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") }),
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				accepted.Add(1)
			}
		},
	}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/healthz"
	base := http.DefaultTransport.(*http.Transport)
	runs := []struct {
		name  string
		idle  int
		close bool
	}{{"default", 0, true}, {"max_idle_per_host_c", c, true}, {"seed_no_close", 0, false}}
	results := map[string]any{"check": "reuse", "concurrency": c, "requests_per_goroutine": r,
		"default_max_idle_conns_per_host": http.DefaultMaxIdleConnsPerHost}
	for _, run := range runs {
		tr := base.Clone()
		tr.MaxIdleConnsPerHost = run.idle
		client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
		before := accepted.Load()
		var errs atomic.Int64
		var wg sync.WaitGroup
		t0 := time.Now()
		for g := 0; g < c; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < r; i++ {
					resp, err := client.Get(url)
					if err != nil {
						errs.Add(1)
						continue
					}
					if run.close {
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
					}
				}
			}()
		}
		wg.Wait()
		n := c * r
		conns := accepted.Load() - before
		results[run.name] = ReuseResult{Transport: run.name, MaxIdlePerHost: run.idle, ClosesBody: run.close,
			Requests: n, Errors: int(errs.Load()), NewConns: conns,
			ReusedFraction: 1 - float64(conns)/float64(n), Seconds: time.Since(t0).Seconds()}
		tr.CloseIdleConnections()
	}
	return results, nil
}
