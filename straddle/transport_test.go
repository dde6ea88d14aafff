package straddle_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// Transport safety: where the API key may travel, which URLs the client
// refuses, how much of a response it reads, and that it closes every body.
// Also covered elsewhere: the key stays off a redirect to another port of the
// same host (TestRedirectKeepsAPIKeyOnItsHost), the caller's redirect policy
// still applies (TestRedirectPolicyChainsTheCallers), a 100 MiB error body is
// not read whole (TestHugeErrorBodyIsNotReadWhole), a 2xx body over 32 MiB is
// a *DecodeError (TestSuccessBodyOverLimit).

const (
	transportKey = "sk_test_TRANSPORT_SENTINEL_4e1d"
	redirectedID = "019f3b3d-5816-77fb-8a9c-ad05f1654b00"
	movedID      = "019f3b3d-5816-77fb-8a9c-ad05f1654b01"
)

func responseFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "responses", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hostsToLoopback returns a transport that connects every host name (such as
// evil.test or api.localhost) to the loopback address, so one test server
// can stand for several hosts.
func hostsToLoopback() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	var d net.Dialer
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		return d.DialContext(ctx, network, net.JoinHostPort("127.0.0.1", port))
	}
	return tr
}

func TestAPIKeyNotForwardedOnRedirectToAnotherHost(t *testing.T) {
	leakcheck.Check(t)
	getBody := responseFixture(t, "getCustomer.200.individual.json")
	createBody := responseFixture(t, "createCustomer.201.individual.json")

	var (
		mu     sync.Mutex
		target string            // where the first hop redirects
		auth   map[string]string // host of each later hop -> its Authorization
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if strings.HasPrefix(r.Host, "localhost:") && !strings.HasSuffix(r.URL.Path, movedID) && r.URL.Query().Get("moved") == "" {
			if r.Header.Get("Authorization") != "Bearer "+transportKey {
				t.Errorf("the first hop carried no key")
			}
			to := target + "/v1/customers"
			if r.Method == http.MethodGet {
				to += "/" + movedID
			} else {
				to += "?moved=1"
			}
			http.Redirect(w, r, to, http.StatusTemporaryRedirect)
			return
		}
		auth[r.Host] = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(createBody)
			return
		}
		_, _ = w.Write(getBody)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())

	tr := hostsToLoopback()
	defer tr.CloseIdleConnections()
	client, err := straddle.NewClient(
		straddle.WithAPIKey(transportKey),
		straddle.WithBaseURL("http://localhost:"+port),
		straddle.WithHTTPClient(&http.Client{Transport: checked(t, tr, func(r *http.Response) bool {
			return r.StatusCode == http.StatusTemporaryRedirect // not in the spec
		})}),
	)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, target string
		keep         bool
	}{
		// The control: the same scheme, host and port keep the key.
		{"same host", "http://localhost:" + port, true},
		// net/http itself forwards the key to a subdomain.
		{"subdomain", "http://api.localhost:" + port, false},
		{"another host", "http://evil.test:" + port, false},
		{"the same server by IP", "http://127.0.0.1:" + port, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				mu.Lock()
				target, auth = tt.target, map[string]string{}
				mu.Unlock()
				var err error
				if method == http.MethodGet {
					_, err = client.Customers.Get(context.Background(), redirectedID)
				} else {
					_, err = client.Customers.Create(context.Background(), person("Craig Middlebrooks", "craig@example.com"))
				}
				if err != nil {
					t.Fatalf("%s: %v", method, err)
				}
				mu.Lock()
				got, followed := auth[strings.TrimPrefix(tt.target, "http://")]
				mu.Unlock()
				want := ""
				if tt.keep {
					want = "Bearer " + transportKey
				}
				if !followed || got != want {
					t.Errorf("%s redirected to %s: Authorization %q (followed: %v), want %q", method, tt.target, got, followed, want)
				}
			}
		})
	}
}

func TestPlainHTTPRefusedForRemoteHosts(t *testing.T) {
	for _, u := range []string{
		"http://10.0.0.1",
		"http://192.168.1.10:8080",
		"http://0.0.0.0:8080",
		"http://[::ffff:10.0.0.1]",
		"http://localhost.example.com",
		"http://127.0.0.1.nip.io",
		"HTTP://sandbox.straddle.com",
		"http://production.straddle.com/v1",
	} {
		c, err := straddle.NewClient(straddle.WithAPIKey(transportKey), straddle.WithBaseURL(u))
		if err == nil {
			t.Errorf("%s: NewClient succeeded (%v): the key would travel in the clear", u, c)
			continue
		}
		if !strings.Contains(err.Error(), "loopback") || strings.Contains(err.Error(), "SENTINEL") {
			t.Errorf("%s: error %q", u, err)
		}
	}
	for _, u := range []string{"http://127.0.0.2:9000", "http://[::1]:9000", "http://LOCALHOST:9000", "https://10.0.0.1"} {
		if _, err := straddle.NewClient(straddle.WithAPIKey(transportKey), straddle.WithBaseURL(u)); err != nil {
			t.Errorf("%s: %v, want it accepted (loopback, or https)", u, err)
		}
	}
}

func TestHugeErrorBodyDoesNotExhaustMemory(t *testing.T) {
	leakcheck.Check(t)
	const huge = 100 << 20
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		chunk := []byte(strings.Repeat("<p>upstream error</p>", 3000))
		for written.Load() < huge {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	client, err := straddle.NewClient(
		straddle.WithAPIKey(transportKey),
		straddle.WithBaseURL(srv.URL),
		straddle.WithMaxRetries(0),
		// The contract check would read the whole body: it is skipped here.
		straddle.WithHTTPClient(&http.Client{Transport: checked(t, tr, func(*http.Response) bool { return true })}),
	)
	if err != nil {
		t.Fatal(err)
	}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = client.Customers.Get(context.Background(), redirectedID)
	runtime.ReadMemStats(&after)

	var apiErr *straddle.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadGateway {
		t.Fatalf("err = %v, want the 502 *straddle.Error", err)
	}
	// The client keeps at most 1 MiB of an error body (about 5 MiB are
	// allocated in all, counting the growing buffer, the transport's and the
	// server's); reading it whole would take hundreds.
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
		t.Errorf("the call allocated %d MiB for a %d MiB error body, want far less", grew>>20, huge>>20)
	}
	srv.CloseClientConnections()
	if n := written.Load(); n >= huge {
		t.Errorf("the server wrote all %d MiB: the client read the whole body", n>>20)
	}
}

// bodyCounter counts the response bodies it hands out and those closed.
type bodyCounter struct {
	base           http.RoundTripper
	opened, closed atomic.Int64
}

func (b *bodyCounter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.base.RoundTrip(req)
	if resp != nil && resp.Body != nil {
		b.opened.Add(1)
		resp.Body = &countedBody{ReadCloser: resp.Body, closed: &b.closed}
	}
	return resp, err
}

type countedBody struct {
	io.ReadCloser
	once   sync.Once
	closed *atomic.Int64
}

func (c *countedBody) Close() error {
	c.once.Do(func() { c.closed.Add(1) })
	return c.ReadCloser.Close()
}

func TestResponseBodiesAreAlwaysClosed(t *testing.T) {
	leakcheck.Check(t)
	srv := straddletest.NewServer(straddletest.WithT(t))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	counter := &bodyCounter{base: checked(t, tr, nil)}
	client, err := straddle.NewClient(
		straddle.WithAPIKey(srv.APIKey()),
		straddle.WithBaseURL(srv.URL),
		straddle.WithHTTPClient(&http.Client{Transport: counter}),
		straddle.WithMaxRetries(1),
	)
	if err != nil {
		t.Fatal(err)
	}
	(&waitLog{shorten: func(time.Duration) time.Duration { return 0 }}).install(client)
	ctx := context.Background()

	var ids []string
	for _, email := range []string{"leslie@example.com", "ron@example.com", "tom@example.com"} {
		c, err := client.Customers.Create(ctx, person("Parks Person", email))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	id := ids[0]
	fault := func(f straddletest.Fault) straddletest.Fault { f.Match = "getCustomer"; return f }
	calls := []struct {
		name  string
		fault *straddletest.Fault
		call  func() error
	}{
		{"get", nil, func() error { _, err := client.Customers.Get(ctx, id); return err }},
		{"unmasked", nil, func() error { _, err := client.Customers.Unmasked(ctx, id); return err }},
		{"review", nil, func() error { _, err := client.Customers.Review.Get(ctx, id); return err }},
		{"404", nil, func() error { _, err := client.Customers.Get(ctx, movedID); return err }},
		{"422 duplicate email", nil, func() error {
			_, err := client.Customers.Create(ctx, person("Again", "leslie@example.com"))
			return err
		}},
		{"500 twice", &straddletest.Fault{Kind: straddletest.FaultStatus, Status: 500, Times: 2}, nil},
		{"502 html", &straddletest.Fault{Kind: straddletest.FaultStatus, Status: 502, Body: []byte(htmlGateway), ContentType: "text/html"}, nil},
		{"401", &straddletest.Fault{Kind: straddletest.FaultUnauthorized}, nil},
		{"409 key reused", &straddletest.Fault{Kind: straddletest.FaultKeyReused}, nil},
		{"invalid json", &straddletest.Fault{Kind: straddletest.FaultInvalidJSON}, nil},
		{"truncated", &straddletest.Fault{Kind: straddletest.FaultTruncate}, nil},
		{"reset", &straddletest.Fault{Kind: straddletest.FaultReset}, nil},
		{"dropped", &straddletest.Fault{Kind: straddletest.FaultDropAfter}, nil},
		{"slow", &straddletest.Fault{Kind: straddletest.FaultDelay, Delay: 300 * time.Millisecond}, func() error {
			_, err := client.Customers.Get(ctx, id, straddle.WithAttemptTimeout(100*time.Millisecond))
			return err
		}},
		{"All, broken off", nil, func() error {
			for _, err := range client.Customers.All(ctx, &straddle.ListParams{PageSize: 1}) {
				if err != nil {
					return err
				}
				break
			}
			return nil
		}},
		{"All, to the end", nil, func() error {
			for _, err := range client.Customers.All(ctx, &straddle.ListParams{PageSize: 2}) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
	}
	for _, c := range calls {
		if c.fault != nil {
			srv.Inject(fault(*c.fault))
		}
		if c.call == nil {
			c.call = func() error { _, err := client.Customers.Get(ctx, id); return err }
		}
		_ = c.call() // errors are the point of most of these
		if open := counter.opened.Load() - counter.closed.Load(); open != 0 {
			t.Errorf("after %s: %d response bodies left open", c.name, open)
		}
	}
	// Every response that arrived had a body, and every one was counted.
	noResponse := 0
	for _, r := range srv.Requests() {
		switch r.Fault {
		case straddletest.FaultReset, straddletest.FaultDropAfter, straddletest.FaultDelay:
			noResponse++
		}
	}
	if want := int64(srv.RequestCount("") - noResponse); counter.opened.Load() != want {
		t.Errorf("%d bodies counted, want one per response: %d", counter.opened.Load(), want)
	}
}
