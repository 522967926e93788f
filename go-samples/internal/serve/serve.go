// Package serve runs the samples' HTTP services the way the handbook's
// harness expects: announce readiness on one line, serve until the context
// ends, then shut down gracefully.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// ShutdownTimeout bounds how long Run waits for in-flight requests after
// its context is cancelled.
const ShutdownTimeout = 5 * time.Second

// Run listens on addr ("host:port"; port 0 picks a free port), writes
// "READY http://<host:port>\n" to ready once the listener is bound, and
// serves h until ctx is cancelled. It then shuts down gracefully, waiting at
// most ShutdownTimeout, and returns nil on a clean shutdown.
func Run(ctx context.Context, addr string, h http.Handler, ready io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
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
