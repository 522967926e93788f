package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Plan is a progressive rollout in the style of Flagger: the canary gets
// Steps[0] % of the traffic, and after every Interval its success rate over
// that interval is checked. A passing check moves to the next step (after the
// last one the canary is promoted to 100 %); a failing check keeps the weight
// and counts towards Threshold, at which the rollout is rolled back (weight 0).
// An interval without canary requests fails its check, as Flagger does when
// a metric query returns no data.
type Plan struct {
	Steps      []float64     `json:"steps_pct"`
	Interval   time.Duration `json:"-"`
	Threshold  int           `json:"threshold"`
	MinSuccess float64       `json:"min_success_pct"`
}

// ParsePlan reads a plan from query parameters steps (comma-separated
// percentages, increasing, each in (0, 100]), interval_ms, threshold and
// min_success; missing ones come from def.
func ParsePlan(q url.Values, def Plan) (Plan, error) {
	p := def
	if v := q.Get("steps"); v != "" {
		steps, err := ParseSteps(v)
		if err != nil {
			return p, err
		}
		p.Steps = steps
	}
	if v := q.Get("interval_ms"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x <= 0 {
			return p, fmt.Errorf("interval_ms=%q: want a number > 0", v)
		}
		p.Interval = time.Duration(x * float64(time.Millisecond))
	}
	if v := q.Get("threshold"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil || x < 1 {
			return p, fmt.Errorf("threshold=%q: want an integer >= 1", v)
		}
		p.Threshold = x
	}
	if v := q.Get("min_success"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 0 || x > 100 {
			return p, fmt.Errorf("min_success=%q: want a percentage within 0-100", v)
		}
		p.MinSuccess = x
	}
	return p, p.Validate()
}

// ParseSteps reads "5,50,100".
func ParseSteps(s string) ([]float64, error) {
	var steps []float64
	for _, part := range strings.Split(s, ",") {
		x, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil {
			return nil, fmt.Errorf("steps=%q: %q is not a number", s, part)
		}
		steps = append(steps, x)
	}
	return steps, nil
}

// Validate reports the first problem with p.
func (p Plan) Validate() error {
	if len(p.Steps) == 0 {
		return errors.New("a plan needs at least one step")
	}
	prev := 0.0
	for _, w := range p.Steps {
		if !(w > prev && w <= 100) {
			return fmt.Errorf("steps %v: each weight must be above the previous one and at most 100", p.Steps)
		}
		prev = w
	}
	switch {
	case p.Interval <= 0:
		return errors.New("interval must be > 0")
	case p.Threshold < 1:
		return errors.New("threshold must be >= 1")
	case p.MinSuccess < 0 || p.MinSuccess > 100:
		return errors.New("min_success must be within 0-100")
	}
	return nil
}

// MarshalJSON adds the interval in milliseconds.
func (p Plan) MarshalJSON() ([]byte, error) {
	type plain Plan
	return json.Marshal(struct {
		plain
		IntervalMS float64 `json:"interval_ms"`
	}{plain(p), float64(p.Interval) / float64(time.Millisecond)})
}

// counts are the requests and 5xx answers per backend in one analysis window.
type counts struct {
	stableReq, stableErr, canaryReq, canaryErr, headerReq, headerErr atomic.Int64
}

// Tally is a snapshot of counts.
type Tally struct {
	StableRequests       int64 `json:"stable_requests"`
	StableErrors         int64 `json:"stable_errors"`
	CanaryRequests       int64 `json:"canary_requests"`
	CanaryErrors         int64 `json:"canary_errors"`
	HeaderCanaryRequests int64 `json:"header_canary_requests"`
	HeaderCanaryErrors   int64 `json:"header_canary_errors"`
}

func (c *counts) tally() Tally {
	return Tally{c.stableReq.Load(), c.stableErr.Load(), c.canaryReq.Load(), c.canaryErr.Load(),
		c.headerReq.Load(), c.headerErr.Load()}
}

func (t *Tally) add(o Tally) {
	t.StableRequests += o.StableRequests
	t.StableErrors += o.StableErrors
	t.CanaryRequests += o.CanaryRequests
	t.CanaryErrors += o.CanaryErrors
	t.HeaderCanaryRequests += o.HeaderCanaryRequests
	t.HeaderCanaryErrors += o.HeaderCanaryErrors
}

// Check is the outcome of one analysis interval.
type Check struct {
	AtS        float64  `json:"at_s"` // since the start of the rollout
	Step       int      `json:"step"` // index into Plan.Steps
	WeightPct  float64  `json:"weight_pct"`
	SuccessPct *float64 `json:"success_pct"` // nil: no canary requests
	Passed     bool     `json:"passed"`
	Action     string   `json:"action"` // advance, hold, rollback, promote
	Tally
}

// Status is the router's state, served by GET /admin/status.
type Status struct {
	State         string   `json:"state"` // idle, armed, progressing, rolled_back, promoted
	Plan          Plan     `json:"plan"`
	Step          int      `json:"step"`
	WeightPct     float64  `json:"weight_pct"`
	FailedChecks  int      `json:"failed_checks"`
	ElapsedS      float64  `json:"elapsed_s"`
	DecidedAtS    *float64 `json:"decided_at_s"`
	Checks        []Check  `json:"checks"`
	BeforeDecided Tally    `json:"before_decision"` // sum over the checks
	Since         Tally    `json:"since_last_check"`
}

// Router splits traffic between a stable and a canary backend.
type Router struct {
	stable, canary http.Handler
	header         string

	weightBits atomic.Uint64 // float64 bits of the canary weight in percent
	win        atomic.Pointer[counts]
	armed      atomic.Bool // set by Arm, cleared by the first request after it

	mu        sync.Mutex // guards everything below
	state     string
	plan      Plan
	step      int
	failed    int
	started   time.Time
	decidedAt *float64
	checks    []Check
	stop      chan struct{}
}

// NewRouter proxies to the two backends; a request whose header named header
// is "v2" always goes to the canary, "v1" always to the stable backend.
func NewRouter(stable, canary *url.URL, header string) *Router {
	tr := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 512, IdleConnTimeout: 90 * time.Second,
		DisableCompression: true}
	proxy := func(target *url.URL) http.Handler {
		return &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.Out.Host = pr.In.Host
			},
			Transport: tr,
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				http.Error(w, "upstream: "+err.Error(), http.StatusBadGateway)
			},
		}
	}
	r := &Router{stable: proxy(stable), canary: proxy(canary), header: header, state: "idle"}
	r.win.Store(&counts{})
	return r
}

// Weight is the canary's current share of the traffic, in percent.
func (r *Router) Weight() float64 { return math.Float64frombits(r.weightBits.Load()) }

func (r *Router) setWeight(w float64) { r.weightBits.Store(math.Float64bits(w)) }

// Arm resets the router to plan p; the rollout starts with the next proxied request.
func (r *Router) Arm(p Plan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.halt()
	r.plan, r.state, r.step, r.failed, r.decidedAt, r.checks = p, "armed", 0, 0, nil, nil
	r.setWeight(0)
	r.win.Store(&counts{})
	r.armed.Store(true)
}

// halt stops the analysis loop; r.mu must be held.
func (r *Router) halt() {
	if r.stop != nil {
		close(r.stop)
		r.stop = nil
	}
}

func (r *Router) startIfArmed() {
	if !r.armed.Load() {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state != "armed" {
		return
	}
	r.armed.Store(false)
	r.state, r.started = "progressing", time.Now()
	r.setWeight(r.plan.Steps[0])
	r.win.Store(&counts{})
	r.stop = make(chan struct{})
	go r.analyse(r.stop, r.plan.Interval)
}

func (r *Router) analyse(stop <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if !r.check() {
				return
			}
		}
	}
}

// check evaluates the interval that just ended; false when the rollout is decided.
func (r *Router) check() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state != "progressing" {
		return false
	}
	c := Check{AtS: time.Since(r.started).Seconds(), Step: r.step, WeightPct: r.Weight(),
		Tally: r.win.Swap(&counts{}).tally()}
	if n := c.CanaryRequests; n > 0 {
		rate := 100 * float64(n-c.CanaryErrors) / float64(n)
		c.SuccessPct = &rate
		c.Passed = rate >= r.plan.MinSuccess
	}
	switch {
	case !c.Passed:
		r.failed++
		c.Action = "hold"
		if r.failed >= r.plan.Threshold {
			c.Action, r.state = "rollback", "rolled_back"
			r.setWeight(0)
		}
	case r.step == len(r.plan.Steps)-1:
		c.Action, r.state = "promote", "promoted"
		r.setWeight(100)
	default:
		r.step++
		c.Action = "advance"
		r.setWeight(r.plan.Steps[r.step])
	}
	r.checks = append(r.checks, c)
	if r.state != "progressing" {
		at := c.AtS
		r.decidedAt = &at
		r.stop = nil // the loop returns on false
		return false
	}
	return true
}

// Status returns a snapshot of the rollout.
func (r *Router) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := Status{State: r.state, Plan: r.plan, Step: r.step, WeightPct: r.Weight(), FailedChecks: r.failed,
		DecidedAtS: r.decidedAt, Checks: append([]Check(nil), r.checks...), Since: r.win.Load().tally()}
	if !r.started.IsZero() {
		s.ElapsedS = time.Since(r.started).Seconds()
	}
	for _, c := range r.checks {
		s.BeforeDecided.add(c.Tally)
	}
	return s
}

// statusWriter records the status code written by a proxy.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP routes one request and counts its outcome.
func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.startIfArmed()
	toCanary, byHeader := false, false
	switch req.Header.Get(r.header) {
	case "v2":
		toCanary, byHeader = true, true
	case "v1":
		byHeader = true
	default:
		toCanary = rand.Float64()*100 < r.Weight()
	}
	name := "stable"
	if toCanary {
		name = "canary"
	}
	w.Header().Set("X-Served-By", name)
	sw := &statusWriter{ResponseWriter: w}
	if toCanary {
		r.canary.ServeHTTP(sw, req)
	} else {
		r.stable.ServeHTTP(sw, req)
	}
	if req.Context().Err() != nil {
		return // the client went away (for example, the load generator stopped): not an answer anyone saw
	}
	bad := sw.code >= 500
	c := r.win.Load()
	switch {
	case byHeader && toCanary:
		c.headerReq.Add(1)
		if bad {
			c.headerErr.Add(1)
		}
	case byHeader:
		// pinned to stable by header: not part of the analysis
	case toCanary:
		c.canaryReq.Add(1)
		if bad {
			c.canaryErr.Add(1)
		}
	default:
		c.stableReq.Add(1)
		if bad {
			c.stableErr.Add(1)
		}
	}
}

// Handler serves the admin API under /admin/ and routes everything else.
func (r *Router) Handler(def Plan) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/ready", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.HandleFunc("GET /admin/status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Status())
	})
	mux.HandleFunc("POST /admin/arm", func(w http.ResponseWriter, req *http.Request) {
		p, err := ParsePlan(req.URL.Query(), def)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Arm(p)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(r.Status())
	})
	mux.Handle("/", r)
	return mux
}
