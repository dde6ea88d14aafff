package straddle_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// The caller's context bounds the whole call: its waits, its attempts and
// its pages. These tests use the client's real waits.

// attemptSignal is a slog.Handler that reports each attempt the client logs:
// once attempt n is logged, the client decides on a retry and starts its wait.
type attemptSignal chan int

func (s attemptSignal) Enabled(context.Context, slog.Level) bool { return true }
func (s attemptSignal) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s attemptSignal) WithGroup(string) slog.Handler            { return s }
func (s attemptSignal) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "attempt" {
			select {
			case s <- int(a.Value.Int64()):
			default:
			}
		}
		return true
	})
	return nil
}

// contextEnv is an emulator with one customer and a client of it that
// reports its attempts on the returned channel.
func contextEnv(t *testing.T) (*straddletest.Server, *straddle.Client, string, attemptSignal) {
	t.Helper()
	srv := straddletest.NewServer(straddletest.WithT(t))
	attempts := make(attemptSignal, 16)
	client := emulatorClient(t, srv, freshConnections(), straddle.WithLogger(slog.New(attempts)))
	c, err := client.Customers.Create(context.Background(), person("Donna Meagle", "donna@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	<-attempts
	srv.ClearRequests()
	return srv, client, c.ID, attempts
}

func TestCancelDuringBackoffReturnsAtOnce(t *testing.T) {
	leakcheck.Check(t)
	for _, tt := range []struct {
		name  string
		fault straddletest.Fault
	}{
		{"retry-after-seconds", straddletest.Fault{Kind: straddletest.FaultStatus, Status: 503, RetryAfter: "20"}},
		{"retry-after-date", straddletest.Fault{Kind: straddletest.FaultStatus, Status: 429, RetryAfter: time.Now().Add(time.Minute).UTC().Format(http.TimeFormat)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv, client, id, attempts := contextEnv(t)
			f := tt.fault
			f.Times = 5
			srv.Inject(f)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			type result struct {
				err error
				at  time.Time
			}
			done := make(chan result, 1)
			go func() {
				_, err := client.Customers.Get(ctx, id)
				done <- result{err, time.Now()}
			}()
			select {
			case <-attempts: // the first attempt got its answer: the wait begins
			case <-time.After(5 * time.Second):
				t.Fatal("no attempt was logged")
			}
			time.Sleep(20 * time.Millisecond) // well into the wait
			cancelled := time.Now()
			cancel()
			var r result
			select {
			case r = <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("the call did not return after its context was cancelled")
			}
			if !errors.Is(r.err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", r.err)
			}
			var apiErr *straddle.Error
			if errors.As(r.err, &apiErr) {
				t.Errorf("a cancelled call returned the API error %v", apiErr)
			}
			if d := r.at.Sub(cancelled); d > 50*time.Millisecond {
				t.Errorf("returned %s after the cancel, want within 50ms", d)
			}
			time.Sleep(20 * time.Millisecond)
			if n := srv.RequestCount(""); n != 1 {
				t.Errorf("%d requests, want the one before the cancel", n)
			}
		})
	}
}

func TestDeadlineShorterThanRetryAfterReturnsAtOnce(t *testing.T) {
	leakcheck.Check(t)
	for _, retryAfter := range []string{"5", time.Now().Add(10 * time.Second).UTC().Format(http.TimeFormat)} {
		t.Run(retryAfter, func(t *testing.T) {
			srv, client, id, _ := contextEnv(t)
			srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 429, RetryAfter: retryAfter, Times: 3})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			var resp straddle.Response
			start := time.Now()
			_, err := client.Customers.Review.Refresh(ctx, id, straddle.WithResponseInto(&resp))
			elapsed := time.Since(start)
			// The wait would outlast the deadline, so it is not started: the
			// caller gets the 429 now, with time left to act on it.
			if !straddle.IsRateLimited(err) || errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want the 429 *straddle.Error", err)
			}
			if elapsed > 500*time.Millisecond || ctx.Err() != nil {
				t.Errorf("returned after %s (context: %v), want at once, well before the 2s deadline", elapsed, ctx.Err())
			}
			if resp.Attempts != 1 || srv.RequestCount("") != 1 {
				t.Errorf("%d attempts, %d on the server; want 1", resp.Attempts, srv.RequestCount(""))
			}
		})
	}
}

func TestDeadlineDuringAnAttempt(t *testing.T) {
	leakcheck.Check(t)
	srv, client, _, _ := contextEnv(t)
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultDelay, Delay: 400 * time.Millisecond, Match: straddletest.OpCreateCustomer})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	const key = "signup-ben-wyatt-0001"
	p := person("Ben Wyatt", "ben@example.com")
	start := time.Now()
	_, err := client.Customers.Create(ctx, p, straddle.WithIdempotencyKey(key))
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("returned after %s, want at the 100ms deadline", d)
	}
	var apiErr *straddle.Error
	if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want context.DeadlineExceeded and no API error", err)
	}
	if n := srv.RequestCount(straddletest.OpCreateCustomer); n != 1 {
		t.Errorf("%d attempts, want none after the deadline", n)
	}
	// The server finishes the work it was given; the caller repeats the call
	// with its key and gets that one customer back.
	for deadline := time.Now().Add(5 * time.Second); srv.CustomerCount("") < 2 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	var resp straddle.Response
	c, err := client.Customers.Create(context.Background(), p, straddle.WithIdempotencyKey(key), straddle.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if srv.CustomerCount("") != 2 || c.Email != "ben@example.com" {
		t.Errorf("%d customers, created %q: want the fixture and Ben, once", srv.CustomerCount(""), c.Email)
	}
	if !resp.IdempotentReplayed || resp.Attempts != 1 {
		t.Errorf("repeat: replayed %v after %d attempts, want the first request's work replayed", resp.IdempotentReplayed, resp.Attempts)
	}
}

func TestCancelledBeforeTheCallSendsNothing(t *testing.T) {
	leakcheck.Check(t)
	srv, client, id, _ := contextEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := client.Customers.Delete(ctx, id); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if n := srv.RequestCount(""); n != 0 || srv.CustomerCount("") != 1 {
		t.Errorf("%d requests, %d customers: a cancelled call reached the server", n, srv.CustomerCount(""))
	}
}

func TestCancelStopsPaging(t *testing.T) {
	leakcheck.Check(t)
	srv, client, _, _ := contextEnv(t)
	for _, email := range []string{"tom@example.com", "jerry@example.com"} {
		if _, err := client.Customers.Create(context.Background(), person("Someone", email)); err != nil {
			t.Fatal(err)
		}
	}
	srv.ClearRequests()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var seen int
	var last error
	for c, err := range client.Customers.All(ctx, &straddle.ListParams{PageSize: 1}) {
		if err != nil {
			last = err
			continue
		}
		seen++
		if c.ID == "" {
			t.Error("empty customer")
		}
		cancel() // after the first customer: the next page must not be fetched
	}
	if seen != 1 || !errors.Is(last, context.Canceled) {
		t.Errorf("%d customers then %v; want 1, then context.Canceled", seen, last)
	}
	if n := srv.RequestCount(straddletest.OpListCustomers); n != 1 {
		t.Errorf("%d page requests, want 1 (3 pages; cancelled after the first)", n)
	}
}
