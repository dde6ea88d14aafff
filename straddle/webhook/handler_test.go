package webhook_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/internal/leakcheck"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// receiver is a Handler served over loopback, recording what reached the
// user's function and the error func.
type receiver struct {
	t      *testing.T
	secret string
	srv    *httptest.Server
	fn     func(ctx context.Context, ev *webhook.Event) error // set by the test; nil succeeds

	mu     sync.Mutex
	events []*webhook.Event
	errs   []*webhook.DeliveryError
}

func newReceiver(t *testing.T, opts ...webhook.Option) *receiver {
	t.Helper()
	return newWrappedReceiver(t, nil, opts...)
}

// newWrappedReceiver serves the Handler through wrap, a middleware.
func newWrappedReceiver(t *testing.T, wrap func(http.Handler) http.Handler, opts ...webhook.Option) *receiver {
	t.Helper()
	r := &receiver{t: t, secret: newSecret(t)}
	v, err := webhook.NewVerifier(r.secret)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]webhook.Option{webhook.WithErrorFunc(func(_ *http.Request, err *webhook.DeliveryError) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.errs = append(r.errs, err)
	})}, opts...)
	h, err := webhook.NewHandler(v, func(ctx context.Context, ev *webhook.Event) error {
		r.mu.Lock()
		r.events = append(r.events, ev)
		fn := r.fn
		r.mu.Unlock()
		if fn != nil {
			return fn(ctx, ev)
		}
		return nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	var served http.Handler = h
	if wrap != nil {
		served = wrap(h)
	}
	r.srv = httptest.NewUnstartedServer(served)
	r.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the panic test's aborted response
	r.srv.Start()
	t.Cleanup(r.srv.Close)
	return r
}

// event returns the i-th event the function got.
func (r *receiver) event(i int) *webhook.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.events[i]
}

// calls returns how many times the function ran.
func (r *receiver) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

func (r *receiver) lastErr() *webhook.DeliveryError {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.errs) == 0 {
		return nil
	}
	return r.errs[len(r.errs)-1]
}

func (r *receiver) errCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.errs)
}

// answer is what the sender saw.
type answer struct {
	status int
	header http.Header
	body   string
}

// post sends body with header, as is.
func (r *receiver) post(ctx context.Context, header http.Header, body io.Reader, size int64) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.srv.URL+"/webhooks/straddle", body)
	if err != nil {
		return answer{}, err
	}
	req.ContentLength = size
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.srv.Client().Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}, err
}

// send posts body with header and fails the test on a transport error.
func (r *receiver) send(header http.Header, body []byte) answer {
	r.t.Helper()
	a, err := r.post(context.Background(), header, bytes.NewReader(body), int64(len(body)))
	if err != nil {
		r.t.Fatal(err)
	}
	return a
}

// signed returns the headers of a delivery of body signed now by the
// library with the receiver's secret, under a fresh message id.
func (r *receiver) signed(body []byte) http.Header {
	return r.signedAt(body, time.Now())
}

func (r *receiver) signedAt(body []byte, at time.Time) http.Header {
	id := "msg_" + rand.Text()
	return headers(id, at, libSign(r.t, r.secret, id, at, body))
}

// deliver sends body as Straddle would, after checking the whole delivery
// (headers and body) against the spec.
func (r *receiver) deliver(body []byte) answer {
	r.t.Helper()
	h := r.signed(body)
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header = h
	if err := contract.ValidateDelivery(context.Background(), req); err != nil {
		r.t.Fatalf("test delivery breaks the spec: %v", err)
	}
	return r.send(h, body)
}

func TestHandlerAnswers(t *testing.T) {
	leakcheck.Check(t)
	valid := specEvent(t, eventFixture(t, "customer.event.v1.verified"))
	boom := errors.New("database down")
	cases := []struct {
		name     string
		send     func(r *receiver) answer
		fn       func(context.Context, *webhook.Event) error
		status   int
		calls    int
		reason   error // what the error func's *DeliveryError wraps; nil: not called
		inAnswer string
	}{
		{name: "valid", send: func(r *receiver) answer { return r.deliver(valid) }, status: 200, calls: 1},
		{name: "valid, svix headers", send: func(r *receiver) answer {
			id, at := "msg_svix", time.Now()
			return r.send(svixHeaders(id, at, libSign(t, r.secret, id, at, valid)), valid)
		}, status: 200, calls: 1},
		{name: "a type this package does not know", send: func(r *receiver) answer {
			return r.send(r.signed([]byte(`{"event_type":"paykey.created.v1","event_id":"e-1","data":{}}`)), []byte(`{"event_type":"paykey.created.v1","event_id":"e-1","data":{}}`))
		}, status: 200, calls: 1},
		{name: "GET", send: func(r *receiver) answer {
			req, _ := http.NewRequest(http.MethodGet, r.srv.URL, nil)
			resp, err := r.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return answer{resp.StatusCode, resp.Header, ""}
		}, status: 405, reason: webhook.ErrMethodNotAllowed},
		{name: "unsigned", send: func(r *receiver) answer { return r.send(http.Header{}, valid) }, status: 400, reason: webhook.ErrMissingHeader, inAnswer: "missing header"},
		{name: "malformed timestamp", send: func(r *receiver) answer {
			h := r.signed(valid)
			h.Set(webhook.HeaderTimestamp, "soon")
			return r.send(h, valid)
		}, status: 400, reason: webhook.ErrMalformedHeader, inAnswer: "webhook-timestamp"},
		{name: "stale", send: func(r *receiver) answer { return r.send(r.signedAt(valid, time.Now().Add(-6*time.Minute)), valid) }, status: 400, reason: webhook.ErrTimestampTooOld, inAnswer: "too old"},
		{name: "future", send: func(r *receiver) answer { return r.send(r.signedAt(valid, time.Now().Add(6*time.Minute)), valid) }, status: 400, reason: webhook.ErrTimestampTooNew},
		{name: "wrong secret", send: func(r *receiver) answer {
			at := time.Now()
			return r.send(headers("msg_w", at, libSign(t, newSecret(t), "msg_w", at, valid)), valid)
		}, status: 400, reason: webhook.ErrNoMatchingSignature},
		{name: "body changed after signing", send: func(r *receiver) answer {
			h := r.signed(valid)
			return r.send(h, bytes.Replace(valid, []byte(`"verified"`), []byte(`"rejected"`), 1))
		}, status: 400, reason: webhook.ErrNoMatchingSignature},
		{name: "signed garbage", send: func(r *receiver) answer {
			return r.send(r.signed([]byte("not json")), []byte("not json"))
		}, status: 400, reason: webhook.ErrInvalidPayload, inAnswer: "not valid JSON"},
		{name: "signed event without an id", send: func(r *receiver) answer {
			b := withField(t, valid, false, "event_id", nil)
			return r.send(r.signed(b), b)
		}, status: 400, reason: webhook.ErrInvalidPayload, inAnswer: "event_id"},
		{name: "too large", send: func(r *receiver) answer {
			big := bytes.Repeat([]byte(" "), webhook.DefaultMaxBodyBytes+1)
			return r.send(r.signed(big), big)
		}, status: 413, reason: webhook.ErrBodyTooLarge},
		{name: "function fails", send: func(r *receiver) answer { return r.deliver(valid) },
			fn: func(context.Context, *webhook.Event) error { return boom }, status: 500, calls: 1, reason: boom},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newReceiver(t)
			r.fn = c.fn
			a := c.send(r)
			if a.status != c.status {
				t.Errorf("status %d, want %d (%s)", a.status, c.status, a.body)
			}
			if got := r.calls(); got != c.calls {
				t.Errorf("function called %d times, want %d", got, c.calls)
			}
			de := r.lastErr()
			switch {
			case c.reason == nil && de != nil:
				t.Errorf("error func called: %v", de)
			case c.reason != nil && (de == nil || !errors.Is(de, c.reason) || de.Status != c.status):
				t.Errorf("error func got %v, want status %d and %v", de, c.status, c.reason)
			}
			if !strings.Contains(a.body, c.inAnswer) {
				t.Errorf("answer %q does not say %q", a.body, c.inAnswer)
			}
			if strings.Contains(a.body, boom.Error()) {
				t.Errorf("the answer shows the function's error: %q", a.body)
			}
			if c.status == 405 && a.header.Get("Allow") != http.MethodPost {
				t.Errorf("405 without Allow: POST")
			}
			if c.status == 500 && (de.EventID == "" || de.EventType != webhook.CustomerEventV1 || !errors.Is(de, webhook.ErrFuncFailed)) {
				t.Errorf("a failed function's error lacks the event: %+v", de)
			}
		})
	}
}

func TestHandlerPassesEventAndContext(t *testing.T) {
	leakcheck.Check(t)
	type key struct{}
	// A middleware puts a value in the request's context, as a tracing
	// layer would; the function must see it.
	r := newWrappedReceiver(t, func(inner http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			inner.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), key{}, "trace-7")))
		})
	})
	var seen atomic.Value
	r.fn = func(ctx context.Context, ev *webhook.Event) error {
		seen.Store(ctx.Value(key{}))
		return nil
	}
	body := eventFixture(t, "customer.created.v1.business")
	if a := r.deliver(body); a.status != 200 {
		t.Fatalf("status %d", a.status)
	}
	if seen.Load() != "trace-7" {
		t.Errorf("the function's context lacks the request's value: %v", seen.Load())
	}
	ev := r.event(0)
	if ev.Type != webhook.CustomerCreatedV1 || ev.Customer == nil || ev.Customer.ComplianceProfile.Business == nil ||
		!strings.HasPrefix(ev.MessageID, "msg_") || time.Since(ev.Timestamp) > time.Minute || !bytes.Equal(ev.Raw, body) {
		t.Errorf("event %+v (message %q, at %v)", ev, ev.MessageID, ev.Timestamp)
	}
}

// TestHandlerContextEndsWithTheRequest: when the sender hangs up (its 15 s
// timeout), the function's context is cancelled, the delivery counts as
// failed and the event stays unclaimed for the retry.
func TestHandlerContextEndsWithTheRequest(t *testing.T) {
	leakcheck.Check(t)
	r := newReceiver(t)
	started, ended := make(chan struct{}), make(chan error, 1)
	var once sync.Once
	r.fn = func(ctx context.Context, ev *webhook.Event) error {
		first := false
		once.Do(func() { first = true })
		if !first {
			return nil
		}
		close(started)
		<-ctx.Done()
		ended <- ctx.Err()
		return ctx.Err()
	}
	body := eventFixture(t, "customer.event.v1.review")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := r.post(ctx, r.signed(body), bytes.NewReader(body), int64(len(body)))
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("sender: %v", err)
	}
	select {
	case err := <-ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("function's context ended with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the function's context was not cancelled when the sender hung up")
	}
	waitFor(t, func() bool { return r.errCount() == 1 })
	if de := r.lastErr(); de.Status != 500 || !errors.Is(de, context.Canceled) {
		t.Errorf("error func: %v", de)
	}
	if a := r.deliver(body); a.status != 200 || r.calls() != 2 {
		t.Errorf("the retry: status %d, %d calls; want 200 and the function run again", a.status, r.calls())
	}
}

// TestHandlerDeduplicates: a duplicate of a processed event is answered 200
// without running the function; the pair a create sends are two events.
func TestHandlerDeduplicates(t *testing.T) {
	leakcheck.Check(t)
	r := newReceiver(t)
	created := eventFixture(t, "customer.created.v1.individual")
	changed := eventFixture(t, "customer.event.v1.verified")
	for i, c := range []struct {
		body  []byte
		calls int
	}{{created, 1}, {changed, 2}, {created, 2}, {changed, 2}, {created, 2}} {
		if a := r.deliver(c.body); a.status != 200 {
			t.Fatalf("delivery %d: status %d", i, a.status)
		}
		if got := r.calls(); got != c.calls {
			t.Fatalf("after delivery %d: %d calls, want %d", i, got, c.calls)
		}
	}
	if n := r.errCount(); n != 0 {
		t.Errorf("error func called %d times for duplicates", n)
	}
}

// TestHandlerRetriesFailures: a delivery whose function failed is not
// marked done, so the retry runs it again; once it succeeded, no more.
func TestHandlerRetriesFailures(t *testing.T) {
	leakcheck.Check(t)
	r := newReceiver(t)
	var fails atomic.Int32
	fails.Store(2)
	r.fn = func(context.Context, *webhook.Event) error {
		if fails.Add(-1) >= 0 {
			return errors.New("not yet")
		}
		return nil
	}
	body := eventFixture(t, "customer.event.v1.rejected-business")
	for i, want := range []struct{ status, calls int }{{500, 1}, {500, 2}, {200, 3}, {200, 3}, {200, 3}} {
		if a := r.deliver(body); a.status != want.status || r.calls() != want.calls {
			t.Errorf("delivery %d: status %d after %d calls, want %d after %d", i, a.status, r.calls(), want.status, want.calls)
		}
	}
}

// TestHandlerConcurrentDuplicates: while a delivery of an event runs, other
// deliveries of it are answered 503 with Retry-After and do not run the
// function; the semantics hold whether the first succeeds or fails.
func TestHandlerConcurrentDuplicates(t *testing.T) {
	for _, firstFails := range []bool{false, true} {
		t.Run(fmt.Sprintf("first fails %v", firstFails), func(t *testing.T) {
			leakcheck.Check(t)
			r := newReceiver(t)
			started, release := make(chan struct{}), make(chan struct{})
			var n atomic.Int32
			r.fn = func(context.Context, *webhook.Event) error {
				if n.Add(1) == 1 {
					close(started)
					<-release
					if firstFails {
						return errors.New("first attempt failed")
					}
				}
				return nil
			}
			body := eventFixture(t, "customer.event.v1.verified")
			first := make(chan answer, 1)
			go func() {
				a, err := r.post(context.Background(), r.signed(body), bytes.NewReader(body), int64(len(body)))
				if err != nil {
					t.Error(err)
				}
				first <- a
			}()
			<-started
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					a, err := r.post(context.Background(), r.signed(body), bytes.NewReader(body), int64(len(body)))
					if err != nil {
						t.Error(err)
						return
					}
					if a.status != 503 || a.header.Get("Retry-After") != strconv.Itoa(webhook.RetryAfterInProgress) {
						t.Errorf("concurrent duplicate: %d, Retry-After %q", a.status, a.header.Get("Retry-After"))
					}
				})
			}
			wg.Wait()
			if got := n.Load(); got != 1 {
				t.Fatalf("the function ran %d times while the first delivery was running", got)
			}
			if de := r.lastErr(); de == nil || !errors.Is(de, webhook.ErrInProgress) || de.Status != 503 {
				t.Errorf("error func: %v", de)
			}
			close(release)
			want := 200
			if firstFails {
				want = 500
			}
			if a := <-first; a.status != want {
				t.Errorf("first delivery: %d, want %d", a.status, want)
			}
			// The sender retries: the event runs again only if the first failed.
			r.deliver(body)
			r.deliver(body)
			wantCalls := int32(1)
			if firstFails {
				wantCalls = 2
			}
			if got := n.Load(); got != wantCalls {
				t.Errorf("the function ran %d times in all, want %d", got, wantCalls)
			}
		})
	}
}

// TestHandlerPanicReleasesTheEvent: a panicking function is answered 500,
// as a failing one, with the panic reported to the error func, and its event
// is not left claimed: the retry runs it. A panic with http.ErrAbortHandler
// aborts the response, as net/http does, and releases the event too.
func TestHandlerPanicReleasesTheEvent(t *testing.T) {
	leakcheck.Check(t)
	r := newReceiver(t)
	var n atomic.Int32
	r.fn = func(context.Context, *webhook.Event) error {
		switch n.Add(1) {
		case 1:
			panic("function bug")
		case 2:
			panic(http.ErrAbortHandler)
		}
		return nil
	}
	body := eventFixture(t, "customer.event.v1.review")
	if a := r.deliver(body); a.status != 500 || strings.Contains(a.body, "function bug") {
		t.Errorf("a panicking function: status %d, answer %q; want 500 without the panic", a.status, a.body)
	}
	de := r.lastErr()
	var pe *webhook.PanicError
	if de == nil || de.Status != 500 || !errors.Is(de, webhook.ErrFuncFailed) || !errors.As(de, &pe) ||
		pe.Value != "function bug" || !bytes.Contains(pe.Stack, []byte("TestHandlerPanicReleasesTheEvent")) {
		t.Errorf("error func: %v", de)
	}
	if _, err := r.post(context.Background(), r.signed(body), bytes.NewReader(body), int64(len(body))); err == nil {
		t.Error("the sender got an answer from a handler aborted with http.ErrAbortHandler")
	}
	if a := r.deliver(body); a.status != 200 || n.Load() != 3 {
		t.Errorf("retry after the panics: status %d, %d runs; want 200, 3", a.status, n.Load())
	}
}

// TestHandlerBodyLimit: a body over the limit is answered 413 without being
// read whole, whether its length is declared or not; the limit itself fits.
func TestHandlerBodyLimit(t *testing.T) {
	leakcheck.Check(t)
	body := eventFixture(t, "customer.event.v1.verified")
	limit := int64(len(body))
	r := newReceiver(t, webhook.WithMaxBodyBytes(limit))
	if a := r.deliver(body); a.status != 200 {
		t.Errorf("a body of exactly the limit: %d", a.status)
	}
	longer := append(bytes.Clone(body[:len(body)-1]), []byte(" }")...)
	if a := r.send(r.signed(longer), longer); a.status != 413 {
		t.Errorf("a body one byte over the limit: %d", a.status)
	}

	// 100 MiB, streamed without a length, to the default limit.
	r = newReceiver(t)
	const huge = 100 << 20
	src := &countingReader{left: huge}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a, err := r.post(context.Background(), r.signed(body), src, -1)
	runtime.ReadMemStats(&after)
	if err == nil && a.status != 413 {
		t.Errorf("100 MiB body: status %d, want 413", a.status)
	}
	// The sender may fail to write once the server closes; either way the
	// server must not have read the body whole, nor allocated for it.
	if sent := src.read.Load(); sent > 32<<20 {
		t.Errorf("the sender wrote %d MiB of the 100 MiB body", sent>>20)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("a 100 MiB body made the process allocate %d MiB", alloc>>20)
	}
	if r.calls() != 0 {
		t.Error("the function ran")
	}
	if de := r.lastErr(); de == nil || de.Status != 413 || !errors.Is(de, webhook.ErrBodyTooLarge) {
		t.Errorf("error func: %v", de)
	}
}

// TestHandlerBodyBufferFollowsTheBody: the buffer is sized from
// Content-Length only up to 64 KiB, so an unverified sender declaring 1 MiB
// and sending 100 bytes does not make the handler allocate 1 MiB; a body of
// the full limit still arrives whole.
func TestHandlerBodyBufferFollowsTheBody(t *testing.T) {
	v, err := webhook.NewVerifier(newSecret(t))
	if err != nil {
		t.Fatal(err)
	}
	h, err := webhook.NewHandler(v, func(context.Context, *webhook.Event) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	serve := func(body []byte, declared int64) int {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/straddle", bytes.NewReader(body))
		req.ContentLength = declared
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	small := bytes.Repeat([]byte(" "), 100)
	const runs = 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		if code := serve(small, webhook.DefaultMaxBodyBytes); code != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", code)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 128<<10 {
		t.Errorf("a 100-byte body declared as 1 MiB allocated %d KiB per request", per>>10)
	}
	// The whole limit, declared and not: read to its end (the 400 is the
	// missing signature, not the size).
	full := bytes.Repeat([]byte(" "), webhook.DefaultMaxBodyBytes)
	for _, declared := range []int64{int64(len(full)), -1} {
		if code := serve(full, declared); code != http.StatusBadRequest {
			t.Errorf("a body of the limit, declared %d: status %d, want 400", declared, code)
		}
	}
}

// countingReader yields left bytes of JSON-ish filler and counts reads.
type countingReader struct {
	left int64
	read atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), c.left))
	for i := range p[:n] {
		p[i] = ' '
	}
	c.left -= int64(n)
	c.read.Add(int64(n))
	return n, nil
}

// flakyStore is a Deduplicator whose methods fail on demand.
type flakyStore struct {
	webhook.Deduplicator
	claimErr, doneErr, releaseErr error
	claim                         webhook.ClaimResult
}

func (f *flakyStore) Claim(ctx context.Context, id string) (webhook.ClaimResult, error) {
	if f.claimErr != nil || f.claim != 0 {
		return f.claim, f.claimErr
	}
	return f.Deduplicator.Claim(ctx, id)
}

func (f *flakyStore) Done(ctx context.Context, id string) error {
	if f.doneErr != nil {
		return f.doneErr
	}
	return f.Deduplicator.Done(ctx, id)
}

func (f *flakyStore) Release(ctx context.Context, id string) error {
	if f.releaseErr != nil {
		return f.releaseErr
	}
	return f.Deduplicator.Release(ctx, id)
}

func TestHandlerDeduplicatorFailures(t *testing.T) {
	leakcheck.Check(t)
	storeDown := errors.New("store unreachable")
	body := eventFixture(t, "customer.event.v1.verified")
	cases := []struct {
		name   string
		store  flakyStore
		fnErr  error
		status int
		calls  int
	}{
		{"claim fails", flakyStore{claimErr: storeDown}, nil, 500, 0},
		{"claim answers nonsense", flakyStore{claim: webhook.ClaimResult(42)}, nil, 500, 0},
		{"done fails", flakyStore{doneErr: storeDown}, nil, 200, 1},
		{"release fails", flakyStore{releaseErr: storeDown}, errors.New("function failed"), 500, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem, err := webhook.NewMemoryDeduplicator(0, 0)
			if err != nil {
				t.Fatal(err)
			}
			store := c.store
			store.Deduplicator = mem
			r := newReceiver(t, webhook.WithDeduplicator(&store))
			r.fn = func(context.Context, *webhook.Event) error { return c.fnErr }
			if a := r.deliver(body); a.status != c.status || r.calls() != c.calls {
				t.Errorf("status %d after %d calls, want %d after %d", a.status, r.calls(), c.status, c.calls)
			}
			de := r.lastErr()
			if de == nil || de.Status != c.status || !errors.Is(de, webhook.ErrDeduplication) || de.EventID == "" {
				t.Errorf("error func: %v", de)
			}
			if c.store.claimErr != nil && !errors.Is(de, storeDown) {
				t.Errorf("the store's error is lost: %v", de)
			}
		})
	}
}

func TestHandlerWithoutDeduplication(t *testing.T) {
	leakcheck.Check(t)
	r := newReceiver(t, webhook.WithoutDeduplication())
	body := eventFixture(t, "customer.event.v1.verified")
	r.deliver(body)
	r.deliver(body)
	if r.calls() != 2 {
		t.Errorf("%d calls, want 2", r.calls())
	}
}

func TestNewHandlerRefuses(t *testing.T) {
	v, err := webhook.NewVerifier(newSecret(t))
	if err != nil {
		t.Fatal(err)
	}
	fn := func(context.Context, *webhook.Event) error { return nil }
	for name, build := range map[string]func() (*webhook.Handler, error){
		"nil verifier":     func() (*webhook.Handler, error) { return webhook.NewHandler(nil, fn) },
		"nil function":     func() (*webhook.Handler, error) { return webhook.NewHandler(v, nil) },
		"zero limit":       func() (*webhook.Handler, error) { return webhook.NewHandler(v, fn, webhook.WithMaxBodyBytes(0)) },
		"negative limit":   func() (*webhook.Handler, error) { return webhook.NewHandler(v, fn, webhook.WithMaxBodyBytes(-1)) },
		"nil deduplicator": func() (*webhook.Handler, error) { return webhook.NewHandler(v, fn, webhook.WithDeduplicator(nil)) },
		"negative remember": func() (*webhook.Handler, error) {
			_, err := webhook.NewMemoryDeduplicator(1, -time.Second)
			return nil, err
		},
		"negative maxEvents": func() (*webhook.Handler, error) {
			_, err := webhook.NewMemoryDeduplicator(-1, time.Second)
			return nil, err
		},
	} {
		if h, err := build(); h != nil || err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
