package straddle

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/internal/leakcheck"
)

// reuseKiller is an HTTP/1.1 server that answers the first request of each
// connection and keeps the connection open, then reads the second request
// in full and hangs up without answering: every reused keep-alive connection
// fails just after the server received the request, the moment at which
// net/http's Transport resends a GET, or a request with an Idempotency-Key,
// on its own. It counts the requests it received by their Request-Id.
type reuseKiller struct {
	t        *testing.T
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	received map[string]int
}

func newReuseKiller(t *testing.T) *reuseKiller {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k := &reuseKiller{t: t, ln: ln, received: map[string]int{}}
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			k.wg.Add(1)
			go k.serve(c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		k.wg.Wait()
	})
	return k
}

func (k *reuseKiller) URL() string { return "http://" + k.ln.Addr().String() }

func (k *reuseKiller) serve(c net.Conn) {
	defer k.wg.Done()
	defer c.Close()
	br := bufio.NewReader(c)
	for n := 1; ; n++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, req.Body)
		k.mu.Lock()
		k.received[req.Header.Get("Request-Id")]++
		k.mu.Unlock()
		if n > 1 {
			return // a reused connection dies with the request received
		}
		status, fixture := k.answer(req)
		body := respFixture(k.t, fixture)
		_, _ = fmt.Fprintf(c, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			status, http.StatusText(status), len(body), body)
	}
}

// answer picks the fixture for the request's operation.
func (k *reuseKiller) answer(r *http.Request) (int, string) {
	switch {
	case r.Method == http.MethodPost:
		return 201, "createCustomer.201.individual.json"
	case r.Method == http.MethodDelete:
		return 200, "deleteCustomer.200.deleted.json"
	case r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, "/refresh_review"):
		return 202, "refreshCustomerReview.202.pending.json"
	case r.Method == http.MethodPut:
		return 200, "updateCustomer.200.seed001.json"
	case r.URL.Path == "/v1/customers":
		return 200, "listCustomers.200.page1-of-2.json"
	}
	return 200, "getCustomer.200.individual.json"
}

func (k *reuseKiller) count(requestID string) int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.received[requestID]
}

// TestEveryResendIsTheClients: against a server that kills every reused
// keep-alive connection after reading the request, for reads and writes with
// and without a body, sequential and concurrent, the number of requests the
// server received for a call is exactly Response.Attempts, and never more than
// the retry budget allows: with WithMaxRetries(0) each request is sent once.
// net/http's own resend of a request it already wrote is stopped, and the
// client's retries, counted, decide.
func TestEveryResendIsTheClients(t *testing.T) {
	leakcheck.Check(t)
	k := newReuseKiller(t)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	defer tr.CloseIdleConnections()
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	checked := &contract.Transport{Validator: v, Base: tr, Report: func(err error) { t.Error(err) }}
	c, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(k.URL()), WithHTTPClient(&http.Client{Transport: checked}))
	if err != nil {
		t.Fatal(err)
	}
	c.doer.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }

	update := &UpdateCustomerParams{Name: "Leslie Knope", Email: "leslie@example.com", Phone: "+13175550142",
		Status: CustomerStatusVerified, IPAddress: NewIPAddress("203.0.113.42"),
		Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")}}
	ops := []struct {
		name string
		call func(ctx context.Context, opts ...RequestOption) error
	}{
		{"get", func(ctx context.Context, opts ...RequestOption) error {
			_, err := c.Customers.Get(ctx, knopeID, opts...)
			return err
		}},
		{"list", func(ctx context.Context, opts ...RequestOption) error {
			_, err := c.Customers.List(ctx, nil, opts...)
			return err
		}},
		{"create", func(ctx context.Context, opts ...RequestOption) error {
			_, err := c.Customers.Create(ctx, &CreateCustomerParams{Name: "Ann Perkins", Type: CustomerTypeIndividual,
				Email: "ann@example.com", Phone: "+13175550177", IPAddress: NewIPAddress("203.0.113.7")}, opts...)
			return err
		}},
		{"update", func(ctx context.Context, opts ...RequestOption) error {
			_, err := c.Customers.Update(ctx, knopeID, update, opts...)
			return err
		}},
		{"delete", func(ctx context.Context, opts ...RequestOption) error {
			_, err := c.Customers.Delete(ctx, knopeID, opts...)
			return err
		}},
		{"refresh", func(ctx context.Context, opts ...RequestOption) error {
			_, err := c.Customers.Review.Refresh(ctx, knopeID, opts...)
			return err
		}},
	}

	var mu sync.Mutex
	calls, resent, failed := 0, 0, 0
	run := func(t *testing.T, retries, worker, round int) {
		for _, op := range ops {
			id := fmt.Sprintf("%s-r%d-w%d-n%d", op.name, retries, worker, round)
			var resp Response
			err := op.call(context.Background(), WithRequestID(id), WithMaxRetries(retries), WithResponseInto(&resp))
			got := k.count(id)
			if got != resp.Attempts || resp.Attempts > retries+1 || resp.Attempts < 1 {
				t.Errorf("%s: the server received %d requests, Response.Attempts %d, budget %d attempts (err %v)",
					id, got, resp.Attempts, retries+1, err)
			}
			if err != nil && !retryableTransportError(errorsUnwrapAll(err)) {
				t.Errorf("%s: err = %v, want a transport error worth retrying", id, err)
			}
			mu.Lock()
			calls++
			if resp.Attempts > 1 {
				resent++
			}
			if err != nil {
				failed++
			}
			mu.Unlock()
		}
	}
	for _, retries := range []int{0, 2} {
		t.Run(fmt.Sprintf("sequential, %d retries", retries), func(t *testing.T) {
			for round := range 10 {
				run(t, retries, 0, round)
			}
		})
		t.Run(fmt.Sprintf("8 goroutines, %d retries", retries), func(t *testing.T) {
			var wg sync.WaitGroup
			for w := 1; w <= 8; w++ {
				wg.Go(func() {
					for round := range 5 {
						run(t, retries, w, round)
					}
				})
			}
			wg.Wait()
		})
	}
	// The server did kill connections under the client: with no retries some
	// calls failed, with retries some were resent (by the client, counted).
	if failed == 0 || resent == 0 {
		t.Errorf("%d calls, %d failed, %d resent: the server never killed a reused connection", calls, failed, resent)
	}
	t.Logf("%d calls, %d failed (no retries left), %d resent by the client", calls, failed, resent)
}

// errorsUnwrapAll returns the innermost error of a chain of single wraps.
func errorsUnwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok || u.Unwrap() == nil {
			return err
		}
		err = u.Unwrap()
	}
}
