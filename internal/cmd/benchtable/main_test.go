package main

import (
	"strings"
	"testing"
)

const sample = `goos: linux
goarch: amd64
cpu: Test CPU
BenchmarkGetCustomer/raw-2         	   10000	    100000 ns/op	   40000 cpu-ns/op	    5000 B/op	      50 allocs/op
BenchmarkGetCustomer/raw-2         	   10000	    120000 ns/op	   60000 cpu-ns/op	    5000 B/op	      50 allocs/op
BenchmarkGetCustomer/raw-2         	   10000	    110000 ns/op	   50000 cpu-ns/op	    5000 B/op	      50 allocs/op
BenchmarkGetCustomer/straddle-2    	   10000	    121000 ns/op	   60000 cpu-ns/op	    7000 B/op	      80 allocs/op
BenchmarkConcurrentGet/g8/raw-2    	   10000	     50000 ns/op	   20000 req/s	     110.5 p50-us
BenchmarkConcurrentGet/g8/straddle-2 	   10000	     55000 ns/op	   18000 req/s	     120.5 p50-us
BenchmarkAll/straddle-2            	       1	 900000000 ns/op	  250000 items/s	       3.5 peak-heap-MiB
PASS
`

func TestRunComputesMediansAndRatios(t *testing.T) {
	var out strings.Builder
	if err := run(strings.NewReader(sample), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"`cpu: Test CPU`",
		"| GetCustomer/raw | 3 | 110000 | 50000 | 5000 | 50 |  |  |  |  |  |",
		"| GetCustomer/straddle | 1 | 121000 | 60000 | 7000 | 80 | 1.10× | 1.20× | 1.40× | 1.60× |  |",
		"| ConcurrentGet/g8/straddle | 1 | 55000 |  |  |  | 1.10× |  |  |  | 120.5 p50-us, 1.8e+04 req/s |",
		"| All/straddle | 1 | 900000000 |  |  |  |  |  |  |  | 2.5e+05 items/s, 3.5 peak-heap-MiB |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
}

func TestRunRejectsInputWithoutResults(t *testing.T) {
	if err := run(strings.NewReader("PASS\nok x 1s\n"), new(strings.Builder)); err == nil {
		t.Fatal("no error for input without benchmarks")
	}
}

func TestMedianEvenCount(t *testing.T) {
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Fatalf("median = %v, want 2.5", got)
	}
}
