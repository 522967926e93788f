package vetcheck

import "strconv"

// Parse ignores the first conversion's result by overwriting it.
func Parse(a, b string) (int, error) {
	n, err := strconv.Atoi(a) // PLANTED: unused-value
	n, err = strconv.Atoi(b)
	return n, err
}
