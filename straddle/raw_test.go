package straddle_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// lockedBuffer is a log sink safe for concurrent writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestDoRawCalls: the escape hatch against the emulator, every exchange
// held to the spec by contract.Transport and the emulator's own check. A raw
// create gets an idempotency key, reused on its retry; raw reads get none;
// the data decodes into the caller's own types; a query reaches the server;
// API errors are *Error; the log names the path with {id} and no query.
func TestDoRawCalls(t *testing.T) {
	leakcheck.Check(t)
	srv := straddletest.NewServer(straddletest.WithT(t))
	var logs lockedBuffer
	client := emulatorClient(t, srv, http.DefaultTransport.(*http.Transport).Clone(),
		straddle.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	(&waitLog{shorten: func(d time.Duration) time.Duration { return 0 }}).install(client)
	ctx := context.Background()

	// A field the package does not model is still there in the caller's type.
	type rawCustomer struct {
		ID     string          `json:"id"`
		Email  string          `json:"email"`
		Status string          `json:"status"`
		Config json.RawMessage `json:"config"`
	}
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 500, Match: straddletest.OpCreateCustomer})
	var created rawCustomer
	var resp straddle.Response
	err := client.Do(ctx, http.MethodPost, "/v1/customers", map[string]any{
		"name": "Jean-Ralphio Saperstein", "type": "individual", "email": "jr@example.com", "phone": "+13175550188",
		"device": map[string]string{"ip_address": "203.0.113.9"},
		"config": map[string]string{"sandbox_outcome": "review"},
	}, &created, straddle.WithResponseInto(&resp))
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Email != "jr@example.com" || created.Status != "review" || !bytes.Contains(created.Config, []byte(`"sandbox_outcome":"review"`)) {
		t.Errorf("created %+v", created)
	}
	reqs := srv.Requests()
	if resp.Attempts != 2 || len(reqs) != 2 || reqs[0].IdempotencyKey() == "" || reqs[0].IdempotencyKey() != reqs[1].IdempotencyKey() ||
		resp.IdempotencyKey != reqs[0].IdempotencyKey() || resp.StatusCode != http.StatusCreated {
		t.Errorf("the raw create: %d attempts, keys %q %q (reported %q), status %d; want 2 attempts with one key",
			resp.Attempts, reqs[0].IdempotencyKey(), reqs[len(reqs)-1].IdempotencyKey(), resp.IdempotencyKey, resp.StatusCode)
	}

	// A read, into the package's own model and as raw JSON.
	var got straddle.Customer
	if err := client.Do(ctx, http.MethodGet, "/v1/customers/"+created.ID, nil, &got); err != nil || got.ID != created.ID || got.Status != straddle.CustomerStatusReview {
		t.Errorf("raw get: %+v, %v", got, err)
	}
	var raw json.RawMessage
	if err := client.Do(ctx, http.MethodGet, "/v1/customers/"+created.ID+"/review", nil, &raw); err != nil || !bytes.Contains(raw, []byte(`"customer_details"`)) {
		t.Errorf("raw review: %s, %v", raw, err)
	}
	// A query parameter, and a write with a body of raw JSON.
	var page []rawCustomer
	if err := client.Do(ctx, http.MethodGet, "/v1/customers?page_size=1&status=review&email=jr%40example.com", nil, &page); err != nil || len(page) != 1 || page[0].ID != created.ID {
		t.Errorf("raw list: %+v, %v", page, err)
	}
	if err := client.Do(ctx, http.MethodPatch, "/v1/customers/"+created.ID+"/review", json.RawMessage(`{"status":"verified"}`), nil); err != nil {
		t.Errorf("raw decision: %v", err)
	}
	for _, r := range srv.Requests()[2:] {
		if (r.IdempotencyKey() != "") != (r.Method != http.MethodGet) {
			t.Errorf("%s %s: idempotency key %q", r.Method, r.Path, r.IdempotencyKey())
		}
	}
	if q := srv.Requests()[4].RawQuery; q != "page_size=1&status=review&email=jr%40example.com" {
		t.Errorf("the query reached the server as %q", q)
	}

	// Errors are the package's.
	err = client.Do(ctx, http.MethodGet, "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654bff", nil, nil)
	if !straddle.IsNotFound(err) {
		t.Errorf("raw get of a missing customer: %v, want IsNotFound", err)
	}
	err = client.Do(ctx, http.MethodPatch, "/v1/customers/"+created.ID+"/review", json.RawMessage(`{"status":"rejected"}`), nil)
	var apiErr *straddle.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a second decision: %v, want a 422 *Error", err)
	}

	out := logs.String()
	if !strings.Contains(out, `"path":"/v1/customers/{id}/review"`) || !strings.Contains(out, `"path":"/v1/customers"`) ||
		strings.Contains(out, "jr%40example.com") || strings.Contains(out, created.ID) {
		t.Errorf("log does not name templates, or shows a query or an id:\n%s", out)
	}
}

// TestDoRefusesMaskedValues: a body carrying masked values, such as a read's
// Customer sent back as it came, is refused before any request, with an
// error that names where the value is and never the value. On main only
// "[REDACTED]" was refused: "***-**-****" and "**.**.**.**" were sent.
func TestDoRefusesMaskedValues(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := emulatorClient(t, srv, http.DefaultTransport.(*http.Transport).Clone())
	ctx := context.Background()
	read, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name: "Ron Swanson", Type: straddle.CustomerTypeIndividual, Email: "ron@example.com", Phone: "+13175550199",
		IPAddress:  straddle.NewIPAddress("203.0.113.9"),
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1970-05-06")},
	})
	if err != nil {
		t.Fatal(err)
	}
	before := srv.RequestCount("")
	path := "/v1/customers/" + read.ID
	for name, tt := range map[string]struct {
		body any
		at   string
	}{
		"a read's customer":                   {read, "$.compliance_profile."},
		"a masked IP":                         {map[string]any{"device": map[string]string{"ip_address": "**.**.**.**"}}, "$.device.ip_address"},
		"a masked SSN in a list":              {json.RawMessage(`{"representatives":[{"name":"x"},{"ssn":"***-**-****"}]}`), "$.representatives[1].ssn"},
		"a partly masked SSN":                 {json.RawMessage(`{"compliance_profile":{"ssn":"***-**-6789"}}`), "$.compliance_profile.ssn"},
		"a masked value under a metadata key": {json.RawMessage(`{"metadata":{"123-45-6789":"****-**-**"}}`), "$.metadata.?"},
		"a starred SSN":                       {json.RawMessage(`{"compliance_profile":{"Ssn":"12*-45-6789x"}}`), "$.compliance_profile.Ssn"},
	} {
		err := client.Do(ctx, http.MethodPut, path, tt.body, nil)
		var ve *straddle.ValidationError
		if !errors.As(err, &ve) || ve.Field != "body" || !strings.Contains(ve.Rule, "masked value at "+tt.at) {
			t.Errorf("%s: %v, want a *ValidationError for body naming %s", name, err, tt.at)
			continue
		}
		for _, value := range []string{"*", "6789", "123-45"} {
			if strings.Contains(err.Error(), value) {
				t.Errorf("%s: Error() = %q shows %q", name, err, value)
			}
		}
	}
	if n := srv.RequestCount("") - before; n != 0 {
		t.Errorf("%d requests sent with masked values", n)
	}
}

// TestDoRefusesBadInput: a raw call that would leave the base URL, send
// what the API cannot take, or send the redaction placeholder for personal
// data is refused before any request.
func TestDoRefusesBadInput(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := emulatorClient(t, srv, http.DefaultTransport.(*http.Transport).Clone())
	person := struct {
		SSN straddle.SSN `json:"ssn"`
	}{straddle.NewSSN("123-45-6789")}
	tests := []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"another host", http.MethodGet, "https://evil.example.com/v1/customers", nil, "path"},
		{"a scheme-relative URL", http.MethodGet, "//evil.example.com/v1/customers", nil, "path"},
		{"no leading slash", http.MethodGet, "v1/customers", nil, "path"},
		{"a dot-dot segment", http.MethodGet, "/v1/customers/../../admin", nil, "path"},
		{"an escaped dot-dot segment", http.MethodGet, "/v1/customers/%2e%2e/admin", nil, "path"},
		{"an empty segment", http.MethodGet, "/v1//customers", nil, "path"},
		{"CRLF", http.MethodGet, "/v1/customers\r\nX-Evil: 1", nil, "path"},
		{"a space", http.MethodGet, "/v1/customers list", nil, "path"},
		{"a backslash", http.MethodGet, "/v1\\customers", nil, "path"},
		{"a fragment", http.MethodGet, "/v1/customers#x", nil, "path"},
		{"an unknown method", "TRACE", "/v1/customers", nil, "method"},
		{"a lower-case method", "get", "/v1/customers", nil, "method"},
		{"a GET with a body", http.MethodGet, "/v1/customers", map[string]string{"a": "b"}, "body"},
		{"invalid JSON", http.MethodPost, "/v1/customers", []byte(`{"name":`), "body"},
		{"an empty body", http.MethodPost, "/v1/customers", json.RawMessage{}, "body"},
		{"the redaction placeholder", http.MethodPut, "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00", person, "body"},
	}
	for _, tt := range tests {
		err := client.Do(context.Background(), tt.method, tt.path, tt.body, nil)
		var ve *straddle.ValidationError
		if !errors.As(err, &ve) || ve.Field != tt.field {
			t.Errorf("%s: %v, want a *ValidationError for %s", tt.name, err, tt.field)
		}
		if err != nil && strings.Contains(err.Error(), "123-45-6789") {
			t.Errorf("%s: the error shows the SSN", tt.name)
		}
	}
	if n := srv.RequestCount(""); n != 0 {
		t.Errorf("%d requests sent for bad input", n)
	}
}
