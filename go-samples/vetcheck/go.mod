module gohandbook.example/vetcheck

go 1.21
