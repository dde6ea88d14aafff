package straddle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
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
		if !errors.As(err, &e) || e.StatusCode != 400 || !IsBadRequest(err) {
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
	if got := err.Error(); got != "straddle: 400 /bad_request Bad Request: Device.IpAddress, Phone (request 019f42e2-fd64-73be-a80a-8faf6164dc76)" {
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

// errorEnvelope builds an error body in the service's shape.
func errorEnvelope(status int, typ, title, requestID string, detail any, items ...[2]string) []byte {
	type item struct {
		Reference string `json:"reference"`
		Detail    string `json:"detail"`
	}
	var is []item
	for _, it := range items {
		is = append(is, item{it[0], it[1]})
	}
	b, err := json.Marshal(map[string]any{
		"meta":          map[string]any{"api_request_id": requestID, "api_request_timestamp": "2026-07-08T18:00:01Z"},
		"response_type": "error",
		"error":         map[string]any{"status": status, "type": typ, "title": title, "detail": detail, "items": is},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// errorCases are one of each kind of error a call can return, built as the
// pipeline builds them.
func errorCases(t *testing.T) map[string]error {
	t.Helper()
	fixture := func(status int, name string) error {
		e, _ := newError(status, http.Header{}, respFixture(t, name))
		return e
	}
	built := func(status int, body []byte) error {
		e, _ := newError(status, http.Header{}, body)
		return e
	}
	local := (&CreateCustomerParams{}).Validate()
	return map[string]error{
		"local single":         &ValidationError{Field: "phone", Rule: "is required"},
		"local list":           local,
		"local wrapped":        fmt.Errorf("signup: %w", local),
		"400 items":            fixture(400, "createCustomer.400.items.json"),
		"400 off schema":       built(400, []byte(`not json`)),
		"422 duplicate email":  fixture(422, "createCustomer.422.duplicate-email.json"),
		"422 duplicate joined": errors.Join(errors.New("x"), fixture(422, "createCustomer.422.duplicate-email.json")),
		"422 duplicate no slash": built(422, errorEnvelope(422, "validation_error", "Validation Failed", knopeID,
			"EMAIL 'a@b.example' ALREADY EXISTS and must be unique.")),
		"422 duplicate as item": built(422, errorEnvelope(422, "/validation_error", "Validation Failed", knopeID, nil,
			[2]string{"email", "Email 'a@b.example' already exists."})),
		"422 not in review":  fixture(422, "decideCustomerReview.422.not-in-review.json"),
		"404 envelope":       fixture(404, "getCustomer.404.not-found.json"),
		"404 no slash":       built(404, errorEnvelope(404, "not_found", "Not Found", knopeID, "Customer not found.")),
		"404 bare":           built(404, []byte("404 page not found\n")),
		"404 other envelope": built(404, errorEnvelope(404, "/route_missing", "Not Found", knopeID, nil)),
		"409 key reused":     fixture(409, "createCustomer.409.key-reused.json"),
		"409 in progress":    fixture(409, "createCustomer.409.in-progress.json"),
		"409 bare":           built(409, []byte("<html><body>409 Conflict</body></html>")),
		"409 other envelope": built(409, errorEnvelope(409, "/edit_conflict", "Conflict", knopeID, "Version mismatch.")),
		"401 empty":          &Error{StatusCode: 401},
		"403":                fixture(403, "getUnmaskedCustomer.403.forbidden.json"),
		"429":                fixture(429, "listCustomers.429.rate-limited.json"),
		"500":                fixture(500, "getCustomer.500.server-error.json"),
		"plain":              errors.New("plain"),
		"nil":                nil,
	}
}

// TestErrorPredicatesArePrecise holds each predicate to exactly the errors
// it names: a refusal before sending, a malformed request, a business rule,
// a duplicate email, a missing customer, a reused key, a request still in
// progress. On main, IsValidation was true for all of the first three and
// IsConflict for both 409s.
func TestErrorPredicatesArePrecise(t *testing.T) {
	predicates := map[string]func(error) bool{
		"IsLocalValidation": IsLocalValidation, "IsBadRequest": IsBadRequest, "IsUnprocessable": IsUnprocessable,
		"IsDuplicateEmail": IsDuplicateEmail, "IsNotFound": IsNotFound, "IsIdempotencyKeyReused": IsIdempotencyKeyReused,
		"IsRequestInProgress": IsRequestInProgress, "IsAuth": IsAuth, "IsRateLimited": IsRateLimited,
	}
	want := map[string][]string{
		"local single":           {"IsLocalValidation"},
		"local list":             {"IsLocalValidation"},
		"local wrapped":          {"IsLocalValidation"},
		"400 items":              {"IsBadRequest"},
		"400 off schema":         {"IsBadRequest"},
		"422 duplicate email":    {"IsUnprocessable", "IsDuplicateEmail"},
		"422 duplicate joined":   {"IsUnprocessable", "IsDuplicateEmail"},
		"422 duplicate no slash": {"IsUnprocessable", "IsDuplicateEmail"},
		"422 duplicate as item":  {"IsUnprocessable", "IsDuplicateEmail"},
		"422 not in review":      {"IsUnprocessable"},
		"404 envelope":           {"IsNotFound"},
		"404 no slash":           {"IsNotFound"},
		"404 bare":               nil,
		"404 other envelope":     nil,
		"409 key reused":         {"IsIdempotencyKeyReused"},
		"409 in progress":        {"IsRequestInProgress"},
		"409 bare":               nil,
		"409 other envelope":     nil,
		"401 empty":              {"IsAuth"},
		"403":                    {"IsAuth"},
		"429":                    {"IsRateLimited"},
		"500":                    nil,
		"plain":                  nil,
		"nil":                    nil,
	}
	cases := errorCases(t)
	if len(cases) != len(want) {
		t.Fatalf("%d cases, %d expectations", len(cases), len(want))
	}
	for name, err := range cases {
		var got []string
		for pname, p := range predicates {
			if p(err) {
				got = append(got, pname)
			}
		}
		slices.Sort(got)
		exp := slices.Clone(want[name])
		slices.Sort(exp)
		if !slices.Equal(got, exp) {
			t.Errorf("%s (%v): true for %v, want %v", name, err, got, exp)
		}
	}
}

func TestErrorTypeMatchesWithOrWithoutSlash(t *testing.T) {
	for _, typ := range []ErrorType{"/not_found", "not_found", "/NOT_FOUND"} {
		e := &Error{StatusCode: 404, Type: typ}
		if !e.HasType(ErrorTypeNotFound) || !e.HasType("not_found") || e.HasType(ErrorTypeConflict) {
			t.Errorf("type %q", typ)
		}
	}
	if (&Error{}).HasType("") || (&Error{Type: "/"}).HasType(ErrorTypeNotFound) {
		t.Error("an empty type matches")
	}
	for _, typ := range []ErrorType{ErrorTypeBadRequest, ErrorTypeValidation, ErrorTypeFieldValidation, ErrorTypeNotFound, ErrorTypeConflict} {
		if safeErrorType(typ) != string(typ) {
			t.Errorf("the constant %q is not in the shape Error() shows", typ)
		}
	}
}

// TestDuplicateEmailThroughTheClient: the emulator's and the fixture's
// answers to a duplicate email are IsDuplicateEmail; another 422 is not.
func TestDuplicateEmailThroughTheClient(t *testing.T) {
	h := newHarness(t, sequence(serve(t, 422, "createCustomer.422.duplicate-email.json"), serve(t, 422, "decideCustomerReview.422.not-in-review.json")))
	_, err := h.client.Customers.Create(context.Background(), testCreateParams())
	if !IsDuplicateEmail(err) || !IsUnprocessable(err) {
		t.Errorf("duplicate: %v", err)
	}
	if !strings.Contains(err.Error(), "email already exists") || strings.Contains(err.Error(), "@") {
		t.Errorf("Error() = %q, want the meaning without the address", err)
	}
	_, err = h.client.Customers.Review.Decide(context.Background(), knopeID, CustomerStatusVerified)
	if IsDuplicateEmail(err) || !IsUnprocessable(err) {
		t.Errorf("not in review: %v", err)
	}
}

// TestConflictsAreTold: the reused key is not retried and says so; the
// request in progress is retried, and when it persists says so.
func TestConflictsAreTold(t *testing.T) {
	reused := newHarness(t, serve(t, 409, "createCustomer.409.key-reused.json"))
	_, err := reused.client.Customers.Create(context.Background(), testCreateParams())
	if !IsIdempotencyKeyReused(err) || IsRequestInProgress(err) || len(reused.reqs()) != 1 {
		t.Errorf("key reused: %v after %d requests", err, len(reused.reqs()))
	}
	if !strings.Contains(err.Error(), "idempotency key already used for a different request") {
		t.Errorf("Error() = %q", err)
	}
	busy := newHarness(t, serve(t, 409, "createCustomer.409.in-progress.json"), WithMaxRetries(1))
	_, err = busy.client.Customers.Create(context.Background(), testCreateParams())
	if !IsRequestInProgress(err) || IsIdempotencyKeyReused(err) || len(busy.reqs()) != 2 {
		t.Errorf("in progress: %v after %d requests", err, len(busy.reqs()))
	}
	if !strings.Contains(err.Error(), "still in progress") {
		t.Errorf("Error() = %q", err)
	}
}

// TestBareNotFoundIsNotAMissingCustomer: a 404 without the service's
// envelope (a wrong base URL, a proxy) is not IsNotFound, and says to check
// the base URL; the service's 404 is IsNotFound.
func TestBareNotFoundIsNotAMissingCustomer(t *testing.T) {
	bare := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) })
	bare.skip = notJSON
	_, err := bare.client.Customers.Get(context.Background(), knopeID)
	var e *Error
	if !errors.As(err, &e) || e.StatusCode != 404 || IsNotFound(err) {
		t.Fatalf("bare 404: %v, want a 404 *Error that is not IsNotFound", err)
	}
	if !strings.Contains(err.Error(), "check the base URL") {
		t.Errorf("Error() = %q, want a hint at the base URL", err)
	}
	real := newHarness(t, serve(t, 404, "getCustomer.404.not-found.json"))
	_, err = real.client.Customers.Get(context.Background(), knopeID)
	if !IsNotFound(err) || strings.Contains(err.Error(), "base URL") {
		t.Errorf("the service's 404: %v", err)
	}
}

// TestErrorSaysWhichEnvelopeIsMissing: a 404 or 409 that is not the
// service's says whether it had no envelope or one of another type, and a
// bare 409 does not claim the key was reused. On main a 404 with another
// type said "(no error envelope)" and every 409 blamed the key.
func TestErrorSaysWhichEnvelopeIsMissing(t *testing.T) {
	cases := errorCases(t)
	for name, want := range map[string]string{
		"404 bare":           "straddle: 404 Not Found: not Straddle's not-found answer (no error envelope); check the base URL",
		"404 other envelope": "straddle: 404 Not Found: unrecognised error type; not Straddle's not-found answer (not a not_found envelope); check the base URL (request " + knopeID + ")",
		"409 bare":           "straddle: 409 Conflict: not Straddle's conflict answer (no error envelope)",
		"409 other envelope": "straddle: 409 Conflict: unrecognised error type; not Straddle's conflict answer (not a conflict envelope) (request " + knopeID + ")",
	} {
		if got := cases[name].Error(); got != want {
			t.Errorf("%s: Error() = %q, want %q", name, got, want)
		}
	}
}

// TestErrorNamesItemReferences: Error() lists the items' references (field
// names), bounded, and never their details.
func TestErrorNamesItemReferences(t *testing.T) {
	var items [][2]string
	for i := range 11 {
		items = append(items, [2]string{fmt.Sprintf("compliance_profile.representatives[%d].email", i), "Email 'x" + strconv.Itoa(i) + "@example.com' is invalid"})
	}
	items = append(items, [2]string{"", "no reference"})
	e, _ := newError(422, http.Header{}, errorEnvelope(422, "/validation_error", "Validation Failed", knopeID, "One or more fields failed.", items...))
	got := e.Error()
	want := "straddle: 422 /validation_error Validation Failed: compliance_profile.representatives[0].email"
	if !strings.HasPrefix(got, want) || !strings.Contains(got, "[7].email and 4 other fields (request "+knopeID+")") {
		t.Errorf("Error() = %q", got)
	}
	if strings.Contains(got, "@") || strings.Contains(got, "failed") || strings.Contains(got, "[8]") {
		t.Errorf("Error() = %q shows details or more than %d references", got, maxShownRefs)
	}
	onlyDetails, _ := newError(400, http.Header{}, errorEnvelope(400, "/bad_request", "Bad Request", knopeID, nil, [2]string{"", "a"}, [2]string{"", "b"}))
	if got := onlyDetails.Error(); got != "straddle: 400 /bad_request Bad Request: 2 other fields (request "+knopeID+")" {
		t.Errorf("Error() = %q", got)
	}
}

// hostileText is what a hostile or careless peer may write into an error
// envelope: personal values, log-injection controls, escapes, and length.
var hostileText = []string{
	"987-65-4320", "/987_65_4320", "1961-07-04", "98-7654321", "198.51.100.77",
	"Bad Request\r\nlevel=ERROR msg=forged", "Not Found\x1b[2J", "/not_found\n", "/bad_request\u2028x",
	"Validation Failed 987654320", strings.Repeat("A", 5000), "Leslie Knope <leslie@example.com>",
	"019f42e3-01b0-79dd-bbee-f3ce185303be\r\nforged", "Device.IpAddress=198.51.100.77", "ssn[987654320]",
}

// TestErrorShowsOnlySafeServerText: whatever the body puts in the type,
// title, request id and item references, Error() shows it only in the shapes
// the service uses, with no control characters, bounded; the raw text stays
// on the fields. On main, Error() printed all three as received.
func TestErrorShowsOnlySafeServerText(t *testing.T) {
	for _, s := range hostileText {
		raw, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			t.Fatal(err)
		}
		for _, status := range []int{400, 404, 409, 422, 503} {
			body := errorEnvelope(status, text, text, text, text, [2]string{text, text}, [2]string{"email", text})
			e, _ := newError(status, http.Header{}, body)
			if string(e.Type) != text || e.Title != text || e.RequestID != text || e.Items[0].Reference != text {
				t.Fatalf("the fields lost the raw text: %+v", e)
			}
			got := e.Error()
			if strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r > 0x7e }) || len(got) > 300 {
				t.Errorf("Error() = %q: control or non-ASCII characters, or unbounded", got)
			}
			for _, needle := range []string{"987-65-4320", "987654320", "987_65_4320", "1961-07-04", "98-7654321", "198.51.100.77", "forged", "AAAA", "leslie", "[2J"} {
				if strings.Contains(got, needle) {
					t.Errorf("status %d, text %q: Error() = %q shows %q", status, text, got, needle)
				}
			}
			if !strings.HasPrefix(got, "straddle: "+strconv.Itoa(status)+" "+http.StatusText(status)) {
				t.Errorf("Error() = %q, want the status and its text in place of the unsafe type and title", got)
			}
		}
	}
}

// TestDecodeErrorQuotesNothingFromTheBody: encoding/json quotes numbers
// (and characters and map keys) from the input in its errors; neither the
// DecodeError nor anything in its chain repeats them. On main, the list
// below printed "number 98765432098765432099".
func TestDecodeErrorQuotesNothingFromTheBody(t *testing.T) {
	meta := `"meta":{"api_request_id":"` + knopeID + `","api_request_timestamp":"2026-07-08T18:00:01Z"`
	tests := map[string]struct {
		body string
		call func(*Client) error
	}{
		"page total overflows int": {`{` + meta + `,"page_number":1,"page_size":1,"max_page_size":1000,"total_items":98765432098765432099,"total_pages":1,"sort_by":"name","sort_order":"asc"},"response_type":"array","data":[]}`,
			func(c *Client) error { _, err := c.Customers.List(context.Background(), nil); return err }},
		"page number negative into uint-like": {`{` + meta + `,"page_number":-987654320.5},"response_type":"array","data":[]}`,
			func(c *Client) error { _, err := c.Customers.List(context.Background(), nil); return err }},
		"review count overflows": {`{` + meta + `},"response_type":"object","data":{"customer_details":{},"identity_details":{"reputation":{"insights":{"accounts_count":98765432098765432099}}}}}`,
			func(c *Client) error { _, err := c.Customers.Review.Get(context.Background(), knopeID); return err }},
		"review score overflows": {`{` + meta + `},"response_type":"object","data":{"customer_details":{},"identity_details":{"reputation":{"risk_score":1e987654320}}}}`,
			func(c *Client) error { _, err := c.Customers.Review.Get(context.Background(), knopeID); return err }},
		"syntax error quotes a character": {`{` + meta + `},"data":{"id":"x"}, 987654320}`,
			func(c *Client) error { _, err := c.Customers.Get(context.Background(), knopeID); return err }},
		"metadata key quoted in the path": {`{` + meta + `},"data":{"id":"` + knopeID + `","metadata":{"987-65-4320":5}}}`,
			func(c *Client) error { _, err := c.Customers.Get(context.Background(), knopeID); return err }},
		"request id not a UUID": {`{"meta":{"api_request_id":"987-65-4320"},"data":7}`,
			func(c *Client) error { _, err := c.Customers.Get(context.Background(), knopeID); return err }},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, []byte(tt.body)) })
			h.skip = func(*http.Response) bool { return true }
			err := tt.call(h.client)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			texts := []string{err.Error(), fmt.Sprintf("%+v", err)}
			for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
				texts = append(texts, e.Error())
			}
			for _, s := range texts {
				for _, needle := range []string{"98765432", "987654320", "987-65-4320", "'9'", "'x'"} {
					if strings.Contains(s, needle) {
						t.Errorf("%q quotes the body's %q", s, needle)
					}
				}
			}
		})
	}
}

func TestDecodeErrorKeepsTheKindOfFailure(t *testing.T) {
	var n struct {
		N int `json:"total_items"`
	}
	typeErr := json.Unmarshal([]byte(`{"total_items": 98765432098765432099}`), &n)
	de := newDecodeError(200, knopeID, fmt.Errorf("meta: %w", typeErr))
	var te *json.UnmarshalTypeError
	if !errors.As(de, &te) || te.Value != "number" || te.Field != "total_items" {
		t.Errorf("cause %#v", de.Err)
	}
	if got := de.Error(); got != "straddle: decode 200 response (request "+knopeID+"): json: cannot unmarshal number into Go struct field .total_items of type int" {
		t.Errorf("Error() = %q", got)
	}
	if got := (&DecodeError{StatusCode: 200, Err: typeErr}).Error(); strings.Contains(got, "98765") {
		t.Errorf("a DecodeError built around the raw cause quotes it: %q", got)
	}
	syntaxErr := json.Unmarshal([]byte(`{"a": x}`), &n)
	if got := newDecodeError(200, "", syntaxErr).Error(); got != "straddle: decode 200 response: malformed JSON near byte 7" {
		t.Errorf("Error() = %q", got)
	}
	cut := newDecodeError(200, "", io.ErrUnexpectedEOF)
	if !errors.Is(cut, io.ErrUnexpectedEOF) {
		t.Errorf("the cause was lost: %v", cut)
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
	err := &DecodeError{StatusCode: 201, RequestID: knopeID, Err: errNoData}
	if got := err.Error(); got != "straddle: decode 201 response (request "+knopeID+"): response has no data" {
		t.Errorf("Error() = %q", got)
	}
	err.RequestID = "r-1\r\n987-65-4320"
	if got := err.Error(); got != "straddle: decode 201 response: response has no data" {
		t.Errorf("Error() = %q, want the request id left out when it is not a UUID", got)
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
