package main

import "runtime/metrics"

// diff returns a - b for two readings of the same histogram (b may be nil).
func diff(a, b *metrics.Float64Histogram) *metrics.Float64Histogram {
	if a == nil {
		return nil
	}
	out := &metrics.Float64Histogram{Buckets: a.Buckets, Counts: make([]uint64, len(a.Counts))}
	copy(out.Counts, a.Counts)
	if b != nil && len(b.Counts) == len(a.Counts) {
		for i := range out.Counts {
			out.Counts[i] -= b.Counts[i]
		}
	}
	return out
}
