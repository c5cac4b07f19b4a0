module worker-pool-playground/go

go 1.19
