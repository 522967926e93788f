package procstat

import (
	"os"
	"runtime"
	"testing"
)

func TestParse(t *testing.T) {
	text := []byte("Name:\tx\nVmSize:\t  10240 kB\nVmHWM:\t    900 kB\nVmRSS:\t    812 kB\nThreads:\t5\n")
	got := Parse(text)
	want := Status{RSSKiB: 812, HWMKiB: 900, VMKiB: 10240, Threads: 5, OK: true}
	if got != want {
		t.Fatalf("Parse = %+v, want %+v", got, want)
	}
}

func TestSelf(t *testing.T) {
	s := Self()
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	if !s.OK || s.RSSKiB <= 0 || s.Threads < 1 || s.FDs < 3 {
		t.Fatalf("implausible status %+v", s)
	}
}

func TestReaderWorksWithoutFreeDescriptors(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	r, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a := r.Read()
	f, _ := os.Open("/proc/self/status")
	b := r.Read()
	f.Close()
	if !a.OK || !b.OK || b.FDs != a.FDs+1 {
		t.Fatalf("before %+v, after opening one file %+v", a, b)
	}
}
