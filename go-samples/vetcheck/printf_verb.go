package vetcheck

import "fmt"

// PrintCount prints a count with a verb that does not match its argument.
func PrintCount() {
	fmt.Printf("%d\n", "text") // PLANTED: printf-verb
}
