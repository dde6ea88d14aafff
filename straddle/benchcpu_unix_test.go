//go:build unix

package straddle_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time, user and system, that this process has
// used: every goroutine of the client (the transport's read and write loops
// too) and the garbage collector, and nothing of the canned server's.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
