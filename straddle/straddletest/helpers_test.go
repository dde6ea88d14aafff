package straddletest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

var (
	validatorOnce sync.Once
	validator     *contract.Validator
	validatorErr  error
)

func sharedValidator(t testing.TB) *contract.Validator {
	t.Helper()
	validatorOnce.Do(func() { validator, validatorErr = contract.NewValidator() })
	if validatorErr != nil {
		t.Fatal(validatorErr)
	}
	return validator
}

// client sends plain HTTP requests to a server through contract.Transport, so
// both sides of every exchange are held to the spec. A strict client fails the
// test on a request that breaks the spec; a lenient one (for tests of refused
// requests) collects such violations instead, so a test can assert that the
// validator agrees the request is bad.
type client struct {
	t      *testing.T
	srv    *straddletest.Server
	hc     *http.Client
	base   *http.Transport
	key    string
	strict bool

	mu         sync.Mutex
	violations []string
}

func newClient(t *testing.T, srv *straddletest.Server, strict bool) *client {
	t.Helper()
	c := &client{t: t, srv: srv, key: srv.APIKey(), strict: strict}
	c.base = http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(c.base.CloseIdleConnections)
	c.hc = &http.Client{Transport: &contract.Transport{
		Validator: sharedValidator(t),
		Base:      c.base,
		Report:    c.report,
		SkipResponse: func(resp *http.Response) bool {
			return resp.Header.Get("Straddletest-Fault") != ""
		},
	}}
	return c
}

func (c *client) report(err error) {
	if !c.strict && strings.HasPrefix(err.Error(), "request ") {
		c.mu.Lock()
		c.violations = append(c.violations, err.Error())
		c.mu.Unlock()
		return
	}
	c.t.Errorf("contract: %v", err)
}

// takeViolations returns and forgets the request violations collected.
func (c *client) takeViolations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	v := c.violations
	c.violations = nil
	return v
}

// newEnv starts a server tied to t and a strict client for it.
func newEnv(t *testing.T, opts ...straddletest.Option) (*straddletest.Server, *client) {
	t.Helper()
	srv := straddletest.NewServer(append([]straddletest.Option{straddletest.WithT(t)}, opts...)...)
	return srv, newClient(t, srv, true)
}

// result is a response, read whole.
type result struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request. body may be nil, a string or []byte (sent as is), or
// anything else (sent as JSON). headers are name, value pairs; a header with an
// empty value is removed (Authorization and Content-Type are set by default).
func (c *client) do(method, path string, body any, headers ...string) *result {
	c.t.Helper()
	res, err := c.send(method, path, body, headers...)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return res
}

func (c *client) send(method, path string, body any, headers ...string) (*result, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	res := &result{status: resp.StatusCode, header: resp.Header, body: raw}
	return res, err
}

// envelope is a response body, success or error.
type envelope struct {
	Meta         map[string]any  `json:"meta"`
	ResponseType string          `json:"response_type"`
	Data         json.RawMessage `json:"data"`
	Error        *apiError       `json:"error"`
}

type apiError struct {
	Status int       `json:"status"`
	Type   string    `json:"type"`
	Title  string    `json:"title"`
	Detail *string   `json:"detail"`
	Items  []errItem `json:"items"`
}

type errItem struct {
	Reference *string `json:"reference"`
	Detail    string  `json:"detail"`
}

type customer struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Status            string            `json:"status"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	ExternalID        *string           `json:"external_id"`
	Address           map[string]any    `json:"address"`
	ComplianceProfile map[string]any    `json:"compliance_profile"`
	Device            map[string]string `json:"device"`
	Metadata          map[string]string `json:"metadata"`
	Config            map[string]string `json:"config"`
}

func (r *result) envelope(t *testing.T) envelope {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(r.body, &env); err != nil {
		t.Fatalf("status %d: body is not an envelope: %v: %s", r.status, err, r.body)
	}
	return env
}

// want fails the test unless the status is as expected.
func (r *result) want(t *testing.T, status int) *result {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func (r *result) customer(t *testing.T) customer {
	t.Helper()
	var c customer
	if err := json.Unmarshal(r.envelope(t).Data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (r *result) apiError(t *testing.T) *apiError {
	t.Helper()
	env := r.envelope(t)
	if env.ResponseType != "error" || env.Error == nil || env.Data != nil {
		t.Fatalf("not an error envelope: %s", r.body)
	}
	if env.Error.Status != r.status {
		t.Errorf("error.status %d, HTTP status %d", env.Error.Status, r.status)
	}
	return env.Error
}

// references lists the item references of an error.
func (e *apiError) references() []string {
	var refs []string
	for _, it := range e.Items {
		if it.Reference != nil {
			refs = append(refs, *it.Reference)
		}
	}
	return refs
}

func fixture(t testing.TB, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "requests", name))
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// with returns a copy of body with the given top-level fields set (nil deletes).
func with(body map[string]any, kv ...any) map[string]any {
	out := maps.Clone(body)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
		} else {
			out[kv[i].(string)] = kv[i+1]
		}
	}
	return out
}

func individual(t testing.TB, email string) map[string]any {
	return with(fixture(t, "createCustomer.individual.json"), "email", email)
}

func business(t testing.TB, email string) map[string]any {
	return with(fixture(t, "createCustomer.business.json"), "email", email)
}

func minimal(t testing.TB, email string) map[string]any {
	return with(fixture(t, "createCustomer.minimal.json"), "email", email)
}

// create creates a customer and returns it.
func (c *client) create(body map[string]any, headers ...string) customer {
	c.t.Helper()
	return c.do("POST", "/v1/customers", body, headers...).want(c.t, http.StatusCreated).customer(c.t)
}

// testClock is a settable clock for WithClock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *testClock {
	return &testClock{now: time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var (
	uuidV7    = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	anyUUID   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	sevenFrac = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$`)
)

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

// listIDs lists the ids on one page of a list with the given query.
func listIDs(t *testing.T, c *client, query string, headers ...string) []string {
	t.Helper()
	env := c.do("GET", "/v1/customers"+query, nil, headers...).want(t, http.StatusOK).envelope(t)
	var items []customer
	if err := json.Unmarshal(env.Data, &items); err != nil {
		t.Fatal(err)
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}
