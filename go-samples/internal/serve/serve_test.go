package serve

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestRunFailsWhenReadinessCannotBeAnnounced(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})
	err := Run(context.Background(), "127.0.0.1:0", h, failingWriter{})
	if err == nil || err.Error() != "announce readiness: closed" {
		t.Fatalf("Run = %v, want the announce error", err)
	}
}

func TestRunBadAddr(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})
	if err := Run(context.Background(), "127.0.0.1:-1", h, failingWriter{}); err == nil {
		t.Fatal("expected an error for an invalid address")
	}
}
