package straddletest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// faultEnv is a server with a client that opens a new connection per request,
// so that net/http never retries a failed request by itself (it does, once, on
// a reused connection when the request has an Idempotency-Key).
func faultEnv(t *testing.T, opts ...straddletest.Option) (*straddletest.Server, *client) {
	srv, c := newEnv(t, opts...)
	c.base.DisableKeepAlives = true
	return srv, c
}

func TestFaultStatus(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 503, RetryAfter: "2", Match: straddletest.OpCreateCustomer})
	res := c.do("POST", "/v1/customers", minimal(t, "f@example.com"), "Idempotency-Key", key).want(t, http.StatusServiceUnavailable)
	if res.header.Get("Retry-After") != "2" || res.header.Get("Straddletest-Fault") != "status" {
		t.Errorf("headers %v", res.header)
	}
	if e := res.apiError(t); e.Type != "/service_unavailable" || e.Title != "Service Unavailable" {
		t.Errorf("error %+v", e)
	}
	if srv.CustomerCount("") != 0 {
		t.Error("the failed request had an effect")
	}
	// The fault is spent, and did not take the idempotency key.
	c.do("POST", "/v1/customers", minimal(t, "f@example.com"), "Idempotency-Key", key).want(t, http.StatusCreated)

	html := []byte("<html><body><h1>502 Bad Gateway</h1></body></html>")
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 502, Body: html})
	res = c.do("GET", "/v1/customers", nil).want(t, http.StatusBadGateway)
	if !bytes.Equal(res.body, html) || !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
		t.Errorf("custom body: %q %q", res.header.Get("Content-Type"), res.body)
	}
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 500, Body: []byte("oops"), ContentType: "text/plain"})
	if res = c.do("GET", "/v1/customers", nil).want(t, 500); res.header.Get("Content-Type") != "text/plain" {
		t.Errorf("content type %q", res.header.Get("Content-Type"))
	}
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 429})
	if e := c.do("GET", "/v1/customers", nil).want(t, 429).apiError(t); e.Type != "/too_many_requests" {
		t.Errorf("429: %+v", e)
	}
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 408})
	if e := c.do("GET", "/v1/customers", nil).want(t, 408).apiError(t); e.Type != "/request_timeout" || e.Title != "Request Timeout" {
		t.Errorf("408: %+v", e)
	}
}

func TestFaultResetActsOnNothing(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultReset})
	if _, err := c.send("POST", "/v1/customers", minimal(t, "r@example.com"), "Idempotency-Key", key); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("error %v, want a connection reset", err)
	}
	if srv.CustomerCount("") != 0 {
		t.Error("the reset request had an effect")
	}
	c.do("POST", "/v1/customers", minimal(t, "r@example.com"), "Idempotency-Key", key).want(t, http.StatusCreated)
}

func TestFaultDropAfterTheWork(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultDropAfter, Match: "POST /v1/customers"})
	body := individual(t, "d@example.com")
	if _, err := c.send("POST", "/v1/customers", body, "Idempotency-Key", key); !errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("error %v, want EOF from a closed connection", err)
	}
	if srv.CustomerCount("") != 1 {
		t.Fatalf("CustomerCount %d: the work should have been done", srv.CustomerCount(""))
	}
	retry := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
	if retry.header.Get("Idempotent-Replayed") != "true" {
		t.Error("the retry was not a replay")
	}
	if srv.CustomerCount("") != 1 {
		t.Error("the retry created a second customer")
	}
}

func TestFaultDelay(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultDelay, Delay: 300 * time.Millisecond})
	c.hc.Timeout = 50 * time.Millisecond
	_, err := c.send("POST", "/v1/customers", minimal(t, "slow@example.com"))
	var timeout interface{ Timeout() bool }
	if !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Fatalf("error %v, want a client timeout", err)
	}
	waitFor(t, func() bool { return srv.CustomerCount("") == 1 })

	c.hc.Timeout = 0
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultDelay, Delay: 20 * time.Millisecond, Match: straddletest.OpListCustomers})
	start := time.Now()
	c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)
	if time.Since(start) < 20*time.Millisecond {
		t.Error("the response was not delayed")
	}
}

func TestFaultDelayEndsWhenTheServerCloses(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultDelay, Delay: time.Hour})
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = c.send("GET", "/v1/customers", nil) })
	waitFor(t, func() bool { return srv.RequestCount("") == 1 })
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the delay")
	}
	wg.Wait()
}

func TestFaultTruncate(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultTruncate, Match: straddletest.OpCreateCustomer})
	res, err := c.send("POST", "/v1/customers", individual(t, "t@example.com"))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error %v, want unexpected EOF", err)
	}
	if res.status != http.StatusCreated || res.header.Get("Content-Length") == "" {
		t.Errorf("status %d headers %v, want the real ones", res.status, res.header)
	}
	if len(res.body) == 0 || json.Valid(res.body) || !bytes.HasPrefix(res.body, []byte(`{"meta":`)) {
		t.Errorf("partial body %q", res.body)
	}
	if srv.CustomerCount("") != 1 {
		t.Error("the work was not done")
	}
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultTruncate, TruncateAt: 10})
	res, err = c.send("GET", "/v1/customers", nil)
	if err == nil || len(res.body) != 10 {
		t.Errorf("TruncateAt 10: %d bytes, error %v", len(res.body), err)
	}
}

func TestFaultInvalidJSON(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultInvalidJSON, Match: straddletest.OpGetCustomer})
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultInvalidJSON, Status: 201, Body: []byte("{]")})
	res := c.do("GET", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00", nil).want(t, http.StatusOK)
	if json.Valid(res.body) || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
		t.Errorf("body %q content type %q", res.body, res.header.Get("Content-Type"))
	}
	res = c.do("POST", "/v1/customers", minimal(t, "j@example.com")).want(t, http.StatusCreated)
	if string(res.body) != "{]" || srv.CustomerCount("") != 0 {
		t.Errorf("custom invalid JSON: %q, %d customers", res.body, srv.CustomerCount(""))
	}
}

func TestFaultConflictsAndUnauthorized(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultInProgress})
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultKeyReused})
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultUnauthorized})
	for _, want := range []string{"Previous identical request currently in progress.", "Idempotency key already used for a different request."} {
		e := c.do("POST", "/v1/customers", minimal(t, "c@example.com"), "Idempotency-Key", key).want(t, http.StatusConflict).apiError(t)
		if e.Type != "/conflict" || e.Detail == nil || *e.Detail != want {
			t.Errorf("error %+v, want %q", e, want)
		}
	}
	res := c.do("GET", "/v1/customers", nil).want(t, http.StatusUnauthorized)
	if len(res.body) != 0 || res.header.Get("Content-Type") != "" {
		t.Errorf("401 with body %q content type %q", res.body, res.header.Get("Content-Type"))
	}
	if srv.CustomerCount("") != 0 {
		t.Error("a faulted request had an effect")
	}
	c.create(minimal(t, "c@example.com"), "Idempotency-Key", key)
}

func TestFaultMatchingAndCounting(t *testing.T) {
	srv, c := faultEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 500, Match: "GET /v1/customers/{id}", Times: 2})
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 503, Match: straddletest.OpGetCustomer})
	if n := srv.PendingFaults(); n != 3 {
		t.Errorf("PendingFaults %d, want 3", n)
	}
	id := c.create(minimal(t, "m@example.com")).ID
	c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)
	for _, want := range []int{500, 500, 503, 200} {
		c.do("GET", "/v1/customers/"+id, nil).want(t, want)
	}
	if n := srv.PendingFaults(); n != 0 {
		t.Errorf("PendingFaults %d, want 0", n)
	}
	var faults []straddletest.FaultKind
	for _, r := range srv.Requests() {
		faults = append(faults, r.Fault)
	}
	want := []straddletest.FaultKind{0, 0, straddletest.FaultStatus, straddletest.FaultStatus, straddletest.FaultStatus, 0}
	if len(faults) != len(want) {
		t.Fatalf("recorded faults %v", faults)
	}
	for i := range want {
		if faults[i] != want[i] {
			t.Errorf("request %d fault %v, want %v", i, faults[i], want[i])
		}
	}
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultReset, Times: 5})
	srv.ClearFaults()
	if srv.PendingFaults() != 0 {
		t.Error("ClearFaults left faults")
	}
	c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)
}

func TestInjectRefusesFaultsThatCannotApply(t *testing.T) {
	srv, _ := newEnv(t)
	for name, f := range map[string]straddletest.Fault{
		"unknown kind":     {Kind: 99},
		"zero kind":        {},
		"unknown match":    {Kind: straddletest.FaultReset, Match: "createInvoice"},
		"wrong template":   {Kind: straddletest.FaultReset, Match: "GET /v1/invoices"},
		"status missing":   {Kind: straddletest.FaultStatus},
		"delay missing":    {Kind: straddletest.FaultDelay},
		"negative times":   {Kind: straddletest.FaultReset, Times: -1},
		"status too large": {Kind: straddletest.FaultStatus, Status: 1000},
		"bad JSON status":  {Kind: straddletest.FaultInvalidJSON, Status: 5},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Inject accepted %+v", name, f)
				}
			}()
			srv.Inject(f)
		}()
	}
	if srv.PendingFaults() != 0 {
		t.Error("a refused fault was queued")
	}
}

func TestFaultKindNames(t *testing.T) {
	names := map[straddletest.FaultKind]string{
		straddletest.FaultStatus: "status", straddletest.FaultReset: "reset", straddletest.FaultDropAfter: "drop-after",
		straddletest.FaultDelay: "delay", straddletest.FaultTruncate: "truncate", straddletest.FaultInvalidJSON: "invalid-json",
		straddletest.FaultInProgress: "in-progress", straddletest.FaultKeyReused: "key-reused",
		straddletest.FaultUnauthorized: "unauthorized", 42: "FaultKind(42)",
	}
	for k, want := range names {
		if k.String() != want {
			t.Errorf("%d: %q, want %q", int(k), k.String(), want)
		}
	}
}

// A fault that lets the work happen leaves the stored response as it was: a
// replay is the real response, not marked as injected.
func TestReplaysAfterFaultsAreClean(t *testing.T) {
	for _, f := range []straddletest.Fault{
		{Kind: straddletest.FaultDelay, Delay: time.Millisecond},
		{Kind: straddletest.FaultTruncate},
		{Kind: straddletest.FaultDropAfter},
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			srv, c := faultEnv(t)
			srv.Inject(f)
			body := minimal(t, "clean@example.com")
			first, _ := c.send("POST", "/v1/customers", body, "Idempotency-Key", key)
			replay := c.do("POST", "/v1/customers", body, "Idempotency-Key", key).want(t, http.StatusCreated)
			if h := replay.header.Get("Straddletest-Fault"); h != "" || replay.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("replay headers %v", replay.header)
			}
			if f.Kind == straddletest.FaultDelay && first.header.Get("Straddletest-Fault") != "" {
				t.Errorf("a delayed response is the real one, but is marked: %v", first.header)
			}
		})
	}
}
