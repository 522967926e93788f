package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func backend(t *testing.T, code int) *url.URL {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte("x\n"))
	}))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return u
}

func setup(t *testing.T, canaryCode int) (*Router, *httptest.Server) {
	t.Helper()
	r := NewRouter(backend(t, 200), backend(t, canaryCode), "x-canary")
	def := Plan{Steps: []float64{5, 50, 100}, Interval: time.Minute, Threshold: 1, MinSuccess: 99}
	srv := httptest.NewServer(r.Handler(def))
	t.Cleanup(srv.Close)
	return r, srv
}

func get(t *testing.T, url string, header string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if header != "" {
		req.Header.Set("x-canary", header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Served-By")
}

func arm(t *testing.T, srv *httptest.Server, query string) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/admin/arm?"+query, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("arm %s: status %d", query, resp.StatusCode)
	}
}

// drive sends requests until the rollout is decided or the deadline passes.
func drive(t *testing.T, r *Router, srv *httptest.Server) Status {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		get(t, srv.URL+"/healthz", "")
		if s := r.Status(); s.State == "rolled_back" || s.State == "promoted" {
			return s
		}
	}
	t.Fatalf("not decided: %+v", r.Status())
	return Status{}
}

func TestHeaderRouting(t *testing.T) {
	_, srv := setup(t, 200)
	for range 20 {
		if _, by := get(t, srv.URL+"/healthz", "v2"); by != "canary" {
			t.Fatalf("x-canary: v2 served by %q", by)
		}
		if _, by := get(t, srv.URL+"/healthz", "v1"); by != "stable" {
			t.Fatalf("x-canary: v1 served by %q", by)
		}
		if _, by := get(t, srv.URL+"/healthz", ""); by != "stable" {
			t.Fatalf("idle router sent a request to %q", by)
		}
	}
}

func TestBadCanaryIsRolledBack(t *testing.T) {
	r, srv := setup(t, 500)
	arm(t, srv, "steps=50,100&interval_ms=40&threshold=2")
	s := drive(t, r, srv)
	if s.State != "rolled_back" || s.FailedChecks != 2 || len(s.Checks) != 2 || s.DecidedAtS == nil {
		t.Fatalf("status %+v", s)
	}
	if s.Checks[0].Action != "hold" || s.Checks[1].Action != "rollback" || s.Checks[0].WeightPct != 50 {
		t.Fatalf("checks %+v", s.Checks)
	}
	if s.BeforeDecided.CanaryErrors == 0 || s.BeforeDecided.CanaryErrors != s.BeforeDecided.CanaryRequests {
		t.Fatalf("counts %+v", s.BeforeDecided)
	}
	for range 50 {
		if code, by := get(t, srv.URL+"/healthz", ""); by != "stable" || code != 200 {
			t.Fatalf("after rollback: %d from %q", code, by)
		}
	}
}

func TestGoodCanaryIsPromoted(t *testing.T) {
	r, srv := setup(t, 200)
	arm(t, srv, "steps=20,60&interval_ms=30")
	s := drive(t, r, srv)
	if s.State != "promoted" || s.WeightPct != 100 || len(s.Checks) != 2 || s.Checks[1].Action != "promote" {
		t.Fatalf("status %+v", s)
	}
	for range 20 {
		if _, by := get(t, srv.URL+"/healthz", ""); by != "canary" {
			t.Fatalf("after promotion served by %q", by)
		}
	}
	resp, err := http.Get(srv.URL + "/admin/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil || got["state"] != "promoted" {
		t.Fatalf("status JSON %v, %v", got, err)
	}
}

func TestNoTrafficFailsTheCheck(t *testing.T) {
	r, srv := setup(t, 200)
	arm(t, srv, "steps=50,100&interval_ms=20&threshold=1")
	get(t, srv.URL+"/healthz", "v1") // starts the rollout without canary traffic
	deadline := time.Now().Add(5 * time.Second)
	for r.Status().State == "progressing" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if s := r.Status(); s.State != "rolled_back" || s.Checks[0].SuccessPct != nil {
		t.Fatalf("status %+v", s)
	}
}

func TestPlanValidation(t *testing.T) {
	def := Plan{Steps: []float64{5, 50, 100}, Interval: time.Second, Threshold: 1, MinSuccess: 99}
	for _, q := range []string{"steps=50,5", "steps=0,10", "steps=10,101", "steps=a", "interval_ms=0",
		"threshold=0", "min_success=101"} {
		v, _ := url.ParseQuery(q)
		if _, err := ParsePlan(v, def); err == nil {
			t.Errorf("ParsePlan(%s) accepted", q)
		}
	}
	v, _ := url.ParseQuery("steps=10,20&interval_ms=1500")
	p, err := ParsePlan(v, def)
	if err != nil || p.Interval != 1500*time.Millisecond || len(p.Steps) != 2 || p.Threshold != 1 {
		t.Fatalf("ParsePlan = %+v, %v", p, err)
	}
}
