package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// records decodes the JSON log lines.
func (b *syncBuffer) records(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestLogOneRecordPerAttempt(t *testing.T) {
	var buf syncBuffer
	logger := slogJSON(&buf)
	h := newHarness(t, sequence(statusOnly(t, 503), serve(t, 200, "getCustomer.200.individual.json")), WithLogger(logger))
	if _, err := h.client.Customers.Get(context.Background(), knopeID); err != nil {
		t.Fatal(err)
	}
	recs := buf.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2:\n%s", len(recs), buf.String())
	}
	for i, want := range []struct {
		level     string
		status    float64
		requestID string
	}{
		{"WARN", 503, "019f42e3-2034-7699-832f-5438d352df58"},
		{"DEBUG", 200, "019f4209-44e3-738d-9279-8f6a0d5bb492"},
	} {
		r := recs[i]
		if r["level"] != want.level || r["method"] != "GET" || r["path"] != "/v1/customers/{id}" ||
			r["status"] != want.status || r["request_id"] != want.requestID || r["attempt"] != float64(i+1) {
			t.Errorf("record %d: %v", i, r)
		}
		if d, ok := r["duration"].(float64); !ok || d <= 0 {
			t.Errorf("record %d: duration %v", i, r["duration"])
		}
	}
}

func TestLogTransportError(t *testing.T) {
	var buf syncBuffer
	h := newHarness(t, serve(t, 200, "listCustomers.200.empty.json"), WithLogger(slogJSON(&buf)), WithMaxRetries(1))
	h.srv.Close()
	_, _ = h.client.Customers.List(context.Background(), &ListParams{Email: "private.person@example.com"})
	recs := buf.records(t)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if recs[0]["status"] != float64(0) || recs[0]["error"] == nil || recs[0]["level"] != "WARN" {
		t.Errorf("record %v", recs[0])
	}
	if recs[1]["error"] == nil || recs[1]["level"] != "ERROR" {
		t.Errorf("the last attempt: %v, want an ERROR record", recs[1])
	}
	if strings.Contains(buf.String(), "private.person") {
		t.Errorf("the log shows the query: %s", buf.String())
	}
}

func TestLogNeverShowsSecrets(t *testing.T) {
	var buf syncBuffer
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			writeJSON(w, 201, respFixture(t, "createCustomer.201.individual.json"))
		case strings.HasSuffix(r.URL.Path, "/unmasked"):
			writeJSON(w, 200, respFixture(t, "getUnmaskedCustomer.200.individual.json"))
		case r.Method == http.MethodPut:
			writeJSON(w, 422, respFixture(t, "createCustomer.422.duplicate-email.json"))
		default:
			writeJSON(w, 200, respFixture(t, "listCustomers.200.seed004.json"))
		}
	}, WithLogger(slogJSON(&buf)))
	ctx := context.Background()
	if _, err := h.client.Customers.Create(ctx, testCreateParams(), WithIdempotencyKey("idem-SENTINEL-key")); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.Customers.Unmasked(ctx, knopeID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.Customers.Update(ctx, knopeID, testUpdateParams()); err == nil {
		t.Fatal("no error from the 422")
	}
	if _, err := h.client.Customers.List(ctx, &ListParams{Email: "leslie.knope@example.com", SearchText: "Knope"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if len(buf.records(t)) != 4 {
		t.Fatalf("want 4 records:\n%s", out)
	}
	for _, secret := range []string{testAPIKey, "Bearer", "Authorization", "123-45-6789", "1975-01-18", "203.0.113.42",
		"leslie.knope", "Knope", "email=", "?", "SENTINEL", "already exists"} {
		if strings.Contains(out, secret) {
			t.Errorf("the log contains %q:\n%s", secret, out)
		}
	}
}

func TestNoLoggerNoOutput(t *testing.T) {
	var buf syncBuffer
	prev := slog.Default()
	slog.SetDefault(slogJSON(&buf))
	defer slog.SetDefault(prev)
	h := newHarness(t, sequence(statusOnly(t, 503), serve(t, 200, "getCustomer.200.individual.json")))
	if _, err := h.client.Customers.Get(context.Background(), knopeID); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); out != "" {
		t.Errorf("a client without WithLogger logged: %s", out)
	}
}

func slogJSON(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// TestLogLevels holds each outcome of an attempt to the level WithLogger
// promises: success at Debug, a retried attempt at Warn, a refused request at
// Warn, the last attempt of a failed call at Error (a success whose body
// does not decode among them), a cancelled call at Info. On main every 4xx
// and every success logged at Info, and then a success that did not decode
// at Debug.
func TestLogLevels(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	tests := []struct {
		name    string
		handler http.HandlerFunc
		opts    []Option
		ctx     func() (context.Context, context.CancelFunc)
		closed  bool
		levels  []string
	}{
		{name: "success", handler: serve(t, 200, "getCustomer.200.individual.json"), levels: []string{"DEBUG"}},
		{name: "success that does not decode", handler: func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, []byte(`{"meta":{"api_request_id":"`+knopeID+`"},"response_type":"object","data":7}`))
		}, levels: []string{"ERROR"}},
		{name: "write whose success does not decode", handler: func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 201, []byte(`{"meta":{},"data":{"id":`))
		}, levels: []string{"ERROR"}},
		{name: "retried then success", handler: sequence(statusOnly(t, 503), serve(t, 200, "getCustomer.200.individual.json")),
			levels: []string{"WARN", "DEBUG"}},
		{name: "5xx until the retries run out", handler: statusOnly(t, 503), opts: []Option{WithMaxRetries(2)},
			levels: []string{"WARN", "WARN", "ERROR"}},
		{name: "429 until the retries run out", handler: serve(t, 429, "listCustomers.429.rate-limited.json"), opts: []Option{WithMaxRetries(1)},
			levels: []string{"WARN", "ERROR"}},
		{name: "in progress until the retries run out", handler: serve(t, 409, "createCustomer.409.in-progress.json"), opts: []Option{WithMaxRetries(1)},
			levels: []string{"WARN", "ERROR"}},
		{name: "not found", handler: serve(t, 404, "getCustomer.404.not-found.json"), levels: []string{"WARN"}},
		{name: "refused by a rule", handler: serve(t, 422, "decideCustomerReview.422.not-in-review.json"), levels: []string{"WARN"}},
		{name: "unauthorized", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(401) }, levels: []string{"WARN"}},
		{name: "connection refused", closed: true, opts: []Option{WithMaxRetries(1)}, levels: []string{"WARN", "ERROR"}},
		{name: "retry-after past the deadline", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "30")
			writeJSON(w, 503, respFixture(t, "getCustomer.500.server-error.json"))
		}, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 5*time.Second)
		},
			levels: []string{"ERROR"}},
		{name: "caller cancelled", handler: hang, ctx: func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(20*time.Millisecond, cancel)
			return ctx, cancel
		}, levels: []string{"INFO"}},
		{name: "caller deadline", handler: hang, ctx: func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 20*time.Millisecond)
		}, levels: []string{"WARN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf syncBuffer
			handler := tt.handler
			if handler == nil {
				handler = serve(t, 200, "getCustomer.200.individual.json")
			}
			h := newHarness(t, handler, append([]Option{WithLogger(slogJSON(&buf))}, tt.opts...)...)
			h.skip = func(*http.Response) bool { return true }
			if tt.closed {
				h.srv.Close()
			}
			ctx, cancel := context.Background(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx()
			}
			defer cancel()
			var err error
			if strings.Contains(tt.name, "in progress") || strings.HasPrefix(tt.name, "write") {
				_, err = h.client.Customers.Create(ctx, testCreateParams())
			} else {
				_, err = h.client.Customers.Get(ctx, knopeID)
			}
			var got []string
			for _, r := range buf.records(t) {
				got = append(got, r["level"].(string))
			}
			if !slices.Equal(got, tt.levels) {
				t.Errorf("levels %v, want %v (err %v)", got, tt.levels, err)
			}
		})
	}
}

// TestLogLeavesOutUnsafeRequestIDs: the request id in a log record comes
// from the response body; one not shaped like a UUID (an echoed SSN, a forged
// log line) is left out.
func TestLogLeavesOutUnsafeRequestIDs(t *testing.T) {
	var buf syncBuffer
	body := errorEnvelope(404, "/not_found", "Not Found", "987-65-4320\nlevel=ERROR msg=forged", nil)
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 404, body) }, WithLogger(slogJSON(&buf)))
	h.skip = func(*http.Response) bool { return true }
	_, _ = h.client.Customers.Get(context.Background(), knopeID)
	recs := buf.records(t)
	if len(recs) != 1 || recs[0]["request_id"] != "" {
		t.Errorf("records %v, want one with an empty request id", recs)
	}
	if out := buf.String(); strings.Contains(out, "987-65-4320") || strings.Contains(out, "forged") {
		t.Errorf("the log shows the body's request id: %s", out)
	}
}

// TestLogDecodeFailureSaysWhy: the record of a success whose body did not
// decode carries the *DecodeError's text, which quotes nothing of the body.
func TestLogDecodeFailureSaysWhy(t *testing.T) {
	var buf syncBuffer
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, []byte(`{"meta":{"api_request_id":"`+knopeID+`"},"data":{"id":"x","name":"987-65-4320"}, 987654320}`))
	}, WithLogger(slogJSON(&buf)))
	h.skip = func(*http.Response) bool { return true }
	_, err := h.client.Customers.Get(context.Background(), knopeID)
	recs := buf.records(t)
	if !errors.As(err, new(*DecodeError)) || len(recs) != 1 {
		t.Fatalf("err %v, %d records; want a *DecodeError and one record", err, len(recs))
	}
	if r := recs[0]; r["level"] != "ERROR" || r["status"] != float64(200) || r["error"] != err.Error() {
		t.Errorf("record %v, want ERROR with the error %q", r, err)
	}
	if strings.Contains(buf.String(), "987") {
		t.Errorf("the log quotes the body: %s", buf.String())
	}
}
