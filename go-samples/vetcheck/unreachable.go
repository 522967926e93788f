package vetcheck

import "fmt"

// Answer returns before it gets to print.
func Answer() int {
	return 42
	fmt.Println("never printed") // PLANTED: unreachable
	return 0
}
