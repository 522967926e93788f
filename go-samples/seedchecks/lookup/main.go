// Command lookup resolves a host name with package net: the smallest program
// whose linking depends on cgo (net's resolver uses the C library when cgo is
// on). seedchecks builds it with -a and cgo on to test the source's claim
// that -a makes the standard library link statically.
package main

import (
	"fmt"
	"net"
	"os"
)

// Resolve returns the addresses of host.
func Resolve(host string) ([]string, error) { return net.LookupHost(host) }

func main() {
	addrs, err := Resolve("localhost")
	if err != nil {
		fmt.Fprintln(os.Stderr, "lookup:", err)
		os.Exit(1)
	}
	fmt.Println(addrs)
}
