// Package procstat reads a process's memory and thread counts from
// /proc/<pid>/status (Linux only; elsewhere every value is zero).
package procstat

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
)

// Status holds the /proc status fields the handbook's samples report.
type Status struct {
	RSSKiB  int64 `json:"rss_kib"` // VmRSS: resident set size now
	HWMKiB  int64 `json:"hwm_kib"` // VmHWM: peak resident set size
	VMKiB   int64 `json:"vm_kib"`  // VmSize: virtual address space
	Threads int64 `json:"threads"` // OS threads of the process
	FDs     int64 `json:"fds"`     // open file descriptors (entries of /proc/self/fd)
	OK      bool  `json:"ok"`      // false when /proc was not readable
}

// Self returns the calling process's status.
func Self() Status {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return Status{}
	}
	s := Parse(data)
	if entries, err := os.ReadDir("/proc/self/fd"); err == nil {
		s.FDs = int64(len(entries))
	}
	return s
}

// Reader keeps /proc/self/status and /proc/self/fd open, so that it can
// still read them when the process has used up its file descriptors.
type Reader struct {
	status *os.File
	fdDir  *os.File
	buf    []byte
}

// Open prepares a Reader for the calling process.
func Open() (*Reader, error) {
	st, err := os.Open("/proc/self/status")
	if err != nil {
		return nil, err
	}
	dir, err := os.Open("/proc/self/fd")
	if err != nil {
		st.Close()
		return nil, err
	}
	return &Reader{status: st, fdDir: dir, buf: make([]byte, 16<<10)}, nil
}

// Read returns the current status without opening any file.
func (r *Reader) Read() Status {
	n, err := r.status.ReadAt(r.buf, 0)
	if n == 0 && err != nil {
		return Status{}
	}
	s := Parse(r.buf[:n])
	if _, err := r.fdDir.Seek(0, 0); err == nil {
		if names, err := r.fdDir.Readdirnames(-1); err == nil {
			s.FDs = int64(len(names))
		}
	}
	return s
}

// Close releases the Reader's two files.
func (r *Reader) Close() error {
	r.fdDir.Close()
	return r.status.Close()
}

// Parse extracts the fields from the text of a /proc/<pid>/status file.
func Parse(data []byte) Status {
	var s Status
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := bytes.Fields(sc.Bytes())
		if len(fields) < 2 {
			continue
		}
		v, err := strconv.ParseInt(string(fields[1]), 10, 64)
		if err != nil {
			continue
		}
		switch string(fields[0]) {
		case "VmRSS:":
			s.RSSKiB, s.OK = v, true
		case "VmHWM:":
			s.HWMKiB = v
		case "VmSize:":
			s.VMKiB = v
		case "Threads:":
			s.Threads = v
		}
	}
	return s
}
