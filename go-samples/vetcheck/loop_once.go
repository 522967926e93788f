package vetcheck

// SumAbs means to add up |x| for all xs, but leaves the loop after the
// first element.
func SumAbs(xs []int) int {
	total := 0
	for _, x := range xs {
		if x < 0 {
			x = -x
		}
		total += x
		break // PLANTED: loop-once
	}
	return total
}
