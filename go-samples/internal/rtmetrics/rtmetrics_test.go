package rtmetrics

import (
	"math"
	"runtime"
	"runtime/metrics"
	"testing"
)

func TestSummarise(t *testing.T) {
	h := &metrics.Float64Histogram{
		Buckets: []float64{math.Inf(-1), 1, 2, 4, 8, math.Inf(1)},
		Counts:  []uint64{0, 50, 40, 9, 1},
	}
	s := Summarise(h)
	if s.Count != 100 || s.P50 != 2 || s.P90 != 4 || s.P99 != 8 || s.Max != 8 {
		t.Fatalf("Summarise = %+v", s)
	}
	if b := Buckets(h); len(b) != 4 || b[0] != [3]float64{1, 2, 50} || b[3] != [3]float64{8, 8, 1} {
		t.Fatalf("Buckets = %v", b)
	}
	if (Summarise(nil) != Summary{}) {
		t.Fatal("nil histogram should give a zero summary")
	}
}

func TestReadsGCMetrics(t *testing.T) {
	runtime.GC()
	v := Values("/gc/cycles/total:gc-cycles", "/memory/classes/heap/stacks:bytes", "/no/such:metric")
	if v["/gc/cycles/total:gc-cycles"] < 1 || v["/memory/classes/heap/stacks:bytes"] <= 0 {
		t.Fatalf("values = %v", v)
	}
	if _, ok := v["/no/such:metric"]; ok {
		t.Fatal("unknown metric should be left out")
	}
	h, ok := Histogram("/sched/pauses/total/gc:seconds")
	if !ok || Summarise(h).Count == 0 {
		t.Fatal("no GC pauses recorded after runtime.GC")
	}
}
