module gohandbook.example/loopvar

go 1.22
