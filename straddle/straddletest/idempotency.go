package straddletest

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"
)

// idempotencyTTL is how long the service keeps an idempotency key.
const idempotencyTTL = 24 * time.Hour

// Limits of the idempotency cache, so that a long-running straddle-mock keeps
// bounded memory. Keys expire idempotencyTTL after first use by the server's
// clock. Beyond either limit, the oldest finished keys are forgotten first: a
// retry with a forgotten key runs as a new request, as after expiry. A key
// whose request is still running is never forgotten (those are bounded by
// the requests in flight), so a retry meanwhile always gets the 409.
const (
	idemMaxEntries = 100_000
	idemMaxBytes   = 64 << 20
	// idemEntryCost is what an entry costs beyond its body: the entry, its
	// map slot and list links.
	idemEntryCost = 256
)

// idemState is what begin found for a key.
type idemState int

const (
	idemNew        idemState = iota // first use: the caller runs the request
	idemReplay                      // an identical request finished: replay it
	idemInProgress                  // an identical request is still running
	idemReused                      // the key belongs to a different request
)

// idemEntry is one key: the request it was first used for and, once that
// finished, what a replay needs of its response.
type idemEntry struct {
	scope       [32]byte // hash of API key, account and Idempotency-Key
	fingerprint [32]byte
	created     time.Time
	done        bool
	gone        bool // expired or evicted: finish stores nothing
	status      int
	header      http.Header // nil: only the JSON content type
	body        []byte
	older       *idemEntry // the next older and newer entries, by first use
	newer       *idemEntry
}

func (e *idemEntry) cost() int {
	n := idemEntryCost + len(e.body)
	for k, vs := range e.header {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

// idempotency remembers, per API key, account and Idempotency-Key, the request
// a key was first used for and its response, within idemMaxEntries and
// idemMaxBytes.
type idempotency struct {
	mu         sync.Mutex
	entries    map[[32]byte]*idemEntry
	oldest     *idemEntry
	newest     *idemEntry
	bytes      int
	maxEntries int
	maxBytes   int
}

func newIdempotency() *idempotency {
	return &idempotency{entries: map[[32]byte]*idemEntry{}, maxEntries: idemMaxEntries, maxBytes: idemMaxBytes}
}

// begin claims scope for a request with fingerprint fp at now, or reports why
// it cannot: the key's entry holding the response to replay, or the conflict.
func (s *idempotency) begin(scope string, fp [32]byte, now time.Time) (idemState, *idemEntry) {
	key := sha256.Sum256([]byte(scope))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now)
	if e, ok := s.entries[key]; ok {
		if now.Sub(e.created) < idempotencyTTL {
			switch {
			case e.fingerprint != fp:
				return idemReused, nil
			case !e.done:
				return idemInProgress, nil
			}
			return idemReplay, e
		}
		s.drop(e)
	}
	e := &idemEntry{scope: key, fingerprint: fp, created: now, older: s.newest}
	if s.newest != nil {
		s.newest.newer = e
	} else {
		s.oldest = e
	}
	s.newest = e
	s.entries[key] = e
	s.bytes += e.cost()
	s.evict()
	return idemNew, e
}

// expire drops the keys first used idempotencyTTL or more before now, from
// the oldest on.
func (s *idempotency) expire(now time.Time) {
	for e := s.oldest; e != nil && now.Sub(e.created) >= idempotencyTTL; e = s.oldest {
		s.drop(e)
	}
}

// evict forgets the oldest finished keys while the cache is over a limit.
func (s *idempotency) evict() {
	e := s.oldest
	for e != nil && (len(s.entries) > s.maxEntries || s.bytes > s.maxBytes) {
		next := e.newer
		if e.done {
			s.drop(e)
		}
		e = next
	}
}

// drop forgets e.
func (s *idempotency) drop(e *idemEntry) {
	if e.older != nil {
		e.older.newer = e.newer
	} else {
		s.oldest = e.newer
	}
	if e.newer != nil {
		e.newer.older = e.older
	} else {
		s.newest = e.older
	}
	e.older, e.newer, e.gone = nil, nil, true
	delete(s.entries, e.scope)
	s.bytes -= e.cost()
}

// response returns the stored response of e.
func (s *idempotency) response(e *idemEntry) *response {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := e.header.Clone()
	if h == nil {
		h = http.Header{"Content-Type": {jsonContentType}}
	}
	return &response{status: e.status, header: h, body: e.body}
}

// finish stores what a replay needs of the response of the request that
// claimed e: its status, headers and body (copied to its length).
func (s *idempotency) finish(e *idemEntry, resp *response) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.gone {
		return
	}
	before := e.cost()
	e.status, e.done = resp.status, true
	e.body = make([]byte, len(resp.body))
	copy(e.body, resp.body)
	if len(resp.header) != 1 || resp.header.Get("Content-Type") != jsonContentType {
		e.header = resp.header.Clone()
	}
	s.bytes += e.cost() - before
	s.evict()
}

// abort releases scope when the request that claimed e ended without a
// response (a panic), so that a retry can run.
func (s *idempotency) abort(scope string, e *idemEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !e.gone && s.entries[sha256.Sum256([]byte(scope))] == e {
		s.drop(e)
	}
}
