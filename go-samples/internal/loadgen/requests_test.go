package loadgen

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// quoteServer answers GET /a, POST /b (JSON body echoed back) and, when
// broken is set, a 200 with the wrong body on /a.
func quoteServer(t *testing.T, broken bool, seen *sync.Map) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Method+" "+r.URL.RequestURI(), r.Header.Get("X-Team"))
		switch {
		case r.Method == "GET" && r.URL.Path == "/a":
			if broken {
				_, _ = io.WriteString(w, `{"oops":true}`)
				return
			}
			_, _ = io.WriteString(w, `{"total":42}`)
		case r.Method == "POST" && r.URL.Path == "/b":
			var in map[string]any
			if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
				http.Error(w, "bad json", http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(map[string]any{"got": in["sku"]})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func requestList() []Request {
	return []Request{
		{Path: "/a", ExpectBody: []string{`"total":42`}},
		{Method: "POST", Path: "/b", Headers: map[string]string{"Content-Type": "application/json", "X-Team": "orders"},
			Body: `{"sku":"A1"}`, ExpectStatus: 201, ExpectBody: []string{`"got":"A1"`}},
	}
}

func TestRunRequestListInTurnWithChecks(t *testing.T) {
	var seen sync.Map
	srv := quoteServer(t, false, &seen)
	res, err := Run(context.Background(), Config{URL: srv.URL, Targets: requestList(), Connections: 1,
		Requests: 10, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 10 || res.Errors != 0 {
		t.Fatalf("want 10 good requests, got %+v", res)
	}
	if _, ok := seen.Load("GET /a"); !ok {
		t.Error("GET /a never sent")
	}
	if team, ok := seen.Load("POST /b"); !ok || team != "orders" {
		t.Errorf("POST /b with header: %v %v", team, ok)
	}
}

func TestRunBodyCheckCatchesABrokenService(t *testing.T) {
	var seen sync.Map
	srv := quoteServer(t, true, &seen)
	res, err := Run(context.Background(), Config{URL: srv.URL, Targets: requestList(), Connections: 2,
		Requests: 20, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.BodyErrors == 0 || res.Errors != res.BodyErrors || res.Requests == 0 {
		t.Fatalf("want body errors for /a only, got %+v", res)
	}
	if !strings.Contains(res.FirstError, "lacks an expected text") {
		t.Errorf("first error %q", res.FirstError)
	}
}

func TestRunExpectStatus(t *testing.T) {
	var seen sync.Map
	srv := quoteServer(t, false, &seen)
	// POST /b answers 201: expecting 200 makes every response an error.
	reqs := []Request{{Method: "POST", Path: "/b", Body: `{"sku":"X"}`, ExpectStatus: 200}}
	res, err := Run(context.Background(), Config{URL: srv.URL, Targets: reqs, Connections: 1, Requests: 5,
		Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 0 || res.StatusErrors["201"] != 5 {
		t.Fatalf("want 5 status errors, got %+v", res)
	}
}

func TestPrepareRejectsBadRequests(t *testing.T) {
	tg, err := parseTarget("http://127.0.0.1:1")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Request{{Path: "nope"}, {Method: "GE T", Path: "/"}, {Path: "/", ExpectStatus: 42},
		{Path: "/", Headers: map[string]string{"X:Y": "1"}}} {
		if _, err := tg.prepare([]Request{bad}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func TestReadResponseIntoKeepsBodies(t *testing.T) {
	raw := "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" +
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n" +
		"HTTP/1.0 200 OK\r\n\r\nuntil eof"
	br := bufio.NewReader(strings.NewReader(raw))
	var body []byte
	for _, want := range []string{"hello", "abcde", "until eof"} {
		if _, _, err := readResponseInto(br, &body); err != nil {
			t.Fatal(err)
		}
		if string(body) != want {
			t.Fatalf("body %q, want %q", body, want)
		}
	}
}
