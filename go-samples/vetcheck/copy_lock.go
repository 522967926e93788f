package vetcheck

import "sync"

// Counter is a mutex-guarded counter; it must not be copied.
type Counter struct {
	mu sync.Mutex
	n  int
}

// Inc increments the counter.
func (c *Counter) Inc() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

// Snapshot receives the counter by value, copying its lock.
func Snapshot(c Counter) int { // PLANTED: copy-lock
	return c.n
}
