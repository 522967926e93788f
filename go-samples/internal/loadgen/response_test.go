package loadgen

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// rawExchange sends the target's pre-serialised request to srv over one
// connection `times` times and parses each response.
func rawExchange(t *testing.T, srvURL string, times int) (statuses []int, closes []bool) {
	t.Helper()
	tg, err := parseTarget(srvURL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", tg.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	for i := 0; i < times; i++ {
		if _, err := conn.Write(tg.request); err != nil {
			t.Fatal(err)
		}
		status, mustClose, err := readResponse(br)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		statuses = append(statuses, status)
		closes = append(closes, mustClose)
		if mustClose {
			break
		}
	}
	return statuses, closes
}

func TestReadResponseContentLength(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "5000")
		_, _ = w.Write([]byte(strings.Repeat("x", 5000)))
	}))
	defer srv.Close()
	statuses, closes := rawExchange(t, srv.URL, 3)
	if len(statuses) != 3 || statuses[2] != 200 || closes[2] {
		t.Fatalf("statuses %v closes %v", statuses, closes)
	}
}

func TestReadResponseChunked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		for i := 0; i < 3; i++ {
			_, _ = w.Write([]byte(strings.Repeat("y", 100+i)))
			w.(http.Flusher).Flush() // forces chunked encoding
		}
		w.Header().Set("X-Sum", "303")
	}))
	defer srv.Close()
	statuses, closes := rawExchange(t, srv.URL, 3)
	if len(statuses) != 3 || statuses[2] != 200 || closes[2] {
		t.Fatalf("statuses %v closes %v", statuses, closes)
	}
}

func TestReadResponseConnectionClose(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Connection", "close")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	statuses, closes := rawExchange(t, srv.URL, 3)
	if len(statuses) != 1 || statuses[0] != 503 || !closes[0] {
		t.Fatalf("statuses %v closes %v", statuses, closes)
	}
}

func TestReadResponseCanned(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		status    int
		mustClose bool
		wantErr   bool
	}{
		{"http10 close by default", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", 200, true, false},
		{"http10 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok", 200, false, false},
		{"bare LF", "HTTP/1.1 404 Not Found\nContent-Length: 0\n\n", 404, false, false},
		{"chunk extension", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nok\n\r\n0\r\n\r\n", 200, false, false},
		{"body until EOF", "HTTP/1.1 200 OK\r\n\r\nok\n", 200, true, false},
		{"no body on 204", "HTTP/1.1 204 No Content\r\n\r\n", 204, false, false},
		{"garbage", "SSH-2.0-OpenSSH\r\n\r\n", 0, true, true},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 200, true, true},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", 200, true, true},
		{"truncated headers", "HTTP/1.1 200 OK\r\nContent-Len", 200, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, mustClose, err := readResponse(bufio.NewReader(strings.NewReader(tt.raw)))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if status != tt.status || mustClose != tt.mustClose {
				t.Fatalf("got (%d, %v), want (%d, %v)", status, mustClose, tt.status, tt.mustClose)
			}
		})
	}
}

func TestReadResponseDoesNotAllocate(t *testing.T) {
	raw := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 3\r\n\r\nok\n"
	r := strings.NewReader(raw)
	br := bufio.NewReader(r)
	allocs := testing.AllocsPerRun(1000, func() {
		r.Reset(raw)
		br.Reset(r)
		if _, _, err := readResponse(br); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("readResponse allocates %v times per call", allocs)
	}
}

func BenchmarkReadResponse(b *testing.B) {
	raw := "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 3\r\n\r\nok\n"
	r := strings.NewReader(raw)
	br := bufio.NewReader(r)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r.Reset(raw)
		br.Reset(r)
		if _, _, err := readResponse(br); err != nil {
			b.Fatal(err)
		}
	}
}
