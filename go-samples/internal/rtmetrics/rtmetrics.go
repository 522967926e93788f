// Package rtmetrics reads runtime/metrics values by name and summarises
// runtime/metrics histograms (quantiles from bucket boundaries).
package rtmetrics

import (
	"math"
	"runtime/metrics"
)

// Values reads the named metrics. Unsigned and float values are returned
// as float64; histograms and unsupported names are left out.
func Values(names ...string) map[string]float64 {
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	metrics.Read(samples)
	out := make(map[string]float64, len(names))
	for _, s := range samples {
		switch s.Value.Kind() {
		case metrics.KindUint64:
			out[s.Name] = float64(s.Value.Uint64())
		case metrics.KindFloat64:
			out[s.Name] = s.Value.Float64()
		}
	}
	return out
}

// Histogram reads one histogram metric; ok is false if it does not exist.
func Histogram(name string) (h *metrics.Float64Histogram, ok bool) {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil, false
	}
	return s[0].Value.Float64Histogram(), true
}

// Summary describes a histogram: the number of samples, quantiles and the
// largest non-empty bucket. Each value is a bucket's upper boundary (its
// lower one if the upper is +Inf), so quantiles are upper bounds with the
// histogram's resolution.
type Summary struct {
	Count uint64  `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
	Max   float64 `json:"max"`
	Sum   float64 `json:"sum_estimate"`
}

// Summarise computes quantiles over a histogram (nil gives a zero Summary).
func Summarise(h *metrics.Float64Histogram) Summary {
	var s Summary
	if h == nil {
		return s
	}
	for _, c := range h.Counts {
		s.Count += c
	}
	if s.Count == 0 {
		return s
	}
	targets := []float64{0.5, 0.9, 0.99}
	dest := []*float64{&s.P50, &s.P90, &s.P99}
	var seen uint64
	next := 0
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		bound := upper(h.Buckets, i)
		mid := bound
		if lo := h.Buckets[i]; !math.IsInf(lo, -1) && !math.IsInf(bound, 1) {
			mid = (lo + bound) / 2
		}
		s.Sum += float64(c) * mid
		seen += c
		for next < len(targets) && float64(seen) >= targets[next]*float64(s.Count) {
			*dest[next] = bound
			next++
		}
		s.Max = bound
	}
	return s
}

func upper(buckets []float64, i int) float64 {
	hi := buckets[i+1]
	if math.IsInf(hi, 1) {
		return buckets[i]
	}
	return hi
}

// Buckets returns the non-empty buckets as [lower, upper, count] triples.
func Buckets(h *metrics.Float64Histogram) [][3]float64 {
	if h == nil {
		return nil
	}
	var out [][3]float64
	for i, c := range h.Counts {
		if c > 0 {
			lo, hi := h.Buckets[i], h.Buckets[i+1]
			if math.IsInf(lo, -1) {
				lo = 0
			}
			if math.IsInf(hi, 1) {
				hi = lo
			}
			out = append(out, [3]float64{lo, hi, float64(c)})
		}
	}
	return out
}
