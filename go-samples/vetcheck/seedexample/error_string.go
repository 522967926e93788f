package seedexample

import "errors"

// ErrNotFound has a capitalised error string ending in a period (ST1005).
var ErrNotFound = errors.New("Order not found.") // SEED: error-string
