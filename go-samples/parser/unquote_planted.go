//go:build planted

package parser

import (
	"fmt"
	"strings"
)

// unquote reads a quoted value whose opening quote is s[i-1]. It returns the
// value and the offset just after the closing quote.
//
// This is the planted-bug version (build tag "planted"): it trusts that a
// backslash is always followed by another byte.
func unquote(s string, i int) (string, int, error) {
	var b strings.Builder
	for i < len(s) {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			b.WriteByte(s[i+1]) // PLANTED: reads past the end when the input ends with a backslash
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", i, fmt.Errorf("offset %d: unterminated quoted value", i)
}
