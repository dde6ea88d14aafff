//go:build race

package straddle

// raceSlack: under the race detector sync.Pool drops a quarter of what is put
// back, so encoding/json's pooled state is allocated again now and then.
const raceSlack = 6
