package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080/x", "http://[::1]:1/"} {
		if err := CheckLoopback(u); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
	for _, u := range []string{"https://api.example.com/task/", "http://10.0.0.1/", "http://localhost:80/", "ftp://127.0.0.1/"} {
		if CheckLoopback(u) == nil {
			t.Errorf("%s accepted", u)
		}
	}
}

func TestKind(t *testing.T) {
	cases := map[string]string{
		"dial tcp 127.0.0.1:1: socket: too many open files":  "too many open files",
		"dial tcp: connect: cannot assign requested address": "no free local port",
		"read: connection reset by peer":                     "connection reset",
		"HTTP 503":                                           "HTTP status",
		"something else":                                     "other",
	}
	for msg, want := range cases {
		if got := Kind(errors.New(msg)); got != want {
			t.Errorf("Kind(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestModes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	for _, mode := range []string{"seed", "unbounded", "bounded"} {
		res, err := Run(mode, srv.URL+"/healthz", 200, 8, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if res.OK+res.Errors+res.Unfinished != 200 || res.OK == 0 {
			t.Errorf("%s: %+v", mode, res)
		}
	}
	if _, err := Run("nope", srv.URL, 1, 1, time.Second); err == nil {
		t.Error("unknown mode accepted")
	}
}
