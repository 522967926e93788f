// Package hist implements a fixed-size log-linear latency histogram.
//
// Values are recorded in nanoseconds. Values below 256 ns are stored exactly;
// above that every power-of-two range is split into 128 linear sub-buckets,
// so a bucket's width is at most 1/128 (≈0.8%) of its lower bound. Reported
// quantiles are bucket midpoints, i.e. within ≈0.4% of the true value.
// Recorded values are clamped to [0, MaxValue].
//
// A Histogram is not safe for concurrent use: give each goroutine its own
// and Merge them when done. Record never allocates.
package hist

import (
	"math"
	"math/bits"
	"time"
)

const (
	// subBits is the number of significant bits kept: values below
	// 1<<subBits are exact, larger values are truncated to subBits bits.
	subBits   = 8
	subCount  = 1 << subBits // 256
	halfCount = subCount / 2 // 128 linear sub-buckets per power of two
	maxShift  = 36 - subBits // largest shift for values < 1<<36 ns (≈68.7 s)

	// MaxValue is the largest recordable duration; larger values are clamped.
	MaxValue = 60 * time.Second

	numBuckets = subCount + maxShift*halfCount
)

// Histogram is a log-linear histogram of durations. The zero value is empty
// and ready to use.
type Histogram struct {
	counts [numBuckets]uint64
	count  uint64
	sum    float64 // nanoseconds; float64 avoids overflow on long runs
	min    time.Duration
	max    time.Duration
}

// index returns the bucket index for v (0 <= v <= MaxValue).
func index(v uint64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(v) - subBits // >= 1
	mant := v >> uint(shift)         // in [halfCount, subCount)
	return subCount + (shift-1)*halfCount + int(mant-halfCount)
}

// bounds returns the inclusive lower and upper value of bucket i.
func bounds(i int) (lo, hi uint64) {
	if i < subCount {
		return uint64(i), uint64(i)
	}
	j := i - subCount
	shift := uint(j/halfCount + 1)
	mant := uint64(j%halfCount + halfCount)
	return mant << shift, (mant+1)<<shift - 1
}

// Record adds one observation.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	} else if d > MaxValue {
		d = MaxValue
	}
	h.counts[index(uint64(d))]++
	if h.count == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.count++
	h.sum += float64(d)
}

// Merge adds all observations of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.count == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.count == 0 || o.min < h.min {
		h.min = o.min
	}
	if o.max > h.max {
		h.max = o.max
	}
	h.count += o.count
	h.sum += o.sum
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 { return h.count }

// Min returns the smallest observation (exact), or 0 if empty.
func (h *Histogram) Min() time.Duration { return h.min }

// Max returns the largest observation (exact), or 0 if empty.
func (h *Histogram) Max() time.Duration { return h.max }

// Mean returns the arithmetic mean (exact up to float rounding), or 0 if empty.
func (h *Histogram) Mean() time.Duration {
	if h.count == 0 {
		return 0
	}
	return time.Duration(math.Round(h.sum / float64(h.count)))
}

// Quantile returns the value at quantile q in [0, 1] (0.99 for p99): the
// midpoint of the bucket holding the observation of rank ceil(q*count),
// clamped to the exact min and max. It returns 0 if the histogram is empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.count == 0 {
		return 0
	}
	switch {
	case q <= 0:
		return h.min
	case q >= 1:
		return h.max
	}
	rank := uint64(math.Ceil(q * float64(h.count)))
	if rank == 0 {
		rank = 1
	}
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bounds(i)
			v := time.Duration(lo + (hi-lo)/2)
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}
