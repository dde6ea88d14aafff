//go:build !unix

package straddle_test

import "time"

// processCPU is not measured on this system; the benchmarks then report no
// cpu-ns/op.
func processCPU() (time.Duration, bool) { return 0, false }
