// The guide's Error 4, "passing WaitGroup by value", as the guide writes it: a worker that takes
// sync.WaitGroup by value, and a caller that passes wg. This file is outside ./... on purpose:
// `go vet` rejects it (copylocks), and vet_test.go checks vet's words, which the page quotes.
// The runnable variant, waitgroup.go's wgByValue, makes the same copy in a way vet accepts.
package main

import (
	"sync"
	"time"
)

func incorrectWorker(id int, wg sync.WaitGroup) {
	defer wg.Done()
	time.Sleep(100 * time.Millisecond)
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go incorrectWorker(i, wg)
	}
	wg.Wait()
}
