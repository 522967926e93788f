package main

import (
	"bytes"
	"encoding/json"
	"runtime/metrics"
	"testing"
)

func TestParseBytes(t *testing.T) {
	cases := map[string]int64{"1GiB": 1 << 30, "64MiB": 64 << 20, "1.5KiB": 1536, "100MB": 100e6, "4096": 4096}
	for in, want := range cases {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-1MiB", "1TiB"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) accepted", bad)
		}
	}
}

func TestMeasureRunsGC(t *testing.T) {
	r := Measure(64<<20, 4<<20)
	if r.GCCycles < 1 || r.Pauses.Count < 1 || r.PeakRSSKiB <= 0 || r.GCCPUSeconds <= 0 {
		t.Fatalf("implausible result %+v", r)
	}
}

func TestDiff(t *testing.T) {
	a := &metrics.Float64Histogram{Buckets: []float64{0, 1, 2}, Counts: []uint64{5, 7}}
	b := &metrics.Float64Histogram{Buckets: []float64{0, 1, 2}, Counts: []uint64{2, 7}}
	if d := diff(a, b); d.Counts[0] != 3 || d.Counts[1] != 0 {
		t.Fatalf("diff = %v", d.Counts)
	}
}

func TestRun(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-total", "1MiB", "-live", "2MiB"}, &out, &errb); code != 2 {
		t.Fatalf("live > total accepted (exit %d)", code)
	}
	if code := run([]string{"-total", "8MiB", "-live", "1MiB"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.TotalBytes != 8<<20 {
		t.Fatalf("output %q: %v", out.String(), err)
	}
}
