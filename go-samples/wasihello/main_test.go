package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestRun(t *testing.T) {
	t.Setenv("GREETING", "hi")
	var out bytes.Buffer
	if code := run([]string{"a"}, &out); code != 0 {
		t.Fatalf("exit %d", code)
	}
	var r Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Greeting != "hi" || len(r.Args) != 1 || len(r.SHA256) != 64 {
		t.Fatalf("report %+v", r)
	}
}

func TestDigestStable(t *testing.T) {
	if Digest(1<<20) != Digest(1<<20) || Digest(1) == Digest(2) {
		t.Fatal("digest not deterministic or not input-dependent")
	}
}
