package straddle

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// The sentinel proof: distinctive personal values and an API key go in
// through every door the package has (params, unmasked responses, masked
// fields carrying real values, error bodies echoing them, malformed bodies,
// query strings, options), and none of them may come out through fmt, slog,
// JSON, an error string or a panic.
const (
	leakSSN = "987-65-4320"
	leakDOB = "1961-07-04"
	leakEIN = "98-7654321"
	leakIP  = "198.51.100.77"
	leakKey = "sk_live_SENTINELKEY123"

	// Values shaped like an error type or a field path: an API key in the
	// shape of "/validation_error", and a name in the shapes of
	// "Device.IpAddress" and "compliance_profile".
	leakTypeKey  = "sk_test_sentinelkey"
	leakDotName  = "Sentinel.Person"
	leakSnakeKey = "sentinel_person"

	leakBusinessID = "019f3b40-7deb-752d-8cf3-4a14e4550930"
)

// leakNeedles are the sentinels as they may show up: as given, digits only,
// and (checked by leaks) hex encoded.
var leakNeedles = []string{
	leakSSN, "987654320", leakDOB, "19610704", leakEIN, "987654321", leakIP, "1985110077", leakKey, "SENTINELKEY",
	leakTypeKey, leakDotName, leakSnakeKey,
}

// leakVerbs are the fmt verbs and flags every value is printed with.
var leakVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%10.4v", "%-30s"}

// leaks returns the needles in out, in plain or hex form.
func leaks(out string) []string {
	lower := strings.ToLower(out)
	var found []string
	for _, n := range leakNeedles {
		if strings.Contains(out, n) || strings.Contains(lower, hex.EncodeToString([]byte(n))) {
			found = append(found, n)
		}
	}
	return found
}

func assertNoLeak(t *testing.T, what, out string) {
	t.Helper()
	if found := leaks(out); len(found) > 0 {
		t.Errorf("%s leaks %q:\n%s", what, found, out)
	}
}

func TestLeakDetectorSeesEveryForm(t *testing.T) {
	for _, n := range leakNeedles {
		for _, out := range []string{"a " + n + " b", fmt.Sprintf("%x", n), fmt.Sprintf("%X", n)} {
			if len(leaks(out)) == 0 {
				t.Errorf("leaks misses %q", out)
			}
		}
	}
	if got := leaks("[REDACTED] ***-**-**** " + testAPIKey); len(got) != 0 {
		t.Errorf("leaks flags clean output: %q", got)
	}
}

// plantSentinels puts the sentinels into a customer object from a fixture:
// real values in the compliance profile and device, as unmasked responses
// carry them and as some masked responses have been seen to.
func plantSentinels(c map[string]any) {
	if c["type"] == "business" {
		cp, _ := c["compliance_profile"].(map[string]any)
		if cp == nil {
			cp = map[string]any{"legal_business_name": "Sentinel LLC"}
		}
		cp["ein"] = leakEIN
		c["compliance_profile"] = cp
	} else {
		c["compliance_profile"] = map[string]any{"ssn": leakSSN, "dob": leakDOB}
	}
	c["device"] = map[string]any{"ip_address": leakIP}
}

// sentinelFixture returns a response fixture with the sentinels planted in
// its customer (data, or data.customer_details for a review).
func sentinelFixture(t *testing.T, name string) []byte {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(respFixture(t, name), &env); err != nil {
		t.Fatal(err)
	}
	data := env["data"].(map[string]any)
	if details, ok := data["customer_details"].(map[string]any); ok {
		data = details
	}
	plantSentinels(data)
	b, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// leakEchoBody is an error envelope whose detail and items echo every
// sentinel back, as a careless service might.
var leakEchoBody = []byte(`{"meta":{"api_request_id":"019f42e3-01b0-79dd-bbee-f3ce185303be","api_request_timestamp":"2026-07-08T18:00:01Z"},` +
	`"response_type":"error","error":{"status":422,"type":"/validation_error","title":"Validation Failed",` +
	`"detail":"Customer with SSN ` + leakSSN + `, DOB ` + leakDOB + `, EIN ` + leakEIN + ` and IP ` + leakIP + ` exists (key ` + leakKey + `)",` +
	`"items":[{"reference":"compliance_profile.ssn","detail":"` + leakSSN + ` is taken"},{"reference":"` + leakIP + `","detail":"` + leakKey + `"}]}}`)

// leakHostileBody is an error envelope in which every field a peer controls
// carries the sentinels, with log-injection controls around them: the type,
// the title, the request id, the references and the details.
var leakHostileBody = []byte(`{"meta":{"api_request_id":"` + leakSSN + `\r\nlevel=ERROR msg=` + leakKey + `","api_request_timestamp":"2026-07-08T18:00:01Z"},` +
	`"response_type":"error","error":{"status":422,"type":"/` + leakSSN + `\u001b[2J","title":"Bad Request ` + leakDOB + ` ` + leakEIN + `\n",` +
	`"detail":"` + leakIP + `","items":[{"reference":"` + leakIP + `","detail":"x"},{"reference":"ssn_987654320","detail":"` + leakSSN + `"},` +
	`{"reference":"` + leakEIN + `","detail":"y"},{"reference":"Device.IpAddress","detail":"` + leakIP + `"}]}}`)

// leakFieldShapedBodies are error envelopes whose type and references carry
// the API key and a name in the shapes of an error type and a field path, as
// a proxy echoing the request may write them.
var leakFieldShapedBodies = [][]byte{
	[]byte(`{"meta":{"api_request_id":"019f42e3-01b0-79dd-bbee-f3ce185303be"},"response_type":"error","error":{"status":422,` +
		`"type":"` + leakTypeKey + `","title":"Validation Failed","detail":"x","items":[{"reference":"` + leakTypeKey + `","detail":"x"},` +
		`{"reference":"sk_live_SENTINELKEY12","detail":"x"},{"reference":"` + leakDotName + `","detail":"x"}]}}`),
	[]byte(`{"meta":{"api_request_id":"019f42e3-01b0-79dd-bbee-f3ce185303be"},"response_type":"error","error":{"status":400,` +
		`"type":"/` + leakSnakeKey + `","title":"Bad Request","detail":"x","items":[{"reference":"` + leakSnakeKey + `","detail":"x"},` +
		`{"reference":"` + leakDotName + `.` + leakSnakeKey + `","detail":"x"},{"reference":"Device.IpAddress","detail":"x"}]}}`),
}

// leakOverflowBodies are 200 bodies whose numbers overflow their Go types:
// encoding/json quotes such a number in its error. Each carries the SSN's
// digits and a request id that is not a UUID.
var leakOverflowBodies = map[string]string{
	"list": `{"meta":{"api_request_id":"` + leakSSN + `","api_request_timestamp":"2026-07-08T18:00:01Z","page_number":1,"page_size":1,"max_page_size":1000,` +
		`"total_items":987654320987654320987,"total_pages":1,"sort_by":"name","sort_order":"asc"},"response_type":"array","data":[]}`,
	"review": `{"meta":{"api_request_id":"` + leakSSN + `"},"response_type":"object","data":{"customer_details":{},` +
		`"identity_details":{"reputation":{"risk_score":1e987654320,"insights":{"accounts_count":987654320987654320987}}}}}`,
	"get": `{"meta":{"api_request_id":"` + leakIP + `"},"data":{"id":"x"}, 987654320}`,
}

// leakMalformedBodies are 200 bodies for the unmasked endpoint that carry
// the sentinels and cannot be decoded.
var leakMalformedBodies = map[string]string{
	"truncated":         `{"meta":{},"data":{"id":"` + knopeID + `","compliance_profile":{"ssn":"` + leakSSN + `","dob":"` + leakDOB,
	"ssn as a number":   `{"meta":{},"data":{"type":"individual","compliance_profile":{"ssn":987654320,"dob":"` + leakDOB + `"}}}`,
	"dob as an object":  `{"meta":{},"data":{"type":"individual","compliance_profile":{"ssn":"` + leakSSN + `","dob":{"v":"` + leakDOB + `"}}}}`,
	"ein as an array":   `{"meta":{},"data":{"type":"business","compliance_profile":{"ein":["` + leakEIN + `"]}}}`,
	"ip as a bool":      `{"meta":{},"data":{"device":{"ip_address":true},"email":"` + leakIP + `"},"x":"` + leakSSN + `"}`,
	"dob as created_at": `{"meta":{},"data":{"created_at":"` + leakDOB + `","updated_at":"` + leakSSN + `"}}`,
	"data a string":     `{"meta":{},"data":"` + leakSSN + ` ` + leakKey + `"}`,
	"not JSON":          `SSN=` + leakSSN + `&DOB=` + leakDOB + `&EIN=` + leakEIN + `&IP=` + leakIP,
	"invalid UTF-8":     "{\"meta\":{},\"data\":{\"name\":\"\xff" + leakSSN + "\xfe\",\"compliance_profile\":{\"ssn\":[\"" + leakSSN + "\xc3\x28\"]}}}",
}

func leakCreateParams() *CreateCustomerParams {
	return &CreateCustomerParams{
		Name: "Sentinel Person", Type: CustomerTypeIndividual, Email: "sentinel@example.com", Phone: "+13175550100",
		IPAddress:  NewIPAddress(leakIP),
		Individual: &IndividualIdentity{SSN: NewSSN(leakSSN), DOB: NewDOB(leakDOB)},
	}
}

func leakBusinessParams() *CreateCustomerParams {
	return &CreateCustomerParams{
		Name: "Sentinel LLC", Type: CustomerTypeBusiness, Email: "books@sentinel.example.com", Phone: "+13175550101",
		IPAddress: NewIPAddress(leakIP),
		Business:  &BusinessIdentity{EIN: NewEIN(leakEIN), LegalBusinessName: "Sentinel LLC", Representatives: []Representative{{Name: "Rep"}}},
	}
}

func leakUpdateParams() *UpdateCustomerParams {
	return &UpdateCustomerParams{
		Name: "Sentinel Person", Email: "sentinel@example.com", Phone: "+13175550100", Status: CustomerStatusVerified,
		IPAddress:  NewIPAddress(leakIP),
		Individual: &IndividualIdentity{SSN: NewSSN(leakSSN), DOB: NewDOB(leakDOB)},
	}
}

// leakQuery is a list whose query string carries the sentinels.
func leakQuery() *ListParams {
	return &ListParams{SearchText: leakSSN, Name: leakDOB + " " + leakEIN, Email: leakIP + "@example.com"}
}

// leakValue is one value the sentinels reached.
type leakValue struct {
	name string
	v    any
}

// leakWorld is what a full run of the client with the sentinels produced.
type leakWorld struct {
	values []leakValue
	sent   []recorded  // every request the servers saw
	proof  func() bool // reports whether the sentinels really went in
}

// leakRun drives every operation, every failure mode and every validator
// with the sentinels, through clients that log to logger, and collects what
// came back.
func leakRun(t *testing.T, logger *slog.Logger) *leakWorld {
	t.Helper()
	ctx := context.Background()
	w := &leakWorld{}
	add := func(name string, v any) { w.values = append(w.values, leakValue{name, v}) }
	opts := []Option{WithAPIKey(leakKey), WithLogger(logger)}

	// The happy path: every operation, responses carrying the sentinels.
	maskedInd, maskedBus := sentinelFixture(t, "getCustomer.200.individual.json"), sentinelFixture(t, "createCustomer.201.business-masked.json")
	unmaskedInd, unmaskedBus := sentinelFixture(t, "getUnmaskedCustomer.200.individual.json"), sentinelFixture(t, "getUnmaskedCustomer.200.business.json")
	review := sentinelFixture(t, "getCustomerReview.200.full.json")
	happy := newHarness(t, func(rw http.ResponseWriter, r *http.Request) {
		business := strings.Contains(r.URL.Path, leakBusinessID)
		switch {
		case r.Method == http.MethodPost:
			writeJSON(rw, 201, maskedInd)
		case r.Method == http.MethodGet && r.URL.Path == "/v1/customers" && r.URL.Query().Get("page_number") == "2":
			writeJSON(rw, 200, respFixture(t, "listCustomers.200.page2-of-2.json"))
		case r.Method == http.MethodGet && r.URL.Path == "/v1/customers":
			writeJSON(rw, 200, respFixture(t, "listCustomers.200.page1-of-2.json"))
		case strings.HasSuffix(r.URL.Path, "/unmasked") && business:
			writeJSON(rw, 200, unmaskedBus)
		case strings.HasSuffix(r.URL.Path, "/unmasked"):
			writeJSON(rw, 200, unmaskedInd)
		case strings.HasSuffix(r.URL.Path, "/review") && r.Method == http.MethodGet:
			writeJSON(rw, 200, review)
		case strings.HasSuffix(r.URL.Path, "/refresh_review"):
			writeJSON(rw, 202, maskedInd)
		case business:
			writeJSON(rw, 200, maskedBus)
		default:
			writeJSON(rw, 200, maskedInd)
		}
	}, opts...)
	c := happy.client
	must := func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var resp Response
	add("*Customer", must(c.Customers.Create(ctx, leakCreateParams(), WithResponseInto(&resp))))
	add("Response", resp)
	add("*Response", &resp)
	add("*Customer (business)", must(c.Customers.Create(ctx, leakBusinessParams())))
	got := must(c.Customers.Get(ctx, knopeID)).(*Customer)
	add("Customer", *got)
	add("ComplianceProfile", *got.ComplianceProfile)
	add("MaskedIndividual", *got.ComplianceProfile.Individual)
	add("Device", *got.Device)
	add("Masked", got.ComplianceProfile.Individual.SSN)
	add("*Masked", &got.Device.IPAddress)
	bus := must(c.Customers.Get(ctx, leakBusinessID)).(*Customer)
	add("MaskedBusiness", *bus.ComplianceProfile.Business)
	add("*Customer (update)", must(c.Customers.Update(ctx, knopeID, leakUpdateParams())))
	u := must(c.Customers.Unmasked(ctx, knopeID)).(*UnmaskedCustomer)
	add("*UnmaskedCustomer", u)
	add("UnmaskedCustomer", *u)
	add("*UnmaskedComplianceProfile", u.ComplianceProfile)
	add("UnmaskedComplianceProfile", *u.ComplianceProfile)
	add("IndividualIdentity", *u.ComplianceProfile.Individual)
	add("*IndividualIdentity", u.ComplianceProfile.Individual)
	add("UnmaskedDevice", *u.Device)
	ub := must(c.Customers.Unmasked(ctx, leakBusinessID)).(*UnmaskedCustomer)
	add("*UnmaskedCustomer (business)", ub)
	add("BusinessIdentity", *ub.ComplianceProfile.Business)
	var edited *UpdateCustomerParams
	add("*Customer (edit)", must(c.Customers.Edit(ctx, knopeID, func(p *UpdateCustomerParams) error {
		edited = p
		p.Metadata = map[string]string{"edited": "yes"}
		return nil
	})))
	add("*UpdateCustomerParams (built by Edit)", edited)
	add("*CustomerPage", must(c.Customers.List(ctx, leakQuery())))
	for s, err := range c.Customers.All(ctx, leakQuery()) {
		add("*CustomerSummary", must(s, err))
	}
	r := must(c.Customers.Review.Get(ctx, knopeID)).(*CustomerReview)
	add("*CustomerReview", r)
	add("CustomerReview", *r)
	add("*Customer (decide)", must(c.Customers.Review.Decide(ctx, knopeID, CustomerStatusVerified)))
	add("*Customer (refresh)", must(c.Customers.Review.Refresh(ctx, knopeID)))
	add("*Customer (delete)", must(c.Customers.Delete(ctx, knopeID)))
	add("*Client", c)
	add("Client", *c)
	add("*CustomersService", c.Customers)

	// The service echoes the sentinels back in its error bodies.
	echo := newHarness(t, func(rw http.ResponseWriter, _ *http.Request) { writeJSON(rw, 422, leakEchoBody) }, opts...)
	for name, call := range map[string]func() error{
		"create": func() error { _, err := echo.client.Customers.Create(ctx, leakCreateParams()); return err },
		"update": func() error { _, err := echo.client.Customers.Update(ctx, knopeID, leakUpdateParams()); return err },
		"list":   func() error { _, err := echo.client.Customers.List(ctx, leakQuery()); return err },
	} {
		err := call()
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: err = %v, want *Error", name, err)
		}
		add("*Error from "+name, e)
		add("Error from "+name, *e)
		add("error chain from "+name, err)
	}

	// A hostile peer puts the sentinels in every field of the envelope, under
	// every status the predicates look at.
	for i, body := range append([][]byte{leakHostileBody}, leakFieldShapedBodies...) {
		for _, status := range []int{400, 404, 409, 422, 503} {
			hostile := newHarness(t, func(rw http.ResponseWriter, _ *http.Request) { writeJSON(rw, status, body) }, append(opts, WithMaxRetries(0))...)
			hostile.skip = func(*http.Response) bool { return true }
			_, err := hostile.client.Customers.Get(ctx, knopeID)
			var e *Error
			if !errors.As(err, &e) || e.RequestID == "" || e.Type == "" {
				t.Fatalf("hostile %d: err = %v, want *Error with the raw fields", status, err)
			}
			add(fmt.Sprintf("*Error from hostile body %d, status %d", i, status), e)
			add(fmt.Sprintf("Error from hostile body %d, status %d", i, status), *e)
		}
	}

	// 200 bodies whose numbers overflow: encoding/json would quote them.
	for name, body := range leakOverflowBodies {
		h := newHarness(t, func(rw http.ResponseWriter, _ *http.Request) { writeJSON(rw, 200, []byte(body)) }, opts...)
		h.skip = func(*http.Response) bool { return true }
		var err error
		switch name {
		case "list":
			_, err = h.client.Customers.List(ctx, nil)
		case "review":
			_, err = h.client.Customers.Review.Get(ctx, knopeID)
		default:
			_, err = h.client.Customers.Get(ctx, knopeID)
		}
		var de *DecodeError
		if !errors.As(err, &de) || (name != "get" && de.RequestID == "") {
			t.Fatalf("%s: err = %v, want *DecodeError with the raw request id", name, err)
		}
		add("*DecodeError (overflow "+name+")", de)
		add("decode error chain (overflow "+name+")", err)
	}

	// JSON of an unmasked customer decoded back: refused, naming no value.
	b, err := json.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	var placeholder *PlaceholderError
	if !errors.As(json.Unmarshal(b, &UnmaskedCustomer{}), &placeholder) {
		t.Fatal("the JSON of an unmasked customer decoded back")
	}
	add("*PlaceholderError", placeholder)
	_, parseErr := ParseSSN(leakSSN + "0")
	add("ParseSSN error", parseErr)
	badList := leakBusinessParams()
	badList.Type, badList.Phone, badList.IPAddress = CustomerTypeIndividual, leakSSN, NewIPAddress(leakIP+"/24")
	add("ValidationErrors (many)", badList.Validate())

	// An account that cannot unmask: Edit refuses to clear the masked fields.
	noUnmask := newHarness(t, func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/unmasked") {
			writeJSON(rw, 403, respFixture(t, "getUnmaskedCustomer.403.forbidden.json"))
			return
		}
		writeJSON(rw, 200, maskedInd)
	}, opts...)
	_, err = noUnmask.client.Customers.Edit(ctx, knopeID, func(*UpdateCustomerParams) error { return nil })
	var mf *MaskedFieldsError
	if !errors.As(err, &mf) {
		t.Fatalf("edit without unmasking: err = %v, want *MaskedFieldsError", err)
	}
	add("*MaskedFieldsError", mf)

	// 200 bodies that carry the sentinels but do not decode.
	for name, body := range leakMalformedBodies {
		h := newHarness(t, func(rw http.ResponseWriter, _ *http.Request) { writeJSON(rw, 200, []byte(body)) }, opts...)
		h.skip = func(*http.Response) bool { return true }
		_, err := h.client.Customers.Unmasked(ctx, knopeID)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("%s: err = %v, want *DecodeError", name, err)
		}
		add("*DecodeError ("+name+")", de)
	}

	// Transport failures on a list whose query string holds the sentinels.
	down := newHarness(t, func(http.ResponseWriter, *http.Request) {}, append(opts, WithMaxRetries(1))...)
	down.srv.Close()
	_, err = down.client.Customers.List(ctx, leakQuery())
	if err == nil {
		t.Fatal("a list against a closed server succeeded")
	}
	add("transport error (connection refused)", err)
	slow := newHarness(t, func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, opts...)
	_, err = slow.client.Customers.List(ctx, leakQuery(), WithMaxRetries(0), WithAttemptTimeout(20*time.Millisecond))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a list that timed out: err = %v", err)
	}
	add("transport error (attempt timeout)", err)

	// Validation refusing sentinel-bearing input; nothing is sent.
	refused := newHarness(t, func(rw http.ResponseWriter, r *http.Request) {
		t.Errorf("invalid input was sent: %s %s", r.Method, r.URL.Path)
	}, opts...)
	rc := refused.client
	badPhone := leakCreateParams()
	badPhone.Phone = "555-0100"
	badPII := leakBusinessParams()
	badPII.Type, badPII.Phone = CustomerTypeIndividual, leakSSN
	badPII.Individual = &IndividualIdentity{SSN: NewSSN(leakSSN + " "), DOB: NewDOB(leakDOB + "T00:00:00Z")}
	badPII.Business.EIN = NewEIN(leakEIN + "-0")
	badPII.IPAddress = NewIPAddress(leakIP + "/24")
	badPII.Email = leakSSN + "@" + leakIP
	badUpdate := leakUpdateParams()
	badUpdate.Individual.SSN, badUpdate.IPAddress = NewSSN("x"+leakSSN), NewIPAddress("::ffff:"+leakIP)
	for name, call := range map[string]func() error{
		"create with a bad phone": func() error { _, err := rc.Customers.Create(ctx, badPhone); return err },
		"create with bad PII":     func() error { _, err := rc.Customers.Create(ctx, badPII); return err },
		"update with bad PII":     func() error { _, err := rc.Customers.Update(ctx, knopeID, badUpdate); return err },
		"update with a bad id":    func() error { _, err := rc.Customers.Update(ctx, leakSSN, leakUpdateParams()); return err },
		"list with a bad page":    func() error { q := leakQuery(); q.PageSize = 1001; _, err := rc.Customers.List(ctx, q); return err },
		"get with the SSN as id":  func() error { _, err := rc.Customers.Get(ctx, leakSSN); return err },
		"key as idempotency key": func() error {
			_, err := rc.Customers.Create(ctx, leakCreateParams(), WithIdempotencyKey(leakKey+strings.Repeat("x", 20)))
			return err
		},
		"key in a header": func() error {
			_, err := rc.Customers.Get(ctx, knopeID, WithHeader("X-Api-Key", leakKey+"\n"))
			return err
		},
	} {
		err := call()
		var v *ValidationError
		if !errors.As(err, &v) {
			t.Fatalf("%s: err = %v, want *ValidationError", name, err)
		}
		add("*ValidationError ("+name+")", v)
		add("validation error chain ("+name+")", err)
	}
	for name, opt := range map[string]Option{
		"key with a space":     WithAPIKey(leakKey + " x"),
		"key in the base URL":  WithBaseURL("https://user:" + leakKey + "@sandbox.straddle.com"),
		"key in the URL query": WithBaseURL("https://sandbox.straddle.com/?key=" + leakKey),
	} {
		_, err := NewClient(WithAPIKey(leakKey), opt)
		if err == nil {
			t.Fatalf("NewClient with the %s succeeded", name)
		}
		add("NewClient error ("+name+")", err)
	}

	// Groupings of the values gathered so far.
	var all []any
	byName := map[string]any{}
	for _, lv := range w.values {
		all = append(all, lv.v)
		byName[lv.name] = lv.v
	}
	add("[]any of everything", all)
	add("map[string]any of everything", byName)
	add("[]UnmaskedCustomer", []UnmaskedCustomer{*u, *ub})
	add("map[string]*UnmaskedCustomer", map[string]*UnmaskedCustomer{"ind": u, "bus": ub})
	add("[]*CreateCustomerParams", []*CreateCustomerParams{leakCreateParams(), leakBusinessParams()})
	add("CreateCustomerParams", *leakCreateParams())
	add("*UpdateCustomerParams", leakUpdateParams())
	add("map[SSN]DOB", map[SSN]DOB{NewSSN(leakSSN): NewDOB(leakDOB)})
	add("[]EIN and IPAddress", []any{NewEIN(leakEIN), NewIPAddress(leakIP)})
	ssn, dob, ein, ip := NewSSN(leakSSN), NewDOB(leakDOB), NewEIN(leakEIN), NewIPAddress(leakIP)
	add("*SSN", &ssn)
	add("*DOB", &dob)
	add("*EIN", &ein)
	add("*IPAddress", &ip)

	for _, h := range []*harness{happy, echo, noUnmask, refused} {
		w.sent = append(w.sent, h.reqs()...)
	}
	w.proof = func() bool {
		echoed, keyTyped, nameTyped := false, false, false
		for _, lv := range w.values {
			if e, ok := lv.v.(*Error); ok {
				echoed = echoed || strings.Contains(e.Detail, leakSSN)
				keyTyped = keyTyped || (e.Type == leakTypeKey && len(e.Items) == 3 && e.Items[2].Reference == leakDotName)
				nameTyped = nameTyped || e.Type == "/"+leakSnakeKey
			}
		}
		return u.ComplianceProfile.Individual.SSN.Reveal() == leakSSN && ub.ComplianceProfile.Business.EIN.Reveal() == leakEIN &&
			reveal(got.ComplianceProfile.Individual.SSN.v) == leakSSN && edited.Individual.DOB.Reveal() == leakDOB &&
			edited.IPAddress.Reveal() == leakIP && echoed && keyTyped && nameTyped
	}
	return w
}

// leakChannel renders a value the way one output channel would.
type leakChannel struct {
	name   string
	render func(t *testing.T, v any) []string
}

func slogChannel(name string, newHandler func(io.Writer) slog.Handler) leakChannel {
	return leakChannel{name, func(t *testing.T, v any) []string {
		var buf bytes.Buffer
		logger := slog.New(newHandler(&buf))
		logger.Debug("value", "v", v)
		logger.Debug("group", slog.Group("g", slog.Any("v", v)))
		logger.With("with", v).Debug("with")
		logger.Error("error level", "err", v)
		return []string{buf.String()}
	}}
}

// recovered runs panic(v) and returns what recover gives.
func recovered(v any) (r any) {
	defer func() { r = recover() }()
	panic(v)
}

// runtimeText is how the runtime prints a panic value: Error or String if it
// has them, Go syntax for basic kinds, and a type and address for the rest.
func runtimeText(r any) string {
	switch x := r.(type) {
	case error:
		return x.Error()
	case fmt.Stringer:
		return x.String()
	case string:
		return x
	}
	return fmt.Sprintf("(%T) %p", r, &r)
}

var leakChannels = []leakChannel{
	{"fmt", func(_ *testing.T, v any) []string {
		out := []string{fmt.Sprint(v), fmt.Sprintln(v), fmt.Sprint(&v)}
		for _, verb := range leakVerbs {
			out = append(out, fmt.Sprintf(verb, v))
		}
		return out
	}},
	slogChannel("slog text", func(w io.Writer) slog.Handler {
		return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
	}),
	slogChannel("slog JSON", func(w io.Writer) slog.Handler {
		return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
	}),
	{"JSON", func(t *testing.T, v any) []string {
		b, err := json.Marshal(v)
		var unsupported *json.UnsupportedTypeError
		if err != nil && !errors.As(err, &unsupported) {
			t.Errorf("JSON: %v", err)
		}
		return []string{string(b), fmt.Sprint(err)}
	}},
	{"error string", func(_ *testing.T, v any) []string {
		err, ok := v.(error)
		if !ok {
			return nil
		}
		out := []string{err.Error(), fmt.Errorf("caller: %w", err).Error(), errors.Join(err, io.EOF).Error()}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			out = append(out, e.Error())
		}
		return out
	}},
	{"panic", func(_ *testing.T, v any) []string {
		var out []string
		for _, r := range []any{recovered(v), recovered(fmt.Sprint(v)), recovered(fmt.Sprintf("%+v", v))} {
			out = append(out, runtimeText(r), fmt.Sprint(r), fmt.Sprintf("%#v", r))
		}
		return out
	}},
}

func TestSentinelsNeverLeak(t *testing.T) {
	for _, h := range []struct {
		name string
		new  func(io.Writer) slog.Handler
	}{
		{"text", func(w io.Writer) slog.Handler {
			return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
		}},
		{"JSON", func(w io.Writer) slog.Handler {
			return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
		}},
	} {
		t.Run("client logs "+h.name, func(t *testing.T) {
			var buf syncBuffer
			w := leakRun(t, slog.New(h.new(&buf)))
			if !w.proof() {
				t.Fatal("the sentinels did not reach the models: the proof would be vacuous")
			}
			checkSentinelsSent(t, w.sent)
			out := buf.String()
			if strings.Count(out, "straddle: request") < 20 {
				t.Fatalf("too few attempts logged:\n%s", out)
			}
			assertNoLeak(t, "the client's "+h.name+" log", out)
		})
	}
	var discard bytes.Buffer
	w := leakRun(t, slog.New(slog.NewTextHandler(&discard, nil)))
	for _, lv := range w.values {
		t.Run(lv.name, func(t *testing.T) {
			for _, ch := range leakChannels {
				for i, out := range ch.render(t, lv.v) {
					assertNoLeak(t, fmt.Sprintf("%s #%d", ch.name, i), out)
				}
			}
		})
	}
}

// checkSentinelsSent proves the sentinels went out where they belong: the
// key in Authorization, the personal values in request bodies, the search in
// the query string. A leak test whose values never left would prove nothing.
func checkSentinelsSent(t *testing.T, sent []recorded) {
	t.Helper()
	var auth, body, query bool
	for _, r := range sent {
		auth = auth || r.Header.Get("Authorization") == "Bearer "+leakKey
		body = body || (bytes.Contains(r.Body, []byte(leakSSN)) && bytes.Contains(r.Body, []byte(leakIP)))
		query = query || strings.Contains(r.RawQuery, "search_text="+leakSSN)
	}
	if !auth || !body || !query {
		t.Fatalf("sentinels sent: key %v, body %v, query %v", auth, body, query)
	}
}

// crashValues are the values the crash test panics with, built without a
// server: decoded, constructed and refused as the client would.
func crashValues(t *testing.T) map[string]any {
	var u UnmaskedCustomer
	if _, err := decodeEnvelope(sentinelFixture(t, "getUnmaskedCustomer.200.individual.json"), nil, &u, nil); err != nil {
		t.Fatal(err)
	}
	e, _ := newError(422, http.Header{}, leakEchoBody)
	c, err := NewClient(WithAPIKey(leakKey))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"UnmaskedCustomer":  u,
		"*UnmaskedCustomer": &u,
		"params":            *leakCreateParams(),
		"*Error":            e,
		"Error":             *e,
		"SSN":               NewSSN(leakSSN),
		"*Client":           c,
		"fmt.Sprint":        fmt.Sprint(u, leakCreateParams(), e),
	}
}

// TestSentinelsNeverInCrashOutput lets each value crash a child process and
// checks what the runtime printed: the panic value and the goroutine trace.
func TestSentinelsNeverInCrashOutput(t *testing.T) {
	if name := os.Getenv("STRADDLE_LEAK_PANIC"); name != "" {
		panic(crashValues(t)[name])
	}
	names := make([]string, 0)
	for name := range crashValues(t) {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSentinelsNeverInCrashOutput$", "-test.count=1")
			cmd.Env = append(os.Environ(), "STRADDLE_LEAK_PANIC="+name, "GOTRACEBACK=all")
			out, err := cmd.CombinedOutput()
			if err == nil || !bytes.Contains(out, []byte("panic: ")) {
				t.Fatalf("the child did not crash (%v):\n%s", err, out)
			}
			assertNoLeak(t, "crash output", string(out))
		})
	}
}
