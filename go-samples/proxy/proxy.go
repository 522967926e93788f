package main

import (
	"encoding/json"
	"log"
	"net/http"
	"net/http/httputil"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// FreshBuffers allocates a new buffer for every Get and drops it on Put: the
// per-request allocation the pooled variant avoids.
type FreshBuffers struct{ Size int }

// Get returns a new buffer.
func (f FreshBuffers) Get() []byte { return make([]byte, f.Size) }

// Put drops the buffer; the garbage collector reclaims it.
func (FreshBuffers) Put([]byte) {}

// PooledBuffers reuses buffers through a sync.Pool. The pool holds *[]byte so
// that putting a buffer back does not copy a slice header into an interface;
// wrapping the slice in a new pointer on Put costs one 24-byte allocation,
// against a buffer-sized one for FreshBuffers.
type PooledBuffers struct {
	size int
	pool sync.Pool
}

// NewPooledBuffers returns a BufferPool of buffers of the given size.
func NewPooledBuffers(size int) *PooledBuffers {
	p := &PooledBuffers{size: size}
	p.pool.New = func() any {
		b := make([]byte, size)
		return &b
	}
	return p
}

// Get returns a buffer from the pool (or a new one).
func (p *PooledBuffers) Get() []byte { return *(p.pool.Get().(*[]byte)) }

// Put returns a buffer to the pool; buffers of another size are dropped.
func (p *PooledBuffers) Put(b []byte) {
	if cap(b) != p.size {
		return
	}
	b = b[:p.size]
	p.pool.Put(&b)
}

// Handler is the proxy: /debug/runtime answers locally, everything else goes
// to the upstream.
type Handler struct {
	proxy    *httputil.ReverseProxy
	requests atomic.Int64
	buffers  string
	size     int
	started  time.Time
}

// New builds the proxy for a configuration.
func New(cfg Config, errorLog *log.Logger) *Handler {
	var pool httputil.BufferPool
	if cfg.Buffers == "fresh" {
		pool = FreshBuffers{Size: cfg.BufferSize}
	} else {
		pool = NewPooledBuffers(cfg.BufferSize)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	// The default keeps 2 idle connections per host: under concurrent load the
	// proxy would then open and close upstream connections all the time.
	transport.MaxIdleConns = cfg.MaxIdle
	transport.MaxIdleConnsPerHost = cfg.MaxIdle
	transport.Proxy = nil
	target := cfg.Upstream
	rp := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
		},
		Transport:  transport,
		BufferPool: pool,
		ErrorLog:   errorLog,
	}
	return &Handler{proxy: rp, buffers: cfg.Buffers, size: cfg.BufferSize, started: time.Now()}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/debug/runtime" {
		h.serveRuntime(w)
		return
	}
	h.requests.Add(1)
	h.proxy.ServeHTTP(w, r)
}

// metricNames are the runtime/metrics read by /debug/runtime.
var metricNames = []string{
	"/gc/cycles/total:gc-cycles",
	"/gc/heap/allocs:bytes",
	"/gc/heap/allocs:objects",
	"/gc/heap/goal:bytes",
	"/gc/heap/live:bytes",
	"/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/user:cpu-seconds",
	"/cpu/classes/total:cpu-seconds",
	"/memory/classes/total:bytes",
	"/sched/goroutines:goroutines",
	"/sched/pauses/total/gc:seconds",
}

// Bucket is one non-empty bucket of a runtime/metrics histogram: the count of
// values at most Upper (seconds for pause times; +Inf is written as -1).
type Bucket struct {
	Upper float64 `json:"upper"`
	Count uint64  `json:"count"`
}

// Snapshot is the JSON answer of /debug/runtime.
type Snapshot struct {
	Requests   int64               `json:"requests"`
	Buffers    string              `json:"buffers"`
	BufferSize int                 `json:"buffer_size"`
	UptimeS    float64             `json:"uptime_s"`
	GOMAXPROCS int                 `json:"gomaxprocs"`
	GoVersion  string              `json:"go_version"`
	Metrics    map[string]float64  `json:"metrics"`
	Histograms map[string][]Bucket `json:"histograms"`
}

// Snapshot reads the counters now.
func (h *Handler) Snapshot() Snapshot {
	samples := make([]metrics.Sample, len(metricNames))
	for i, name := range metricNames {
		samples[i].Name = name
	}
	metrics.Read(samples)
	snap := Snapshot{
		Requests: h.requests.Load(), Buffers: h.buffers, BufferSize: h.size,
		UptimeS: time.Since(h.started).Seconds(), GOMAXPROCS: runtime.GOMAXPROCS(0), GoVersion: runtime.Version(),
		Metrics: map[string]float64{}, Histograms: map[string][]Bucket{},
	}
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			snap.Metrics[s.Name] = float64(s.Value.Uint64())
		case metrics.KindFloat64:
			snap.Metrics[s.Name] = s.Value.Float64()
		case metrics.KindFloat64Histogram:
			snap.Histograms[s.Name] = buckets(s.Value.Float64Histogram())
		}
	}
	return snap
}

func buckets(h *metrics.Float64Histogram) []Bucket {
	out := []Bucket{}
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		upper := h.Buckets[i+1]
		if upper > 1e300 { // +Inf does not fit in JSON
			upper = -1
		}
		out = append(out, Bucket{Upper: upper, Count: c})
	}
	return out
}

func (h *Handler) serveRuntime(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(h.Snapshot())
}
