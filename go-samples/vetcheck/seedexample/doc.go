// Package seedexample holds the source document's own examples for section
// 4.3's static-analysis claims, kept apart from the planted problems so they
// are judged on their own: an unclosed io.Reader and response body (which the
// source says go vet catches) and a capitalised error string (ST1005, which
// the source's staticcheck command disables).
package seedexample
