package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
)

func upstream(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newProxy(t testing.TB, buffers string) (*Handler, *httptest.Server) {
	t.Helper()
	up := upstream(t)
	u, _ := url.Parse(up.URL)
	h := New(Config{Upstream: u, Buffers: buffers, BufferSize: 32 * 1024, MaxIdle: 64}, log.New(io.Discard, "", 0))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv
}

func get(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestProxyForwardsAndCounts(t *testing.T) {
	for _, variant := range []string{"fresh", "pooled"} {
		t.Run(variant, func(t *testing.T) {
			h, srv := newProxy(t, variant)
			code, body := get(t, srv.Client(), srv.URL+"/healthz")
			if code != 200 || body != "ok\n" {
				t.Fatalf("GET /healthz = %d %q", code, body)
			}
			if code, _ := get(t, srv.Client(), srv.URL+"/nope"); code != 404 {
				t.Errorf("GET /nope = %d, want the upstream's 404", code)
			}
			if got := h.requests.Load(); got != 2 {
				t.Errorf("requests = %d, want 2", got)
			}
		})
	}
}

func TestDebugRuntime(t *testing.T) {
	h, srv := newProxy(t, "pooled")
	get(t, srv.Client(), srv.URL+"/healthz")
	code, body := get(t, srv.Client(), srv.URL+"/debug/runtime")
	if code != 200 {
		t.Fatalf("GET /debug/runtime = %d", code)
	}
	var snap Snapshot
	if err := json.Unmarshal([]byte(body), &snap); err != nil {
		t.Fatal(err)
	}
	if snap.Requests != 1 || snap.Buffers != "pooled" || snap.BufferSize != 32*1024 || snap.GOMAXPROCS < 1 {
		t.Errorf("snapshot = %+v", snap)
	}
	for _, name := range metricNames {
		_, scalar := snap.Metrics[name]
		_, hist := snap.Histograms[name]
		if !scalar && !hist {
			t.Errorf("metric %s missing", name)
		}
	}
	if h.requests.Load() != 1 {
		t.Error("/debug/runtime must not count as a proxied request")
	}
}

func TestBufferPools(t *testing.T) {
	f := FreshBuffers{Size: 4096}
	if len(f.Get()) != 4096 {
		t.Fatal("fresh buffer has the wrong size")
	}
	p := NewPooledBuffers(4096)
	b := p.Get()
	if len(b) != 4096 {
		t.Fatal("pooled buffer has the wrong size")
	}
	p.Put(b[:10]) // a shortened slice of the right capacity is restored to full length
	if got := p.Get(); len(got) != 4096 {
		t.Fatalf("len = %d after a short Put", len(got))
	}
	p.Put(make([]byte, 100)) // wrong capacity: dropped, never handed out
	for i := 0; i < 10; i++ {
		if got := p.Get(); len(got) != 4096 {
			t.Fatalf("got a buffer of %d bytes", len(got))
		}
	}
}

// bytesPerRequest sends n requests through a proxy variant and returns the heap bytes allocated per request.
func bytesPerRequest(t *testing.T, variant string, n int) float64 {
	_, srv := newProxy(t, variant)
	c := srv.Client()
	for i := 0; i < 20; i++ { // warm up connections and the pool
		get(t, c, srv.URL+"/healthz")
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < n; i++ {
		get(t, c, srv.URL+"/healthz")
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

func TestPooledAllocatesLessThanFresh(t *testing.T) {
	fresh := bytesPerRequest(t, "fresh", 300)
	pooled := bytesPerRequest(t, "pooled", 300)
	t.Logf("bytes per request: fresh %.0f, pooled %.0f", fresh, pooled)
	if fresh-pooled < 16*1024 {
		t.Errorf("pooled saves %.0f bytes per request; want most of the 32 KiB buffer", fresh-pooled)
	}
}

func TestParseFlags(t *testing.T) {
	var stderr bytes.Buffer
	cfg, err := parseFlags([]string{"-upstream", "http://127.0.0.1:9", "-buffers", "fresh", "-buffer-size", "4096"}, &stderr)
	if err != nil || cfg.Buffers != "fresh" || cfg.BufferSize != 4096 || cfg.Upstream.Host != "127.0.0.1:9" {
		t.Fatalf("cfg %+v, err %v", cfg, err)
	}
	for _, args := range [][]string{
		{},
		{"-upstream", "ftp://x"},
		{"-upstream", "http://127.0.0.1:9", "-buffers", "magic"},
		{"-upstream", "http://127.0.0.1:9", "-buffer-size", "1"},
		{"-upstream", "http://127.0.0.1:9", "extra"},
	} {
		if _, err := parseFlags(args, &stderr); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"-buffers", "x"}, &out, &stderr); code != 2 {
		t.Errorf("bad flags: exit %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "proxy:") {
		t.Errorf("stderr %q lacks the program name", stderr.String())
	}
}

func BenchmarkProxy(b *testing.B) {
	for _, variant := range []string{"fresh", "pooled"} {
		b.Run(variant, func(b *testing.B) {
			_, srv := newProxy(b, variant)
			c := srv.Client()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				get(b, c, srv.URL+"/healthz")
			}
		})
	}
}
