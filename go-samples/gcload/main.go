// Command gcload is an allocation workload for GC tuning: it allocates
// -total bytes in small pointer-carrying records while keeping about -live
// bytes reachable (a ring of request-sized chains, oldest replaced first),
// then reports what the garbage collector did, from runtime/metrics:
// cycles, GC CPU seconds, the stop-the-world pause distribution
// (/sched/pauses/total/gc:seconds), the heap goal, and peak RSS from /proc.
//
// Tune it the usual way, with the GOGC and GOMEMLIMIT environment variables.
//
// Usage:
//
//	GOGC=100 GOMEMLIMIT=off gcload -total 2GiB -live 64MiB
//
// It prints one JSON object to stdout.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"gohandbook.example/samples/internal/procstat"
	"gohandbook.example/samples/internal/rtmetrics"
)

// rec is one allocated record: a pointer (so the GC has something to trace)
// and a payload; 128 bytes with the header-free size class.
type rec struct {
	next *rec
	val  [120]byte
}

const chainLen = 8 // records per simulated request: 1 KiB

var chainBytes = int64(chainLen) * int64(recSize())

func recSize() uintptr {
	var r rec
	return sizeofRec(r)
}

// Result is the program's output.
type Result struct {
	TotalBytes    int64             `json:"total_bytes"`
	LiveBytes     int64             `json:"live_bytes"`
	GOGC          string            `json:"gogc"`
	GOMEMLIMIT    string            `json:"gomemlimit"`
	MemLimitBytes int64             `json:"memory_limit_bytes"`
	WallSeconds   float64           `json:"wall_seconds"`
	GCCycles      float64           `json:"gc_cycles"`
	GCCPUSeconds  float64           `json:"gc_cpu_seconds"`
	TotalCPU      float64           `json:"total_cpu_seconds"`
	GCCPUFraction float64           `json:"gc_cpu_fraction"`
	HeapGoalBytes float64           `json:"heap_goal_bytes"`
	PeakHeapGoal  float64           `json:"peak_heap_goal_bytes"`
	PeakRSSKiB    int64             `json:"peak_rss_kib"`
	Pauses        rtmetrics.Summary `json:"pauses_seconds"`
	PauseBuckets  [][3]float64      `json:"pause_buckets"`
	Checksum      uint64            `json:"checksum"`
	GoVersion     string            `json:"go_version"`
	GOMAXPROCS    int               `json:"gomaxprocs"`
}

// Work allocates total bytes keeping about live bytes reachable.
func Work(total, live int64) (checksum uint64, peakGoal float64) {
	slots := max(live/chainBytes, 1)
	ring := make([]*rec, slots)
	steps := total / chainBytes
	for i := int64(0); i < steps; i++ {
		var head *rec
		for j := 0; j < chainLen; j++ {
			r := &rec{next: head}
			r.val[0] = byte(i)
			head = r
		}
		ring[i%slots] = head
		if i%4096 == 0 {
			checksum += uint64(head.val[0])
			if g := rtmetrics.Values("/gc/heap/goal:bytes")["/gc/heap/goal:bytes"]; g > peakGoal {
				peakGoal = g
			}
		}
	}
	runtime.KeepAlive(ring)
	return checksum, peakGoal
}

var cpuNames = []string{"/gc/cycles/total:gc-cycles", "/cpu/classes/gc/total:cpu-seconds",
	"/cpu/classes/total:cpu-seconds", "/cpu/classes/idle:cpu-seconds", "/gc/heap/goal:bytes"}

// Measure runs the workload and reads the metrics around it.
func Measure(total, live int64) Result {
	before := rtmetrics.Values(cpuNames...)
	pausesBefore, _ := rtmetrics.Histogram("/sched/pauses/total/gc:seconds")
	t0 := time.Now()
	sum, peakGoal := Work(total, live)
	wall := time.Since(t0).Seconds()
	after := rtmetrics.Values(cpuNames...)
	pausesAfter, _ := rtmetrics.Histogram("/sched/pauses/total/gc:seconds")
	pauses := diff(pausesAfter, pausesBefore)
	d := func(name string) float64 { return after[name] - before[name] }
	busy := d("/cpu/classes/total:cpu-seconds") - d("/cpu/classes/idle:cpu-seconds")
	limit := debug.SetMemoryLimit(-1)
	res := Result{
		TotalBytes: total, LiveBytes: live,
		GOGC: envOr("GOGC", "100"), GOMEMLIMIT: envOr("GOMEMLIMIT", "off"), MemLimitBytes: limit,
		WallSeconds: wall, GCCycles: d("/gc/cycles/total:gc-cycles"),
		GCCPUSeconds: d("/cpu/classes/gc/total:cpu-seconds"), TotalCPU: busy,
		HeapGoalBytes: after["/gc/heap/goal:bytes"], PeakHeapGoal: peakGoal,
		PeakRSSKiB: procstat.Self().HWMKiB,
		Pauses:     rtmetrics.Summarise(pauses), PauseBuckets: rtmetrics.Buckets(pauses),
		Checksum: sum, GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0),
	}
	if limit == math.MaxInt64 {
		res.MemLimitBytes = 0
	}
	if busy > 0 {
		res.GCCPUFraction = res.GCCPUSeconds / busy
	}
	return res
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// ParseBytes reads sizes like 512MiB, 2GiB, 64MB or a plain byte count.
func ParseBytes(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1}}
	s = strings.TrimSpace(s)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			v, err := strconv.ParseFloat(strings.TrimSuffix(s, u.suffix), 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			return int64(v * float64(u.mult)), nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v, nil
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gcload", flag.ContinueOnError)
	fs.SetOutput(stderr)
	totalS := fs.String("total", "1GiB", "bytes to allocate in total")
	liveS := fs.String("live", "64MiB", "bytes kept reachable at any time")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	total, err1 := ParseBytes(*totalS)
	live, err2 := ParseBytes(*liveS)
	if err1 != nil || err2 != nil || total < chainBytes || live < chainBytes || live > total {
		fmt.Fprintln(stderr, "gcload: -total and -live must be sizes (e.g. 2GiB, 64MiB) with 1KiB <= live <= total")
		return 2
	}
	if err := json.NewEncoder(stdout).Encode(Measure(total, live)); err != nil {
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
