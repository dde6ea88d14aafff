package contract

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// Transport is an http.RoundTripper that checks every request before it is
// sent and every response after it arrives. Violations go to Report (a test's
// t.Errorf, typically); the exchange itself goes ahead unchanged, so the code
// under test sees exactly what the server sent.
type Transport struct {
	Validator *Validator
	// Base sends the request; http.DefaultTransport when nil.
	Base http.RoundTripper
	// Report receives each violation.
	Report func(error)
	// SkipResponse, when set and true for a response, leaves that response
	// unchecked. Tests of deliberately broken responses (fault injection) use it.
	SkipResponse func(*http.Response) bool
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	// Validate a clone so the caller's request, and its GetBody, stay untouched.
	check := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		check.Body = body
	}
	ex, err := t.Validator.ValidateRequest(req.Context(), check)
	if err != nil {
		t.Report(fmt.Errorf("request %s %s breaks the spec: %w", req.Method, req.URL.Path, err))
	}
	resp, err := base.RoundTrip(req)
	if err != nil || ex == nil || (t.SkipResponse != nil && t.SkipResponse(resp)) {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if rerr != nil {
		// A truncated or reset body is the code under test's to handle: hand it
		// over as it came, bytes first and then the same error.
		resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{rerr}))
		return resp, nil
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if verr := t.Validator.ValidateResponse(req.Context(), ex, resp.StatusCode, resp.Header, body); verr != nil {
		t.Report(fmt.Errorf("response %d to %s %s breaks the spec: %w", resp.StatusCode, req.Method, req.URL.Path, verr))
	}
	return resp, nil
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
