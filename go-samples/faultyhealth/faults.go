package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gohandbook.example/samples/internal/health"
)

// Faults is the set of active faults. The zero value (with Status 500) is a
// healthy service.
type Faults struct {
	Latency  time.Duration `json:"-"`
	Jitter   time.Duration `json:"-"`
	ErrorPct float64       `json:"error_pct"`
	Status   int           `json:"status"`
	CPUHogs  int           `json:"cpu_hogs"`
	CPULoad  float64       `json:"cpu_load"`
}

// Validate reports the first out-of-range value.
func (f Faults) Validate() error {
	switch {
	case f.Latency < 0 || f.Jitter < 0:
		return fmt.Errorf("latency and jitter must be >= 0")
	case f.ErrorPct < 0 || f.ErrorPct > 100:
		return fmt.Errorf("error_pct must be within 0-100, got %g", f.ErrorPct)
	case f.Status < 100 || f.Status > 599:
		return fmt.Errorf("status must be an HTTP status code, got %d", f.Status)
	case f.CPUHogs < 0 || f.CPUHogs > 64:
		return fmt.Errorf("cpu_hogs must be within 0-64, got %d", f.CPUHogs)
	case f.CPULoad < 0 || f.CPULoad > 100:
		return fmt.Errorf("cpu_load must be within 0-100, got %g", f.CPULoad)
	}
	return nil
}

// MarshalJSON writes durations in milliseconds.
func (f Faults) MarshalJSON() ([]byte, error) {
	type plain Faults
	return json.Marshal(struct {
		plain
		LatencyMS float64 `json:"latency_ms"`
		JitterMS  float64 `json:"jitter_ms"`
	}{plain(f), ms(f.Latency), ms(f.Jitter)})
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// apply returns f changed by the query parameters present in q.
func (f Faults) apply(q url.Values) (Faults, error) {
	dur := func(key string, dst *time.Duration) error {
		if v := q.Get(key); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%s=%q is not a number", key, v)
			}
			*dst = time.Duration(x * float64(time.Millisecond))
		}
		return nil
	}
	num := func(key string, dst *float64) error {
		if v := q.Get(key); v != "" {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return fmt.Errorf("%s=%q is not a number", key, v)
			}
			*dst = x
		}
		return nil
	}
	integer := func(key string, dst *int) error {
		if v := q.Get(key); v != "" {
			x, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s=%q is not an integer", key, v)
			}
			*dst = x
		}
		return nil
	}
	for _, err := range []error{
		dur("latency_ms", &f.Latency), dur("jitter_ms", &f.Jitter), num("error_pct", &f.ErrorPct),
		integer("status", &f.Status), integer("cpu_hogs", &f.CPUHogs), num("cpu_load", &f.CPULoad),
	} {
		if err != nil {
			return f, err
		}
	}
	return f, f.Validate()
}

// Service serves /healthz through the active faults and the admin API.
type Service struct {
	faults atomic.Pointer[Faults]
	health http.Handler

	rngMu sync.Mutex
	rng   *rand.Rand

	mu      sync.Mutex // serialises Set; guards stopHog
	stopHog chan struct{}
	hogs    sync.WaitGroup
}

// NewService returns a healthy service whose random draws start from seed.
func NewService(seed uint64) *Service {
	s := &Service{health: health.Handler(), rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	s.faults.Store(&Faults{Status: http.StatusInternalServerError, CPULoad: 100})
	return s
}

// Faults returns the active faults.
func (s *Service) Faults() Faults { return *s.faults.Load() }

// Set replaces the active faults (validated by the caller) and restarts the
// CPU hogs to match.
func (s *Service) Set(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults.Store(&f)
	if s.stopHog != nil {
		close(s.stopHog)
		s.hogs.Wait()
		s.stopHog = nil
	}
	if f.CPUHogs > 0 && f.CPULoad > 0 {
		s.stopHog = make(chan struct{})
		for range f.CPUHogs {
			s.hogs.Add(1)
			go hog(s.stopHog, &s.hogs, f.CPULoad)
		}
	}
}

// hog keeps a CPU busy for load % of every 100 ms until stop is closed.
func hog(stop <-chan struct{}, wg *sync.WaitGroup, load float64) {
	defer wg.Done()
	const period = 100 * time.Millisecond
	busy := time.Duration(load / 100 * float64(period))
	x := uint64(1)
	for {
		t0 := time.Now()
		for time.Since(t0) < busy {
			for range 1000 {
				x = x*6364136223846793005 + 1442695040888963407
			}
		}
		sink.Store(x)
		if idle := period - time.Since(t0); idle > 0 {
			select {
			case <-stop:
				return
			case <-time.After(idle):
			}
		} else {
			select {
			case <-stop:
				return
			default:
			}
		}
	}
}

var sink atomic.Uint64

// draw returns a uniform number in [0, 1).
func (s *Service) draw() float64 {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64()
}

// Handler returns the service's routes; kill is called by POST /admin/kill.
func (s *Service) Handler(kill func()) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /admin/ready", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.HandleFunc("GET /admin/faults", s.writeFaults)
	mux.HandleFunc("POST /admin/faults", func(w http.ResponseWriter, r *http.Request) {
		f, err := s.Faults().apply(r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.Set(f)
		s.writeFaults(w, r)
	})
	mux.HandleFunc("DELETE /admin/faults", func(w http.ResponseWriter, r *http.Request) {
		s.Set(Faults{Status: http.StatusInternalServerError, CPULoad: 100})
		s.writeFaults(w, r)
	})
	mux.HandleFunc("POST /admin/kill", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		go func() {
			time.Sleep(5 * time.Millisecond) // let the 202 leave
			kill()
		}()
	})
	mux.Handle("/", http.HandlerFunc(s.serveFaulty))
	return mux
}

func (s *Service) writeFaults(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.Faults())
}

// serveFaulty applies latency, then maybe an injected error, then the real handler.
func (s *Service) serveFaulty(w http.ResponseWriter, r *http.Request) {
	f := s.faults.Load()
	if d := f.Latency; d > 0 || f.Jitter > 0 {
		if f.Jitter > 0 {
			d += time.Duration(s.draw() * float64(f.Jitter))
		}
		time.Sleep(d)
	}
	if f.ErrorPct > 0 && s.draw()*100 < f.ErrorPct {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(f.Status)
		_, _ = w.Write([]byte("injected fault\n"))
		return
	}
	s.health.ServeHTTP(w, r)
}
