package straddle_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// The fault matrix: every way the emulator can fail a request, crossed with
// every kind of operation. Each cell asserts the attempts (as the server
// counted them and as the client reports them), one idempotency key on every
// attempt of a write and none on a read, the result or the error's type and
// status, and for writes that the server holds the effect exactly once (or not
// at all, when the call failed without the server acting). RELIABILITY.md
// lists the promise each row proves.

// matrixRetries is the client's retry budget in the matrix: 3 attempts.
const matrixRetries = 2

// outcome is how a cell's call must end.
type outcome struct {
	apiStatus    int // an *straddle.Error with this status
	decodeStatus int // a *straddle.DecodeError with this status
}

// succeeds is the outcome of a call that returns its result.
var succeeds = outcome{}

func (o outcome) ok() bool { return o == succeeds }

// matrixFault is a row of the matrix.
type matrixFault struct {
	name  string
	fault straddletest.Fault // Match is set per operation
	// acts is true when the failed attempt did the work on the server first.
	acts     bool
	attempts int
	want     outcome
	// retryAfter, when set, is the wait the client must ask for before the
	// retry (instead of its backoff), within the tolerance.
	retryAfter, tolerance time.Duration
	// retryAfterDate, when set, sends Retry-After as the HTTP date this far
	// from the time of injection.
	retryAfterDate time.Duration
	// realWaits names the operations whose cells wait for real (measured),
	// rather than through a shortened, recorded wait.
	realWaits map[string]bool
	// attemptTimeout, when set, bounds each attempt of the call; shorten
	// replaces the default shortening of recorded waits.
	attemptTimeout time.Duration
	shorten        func(time.Duration) time.Duration
}

// slowDelay and slowAttempt make the "slow" row: the server holds the first
// attempt past the attempt timeout, finishes its work, and the retry (after a
// wait long enough for that) finds it done.
const (
	slowAttempt = 250 * time.Millisecond
	slowDelay   = 300 * time.Millisecond
	slowWait    = 500 * time.Millisecond
)

const htmlGateway = "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"

// matrixFaults are the rows. Faults that pass are injected once (the retry
// succeeds); 500 and 408 persist through every attempt, to show what a call
// gives back when its retries run out.
func matrixFaults() []matrixFault {
	return []matrixFault{
		{name: "reset-before-acting", fault: straddletest.Fault{Kind: straddletest.FaultReset}, attempts: 2, want: succeeds},
		{name: "dropped-after-acting", fault: straddletest.Fault{Kind: straddletest.FaultDropAfter}, acts: true, attempts: 2, want: succeeds},
		{name: "500-persisting", fault: straddletest.Fault{Kind: straddletest.FaultStatus, Status: 500, Times: matrixRetries + 1},
			attempts: matrixRetries + 1, want: outcome{apiStatus: 500}},
		{name: "502-html", fault: straddletest.Fault{Kind: straddletest.FaultStatus, Status: 502, Body: []byte(htmlGateway), ContentType: "text/html"},
			attempts: 2, want: succeeds},
		{name: "503-retry-after-1", fault: straddletest.Fault{Kind: straddletest.FaultStatus, Status: 503, RetryAfter: "1"},
			attempts: 2, want: succeeds, retryAfter: time.Second, realWaits: map[string]bool{"create": true, "get": true}},
		{name: "429-retry-after-date", fault: straddletest.Fault{Kind: straddletest.FaultStatus, Status: 429},
			attempts: 2, want: succeeds, retryAfterDate: 3 * time.Second, retryAfter: 2 * time.Second, tolerance: time.Second},
		{name: "408-persisting", fault: straddletest.Fault{Kind: straddletest.FaultStatus, Status: 408, Times: matrixRetries + 1},
			attempts: matrixRetries + 1, want: outcome{apiStatus: 408}},
		{name: "409-in-progress", fault: straddletest.Fault{Kind: straddletest.FaultInProgress}, attempts: 2, want: succeeds},
		{name: "409-key-reused", fault: straddletest.Fault{Kind: straddletest.FaultKeyReused}, attempts: 1, want: outcome{apiStatus: 409}},
		{name: "slower-than-attempt-timeout", fault: straddletest.Fault{Kind: straddletest.FaultDelay, Delay: slowDelay}, acts: true,
			attempts: 2, want: succeeds, attemptTimeout: slowAttempt, shorten: func(time.Duration) time.Duration { return slowWait }},
		{name: "truncated-body", fault: straddletest.Fault{Kind: straddletest.FaultTruncate}, acts: true, attempts: 2, want: succeeds},
		{name: "invalid-json-200", fault: straddletest.Fault{Kind: straddletest.FaultInvalidJSON}, attempts: 1, want: outcome{decodeStatus: 200}},
		{name: "401-no-body", fault: straddletest.Fault{Kind: straddletest.FaultUnauthorized}, attempts: 1, want: outcome{apiStatus: 401}},
	}
}

// fixture is one cell's world: an emulator holding one customer in review,
// and a client of it.
type fixture struct {
	srv    *straddletest.Server
	client *straddle.Client
	// before is the customer as stored before the call.
	before *straddle.Customer
	// returned is the customer a successful write returned.
	returned *straddle.Customer
}

// Names and emails of the matrix customers.
const (
	fixtureName = "Ann Perkins"
	renamed     = "Ann Perkins-Traeger"
	newEmail    = "april.ludgate@example.com"
)

func newFixture(t *testing.T, ctx context.Context, opts ...straddle.Option) *fixture {
	t.Helper()
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := emulatorClient(t, srv, freshConnections(), append([]straddle.Option{straddle.WithMaxRetries(matrixRetries)}, opts...)...)
	p := person(fixtureName, "ann.perkins@example.com")
	p.Config = &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeReview}
	created, err := client.Customers.Create(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	before, err := client.Customers.Get(ctx, created.ID)
	if err != nil || before.Status != straddle.CustomerStatusReview {
		t.Fatalf("fixture: %v, %+v", err, before)
	}
	srv.ClearRequests()
	return &fixture{srv: srv, client: client, before: before}
}

// stored reads the fixture customer as the server holds it now.
func (fx *fixture) stored(t *testing.T, ctx context.Context) *straddle.Customer {
	t.Helper()
	c, err := fx.client.Customers.Get(ctx, fx.before.ID)
	if err != nil {
		t.Fatalf("reading the customer back: %v", err)
	}
	return c
}

// matrixOp is a column of the matrix.
type matrixOp struct {
	name   string
	opID   straddletest.Operation // the emulator's operationId
	write  bool
	status int // the success status
	// call runs the operation on the fixture and checks a successful result.
	call func(t *testing.T, ctx context.Context, fx *fixture, opts []straddle.RequestOption) error
	// effect checks, after the call, that the server holds the operation's
	// effect once (applied) or not at all. Reads have none.
	effect func(t *testing.T, ctx context.Context, fx *fixture, applied bool)
}

// keep records a successful write's customer for the effect check.
func keep(fx *fixture, c *straddle.Customer, err error) error {
	if err == nil {
		fx.returned = c
	}
	return err
}

func updateParams(c *straddle.Customer) *straddle.UpdateCustomerParams {
	return &straddle.UpdateCustomerParams{
		Name: renamed, Email: c.Email, Phone: c.Phone, IPAddress: straddle.NewIPAddress("203.0.113.42"),
		Status:     straddle.CustomerStatusReview,
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18")},
	}
}

// sameTime checks that the stored customer was last changed by the write the
// client saw (applied) or not since the fixture was made.
func sameTime(t *testing.T, fx *fixture, stored *straddle.Customer, applied bool) {
	t.Helper()
	switch {
	case applied && fx.returned != nil && !stored.UpdatedAt.Equal(fx.returned.UpdatedAt):
		t.Errorf("stored updated_at %s, the call returned %s: the write was applied again after", stored.UpdatedAt, fx.returned.UpdatedAt)
	case applied && stored.UpdatedAt.Equal(fx.before.UpdatedAt):
		t.Errorf("updated_at unchanged: the write was not applied")
	case !applied && !stored.UpdatedAt.Equal(fx.before.UpdatedAt):
		t.Errorf("updated_at %s, was %s: a failed write changed the customer", stored.UpdatedAt, fx.before.UpdatedAt)
	}
}

func matrixOps() []matrixOp {
	return []matrixOp{
		{name: "create", opID: straddletest.OpCreateCustomer, write: true, status: http.StatusCreated,
			call: func(t *testing.T, ctx context.Context, fx *fixture, opts []straddle.RequestOption) error {
				c, err := fx.client.Customers.Create(ctx, person("April Ludgate", newEmail), opts...)
				if err == nil && (c.ID == "" || c.Email != newEmail) {
					t.Errorf("created %+v", c)
				}
				return keep(fx, c, err)
			},
			effect: func(t *testing.T, ctx context.Context, fx *fixture, applied bool) {
				want := 1
				if applied {
					want = 2
				}
				if n := fx.srv.CustomerCount(""); n != want {
					t.Errorf("%d customers on the server, want %d (the fixture, and the new one %s)", n, want, map[bool]string{true: "once", false: "not at all"}[applied])
				}
				if fx.returned != nil {
					if _, err := fx.client.Customers.Get(ctx, fx.returned.ID); err != nil {
						t.Errorf("the customer returned is not on the server: %v", err)
					}
				}
			}},
		{name: "update", opID: straddletest.OpUpdateCustomer, write: true, status: http.StatusOK,
			call: func(t *testing.T, ctx context.Context, fx *fixture, opts []straddle.RequestOption) error {
				c, err := fx.client.Customers.Update(ctx, fx.before.ID, updateParams(fx.before), opts...)
				if err == nil && c.Name != renamed {
					t.Errorf("updated name %q", c.Name)
				}
				return keep(fx, c, err)
			},
			effect: func(t *testing.T, ctx context.Context, fx *fixture, applied bool) {
				stored := fx.stored(t, ctx)
				if want := map[bool]string{true: renamed, false: fixtureName}[applied]; stored.Name != want {
					t.Errorf("stored name %q, want %q", stored.Name, want)
				}
				sameTime(t, fx, stored, applied)
			}},
		{name: "delete", opID: straddletest.OpDeleteCustomer, write: true, status: http.StatusOK,
			call: func(t *testing.T, ctx context.Context, fx *fixture, opts []straddle.RequestOption) error {
				c, err := fx.client.Customers.Delete(ctx, fx.before.ID, opts...)
				if err == nil && c.ID != fx.before.ID {
					t.Errorf("deleted %q", c.ID)
				}
				return keep(fx, c, err)
			},
			effect: func(t *testing.T, ctx context.Context, fx *fixture, applied bool) {
				// A second real delete would have answered 404, so a
				// successful call proves one; the customer must be gone.
				_, err := fx.client.Customers.Get(ctx, fx.before.ID)
				if applied != straddle.IsNotFound(err) || (!applied && err != nil) {
					t.Errorf("after the call, get: %v (deleted: want %v)", err, applied)
				}
			}},
		{name: "decide", opID: straddletest.OpDecideCustomerReview, write: true, status: http.StatusOK,
			call: func(t *testing.T, ctx context.Context, fx *fixture, opts []straddle.RequestOption) error {
				c, err := fx.client.Customers.Review.Decide(ctx, fx.before.ID, straddle.CustomerStatusVerified, opts...)
				if err == nil && c.Status != straddle.CustomerStatusVerified {
					t.Errorf("decided status %q", c.Status)
				}
				return keep(fx, c, err)
			},
			effect: func(t *testing.T, ctx context.Context, fx *fixture, applied bool) {
				// A second real decision would have answered 422 (the
				// customer is no longer in review).
				stored := fx.stored(t, ctx)
				want := map[bool]straddle.CustomerStatus{true: straddle.CustomerStatusVerified, false: straddle.CustomerStatusReview}[applied]
				if stored.Status != want {
					t.Errorf("stored status %q, want %q", stored.Status, want)
				}
				sameTime(t, fx, stored, applied)
			}},
		{name: "refresh", opID: straddletest.OpRefreshCustomerReview, write: true, status: http.StatusAccepted,
			call: func(t *testing.T, ctx context.Context, fx *fixture, opts []straddle.RequestOption) error {
				c, err := fx.client.Customers.Review.Refresh(ctx, fx.before.ID, opts...)
				if err == nil && (c.ID != fx.before.ID || c.Status != straddle.CustomerStatusPending) {
					t.Errorf("refreshed %q, status %q", c.ID, c.Status)
				}
				return keep(fx, c, err)
			},
			effect: func(t *testing.T, ctx context.Context, fx *fixture, applied bool) {
				sameTime(t, fx, fx.stored(t, ctx), applied)
			}},
		{name: "get", opID: straddletest.OpGetCustomer, status: http.StatusOK,
			call: func(t *testing.T, ctx context.Context, fx *fixture, opts []straddle.RequestOption) error {
				c, err := fx.client.Customers.Get(ctx, fx.before.ID, opts...)
				if err == nil && (c.ID != fx.before.ID || c.Name != fixtureName) {
					t.Errorf("got %q %q", c.ID, c.Name)
				}
				return err
			}},
		{name: "list", opID: straddletest.OpListCustomers, status: http.StatusOK,
			call: func(t *testing.T, ctx context.Context, fx *fixture, opts []straddle.RequestOption) error {
				page, err := fx.client.Customers.List(ctx, nil, opts...)
				if err == nil && (len(page.Customers) != 1 || page.Customers[0].ID != fx.before.ID || page.Meta.TotalItems != 1) {
					t.Errorf("listed %+v", page)
				}
				return err
			}},
	}
}

func TestFaultMatrix(t *testing.T) {
	leakcheck.Check(t)
	faults, ops := matrixFaults(), matrixOps()
	if len(faults) != 13 || len(ops) != 7 {
		t.Fatalf("the matrix is %d faults x %d operations, RELIABILITY.md promises 13 x 7", len(faults), len(ops))
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			for _, op := range ops {
				t.Run(op.name, func(t *testing.T) {
					t.Parallel()
					runCell(t, f, op)
				})
			}
		})
	}
}

func runCell(t *testing.T, f matrixFault, op matrixOp) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	fx := newFixture(t, ctx)
	log := &waitLog{shorten: func(d time.Duration) time.Duration { return d / 100 }}
	if f.shorten != nil {
		log.shorten = f.shorten
	}
	real := f.realWaits[op.name]
	if !real {
		log.install(fx.client)
	}

	fault := f.fault
	fault.Match = op.opID
	if f.retryAfterDate > 0 {
		// In whole seconds: 2 to 3 seconds from now by the time it is read.
		fault.RetryAfter = time.Now().Add(f.retryAfterDate).UTC().Format(http.TimeFormat)
	}
	fx.srv.Inject(fault)

	var resp straddle.Response
	opts := []straddle.RequestOption{straddle.WithResponseInto(&resp)}
	if f.attemptTimeout > 0 {
		opts = append(opts, straddle.WithAttemptTimeout(f.attemptTimeout))
	}
	start := time.Now()
	err := op.call(t, ctx, fx, opts)
	elapsed := time.Since(start)

	checkAttempts(t, fx.srv, op, f, &resp)
	checkOutcome(t, err, &resp, op, f)
	if real {
		if elapsed < f.retryAfter {
			t.Errorf("the call took %s: Retry-After %s was not waited for", elapsed, f.retryAfter)
		}
	} else {
		checkWaits(t, log.all(), f)
	}
	if n := fx.srv.PendingFaults(); n != 0 {
		t.Fatalf("%d injected failures did not happen", n)
	}
	if op.effect != nil {
		op.effect(t, ctx, fx, err == nil || f.acts)
	}
}

// checkAttempts compares the attempts the server saw with the client's count,
// and checks the idempotency keys they carried.
func checkAttempts(t *testing.T, srv *straddletest.Server, op matrixOp, f matrixFault, resp *straddle.Response) {
	t.Helper()
	if n, all := srv.RequestCount(op.opID), srv.RequestCount(""); n != f.attempts || all != f.attempts {
		t.Errorf("server saw %d %s requests (%d in all), want %d attempts", n, op.opID, all, f.attempts)
	}
	if resp.Attempts != f.attempts {
		t.Errorf("Response.Attempts %d, want %d", resp.Attempts, f.attempts)
	}
	reqs := srv.Requests()
	if len(reqs) > 0 && reqs[0].Fault != f.fault.Kind {
		t.Errorf("first attempt met fault %v, want %v", reqs[0].Fault, f.fault.Kind)
	}
	for i, r := range reqs {
		key := r.IdempotencyKey()
		switch {
		case !op.write && key != "":
			t.Errorf("attempt %d of a read sent Idempotency-Key %q", i+1, key)
		case op.write && (len(key) != 36 || key != resp.IdempotencyKey):
			t.Errorf("attempt %d sent Idempotency-Key %q, the call's key is %q: want the same key on every attempt", i+1, key, resp.IdempotencyKey)
		}
	}
	if !op.write && resp.IdempotencyKey != "" {
		t.Errorf("a read reports Idempotency-Key %q", resp.IdempotencyKey)
	}
}

// checkOutcome checks the call's result against the row's promise.
func checkOutcome(t *testing.T, err error, resp *straddle.Response, op matrixOp, f matrixFault) {
	t.Helper()
	var apiErr *straddle.Error
	var decodeErr *straddle.DecodeError
	switch w := f.want; {
	case w.ok():
		if err != nil {
			t.Fatalf("err = %v, want success", err)
		}
		if resp.StatusCode != op.status {
			t.Errorf("final status %d, want %d", resp.StatusCode, op.status)
		}
		// A write's retry after an attempt that acted must be answered by
		// replay: had the server acted again, the flag would be false.
		if want := op.write && f.acts; resp.IdempotentReplayed != want {
			t.Errorf("IdempotentReplayed %v, want %v", resp.IdempotentReplayed, want)
		}
	case w.apiStatus != 0:
		if !errors.As(err, &apiErr) || apiErr.StatusCode != w.apiStatus || resp.StatusCode != w.apiStatus {
			t.Fatalf("err = %v (Response status %d), want a %d *straddle.Error", err, resp.StatusCode, w.apiStatus)
		}
	case w.decodeStatus != 0:
		if !errors.As(err, &decodeErr) || decodeErr.StatusCode != w.decodeStatus || resp.StatusCode != w.decodeStatus {
			t.Fatalf("err = %v (Response status %d), want a *straddle.DecodeError of a %d", err, resp.StatusCode, w.decodeStatus)
		}
	}
}

// checkWaits checks the waits asked for between attempts: the Retry-After the
// response gave, or the backoff (full jitter under a ceiling of 500ms,
// doubling).
func checkWaits(t *testing.T, waits []time.Duration, f matrixFault) {
	t.Helper()
	if len(waits) != f.attempts-1 {
		t.Fatalf("%d waits %v between %d attempts", len(waits), waits, f.attempts)
	}
	for i, d := range waits {
		if f.retryAfter > 0 {
			if d < f.retryAfter-f.tolerance || d > f.retryAfter+f.tolerance {
				t.Errorf("wait %d: %s, want Retry-After's %s (±%s)", i+1, d, f.retryAfter, f.tolerance)
			}
			continue
		}
		if ceiling := 500 * time.Millisecond << i; d < 0 || d >= ceiling {
			t.Errorf("wait %d: %s, want a backoff under %s", i+1, d, ceiling)
		}
	}
}

// The worst day: every attempt fails, yet the server may have acted. The call
// gives back an error that says so as far as it can, and repeating it with
// the same idempotency key (WithIdempotencyKey) is safe: the server replays
// what it did, or does it now, once.
func TestWritesOutlastingTheirRetriesAreSafeToRepeat(t *testing.T) {
	leakcheck.Check(t)
	rows := []struct {
		name  string
		fault straddletest.FaultKind
		acts  bool
		check func(t *testing.T, op matrixOp, err error)
	}{
		{"reset", straddletest.FaultReset, false, func(t *testing.T, _ matrixOp, err error) {
			var ue *url.Error
			if !errors.As(err, &ue) {
				t.Errorf("err = %v, want a transport error", err)
			}
		}},
		{"dropped-after-acting", straddletest.FaultDropAfter, true, func(t *testing.T, _ matrixOp, err error) {
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want the dropped connection's EOF", err)
			}
		}},
		{"truncated", straddletest.FaultTruncate, true, func(t *testing.T, op matrixOp, err error) {
			// The status arrived: the server did the work, only its answer
			// was cut.
			var de *straddle.DecodeError
			if !errors.As(err, &de) || de.StatusCode != op.status || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want a *straddle.DecodeError of a %d, cut short", err, op.status)
			}
		}},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			for _, op := range matrixOps() {
				if !op.write {
					continue
				}
				t.Run(op.name, func(t *testing.T) {
					t.Parallel()
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					fx := newFixture(t, ctx)
					(&waitLog{shorten: func(d time.Duration) time.Duration { return d / 100 }}).install(fx.client)
					fx.srv.Inject(straddletest.Fault{Kind: row.fault, Match: op.opID, Times: matrixRetries + 1})
					const key = "order-7f3e2a9c-retry-safe"
					var resp straddle.Response
					err := op.call(t, ctx, fx, []straddle.RequestOption{straddle.WithIdempotencyKey(key), straddle.WithResponseInto(&resp)})
					if err == nil || resp.Attempts != matrixRetries+1 || fx.srv.RequestCount(op.opID) != matrixRetries+1 {
						t.Fatalf("err = %v after %d attempts (%d on the server)", err, resp.Attempts, fx.srv.RequestCount(op.opID))
					}
					row.check(t, op, err)

					// The caller repeats the call, with the same key.
					resp = straddle.Response{}
					if err := op.call(t, ctx, fx, []straddle.RequestOption{straddle.WithIdempotencyKey(key), straddle.WithResponseInto(&resp)}); err != nil {
						t.Fatalf("repeating the call: %v", err)
					}
					if resp.IdempotentReplayed != row.acts || resp.StatusCode != op.status {
						t.Errorf("repeat: status %d, replayed %v; want %d, replayed %v", resp.StatusCode, resp.IdempotentReplayed, op.status, row.acts)
					}
					for _, r := range fx.srv.Requests() {
						if r.IdempotencyKey() != key {
							t.Errorf("an attempt sent key %q, want the caller's %q", r.IdempotencyKey(), key)
						}
					}
					op.effect(t, ctx, fx, true)
				})
			}
		})
	}
}
