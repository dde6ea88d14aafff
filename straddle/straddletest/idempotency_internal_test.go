package straddletest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

var idemNow = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

var tenantA, tenantB = tenant{"sk_test_a", "account-a"}, tenant{"sk_test_b", "account-b"}

func scopeOf(key string) [32]byte { return sha256.Sum256([]byte(key)) }

// finished begins scope for tenantA and finishes it with a body of n bytes.
func finished(t *testing.T, s *idempotency, scope string, n int, now time.Time) *idemEntry {
	t.Helper()
	return finishedBy(t, s, tenantA, scope, n, now)
}

func finishedBy(t *testing.T, s *idempotency, tn tenant, scope string, n int, now time.Time) *idemEntry {
	t.Helper()
	state, e, _ := s.begin(tn, scopeOf(scope), [32]byte{1}, now)
	if state != idemNew {
		t.Fatalf("%s: begin found %v", scope, state)
	}
	body := make([]byte, n, 4*n+64) // as a growing buffer leaves it
	s.finish(e, &response{status: http.StatusCreated, header: http.Header{"Content-Type": {jsonContentType}}, body: body})
	return e
}

func stateOf(s *idempotency, scope string, now time.Time) idemState {
	state, e, _ := s.begin(tenantA, scopeOf(scope), [32]byte{1}, now)
	if state == idemNew {
		s.abort(e) // leave no trace of the probe
	}
	return state
}

// held reports whether the cache holds scope, without using it.
func held(s *idempotency, scope string) bool {
	_, ok := s.entries[scopeOf(scope)]
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
	_, e2, _ := s.begin(tenantA, scopeOf("k2"), [32]byte{}, idemNow)
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
	s.begin(tenantA, scopeOf("running"), [32]byte{1}, idemNow) // never finishes during the test
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
		s.begin(tenantA, scopeOf(fmt.Sprint("more", i)), [32]byte{1}, idemNow)
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
	_, e, _ := s.begin(tenantA, scopeOf("slow"), [32]byte{1}, idemNow)
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

// TestIdempotencyTenantsHaveTheirOwnBudget: a tenant over its budget forgets
// its own oldest keys, never another tenant's, and is warned the first time.
func TestIdempotencyTenantsHaveTheirOwnBudget(t *testing.T) {
	s := newIdempotency()
	s.maxEntries = 3
	finishedBy(t, s, tenantA, "a-key", 10, idemNow)
	warnings := 0
	for i := range 10 {
		_, e, warn := s.begin(tenantB, scopeOf(fmt.Sprint("b", i)), [32]byte{1}, idemNow)
		if warn {
			warnings++
		}
		if s.finish(e, &response{status: http.StatusNotFound, body: make([]byte, 10)}) {
			warnings++
		}
	}
	if got := stateOf(s, "a-key", idemNow); got != idemReplay {
		t.Errorf("A's key after B's flood: %v, want a replay", got)
	}
	a, b := s.tenants[tenantA], s.tenants[tenantB]
	if a.entries != 1 || a.evicted != 0 || b.entries != 3 || b.evicted != 7 || len(s.entries) != 4 {
		t.Errorf("A holds %d (%d forgotten), B %d (%d forgotten), %d in all", a.entries, a.evicted, b.entries, b.evicted, len(s.entries))
	}
	if warnings != 1 {
		t.Errorf("%d warnings for B's forgotten keys, want 1", warnings)
	}
}

// TestIdempotencyTotalCapRefusesNewKeys: at the cap on all tenants, a new
// key is refused and nothing is forgotten to make room, until keys expire.
func TestIdempotencyTotalCapRefusesNewKeys(t *testing.T) {
	s := newIdempotency()
	s.maxTotalEntries = 4
	finishedBy(t, s, tenantA, "a0", 10, idemNow)
	for i := range 3 {
		finishedBy(t, s, tenantB, fmt.Sprint("b", i), 10, idemNow.Add(time.Hour))
	}
	warnings := 0
	for _, tn := range []tenant{tenantA, tenantB, tenantA} {
		state, _, warn := s.begin(tn, scopeOf("new"), [32]byte{1}, idemNow.Add(2*time.Hour))
		if state != idemFull {
			t.Errorf("%v: a new key at the cap: %v, want it refused", tn, state)
		}
		if warn {
			warnings++
		}
	}
	if warnings != 1 || len(s.entries) != 4 || !held(s, "a0") || s.tenants[tenantA].evicted+s.tenants[tenantB].evicted != 0 {
		t.Errorf("%d warnings, %d keys held, A's held: %v", warnings, len(s.entries), held(s, "a0"))
	}
	if got := s.retryAfter(idemNow.Add(2 * time.Hour)); got != idempotencyTTL-2*time.Hour {
		t.Errorf("retry after %v, want when A's key expires", got)
	}
	// Once A's key expires there is room again.
	if state, _, _ := s.begin(tenantB, scopeOf("new"), [32]byte{1}, idemNow.Add(idempotencyTTL)); state != idemNew || held(s, "a0") {
		t.Errorf("after expiry: %v", state)
	}
}

// logBuffer collects what a server logs, from any goroutine.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestIdempotencyFloodFromAnotherTenant: B sending many writes with fresh
// keys cannot make the server forget A's key, so A's retry is still a
// replay; B's own oldest keys go, and the log says so once, naming B's
// account and neither API key.
func TestIdempotencyFloodFromAnotherTenant(t *testing.T) {
	var logs logBuffer
	s := NewServer(WithT(t), WithAPIKeys("sk_test_tenant_a", "sk_test_tenant_b"),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	s.idem.maxEntries = 5
	create := func() (int, http.Header) {
		status, h, _, _ := send(t, s, "POST", "/v1/customers", minimalBody, "Idempotency-Key", "tenant-a-key-0001")
		return status, h
	}
	if status, _ := create(); status != http.StatusCreated {
		t.Fatalf("A's create: %d", status)
	}
	for i := range 20 {
		path := fmt.Sprintf("/v1/customers/019f3b40-7e5a-7078-9536-%012d", i)
		status, _, _, _ := send(t, s, "DELETE", path, "", "Authorization", "Bearer sk_test_tenant_b", "Idempotency-Key", fmt.Sprintf("tenant-b-flood-%06d", i))
		if status != http.StatusNotFound {
			t.Fatalf("B's delete %d: %d", i, status)
		}
	}
	if status, h := create(); status != http.StatusCreated || h.Get("Idempotent-Replayed") != "true" {
		t.Errorf("A's retry after B's flood: %d, replayed %q; want a replay", status, h.Get("Idempotent-Replayed"))
	}
	if n := s.CustomerCount(""); n != 1 {
		t.Errorf("A has %d customers", n)
	}
	out := logs.String()
	if n := strings.Count(out, "forgotten before they expired"); n != 1 || !strings.Contains(out, "account="+s.AccountID("sk_test_tenant_b")) {
		t.Errorf("%d warnings naming B's account, want 1:\n%s", n, out)
	}
	if strings.Contains(out, "sk_test_tenant") {
		t.Errorf("an API key was logged:\n%s", out)
	}
}

// TestIdempotencyFullOverHTTP: at the cap on all tenants, a new key gets the
// service's 503 with Retry-After (held to the spec), logged once; a request
// without a key, or the retry of a held key, is served as before.
func TestIdempotencyFullOverHTTP(t *testing.T) {
	var logs logBuffer
	s := NewServer(WithT(t), WithClock(func() time.Time { return idemNow }),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	s.idem.maxTotalEntries = 2
	body := func(n int) string { return strings.Replace(minimalBody, "ann@", fmt.Sprintf("full%d@", n), 1) }
	for n := range 2 {
		if status, _, _, v := send(t, s, "POST", "/v1/customers", body(n), "Idempotency-Key", fmt.Sprintf("full-key-%06d", n)); status != http.StatusCreated || len(v) > 0 {
			t.Fatalf("create %d: %d %v", n, status, v)
		}
	}
	for range 2 {
		status, h, raw, v := send(t, s, "POST", "/v1/customers", body(2), "Idempotency-Key", "full-key-000002")
		if status != http.StatusServiceUnavailable || h.Get("Retry-After") != "86400" || len(v) > 0 ||
			!strings.Contains(string(raw), `"type":"/service_unavailable"`) {
			t.Errorf("a new key at the cap: %d, Retry-After %q, %v: %s", status, h.Get("Retry-After"), v, raw)
		}
	}
	if status, h, _, _ := send(t, s, "POST", "/v1/customers", body(0), "Idempotency-Key", "full-key-000000"); status != http.StatusCreated || h.Get("Idempotent-Replayed") != "true" {
		t.Errorf("the retry of a held key: %d", status)
	}
	if status, _, _, _ := send(t, s, "POST", "/v1/customers", body(3)); status != http.StatusCreated {
		t.Errorf("a request without a key: %d", status)
	}
	if n := s.CustomerCount(""); n != 3 {
		t.Errorf("%d customers, want 3", n)
	}
	if n := strings.Count(logs.String(), "idempotency cache full"); n != 1 {
		t.Errorf("%d warnings of a full cache, want 1:\n%s", n, logs.String())
	}
}
