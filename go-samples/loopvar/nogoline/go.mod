// No go directive: the go command then assumes go 1.16, so loop variables
// are shared per loop, as before Go 1.22.
module gohandbook.example/loopvar
