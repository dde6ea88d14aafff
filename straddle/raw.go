package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/straddlekit/straddle-go/gen"
)

// Do sends a request the package does not model yet (an endpoint, a query
// parameter, a field) with everything a modelled call gets: the API key and
// User-Agent, an Idempotency-Key on every write (generated once and reused
// on its retries, or WithIdempotencyKey), the retries, the client's and the
// call's options, logging, and the same errors: *Error for a non-2xx answer,
// *DecodeError for a 2xx that does not decode, *RedirectError for a 3xx.
//
// method is GET, POST, PUT, PATCH or DELETE. path is the API path, with its
// query if any, such as "/v1/customers/{id}/review" with the id filled in or
// "/v1/customers?page_size=5"; it is added to the base URL and cannot name
// another host.
//
// body is sent as JSON: nil for none, a json.RawMessage or []byte as it is
// (it must be valid JSON), anything else through encoding/json. This
// package's personal data types (SSN, DOB, EIN, IPAddress) marshal as
// "[REDACTED]", so a body holding that placeholder is refused before
// sending: put real values in as strings (ssn.Reveal()). So is a body holding
// a masked value, such as a read's Customer ("***-**-****"); the error names
// its JSON path, never the value.
//
// out receives the answer's data (the envelope's "data" member) through
// encoding/json; nil discards it, a *json.RawMessage keeps it as it came.
// The answer's request id and the attempts are reported by WithResponseInto.
func (c *Client) Do(ctx context.Context, method, path string, body, out any, opts ...RequestOption) error {
	op, err := rawOperation(method, path)
	if err != nil {
		return err
	}
	payload, err := rawBody(method, body)
	if err != nil {
		return err
	}
	target := c.baseURL + path
	return c.call(ctx, op, opts, func(ctx context.Context, edit gen.RequestEditorFn) (*http.Response, error) {
		var r io.Reader
		if payload != nil {
			r = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, method, target, r)
		if err != nil {
			return nil, err
		}
		if payload != nil {
			req.Header.Set("Content-Type", jsonContentType)
		}
		if err := edit(ctx, req); err != nil {
			return nil, err
		}
		return c.doer.Do(req)
	}, out, nil)
}

// rawOperation checks a raw call's method and path and describes it for the
// pipeline: a write unless it is a GET, logged under its path with ids as
// {id} and without its query.
func rawOperation(method, path string) (operation, error) {
	switch method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return operation{}, &ValidationError{Field: "method", Rule: "must be GET, POST, PUT, PATCH or DELETE"}
	}
	if err := checkRawPath(path); err != nil {
		return operation{}, err
	}
	template, _, _ := strings.Cut(path, "?")
	segments := strings.Split(template, "/")
	for i, seg := range segments {
		if validateID(seg) == nil {
			segments[i] = "{id}"
		}
	}
	return operation{method: method, path: strings.Join(segments, "/"), write: method != http.MethodGet}, nil
}

// checkRawPath accepts an absolute path, with a query if any, that stays
// under the base URL: no scheme or host, no dot or empty segments, no
// fragment, and nothing a request line cannot carry.
func checkRawPath(path string) error {
	refuse := func(rule string) error { return &ValidationError{Field: "path", Rule: rule} }
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		return refuse("must start with a single /, such as /v1/customers")
	}
	if !printableASCII(path) || strings.ContainsAny(path, " \\#") {
		return refuse("must be printable ASCII without spaces, backslashes or a fragment")
	}
	u, err := url.Parse(path)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return refuse("must be a path on the base URL")
	}
	for _, p := range []string{u.EscapedPath(), u.Path} {
		for _, seg := range strings.Split(p[1:], "/") {
			if seg == "" || seg == "." || seg == ".." {
				return refuse("must not have empty, . or .. segments")
			}
		}
	}
	return nil
}

// rawBody encodes a raw call's body, or returns nil for none.
func rawBody(method string, body any) ([]byte, error) {
	var b []byte
	switch v := body.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		b = v
	case []byte:
		b = v
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, fmt.Errorf("straddle: encoding the request: %w", errWithoutValue(err))
		}
	}
	switch {
	case method == http.MethodGet:
		return nil, &ValidationError{Field: "body", Rule: "a GET sends none"}
	case !json.Valid(b):
		return nil, &ValidationError{Field: "body", Rule: "must be valid JSON"}
	case bytes.Contains(b, []byte(`"`+redacted+`"`)):
		return nil, &ValidationError{Field: "body", Rule: "holds the redaction placeholder " + redacted + " where a real value belongs: give personal data as strings (Reveal())"}
	}
	if path, ok := maskedValuePath(b); ok {
		return nil, &ValidationError{Field: "body", Rule: "holds a masked value at " + path + " where a real value belongs: a read's masked fields cannot be sent back; give personal data as strings (Reveal())"}
	}
	return b, nil
}

// piiFieldNames are the fields of personal data, as the wire and the live
// service spell them: any '*' in one is a masked value (isMaskedInput).
var piiFieldNames = map[string]bool{"ssn": true, "Ssn": true, "dob": true, "Dob": true, "ein": true, "Ein": true, "ip_address": true, "IpAddress": true}

// isMaskedValue reports whether s has the form of a masked value anywhere
// in a body: a '*', and nothing but '*', digits and the separators of an
// SSN, a date, an EIN or an IP address ("***-**-****", "**.**.**.**").
func isMaskedValue(s string) bool {
	return strings.Contains(s, "*") && strings.Trim(s, "*0123456789-.:/ ") == ""
}

// maskedValuePath returns the JSON path of the first string in b, valid
// JSON, that is a masked value: one in the form of isMaskedValue, or any
// string with a '*' in a field of personal data. The path names the API's
// field names and array indexes; other keys (metadata's, which may be
// anything) show as "?".
func maskedValuePath(b []byte) (string, bool) {
	if bytes.IndexByte(b, '*') < 0 {
		return "", false
	}
	type frame struct {
		object, wantKey bool
		key             string
		index           int
	}
	var stack []*frame
	advance := func() {
		if len(stack) == 0 {
			return
		}
		if top := stack[len(stack)-1]; top.object {
			top.wantKey = true
		} else {
			top.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				stack = append(stack, &frame{object: v == '{', wantKey: v == '{'})
				continue
			}
			stack = stack[:len(stack)-1]
		case string:
			if len(stack) > 0 && stack[len(stack)-1].wantKey {
				stack[len(stack)-1].key, stack[len(stack)-1].wantKey = v, false
				continue
			}
			inPII := len(stack) > 0 && stack[len(stack)-1].object && piiFieldNames[stack[len(stack)-1].key]
			if isMaskedValue(v) || (inPII && isMaskedInput(v)) {
				var path strings.Builder
				path.WriteString("$")
				for _, f := range stack {
					switch {
					case !f.object:
						path.WriteString("[" + strconv.Itoa(f.index) + "]")
					case knownFields[f.key]:
						path.WriteString("." + f.key)
					default:
						path.WriteString(".?")
					}
				}
				return path.String(), true
			}
		}
		advance()
	}
}
