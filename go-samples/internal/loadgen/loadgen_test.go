package loadgen

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func okServer(t *testing.T, hits *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits != nil {
			hits.Add(1)
		}
		if r.URL.Path != "/healthz" || r.URL.RawQuery != "q=1" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRunDuration(t *testing.T) {
	srv := okServer(t, nil)
	res, err := Run(context.Background(), Config{
		URL: srv.URL + "/healthz?q=1", Connections: 4,
		Duration: 300 * time.Millisecond, Warmup: 50 * time.Millisecond, Timeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors != 0 || res.FirstError != "" {
		t.Fatalf("unexpected result %+v", res)
	}
	if res.DurationS < 0.29 || res.DurationS > 0.31 {
		t.Errorf("duration_s = %v, want ≈0.3", res.DurationS)
	}
	if res.QPS <= 0 || res.LatencyMS.P50 <= 0 || res.LatencyMS.P50 > res.LatencyMS.P99 || res.LatencyMS.P99 > res.LatencyMS.Max {
		t.Errorf("inconsistent stats %+v", res)
	}
	if res.WarmupS != 0.05 || res.Connections != 4 || res.GoVersion == "" || res.GOMAXPROCS < 1 {
		t.Errorf("metadata %+v", res)
	}
}

func TestRunRequestLimit(t *testing.T) {
	var hits atomic.Int64
	srv := okServer(t, &hits)
	res, err := Run(context.Background(), Config{
		URL: srv.URL + "/healthz?q=1", Connections: 8, Requests: 500, Timeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 500 || res.Errors != 0 {
		t.Fatalf("requests = %d errors = %d, want 500/0", res.Requests, res.Errors)
	}
	if h := hits.Load(); h < 500 || h > 500+8 {
		t.Errorf("server saw %d requests, want 500..508", h)
	}
	if res.DurationS <= 0 {
		t.Errorf("duration_s = %v", res.DurationS)
	}
}

func TestRunCountsStatusErrorsAndReconnects(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Connection", "close")
		http.Error(w, "nope", http.StatusInternalServerError)
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Config{
		URL: srv.URL + "/", Connections: 2, Duration: 200 * time.Millisecond, Timeout: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 0 || res.StatusErrors["500"] < 2 || res.Errors != res.StatusErrors["500"]+res.IOErrors {
		t.Fatalf("unexpected result %+v", res)
	}
	if res.FirstError != "HTTP status 500" {
		t.Errorf("first_error = %q", res.FirstError)
	}
}

func TestRunIOErrorsOnTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		<-release
	}))
	defer srv.Close()
	defer close(release)
	res, err := Run(context.Background(), Config{
		URL: srv.URL + "/", Connections: 1, Duration: 250 * time.Millisecond, Timeout: 50 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.IOErrors == 0 || !strings.Contains(res.FirstError, "timeout") {
		t.Fatalf("want timeouts counted as io errors, got %+v", res)
	}
}

func TestRunCancel(t *testing.T) {
	srv := okServer(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, Config{URL: srv.URL + "/healthz?q=1", Connections: 2, Duration: time.Hour, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 2*time.Second || res.DurationS > 1 || res.Requests == 0 {
		t.Fatalf("cancel not honoured promptly: %+v", res)
	}
}

func TestParseTarget(t *testing.T) {
	tg, err := parseTarget("http://localhost/")
	if err != nil {
		t.Fatal(err)
	}
	if tg.addr != "localhost:80" || string(tg.request) != "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n" {
		t.Fatalf("got %q %q", tg.addr, tg.request)
	}
	if _, err := parseTarget("http://[::1]:8080"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"ftp://x/", "http:///path", "::"} {
		if _, err := parseTarget(bad); err == nil {
			t.Errorf("parseTarget(%q) succeeded", bad)
		}
	}
}
