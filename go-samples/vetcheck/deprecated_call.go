package vetcheck

import "strings"

// Headline title-cases s with a deprecated function.
func Headline(s string) string {
	return strings.Title(s) // PLANTED: deprecated-call
}
