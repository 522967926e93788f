// Package loadgen is a closed-loop HTTP/1.1 keep-alive load generator.
//
// Each connection is served by one goroutine that writes a pre-serialised
// GET request on a raw net.Conn, reads the complete response with a minimal
// parser and immediately sends the next request. Latencies go into a
// per-goroutine log-linear histogram that is merged at the end, so the hot
// path takes no locks, uses no channels and does not allocate.
package loadgen

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gohandbook.example/samples/internal/hist"
)

// Request is one request of a request list. Each connection sends the list
// in turn; a response counts as successful only if it passes the checks.
type Request struct {
	Method       string            `json:"method"`        // default GET
	Path         string            `json:"path"`          // path and query, e.g. /quote?sku=A1
	Headers      map[string]string `json:"headers"`       // extra request headers
	Body         string            `json:"body"`          // request body (Content-Length is set)
	ExpectStatus int               `json:"expect_status"` // 0: any 2xx
	ExpectBody   []string          `json:"expect_body"`   // substrings the response body must contain
}

// Config describes one load-generation run.
type Config struct {
	URL         string        // http://host[:port]/path[?query]
	Targets     []Request     // sent in turn on each connection; empty: GET on URL's path
	Connections int           // concurrent keep-alive connections (>= 1)
	Duration    time.Duration // measured window; 0 means unbounded (needs Requests)
	Warmup      time.Duration // un-counted warm-up before the window (>= 0)
	Requests    int64         // stop after this many counted requests; 0 means no limit
	Timeout     time.Duration // per request (> 0); enforced with up to 10% slack
}

// Latency summarises the latency distribution of successful requests, in
// milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// Result is the outcome of a run; it is printed as JSON by cmd loadgen.
type Result struct {
	URL          string            `json:"url"`
	Connections  int               `json:"connections"`
	DurationS    float64           `json:"duration_s"` // measured window, after warm-up
	WarmupS      float64           `json:"warmup_s"`
	Requests     uint64            `json:"requests"` // successful (2xx) responses in the window
	Errors       uint64            `json:"errors"`   // status_errors + io_errors + body_errors
	StatusErrors map[string]uint64 `json:"status_errors"`
	BodyErrors   uint64            `json:"body_errors"` // right status, but an expected substring was missing
	IOErrors     uint64            `json:"io_errors"`
	FirstError   string            `json:"first_error"`
	QPS          float64           `json:"qps"` // requests / duration_s
	LatencyMS    Latency           `json:"latency_ms"`
	GOMAXPROCS   int               `json:"gomaxprocs"`
	GoVersion    string            `json:"go_version"`
}

// target is a parsed, validated URL.
type target struct {
	addr    string // host:port to dial
	host    string // Host header
	request []byte // serialised GET request
}

// prepared is one serialised request with its checks.
type prepared struct {
	raw          []byte
	expectStatus int
	expectBody   [][]byte
}

func (t target) prepare(reqs []Request) ([]prepared, error) {
	if len(reqs) == 0 {
		return []prepared{{raw: t.request}}, nil
	}
	out := make([]prepared, len(reqs))
	for i, r := range reqs {
		method := r.Method
		if method == "" {
			method = "GET"
		}
		if strings.ContainsAny(method, " \r\n") || !strings.HasPrefix(r.Path, "/") || strings.ContainsAny(r.Path, " \r\n") {
			return nil, fmt.Errorf("request %d: need a method without spaces and a path starting with / (got %q %q)", i+1, method, r.Path)
		}
		if r.ExpectStatus != 0 && (r.ExpectStatus < 100 || r.ExpectStatus > 599) {
			return nil, fmt.Errorf("request %d: expect_status %d is not an HTTP status", i+1, r.ExpectStatus)
		}
		var b strings.Builder
		b.WriteString(method + " " + r.Path + " HTTP/1.1\r\nHost: " + t.host + "\r\n")
		names := make([]string, 0, len(r.Headers))
		for k := range r.Headers {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := r.Headers[k]
			if k == "" || strings.ContainsAny(k, ": \r\n") || strings.ContainsAny(v, "\r\n") {
				return nil, fmt.Errorf("request %d: bad header %q", i+1, k)
			}
			b.WriteString(k + ": " + v + "\r\n")
		}
		if r.Body != "" || method == "POST" || method == "PUT" || method == "PATCH" {
			b.WriteString("Content-Length: " + strconv.Itoa(len(r.Body)) + "\r\n")
		}
		b.WriteString("\r\n" + r.Body)
		p := prepared{raw: []byte(b.String()), expectStatus: r.ExpectStatus}
		for _, sub := range r.ExpectBody {
			p.expectBody = append(p.expectBody, []byte(sub))
		}
		out[i] = p
	}
	return out, nil
}

// ok tells whether a response passes the request's checks: 0 yes, 1 wrong
// status, 2 right status but a missing body substring.
func (p *prepared) check(status int, body []byte) int {
	if p.expectStatus != 0 {
		if status != p.expectStatus {
			return 1
		}
	} else if status < 200 || status > 299 {
		return 1
	}
	for _, sub := range p.expectBody {
		if !bytes.Contains(body, sub) {
			return 2
		}
	}
	return 0
}

func parseTarget(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("parse url: %w", err)
	}
	if u.Scheme != "http" {
		return target{}, fmt.Errorf("url %q: only http:// is supported", raw)
	}
	if u.Hostname() == "" {
		return target{}, fmt.Errorf("url %q: missing host", raw)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	path := u.RequestURI() // path plus query, "/" if empty
	req := "GET " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\n\r\n"
	return target{addr: net.JoinHostPort(u.Hostname(), port), host: u.Host, request: []byte(req)}, nil
}

// Validate reports the first problem with c, if any.
func (c Config) Validate() error {
	tg, err := parseTarget(c.URL)
	if err != nil {
		return err
	}
	if _, err := tg.prepare(c.Targets); err != nil {
		return err
	}
	switch {
	case c.Connections < 1:
		return errors.New("connections must be >= 1")
	case c.Duration < 0:
		return errors.New("duration must be >= 0")
	case c.Duration == 0 && c.Requests <= 0:
		return errors.New("need a duration > 0 or a request count > 0")
	case c.Requests < 0:
		return errors.New("request count must be >= 0")
	case c.Warmup < 0:
		return errors.New("warm-up must be >= 0")
	case c.Timeout <= 0:
		return errors.New("timeout must be > 0")
	}
	return nil
}

// runner holds the state shared by all connection goroutines. Only the
// stopped flag and, with a request limit, the claimed counter are touched
// on the hot path.
type runner struct {
	cfg       Config
	target    target
	requests  []prepared
	keepBody  bool // some request checks its response body
	warmupEnd time.Time
	end       time.Time // zero if unbounded
	stopped   atomic.Bool
	claimed   atomic.Int64 // counted requests claimed so far (Requests > 0 only)

	mu     sync.Mutex
	stopAt time.Time
	conns  map[net.Conn]struct{}
}

// worker is the per-connection state; it is merged after the run.
type worker struct {
	hist         hist.Histogram
	requests     uint64
	ioErrors     uint64
	bodyErrors   uint64
	statusErrors map[int]uint64
	firstErr     string
	firstErrAt   time.Time
	last         time.Time // completion time of the last counted request
}

// Run opens cfg.Connections connections to cfg.URL and drives them until
// the measured window ends, cfg.Requests requests were counted, or ctx is
// cancelled (the result then covers the window so far). It fails only if
// the configuration is invalid or the initial connections cannot be made;
// errors during the run are reported in the Result.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("invalid config: %w", err)
	}
	tg, _ := parseTarget(cfg.URL) // validated above
	reqs, _ := tg.prepare(cfg.Targets)
	r := &runner{cfg: cfg, target: tg, requests: reqs, conns: make(map[net.Conn]struct{}, cfg.Connections)}
	for i := range reqs {
		r.keepBody = r.keepBody || len(reqs[i].expectBody) > 0
	}

	conns, err := r.dialAll(ctx)
	if err != nil {
		return nil, err
	}

	start := time.Now()
	r.warmupEnd = start.Add(cfg.Warmup)
	if cfg.Duration > 0 {
		r.end = r.warmupEnd.Add(cfg.Duration)
		t := time.AfterFunc(r.end.Sub(start), r.stop)
		defer t.Stop()
	}
	stopOnCancel := context.AfterFunc(ctx, r.stop)
	defer stopOnCancel()

	workers := make([]worker, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func(w *worker, c net.Conn, first int) {
			defer wg.Done()
			r.loop(w, c, first)
		}(&workers[i], c, i)
	}
	wg.Wait()
	r.stop() // records stopAt if the run ended by request count
	return r.result(workers), nil
}

func (r *runner) dialAll(ctx context.Context) ([]net.Conn, error) {
	conns := make([]net.Conn, r.cfg.Connections)
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			conns[i], errs[i] = r.dial(ctx)
		}(i)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, c := range conns {
			if c != nil {
				r.release(c)
			}
		}
		return nil, fmt.Errorf("initial connections to %s: %w", r.target.addr, err)
	}
	return conns, nil
}

// dial opens and registers a connection, so that stop can interrupt it.
func (r *runner) dial(ctx context.Context) (net.Conn, error) {
	d := net.Dialer{Timeout: r.cfg.Timeout}
	c, err := d.DialContext(ctx, "tcp", r.target.addr)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true) // already Go's default; keep it explicit
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped.Load() {
		c.Close()
		return nil, errors.New("stopped")
	}
	r.conns[c] = struct{}{}
	return c, nil
}

func (r *runner) release(c net.Conn) {
	r.mu.Lock()
	delete(r.conns, c)
	r.mu.Unlock()
	c.Close()
}

// stop ends the run: it marks it stopped and unblocks every in-flight read.
func (r *runner) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped.Swap(true) {
		return
	}
	r.stopAt = time.Now()
	for c := range r.conns {
		_ = c.SetDeadline(time.Unix(1, 0))
	}
}

// loop is the closed-loop request cycle of one connection. Connection i
// starts at request i of the list, so the connections spread over it.
func (r *runner) loop(w *worker, conn net.Conn, first int) {
	var (
		next     = first % len(r.requests)
		body     []byte
		keep     *[]byte
		timeout  = r.cfg.Timeout
		limit    = r.cfg.Requests
		bounded  = !r.end.IsZero()
		slack    = timeout / 10
		deadline time.Time // current deadline of conn
		br       = bufio.NewReaderSize(conn, 16<<10)
	)
	if r.keepBody {
		keep = &body
	}
	defer func() {
		if conn != nil {
			r.release(conn)
		}
	}()
	for {
		var (
			status int
			closed bool
			err    error
		)
		req := &r.requests[next]
		next = (next + 1) % len(r.requests)
		t0 := time.Now()
		if conn == nil {
			if conn, err = r.dial(context.Background()); err == nil {
				br.Reset(conn)
				deadline = time.Time{}
			}
		}
		// Refreshing the deadline costs a runtime timer update, so it is
		// pushed out by timeout+slack only when less than timeout remains:
		// every request still gets between timeout and timeout+slack.
		if err == nil && deadline.Sub(t0) < timeout {
			deadline = t0.Add(timeout + slack)
			err = conn.SetDeadline(deadline)
		}
		// Checked after SetDeadline so that a concurrent stop, which sets
		// the flag before expiring deadlines, cannot be missed.
		if r.stopped.Load() {
			return
		}
		if err == nil {
			if _, err = conn.Write(req.raw); err == nil {
				status, closed, err = readResponseInto(br, keep)
			}
		}
		t1 := time.Now()
		if (err != nil || closed) && conn != nil {
			r.release(conn)
			conn = nil
		}

		if r.stopped.Load() {
			return // anything that failed now was interrupted by stop
		}
		if t1.Before(r.warmupEnd) {
			if err != nil {
				time.Sleep(time.Millisecond) // don't spin on a dead server
			}
			continue
		}
		if bounded && !t1.Before(r.end) {
			return
		}
		last := false
		if limit > 0 {
			n := r.claimed.Add(1)
			if n > limit {
				return // another connection completed the last request
			}
			last = n == limit
		}
		w.last = t1
		switch {
		case err != nil:
			w.ioErrors++
			w.noteError(t1, err.Error())
			if !last {
				time.Sleep(time.Millisecond)
			}
		case req.check(status, body) == 0:
			w.requests++
			w.hist.Record(t1.Sub(t0))
		case req.check(status, body) == 2:
			w.bodyErrors++
			w.noteError(t1, "HTTP status "+strconv.Itoa(status)+" but the body lacks an expected text: "+snippet(body))
		default:
			if w.statusErrors == nil {
				w.statusErrors = make(map[int]uint64)
			}
			w.statusErrors[status]++
			w.noteError(t1, "HTTP status "+strconv.Itoa(status))
		}
		if last {
			r.stop()
			return
		}
	}
}

// snippet is the start of a body for an error message.
func snippet(b []byte) string {
	if len(b) > 120 {
		return strconv.Quote(string(b[:120])) + "…"
	}
	return strconv.Quote(string(b))
}

func (w *worker) noteError(at time.Time, msg string) {
	if w.firstErr == "" {
		w.firstErr, w.firstErrAt = msg, at
	}
}

// result merges the workers' state into the reported Result.
func (r *runner) result(workers []worker) *Result {
	var (
		h        hist.Histogram
		res      = &Result{URL: r.cfg.URL, Connections: r.cfg.Connections, StatusErrors: map[string]uint64{}}
		last     time.Time
		firstErr time.Time
	)
	for i := range workers {
		w := &workers[i]
		h.Merge(&w.hist)
		res.Requests += w.requests
		res.IOErrors += w.ioErrors
		res.BodyErrors += w.bodyErrors
		for code, n := range w.statusErrors {
			res.StatusErrors[strconv.Itoa(code)] += n
			res.Errors += n
		}
		if w.firstErr != "" && (firstErr.IsZero() || w.firstErrAt.Before(firstErr)) {
			res.FirstError, firstErr = w.firstErr, w.firstErrAt
		}
		if w.last.After(last) {
			last = w.last
		}
	}
	res.Errors += res.IOErrors + res.BodyErrors

	// The window ends at the configured end, or earlier if the run was
	// stopped early; with a request limit it ends at the last completion.
	windowEnd := r.stopAt
	if !r.end.IsZero() && r.end.Before(windowEnd) {
		windowEnd = r.end
	}
	if r.cfg.Requests > 0 && r.claimed.Load() >= r.cfg.Requests && !last.IsZero() {
		windowEnd = last
	}
	if d := windowEnd.Sub(r.warmupEnd); d > 0 {
		res.DurationS = d.Seconds()
		res.QPS = round(float64(res.Requests)/res.DurationS, 1)
	}
	res.DurationS = round(res.DurationS, 6)
	res.WarmupS = r.cfg.Warmup.Seconds()
	res.LatencyMS = Latency{
		P50:  ms(h.Quantile(0.50)),
		P90:  ms(h.Quantile(0.90)),
		P99:  ms(h.Quantile(0.99)),
		Max:  ms(h.Max()),
		Mean: ms(h.Mean()),
	}
	res.GOMAXPROCS = runtime.GOMAXPROCS(0)
	res.GoVersion = runtime.Version()
	return res
}

func ms(d time.Duration) float64 { return round(float64(d)/1e6, 4) }

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}
