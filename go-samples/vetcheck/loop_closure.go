package vetcheck

import "sync"

// Visit calls use for each element concurrently. Before Go 1.22 (this module
// says go 1.21) every goroutine shares the single loop variable v.
func Visit(xs []string, use func(string)) {
	var wg sync.WaitGroup
	for _, v := range xs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			use(v) // PLANTED: loop-closure
		}()
	}
	wg.Wait()
}
