module workerpoolplayground/bench

go 1.19
