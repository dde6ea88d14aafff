package straddle

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// htmlBadGateway is what proxies send instead of the JSON envelope.
const htmlBadGateway = "<html><body><h1>502 Bad Gateway</h1></body></html>"

func writeHTML(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, htmlBadGateway)
}

// notJSON marks responses whose bodies deliberately break the spec.
func notJSON(r *http.Response) bool { return r.Header.Get("Content-Type") != "application/json" }

func TestRetryClassification(t *testing.T) {
	tests := []struct {
		name     string
		handler  func(t *testing.T) http.HandlerFunc
		skip     func(*http.Response) bool
		attempts int
	}{
		{"500 with an API error body", func(t *testing.T) http.HandlerFunc { return serve(t, 500, "getCustomer.500.server-error.json") }, nil, 3},
		{"502 HTML", func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) { writeHTML(w, 502) }
		}, notJSON, 3},
		{"503", func(t *testing.T) http.HandlerFunc { return statusOnly(t, 503) }, nil, 3},
		{"504", func(t *testing.T) http.HandlerFunc { return statusOnly(t, 504) }, nil, 3},
		{"429", func(t *testing.T) http.HandlerFunc { return serve(t, 429, "listCustomers.429.rate-limited.json") }, nil, 3},
		// The spec does not declare 408; it is tested unchecked.
		{"408", func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(408) }
		}, func(r *http.Response) bool { return r.StatusCode == 408 }, 3},
		{"409 in progress", func(t *testing.T) http.HandlerFunc { return serve(t, 409, "createCustomer.409.in-progress.json") }, nil, 3},
		{"409 key reused", func(t *testing.T) http.HandlerFunc { return serve(t, 409, "createCustomer.409.key-reused.json") }, nil, 1},
		{"400", func(t *testing.T) http.HandlerFunc { return serve(t, 400, "createCustomer.400.items.json") }, nil, 1},
		{"401 empty", func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(401) }
		}, nil, 1},
		{"403", func(t *testing.T) http.HandlerFunc { return serve(t, 403, "getUnmaskedCustomer.403.forbidden.json") }, nil, 1},
		{"404", func(t *testing.T) http.HandlerFunc { return serve(t, 404, "getCustomer.404.not-found.json") }, nil, 1},
		{"422", func(t *testing.T) http.HandlerFunc { return serve(t, 422, "createCustomer.422.duplicate-email.json") }, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.handler(t))
			h.skip = tt.skip
			var resp Response
			_, err := h.client.Customers.Create(context.Background(), testCreateParams(), WithResponseInto(&resp))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want an *Error", err)
			}
			if n := len(h.reqs()); n != tt.attempts || resp.Attempts != tt.attempts {
				t.Errorf("%d requests, Response.Attempts %d; want %d", n, resp.Attempts, tt.attempts)
			}
			if e.StatusCode != resp.StatusCode || e.StatusCode == 0 {
				t.Errorf("status %d, Response status %d", e.StatusCode, resp.StatusCode)
			}
			if len(h.sleeps()) != tt.attempts-1 {
				t.Errorf("%d waits for %d attempts", len(h.sleeps()), tt.attempts)
			}
		})
	}
}

// statusOnly answers with a JSON error envelope for status.
func statusOnly(t *testing.T, status int) http.HandlerFunc {
	body := fmt.Appendf(nil, `{"meta":{"api_request_id":"019f42e3-2034-7699-832f-5438d352df58","api_request_timestamp":"2026-07-08T18:00:09Z"},`+
		`"response_type":"error","error":{"status":%d,"type":"/x","title":%q,"detail":null,"items":null}}`, status, http.StatusText(status))
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) }
}

func TestRetryThenSuccess(t *testing.T) {
	h := newHarness(t, sequence(statusOnly(t, 503), serve(t, 500, "getCustomer.500.server-error.json"), serve(t, 201, "createCustomer.201.individual.json")))
	var resp Response
	c, err := h.client.Customers.Create(context.Background(), testCreateParams(), WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == "" || resp.StatusCode != 201 || resp.Attempts != 3 {
		t.Errorf("customer %q, Response %+v", c.ID, resp)
	}
}

func TestIdempotencyKeyReusedAcrossRetries(t *testing.T) {
	fail2 := func(t *testing.T, status int, ok string) http.HandlerFunc {
		return sequence(serve(t, 500, "getCustomer.500.server-error.json"), serve(t, 409, "createCustomer.409.in-progress.json"), serve(t, status, ok))
	}
	ctx := context.Background()
	tests := []struct {
		name string
		h    func(t *testing.T) http.HandlerFunc
		call func(c *Client, opts ...RequestOption) error
	}{
		{"create", func(t *testing.T) http.HandlerFunc { return fail2(t, 201, "createCustomer.201.individual.json") },
			func(c *Client, opts ...RequestOption) error {
				_, err := c.Customers.Create(ctx, testCreateParams(), opts...)
				return err
			}},
		{"update", func(t *testing.T) http.HandlerFunc { return fail2(t, 200, "updateCustomer.200.seed001.json") },
			func(c *Client, opts ...RequestOption) error {
				_, err := c.Customers.Update(ctx, knopeID, testUpdateParams(), opts...)
				return err
			}},
		{"delete", func(t *testing.T) http.HandlerFunc { return fail2(t, 200, "deleteCustomer.200.deleted.json") },
			func(c *Client, opts ...RequestOption) error {
				_, err := c.Customers.Delete(ctx, knopeID, opts...)
				return err
			}},
		{"decide", func(t *testing.T) http.HandlerFunc { return fail2(t, 200, "decideCustomerReview.200.verified.json") },
			func(c *Client, opts ...RequestOption) error {
				_, err := c.Customers.Review.Decide(ctx, knopeID, CustomerStatusVerified, opts...)
				return err
			}},
		{"refresh", func(t *testing.T) http.HandlerFunc { return fail2(t, 202, "refreshCustomerReview.202.pending.json") },
			func(c *Client, opts ...RequestOption) error {
				_, err := c.Customers.Review.Refresh(ctx, knopeID, opts...)
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, callerKey := range []string{"", "caller-key-0001"} {
				h := newHarness(t, tt.h(t))
				var resp Response
				opts := []RequestOption{WithResponseInto(&resp)}
				if callerKey != "" {
					opts = append(opts, WithIdempotencyKey(callerKey))
				}
				if err := tt.call(h.client, opts...); err != nil {
					t.Fatal(err)
				}
				var keys []string
				var bodies []string
				for _, r := range h.reqs() {
					keys = append(keys, r.Header.Get("Idempotency-Key"))
					bodies = append(bodies, string(r.Body))
				}
				if len(keys) != 3 || len(slices.Compact(slices.Clone(keys))) != 1 || len(slices.Compact(bodies)) != 1 {
					t.Fatalf("attempts sent keys %q (bodies equal: %v), want one key on 3 identical attempts", keys, len(slices.Compact(bodies)) == 1)
				}
				if callerKey != "" && keys[0] != callerKey {
					t.Errorf("caller key %q replaced by %q", callerKey, keys[0])
				}
				if callerKey == "" && !uuidV4.MatchString(keys[0]) {
					t.Errorf("generated key %q is not a UUIDv4", keys[0])
				}
				if resp.IdempotencyKey != keys[0] {
					t.Errorf("Response.IdempotencyKey %q, sent %q", resp.IdempotencyKey, keys[0])
				}
			}
		})
	}
}

func TestEachCallGetsItsOwnKey(t *testing.T) {
	h := newHarness(t, serve(t, 200, "deleteCustomer.200.deleted.json"))
	for range 2 {
		if _, err := h.client.Customers.Delete(context.Background(), knopeID); err != nil {
			t.Fatal(err)
		}
	}
	rs := h.reqs()
	if rs[0].Header.Get("Idempotency-Key") == rs[1].Header.Get("Idempotency-Key") {
		t.Error("two calls shared an idempotency key")
	}
}

func TestConnectionErrorRetried(t *testing.T) {
	drop := func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		_ = conn.Close()
	}
	h := newHarness(t, sequence(drop, serve(t, 201, "createCustomer.201.individual.json")))
	var resp Response
	if _, err := h.client.Customers.Create(context.Background(), testCreateParams(), WithResponseInto(&resp)); err != nil {
		t.Fatal(err)
	}
	rs := h.reqs()
	if len(rs) != 2 || resp.Attempts != 2 || rs[0].Header.Get("Idempotency-Key") != rs[1].Header.Get("Idempotency-Key") {
		t.Errorf("%d requests, %d attempts", len(rs), resp.Attempts)
	}
}

func TestConnectionRefusedKeepsTransportError(t *testing.T) {
	h := newHarness(t, serve(t, 200, "listCustomers.200.empty.json"))
	h.srv.Close()
	_, err := h.client.Customers.List(context.Background(), &ListParams{Email: "private.person@example.com"})
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Fatalf("err = %v, want a *net.OpError inside", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want a *url.Error inside", err)
	}
	if s := err.Error(); strings.Contains(s, "private.person") || strings.Contains(s, "?") {
		t.Errorf("transport error shows the query: %s", s)
	}
	if got := len(h.sleeps()); got != 2 {
		t.Errorf("%d waits, want 2 (refused connections are retried)", got)
	}
}

func TestNoRetries(t *testing.T) {
	h := newHarness(t, statusOnly(t, 503), WithMaxRetries(0))
	if _, err := h.client.Customers.Get(context.Background(), knopeID); err == nil {
		t.Fatal("no error")
	}
	if n := len(h.reqs()); n != 1 {
		t.Errorf("WithMaxRetries(0): %d requests", n)
	}
	if _, err := h.client.Customers.Get(context.Background(), knopeID, WithMaxRetries(4)); err == nil {
		t.Fatal("no error")
	}
	if n := len(h.reqs()); n != 6 {
		t.Errorf("WithMaxRetries(4) over WithMaxRetries(0): %d requests in all, want 1+5", n)
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	h := newHarness(t, statusOnly(t, 503), WithMaxRetries(7))
	_, _ = h.client.Customers.Get(context.Background(), knopeID)
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	if got := h.sleeps(); !slices.Equal(got, want) {
		t.Errorf("waits %v, want %v (jitter at its ceiling)", got, want)
	}
}

func TestFullJitter(t *testing.T) {
	if fullJitter(0) != 0 {
		t.Error("fullJitter(0) != 0")
	}
	seen := map[time.Duration]bool{}
	for range 200 {
		d := fullJitter(time.Second)
		if d < 0 || d >= time.Second {
			t.Fatalf("fullJitter(1s) = %s", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Errorf("only %d distinct waits in 200", len(seen))
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 7, 8, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"3", 3 * time.Second, true},
		{"0", 0, true},
		{"120", 30 * time.Second, true},
		{"99999999999999", 30 * time.Second, true},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{now.Add(time.Hour).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		got, ok := retryAfter(h, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Retry-After %q: %s %v, want %s %v", tt.value, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	now := time.Date(2026, 7, 8, 18, 0, 0, 0, time.UTC)
	withRetryAfter := func(v string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", v)
			writeJSON(w, 429, respFixture(t, "listCustomers.429.rate-limited.json"))
		}
	}
	tests := []struct {
		value string
		want  time.Duration
	}{
		{"7", 7 * time.Second},
		{"3600", 30 * time.Second},
		{now.Add(12 * time.Second).Format(http.TimeFormat), 12 * time.Second},
		{"garbage", 500 * time.Millisecond},
	}
	for _, tt := range tests {
		h := newHarness(t, sequence(withRetryAfter(tt.value), serve(t, 200, "listCustomers.200.empty.json")))
		h.client.doer.now = func() time.Time { return now }
		if _, err := h.client.Customers.List(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if got := h.sleeps(); len(got) != 1 || got[0] != tt.want {
			t.Errorf("Retry-After %q: waits %v, want [%s]", tt.value, got, tt.want)
		}
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	unavailable := statusOnly(t, 503)
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "20")
		unavailable(w, r)
	})
	h.client.doer.sleep = sleepContext
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := h.client.Customers.Get(ctx, knopeID)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("returned after %s, want promptly after the cancel", d)
	}
	if n := len(h.reqs()); n != 1 {
		t.Errorf("%d requests", n)
	}
}

func TestDeadlineShorterThanRetryAfter(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "5")
		writeJSON(w, 429, respFixture(t, "listCustomers.429.rate-limited.json"))
	})
	h.client.doer.sleep = func(context.Context, time.Duration) error {
		t.Error("a wait past the deadline was started")
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	var resp Response
	_, err := h.client.Customers.List(ctx, nil, WithResponseInto(&resp))
	if !IsRateLimited(err) {
		t.Fatalf("err = %v, want the 429 *Error", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned after %s, want at once", d)
	}
	if resp.Attempts != 1 {
		t.Errorf("%d attempts", resp.Attempts)
	}
}

func TestAttemptTimeoutRetried(t *testing.T) {
	slow := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	for name, opt := range map[string]Option{"client timeout": WithAttemptTimeout(100 * time.Millisecond), "call timeout": nil} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, sequence(slow, serve(t, 200, "getCustomer.200.individual.json")), opt)
			var opts []RequestOption
			if opt == nil {
				opts = append(opts, WithAttemptTimeout(100*time.Millisecond))
			}
			var resp Response
			opts = append(opts, WithResponseInto(&resp))
			c, err := h.client.Customers.Get(context.Background(), knopeID, opts...)
			if err != nil {
				t.Fatalf("err = %v: a timed-out attempt was not retried", err)
			}
			if c.ID != knopeID || resp.Attempts != 2 {
				t.Errorf("customer %q after %d attempts", c.ID, resp.Attempts)
			}
		})
	}
}

func TestAttemptTimeoutWhileReadingBody(t *testing.T) {
	body := respFixture(t, "getCustomer.200.individual.json")
	slowBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		_, _ = w.Write(body[:10])
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}
	h := newHarness(t, sequence(slowBody, serve(t, 200, "getCustomer.200.individual.json")), WithAttemptTimeout(100*time.Millisecond))
	h.skip = func(*http.Response) bool { return true }
	var resp Response
	if _, err := h.client.Customers.Get(context.Background(), knopeID, WithResponseInto(&resp)); err != nil {
		t.Fatalf("err = %v", err)
	}
	if resp.Attempts != 2 {
		t.Errorf("%d attempts", resp.Attempts)
	}
}

func TestCallerDeadlineEndsTheCall(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.client.Customers.Get(ctx, knopeID)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	var e *Error
	if errors.As(err, &e) {
		t.Error("a context error was turned into an API error")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %s", d)
	}
	if n := len(h.reqs()); n != 1 {
		t.Errorf("%d requests after the deadline", n)
	}
}

func TestRetryableTransportError(t *testing.T) {
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "https://x", Err: err} }
	tests := []struct {
		err  error
		want bool
	}{
		{wrap(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true},
		{wrap(syscall.ECONNRESET), true},
		{wrap(io.EOF), true},
		{wrap(io.ErrUnexpectedEOF), true},
		{wrap(context.DeadlineExceeded), true},
		{wrap(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}), false},
		{wrap(x509.HostnameError{}), false},
		{wrap(errors.New("stopped after 10 redirects")), false},
	}
	for _, tt := range tests {
		if got := retryableTransportError(tt.err); got != tt.want {
			t.Errorf("retryable(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}

func TestDoWithoutCallState(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getCustomer.200.individual.json"))
	req, _ := http.NewRequest(http.MethodGet, h.srv.URL+"/v1/customers/"+knopeID, nil)
	resp, err := h.client.doer.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || len(bufferedBytes(resp)) == 0 {
		t.Errorf("status %d, %d bytes", resp.StatusCode, len(bufferedBytes(resp)))
	}
}

func TestTruncatedSuccessBodyRetried(t *testing.T) {
	full := respFixture(t, "createCustomer.201.individual.json")
	cut := func(status int, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", fmt.Sprint(len(body)))
			w.WriteHeader(status)
			_, _ = w.Write(body[:len(body)/2])
			http.NewResponseController(w).Flush()
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
		}
	}
	h := newHarness(t, sequence(cut(201, full), serve(t, 201, "createCustomer.201.individual.json")))
	var resp Response
	c, err := h.client.Customers.Create(context.Background(), testCreateParams(), WithResponseInto(&resp))
	if err != nil {
		t.Fatalf("err = %v: a 201 cut off mid-body was not retried", err)
	}
	rs := h.reqs()
	if c.ID == "" || resp.Attempts != 2 || len(rs) != 2 || rs[0].Header.Get("Idempotency-Key") != rs[1].Header.Get("Idempotency-Key") {
		t.Errorf("customer %q after %d attempts (%d requests): want 2 under one key", c.ID, resp.Attempts, len(rs))
	}
	if got := h.sleeps(); len(got) != 1 {
		t.Errorf("waits %v: the retry did not back off", got)
	}

	// An error body cut short keeps its status, which is what decides.
	notFound := respFixture(t, "getCustomer.404.not-found.json")
	h = newHarness(t, cut(404, notFound))
	var apiErr *Error
	if _, err := h.client.Customers.Get(context.Background(), knopeID); !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || len(h.reqs()) != 1 {
		t.Errorf("cut 404: err = %v after %d requests, want the 404 at once", err, len(h.reqs()))
	}
}

func TestCutShortClassification(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"complete", nil, false},
		{"unexpected EOF", io.ErrUnexpectedEOF, true},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, true},
		{"over the size limit", errBodyTooLarge, false},
		{"other", errors.New("gzip: invalid header"), false},
	}
	for _, tt := range tests {
		resp := &http.Response{StatusCode: 200, Body: &bufferedBody{data: []byte("{"), err: tt.err}}
		if got := retryable(resp, nil); got != tt.want {
			t.Errorf("%s: retryable = %v, want %v", tt.name, got, tt.want)
		}
	}
}
