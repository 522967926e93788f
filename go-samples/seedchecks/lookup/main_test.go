package main

import "testing"

func TestResolveLocalhost(t *testing.T) {
	addrs, err := Resolve("localhost")
	if err != nil || len(addrs) == 0 {
		t.Fatalf("Resolve(localhost) = %v, %v", addrs, err)
	}
}
