//go:build !race

package straddletest

const raceEnabled = false
