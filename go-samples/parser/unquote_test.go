//go:build !planted

package parser

import "testing"

// The input the fuzzer found against the planted version (see unquote_planted.go)
// and its neighbours must give an error, not a panic.
func TestBackslashAtEnd(t *testing.T) {
	for _, in := range []string{`a="\`, `a="x\`, `a="\\\`} {
		if got, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %q, want an error", in, got)
		}
	}
}
