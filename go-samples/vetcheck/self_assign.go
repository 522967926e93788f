package vetcheck

// Clamp meant to write x = max, but assigns x to itself.
func Clamp(x, max int) int {
	if x > max {
		x = x // PLANTED: self-assign
	}
	return x
}
