package main

import "syscall"

// fdLimit is the soft open-file limit (Go raises it to the hard limit at start).
func fdLimit() uint64 {
	var r syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r) != nil {
		return 0
	}
	return r.Cur
}
