//go:build !linux

package main

func fdLimit() uint64 { return 0 }
