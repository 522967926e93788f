package hist

import (
	"math"
	"math/rand"
	"sort"
	"testing"
	"time"
)

// relErr is the documented worst-case relative error of a quantile.
const relErr = 1.0 / 128

func TestIndexBoundsRoundTrip(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 255, 256, 257, 511, 512, 1000, 1 << 20, 123456789, uint64(MaxValue)} {
		i := index(v)
		if i < 0 || i >= numBuckets {
			t.Fatalf("index(%d) = %d out of range [0,%d)", v, i, numBuckets)
		}
		if i < prev {
			t.Fatalf("index not monotonic at %d", v)
		}
		prev = i
		lo, hi := bounds(i)
		if v < lo || v > hi {
			t.Fatalf("value %d not within bucket %d bounds [%d,%d]", v, i, lo, hi)
		}
		if lo >= subCount && float64(hi-lo+1)/float64(lo) > relErr+1e-12 {
			t.Fatalf("bucket %d [%d,%d] wider than %.4f relative", i, lo, hi, relErr)
		}
	}
}

func TestEmpty(t *testing.T) {
	var h Histogram
	if h.Count() != 0 || h.Quantile(0.5) != 0 || h.Mean() != 0 || h.Max() != 0 {
		t.Fatalf("empty histogram should report zeros")
	}
}

func TestClamp(t *testing.T) {
	var h Histogram
	h.Record(-time.Second)
	h.Record(2 * MaxValue)
	if h.Min() != 0 || h.Max() != MaxValue {
		t.Fatalf("min/max = %v/%v, want 0/%v", h.Min(), h.Max(), MaxValue)
	}
}

func within(t *testing.T, name string, got, want time.Duration) {
	t.Helper()
	diff := float64(got - want)
	if diff < 0 {
		diff = -diff
	}
	if diff > float64(want)*relErr+1 {
		t.Errorf("%s = %v, want %v ±%.2f%%", name, got, want, relErr*100)
	}
}

func TestQuantilesUniform(t *testing.T) {
	// 1..100000 µs: pX is X% of 100 ms.
	var h Histogram
	for i := 1; i <= 100000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	within(t, "p50", h.Quantile(0.50), 50*time.Millisecond)
	within(t, "p90", h.Quantile(0.90), 90*time.Millisecond)
	within(t, "p99", h.Quantile(0.99), 99*time.Millisecond)
	if h.Max() != 100*time.Millisecond || h.Min() != time.Microsecond {
		t.Errorf("min/max = %v/%v", h.Min(), h.Max())
	}
	within(t, "mean", h.Mean(), 50000500*time.Nanosecond)
}

func TestQuantilesLogNormalAgainstSort(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var h Histogram
	vals := make([]time.Duration, 200000)
	for i := range vals {
		// log-normal around 200 µs, long tail to tens of ms.
		v := time.Duration(200e3 * math.Exp(r.NormFloat64()*1.2))
		vals[i] = v
		h.Record(v)
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] < vals[j] })
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		want := vals[int(q*float64(len(vals))+0.999999)-1]
		within(t, "quantile", h.Quantile(q), want)
	}
	if h.Max() != vals[len(vals)-1] {
		t.Errorf("max = %v, want %v", h.Max(), vals[len(vals)-1])
	}
}

func TestMergeEqualsSingle(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	var all, a, b Histogram
	for i := 0; i < 50000; i++ {
		v := time.Duration(r.Int63n(int64(time.Second)))
		all.Record(v)
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	var m Histogram
	m.Merge(&a)
	m.Merge(&b)
	m.Merge(&Histogram{}) // merging an empty histogram is a no-op
	if m.Count() != all.Count() || m.Min() != all.Min() || m.Max() != all.Max() || m.Mean() != all.Mean() {
		t.Fatalf("merged summary differs: %d/%v/%v/%v vs %d/%v/%v/%v",
			m.Count(), m.Min(), m.Max(), m.Mean(), all.Count(), all.Min(), all.Max(), all.Mean())
	}
	for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
		if m.Quantile(q) != all.Quantile(q) {
			t.Errorf("q%.2f: merged %v, single %v", q, m.Quantile(q), all.Quantile(q))
		}
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	var h Histogram
	if n := testing.AllocsPerRun(1000, func() { h.Record(123 * time.Microsecond) }); n != 0 {
		t.Fatalf("Record allocates %v times per call", n)
	}
}

func BenchmarkRecord(b *testing.B) {
	var h Histogram
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h.Record(time.Duration(i&0xfffff) * 97)
	}
}
