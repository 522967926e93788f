package vetcheck

// User has a malformed json tag: the value must be quoted.
type User struct {
	Name string `json:name` // PLANTED: bad-struct-tag
}
