// Package bufpool renders a small per-request response two ways: with a
// fresh bytes.Buffer per request, and with buffers reused from a sync.Pool
// (the Go counterpart of the source document's Java ByteBuffer pool).
//
// Run the comparison with:
//
//	go test -run '^$' -bench . -benchmem -count 10 ./bufpool
package bufpool

import (
	"bytes"
	"io"
	"strconv"
	"sync"
)

// Fields is how many key=value lines a response has.
const Fields = 64

// Order is the request being answered.
type Order struct {
	ID    int
	Items []string
}

func render(buf *bytes.Buffer, o *Order) {
	for i := 0; i < Fields; i++ {
		buf.WriteString("item")
		buf.WriteString(strconv.Itoa(i))
		buf.WriteByte('=')
		buf.WriteString(o.Items[i%len(o.Items)])
		buf.WriteByte('\n')
	}
}

// HandleAlloc answers one request with a new buffer.
func HandleAlloc(w io.Writer, o *Order) error {
	var buf bytes.Buffer
	render(&buf, o)
	_, err := w.Write(buf.Bytes())
	return err
}

var pool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// HandlePooled answers one request with a buffer from the pool. Reset
// empties the buffer before use; the bytes of the previous request are
// overwritten, never read, because only buf.Bytes() (up to Len) is written.
func HandlePooled(w io.Writer, o *Order) error {
	buf := pool.Get().(*bytes.Buffer)
	buf.Reset()
	render(buf, o)
	_, err := w.Write(buf.Bytes())
	if buf.Cap() <= 64<<10 { // do not keep huge buffers alive
		pool.Put(buf)
	}
	return err
}
