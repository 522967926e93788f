// Package health implements the minimal health-check HTTP service used as
// the Go side of the handbook's server benchmarks.
package health

import (
	"context"
	"io"
	"net/http"

	"gohandbook.example/samples/internal/serve"
)

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

// Serve serves Handler on addr until ctx is cancelled (see serve.Run):
// "READY http://<host:port>" on ready once listening, then a graceful shutdown.
func Serve(ctx context.Context, addr string, ready io.Writer) error {
	return serve.Run(ctx, addr, Handler(), ready)
}
