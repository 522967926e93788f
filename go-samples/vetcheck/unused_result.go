package vetcheck

import "fmt"

// Greet builds a greeting and throws it away.
func Greet(name string) {
	fmt.Sprintf("hello, %s", name) // PLANTED: unused-result
}
