package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func newTestServer(t *testing.T) (*Service, *httptest.Server, *atomic.Int32) {
	t.Helper()
	svc := NewService(1)
	var kills atomic.Int32
	srv := httptest.NewServer(svc.Handler(func() { kills.Add(1) }))
	t.Cleanup(func() {
		srv.Close()
		svc.Set(Faults{Status: http.StatusInternalServerError, CPULoad: 100})
	})
	return svc, srv, &kills
}

func do(t *testing.T, method, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

func TestHealthyByDefault(t *testing.T) {
	_, srv, _ := newTestServer(t)
	for range 50 {
		if code, body := do(t, "GET", srv.URL+"/healthz"); code != 200 || body != "ok\n" {
			t.Fatalf("GET /healthz = %d %q", code, body)
		}
	}
}

func TestErrorInjection(t *testing.T) {
	_, srv, _ := newTestServer(t)
	if code, body := do(t, "POST", srv.URL+"/admin/faults?error_pct=100&status=503"); code != 200 {
		t.Fatalf("set faults: %d %s", code, body)
	}
	if code, _ := do(t, "GET", srv.URL+"/healthz"); code != 503 {
		t.Fatalf("with error_pct=100: status %d, want 503", code)
	}
	if code, _ := do(t, "GET", srv.URL+"/admin/ready"); code != 200 {
		t.Fatalf("the admin API must not be faulty, got %d", code)
	}
	do(t, "POST", srv.URL+"/admin/faults?error_pct=30&status=500")
	errs := 0
	const n = 2000
	for range n {
		if code, _ := do(t, "GET", srv.URL+"/healthz"); code == 500 {
			errs++
		}
	}
	if errs < n*25/100 || errs > n*35/100 {
		t.Fatalf("error_pct=30 gave %d errors in %d requests", errs, n)
	}
	if code, _ := do(t, "DELETE", srv.URL+"/admin/faults"); code != 200 {
		t.Fatal("clear faults failed")
	}
	if code, _ := do(t, "GET", srv.URL+"/healthz"); code != 200 {
		t.Fatalf("after clearing: status %d", code)
	}
}

func TestLatencyAndState(t *testing.T) {
	svc, srv, _ := newTestServer(t)
	_, body := do(t, "POST", srv.URL+"/admin/faults?latency_ms=30&cpu_hogs=1&cpu_load=20")
	var got map[string]float64
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("faults JSON %q: %v", body, err)
	}
	if got["latency_ms"] != 30 || got["cpu_hogs"] != 1 || got["cpu_load"] != 20 {
		t.Fatalf("faults = %v", got)
	}
	t0 := time.Now()
	do(t, "GET", srv.URL+"/healthz")
	if d := time.Since(t0); d < 30*time.Millisecond {
		t.Fatalf("request took %v with 30 ms latency injected", d)
	}
	if f := svc.Faults(); f.Latency != 30*time.Millisecond {
		t.Fatalf("Faults() = %+v", f)
	}
}

func TestBadAdminValues(t *testing.T) {
	_, srv, _ := newTestServer(t)
	for _, q := range []string{"error_pct=101", "error_pct=x", "status=42", "cpu_hogs=-1", "latency_ms=-5"} {
		if code, _ := do(t, "POST", srv.URL+"/admin/faults?"+q); code != 400 {
			t.Errorf("POST /admin/faults?%s = %d, want 400", q, code)
		}
	}
}

func TestKill(t *testing.T) {
	_, srv, kills := newTestServer(t)
	if code, _ := do(t, "POST", srv.URL+"/admin/kill"); code != 202 {
		t.Fatalf("kill: status %d", code)
	}
	deadline := time.Now().Add(2 * time.Second)
	for kills.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if kills.Load() != 1 {
		t.Fatal("kill function was not called")
	}
}

func TestRunFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"-error-pct", "120"}, &out, &errb); code != 2 {
		t.Fatalf("bad -error-pct: exit %d, want 2 (%s)", code, errb.String())
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var ready safeBuffer
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0"}, &ready, &errb) }()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.HasPrefix(ready.String(), "READY http://127.0.0.1:") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d after cancel, output %q %q", code, ready.String(), errb.String())
	}
}

type safeBuffer struct {
	snap atomic.Pointer[string]
	buf  bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	n, err := b.buf.Write(p)
	s := b.buf.String()
	b.snap.Store(&s)
	return n, err
}

func (b *safeBuffer) String() string {
	if s := b.snap.Load(); s != nil {
		return *s
	}
	return ""
}
