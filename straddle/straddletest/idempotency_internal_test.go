package straddletest

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"testing"
	"time"
)

var idemNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

// finished begins scope and finishes it with a body of n bytes.
func finished(t *testing.T, s *idempotency, scope string, n int, now time.Time) *idemEntry {
	t.Helper()
	state, e := s.begin(scope, [32]byte{1}, now)
	if state != idemNew {
		t.Fatalf("%s: begin found %v", scope, state)
	}
	body := make([]byte, n, 4*n+64) // as a growing buffer leaves it
	s.finish(e, &response{status: http.StatusCreated, header: http.Header{"Content-Type": {jsonContentType}}, body: body})
	return e
}

func stateOf(s *idempotency, scope string, now time.Time) idemState {
	state, e := s.begin(scope, [32]byte{1}, now)
	if state == idemNew {
		s.abort(scope, e) // leave no trace of the probe
	}
	return state
}

// held reports whether the cache holds scope, without using it.
func held(s *idempotency, scope string) bool {
	_, ok := s.entries[sha256.Sum256([]byte(scope))]
	return ok
}

func TestIdempotencyExpiresKeysByTheClock(t *testing.T) {
	s := newIdempotency()
	finished(t, s, "old", 100, idemNow)
	finished(t, s, "newer", 100, idemNow.Add(time.Hour))
	if got := stateOf(s, "old", idemNow.Add(idempotencyTTL-time.Nanosecond)); got != idemReplay {
		t.Fatalf("just before 24 hours: %v, want a replay", got)
	}
	// The next use of the cache after 24 hours drops the key and its memory.
	stateOf(s, "unrelated", idemNow.Add(idempotencyTTL))
	if held(s, "old") || len(s.entries) != 1 {
		t.Errorf("after 24 hours the cache holds %d keys, the expired one too: %v", len(s.entries), held(s, "old"))
	}
	stateOf(s, "unrelated", idemNow.Add(idempotencyTTL+time.Hour))
	if len(s.entries) != 0 || s.bytes != 0 || s.oldest != nil || s.newest != nil {
		t.Errorf("after every key expired: %d keys, %d bytes", len(s.entries), s.bytes)
	}
}

func TestIdempotencyStoresOnlyWhatAReplayNeeds(t *testing.T) {
	s := newIdempotency()
	e := finished(t, s, "k", 1000, idemNow)
	if len(e.body) != 1000 || cap(e.body) != 1000 || e.header != nil {
		t.Errorf("stored body len %d cap %d, header %v; want the body's bytes only", len(e.body), cap(e.body), e.header)
	}
	if s.bytes != idemEntryCost+1000 {
		t.Errorf("accounted %d bytes", s.bytes)
	}
	replay := s.response(e).replay()
	if replay.status != http.StatusCreated || len(replay.body) != 1000 ||
		replay.header.Get("Content-Type") != jsonContentType || replay.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay %d %v", replay.status, replay.header)
	}
	// Another header is kept, and counted.
	_, e2 := s.begin("k2", [32]byte{}, idemNow)
	s.finish(e2, &response{status: 200, header: http.Header{"Content-Type": {"text/plain"}, "X-Extra": {"v"}}})
	if got := s.response(e2).header; got.Get("X-Extra") != "v" || got.Get("Content-Type") != "text/plain" {
		t.Errorf("replayed header %v", got)
	}
	if want := 2*idemEntryCost + 1000 + len("Content-Type") + len("text/plain") + len("X-Extra") + len("v"); s.bytes != want {
		t.Errorf("accounted %d bytes, want %d", s.bytes, want)
	}
}

func TestIdempotencyCapEvictsTheOldestFinishedKeys(t *testing.T) {
	s := newIdempotency()
	s.maxEntries = 3
	s.begin("running", [32]byte{1}, idemNow) // never finishes during the test
	for i := range 6 {
		finished(t, s, fmt.Sprint("k", i), 10, idemNow.Add(time.Duration(i)*time.Second))
	}
	// At the cap, the oldest finished keys went first; the running one stays.
	for i, want := range []bool{false, false, false, false, true, true} {
		if held(s, fmt.Sprint("k", i)) != want {
			t.Errorf("key %d held: %v, want %v", i, !want, want)
		}
	}
	if got := stateOf(s, "running", idemNow); got != idemInProgress || len(s.entries) != 3 {
		t.Errorf("the running key: %v, %d keys held; want it still in progress", got, len(s.entries))
	}
	if got := stateOf(s, "k0", idemNow); got != idemNew {
		t.Errorf("a forgotten key: %v, want a new request", got)
	}
	// Running requests are never evicted, even when they alone fill the cache.
	for i := range 3 {
		s.begin(fmt.Sprint("more", i), [32]byte{1}, idemNow)
	}
	if len(s.entries) != 4 || held(s, "k4") || held(s, "k5") {
		t.Errorf("%d keys held; want the four running ones only", len(s.entries))
	}
	for _, k := range []string{"running", "more0", "more1", "more2"} {
		if got := stateOf(s, k, idemNow); got != idemInProgress {
			t.Errorf("%s: %v, want in progress", k, got)
		}
	}
}

func TestIdempotencyCapByBytes(t *testing.T) {
	s := newIdempotency()
	s.maxBytes = 5 * (idemEntryCost + 1000)
	for i := range 20 {
		finished(t, s, fmt.Sprint("k", i), 1000, idemNow)
		if s.bytes > s.maxBytes {
			t.Fatalf("after %d keys: %d bytes held, over the cap of %d", i+1, s.bytes, s.maxBytes)
		}
	}
	if len(s.entries) != 5 || held(s, "k14") || !held(s, "k15") {
		t.Errorf("held %d keys; want the 5 newest", len(s.entries))
	}
}

func TestIdempotencyFinishAfterExpiryStoresNothing(t *testing.T) {
	s := newIdempotency()
	_, e := s.begin("slow", [32]byte{1}, idemNow)
	// The request outlives its key: a later use of the cache expires it.
	stateOf(s, "other", idemNow.Add(idempotencyTTL))
	s.finish(e, &response{status: 201, body: make([]byte, 500)})
	if len(s.entries) != 0 || s.bytes != 0 {
		t.Errorf("a finished request of an expired key was stored: %d keys, %d bytes", len(s.entries), s.bytes)
	}
}

// TestIdempotencyCapOverHTTP shows the cap as a client meets it: a retry with
// a key the cache forgot runs again.
func TestIdempotencyCapOverHTTP(t *testing.T) {
	s := NewServer(WithT(t))
	s.idem.maxEntries = 2
	create := func(n int) (int, http.Header) {
		body := fmt.Sprintf(`{"name":"Ann Perkins","type":"individual","email":"cap%d@example.com","phone":"+13175550177","device":{"ip_address":"203.0.113.7"}}`, n)
		status, header, _, _ := send(t, s, "POST", "/v1/customers", body, "Idempotency-Key", fmt.Sprintf("cap-key-%06d", n))
		return status, header
	}
	for n := range 3 {
		if status, _ := create(n); status != http.StatusCreated {
			t.Fatalf("create %d: %d", n, status)
		}
	}
	if status, h := create(2); status != http.StatusCreated || h.Get("Idempotent-Replayed") != "true" {
		t.Errorf("a retry of a held key: %d, replayed %q", status, h.Get("Idempotent-Replayed"))
	}
	status, h := create(0)
	if status != http.StatusUnprocessableEntity || h.Get("Idempotent-Replayed") != "" {
		t.Errorf("a retry of an evicted key: %d, replayed %q; want it run again (and meet its own email)", status, h.Get("Idempotent-Replayed"))
	}
	if n := s.CustomerCount(""); n != 3 {
		t.Errorf("%d customers", n)
	}
}
