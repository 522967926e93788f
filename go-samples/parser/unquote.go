//go:build !planted

package parser

import (
	"fmt"
	"strings"
)

// unquote reads a quoted value whose opening quote is s[i-1]. It returns the
// value and the offset just after the closing quote.
func unquote(s string, i int) (string, int, error) {
	var b strings.Builder
	for i < len(s) {
		switch c := s[i]; c {
		case '"':
			return b.String(), i + 1, nil
		case '\\':
			if i+1 == len(s) { // FIXED: a backslash needs a byte after it
				return "", i, fmt.Errorf("offset %d: backslash at the end of the input", i)
			}
			b.WriteByte(s[i+1])
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", i, fmt.Errorf("offset %d: unterminated quoted value", i)
}
