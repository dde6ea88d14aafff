package straddletest_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// refusal is a request the API refuses, the status and the field it names.
type refusal struct {
	name         string
	method, path string
	body         any
	headers      []string
	status       int
	refs         []string
	// specValid marks requests the spec allows but the service refuses.
	specValid bool
	// secret is a value sent that must not come back in the error.
	secret string
}

func refusals(t *testing.T, id string) []refusal {
	ind := individual(t, "x@example.com")
	profile := func(ssn, dob string) map[string]any { return map[string]any{"ssn": ssn, "dob": dob} }
	update := fixture(t, "updateCustomer.full.json")
	meta := map[string]any{}
	for i := range 21 {
		meta[fmt.Sprintf("k%d", i)] = "v"
	}
	return []refusal{
		{name: "path id not a uuid", method: "GET", path: "/v1/customers/cus_123", status: 400, refs: []string{"id"}},
		{name: "bad email", method: "POST", path: "/v1/customers", body: with(ind, "email", "not-an-email"), status: 400, refs: []string{"email"}, secret: "not-an-email"},
		{name: "missing phone", method: "POST", path: "/v1/customers", body: with(ind, "phone", nil), status: 400, refs: []string{"phone"}},
		{name: "missing everything", method: "POST", path: "/v1/customers", body: map[string]any{}, status: 400, refs: []string{"device", "email", "name", "phone", "type"}},
		{name: "unknown field", method: "POST", path: "/v1/customers", body: with(ind, "nickname", "Les"), status: 400, refs: []string{"nickname"}},
		{name: "bad type", method: "POST", path: "/v1/customers", body: with(ind, "type", "person"), status: 400, refs: []string{"type"}},
		{name: "masked ssn sent back", method: "POST", path: "/v1/customers", body: with(ind, "compliance_profile", profile("***-**-****", "1975-01-18")), status: 400, refs: []string{"compliance_profile.ssn"}},
		{name: "masked dob and ssn", method: "POST", path: "/v1/customers", body: with(ind, "compliance_profile", profile("***-**-****", "****-**-**")), status: 400, refs: []string{"compliance_profile.dob", "compliance_profile.ssn"}},
		{name: "short ssn", method: "POST", path: "/v1/customers", body: with(ind, "compliance_profile", profile("123-45-678", "1975-01-18")), status: 400, refs: []string{"compliance_profile.ssn"}, secret: "123-45-678"},
		{name: "impossible dob", method: "POST", path: "/v1/customers", body: with(ind, "compliance_profile", profile("123-45-6789", "1975-13-45")), status: 400, refs: []string{"compliance_profile.dob"}, secret: "1975-13-45"},
		{name: "profile missing dob", method: "POST", path: "/v1/customers", body: with(ind, "compliance_profile", map[string]any{"ssn": "123-45-6789"}), status: 400, refs: []string{"compliance_profile.dob"}},
		{name: "bad ein", method: "POST", path: "/v1/customers", body: with(business(t, "b@example.com"), "compliance_profile", map[string]any{"ein": "123456789", "legal_business_name": "B"}), status: 400, refs: []string{"compliance_profile.ein"}, secret: "123456789"},
		{name: "bad ip", method: "POST", path: "/v1/customers", body: with(ind, "device", map[string]any{"ip_address": "300.1.2.3"}), status: 400, refs: []string{"device.ip_address"}, secret: "300.1.2.3"},
		{name: "bad phone", method: "POST", path: "/v1/customers", body: with(ind, "phone", "5551234"), status: 400, refs: []string{"phone"}},
		{name: "bad state", method: "POST", path: "/v1/customers", body: with(ind, "address", map[string]any{"address1": "1 A St", "city": "X", "state": "in", "zip": "12345"}), status: 400, refs: []string{"address.state"}},
		{name: "bad sandbox outcome", method: "POST", path: "/v1/customers", body: with(ind, "config", map[string]any{"sandbox_outcome": "maybe"}), status: 400, refs: []string{"config.sandbox_outcome"}},
		{name: "too much metadata", method: "POST", path: "/v1/customers", body: with(ind, "metadata", meta), status: 400, refs: []string{"metadata"}},
		{name: "metadata value too long", method: "POST", path: "/v1/customers", body: with(ind, "metadata", map[string]any{"k": strings.Repeat("v", 41)}), status: 400, refs: []string{"metadata.k"}},
		{name: "metadata key too long", method: "POST", path: "/v1/customers", body: with(ind, "metadata", map[string]any{strings.Repeat("k", 41): "v"}), status: 400, refs: []string{"metadata"}, specValid: true},
		{name: "wrong content type", method: "POST", path: "/v1/customers", body: `{"name":"x"}`, headers: []string{"Content-Type", "text/plain"}, status: 400, refs: []string{"Content-Type"}},
		{name: "malformed JSON", method: "POST", path: "/v1/customers", body: `{"name":`, status: 400, refs: []string{"body"}},
		{name: "empty body", method: "POST", path: "/v1/customers", body: "", status: 400, refs: []string{"body"}},
		{name: "JSON array", method: "POST", path: "/v1/customers", body: `[]`, status: 400, refs: []string{"body"}},
		{name: "bad account header", method: "GET", path: "/v1/customers", headers: []string{"Straddle-Account-Id", "acct_1"}, status: 400, refs: []string{"Straddle-Account-Id"}},
		{name: "page_number not a number", method: "GET", path: "/v1/customers?page_number=abc", status: 400, refs: []string{"page_number"}},
		{name: "unknown status filter", method: "GET", path: "/v1/customers?status=approved", status: 400, refs: []string{"status"}},
		{name: "unknown sort", method: "GET", path: "/v1/customers?sort_by=email", status: 400, refs: []string{"sort_by"}},
		{name: "bad created_from", method: "GET", path: "/v1/customers?created_from=yesterday", status: 400, refs: []string{"created_from"}},
		{name: "update without status", method: "PUT", path: "/v1/customers/" + id, body: with(update, "status", nil), status: 400, refs: []string{"status"}},
		{name: "update with type", method: "PUT", path: "/v1/customers/" + id, body: with(update, "type", "individual"), status: 400, refs: []string{"type"}},
		{name: "update with config", method: "PUT", path: "/v1/customers/" + id, body: with(update, "config", map[string]any{}), status: 400, refs: []string{"config"}},
		{name: "decision not allowed", method: "PATCH", path: "/v1/customers/" + id + "/review", body: map[string]any{"status": "review"}, status: 400, refs: []string{"status"}},
		{name: "decision missing", method: "PATCH", path: "/v1/customers/" + id + "/review", body: map[string]any{}, status: 400, refs: []string{"status"}},
	}
}

func TestSpecForbiddenRequestsGetTheAPIsErrors(t *testing.T) {
	srv, strict := newEnv(t)
	id := strict.create(individual(t, "exists@example.com")).ID
	c := newClient(t, srv, false)
	for _, tc := range refusals(t, id) {
		t.Run(tc.name, func(t *testing.T) {
			res := c.do(tc.method, tc.path, tc.body, tc.headers...)
			if res.status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.status, tc.status, res.body)
			}
			e := res.apiError(t)
			if e.Type != "/bad_request" || e.Title != "Bad Request" {
				t.Errorf("type %q title %q", e.Type, e.Title)
			}
			refs := e.references()
			slices.Sort(refs)
			if !slices.Equal(refs, tc.refs) {
				t.Errorf("references %v, want %v (%s)", refs, tc.refs, res.body)
			}
			for _, it := range e.Items {
				if it.Detail == "" {
					t.Errorf("item %v has no detail", *it.Reference)
				}
			}
			if tc.secret != "" && strings.Contains(string(res.body), tc.secret) {
				t.Errorf("the error echoes the value sent: %s", res.body)
			}
			if got := len(c.takeViolations()) > 0; got == tc.specValid {
				t.Errorf("client-side validator found a violation: %v; the spec allows this request: %v", got, tc.specValid)
			}
		})
	}
	if n := srv.CustomerCount(""); n != 1 {
		t.Errorf("CustomerCount %d: a refused request had an effect", n)
	}
}

// Without spec validation the emulator still refuses what it cannot serve,
// with the same envelope, and never answers 500.
func TestRequestsWithoutValidation(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithValidation(false))
	c := newClient(t, srv, false)
	created := c.do("POST", "/v1/customers", individual(t, "nv@example.com")).want(t, http.StatusCreated).customer(t)
	if len(c.takeViolations()) > 0 {
		t.Fatal("a valid request was flagged")
	}
	c.do("GET", "/v1/customers/"+created.ID, nil).want(t, http.StatusOK)
	ind := individual(t, "x@example.com")
	update := fixture(t, "updateCustomer.full.json")
	cases := []refusal{
		{name: "missing fields", method: "POST", path: "/v1/customers", body: map[string]any{"config": map[string]any{"sandbox_outcome": "x", "processing_method": "y"}},
			refs: []string{"config.processing_method", "config.sandbox_outcome", "device", "email", "name", "phone", "type"}},
		{name: "bad type", method: "POST", path: "/v1/customers", body: with(ind, "type", "person"), refs: []string{"type"}},
		{name: "mixed profile", method: "POST", path: "/v1/customers", body: with(ind, "compliance_profile", map[string]any{"ssn": "123-45-6789", "ein": "12-3456789"}), refs: []string{"compliance_profile"}},
		{name: "empty profile", method: "POST", path: "/v1/customers", body: with(ind, "compliance_profile", map[string]any{}), refs: []string{"compliance_profile"}},
		{name: "profile not an object", method: "POST", path: "/v1/customers", body: with(ind, "compliance_profile", "x"), refs: []string{"compliance_profile"}},
		{name: "metadata key too long", method: "POST", path: "/v1/customers", body: with(ind, "metadata", map[string]any{strings.Repeat("k", 41): "v"}), refs: []string{"metadata"}},
		{name: "malformed JSON", method: "POST", path: "/v1/customers", body: `{`, refs: []string{"body"}},
		{name: "bad path id", method: "GET", path: "/v1/customers/nope", refs: []string{"id"}},
		{name: "bad account", method: "GET", path: "/v1/customers", headers: []string{"Straddle-Account-Id", "acct"}, refs: []string{"Straddle-Account-Id"}},
		{name: "list params", method: "GET", path: "/v1/customers?page_size=1001&page_number=x&sort_by=a&sort_order=b&created_from=c&created_to=d&status=e&types=f",
			refs: []string{"created_from", "created_to", "page_number", "page_size", "sort_by", "sort_order", "status", "types"}},
		{name: "update status", method: "PUT", path: "/v1/customers/" + created.ID, body: with(update, "status", "gone"), refs: []string{"status"}},
		{name: "update without status", method: "PUT", path: "/v1/customers/" + created.ID, body: with(update, "status", nil), refs: []string{"status"}},
		{name: "decision", method: "PATCH", path: "/v1/customers/" + created.ID + "/review", body: map[string]any{"status": "x"}, refs: []string{"status"}},
		{name: "decision not JSON", method: "PATCH", path: "/v1/customers/" + created.ID + "/review", body: "x", refs: []string{"body"}},
	}
	for _, tc := range cases {
		res := c.do(tc.method, tc.path, tc.body, tc.headers...)
		if res.status != http.StatusBadRequest {
			t.Errorf("%s: status %d: %s", tc.name, res.status, res.body)
			continue
		}
		refs := res.apiError(t).references()
		slices.Sort(refs)
		if !slices.Equal(refs, tc.refs) {
			t.Errorf("%s: references %v, want %v", tc.name, refs, tc.refs)
		}
	}
	if srv.CustomerCount("") != 1 {
		t.Errorf("CustomerCount %d", srv.CustomerCount(""))
	}
}
