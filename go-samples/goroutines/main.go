// Command goroutines starts N goroutines that all block on one channel and
// reports what they cost: goroutine stack memory and heap from
// runtime/metrics, and RSS and OS threads from /proc, before and after.
//
// Usage:
//
//	goroutines -n 100000
//
// It prints one JSON object to stdout and exits 0 (2 on bad flags).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"gohandbook.example/samples/internal/procstat"
	"gohandbook.example/samples/internal/rtmetrics"
)

// Snapshot is the memory picture at one moment.
type Snapshot struct {
	Goroutines   float64         `json:"goroutines"`
	StackBytes   float64         `json:"stack_bytes"`       // /memory/classes/heap/stacks:bytes
	HeapObjBytes float64         `json:"heap_object_bytes"` // /memory/classes/heap/objects:bytes
	GoTotalBytes float64         `json:"go_total_bytes"`    // /memory/classes/total:bytes
	Proc         procstat.Status `json:"proc"`
}

// Report is the program's output.
type Report struct {
	N             int      `json:"n"`
	GoVersion     string   `json:"go_version"`
	GOMAXPROCS    int      `json:"gomaxprocs"`
	SpawnSeconds  float64  `json:"spawn_seconds"`
	Before        Snapshot `json:"before"`
	After         Snapshot `json:"after"`
	StackPerG     float64  `json:"stack_bytes_per_goroutine"`
	HeapPerG      float64  `json:"heap_bytes_per_goroutine"`
	RSSPerG       float64  `json:"rss_bytes_per_goroutine"`
	GoTotalPerG   float64  `json:"go_total_bytes_per_goroutine"`
	ThreadsAtPeak int64    `json:"os_threads"`
}

func snapshot() Snapshot {
	runtime.GC()
	v := rtmetrics.Values("/sched/goroutines:goroutines", "/memory/classes/heap/stacks:bytes",
		"/memory/classes/heap/objects:bytes", "/memory/classes/total:bytes")
	return Snapshot{
		Goroutines:   v["/sched/goroutines:goroutines"],
		StackBytes:   v["/memory/classes/heap/stacks:bytes"],
		HeapObjBytes: v["/memory/classes/heap/objects:bytes"],
		GoTotalBytes: v["/memory/classes/total:bytes"],
		Proc:         procstat.Self(),
	}
}

// Measure starts n blocked goroutines, takes the snapshots and releases them.
func Measure(n int) Report {
	before := snapshot()
	block := make(chan struct{})
	var started sync.WaitGroup
	started.Add(n)
	t0 := time.Now()
	for i := 0; i < n; i++ {
		go func() {
			started.Done()
			<-block
		}()
	}
	started.Wait()
	spawn := time.Since(t0).Seconds()
	// Let every goroutine reach its channel receive and park.
	for j := 0; j < 200; j++ {
		runtime.Gosched()
		if rtmetrics.Values("/sched/goroutines:goroutines")["/sched/goroutines:goroutines"] >= float64(n) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	after := snapshot()
	close(block)
	per := func(a, b float64) float64 {
		if n == 0 {
			return 0
		}
		return (a - b) / float64(n)
	}
	return Report{
		N: n, GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0), SpawnSeconds: spawn,
		Before: before, After: after,
		StackPerG:     per(after.StackBytes, before.StackBytes),
		HeapPerG:      per(after.HeapObjBytes, before.HeapObjBytes),
		RSSPerG:       per(float64(after.Proc.RSSKiB*1024), float64(before.Proc.RSSKiB*1024)),
		GoTotalPerG:   per(after.GoTotalBytes, before.GoTotalBytes),
		ThreadsAtPeak: after.Proc.Threads,
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("goroutines", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 10000, "number of blocked goroutines (0 to 10,000,000)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *n < 0 || *n > 10_000_000 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "goroutines: -n must be between 0 and 10000000 and there are no arguments")
		return 2
	}
	enc := json.NewEncoder(stdout)
	if err := enc.Encode(Measure(*n)); err != nil {
		fmt.Fprintln(stderr, "goroutines:", err)
		return 1
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
