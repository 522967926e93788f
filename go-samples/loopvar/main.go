// Command loopvar is chapter 4's goroutine loop-variable experiment.
//
// The handbook builds this one file in three modules that differ only in
// their go.mod: go 1.21, go 1.22 and no go directive. Since Go 1.22 each
// iteration of a for loop has its own variable, but only in modules that
// declare go 1.22 or later; older or missing go lines keep the old per-loop
// variable. This folder's own go.mod says go 1.22. Each line of output is
// "<case>: <sorted values>".
package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// collector records values from many goroutines.
type collector struct {
	mu   sync.Mutex
	wg   sync.WaitGroup
	seen []string
}

func (c *collector) record(s string) {
	c.mu.Lock()
	c.seen = append(c.seen, s)
	c.mu.Unlock()
}

func (c *collector) sorted() string {
	c.wg.Wait()
	sort.Strings(c.seen)
	return strings.Join(c.seen, " ")
}

// captureLoopVar starts one goroutine per item whose closure refers to the
// loop variable itself. The goroutines wait until the loop has finished, so
// with a shared per-loop variable they all see the last item.
func captureLoopVar(items []string) string {
	var c collector
	start := make(chan struct{})
	for _, item := range items {
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			<-start
			c.record(item)
		}()
	}
	close(start)
	return c.sorted()
}

// passAsArgument is the classic fix: the value is copied into a parameter.
func passAsArgument(items []string) string {
	var c collector
	start := make(chan struct{})
	for _, item := range items {
		c.wg.Add(1)
		go func(s string) {
			defer c.wg.Done()
			<-start
			c.record(s)
		}(item)
	}
	close(start)
	return c.sorted()
}

// processItem is the seed's "wrong" example (with a WaitGroup added so the
// program waits): the closure captures processItem's own parameter, which
// is already a separate copy per call. There is no loop variable here.
func processItem(c *collector, start <-chan struct{}, item string) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		<-start
		c.record(item)
	}()
}

// processItemSafe is the seed's "correct" example: the value is passed as
// an argument to the goroutine's function.
func processItemSafe(c *collector, start <-chan struct{}, item string) {
	c.wg.Add(1)
	go func(s string) {
		defer c.wg.Done()
		<-start
		c.record(s)
	}(item)
}

func runSeed(items []string, process func(*collector, <-chan struct{}, string)) string {
	var c collector
	start := make(chan struct{})
	for _, item := range items {
		process(&c, start, item)
	}
	close(start)
	return c.sorted()
}

func main() {
	items := []string{"a", "b", "c"}
	fmt.Println("loop-capture:", captureLoopVar(items))
	fmt.Println("pass-as-argument:", passAsArgument(items))
	fmt.Println("seed-processItem:", runSeed(items, processItem))
	fmt.Println("seed-processItemSafe:", runSeed(items, processItemSafe))
}
