//go:build !unix

package straddletest_test

func processCPU() (int64, bool) { return 0, false }
