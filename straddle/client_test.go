package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// testAPIKey is a sentinel: no output of the client may ever contain it.
const testAPIKey = "sk_test_SENTINEL_b7f3e2a9c4d1"

// Ids used across the tests.
const (
	knopeID       = "019f3b3d-5816-77fb-8a9c-ad05f1654b00"
	testAccountID = "019f0000-1111-7222-8333-444455556666"
)

// recorded is one request as the test server saw it.
type recorded struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	Remote   string // the client's address: one per connection
}

// harness is a test server with a client pointed at it. Every exchange goes
// through contract.Transport, so a request or response that breaks the spec
// fails the test. Waits between retries are recorded instead of slept.
type harness struct {
	t      *testing.T
	srv    *httptest.Server
	client *Client

	mu       sync.Mutex
	requests []recorded
	waits    []time.Duration

	// skip marks responses the contract must not check: deliberately broken
	// ones (HTML, garbage, truncated) and statuses the spec does not declare.
	skip func(*http.Response) bool
}

// newHarness starts a server running handler and a client for it.
func newHarness(t *testing.T, handler http.HandlerFunc, opts ...Option) *harness {
	t.Helper()
	h := &harness{t: t}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.requests = append(h.requests, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body, r.RemoteAddr})
		h.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		handler(w, r)
	}))
	t.Cleanup(h.srv.Close)
	h.client = newContractClient(t, h.srv, func(r *http.Response) bool { return h.skip != nil && h.skip(r) }, opts...)
	h.client.doer.sleep = func(ctx context.Context, d time.Duration) error {
		h.mu.Lock()
		h.waits = append(h.waits, d)
		h.mu.Unlock()
		return ctx.Err()
	}
	h.client.doer.jitter = func(ceiling time.Duration) time.Duration { return ceiling }
	return h
}

// newContractClient returns a client for srv whose traffic is checked
// against the spec.
func newContractClient(t *testing.T, srv *httptest.Server, skip func(*http.Response) bool, opts ...Option) *Client {
	t.Helper()
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	ct := &contract.Transport{
		Validator:    v,
		Base:         srv.Client().Transport,
		Report:       func(err error) { t.Error(err) },
		SkipResponse: skip,
	}
	all := append([]Option{
		WithAPIKey(testAPIKey),
		WithBaseURL(srv.URL),
		WithHTTPClient(&http.Client{Transport: ct}),
	}, opts...)
	c, err := NewClient(all...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// reqs returns a copy of the requests seen so far.
func (h *harness) reqs() []recorded {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]recorded(nil), h.requests...)
}

// sleeps returns a copy of the waits recorded so far.
func (h *harness) sleeps() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.waits...)
}

// only returns the single request seen, failing the test otherwise.
func (h *harness) only() recorded {
	h.t.Helper()
	rs := h.reqs()
	if len(rs) != 1 {
		h.t.Fatalf("got %d requests, want 1", len(rs))
	}
	return rs[0]
}

// respFixture reads testdata/responses/<name>.
func respFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "responses", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeJSON answers with status and body as JSON.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// serve answers every request with the named fixture.
func serve(t *testing.T, status int, name string) http.HandlerFunc {
	body := respFixture(t, name)
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) }
}

// sequence answers the n-th request with the n-th handler, and repeats the
// last one after that.
func sequence(handlers ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := min(n, len(handlers)-1)
		n++
		mu.Unlock()
		handlers[i](w, r)
	}
}

func TestNewClientOptionErrors(t *testing.T) {
	t.Setenv("STRADDLE_API_KEY", "")
	key := WithAPIKey(testAPIKey)
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"no key", nil, "API key is required"},
		{"empty key", []Option{WithAPIKey("")}, "API key is empty"},
		{"empty env", []Option{WithAPIKeyFromEnv()}, "STRADDLE_API_KEY"},
		{"key with newline", []Option{WithAPIKey(testAPIKey + "\n")}, "characters a header cannot carry"},
		{"plain http to a remote host", []Option{key, WithBaseURL("http://api.example.com")}, "loopback"},
		{"ftp", []Option{key, WithBaseURL("ftp://example.com")}, "not https"},
		{"relative", []Option{key, WithBaseURL("/v1")}, "absolute"},
		{"empty", []Option{key, WithBaseURL("")}, "absolute"},
		{"plain http to a remote host after the others", []Option{key, WithBaseURL("http://straddle-mock:4010")}, "WithInsecurePlainHTTP"},
		{"path ending in /v1", []Option{key, WithBaseURL("http://127.0.0.1:4010/v1")}, "ends in /v1"},
		{"path ending in /v1/", []Option{key, WithBaseURL("https://sandbox.straddle.com/v1/")}, "ends in /v1"},
		{"path ending in /V1", []Option{key, WithBaseURL("https://proxy.example.com/straddle/V1")}, "ends in /v1"},
		{"path with an empty segment", []Option{key, WithBaseURL("https://proxy.example.com//straddle")}, "segments"},
		{"path with a dot segment", []Option{key, WithBaseURL("https://proxy.example.com/straddle/../v1")}, "segments"},
		{"query", []Option{key, WithBaseURL("https://example.com/?a=b")}, "query"},
		{"empty query", []Option{key, WithBaseURL("https://example.com/?")}, "query"},
		{"credentials", []Option{key, WithBaseURL("https://u:p@example.com")}, "credentials"},
		{"not a URL", []Option{key, WithBaseURL("https://exa mple.com/%zz")}, "not a URL"},
		{"unknown environment", []Option{key, WithEnvironment("staging")}, "unknown environment"},
		{"nil http client", []Option{key, WithHTTPClient(nil)}, "nil"},
		{"negative retries", []Option{key, WithMaxRetries(-1)}, "negative"},
		{"negative timeout", []Option{key, WithAttemptTimeout(-time.Second)}, "negative"},
		{"app without name", []Option{key, WithAppInfo(AppInfo{Version: "1"})}, "Name is required"},
		{"app with control characters", []Option{key, WithAppInfo(AppInfo{Name: "a\r\nX-Evil: 1"})}, "printable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.opts...)
			if err == nil {
				t.Fatalf("NewClient succeeded: %v", c)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "SENTINEL") {
				t.Errorf("error %q contains the API key", err)
			}
		})
	}
}

func TestNewClientBaseURL(t *testing.T) {
	tests := []struct {
		opts []Option
		want string
	}{
		{nil, "https://sandbox.straddle.com"},
		{[]Option{WithEnvironment(Sandbox)}, "https://sandbox.straddle.com"},
		{[]Option{WithEnvironment(Production)}, "https://production.straddle.com"},
		{[]Option{WithEnvironment(Production), WithBaseURL("https://proxy.example.com/straddle/")}, "https://proxy.example.com/straddle"},
		{[]Option{WithBaseURL("http://127.0.0.1:8080")}, "http://127.0.0.1:8080"},
		{[]Option{WithBaseURL("http://localhost:8080")}, "http://localhost:8080"},
		{[]Option{WithBaseURL("http://[::1]:8080")}, "http://[::1]:8080"},
		{[]Option{WithBaseURL("https://proxy.example.com/v1-gateway/")}, "https://proxy.example.com/v1-gateway"},
		{[]Option{WithBaseURL("http://straddle-mock:4010"), WithInsecurePlainHTTP()}, "http://straddle-mock:4010"},
		{[]Option{WithInsecurePlainHTTP(), WithBaseURL("http://10.0.0.7:4010/mock")}, "http://10.0.0.7:4010/mock"},
	}
	for _, tt := range tests {
		c, err := NewClient(append([]Option{WithAPIKey(testAPIKey)}, tt.opts...)...)
		if err != nil {
			t.Fatalf("NewClient: %v", err)
		}
		if c.baseURL != tt.want {
			t.Errorf("base URL %q, want %q", c.baseURL, tt.want)
		}
		if c.gen.Server != tt.want+"/" {
			t.Errorf("gen server %q, want %q", c.gen.Server, tt.want+"/")
		}
	}
}

func TestNewClientDefaults(t *testing.T) {
	c, err := NewClient(WithAPIKey(testAPIKey), nil)
	if err != nil {
		t.Fatal(err)
	}
	if *c.defaults.retries != 2 || *c.defaults.attemptTimeout != 60*time.Second {
		t.Errorf("defaults: %d retries, %s timeout; want 2 and 60s", *c.defaults.retries, *c.defaults.attemptTimeout)
	}
	if rt, ok := c.doer.transport.(refuseRedirects); !ok || rt.base != defaultTransport {
		t.Error("a client without WithHTTPClient does not use the shared transport")
	}
	c2, err := NewClient(WithAPIKey(testAPIKey), WithMaxRetries(0), WithAttemptTimeout(0))
	if err != nil {
		t.Fatal(err)
	}
	if *c2.defaults.retries != 0 || *c2.defaults.attemptTimeout != 0 {
		t.Errorf("got %d retries, %s timeout; want 0 and 0", *c2.defaults.retries, *c2.defaults.attemptTimeout)
	}
}

func TestWithAPIKeyFromEnv(t *testing.T) {
	t.Setenv("STRADDLE_API_KEY", testAPIKey)
	var auth string
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		auth = r.Header.Get("Authorization")
		writeJSON(w, 200, respFixture(t, "getCustomer.200.individual.json"))
	}, WithAPIKeyFromEnv())
	if _, err := h.client.Customers.Get(context.Background(), knopeID); err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer "+testAPIKey {
		t.Errorf("Authorization %q", auth)
	}
}

func TestWithHTTPClientIsNotModified(t *testing.T) {
	hc := &http.Client{Timeout: time.Minute}
	c, err := NewClient(WithAPIKey(testAPIKey), WithHTTPClient(hc))
	if err != nil {
		t.Fatal(err)
	}
	if hc.CheckRedirect != nil {
		t.Error("the caller's http.Client was modified")
	}
	if c.doer.hcTimeout != time.Minute {
		t.Errorf("the client bounds attempts by %s, not the caller's http.Client.Timeout", c.doer.hcTimeout)
	}
}

func TestClientNeverPrintsAPIKey(t *testing.T) {
	c, err := NewClient(WithAPIKey(testAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T"} {
		out = append(out, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c), fmt.Sprintf(verb, c.doer), fmt.Sprintf(verb, c.doer.auth))
	}
	var buf bytes.Buffer
	for _, hnd := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		slog.New(hnd).Info("client", "client", c, "doer", c.doer, "customers", c.Customers, "key", c.doer.auth)
	}
	out = append(out, buf.String())
	for _, v := range []any{c, c.doer.auth, *c.doer.auth} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	out = append(out, c.doer.auth.String(), fmt.Sprint(c.doer.auth.LogValue()))
	for _, s := range out {
		if strings.Contains(s, "SENTINEL") || strings.Contains(s, fmt.Sprintf("%x", testAPIKey)) {
			t.Fatalf("output reveals the API key: %s", s)
		}
	}
	if got := c.String(); !strings.Contains(got, "sandbox.straddle.com") || !strings.Contains(got, redacted) {
		t.Errorf("String() = %q, want the base URL and a redacted key", got)
	}
	// A Client printed by value prints as String too: fmt never walks into
	// the transport, which other goroutines' calls change as it reads.
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d"} {
		if got := fmt.Sprintf(verb, *c); got != c.String() {
			t.Errorf("Sprintf(%q, *c) = %.80q, want String()", verb, got)
		}
	}
}

func TestUserAgent(t *testing.T) {
	var ua string
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		writeJSON(w, 200, respFixture(t, "getCustomer.200.individual.json"))
	}, WithAppInfo(AppInfo{Name: "payroll", Version: "2.1.0", URL: "https://payroll.example.com"}))
	if _, err := h.client.Customers.Get(context.Background(), knopeID); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ua, "straddle-go/"+sdkVersion+" (go") || !strings.HasSuffix(ua, " payroll/2.1.0 (+https://payroll.example.com)") {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestConnectionReuse(t *testing.T) {
	h := newHarness(t, sequence(
		serve(t, 200, "getCustomer.200.individual.json"),
		serve(t, 404, "getCustomer.404.not-found.json"),
		serve(t, 500, "getCustomer.500.server-error.json"),
		serve(t, 200, "getCustomer.200.individual.json"),
	), WithMaxRetries(0))
	ctx := context.Background()
	for range 4 {
		_, _ = h.client.Customers.Get(ctx, knopeID)
	}
	conns := map[string]bool{}
	for _, r := range h.reqs() {
		conns[r.Remote] = true
	}
	if len(h.reqs()) != 4 || len(conns) != 1 {
		t.Errorf("4 sequential calls (success and error bodies) used %d connections for %d requests, want 1", len(conns), len(h.reqs()))
	}
}

// The doer sends through hc's transport, not hc.Do, so it applies
// hc.Timeout itself: an attempt slower than it fails as a timeout.
func TestHTTPClientTimeoutBoundsEachAttempt(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	hc := &http.Client{Transport: srv.Client().Transport, Timeout: 50 * time.Millisecond}
	c, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL(srv.URL), WithHTTPClient(hc), WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Customers.Get(context.Background(), knopeID)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the attempt to run out of time", err)
	}
}

func TestAttemptTimeoutIsTheShorterBound(t *testing.T) {
	for _, tt := range []struct{ call, hc, want time.Duration }{
		{0, 0, 0}, {time.Second, 0, time.Second}, {0, time.Second, time.Second},
		{time.Second, time.Minute, time.Second}, {time.Minute, time.Second, time.Second},
	} {
		if got := attemptTimeout(tt.call, tt.hc); got != tt.want {
			t.Errorf("attemptTimeout(%s, %s) = %s, want %s", tt.call, tt.hc, got, tt.want)
		}
	}
}
