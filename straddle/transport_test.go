package straddle_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
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
// Also covered elsewhere: a 100 MiB error body is
// not read whole (TestHugeErrorBodyIsNotReadWhole), a 2xx body over 4 MiB is
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

// recorder is a test server that counts and keeps the requests it gets.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string // method, path and query of each request
}

func newRecorder(t *testing.T, handler http.HandlerFunc) *recorder {
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		rec.mu.Lock()
		rec.seen = append(rec.seen, r.Method+" "+r.URL.RequestURI())
		rec.mu.Unlock()
		handler(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

// take returns the requests seen since the last take.
func (rec *recorder) take() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	seen := rec.seen
	rec.seen = nil
	return seen
}

// everyOperation calls each operation of the client once (Edit and All
// too), by name.
func everyOperation(client *straddle.Client, opts ...straddle.RequestOption) map[string]func(context.Context) error {
	update := &straddle.UpdateCustomerParams{Name: "Ann Perkins", Email: "ann@example.com", Phone: "+13175550142",
		Status: straddle.CustomerStatusVerified, IPAddress: straddle.NewIPAddress("203.0.113.42"),
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18")}}
	return map[string]func(context.Context) error{
		"create": func(ctx context.Context) error {
			_, err := client.Customers.Create(ctx, person("Craig Middlebrooks", "craig@example.com"), opts...)
			return err
		},
		"get": func(ctx context.Context) error {
			_, err := client.Customers.Get(ctx, redirectedID, opts...)
			return err
		},
		"unmasked": func(ctx context.Context) error {
			_, err := client.Customers.Unmasked(ctx, redirectedID, opts...)
			return err
		},
		"update": func(ctx context.Context) error {
			_, err := client.Customers.Update(ctx, redirectedID, update, opts...)
			return err
		},
		"delete": func(ctx context.Context) error {
			_, err := client.Customers.Delete(ctx, redirectedID, opts...)
			return err
		},
		"list": func(ctx context.Context) error {
			_, err := client.Customers.List(ctx, &straddle.ListParams{Email: "craig@example.com"}, opts...)
			return err
		},
		"all": func(ctx context.Context) error {
			for _, err := range client.Customers.All(ctx, nil, opts...) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		"review": func(ctx context.Context) error {
			_, err := client.Customers.Review.Get(ctx, redirectedID, opts...)
			return err
		},
		"decide": func(ctx context.Context) error {
			_, err := client.Customers.Review.Decide(ctx, redirectedID, straddle.CustomerStatusVerified, opts...)
			return err
		},
		"refresh": func(ctx context.Context) error {
			_, err := client.Customers.Review.Refresh(ctx, redirectedID, opts...)
			return err
		},
		"raw": func(ctx context.Context) error {
			return client.Do(ctx, http.MethodPost, "/v1/customers", map[string]any{"name": "Craig Middlebrooks", "type": "individual",
				"email": "craig@example.com", "phone": "+13175550142", "device": map[string]string{"ip_address": "203.0.113.42"},
				"compliance_profile": map[string]string{"ssn": "123-45-6789", "dob": "1975-01-18"}}, nil, opts...)
		},
		"edit": func(ctx context.Context) error {
			_, err := client.Customers.Edit(ctx, redirectedID, func(*straddle.UpdateCustomerParams) error { return nil }, opts...)
			return err
		},
	}
}

// TestRedirectsAreRefused: whatever the 3xx status, the target (another
// server, or the same one) and the operation, the client sends one request to
// the base URL, follows nothing, retries nothing, and returns a
// *RedirectError. The second server must see no request at all: no body with
// an SSN, no idempotency key, no API key. A caller's CheckRedirect that would
// follow everything changes nothing.
func TestRedirectsAreRefused(t *testing.T) {
	leakcheck.Check(t)
	const sentinel = "LOCATION_SENTINEL"
	elsewhere := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSONBody(w, http.StatusOK, responseFixture(t, "getCustomer.200.individual.json"))
	})
	var status atomic.Int64
	var target atomic.Value // base URL the redirects point to
	base := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", target.Load().(string)+"/v1/customers/"+movedID+"?note="+sentinel)
		w.WriteHeader(int(status.Load()))
	})

	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	client, err := straddle.NewClient(
		straddle.WithAPIKey(transportKey),
		straddle.WithBaseURL(base.URL),
		straddle.WithHTTPClient(&http.Client{
			Transport:     checked(t, tr, func(r *http.Response) bool { return r.StatusCode/100 == 3 }), // 3xx is not in the spec
			CheckRedirect: func(*http.Request, []*http.Request) error { return nil },
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	ops := everyOperation(client)
	for _, code := range []int{300, 301, 302, 303, 304, 305, 307, 308} {
		for targetName, to := range map[string]string{"another server": elsewhere.URL, "the same server": base.URL} {
			for name, call := range ops {
				t.Run(fmt.Sprintf("%d/%s/%s", code, targetName, name), func(t *testing.T) {
					status.Store(int64(code))
					target.Store(to)
					base.take()
					// A client that follows redirects in a loop must fail, not hang.
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					var resp straddle.Response
					var err error
					if name == "all" || name == "edit" {
						err = call(ctx)
					} else {
						err = everyOperation(client, straddle.WithResponseInto(&resp))[name](ctx)
						if resp.Attempts != 1 || resp.StatusCode != code {
							t.Errorf("Response: %d attempts, status %d; want 1 and %d", resp.Attempts, resp.StatusCode, code)
						}
					}
					var re *straddle.RedirectError
					if !errors.As(err, &re) || re.StatusCode != code || !strings.Contains(re.Location, sentinel) {
						t.Errorf("err = %v, want a *RedirectError for %d with the Location", err, code)
					}
					var apiErr *straddle.Error
					if errors.As(err, &apiErr) || straddle.IsNotFound(err) {
						t.Errorf("err = %v also reads as an API error", err)
					}
					if err != nil && strings.Contains(err.Error(), sentinel) {
						t.Errorf("Error() quotes the Location: %s", err)
					}
					if got := base.take(); len(got) != 1 {
						t.Errorf("the base URL got %d requests, want 1 (no retry, no redirect followed)", len(got))
					}
					if got := elsewhere.take(); len(got) != 0 {
						t.Errorf("the redirect target got %d requests, the first %s", len(got), got[0])
					}
				})
			}
		}
	}
}

// writeJSONBody answers with status and body as JSON.
func writeJSONBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
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

// hostsToLoopback returns a transport that connects every host name (such as
// straddle-mock) to the loopback address, as a docker-compose network would
// connect it to the mock's container.
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

// hostLog records the host of every request it sends.
type hostLog struct {
	base  http.RoundTripper
	mu    sync.Mutex
	hosts map[string]int
}

func (h *hostLog) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.hosts[req.URL.Host]++
	h.mu.Unlock()
	return h.base.RoundTrip(req)
}

// TestInsecurePlainHTTPReachesANamedHost: a service in docker-compose
// reaches straddle-mock at http://straddle-mock:PORT only when it opts in,
// and then every request (with the key) goes to that host alone.
func TestInsecurePlainHTTPReachesANamedHost(t *testing.T) {
	leakcheck.Check(t)
	srv := straddletest.NewServer(straddletest.WithT(t))
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	base := "http://straddle-mock:" + port

	_, err := straddle.NewClient(straddle.WithAPIKey(srv.APIKey()), straddle.WithBaseURL(base))
	if err == nil || !strings.Contains(err.Error(), "WithInsecurePlainHTTP") {
		t.Fatalf("without the opt-in: err = %v, want a refusal naming WithInsecurePlainHTTP", err)
	}

	tr := hostsToLoopback()
	defer tr.CloseIdleConnections()
	hosts := &hostLog{base: checked(t, tr, nil), hosts: map[string]int{}}
	client, err := straddle.NewClient(
		straddle.WithInsecurePlainHTTP(),
		straddle.WithAPIKey(srv.APIKey()),
		straddle.WithBaseURL(base),
		straddle.WithHTTPClient(&http.Client{Transport: hosts}),
	)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := client.Customers.Create(ctx, person("Donna Meagle", "donna@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := client.Customers.Get(ctx, c.ID); err != nil || got.Email != "donna@example.com" {
		t.Fatalf("get: %v, %v", got, err)
	}
	if want := map[string]int{"straddle-mock:" + port: 2}; !maps.Equal(hosts.hosts, want) {
		t.Errorf("requests went to %v, want %v", hosts.hosts, want)
	}
	if n := srv.RequestCount(""); n != 2 {
		t.Errorf("the mock got %d requests, want 2", n)
	}
}

// TestBaseURLEndingInV1IsRefused: the mistake of the issue, srv.URL+"/v1",
// is refused by NewClient instead of sending /v1/v1/customers and reading
// the 404 as a missing customer.
func TestBaseURLEndingInV1IsRefused(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	for _, u := range []string{srv.URL + "/v1", srv.URL + "/v1/", srv.URL + "/V1"} {
		c, err := straddle.NewClient(straddle.WithAPIKey(srv.APIKey()), straddle.WithBaseURL(u))
		if err == nil {
			_, err = c.Customers.Get(context.Background(), redirectedID)
			t.Errorf("%s: NewClient accepted it; Get: %v", u, err)
			continue
		}
		if !strings.Contains(err.Error(), "/v1") {
			t.Errorf("%s: error %q does not name the /v1", u, err)
		}
	}
	if n := srv.RequestCount(""); n != 0 {
		t.Errorf("%d requests sent", n)
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
