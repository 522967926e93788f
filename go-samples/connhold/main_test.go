package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDriveHoldsAndEchoes(t *testing.T) {
	var data []string
	for i := 0; i < 2; i++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		data = append(data, ln.Addr().String())
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				open.Add(1)
				go readLoop(c)
			}
		}()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = jsonStats(w)
	}))
	defer srv.Close()
	points, err := Drive(srv.URL, data, []int{10, 50}, 4, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 2 || points[1].Established != 50 || points[1].Answered != 50 || points[1].Echoes == 0 {
		t.Fatalf("unexpected points: %+v", points)
	}
	if points[1].After.Connections < 50 || points[1].After.Goroutines < 50 {
		t.Fatalf("server did not see the connections: %+v", points[1].After)
	}
}
