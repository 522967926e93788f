// Command connhold holds many real TCP connections on 127.0.0.1 and drives
// echo traffic over them, to test two statements of the source document:
// that goroutines "easily support tens of thousands of concurrent
// connections" (section 1.1), and that the per-connection read loop of
// section 3.3 (buf := make([]byte, 4096) per connection) makes GC pauses pile
// up at 30k+ connections.
//
//	connhold -role server -addr 127.0.0.1:PORT -data 127.0.0.1:P1,127.0.0.1:P2
//	connhold -role client -stats http://127.0.0.1:PORT/stats -data ... -levels 1000,10000 -seconds 1
//
// The server runs the source's read loop (echoing what it reads) on every
// data address and answers /healthz and /stats on -addr. The client opens
// connections up to each level (spread over the data addresses, so that the
// 28k ephemeral ports per destination are not the limit), checks every one
// answers, then drives -workers goroutines of 1 KiB echoes over all of them
// for -seconds, and prints one JSON object with a point per level.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gohandbook.example/samples/internal/procstat"
)

var open atomic.Int64

// readLoop is the source's connection handler: one 4 KiB buffer per
// connection, echoing what it reads.
func readLoop(c net.Conn) {
	defer c.Close()
	defer open.Add(-1)
	buf := make([]byte, 4096) // per-connection allocation, as in the source
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		if _, err := c.Write(buf[:n]); err != nil {
			return
		}
	}
}

// Stats is the server's picture at one moment.
type Stats struct {
	Connections int64           `json:"connections"`
	Goroutines  int             `json:"goroutines"`
	NumGC       uint32          `json:"num_gc"`
	NextGC      uint64          `json:"next_gc"`
	HeapAlloc   uint64          `json:"heap_alloc"`
	Pauses      [][2]uint64     `json:"pauses"` // the last ≤256 GC pauses: [end unix ns, pause ns]
	Proc        procstat.Status `json:"proc"`
	NowNs       int64           `json:"now_ns"`
}

func stats() Stats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := Stats{Connections: open.Load(), Goroutines: runtime.NumGoroutine(), NumGC: m.NumGC,
		NextGC: m.NextGC, HeapAlloc: m.HeapAlloc, Proc: procstat.Self(), NowNs: time.Now().UnixNano()}
	n := int(m.NumGC)
	if n > 256 {
		n = 256
	}
	for i := 0; i < n; i++ {
		j := (int(m.NumGC) - 1 - i + 256) % 256
		s.Pauses = append(s.Pauses, [2]uint64{m.PauseEnd[j], m.PauseNs[j]})
	}
	return s
}

func jsonStats(w io.Writer) error { return json.NewEncoder(w).Encode(stats()) }

func serve(addr string, data []string) error {
	for _, d := range data {
		ln, err := net.Listen("tcp", d)
		if err != nil {
			return err
		}
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					time.Sleep(10 * time.Millisecond) // e.g. out of descriptors: keep serving the others
					continue
				}
				open.Add(1)
				go readLoop(c)
			}
		}()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/stats", func(w http.ResponseWriter, _ *http.Request) { _ = jsonStats(w) })
	return http.ListenAndServe(addr, mux)
}

// Point is what the client saw at one connection level.
type Point struct {
	Level       int     `json:"level"`
	Established int     `json:"established"`
	DialErrors  int     `json:"dial_errors"`
	FirstError  string  `json:"first_error"`
	Answered    int     `json:"answered"` // connections that echoed a probe back
	Echoes      int64   `json:"echoes"`
	EchoErrors  int64   `json:"echo_errors"`
	Seconds     float64 `json:"seconds"`
	QPS         float64 `json:"qps"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`
	Before      Stats   `json:"server_before"`
	After       Stats   `json:"server_after"`
}

func getStats(url string) (Stats, error) {
	var s Stats
	resp, err := http.Get(url)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

func echo(c net.Conn, msg, back []byte) error {
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(msg); err != nil {
		return err
	}
	_, err := io.ReadFull(c, back)
	return err
}

// Drive opens connections up to each level and measures echo traffic over all of them.
func Drive(statsURL string, data []string, levels []int, workers int, seconds float64) ([]Point, error) {
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	msg := []byte(strings.Repeat("x", 1024)) // the source's 1 KB body
	var points []Point
	for _, level := range levels {
		p := Point{Level: level}
		var mu sync.Mutex
		var wg sync.WaitGroup
		need := level - len(conns)
		next := make(chan int, need)
		for i := 0; i < need; i++ {
			next <- len(conns) + i
		}
		close(next)
		for w := 0; w < 64; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					c, err := net.DialTimeout("tcp", data[i%len(data)], 10*time.Second)
					mu.Lock()
					if err != nil {
						p.DialErrors++
						if p.FirstError == "" {
							p.FirstError = err.Error()
						}
					} else {
						conns = append(conns, c)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		p.Established = len(conns)
		// every connection must answer once: a held descriptor is not yet a working connection
		var answered atomic.Int64
		probe := make(chan net.Conn, len(conns))
		for _, c := range conns {
			probe <- c
		}
		close(probe)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				back := make([]byte, len(msg))
				for c := range probe {
					if echo(c, msg, back) == nil {
						answered.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		p.Answered = int(answered.Load())
		before, err := getStats(statsURL)
		if err != nil {
			return points, err
		}
		var echoes, errs atomic.Int64
		lat := make([][]float64, workers)
		deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
		t0 := time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				back := make([]byte, len(msg))
				for i := w; time.Now().Before(deadline); i += workers {
					c := conns[i%len(conns)]
					s := time.Now()
					if err := echo(c, msg, back); err != nil {
						errs.Add(1)
						continue
					}
					lat[w] = append(lat[w], float64(time.Since(s).Microseconds())/1000)
					echoes.Add(1)
				}
			}(w)
		}
		wg.Wait()
		p.Seconds = time.Since(t0).Seconds()
		if p.After, err = getStats(statsURL); err != nil {
			return points, err
		}
		p.Before = before
		p.Echoes, p.EchoErrors = echoes.Load(), errs.Load()
		p.QPS = float64(p.Echoes) / p.Seconds
		var all []float64
		for _, l := range lat {
			all = append(all, l...)
		}
		sort.Float64s(all)
		if len(all) > 0 {
			p.P50ms, p.P99ms, p.Maxms = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
		}
		points = append(points, p)
	}
	return points, nil
}

func main() {
	role := flag.String("role", "", "server or client")
	addr := flag.String("addr", "127.0.0.1:0", "server: control address (/healthz, /stats)")
	statsURL := flag.String("stats", "", "client: the server's /stats URL")
	dataFlag := flag.String("data", "", "comma-separated data addresses (127.0.0.1 only)")
	levelsFlag := flag.String("levels", "1000", "client: comma-separated connection levels")
	workers := flag.Int("workers", 64, "client: goroutines driving echoes")
	seconds := flag.Float64("seconds", 1, "client: echo traffic per level")
	flag.Parse()
	data := strings.Split(*dataFlag, ",")
	for _, d := range data {
		if !strings.HasPrefix(d, "127.0.0.1:") {
			fmt.Fprintln(os.Stderr, "connhold: -data must be 127.0.0.1:PORT addresses")
			os.Exit(2)
		}
	}
	switch *role {
	case "server":
		if err := serve(*addr, data); err != nil {
			fmt.Fprintln(os.Stderr, "connhold:", err)
			os.Exit(1)
		}
	case "client":
		var levels []int
		for _, f := range strings.Split(*levelsFlag, ",") {
			n, err := strconv.Atoi(f)
			if err != nil || n < 1 || n > 200000 {
				fmt.Fprintln(os.Stderr, "connhold: -levels must be integers 1-200000")
				os.Exit(2)
			}
			levels = append(levels, n)
		}
		sort.Ints(levels)
		if *workers < 1 || *seconds <= 0 {
			fmt.Fprintln(os.Stderr, "connhold: -workers must be ≥ 1 and -seconds > 0")
			os.Exit(2)
		}
		points, err := Drive(*statsURL, data, levels, *workers, *seconds)
		out := map[string]any{"points": points, "go_version": runtime.Version(), "workers": *workers,
			"fd_limit": fdLimit()}
		if err != nil {
			out["error"] = err.Error()
		}
		_ = json.NewEncoder(os.Stdout).Encode(out)
	default:
		fmt.Fprintln(os.Stderr, "connhold: -role must be server or client")
		os.Exit(2)
	}
}
