package vetcheck

import "net/http"

// NewProbe builds a request with a nil context instead of
// context.Background() or the caller's context.
func NewProbe(url string) (*http.Request, error) {
	return http.NewRequestWithContext(nil, http.MethodGet, url, nil) // PLANTED: nil-context
}
