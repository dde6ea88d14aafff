package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
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
		{"INFO", 200, "019f4209-44e3-738d-9279-8f6a0d5bb492"},
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

func slogJSON(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
