// Package health implements the minimal health-check HTTP service used as
// the Go side of the handbook's server benchmarks.
package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout bounds how long Serve waits for in-flight requests after
// its context is cancelled.
const ShutdownTimeout = 5 * time.Second

var body = []byte("ok\n")

// Handler returns the service's routes: GET /healthz answers 200 "ok\n".
// Other methods on /healthz get 405; other paths get 404.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	return mux
}

func healthz(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain")
	h.Set("Content-Length", "3")
	_, _ = w.Write(body) // a write error means the client went away
}

// Serve listens on addr ("host:port"; port 0 picks a free port), writes
// "READY http://<host:port>\n" to ready once the listener is bound, and
// serves until ctx is cancelled. It then shuts down gracefully, waiting at
// most ShutdownTimeout, and returns nil on a clean shutdown.
func Serve(ctx context.Context, addr string, ready io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           Handler(),
		ReadHeaderTimeout: 10 * time.Second,
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()

	if _, err := fmt.Fprintf(ready, "READY http://%s\n", ln.Addr()); err != nil {
		_ = srv.Close()
		return fmt.Errorf("announce readiness: %w", err)
	}

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}

	shutdownCtx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
