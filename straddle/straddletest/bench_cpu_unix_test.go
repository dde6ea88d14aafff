//go:build unix

package straddletest_test

import "syscall"

// processCPU is the CPU time the process has used, in nanoseconds: on a
// shared machine, what a benchmark costs whatever else runs beside it.
func processCPU() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
