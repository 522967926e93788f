module gohandbook.example/samples

go 1.22
