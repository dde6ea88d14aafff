package straddletest

import (
	"net/http"
	"sync"
	"time"
)

// idempotencyTTL is how long the service keeps an idempotency key.
const idempotencyTTL = 24 * time.Hour

// Limits of the idempotency cache, so that a long-running straddle-mock keeps
// bounded memory however its tenants behave. Keys expire idempotencyTTL
// after first use by the server's clock.
//
// Each tenant (an API key acting for an account) has a budget of its own,
// idemTenantEntries keys and idemTenantBytes: beyond it, the tenant's own
// oldest finished keys are forgotten first (logged the first time), and a
// retry with a forgotten key runs as a new request, as after expiry. So a
// tenant can only ever make the cache forget its own keys.
//
// All tenants together are held to idemTotalEntries keys and idemTotalBytes:
// a new key that would take the cache past either is refused with the
// service's 503 and a Retry-After of when the oldest key expires, and
// nothing is forgotten to make room. Responses of requests still running
// may take the total past idemTotalBytes by their own size until keys
// expire. A key whose request is still running is never forgotten (those
// are bounded by the requests in flight), so a retry meanwhile always gets
// the 409.
const (
	idemTenantEntries = 100_000
	idemTenantBytes   = 64 << 20
	idemTotalEntries  = 4 * idemTenantEntries
	idemTotalBytes    = 4 * idemTenantBytes
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
	idemFull                        // the cache is full: refuse the request
)

// tenant is whose budget a key counts against: an API key acting for an
// account. A platform's key acting for a connected account is a tenant apart
// from the account's own key, so neither can crowd out the other's keys.
type tenant struct{ apiKey, account string }

// idemTenant is the keys of one tenant, oldest first.
type idemTenant struct {
	oldest  *idemEntry
	newest  *idemEntry
	entries int
	bytes   int
	evicted int // finished keys forgotten before they expired
}

// idemEntry is one key: the request it was first used for and, once that
// finished, what a replay needs of its response. It is on two lists by first
// use: all keys (for expiry) and its tenant's (for eviction).
type idemEntry struct {
	scope       [32]byte // hash of API key, account and Idempotency-Key
	fingerprint [32]byte
	created     time.Time
	done        bool
	gone        bool // expired or evicted: finish stores nothing
	status      int
	header      http.Header // nil: only the JSON content type
	body        []byte
	tenant      *idemTenant
	older       *idemEntry // the next older and newer entries of all
	newer       *idemEntry
	tOlder      *idemEntry // the next older and newer entries of its tenant
	tNewer      *idemEntry
}

func (e *idemEntry) cost() int {
	n := idemEntryCost + cap(e.body)
	for k, vs := range e.header {
		n += len(k)
		for _, v := range vs {
			n += len(v)
		}
	}
	return n
}

// idempotency remembers, per API key, account and Idempotency-Key, the request
// a key was first used for and its response, within the limits above.
type idempotency struct {
	mu      sync.Mutex
	entries map[[32]byte]*idemEntry
	tenants map[tenant]*idemTenant
	oldest  *idemEntry
	newest  *idemEntry
	bytes   int
	full    bool // a key was refused for the total limits

	maxEntries, maxBytes           int // of each tenant
	maxTotalEntries, maxTotalBytes int // of all tenants
}

func newIdempotency() *idempotency {
	return &idempotency{
		entries: map[[32]byte]*idemEntry{}, tenants: map[tenant]*idemTenant{},
		maxEntries: idemTenantEntries, maxBytes: idemTenantBytes,
		maxTotalEntries: idemTotalEntries, maxTotalBytes: idemTotalBytes,
	}
}

// begin claims scope (the hash of the API key, account and Idempotency-Key)
// for a request of tn with fingerprint fp at now, or reports why it cannot:
// the key's entry holding the response to replay, the conflict, or that the
// cache is full. warn reports the first time tn's keys are forgotten early,
// or the first time the cache is full.
func (s *idempotency) begin(tn tenant, scope, fp [32]byte, now time.Time) (state idemState, e *idemEntry, warn bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expire(now)
	if e, ok := s.entries[scope]; ok {
		if now.Sub(e.created) < idempotencyTTL {
			switch {
			case e.fingerprint != fp:
				return idemReused, nil, false
			case !e.done:
				return idemInProgress, nil, false
			}
			return idemReplay, e, false
		}
		s.drop(e) // expired, behind a newer key when the clock went back
	}
	t := s.tenants[tn]
	if t == nil {
		t = &idemTenant{}
		s.tenants[tn] = t
	}
	e = &idemEntry{scope: scope, fingerprint: fp, created: now, tenant: t}
	s.link(e)
	warn = s.evict(t)
	if len(s.entries) > s.maxTotalEntries || s.bytes > s.maxTotalBytes {
		s.drop(e)
		warn = !s.full
		s.full = true
		return idemFull, nil, warn
	}
	return idemNew, e, warn
}

// retryAfter is how long until the oldest key expires at now, rounded up to
// whole seconds, at least one.
func (s *idempotency) retryAfter(now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := time.Second
	if s.oldest != nil {
		d = max(d, (s.oldest.created.Add(idempotencyTTL).Sub(now) + time.Second - 1).Truncate(time.Second))
	}
	return d
}

// expire drops the keys first used idempotencyTTL or more before now, from
// the oldest on.
func (s *idempotency) expire(now time.Time) {
	for e := s.oldest; e != nil && now.Sub(e.created) >= idempotencyTTL; e = s.oldest {
		s.drop(e)
	}
}

// evict forgets t's oldest finished keys while t is over its budget, and
// reports whether that forgot one of t's keys for the first time.
func (s *idempotency) evict(t *idemTenant) (first bool) {
	e := t.oldest
	for e != nil && (t.entries > s.maxEntries || t.bytes > s.maxBytes) {
		next := e.tNewer
		if e.done {
			s.drop(e)
			t.evicted++
			first = first || t.evicted == 1
		}
		e = next
	}
	return first
}

// link adds e, the newest key, to the lists and the totals.
func (s *idempotency) link(e *idemEntry) {
	t := e.tenant
	e.older, e.tOlder = s.newest, t.newest
	if s.newest != nil {
		s.newest.newer = e
	} else {
		s.oldest = e
	}
	s.newest = e
	if t.newest != nil {
		t.newest.tNewer = e
	} else {
		t.oldest = e
	}
	t.newest = e
	s.entries[e.scope] = e
	t.entries++
	s.account(e, e.cost())
}

// account adds n bytes of e to the totals.
func (s *idempotency) account(e *idemEntry, n int) {
	s.bytes += n
	e.tenant.bytes += n
}

// drop forgets e.
func (s *idempotency) drop(e *idemEntry) {
	t := e.tenant
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
	if e.tOlder != nil {
		e.tOlder.tNewer = e.tNewer
	} else {
		t.oldest = e.tNewer
	}
	if e.tNewer != nil {
		e.tNewer.tOlder = e.tOlder
	} else {
		t.newest = e.tOlder
	}
	e.older, e.newer, e.tOlder, e.tNewer, e.gone = nil, nil, nil, nil, true
	delete(s.entries, e.scope)
	t.entries--
	s.account(e, -e.cost())
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
// claimed e: its status, headers and body. Response bodies are never
// changed once built, so the body is kept as it is unless it holds much
// spare capacity, which would be memory the budget does not see used. It
// reports whether that forgot one of the tenant's keys early for the first
// time.
func (s *idempotency) finish(e *idemEntry, resp *response) (warn bool) {
	body := resp.body
	if cap(body)-len(body) > len(body)/8 {
		body = append(make([]byte, 0, len(body)), body...)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.gone {
		return false
	}
	before := e.cost()
	e.status, e.done = resp.status, true
	e.body = body[:len(body):len(body)]
	if len(resp.header) != 1 || resp.header.Get("Content-Type") != jsonContentType {
		e.header = resp.header.Clone()
	}
	s.account(e, e.cost()-before)
	return s.evict(e.tenant)
}

// abort releases e's key when the request that claimed it ended without a
// response (a panic), so that a retry can run.
func (s *idempotency) abort(e *idemEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !e.gone {
		s.drop(e)
	}
}
