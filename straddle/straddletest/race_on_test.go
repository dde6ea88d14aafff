//go:build race

package straddletest

// raceEnabled: the race detector slows the large-store tests about tenfold,
// so they run smaller (still large enough for trees of three levels).
const raceEnabled = true
