package seedexample

import (
	"io"
	"net/http"
	"os"
)

// FetchStatus calls a URL and never closes the response body: the
// connection and its file descriptor stay pinned until the process ends.
func FetchStatus(url string) (int, error) {
	resp, err := http.Get(url) // SEED: unclosed-body
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}

// FirstByte opens a file as an io.Reader and never closes it.
func FirstByte(path string) (byte, error) {
	f, err := os.Open(path) // SEED: unclosed-reader
	if err != nil {
		return 0, err
	}
	var b [1]byte
	_, err = io.ReadFull(f, b[:])
	return b[0], err
}
