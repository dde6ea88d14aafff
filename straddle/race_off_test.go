//go:build !race

package straddle

const raceSlack = 0
