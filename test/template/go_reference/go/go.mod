module gorefcheck

go 1.19
