package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
		wantD   time.Duration
	}{
		{"defaults", []string{"-url", "http://127.0.0.1:1/healthz"}, "", 5 * time.Second},
		{"n drops default d", []string{"-url", "http://x/", "-n", "10"}, "", 0},
		{"n keeps explicit d", []string{"-url", "http://x/", "-n", "10", "-d", "3s"}, "", 3 * time.Second},
		{"missing url", nil, "-url is required", 0},
		{"https", []string{"-url", "https://x/"}, "only http://", 0},
		{"zero conns", []string{"-url", "http://x/", "-c", "0"}, "connections", 0},
		{"negative warmup", []string{"-url", "http://x/", "-warmup", "-1s"}, "warm-up", 0},
		{"zero timeout", []string{"-url", "http://x/", "-timeout", "0"}, "timeout", 0},
		{"extra args", []string{"-url", "http://x/", "what"}, "unexpected arguments", 0},
		{"unknown flag", []string{"-bogus"}, "not defined", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Duration != tt.wantD {
				t.Fatalf("duration = %v, want %v", cfg.Duration, tt.wantD)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-c", "0", "-url", "http://x/"}, io.Discard, &stderr); code != 2 {
		t.Fatalf("bad flags: exit %d, want 2", code)
	}
	if !strings.HasPrefix(stderr.String(), "loadgen: ") {
		t.Fatalf("stderr = %q", stderr.String())
	}
	// Port 1 on localhost refuses connections.
	if code := run(context.Background(), []string{"-url", "http://127.0.0.1:1/", "-c", "1"}, io.Discard, io.Discard); code != 1 {
		t.Fatalf("unreachable target: exit %d, want 1", code)
	}
}

func TestRunPrintsOneJSONObject(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	}))
	defer srv.Close()

	var stdout bytes.Buffer
	args := []string{"-url", srv.URL + "/healthz", "-c", "2", "-d", "200ms", "-warmup", "50ms"}
	if code := run(context.Background(), args, &stdout, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(strings.TrimSpace(stdout.String()), "\n"); n != 0 {
		t.Fatalf("want exactly one line of output, got %d extra", n)
	}
	var got map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"url", "connections", "duration_s", "warmup_s", "requests", "errors",
		"status_errors", "io_errors", "first_error", "qps", "latency_ms", "gomaxprocs", "go_version"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing key %q in %s", k, stdout.String())
		}
	}
	if got["requests"].(float64) == 0 {
		t.Errorf("no requests counted: %s", stdout.String())
	}
}

func TestSpecFile(t *testing.T) {
	dir := t.TempDir()
	good := dir + "/good.json"
	if err := os.WriteFile(good, []byte(`{"requests": [{"method": "POST", "path": "/x", "body": "{}", "expect_status": 201}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := parseFlags([]string{"-url", "http://127.0.0.1:1", "-spec", good}, io.Discard)
	if err != nil || len(cfg.Targets) != 1 || cfg.Targets[0].ExpectStatus != 201 {
		t.Fatalf("cfg %+v err %v", cfg, err)
	}
	typo := dir + "/typo.json"
	if err := os.WriteFile(typo, []byte(`{"requests": [{"path": "/x", "expect_bdy": ["a"]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := parseFlags([]string{"-url", "http://127.0.0.1:1", "-spec", typo}, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "expect_bdy") {
		t.Fatalf("a typo in the spec must fail, got %v", err)
	}
	if _, err := parseFlags([]string{"-url", "http://127.0.0.1:1", "-spec", dir + "/missing.json"}, io.Discard); err == nil {
		t.Fatal("a missing spec file must fail")
	}
}
