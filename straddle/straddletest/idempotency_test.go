package straddletest_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

const key = "0b6c5a52-1f0e-4b39-9d1e-6a4a77c1f001"

func TestIdempotentReplay(t *testing.T) {
	srv, c := newEnv(t)
	body := individual(t, "idem@example.com")
	first := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
	if h := first.header.Get("Idempotent-Replayed"); h != "" {
		t.Errorf("first response has Idempotent-Replayed %q", h)
	}
	second := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
	if second.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay has Idempotent-Replayed %q, want true", second.header.Get("Idempotent-Replayed"))
	}
	if !bytes.Equal(first.body, second.body) || second.header.Get("Content-Type") != first.header.Get("Content-Type") {
		t.Errorf("replay differs:\n%s\n%s", first.body, second.body)
	}
	if srv.CustomerCount("") != 1 {
		t.Errorf("CustomerCount %d, want exactly one effect", srv.CustomerCount(""))
	}
	id := first.customer(t).ID

	// Every write replays, whatever it answered first.
	for _, rq := range []struct {
		method, path string
		body         any
		status       int
	}{
		{"PUT", "/v1/customers/" + id + "/refresh_review", nil, http.StatusAccepted},
		{"DELETE", "/v1/customers/" + id, nil, http.StatusOK},
		{"PATCH", "/v1/customers/" + id + "/review", map[string]any{"status": "verified"}, http.StatusNotFound},
	} {
		k := "key-" + rq.method + "-0123456789"
		a := c.do(rq.method, rq.path, rq.body, "Idempotency-Key", k).want(t, rq.status)
		b := c.do(rq.method, rq.path, rq.body, "Idempotency-Key", k).want(t, rq.status)
		if !bytes.Equal(a.body, b.body) || b.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("%s %s: replay %d %q differs from %s", rq.method, rq.path, b.status, b.body, a.body)
		}
	}
	if srv.CustomerCount("") != 0 {
		t.Errorf("the delete did not happen once")
	}
}

func TestIdempotencyKeyReusedForAnotherRequest(t *testing.T) {
	_, c := newEnv(t)
	created := c.create(individual(t, "a@example.com"), "Idempotency-Key", key)
	for name, rq := range map[string]struct {
		method, path string
		body         any
	}{
		"other body":   {"POST", "/v1/customers", individual(t, "b@example.com")},
		"other method": {"DELETE", "/v1/customers/" + created.ID, nil},
		"other path":   {"PUT", "/v1/customers/" + created.ID + "/refresh_review", nil},
	} {
		e := c.do(rq.method, rq.path, rq.body, "Idempotency-Key", key).want(t, http.StatusConflict).apiError(t)
		if e.Type != "/conflict" || e.Title != "Conflict" || e.Detail == nil || *e.Detail != "Idempotency key already used for a different request." {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func TestIdempotencyKeyLength(t *testing.T) {
	srv, strict := newEnv(t)
	c := newClient(t, srv, false)
	for _, k := range []string{"123456789", strings.Repeat("k", 41)} {
		res := c.do("POST", "/v1/customers", minimal(t, "k@example.com"), "Idempotency-Key", k).want(t, http.StatusBadRequest)
		e := res.apiError(t)
		if e.Type != "/bad_request" || e.Detail != nil || len(e.Items) != 1 ||
			*e.Items[0].Reference != "Idempotency-Key" || e.Items[0].Detail != "The Idempotency-Key header value is not valid." {
			t.Errorf("key of %d characters: %s", len(k), res.body)
		}
		if len(c.takeViolations()) == 0 {
			t.Errorf("key of %d characters: the client-side validator accepted it", len(k))
		}
	}
	if srv.CustomerCount("") != 0 {
		t.Error("a request with a bad key was served")
	}
	strict.create(minimal(t, "ten@example.com"), "Idempotency-Key", "1234567890")
	strict.create(minimal(t, "forty@example.com"), "Idempotency-Key", strings.Repeat("k", 40))
}

func TestIdempotencyInProgress(t *testing.T) {
	srv, c := newEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultDelay, Match: straddletest.OpCreateCustomer, Delay: 500 * time.Millisecond})
	body := individual(t, "slow@example.com")
	var first *result
	var wg sync.WaitGroup
	wg.Go(func() { first = c.do("POST", "/v1/customers", body, "Idempotency-Key", key) })
	waitFor(t, func() bool { return srv.RequestCount(straddletest.OpCreateCustomer) == 1 })
	time.Sleep(50 * time.Millisecond)

	e := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusConflict).apiError(t)
	if e.Detail == nil || *e.Detail != "Previous identical request currently in progress." {
		t.Errorf("identical request meanwhile: %+v", e)
	}
	e = c.do("POST", "/v1/customers", minimal(t, "other@example.com"), "Idempotency-Key", key).want(t, http.StatusConflict).apiError(t)
	if e.Detail == nil || *e.Detail != "Idempotency key already used for a different request." {
		t.Errorf("different request meanwhile: %+v", e)
	}
	wg.Wait()
	first.want(t, http.StatusCreated)
	replay := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
	if !bytes.Equal(replay.body, first.body) || replay.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("after the first finished: %s", replay.body)
	}
	if srv.CustomerCount("") != 1 {
		t.Errorf("CustomerCount %d", srv.CustomerCount(""))
	}
}

func TestIdempotencyKeysExpireAfter24Hours(t *testing.T) {
	clock := newClock()
	srv, c := newEnv(t, straddletest.WithClock(clock.Now))
	body := individual(t, "exp@example.com")
	c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
	clock.Advance(24*time.Hour - time.Second)
	c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
	clock.Advance(time.Second)
	// The key is gone: the request runs again, and meets its own customer's email.
	rerun := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusUnprocessableEntity)
	if rerun.header.Get("Idempotent-Replayed") != "" {
		t.Error("an expired key was replayed")
	}
	replay := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusUnprocessableEntity)
	if replay.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.body, rerun.body) {
		t.Errorf("the new use of the key is not replayed: %s", replay.body)
	}
	if srv.CustomerCount("") != 1 {
		t.Errorf("CustomerCount %d", srv.CustomerCount(""))
	}
}

func TestIdempotencyScopes(t *testing.T) {
	embedded := "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	srv, c := newEnv(t, straddletest.WithAPIKeys("sk_test_one", "sk_test_two"), straddletest.WithPlatform("sk_test_one", embedded))
	body := minimal(t, "scope@example.com")
	a := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
	b := c.do("POST", "/v1/customers", body, "Idempotency-Key", key, "Straddle-Account-Id", embedded).want(t, http.StatusCreated)
	c.key = "sk_test_two"
	d := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
	for _, r := range []*result{b, d} {
		if r.header.Get("Idempotent-Replayed") != "" || r.customer(t).ID == a.customer(t).ID {
			t.Errorf("the key was shared across accounts or API keys: %s", r.body)
		}
	}
	if srv.CustomerCount("") != 1 || srv.CustomerCount(embedded) != 1 || srv.CustomerCount(srv.AccountID("sk_test_two")) != 1 {
		t.Error("each scope should hold one customer")
	}
}

func TestRefusedRequestsAreNotStoredUnderTheirKey(t *testing.T) {
	srv, c := newEnv(t)
	lenient := newClient(t, srv, false)
	lenient.do("POST", "/v1/customers", with(minimal(t, "v@example.com"), "phone", "555"), "Idempotency-Key", key).want(t, http.StatusBadRequest)
	c.do("POST", "/v1/customers", minimal(t, "v@example.com"), "Idempotency-Key", key).want(t, http.StatusCreated)
	if got := srv.Requests(); !slices.ContainsFunc(got, func(r straddletest.RecordedRequest) bool { return r.IdempotencyKey() == key }) {
		t.Error("the requests were not recorded with their key")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(2 * time.Millisecond)
	}
}
