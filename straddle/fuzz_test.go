package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/straddlekit/straddle-go/gen"
	"github.com/straddlekit/straddle-go/internal/contract"
)

// Fuzz targets for everything the client reads from the wire or takes from
// its caller. Seeds: every response fixture, plus the corpus files under
// testdata/fuzz/<FuzzName>/ (nested, huge, invalid UTF-8, truncated and
// boundary cases). Run one with
//
//	go test -run '^$' -fuzz '^FuzzDecodeCustomer$' -fuzztime 60s ./straddle/

// addResponseSeeds adds every response fixture as a seed body.
func addResponseSeeds(f *testing.F) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "responses", "*"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no response fixtures: %v", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// personalLooking returns the strings in body, keys and values, that could be
// personal data: at least 6 characters, 4 of them digits (SSNs, dates, EINs,
// addresses, phone numbers). It reads body as far as it parses.
func personalLooking(body []byte) []string {
	var out []string
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if s, ok := tok.(string); ok && len(s) >= 6 && digits(s) >= 4 {
			out = append(out, s)
		}
	}
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// checkDecodeError holds a failed decode to the client's promises: the
// *DecodeError built from it quotes nothing of the body but the request id.
func checkDecodeError(t *testing.T, body []byte, m wireMeta, err error) {
	t.Helper()
	msg := (&DecodeError{StatusCode: http.StatusOK, RequestID: m.RequestID, Err: err}).Error()
	for _, s := range personalLooking(body) {
		if strings.Contains(msg, s) && !strings.Contains(m.RequestID, s) {
			t.Fatalf("the decode error quotes the body's %q: %s", s, msg)
		}
	}
}

// checkUnmaskedJSON checks that an unmasked customer marshals, and that its
// JSON, where personal values are redacted, does not decode back as if the
// placeholders were the values: it fails with a *PlaceholderError when there
// was any personal value, and round-trips unchanged when there was none.
func checkUnmaskedJSON(t *testing.T, u *UnmaskedCustomer) {
	t.Helper()
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatalf("a decoded unmasked customer does not marshal: %v", err)
	}
	var pii []string
	if cp := u.ComplianceProfile; cp != nil && cp.Individual != nil {
		pii = append(pii, cp.Individual.SSN.Reveal(), cp.Individual.DOB.Reveal())
	}
	if cp := u.ComplianceProfile; cp != nil && cp.Business != nil {
		pii = append(pii, cp.Business.EIN.Reveal())
	}
	if u.Device != nil {
		pii = append(pii, u.Device.IPAddress.Reveal())
	}
	if strings.Join(pii, "") == "" {
		checkJSONFixedPoint(t, u)
		return
	}
	var back UnmaskedCustomer
	err = json.Unmarshal(b, &back)
	var pe *PlaceholderError
	if !errors.As(err, &pe) || pe.Masked {
		t.Fatalf("its own JSON %s decodes with %v, want a *PlaceholderError for the redaction placeholder", b, err)
	}
}

// checkJSONFixedPoint checks that a decoded model marshals (so JSON logging
// never fails) and that its JSON decodes to a model with the same JSON.
func checkJSONFixedPoint[T any](t *testing.T, v *T) {
	t.Helper()
	first, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("a decoded %T does not marshal: %v", v, err)
	}
	var again T
	if err := json.Unmarshal(first, &again); err != nil {
		t.Fatalf("%T does not decode its own JSON %s: %v", v, first, err)
	}
	second, err := json.Marshal(&again)
	if err != nil {
		t.Fatalf("%T: %v", v, err)
	}
	if !bytes.Equal(first, second) {
		t.Fatalf("%T changes on a JSON round trip:\n%s\n%s", v, first, second)
	}
}

// checkUTC checks that decoded instants are in UTC.
func checkUTC(t *testing.T, what string, ts ...time.Time) {
	t.Helper()
	for _, v := range ts {
		if v.Location() != time.UTC {
			t.Fatalf("%s: %v is not in UTC", what, v)
		}
	}
}

// checkMasked checks that a masked value prints as nothing, as a fully
// masked value, or as the placeholder: never as a real-looking value.
func checkMasked(t *testing.T, what string, m Masked) {
	t.Helper()
	s := m.String()
	if s != "" && s != redacted && strings.Trim(s, "*-.") != "" {
		t.Fatalf("%s prints %q", what, s)
	}
	if m.IsZero() != (s == "") {
		t.Fatalf("%s: IsZero %v but prints %q", what, m.IsZero(), s)
	}
	for _, verb := range []string{"%v", "%s", "%+v"} {
		if got := fmt.Sprintf(verb, m); got != s {
			t.Fatalf("%s under %s prints %q, String gives %q", what, verb, got, s)
		}
	}
}

// checkCustomer holds a decoded masked customer to the model's invariants.
func checkCustomer(t *testing.T, c *Customer) {
	t.Helper()
	checkUTC(t, "customer", c.CreatedAt, c.UpdatedAt)
	if cp := c.ComplianceProfile; cp != nil {
		if (cp.Individual == nil) == (cp.Business == nil) {
			t.Fatalf("compliance profile with %v individual and %v business members", cp.Individual != nil, cp.Business != nil)
		}
		if cp.Individual != nil {
			checkMasked(t, "ssn", cp.Individual.SSN)
			checkMasked(t, "dob", cp.Individual.DOB)
		}
		if cp.Business != nil {
			checkMasked(t, "ein", cp.Business.EIN)
		}
	}
	if c.Device != nil {
		checkMasked(t, "ip_address", c.Device.IPAddress)
	}
}

// FuzzDecodeCustomer decodes a masked customer response as Get, Create,
// Update, Delete, Decide and Refresh do.
func FuzzDecodeCustomer(f *testing.F) {
	addResponseSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var c Customer
		m, err := decodeEnvelope(body, nil, &c, nil)
		if err != nil {
			checkDecodeError(t, body, m, err)
			return
		}
		checkCustomer(t, &c)
		checkJSONFixedPoint(t, &c)
	})
}

// withPlaceholderPII returns a copy of u whose SSN, DOB, EIN and IP address
// are replaced by other values; everything else is shared.
func withPlaceholderPII(u *UnmaskedCustomer) UnmaskedCustomer {
	v := *u
	if cp := u.ComplianceProfile; cp != nil {
		other := &UnmaskedComplianceProfile{}
		if cp.Individual != nil {
			other.Individual = &IndividualIdentity{SSN: placeholder(cp.Individual.SSN, NewSSN), DOB: placeholder(cp.Individual.DOB, NewDOB)}
		}
		if cp.Business != nil {
			b := *cp.Business
			b.EIN = placeholder(b.EIN, NewEIN)
			other.Business = &b
		}
		v.ComplianceProfile = other
	}
	if u.Device != nil {
		v.Device = &UnmaskedDevice{IPAddress: placeholder(u.Device.IPAddress, NewIPAddress)}
	}
	return v
}

// placeholder replaces a set value with another; the zero value, which
// marshals as null, stays zero.
func placeholder[T interface{ IsZero() bool }](v T, make func(string) T) T {
	if v.IsZero() {
		return v
	}
	return make("0")
}

// FuzzDecodeUnmaskedCustomer decodes an unmasked customer response as
// Unmasked does. Whatever the real values are, fmt, slog and JSON output is
// the same as with other values: it cannot depend on them.
func FuzzDecodeUnmaskedCustomer(f *testing.F) {
	addResponseSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var u UnmaskedCustomer
		m, err := decodeEnvelope(body, nil, &u, nil)
		if err != nil {
			checkDecodeError(t, body, m, err)
			return
		}
		checkUTC(t, "unmasked customer", u.CreatedAt, u.UpdatedAt)
		if cp := u.ComplianceProfile; cp != nil && (cp.Individual == nil) == (cp.Business == nil) {
			t.Fatalf("compliance profile with %v individual and %v business members", cp.Individual != nil, cp.Business != nil)
		}
		checkUnmaskedJSON(t, &u)
		other := withPlaceholderPII(&u)
		pairs := map[string][2]any{"customer log value": {u.LogValue().String(), other.LogValue().String()}}
		if cp := u.ComplianceProfile; cp != nil && cp.Individual != nil {
			pairs["individual"] = [2]any{*cp.Individual, *other.ComplianceProfile.Individual}
		}
		if cp := u.ComplianceProfile; cp != nil && cp.Business != nil {
			pairs["business"] = [2]any{*cp.Business, *other.ComplianceProfile.Business}
		}
		if u.Device != nil {
			pairs["device"] = [2]any{*u.Device, *other.Device}
		}
		for name, p := range pairs {
			for _, verb := range leakVerbs {
				if a, b := fmt.Sprintf(verb, p[0]), fmt.Sprintf(verb, p[1]); a != b {
					t.Fatalf("%s under %s depends on the personal values: %q vs %q", name, verb, a, b)
				}
			}
		}
		a, errA := json.Marshal(&u)
		b, errB := json.Marshal(&other)
		if errA != nil || errB != nil || !bytes.Equal(a, b) {
			t.Fatalf("JSON depends on the personal values: %s vs %s (%v, %v)", a, b, errA, errB)
		}
	})
}

// FuzzDecodeCustomerPage decodes a list response exactly as List does.
func FuzzDecodeCustomerPage(f *testing.F) {
	addResponseSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		page := &CustomerPage{Customers: []CustomerSummary{}}
		m, err := decodeEnvelope(body, nil, &page.Customers, &page.Meta)
		if err != nil {
			checkDecodeError(t, body, m, err)
			return
		}
		if page.Customers == nil {
			t.Fatal("a decoded page has nil Customers")
		}
		if page.Meta.RequestID != m.RequestID {
			t.Fatalf("page meta request id %q, response meta %q", page.Meta.RequestID, m.RequestID)
		}
		if page.HasNext() != (len(page.Customers) > 0 && page.Meta.PageNumber < page.Meta.TotalPages) {
			t.Fatalf("HasNext %v for page %d of %d", page.HasNext(), page.Meta.PageNumber, page.Meta.TotalPages)
		}
		for i := range page.Customers {
			checkUTC(t, "summary", page.Customers[i].CreatedAt, page.Customers[i].UpdatedAt)
		}
		checkJSONFixedPoint(t, page)
	})
}

// FuzzDecodeReview decodes a review response as Review.Get does.
func FuzzDecodeReview(f *testing.F) {
	addResponseSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var r CustomerReview
		m, err := decodeEnvelope(body, nil, &r, nil)
		if err != nil {
			checkDecodeError(t, body, m, err)
			return
		}
		checkCustomer(t, &r.Customer)
		if r.Identity != nil {
			checkUTC(t, "identity details", r.Identity.CreatedAt, r.Identity.UpdatedAt)
		}
		checkJSONFixedPoint(t, &r)
	})
}

// fixtureStatus reads the status from a fixture name such as
// getCustomer.404.not-found.json.
var fixtureStatus = regexp.MustCompile(`\.([0-9]{3})\.`)

// FuzzNewError builds the *Error for a non-2xx response from any body, as the
// pipeline does, and the retry decision for a 409 from the same body.
func FuzzNewError(f *testing.F) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "responses", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		status := 500
		if m := fixtureStatus.FindStringSubmatch(filepath.Base(p)); m != nil {
			status, _ = strconv.Atoi(m[1])
		}
		f.Add(status, b)
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		status = 100 + ((status%900)+900)%900
		if status >= 200 && status <= 299 {
			status += 200
		}
		e, m := newError(status, http.Header{}, body)
		if e == nil || e.StatusCode != status {
			t.Fatalf("status %d became %+v", status, e)
		}
		if e.RequestID != m.RequestID {
			t.Fatalf("error request id %q, meta %q", e.RequestID, m.RequestID)
		}
		msg := e.Error()
		if !strings.HasPrefix(msg, "straddle: "+strconv.Itoa(status)) {
			t.Fatalf("Error() = %q does not lead with the status", msg)
		}
		if len(msg) > 1000 || strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			t.Fatalf("Error() = %q is long or has control or non-ASCII characters", msg)
		}
		// What the body may contribute: the type, title, request id and
		// item references in their known shapes, and the package's own
		// words about them. Nothing else it says.
		allowed := []string{msg[:len("straddle: ")+3], http.StatusText(status), safeErrorType(e.Type), safeTitle(e.Title), safeRequestID(e.RequestID), e.meaning(), unrecognisedType, e.references()}
		hidden := []string{e.Detail, string(e.Type), e.Title, e.RequestID}
		for _, it := range e.Items {
			allowed = append(allowed, safeReference(it.Reference))
			hidden = append(hidden, it.Detail, it.Reference)
		}
		if id := safeRequestID(e.RequestID); id != "" && !strings.Contains(msg, id) {
			t.Fatalf("Error() = %q leaves out the request id", msg)
		}
		shown := strings.Join(allowed, " ")
		for _, s := range hidden {
			if utf8.RuneCountInString(s) >= 4 && strings.Contains(msg, s) && !strings.Contains(shown, s) {
				t.Fatalf("Error() = %q shows the body's %q", msg, s)
			}
		}
		for name, got := range map[string][2]bool{
			"IsNotFound":             {IsNotFound(e), status == 404 && e.HasType(ErrorTypeNotFound)},
			"IsBadRequest":           {IsBadRequest(e), status == 400},
			"IsUnprocessable":        {IsUnprocessable(e), status == 422},
			"IsDuplicateEmail":       {IsDuplicateEmail(e), IsDuplicateEmail(e) && status == 422},
			"IsIdempotencyKeyReused": {IsIdempotencyKeyReused(e), status == 409 && e.HasType(ErrorTypeConflict) && !inProgress(body)},
			"IsRequestInProgress":    {IsRequestInProgress(e), status == 409 && inProgress(body)},
			"IsAuth":                 {IsAuth(e), status == 401 || status == 403},
			"IsRateLimited":          {IsRateLimited(e), status == 429},
			"IsLocalValidation":      {IsLocalValidation(e), false},
		} {
			if got[0] != got[1] {
				t.Fatalf("%s(%d) = %v", name, status, got[0])
			}
		}
		if inProgress(body) != strings.Contains(strings.ToLower(e.Detail), "currently in progress") {
			t.Fatalf("the retry decision (%v) and the error's detail %q disagree", inProgress(body), e.Detail)
		}
	})
}

// specTimestamp compiles the spec's Timestamp pattern.
func specTimestamp(f *testing.F) *regexp.Regexp {
	f.Helper()
	doc, err := contract.Load()
	if err != nil {
		f.Fatal(err)
	}
	s, ok := doc.Components.Schemas["Timestamp"]
	if !ok || s.Value == nil || s.Value.Pattern == "" {
		f.Fatal("the spec has no Timestamp pattern")
	}
	return regexp.MustCompile(s.Value.Pattern)
}

// instantOf computes, independently of parseTimestamp, the instant named by a
// string in the spec's Timestamp form, when every field is in range and the
// instant lies in years 0000 to 9999 (UTC). ok is false otherwise.
func instantOf(s string) (time.Time, bool) {
	num := func(a, b int) int { n, _ := strconv.Atoi(s[a:b]); return n }
	y, mo, d, h, mi, sec := num(0, 4), num(5, 7), num(8, 10), num(11, 13), num(14, 16), num(17, 19)
	rest, ns := s[19:], 0
	if strings.HasPrefix(rest, ".") {
		end := 1
		for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
			end++
		}
		ns, _ = strconv.Atoi((rest[1:end] + "000000000")[:9])
		rest = rest[end:]
	}
	offset := 0
	if rest != "" && rest != "Z" {
		oh, _ := strconv.Atoi(rest[1:3])
		om, _ := strconv.Atoi(rest[4:6])
		if oh > 23 || om > 59 {
			return time.Time{}, false
		}
		offset = (oh*60 + om) * 60
		if rest[0] == '-' {
			offset = -offset
		}
	}
	daysIn := time.Date(y, time.Month(mo)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if mo < 1 || mo > 12 || d < 1 || d > daysIn || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	v := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.FixedZone("", offset)).UTC()
	return v, v.Year() >= 0 && v.Year() <= 9999
}

// FuzzParseTimestamp parses the service's instants. Every string in the
// spec's Timestamp form with fields in range parses to the instant it names;
// whatever parses is in UTC, marshals, and survives RFC 3339 formatting.
func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{
		"2026-07-07T06:21:43.8306543Z", "2026-07-07T06:21:44", "2026-07-07T06:21:44.123456789Z",
		"2026-07-07T08:21:44+02:00", "2024-02-29T00:00:00Z", "2025-02-29T00:00:00Z", "2026-07-07",
	} {
		f.Add(s)
	}
	pattern := specTimestamp(f)
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseTimestamp(s)
		if pattern.MatchString(s) {
			if want, ok := instantOf(s); ok && (err != nil || !v.Equal(want)) {
				t.Fatalf("%q names %v; parseTimestamp gives %v, %v", s, want, v, err)
			}
		}
		if err != nil {
			if strings.Contains(err.Error(), s) && len(s) >= 4 {
				t.Fatalf("the error quotes the input: %v", err)
			}
			return
		}
		checkUTC(t, s, v)
		if _, err := v.MarshalJSON(); err != nil {
			t.Fatalf("%q parses to %v, which does not marshal: %v", s, v, err)
		}
		for _, layout := range []string{time.RFC3339Nano, time.RFC3339} {
			back, err := parseTimestamp(v.Format(layout))
			if err != nil || !back.Equal(v.Truncate(layoutPrecision(layout))) {
				t.Fatalf("%q parses to %v; as %s it reads back as %v, %v", s, v, layout, back, err)
			}
		}
	})
}

func layoutPrecision(layout string) time.Duration {
	if layout == time.RFC3339 {
		return time.Second
	}
	return time.Nanosecond
}

// ruleVocabulary is every rule the bad-input tour provokes and the text of
// every message: what validation may say, none of it from an input.
var ruleVocabulary = sync.OnceValues(func() (map[string]bool, string) {
	rules := map[string]bool{}
	var text strings.Builder
	for _, c := range badInputs() {
		err := c.check()
		if err == nil {
			continue
		}
		text.WriteString(err.Error() + "\n")
		var errs []error
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		} else {
			errs = []error{err}
		}
		for _, e := range errs {
			var v *ValidationError
			if errors.As(e, &v) {
				rules[v.Rule] = true
			}
		}
	}
	return rules, text.String()
})

// wireField matches a wire name such as compliance_profile.representatives[0].email.
var wireField = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*|\[[0-9]+\])*$`)

// checkValidation holds a validation result to its promises: only
// *ValidationErrors, each naming a wire field and a rule the tour knows, and
// no message echoing a personal value of at least 4 characters.
func checkValidation(t *testing.T, err error, personal ...string) {
	t.Helper()
	if err == nil {
		return
	}
	rules, text := ruleVocabulary()
	for _, v := range validationErrors(t, err) {
		if !wireField.MatchString(v.Field) {
			t.Fatalf("field %q is not a wire name", v.Field)
		}
		if !rules[v.Rule] {
			t.Fatalf("rule %q (field %s) is none the bad-input tour knows: does it quote the input?", v.Rule, v.Field)
		}
	}
	msg := err.Error()
	for _, s := range personal {
		if utf8.RuneCountInString(s) >= 4 && strings.Contains(msg, s) && !strings.Contains(text, s) {
			t.Fatalf("the error echoes %q: %s", s, msg)
		}
	}
}

// specValidator is shared by the validator fuzz targets.
var specValidator = sync.OnceValues(contract.NewValidator)

// checkSpecAccepts fails the test if the spec refuses req: what validation
// lets through must be what the service is documented to take.
func checkSpecAccepts(t *testing.T, req *http.Request, buildErr error) {
	t.Helper()
	if buildErr != nil {
		t.Fatalf("validated input builds no request: %v", buildErr)
	}
	v, err := specValidator()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.ValidateRequest(context.Background(), req); err != nil {
		t.Fatalf("validation passed, the spec refuses %s %s: %v", req.Method, req.URL, err)
	}
}

// fuzzAddress builds an address when has is set.
func fuzzAddress(has bool, address1, address2, city, state, zip string) *Address {
	if !has {
		return nil
	}
	return &Address{Address1: address1, Address2: address2, City: city, State: state, Zip: zip}
}

// fuzzIdentity sets, by mode's low two bits, neither identity, the
// individual, the business, or both.
func fuzzIdentity(mode int, ssn, dob, ein, legalName, website, repName, repEmail, repPhone string) (*IndividualIdentity, *BusinessIdentity) {
	var ind *IndividualIdentity
	var bus *BusinessIdentity
	if mode&1 != 0 {
		ind = &IndividualIdentity{SSN: NewSSN(ssn), DOB: NewDOB(dob)}
	}
	if mode&2 != 0 {
		bus = &BusinessIdentity{EIN: NewEIN(ein), LegalBusinessName: legalName, Website: website}
		if repName != "" || repEmail != "" || repPhone != "" {
			bus.Representatives = []Representative{{Name: repName, Email: repEmail, Phone: repPhone}}
		}
	}
	return ind, bus
}

// fuzzMetadata holds key: value and filler pairs up to pairs%25 in all.
func fuzzMetadata(key, value string, pairs int) map[string]string {
	n := ((pairs % 25) + 25) % 25
	if n == 0 && key == "" && value == "" {
		return nil
	}
	m := map[string]string{key: value}
	for i := 0; len(m) < n; i++ {
		m[fmt.Sprintf("k%02d", i)] = "v"
	}
	return m
}

// FuzzValidateCreateCustomerParams fuzzes every field of a create. Errors
// never echo personal values; params that pass make a body the spec accepts,
// in the shape of gen's model.
func FuzzValidateCreateCustomerParams(f *testing.F) {
	f.Add("Leslie Knope", "individual", "leslie.knope@example.com", "+13175550142", "203.0.113.42",
		"100 State St", "Suite 200", "Pawnee", "IN", "47998-0100", true,
		1, "123-45-6789", "1975-01-18", "", "", "", "", "", "",
		"cust_00042", "crm_segment", "civic", 1, "standard", "")
	f.Add("Acme Anvils", "business", "billing@acme.example.com", "+15055550100", "198.51.100.7",
		"1 Canyon Rd", "", "Albuquerque", "NM", "87101", true,
		2, "", "", "12-3456789", "Acme Anvils LLC", "https://www.acme.example.com", "Wile E. Coyote", "wile@example.com", "+15055550118",
		"biz_7781", "industry", "hardware", 20, "review", "inline")
	f.Add("0", "individual", "0@0.0", "+10", "0.0.0.0",
		"0", "", "\x81", "AA", "00000", true,
		1, "", "", "", "", "", "", "", "",
		"", "0", "\xe9", 0, "", "")
	f.Fuzz(func(t *testing.T, name, typ, email, phone, ip,
		address1, address2, city, state, zip string, hasAddress bool,
		identity int, ssn, dob, ein, legalName, website, repName, repEmail, repPhone,
		externalID, metaKey, metaValue string, metaPairs int, outcome, method string) {
		ind, bus := fuzzIdentity(identity, ssn, dob, ein, legalName, website, repName, repEmail, repPhone)
		p := &CreateCustomerParams{
			Name: name, Type: CustomerType(typ), Email: email, Phone: phone, IPAddress: NewIPAddress(ip),
			Address: fuzzAddress(hasAddress, address1, address2, city, state, zip), Individual: ind, Business: bus,
			ExternalID: externalID, Metadata: fuzzMetadata(metaKey, metaValue, metaPairs),
			Config: &Config{SandboxOutcome: SandboxOutcome(outcome), ProcessingMethod: ProcessingMethod(method)},
		}
		err := p.Validate()
		checkValidation(t, err, ssn, dob, ein, ip, email, phone, repEmail, repPhone)
		if err == nil {
			body := marshalBody(t, p.toBody())
			requireGenShape(t, body, &gen.CreateCustomerRequest{})
			req, buildErr := gen.NewCreateCustomerRequestWithBody("http://localhost", nil, jsonContentType, bytes.NewReader(body))
			checkSpecAccepts(t, req, buildErr)
		}
	})
}

// FuzzValidateUpdateCustomerParams fuzzes every field of an update, with the
// same promises as a create.
func FuzzValidateUpdateCustomerParams(f *testing.F) {
	f.Add("Leslie Knope", "leslie.knope@example.com", "+13175550143", "203.0.113.42", "verified",
		"", "", "", "", "", false,
		1, "123-45-6789", "1975-01-18", "", "", "", "", "", "",
		"", "", "", 0)
	f.Add("Acme Anvils", "billing@acme.example.com", "+15055550100", "0.0.0.0", "rejected",
		"1 Canyon Rd", "Unit 5", "Albuquerque", "NM", "87101-1234", true,
		2, "", "", "12-3456789", "Acme Anvils LLC", "https://acme.example.com", "Road Runner", "", "",
		"biz_7781", "industry", "hardware", 3)
	f.Fuzz(func(t *testing.T, name, email, phone, ip, status,
		address1, address2, city, state, zip string, hasAddress bool,
		identity int, ssn, dob, ein, legalName, website, repName, repEmail, repPhone,
		externalID, metaKey, metaValue string, metaPairs int) {
		ind, bus := fuzzIdentity(identity, ssn, dob, ein, legalName, website, repName, repEmail, repPhone)
		p := &UpdateCustomerParams{
			Name: name, Email: email, Phone: phone, IPAddress: NewIPAddress(ip), Status: CustomerStatus(status),
			Address: fuzzAddress(hasAddress, address1, address2, city, state, zip), Individual: ind, Business: bus,
			ExternalID: externalID, Metadata: fuzzMetadata(metaKey, metaValue, metaPairs),
		}
		err := p.Validate()
		checkValidation(t, err, ssn, dob, ein, ip, email, phone, repEmail, repPhone)
		if err == nil {
			id, _ := parseID(knopeID)
			body := marshalBody(t, p.toBody())
			requireGenShape(t, body, &gen.UpdateCustomerRequest{})
			req, buildErr := gen.NewUpdateCustomerRequestWithBody("http://localhost", id, nil, jsonContentType, bytes.NewReader(body))
			checkSpecAccepts(t, req, buildErr)
		}
	})
}

// FuzzValidateListParams fuzzes every list parameter. Params that pass make
// a query the spec accepts.
func FuzzValidateListParams(f *testing.F) {
	f.Add(1, 100, "name", "asc", int64(0), int64(0), 0, 0, "Knope", "cust_00042", "leslie@example.com", "parks", "review", "individual")
	f.Add(0, 0, "", "", int64(1783405304), int64(1783405304), 999999999, -300, "", "", "", "", "", "")
	f.Add(2, 1000, "created_at", "desc", int64(-62135596800), int64(253402300799), 0, 840, "", "", "", "", "verified", "business")
	f.Fuzz(func(t *testing.T, pageNumber, pageSize int, sortBy, sortOrder string, from, to int64, nsec, zoneMinutes int,
		name, externalID, email, searchText, status, typ string) {
		zone := time.FixedZone("", (zoneMinutes%(14*60+1))*60)
		instant := func(sec int64) time.Time {
			if sec == 0 {
				return time.Time{}
			}
			return time.Unix(sec, int64(nsec)).In(zone)
		}
		p := &ListParams{
			PageNumber: pageNumber, PageSize: pageSize, SortBy: SortBy(sortBy), SortOrder: SortOrder(sortOrder),
			CreatedFrom: instant(from), CreatedTo: instant(to),
			Name: name, ExternalID: externalID, Email: email, SearchText: searchText,
		}
		if status != "" {
			p.Statuses = []CustomerStatus{CustomerStatusPending, CustomerStatus(status)}
		}
		if typ != "" {
			p.Types = []CustomerType{CustomerType(typ)}
		}
		err := p.Validate()
		checkValidation(t, err, email)
		if err == nil {
			q := p.toGen()
			req, buildErr := gen.NewListCustomersRequest("http://localhost", &q)
			checkSpecAccepts(t, req, buildErr)
		}
	})
}

// FuzzValidateID fuzzes customer ids. A refused id is named, never quoted;
// an accepted one makes a path the spec accepts.
func FuzzValidateID(f *testing.F) {
	for _, s := range []string{knopeID, strings.ToUpper(knopeID), "", "../x", "00000000-0000-0000-0000-000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		err := validateID(id)
		if err != nil {
			var v *ValidationError
			if !errors.As(err, &v) || v.Field != "id" {
				t.Fatalf("err = %v, want a *ValidationError for id", err)
			}
			checkValidation(t, err, id)
			return
		}
		uid, err := parseID(id)
		if err != nil {
			t.Fatalf("validateID accepts %q, parseID refuses it: %v", id, err)
		}
		if uid.String() != strings.ToLower(id) {
			t.Fatalf("%q is sent as %q", id, uid.String())
		}
		req, buildErr := gen.NewGetCustomerRequest("http://localhost", uid, nil)
		checkSpecAccepts(t, req, buildErr)
	})
}
