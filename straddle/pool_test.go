package straddle

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// Tests of the default transport (transport.go): the pool a service sharing
// one client needs.

// readResponse reads a response fixture of the repository's testdata.
func readResponse(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "responses", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// countingServer serves the individual customer fixture, counting the
// connections it accepts. Each request waits until burst requests are in
// flight, so a burst really holds burst connections at once.
type countingServer struct {
	*httptest.Server
	conns atomic.Int64

	mu      sync.Mutex
	waiting int
	release chan struct{}
}

func newCountingServer(t *testing.T, burst int, tlsOn bool, seen func(*http.Request)) *countingServer {
	t.Helper()
	body := readResponse(t, "getCustomer.200.individual.json")
	s := &countingServer{release: make(chan struct{})}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen != nil {
			seen(r)
		}
		s.mu.Lock()
		s.waiting++
		release := s.release
		if s.waiting == burst {
			close(s.release)
			s.release, s.waiting = make(chan struct{}), 0
		}
		s.mu.Unlock()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		case <-time.After(10 * time.Second): // a burst that never fills must not hang the test
			t.Errorf("only %d of %d concurrent requests arrived", s.waiting, burst)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if tlsOn {
		s.EnableHTTP2 = true
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// checkedClient returns a client of s that sends through base, its traffic
// checked against the spec.
func checkedClient(t *testing.T, s *countingServer, base http.RoundTripper) *Client {
	t.Helper()
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	ct := &contract.Transport{Validator: v, Base: base, Report: func(err error) { t.Error(err) }}
	c, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(s.URL), WithHTTPClient(&http.Client{Transport: ct}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// burst makes n concurrent Gets with c and returns the connections the
// server accepted meanwhile.
func (s *countingServer) burst(t *testing.T, c *Client, n int) int64 {
	t.Helper()
	before := s.conns.Load()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := c.Customers.Get(context.Background(), "019f3b3d-5816-77fb-8a9c-ad05f1654b00"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	return s.conns.Load() - before
}

func TestClientsShareTheDefaultTransport(t *testing.T) {
	a, err := NewClient(WithAPIKey(testAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewClient(WithAPIKey(testAPIKey), WithEnvironment(Production))
	if err != nil {
		t.Fatal(err)
	}
	if shared := (refuseRedirects{base: defaultTransport}); a.doer.transport != shared || b.doer.transport != shared {
		t.Fatal("a client without WithHTTPClient does not use the shared default transport")
	}
}

func TestBurstAfterIdleReusesConnections(t *testing.T) {
	const n = 32
	s := newCountingServer(t, n, false, nil)
	c := checkedClient(t, s, defaultTransport)
	if got := s.burst(t, c, n); got != n {
		t.Fatalf("the first burst of %d concurrent calls opened %d connections, want %d", n, got, n)
	}
	// The service goes quiet for a moment (well within the idle timeout),
	// then the next burst comes.
	time.Sleep(50 * time.Millisecond)
	if got := s.burst(t, c, n); got != 0 {
		t.Errorf("a burst of %d calls after an idle period opened %d new connections, want 0: the pool kept too few", n, got)
	}
}

func TestDefaultTransportSpeaksHTTP2WhenOffered(t *testing.T) {
	var protos sync.Map
	s := newCountingServer(t, 1, true, func(r *http.Request) { protos.Store(r.Proto, true) })
	tr := NewTransport()
	// A transport given its own TLS settings, as a caller adding a CA would.
	tr.TLSClientConfig = &tls.Config{RootCAs: s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}
	t.Cleanup(tr.CloseIdleConnections)
	c := checkedClient(t, s, tr)
	for range 3 {
		s.burst(t, c, 1)
	}
	if _, ok := protos.Load("HTTP/2.0"); !ok {
		var seen []any
		protos.Range(func(k, _ any) bool { seen = append(seen, k); return true })
		t.Errorf("requests went over %v, want HTTP/2.0", seen)
	}
	if got := s.conns.Load(); got != 1 {
		t.Errorf("3 calls over HTTP/2 opened %d connections, want 1", got)
	}
}

func TestNewTransportPoolSettings(t *testing.T) {
	tr := NewTransport()
	if tr.MaxIdleConnsPerHost < 64 || tr.MaxIdleConns < tr.MaxIdleConnsPerHost {
		t.Errorf("keeps %d idle connections per host (%d in all), want room for 64 concurrent calls", tr.MaxIdleConnsPerHost, tr.MaxIdleConns)
	}
	if tr.IdleConnTimeout <= 0 || tr.IdleConnTimeout >= 60*time.Second {
		t.Errorf("idle timeout %v, want one under the 60s after which load balancers drop idle connections", tr.IdleConnTimeout)
	}
	if !tr.ForceAttemptHTTP2 || tr.Proxy == nil || tr.TLSHandshakeTimeout <= 0 || tr.DialContext == nil {
		t.Error("the transport lost net/http's defaults: HTTP/2, the proxy from the environment, dial and handshake timeouts")
	}
	if NewTransport() == tr {
		t.Error("NewTransport returned a shared transport")
	}
}
