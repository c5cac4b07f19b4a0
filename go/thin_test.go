package main

import "testing"

// Thinning keeps the first row (t = 0, main alone), the last, time order, and every bucket's
// fewest and most goroutines, so the drawn peak is the true peak.
func TestThinKeepsExtremesAndOrder(t *testing.T) {
	var s Series
	n := 5003
	for i := 0; i < n; i++ {
		g := 3
		switch {
		case i == 0:
			g = 1
		case i == 1:
			g = 2
		case i == 2777:
			g = 1001 // a one-row spike
		case i == n-1:
			g = 1
		}
		s.push(float64(i), g, uint64(i))
	}
	s.thin(2000)
	if s.len() > 2000 || s.len() < 500 {
		t.Fatalf("thinned to %d rows", s.len())
	}
	if s.TMs[0] != 0 || s.Goroutines[0] != 1 {
		t.Errorf("first row (%v, %v), want (0, 1)", s.TMs[0], s.Goroutines[0])
	}
	if last := s.len() - 1; s.TMs[last] != float64(n-1) || s.Goroutines[last] != 1 {
		t.Errorf("last row (%v, %v), want (%d, 1)", s.TMs[last], s.Goroutines[last], n-1)
	}
	if maxOf(s.Goroutines) != 1001 {
		t.Errorf("the spike was lost: max %v", maxOf(s.Goroutines))
	}
	for i := 1; i < s.len(); i++ {
		if s.TMs[i] <= s.TMs[i-1] {
			t.Fatalf("rows out of order at %d: %v then %v", i, s.TMs[i-1], s.TMs[i])
		}
	}
}
