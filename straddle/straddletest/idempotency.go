package straddletest

import (
	"sync"
	"time"
)

// idempotencyTTL is how long the service keeps an idempotency key.
const idempotencyTTL = 24 * time.Hour

// idemState is what begin found for a key.
type idemState int

const (
	idemNew        idemState = iota // first use: the caller runs the request
	idemReplay                      // an identical request finished: replay it
	idemInProgress                  // an identical request is still running
	idemReused                      // the key belongs to a different request
)

type idemEntry struct {
	fingerprint [32]byte
	created     time.Time
	resp        *response // nil while the first request runs
}

// idempotency remembers, per API key, account and Idempotency-Key, the request
// a key was first used for and its response.
type idempotency struct {
	mu      sync.Mutex
	entries map[string]*idemEntry
	begins  int
}

func newIdempotency() *idempotency { return &idempotency{entries: map[string]*idemEntry{}} }

// purgeEvery is how many begins pass between sweeps of expired keys.
const purgeEvery = 1024

// begin claims scope for a request with fingerprint fp at now, or reports why
// it cannot: the key's entry holding the response to replay, or the conflict.
func (s *idempotency) begin(scope string, fp [32]byte, now time.Time) (idemState, *idemEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.begins++; s.begins%purgeEvery == 0 {
		for k, e := range s.entries {
			if e.resp != nil && now.Sub(e.created) >= idempotencyTTL {
				delete(s.entries, k)
			}
		}
	}
	if e, ok := s.entries[scope]; ok && now.Sub(e.created) < idempotencyTTL {
		switch {
		case e.fingerprint != fp:
			return idemReused, nil
		case e.resp == nil:
			return idemInProgress, nil
		}
		return idemReplay, e
	}
	e := &idemEntry{fingerprint: fp, created: now}
	s.entries[scope] = e
	return idemNew, e
}

// response returns the stored response of e.
func (s *idempotency) response(e *idemEntry) *response {
	s.mu.Lock()
	defer s.mu.Unlock()
	return e.resp
}

// finish stores the response of the request that claimed e.
func (s *idempotency) finish(e *idemEntry, resp *response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.resp = resp
}

// abort releases scope when the request that claimed e ended without a
// response (a panic), so that a retry can run.
func (s *idempotency) abort(scope string, e *idemEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries[scope] == e {
		delete(s.entries, scope)
	}
}
