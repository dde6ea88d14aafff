package straddle_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// Shared by the reliability tests (fault matrix, context, concurrency,
// transport): clients of the emulator whose traffic is held to the spec.

// specValidator loads the spec once for all the tests of the package.
var specValidator = sync.OnceValues(contract.NewValidator)

// faultHeader marks the emulator's responses to injected faults, which break
// the spec on purpose and are not checked.
const faultHeader = "Straddletest-Fault"

// checked wraps base in contract.Transport, so every request and every
// response is checked against the spec, but for the responses of injected
// faults and those skip (if not nil) marks as broken on purpose.
func checked(t testing.TB, base http.RoundTripper, skip func(*http.Response) bool) http.RoundTripper {
	t.Helper()
	v, err := specValidator()
	if err != nil {
		t.Fatal(err)
	}
	return &contract.Transport{
		Validator: v,
		Base:      base,
		Report:    func(err error) { t.Error(err) },
		SkipResponse: func(r *http.Response) bool {
			return r.Header.Get(faultHeader) != "" || (skip != nil && skip(r))
		},
	}
}

// emulatorClient returns a client of srv that sends through base, checked
// against the spec. base's idle connections are closed when the test ends.
func emulatorClient(t testing.TB, srv *straddletest.Server, base *http.Transport, opts ...straddle.Option) *straddle.Client {
	t.Helper()
	t.Cleanup(base.CloseIdleConnections)
	all := append([]straddle.Option{
		straddle.WithAPIKey(srv.APIKey()),
		straddle.WithBaseURL(srv.URL),
		straddle.WithHTTPClient(&http.Client{Transport: checked(t, base, nil)}),
	}, opts...)
	c, err := straddle.NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// freshConnections returns a transport that opens a new connection for every
// request, so that each attempt meets its fault on a connection of its own.
// (On reused connections too every attempt the server counts is one the
// client made: TestEveryResendIsTheClients.)
func freshConnections() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DisableKeepAlives = true
	return tr
}

// person returns the parameters of a new individual customer, whom the
// emulator verifies (real-looking SSN and date of birth).
func person(name, email string) *straddle.CreateCustomerParams {
	return &straddle.CreateCustomerParams{
		Name: name, Type: straddle.CustomerTypeIndividual, Email: email, Phone: "+13175550142",
		IPAddress:  straddle.NewIPAddress("203.0.113.42"),
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18")},
	}
}

// waitLog records the waits a client asks for between attempts, and waits
// for a shortened time instead (still cut short by the context).
type waitLog struct {
	mu      sync.Mutex
	waits   []time.Duration
	shorten func(time.Duration) time.Duration
}

// install makes c wait through l.
func (l *waitLog) install(c *straddle.Client) {
	straddle.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		l.mu.Lock()
		l.waits = append(l.waits, d)
		l.mu.Unlock()
		t := time.NewTimer(l.shorten(d))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	})
}

// all returns the waits asked for so far.
func (l *waitLog) all() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Duration(nil), l.waits...)
}
