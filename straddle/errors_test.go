package straddle

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestErrorFromEmpty401(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(401) })
	_, err := h.client.Customers.Get(context.Background(), knopeID)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if e.StatusCode != 401 || e.Type != "" || e.RequestID != "" || !IsAuth(err) {
		t.Errorf("error %+v", e)
	}
	if got := err.Error(); got != "straddle: 401 Unauthorized" {
		t.Errorf("Error() = %q", got)
	}
}

func TestErrorFromHTML502(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { writeHTML(w, 502) })
	h.skip = notJSON
	_, err := h.client.Customers.Get(context.Background(), knopeID)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 502 {
		t.Fatalf("err = %v, want a 502 *Error", err)
	}
	if strings.Contains(err.Error(), "html") {
		t.Errorf("Error() shows the body: %q", err)
	}
}

func TestErrorFromBodiesOffSchema(t *testing.T) {
	for _, body := range []string{`{"error":"boom"}`, `{"meta":1,"error":{"status":"x"}}`, `not json`, `[]`, `{"error":null}`} {
		h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(400)
			_, _ = io.WriteString(w, body)
		})
		h.skip = func(*http.Response) bool { return true }
		_, err := h.client.Customers.Get(context.Background(), knopeID)
		var e *Error
		if !errors.As(err, &e) || e.StatusCode != 400 || !IsValidation(err) {
			t.Errorf("body %s: err = %v, want a 400 *Error", body, err)
		}
	}
}

func TestErrorEnvelopeWithItems(t *testing.T) {
	h := newHarness(t, serve(t, 400, "createCustomer.400.items.json"))
	_, err := h.client.Customers.Create(context.Background(), testCreateParams())
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v", err)
	}
	want := &Error{
		StatusCode: 400, Type: "/bad_request", Title: "Bad Request", Detail: "One or more fields failed validation.",
		Items: []ErrorItem{
			{Reference: "Device.IpAddress", Detail: "The IpAddress field is not a valid IPv4 address."},
			{Reference: "Phone", Detail: "The Phone field must be a valid E.164 phone number."},
		},
		RequestID: "019f42e2-fd64-73be-a80a-8faf6164dc76",
	}
	if fmt.Sprintf("%+v", e) != fmt.Sprintf("%+v", want) {
		t.Errorf("error\n%+v\nwant\n%+v", e, want)
	}
	if got := err.Error(); got != "straddle: 400 /bad_request Bad Request (request 019f42e2-fd64-73be-a80a-8faf6164dc76)" {
		t.Errorf("Error() = %q", got)
	}
}

func TestErrorStringLeavesOutDetail(t *testing.T) {
	h := newHarness(t, serve(t, 422, "createCustomer.422.duplicate-email.json"))
	_, err := h.client.Customers.Create(context.Background(), testCreateParams())
	var e *Error
	if !errors.As(err, &e) || e.Detail == "" {
		t.Fatalf("err = %v, want a 422 with a detail", err)
	}
	if !strings.Contains(e.Detail, "@") {
		t.Fatalf("fixture detail %q no longer quotes an email; the test needs one", e.Detail)
	}
	for _, s := range []string{err.Error(), fmt.Sprint(err), fmt.Sprintf("%v", err)} {
		if strings.Contains(s, "@") || strings.Contains(s, "123-45-6789") {
			t.Errorf("error text shows request data: %q", s)
		}
	}
}

func TestErrorReplayFlag(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Idempotent-Replayed", "true")
		writeJSON(w, 422, respFixture(t, "createCustomer.422.duplicate-email.json"))
	})
	_, err := h.client.Customers.Create(context.Background(), testCreateParams())
	var e *Error
	if !errors.As(err, &e) || !e.IdempotentReplayed {
		t.Errorf("err = %+v, want a replayed 422", err)
	}
}

func TestErrorHelpers(t *testing.T) {
	tests := []struct {
		err                                      error
		notFound, conflict, valid, auth, limited bool
	}{
		{&Error{StatusCode: 404}, true, false, false, false, false},
		{fmt.Errorf("load: %w", &Error{StatusCode: 409}), false, true, false, false, false},
		{errors.Join(errors.New("x"), &Error{StatusCode: 422}), false, false, true, false, false},
		{&Error{StatusCode: 400}, false, false, true, false, false},
		{&ValidationError{Field: "phone", Rule: "is required"}, false, false, true, false, false},
		{fmt.Errorf("a: %w", fmt.Errorf("b: %w", &Error{StatusCode: 401})), false, false, false, true, false},
		{&Error{StatusCode: 403}, false, false, false, true, false},
		{&Error{StatusCode: 429}, false, false, false, false, true},
		{&Error{StatusCode: 500}, false, false, false, false, false},
		{errors.New("plain"), false, false, false, false, false},
		{nil, false, false, false, false, false},
	}
	for _, tt := range tests {
		got := [5]bool{IsNotFound(tt.err), IsConflict(tt.err), IsValidation(tt.err), IsAuth(tt.err), IsRateLimited(tt.err)}
		want := [5]bool{tt.notFound, tt.conflict, tt.valid, tt.auth, tt.limited}
		if got != want {
			t.Errorf("%v: got %v, want %v", tt.err, got, want)
		}
	}
}

func TestHugeErrorBodyIsNotReadWhole(t *testing.T) {
	var written atomic.Int64
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(500)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for written.Load() < 100<<20 {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}, WithMaxRetries(0))
	h.skip = func(*http.Response) bool { return true } // the contract would read it all
	_, err := h.client.Customers.Get(context.Background(), knopeID)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 500 {
		t.Fatalf("err = %v, want a 500 *Error", err)
	}
	h.srv.CloseClientConnections()
	if n := written.Load(); n >= 100<<20 {
		t.Errorf("the whole 100 MiB body was read")
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(t *testing.T, err error)
		// attempts is 1 but for a body cut off mid-read: a transport
		// failure, retried until the retries run out.
		attempts int
	}{
		{"garbage", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"meta": {"api_request_id": "019f4209-44e3-738d-9279-8f6a0d5bb492"}, "data": {"id": 12`)
		}, nil, 1},
		{"truncated", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "4096")
			_, _ = io.WriteString(w, `{"meta": {"api_request_id": "019f4209-44e3-738d-9279-8f6a0d5bb492"}, "data": {`)
			http.NewResponseController(w).Flush()
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		}, func(t *testing.T, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("err = %v, want io.ErrUnexpectedEOF inside", err)
			}
		}, 3},
		{"no data", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, []byte(`{"meta": {"api_request_id": "019f4209-44e3-738d-9279-8f6a0d5bb492", "api_request_timestamp": "2026-07-08T14:02:11Z"}, "response_type": "none"}`))
		}, func(t *testing.T, err error) {
			if !errors.Is(err, errNoData) {
				t.Errorf("err = %v, want errNoData", err)
			}
		}, 1},
		{"wrong shape", func(w http.ResponseWriter, _ *http.Request) {
			writeJSON(w, 200, []byte(`{"meta": {}, "response_type": "object", "data": ["a"]}`))
		}, nil, 1},
		{"HTML 200", func(w http.ResponseWriter, _ *http.Request) { writeHTML(w, 200) }, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.handler)
			h.skip = func(*http.Response) bool { return true }
			c, err := h.client.Customers.Get(context.Background(), knopeID)
			var de *DecodeError
			if !errors.As(err, &de) || c != nil {
				t.Fatalf("got %v, %v; want a *DecodeError", c, err)
			}
			if de.StatusCode != 200 || de.Unwrap() == nil {
				t.Errorf("DecodeError %+v", de)
			}
			if !strings.HasPrefix(err.Error(), "straddle: decode 200 response") || strings.Contains(err.Error(), "<html>") {
				t.Errorf("Error() = %q", err)
			}
			if n := len(h.reqs()); n != tt.attempts {
				t.Errorf("%d requests, want %d", n, tt.attempts)
			}
			if tt.check != nil {
				tt.check(t, err)
			}
		})
	}
}

func TestDecodeErrorNamesTheRequest(t *testing.T) {
	err := &DecodeError{StatusCode: 201, RequestID: "r-1", Err: errNoData}
	if got := err.Error(); got != "straddle: decode 201 response (request r-1): response has no data" {
		t.Errorf("Error() = %q", got)
	}
}

func TestSuccessBodyOverLimit(t *testing.T) {
	resp := &http.Response{StatusCode: 200, Body: io.NopCloser(io.LimitReader(zeros{}, maxSuccessBody+10))}
	body, err := readBody(resp)
	if !errors.Is(err, errBodyTooLarge) || len(body) != maxSuccessBody {
		t.Errorf("%d bytes, err %v", len(body), err)
	}
	resp = &http.Response{StatusCode: 500, Body: io.NopCloser(io.LimitReader(zeros{}, maxErrorBody+10))}
	body, err = readBody(resp)
	if err != nil || len(body) != maxErrorBody {
		t.Errorf("error body: %d bytes, err %v", len(body), err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestReplayedHeader(t *testing.T) {
	for v, want := range map[string]bool{"true": true, "True": true, " true ": true, "false": false, "": false, "1": false} {
		h := http.Header{}
		h.Set("Idempotent-Replayed", v)
		if replayed(h) != want {
			t.Errorf("Idempotent-Replayed %q: %v", v, !want)
		}
	}
}
