package bufpool

import (
	"bytes"
	"io"
	"testing"
)

var order = &Order{ID: 7, Items: []string{"apple", "pear", "plum"}}

func TestSameOutput(t *testing.T) {
	var a, b bytes.Buffer
	if err := HandleAlloc(&a, order); err != nil {
		t.Fatal(err)
	}
	// Twice through the pool: the second response must not carry bytes of the first.
	_ = HandlePooled(io.Discard, &Order{Items: []string{"a-much-longer-item-name-than-the-others"}})
	if err := HandlePooled(&b, order); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) || a.Len() == 0 {
		t.Fatalf("outputs differ:\n%q\n%q", a.String(), b.String())
	}
}

func TestPooledDoesNotAllocate(t *testing.T) {
	_ = HandlePooled(io.Discard, order)
	if n := testing.AllocsPerRun(100, func() { _ = HandlePooled(io.Discard, order) }); n > 0.5 {
		t.Fatalf("pooled handler allocates %.1f times per request", n)
	}
}

func BenchmarkRequestAlloc(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = HandleAlloc(io.Discard, order)
	}
}

func BenchmarkRequestPool(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = HandlePooled(io.Discard, order)
	}
}
