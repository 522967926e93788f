// Package parser reads lists of key=value pairs such as
//
//	name="go \"gopher\""; size=10; path="C:\\temp"
//
// It is chapter 4's fuzzing sample. The default build is the fixed parser;
// building with the tag "planted" swaps in a version of unquote with a
// planted bug (a read past the end of the input after a trailing backslash),
// which `go test -tags planted -fuzz=FuzzParse` finds. See unquote.go and
// unquote_planted.go: they differ in one bounds check.
//
// Syntax: pairs are separated by ';' (a trailing ';' is allowed); spaces and
// tabs around keys, '=', values and ';' are ignored. A key is one or more of
// A-Z a-z 0-9 _ . -. A value is either bare (up to the next ';', without '"'
// or '\', trailing blanks dropped) or quoted ("..."), where a backslash makes
// the next byte literal.
package parser

import (
	"fmt"
	"strings"
)

// Pair is one key and its value.
type Pair struct {
	Key, Value string
}

// Parse returns the pairs in s, in order, or an error that names the offset
// of the first problem.
func Parse(s string) ([]Pair, error) {
	var pairs []Pair
	i := 0
	for {
		i = skipBlanks(s, i)
		if i == len(s) {
			return pairs, nil
		}
		start := i
		for i < len(s) && isKeyByte(s[i]) {
			i++
		}
		if i == start {
			return nil, fmt.Errorf("offset %d: expected a key", i)
		}
		key := s[start:i]
		i = skipBlanks(s, i)
		if i == len(s) || s[i] != '=' {
			return nil, fmt.Errorf("offset %d: expected '=' after key %q", i, key)
		}
		i = skipBlanks(s, i+1)
		var value string
		if i < len(s) && s[i] == '"' {
			var err error
			if value, i, err = unquote(s, i+1); err != nil {
				return nil, err
			}
		} else {
			start := i
			for i < len(s) && s[i] != ';' && s[i] != '"' && s[i] != '\\' {
				i++
			}
			if i < len(s) && s[i] != ';' {
				return nil, fmt.Errorf("offset %d: %q is not allowed in an unquoted value", i, s[i])
			}
			value = strings.TrimRight(s[start:i], " \t")
		}
		pairs = append(pairs, Pair{Key: key, Value: value})
		i = skipBlanks(s, i)
		if i == len(s) {
			return pairs, nil
		}
		if s[i] != ';' {
			return nil, fmt.Errorf("offset %d: expected ';' after the value of %q", i, key)
		}
		i++
	}
}

// Format writes pairs in the syntax Parse reads, quoting every value.
// Keys must be valid keys (as Parse returns them).
func Format(pairs []Pair) string {
	var b strings.Builder
	for n, p := range pairs {
		if n > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.Key)
		b.WriteString(`="`)
		for i := 0; i < len(p.Value); i++ {
			if c := p.Value[i]; c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(p.Value[i])
		}
		b.WriteByte('"')
	}
	return b.String()
}

func skipBlanks(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
}
