package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestMeasure(t *testing.T) {
	r := Measure(5000)
	if r.After.Goroutines < 5000 {
		t.Fatalf("only %v goroutines running", r.After.Goroutines)
	}
	// About the 2 KiB minimum stack each (other goroutines may exit meanwhile), and well below 64 KiB.
	if r.StackPerG < 1900 || r.StackPerG > 65536 {
		t.Fatalf("stack per goroutine = %v bytes", r.StackPerG)
	}
}

func TestRunFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"-n", "-1"}, &out, &errb); code != 2 {
		t.Fatalf("bad -n: exit %d", code)
	}
	out.Reset()
	if code := run([]string{"-n", "10"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || r.N != 10 {
		t.Fatalf("output %q: %v", out.String(), err)
	}
}
