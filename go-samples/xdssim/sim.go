package main

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Scenario is one run of the simulated control plane. Times are in
// milliseconds so that the JSON matches the Python model's inputs.
type Scenario struct {
	Name            string    `json:"name"`
	Proxies         int       `json:"proxies"`           // in-process "proxies" (goroutines)
	Concurrency     int       `json:"concurrency"`       // pushes in flight at most (PILOT_PUSH_THROTTLE)
	PushMS          float64   `json:"push_ms"`           // time one push to one proxy takes
	DebounceAfterMS float64   `json:"debounce_after_ms"` // PILOT_DEBOUNCE_AFTER
	DebounceMaxMS   float64   `json:"debounce_max_ms"`   // PILOT_DEBOUNCE_MAX
	Debounce        bool      `json:"debounce"`          // false: every change is pushed at once
	ChangeTimesMS   []float64 `json:"change_times_ms"`   // when config changes happen, from the start
	TimeoutMS       float64   `json:"timeout_ms"`        // give up after this long (0: 60 s)
}

// Result is what one run measured, in milliseconds since the start.
type Result struct {
	Name          string    `json:"name"`
	ChangeSentMS  []float64 `json:"change_sent_ms"` // when each change was actually sent
	ConvergedMS   []float64 `json:"converged_ms"`   // when every proxy had applied each change
	RoundTimesMS  []float64 `json:"round_times_ms"` // when the debouncer enqueued a push round
	RoundVersions []int     `json:"round_versions"` // the newest change each round carried (1-based)
	Pushes        int64     `json:"pushes"`         // pushes to single proxies
	MaxInFlight   int64     `json:"max_in_flight"`  // most pushes seen running at once
	SlotMSMean    float64   `json:"slot_ms_mean"`   // mean time a push held its semaphore slot
	SlotMSMax     float64   `json:"slot_ms_max"`    // longest time a push held its slot
	WallMS        float64   `json:"wall_ms"`
	GOMAXPROCS    int       `json:"gomaxprocs"`
	Error         string    `json:"error,omitempty"`
}

// Validate reports the first problem with a scenario.
func (s Scenario) Validate() error {
	switch {
	case s.Proxies < 1:
		return errors.New("proxies must be >= 1")
	case s.Concurrency < 1:
		return errors.New("concurrency must be >= 1")
	case s.PushMS < 0:
		return errors.New("push_ms must be >= 0")
	case s.Debounce && s.DebounceAfterMS <= 0:
		return errors.New("debounce_after_ms must be > 0 when debouncing")
	case s.Debounce && s.DebounceMaxMS < s.DebounceAfterMS:
		return errors.New("debounce_max_ms must be >= debounce_after_ms")
	case len(s.ChangeTimesMS) == 0:
		return errors.New("change_times_ms must list at least one change")
	}
	for i := 1; i < len(s.ChangeTimesMS); i++ {
		if s.ChangeTimesMS[i] < s.ChangeTimesMS[i-1] || s.ChangeTimesMS[0] < 0 {
			return errors.New("change_times_ms must be non-negative and sorted")
		}
	}
	return nil
}

func ms(d time.Duration) time.Duration { return d * time.Millisecond }

func toDuration(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

func sinceMS(start time.Time) float64 { return float64(time.Since(start)) / float64(time.Millisecond) }

// pushRequest carries the newest config change (its 1-based version) a push
// must deliver. Merging keeps the newer one, like istiod's PushRequest.Merge.
type pushRequest struct{ version int }

func (r *pushRequest) merge(o *pushRequest) *pushRequest {
	if r == nil {
		return o
	}
	if o != nil && o.version > r.version {
		return o
	}
	return r
}

// pushQueue mirrors istiod's PushQueue (pilot/pkg/xds/pushqueue.go): a FIFO of
// proxies with a pending push. A proxy already pending has its request merged;
// a proxy being pushed to is re-queued when its push is marked done.
type pushQueue struct {
	cond       *sync.Cond
	pending    map[int]*pushRequest
	queue      []int
	processing map[int]bool
	closed     bool
}

func newPushQueue() *pushQueue {
	return &pushQueue{cond: sync.NewCond(&sync.Mutex{}), pending: map[int]*pushRequest{}, processing: map[int]bool{}}
}

func (q *pushQueue) enqueueAll(n int, req *pushRequest) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	for p := 0; p < n; p++ {
		if old, ok := q.pending[p]; ok {
			q.pending[p] = old.merge(req)
			continue
		}
		q.pending[p] = req
		if q.processing[p] {
			continue // re-queued by markDone
		}
		q.queue = append(q.queue, p)
	}
	q.cond.Broadcast()
}

// dequeue blocks until a proxy is queued; ok is false once the queue is closed.
func (q *pushQueue) dequeue() (proxy int, req *pushRequest, ok bool) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	for len(q.queue) == 0 && !q.closed {
		q.cond.Wait()
	}
	if q.closed {
		return 0, nil, false
	}
	proxy, q.queue = q.queue[0], q.queue[1:]
	req = q.pending[proxy]
	delete(q.pending, proxy)
	q.processing[proxy] = true
	return proxy, req, true
}

func (q *pushQueue) markDone(proxy int) {
	q.cond.L.Lock()
	defer q.cond.L.Unlock()
	delete(q.processing, proxy)
	if _, ok := q.pending[proxy]; ok {
		q.queue = append(q.queue, proxy)
		q.cond.Signal()
	}
}

func (q *pushQueue) close() {
	q.cond.L.Lock()
	q.closed = true
	q.cond.L.Unlock()
	q.cond.Broadcast()
}

// tracker records, per change, when the last proxy applied it.
type tracker struct {
	mu        sync.Mutex
	start     time.Time
	applied   []int // newest version applied, per proxy
	have      []int // have[v-1]: proxies that applied version >= v
	converged []float64
	left      int // changes not yet converged everywhere
	done      chan struct{}
}

func newTracker(start time.Time, proxies, changes int) *tracker {
	t := &tracker{start: start, applied: make([]int, proxies), have: make([]int, changes),
		converged: make([]float64, changes), left: changes, done: make(chan struct{})}
	for i := range t.converged {
		t.converged[i] = -1
	}
	return t
}

func (t *tracker) apply(proxy, version int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := sinceMS(t.start)
	for v := t.applied[proxy] + 1; v <= version; v++ {
		t.have[v-1]++
		if t.have[v-1] == len(t.applied) {
			t.converged[v-1] = now
			t.left--
			if t.left == 0 {
				close(t.done)
			}
		}
	}
	if version > t.applied[proxy] {
		t.applied[proxy] = version
	}
}

// pushEvent is what a proxy goroutine receives; done releases the push slot.
type pushEvent struct {
	req  *pushRequest
	done func()
}

// Run executes a scenario in real time: a change source, istiod's debounce
// loop, its push queue, a sender bounded by a semaphore of Concurrency slots,
// and one goroutine per proxy that "applies" a push by sleeping PushMS.
func Run(s Scenario) Result {
	res := Result{Name: s.Name, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if err := s.Validate(); err != nil {
		res.Error = err.Error()
		return res
	}
	timeout := toDuration(s.TimeoutMS)
	if timeout <= 0 {
		timeout = ms(60_000)
	}
	start := time.Now()
	track := newTracker(start, s.Proxies, len(s.ChangeTimesMS))
	queue := newPushQueue()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var pushes, inFlight, maxInFlight, slotNanos, slotMaxNanos atomic.Int64
	pushTime := toDuration(s.PushMS)

	// The proxies: each waits for pushes on its own unbuffered channel.
	proxies := make([]chan pushEvent, s.Proxies)
	for p := range proxies {
		proxies[p] = make(chan pushEvent)
		wg.Add(1)
		go func(p int, ch chan pushEvent) {
			defer wg.Done()
			for {
				select {
				case ev := <-ch:
					if pushTime > 0 {
						time.Sleep(pushTime)
					}
					track.apply(p, ev.req.version)
					pushes.Add(1)
					ev.done()
				case <-stop:
					return
				}
			}
		}(p, proxies[p])
	}

	// The sender: one semaphore slot per push in flight (istiod's doSendPushes).
	semaphore := make(chan struct{}, s.Concurrency)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case semaphore <- struct{}{}:
			case <-stop:
				return
			}
			proxy, req, ok := queue.dequeue()
			if !ok {
				return
			}
			n := inFlight.Add(1)
			for {
				m := maxInFlight.Load()
				if n <= m || maxInFlight.CompareAndSwap(m, n) {
					break
				}
			}
			taken := time.Now()
			done := func() {
				held := int64(time.Since(taken))
				slotNanos.Add(held)
				for {
					m := slotMaxNanos.Load()
					if held <= m || slotMaxNanos.CompareAndSwap(m, held) {
						break
					}
				}
				inFlight.Add(-1)
				queue.markDone(proxy)
				<-semaphore
			}
			go func() {
				select {
				case proxies[proxy] <- pushEvent{req: req, done: done}:
				case <-stop:
				}
			}()
		}
	}()

	// The debouncer, fed by the change source.
	changes := make(chan *pushRequest)
	var roundMu sync.Mutex
	pushFn := func(req *pushRequest) {
		roundMu.Lock()
		res.RoundTimesMS = append(res.RoundTimesMS, sinceMS(start))
		res.RoundVersions = append(res.RoundVersions, req.version)
		roundMu.Unlock()
		queue.enqueueAll(s.Proxies, req)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if s.Debounce {
			debounce(changes, stop, toDuration(s.DebounceAfterMS), toDuration(s.DebounceMaxMS), pushFn)
			return
		}
		for {
			select {
			case r := <-changes:
				pushFn(r)
			case <-stop:
				return
			}
		}
	}()

	// The change source: sends change i (version i+1) at its scheduled time.
	sent := make([]float64, len(s.ChangeTimesMS))
	for i, at := range s.ChangeTimesMS {
		if d := time.Until(start.Add(toDuration(at))); d > 0 {
			time.Sleep(d)
		}
		sent[i] = sinceMS(start)
		changes <- &pushRequest{version: i + 1}
	}

	select {
	case <-track.done:
	case <-time.After(timeout - time.Since(start)):
		res.Error = fmt.Sprintf("not converged after %v", timeout)
	}
	res.WallMS = sinceMS(start)
	close(stop)
	queue.close()
	wg.Wait()

	track.mu.Lock()
	res.ConvergedMS = append([]float64(nil), track.converged...)
	track.mu.Unlock()
	res.ChangeSentMS = sent
	res.Pushes = pushes.Load()
	res.MaxInFlight = maxInFlight.Load()
	if res.Pushes > 0 {
		res.SlotMSMean = float64(slotNanos.Load()) / float64(res.Pushes) / float64(time.Millisecond)
	}
	res.SlotMSMax = float64(slotMaxNanos.Load()) / float64(time.Millisecond)
	return res
}

// debounce is istiod's debounce loop (pilot/pkg/xds/discovery.go), reduced to
// what matters here: the first change arms a DebounceAfter timer; when it fires
// the merged request is pushed if nothing changed for DebounceAfter or the
// first change is DebounceMax old, else the timer is re-armed for the rest of
// the quiet period. One push at a time: pushFn runs in its own goroutine and a
// push finishing re-checks at once.
func debounce(ch <-chan *pushRequest, stop <-chan struct{}, after, maxDelay time.Duration, pushFn func(*pushRequest)) {
	var timeChan <-chan time.Time
	var startDebounce, lastConfigUpdate time.Time
	debouncedEvents := 0
	var req *pushRequest
	free := true
	freeCh := make(chan struct{}, 1)

	push := func(req *pushRequest) {
		pushFn(req)
		freeCh <- struct{}{}
	}
	pushWorker := func() {
		eventDelay := time.Since(startDebounce)
		quietTime := time.Since(lastConfigUpdate)
		if eventDelay >= maxDelay || quietTime >= after {
			if req != nil {
				free = false
				go push(req)
				req = nil
				debouncedEvents = 0
			}
		} else {
			timeChan = time.After(after - quietTime)
		}
	}

	for {
		select {
		case <-freeCh:
			free = true
			pushWorker()
		case r := <-ch:
			lastConfigUpdate = time.Now()
			if debouncedEvents == 0 {
				timeChan = time.After(after)
				startDebounce = lastConfigUpdate
			}
			debouncedEvents++
			req = req.merge(r)
		case <-timeChan:
			if free {
				pushWorker()
			}
		case <-stop:
			return
		}
	}
}
