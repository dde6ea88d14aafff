package straddletest

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// recordingTB collects what the server reports to its test.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, strings.TrimSpace(strings.ReplaceAll(format, "%s", "")+" "+sprint(args)))
}

func (r *recordingTB) reports() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.errors...)
}

func sprint(args []any) string {
	var b strings.Builder
	for _, a := range args {
		if err, ok := a.(error); ok {
			b.WriteString(err.Error())
		} else if s, ok := a.(string); ok {
			b.WriteString(s)
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// send makes a request through contract.Transport and returns the response
// and the spec violations the client side saw.
func send(t *testing.T, s *Server, method, path, body string, headers ...string) (int, http.Header, []byte, []string) {
	t.Helper()
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var violations []string
	hc := &http.Client{Transport: &contract.Transport{Validator: v, Report: func(err error) {
		mu.Lock()
		defer mu.Unlock()
		violations = append(violations, err.Error())
	}}}
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.APIKey())
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	mu.Lock()
	defer mu.Unlock()
	return resp.StatusCode, resp.Header, raw, violations
}

const minimalBody = `{"name":"Ann Perkins","type":"individual","email":"ann@example.com","phone":"+13175550177","device":{"ip_address":"0.0.0.0"}}`

func TestPanicsAnswer500AndAreReported(t *testing.T) {
	tb := &recordingTB{TB: t}
	s := NewServer(WithT(tb))
	defer s.Close()
	create := s.ops[OpCreateCustomer]
	s.ops[OpCreateCustomer] = func(*call) *response { panic("boom") }

	status, _, body, violations := send(t, s, "POST", "/v1/customers", minimalBody, "Idempotency-Key", "panic-key-0001")
	if len(violations) > 0 {
		t.Errorf("the 500 breaks the spec: %v", violations)
	}
	var env struct {
		ResponseType string `json:"response_type"`
		Error        struct {
			Status int    `json:"status"`
			Type   string `json:"type"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || status != 500 || env.Error.Status != 500 ||
		env.Error.Type != "/internal_server_error" || env.ResponseType != "error" {
		t.Errorf("status %d body %s", status, body)
	}
	reports := tb.reports()
	if len(reports) != 1 || !strings.Contains(reports[0], "panic serving POST /v1/customers") || !strings.Contains(reports[0], "boom") {
		t.Errorf("reports %q", reports)
	}
	// The panic released the idempotency key: a retry runs.
	s.ops[OpCreateCustomer] = create
	if status, _, body, violations := send(t, s, "POST", "/v1/customers", minimalBody, "Idempotency-Key", "panic-key-0001"); status != 201 || len(violations) > 0 {
		t.Errorf("retry after the panic: %d %s %v", status, body, violations)
	}
}

func TestResponsesThatBreakTheSpecAreReported(t *testing.T) {
	broken := func(*call) *response {
		return jsonResponse(http.StatusOK, map[string]any{"data": map[string]any{"id": "not-a-uuid"}})
	}
	tb := &recordingTB{TB: t}
	s := NewServer(WithT(tb))
	defer s.Close()
	s.ops[OpListCustomers] = broken
	status, _, _, violations := send(t, s, "GET", "/v1/customers", "")
	if status != 200 {
		t.Errorf("status %d: the broken response should still be sent", status)
	}
	if len(violations) != 1 || !strings.HasPrefix(violations[0], "response 200") {
		t.Errorf("client-side violations %q, want the broken response", violations)
	}
	if r := tb.reports(); len(r) != 1 || !strings.Contains(r[0], "response 200 to listCustomers breaks the spec") {
		t.Errorf("reports %q", r)
	}

	var logs bytes.Buffer
	logged := NewServer(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	defer logged.Close()
	logged.ops[OpListCustomers] = broken
	send(t, logged, "GET", "/v1/customers", "")
	if out := logs.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "breaks the spec") {
		t.Errorf("log %q", out)
	}

	quiet := NewServer(WithT(tb), WithValidation(false))
	defer quiet.Close()
	quiet.ops[OpListCustomers] = broken
	send(t, quiet, "GET", "/v1/customers", "")
	if r := tb.reports(); len(r) != 1 {
		t.Errorf("with validation off a response was still checked: %q", r)
	}
}

func TestRequestsAreLoggedAtDebugWithoutBodies(t *testing.T) {
	var logs bytes.Buffer
	s := NewServer(WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	defer s.Close()
	s.Inject(Fault{Kind: FaultStatus, Status: 503, Match: OpListCustomers})
	send(t, s, "POST", "/v1/customers", minimalBody)
	send(t, s, "GET", "/v1/customers?search_text=secret", "")
	out := logs.String()
	for _, want := range []string{"operation=createCustomer status=201", "operation=listCustomers status=503", "fault=status"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q: %s", want, out)
		}
	}
	for _, secret := range []string{"ann@example.com", "secret", s.APIKey()} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q: %s", secret, out)
		}
	}
}

func TestHandlerServesWithoutAListener(t *testing.T) {
	s := NewUnstartedServer()
	defer s.Close()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("POST", "/v1/customers", strings.NewReader(minimalBody))
	req.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
	req.Header.Set("Content-Type", "application/json")
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != 201 || s.CustomerCount("") != 1 || s.ConnectionCount() != 0 {
		t.Errorf("status %d, %d customers, %d connections", rec.Code, s.CustomerCount(""), s.ConnectionCount())
	}
	// A fault that needs the connection aborts the handler where it cannot have it.
	s.Inject(Fault{Kind: FaultReset})
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
	}()
	req = httptest.NewRequest("GET", "/v1/customers", nil)
	req.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
	s.Handler().ServeHTTP(httptest.NewRecorder(), req)
}

func TestTooLargeBody(t *testing.T) {
	s := NewServer(WithT(t))
	defer s.Close()
	big := `{"name":"` + strings.Repeat("x", maxBody) + `"}`
	status, _, body, _ := send(t, s, "POST", "/v1/customers", big)
	if status != 400 || !strings.Contains(string(body), `"reference":"body"`) {
		t.Errorf("status %d body %.200s", status, body)
	}
}

func TestRecorderKeepsTheLatestRequests(t *testing.T) {
	rc := newRecorder(true)
	r := httptest.NewRequest("GET", "/v1/customers", nil)
	for i := range maxRecorded + 10 {
		rc.add(r, &call{op: OpListCustomers, body: []byte(strconv.Itoa(i))}, nil)
	}
	if len(rc.requests) != maxRecorded || rc.total != maxRecorded+10 || rc.counts[OpListCustomers] != maxRecorded+10 {
		t.Errorf("kept %d, total %d", len(rc.requests), rc.total)
	}
	if last := string(rc.requests[len(rc.requests)-1].Body); last != strconv.Itoa(maxRecorded+9) {
		t.Errorf("latest request body %s", last)
	}
}

// TestRecorderCapsBytes: the recorder drops the oldest requests to stay under
// its byte cap, keeps its size account exact, and always keeps the newest.
func TestRecorderCapsBytes(t *testing.T) {
	rc := newRecorder(true)
	rc.maxBytes = 10_000
	r := httptest.NewRequest("POST", "/v1/customers", nil)
	r.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
	for i := range 100 {
		rc.add(r, &call{op: OpCreateCustomer, body: bytes.Repeat([]byte{byte('a' + i%26)}, 1000)}, nil)
		sum := 0
		for i := range rc.requests {
			sum += recordSize(&rc.requests[i])
		}
		if sum != rc.bytes || rc.bytes > rc.maxBytes {
			t.Fatalf("after %d requests: %d bytes kept, accounted %d, cap %d", i+1, sum, rc.bytes, rc.maxBytes)
		}
	}
	if n := len(rc.requests); n < 5 || n >= 10 || rc.requests[n-1].Body[0] != 'a'+99%26 {
		t.Errorf("kept %d requests, want the latest few", n)
	}
	if rc.total != 100 {
		t.Errorf("counted %d, want 100", rc.total)
	}
	// A request larger than the cap on its own is still kept, alone.
	rc.add(r, &call{op: OpCreateCustomer, body: make([]byte, 20_000)}, nil)
	if len(rc.requests) != 1 || len(rc.requests[0].Body) != 20_000 {
		t.Errorf("kept %d requests after an oversized one", len(rc.requests))
	}
}

// TestOperationConstantsMatchTheSpec keeps the Op constants and the spec's
// operationIds the same set, so that neither can drift from the other.
func TestOperationConstantsMatchTheSpec(t *testing.T) {
	routes, err := operationRoutes()
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range operations {
		if _, ok := routes[op]; !ok {
			t.Errorf("constant %q is not an operationId of the spec", op)
		}
	}
	for op := range routes {
		if !slices.Contains(operations, op) {
			t.Errorf("the spec's operationId %q has no Op constant", op)
		}
	}
	if len(routes) != len(operations) {
		t.Errorf("%d operations in the spec, %d constants", len(routes), len(operations))
	}
}
