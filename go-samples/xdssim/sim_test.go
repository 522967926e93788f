package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func storm(n int, gapMS float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = float64(i) * gapMS
	}
	return out
}

func TestDebouncedStormIsOneRound(t *testing.T) {
	s := Scenario{Name: "storm", Proxies: 20, Concurrency: 4, PushMS: 1, Debounce: true,
		DebounceAfterMS: 50, DebounceMaxMS: 10_000, ChangeTimesMS: storm(5, 10)}
	r := Run(s)
	if r.Error != "" {
		t.Fatal(r.Error)
	}
	if len(r.RoundTimesMS) != 1 || r.RoundVersions[0] != 5 {
		t.Fatalf("want one round carrying change 5, got times %v versions %v", r.RoundTimesMS, r.RoundVersions)
	}
	// The round fires DEBOUNCE_AFTER after the last change (40 ms), never before.
	if r.RoundTimesMS[0] < 90 {
		t.Errorf("round at %.1f ms, before last change + DEBOUNCE_AFTER = 90 ms", r.RoundTimesMS[0])
	}
	if r.Pushes != 20 {
		t.Errorf("pushes = %d, want one per proxy (20)", r.Pushes)
	}
	for i, c := range r.ConvergedMS {
		if c < r.RoundTimesMS[0] {
			t.Errorf("change %d converged at %.1f ms, before the push round", i+1, c)
		}
	}
}

func TestSpacedChangesArePushedSeparately(t *testing.T) {
	s := Scenario{Name: "spaced", Proxies: 10, Concurrency: 10, PushMS: 1, Debounce: true,
		DebounceAfterMS: 20, DebounceMaxMS: 1000, ChangeTimesMS: []float64{0, 100, 200}}
	r := Run(s)
	if r.Error != "" {
		t.Fatal(r.Error)
	}
	if got := len(r.RoundTimesMS); got != 3 {
		t.Fatalf("rounds = %d, want 3 (each change waits 20 ms of quiet, then is pushed)", got)
	}
	if r.Pushes != 30 {
		t.Errorf("pushes = %d, want 30", r.Pushes)
	}
}

func TestDebounceMaxForcesAPush(t *testing.T) {
	// Changes every 10 ms for 300 ms never leave 50 ms of quiet; DEBOUNCE_MAX 120 ms forces pushes.
	s := Scenario{Name: "max", Proxies: 5, Concurrency: 5, PushMS: 1, Debounce: true,
		DebounceAfterMS: 50, DebounceMaxMS: 120, ChangeTimesMS: storm(30, 10)}
	r := Run(s)
	if r.Error != "" {
		t.Fatal(r.Error)
	}
	if len(r.RoundTimesMS) < 2 {
		t.Fatalf("rounds = %d, want a forced push during the storm and one after it", len(r.RoundTimesMS))
	}
	if r.RoundVersions[0] >= 30 {
		t.Errorf("first round carried change %d: it should fire during the storm", r.RoundVersions[0])
	}
}

func TestNoDebouncePushesEveryChangeAndBoundsConcurrency(t *testing.T) {
	s := Scenario{Name: "nodebounce", Proxies: 50, Concurrency: 3, PushMS: 2, Debounce: false,
		ChangeTimesMS: storm(4, 5)}
	r := Run(s)
	if r.Error != "" {
		t.Fatal(r.Error)
	}
	if len(r.RoundTimesMS) != 4 {
		t.Errorf("rounds = %d, want 4 (one per change)", len(r.RoundTimesMS))
	}
	if r.MaxInFlight > 3 || r.MaxInFlight < 1 {
		t.Errorf("max in flight = %d, want 1..3", r.MaxInFlight)
	}
	// Proxies still waiting in the queue merge: fewer pushes than proxies × changes.
	if r.Pushes >= 200 || r.Pushes < 50 {
		t.Errorf("pushes = %d, want between 50 and 199 (merging)", r.Pushes)
	}
	for i := 1; i < len(r.ConvergedMS); i++ {
		if r.ConvergedMS[i] < r.ConvergedMS[i-1] {
			t.Errorf("change %d converged before change %d", i+1, i)
		}
	}
}

func TestPushQueueMergesAndRequeues(t *testing.T) {
	q := newPushQueue()
	q.enqueueAll(3, &pushRequest{version: 1})
	q.enqueueAll(3, &pushRequest{version: 2}) // all still pending: merged, not duplicated
	if len(q.queue) != 3 {
		t.Fatalf("queue length %d, want 3", len(q.queue))
	}
	p, req, ok := q.dequeue()
	if !ok || p != 0 || req.version != 2 {
		t.Fatalf("dequeue = %d %v %v, want proxy 0 with version 2", p, req, ok)
	}
	q.enqueueAll(3, &pushRequest{version: 3}) // proxy 0 is being pushed to: re-queued on markDone
	if len(q.queue) != 2 {
		t.Fatalf("queue length %d, want 2 while proxy 0 is processing", len(q.queue))
	}
	q.markDone(0)
	if len(q.queue) != 3 || q.queue[2] != 0 || q.pending[0].version != 3 {
		t.Fatalf("after markDone: queue %v, pending[0] %v; want proxy 0 re-queued with version 3", q.queue, q.pending[0])
	}
	q.close()
	if _, _, ok := q.dequeue(); ok {
		t.Error("dequeue after close should report !ok")
	}
}

func TestValidate(t *testing.T) {
	good := Scenario{Proxies: 1, Concurrency: 1, Debounce: true, DebounceAfterMS: 1, DebounceMaxMS: 1, ChangeTimesMS: []float64{0}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := []Scenario{
		{Proxies: 0, Concurrency: 1, ChangeTimesMS: []float64{0}},
		{Proxies: 1, Concurrency: 0, ChangeTimesMS: []float64{0}},
		{Proxies: 1, Concurrency: 1},
		{Proxies: 1, Concurrency: 1, ChangeTimesMS: []float64{5, 1}},
		{Proxies: 1, Concurrency: 1, Debounce: true, DebounceAfterMS: 0, ChangeTimesMS: []float64{0}},
		{Proxies: 1, Concurrency: 1, Debounce: true, DebounceAfterMS: 10, DebounceMaxMS: 5, ChangeTimesMS: []float64{0}},
	}
	for i, s := range bad {
		if s.Validate() == nil {
			t.Errorf("case %d: want an error", i)
		}
	}
}

func TestRunCommand(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"-json", `{"name":"x","proxies":3,"concurrency":2,"push_ms":0.5,"change_times_ms":[0]}`}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var results []Result
	if err := json.Unmarshal(out.Bytes(), &results); err != nil || len(results) != 1 || results[0].Pushes != 3 {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	for _, args := range [][]string{{}, {"-json", "{"}, {"-json", "[]"}, {"-json", "{}", "-scenarios", "x"}, {"-nope"}} {
		out.Reset()
		errb.Reset()
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if !strings.Contains(errb.String(), "xdssim") && errb.Len() == 0 {
		t.Error("want a message on stderr")
	}
}
