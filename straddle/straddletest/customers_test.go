package straddletest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

func TestCreateIndividual(t *testing.T) {
	clock := newClock()
	srv, c := newEnv(t, straddletest.WithClock(clock.Now))
	res := c.do("POST", "/v1/customers", individual(t, "leslie@example.com")).want(t, http.StatusCreated)
	env := res.envelope(t)
	if env.ResponseType != "object" {
		t.Errorf("response_type %q", env.ResponseType)
	}
	if id, _ := env.Meta["api_request_id"].(string); !anyUUID.MatchString(id) {
		t.Errorf("meta.api_request_id %q is not a UUID", id)
	}
	if ts, _ := env.Meta["api_request_timestamp"].(string); ts != "2026-07-07T06:21:43.8306543Z" {
		t.Errorf("meta.api_request_timestamp %q, want the clock's time with 7 fractional digits", ts)
	}
	got := res.customer(t)
	if !uuidV7.MatchString(got.ID) {
		t.Errorf("id %q is not a UUIDv7", got.ID)
	}
	if got.Status != "verified" {
		t.Errorf("status %q, want verified (complete identity data, standard outcome)", got.Status)
	}
	if got.CreatedAt != "2026-07-07T06:21:43.8306543Z" || got.UpdatedAt != got.CreatedAt {
		t.Errorf("created_at %q updated_at %q", got.CreatedAt, got.UpdatedAt)
	}
	wantProfile := map[string]any{"ssn": "***-**-****", "dob": "****-**-**"}
	if !reflect.DeepEqual(got.ComplianceProfile, wantProfile) {
		t.Errorf("compliance_profile %v, want masked %v", got.ComplianceProfile, wantProfile)
	}
	if got.Device["ip_address"] != "**.**.**.**" {
		t.Errorf("device %v, want masked", got.Device)
	}
	if want := map[string]string{"sandbox_outcome": "standard", "processing_method": "inline"}; !reflect.DeepEqual(got.Config, want) {
		t.Errorf("config %v, want %v", got.Config, want)
	}
	if got.Name != "Leslie Knope" || got.Email != "leslie@example.com" || got.Phone != "+13175550142" ||
		got.ExternalID == nil || *got.ExternalID != "cust_00042" || got.Metadata["crm_segment"] != "civic" ||
		got.Address["zip"] != "47998-0100" {
		t.Errorf("fields not stored as sent: %+v", got)
	}
	if n := srv.CustomerCount(""); n != 1 {
		t.Errorf("CustomerCount %d, want 1", n)
	}

	fetched := c.do("GET", "/v1/customers/"+got.ID, nil).want(t, http.StatusOK).customer(t)
	if !reflect.DeepEqual(fetched, got) {
		t.Errorf("get returned\n%+v\nwant the created customer\n%+v", fetched, got)
	}
}

func TestCreateBusinessMasksOnlyTheEIN(t *testing.T) {
	_, c := newEnv(t)
	body := with(business(t, "acme@example.com"), "config", map[string]any{"sandbox_outcome": "standard"})
	got := c.create(body)
	if got.Status != "verified" {
		t.Errorf("status %q, want verified", got.Status)
	}
	p := got.ComplianceProfile
	if p["ein"] != "**-*******" || p["legal_business_name"] != "Acme Anvils LLC" || p["website"] != "https://www.acme.example.com" {
		t.Errorf("compliance_profile %v", p)
	}
	if reps, _ := p["representatives"].([]any); len(reps) != 2 {
		t.Errorf("representatives %v", p["representatives"])
	}
}

func TestCreateOutcomes(t *testing.T) {
	profile := func(ssn, dob any) map[string]any { return map[string]any{"ssn": ssn, "dob": dob} }
	bizProfile := func(ein, name any) map[string]any { return map[string]any{"ein": ein, "legal_business_name": name} }
	cases := []struct {
		name string
		body func(t *testing.T) map[string]any
		want string
	}{
		{"sandbox verified", func(t *testing.T) map[string]any {
			return with(minimal(t, "a@example.com"), "config", map[string]any{"sandbox_outcome": "verified"})
		}, "verified"},
		{"sandbox review", func(t *testing.T) map[string]any {
			return with(individual(t, "a@example.com"), "config", map[string]any{"sandbox_outcome": "review"})
		}, "review"},
		{"sandbox rejected", func(t *testing.T) map[string]any {
			return with(individual(t, "a@example.com"), "config", map[string]any{"sandbox_outcome": "rejected"})
		}, "rejected"},
		{"standard without profile", func(t *testing.T) map[string]any { return minimal(t, "a@example.com") }, "review"},
		{"standard with null dob", func(t *testing.T) map[string]any {
			return with(individual(t, "a@example.com"), "compliance_profile", profile("123-45-6789", nil))
		}, "review"},
		{"standard with null profile", func(t *testing.T) map[string]any {
			return with(individual(t, "a@example.com"), "compliance_profile", nil)
		}, "review"},
		{"ssn area 666", func(t *testing.T) map[string]any {
			return with(individual(t, "a@example.com"), "compliance_profile", profile("666-12-3456", "1980-01-01"))
		}, "rejected"},
		{"ssn area 9xx", func(t *testing.T) map[string]any {
			return with(individual(t, "a@example.com"), "compliance_profile", profile("912-12-3456", "1980-01-01"))
		}, "rejected"},
		{"ssn group 00", func(t *testing.T) map[string]any {
			return with(individual(t, "a@example.com"), "compliance_profile", profile("123-00-3456", "1980-01-01"))
		}, "rejected"},
		{"ssn serial 0000", func(t *testing.T) map[string]any {
			return with(individual(t, "a@example.com"), "compliance_profile", profile("123-45-0000", "1980-01-01"))
		}, "rejected"},
		{"business complete", func(t *testing.T) map[string]any {
			return with(business(t, "a@example.com"), "config", nil)
		}, "verified"},
		{"business ein 00", func(t *testing.T) map[string]any {
			return with(business(t, "a@example.com"), "config", nil, "compliance_profile", bizProfile("00-1234567", "Acme LLC"))
		}, "rejected"},
		{"business without legal name", func(t *testing.T) map[string]any {
			return with(business(t, "a@example.com"), "config", nil, "compliance_profile", bizProfile("12-3456789", nil))
		}, "review"},
		{"business without profile", func(t *testing.T) map[string]any {
			return with(business(t, "a@example.com"), "config", nil, "compliance_profile", nil)
		}, "review"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, c := newEnv(t)
			got := c.create(tc.body(t))
			if got.Status != tc.want {
				t.Errorf("status %q, want %q", got.Status, tc.want)
			}
			again := c.do("GET", "/v1/customers/"+got.ID, nil).want(t, http.StatusOK).customer(t)
			if again.Status != tc.want {
				t.Errorf("stored status %q, want %q", again.Status, tc.want)
			}
		})
	}
}

func TestCreateInBackgroundShowsPendingThenTheOutcome(t *testing.T) {
	_, c := newEnv(t)
	got := c.create(with(individual(t, "bg@example.com"), "config", map[string]any{"processing_method": "background"}))
	if got.Status != "pending" || got.Config["processing_method"] != "background" {
		t.Errorf("status %q config %v, want pending and background", got.Status, got.Config)
	}
	if st := c.do("GET", "/v1/customers/"+got.ID, nil).customer(t).Status; st != "verified" {
		t.Errorf("status after the checks %q, want verified", st)
	}
}

func TestDuplicateEmail(t *testing.T) {
	other := "0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f"
	srv, c := newEnv(t, straddletest.WithPlatform(straddletest.DefaultAPIKey, other))
	c.create(individual(t, "ron@example.com"))
	res := c.do("POST", "/v1/customers", minimal(t, "RON@example.com")).want(t, http.StatusUnprocessableEntity)
	e := res.apiError(t)
	if e.Type != "/validation_error" || e.Title != "Validation Failed" || e.Detail == nil ||
		*e.Detail != "Email 'RON@example.com' already exists and must be unique." {
		t.Errorf("error %+v", e)
	}
	c.create(minimal(t, "ron@example.com"), "Straddle-Account-Id", other)
	if srv.CustomerCount("") != 1 || srv.CustomerCount(other) != 1 {
		t.Errorf("counts %d and %d, want 1 in each account", srv.CustomerCount(""), srv.CustomerCount(other))
	}
}

func TestCreateProfileOfTheOtherType(t *testing.T) {
	_, c := newEnv(t)
	body := with(individual(t, "x@example.com"), "compliance_profile", map[string]any{"ein": "12-3456789", "legal_business_name": "X LLC"})
	e := c.do("POST", "/v1/customers", body).want(t, http.StatusUnprocessableEntity).apiError(t)
	if refs := e.references(); len(refs) != 1 || refs[0] != "compliance_profile" {
		t.Errorf("references %v, want compliance_profile", refs)
	}
}

func TestDelete(t *testing.T) {
	srv, c := newEnv(t)
	created := c.create(individual(t, "gone@example.com"))
	deleted := c.do("DELETE", "/v1/customers/"+created.ID, nil).want(t, http.StatusOK).customer(t)
	if !reflect.DeepEqual(deleted, created) {
		t.Errorf("delete returned %+v, want the customer %+v", deleted, created)
	}
	if srv.CustomerCount("") != 0 {
		t.Errorf("CustomerCount %d after delete", srv.CustomerCount(""))
	}
	for _, path := range []string{"", "/review", "/unmasked"} {
		e := c.do("GET", "/v1/customers/"+created.ID+path, nil).want(t, http.StatusNotFound).apiError(t)
		if e.Type != "/not_found" || e.Title != "Not Found" || e.Detail == nil || *e.Detail != "Customer not found." {
			t.Errorf("GET %s: error %+v", path, e)
		}
	}
	c.do("DELETE", "/v1/customers/"+created.ID, nil).want(t, http.StatusNotFound).apiError(t)
	c.create(individual(t, "gone@example.com"))
}

func TestUpdateReplacesEveryField(t *testing.T) {
	clock := newClock()
	_, c := newEnv(t, straddletest.WithClock(clock.Now))
	created := c.create(individual(t, "knope@example.com"))
	clock.Advance(time.Hour)
	update := map[string]any{
		"name": "Leslie Knope", "email": "knope@example.com", "phone": "+13175550142",
		"device": map[string]any{"ip_address": "203.0.113.42"}, "status": "inactive",
	}
	got := c.do("PUT", "/v1/customers/"+created.ID, update).want(t, http.StatusOK).customer(t)
	if got.Status != "inactive" {
		t.Errorf("status %q, want inactive", got.Status)
	}
	if got.Address != nil || got.ComplianceProfile != nil || got.ExternalID != nil || got.Metadata != nil {
		t.Errorf("fields left out were not cleared: %+v", got)
	}
	if got.CreatedAt != created.CreatedAt || got.UpdatedAt != "2026-07-07T07:21:43.8306543Z" {
		t.Errorf("created_at %q updated_at %q", got.CreatedAt, got.UpdatedAt)
	}
	if got.Type != "individual" || !reflect.DeepEqual(got.Config, created.Config) {
		t.Errorf("type %q config %v changed", got.Type, got.Config)
	}

	full := fixture(t, "updateCustomer.full.json")
	full["email"] = "knope@example.com"
	got = c.do("PUT", "/v1/customers/"+created.ID, full).want(t, http.StatusOK).customer(t)
	if got.Name != "Leslie Knope-Wyatt" || got.Metadata["married"] != "true" || got.Address["address1"] != "221 Elm St" ||
		got.ComplianceProfile["ssn"] != "***-**-****" {
		t.Errorf("full update not applied: %+v", got)
	}
}

func TestUpdateErrors(t *testing.T) {
	_, c := newEnv(t)
	a := c.create(individual(t, "a@example.com"))
	c.create(minimal(t, "b@example.com"))
	update := func(email string, profile any) map[string]any {
		u := map[string]any{"name": "A", "email": email, "phone": "+13175550142",
			"device": map[string]any{"ip_address": "203.0.113.42"}, "status": "verified"}
		if profile != nil {
			u["compliance_profile"] = profile
		}
		return u
	}
	e := c.do("PUT", "/v1/customers/"+a.ID, update("b@example.com", nil)).want(t, http.StatusUnprocessableEntity).apiError(t)
	if e.Detail == nil || *e.Detail != "Email 'b@example.com' already exists and must be unique." {
		t.Errorf("duplicate email: %+v", e)
	}
	biz := map[string]any{"ein": "12-3456789", "legal_business_name": "A LLC"}
	c.do("PUT", "/v1/customers/"+a.ID, update("a@example.com", biz)).want(t, http.StatusUnprocessableEntity)
	c.do("PUT", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00", update("z@example.com", nil)).want(t, http.StatusNotFound)
	c.do("PUT", "/v1/customers/"+a.ID, update("A@EXAMPLE.COM", nil)).want(t, http.StatusOK)
}

func TestUpdateRescoresAfterMoreThanTwoFieldsIn24Hours(t *testing.T) {
	clock := newClock()
	_, c := newEnv(t, straddletest.WithClock(clock.Now))
	created := c.create(individual(t, "ben@example.com"))
	review := func() string {
		var r struct {
			IdentityDetails struct {
				ReviewID string `json:"review_id"`
			} `json:"identity_details"`
		}
		env := c.do("GET", "/v1/customers/"+created.ID+"/review", nil).want(t, http.StatusOK).envelope(t)
		if err := jsonUnmarshal(env.Data, &r); err != nil {
			t.Fatal(err)
		}
		return r.IdentityDetails.ReviewID
	}
	firstReview := review()
	body := fixture(t, "updateCustomer.full.json")
	body["email"] = "ben@example.com"
	put := func(changes ...any) customer {
		t.Helper()
		for i := 0; i+1 < len(changes); i += 2 {
			body[changes[i].(string)] = changes[i+1]
		}
		return c.do("PUT", "/v1/customers/"+created.ID, body).want(t, http.StatusOK).customer(t)
	}
	// The fixture changes name and address: two fields, and metadata, which does not count.
	if got := put(); got.Status != "verified" {
		t.Fatalf("status %q after two changes, want verified as asked", got.Status)
	}
	clock.Advance(23 * time.Hour)
	if review() != firstReview {
		t.Fatal("review changed without a rescore")
	}
	if got := put("metadata", map[string]any{"k": "v"}, "external_id", "other"); got.Status != "verified" {
		t.Fatalf("status %q after metadata and external_id changes, want verified", got.Status)
	}
	if got := put("phone", "+13175550199"); got.Status != "review" {
		t.Fatalf("status %q after a third field within 24h, want review", got.Status)
	}
	second := review()
	if second == firstReview || !anyUUID.MatchString(second) {
		t.Errorf("review id %q after the rescore, first was %q: want a new one", second, firstReview)
	}
	// The count starts again after a rescore, and changes older than 24h drop out.
	if got := put("name", "B1", "status", "verified"); got.Status != "verified" {
		t.Errorf("status %q, want verified", got.Status)
	}
	clock.Advance(25 * time.Hour)
	if got := put("phone", "+13175550100", "device", map[string]any{"ip_address": "198.51.100.1"}); got.Status != "verified" {
		t.Errorf("status %q after two changes with the older one past 24h, want verified", got.Status)
	}
	if review() != second {
		t.Error("review changed without a rescore")
	}
}

func TestUnmasked(t *testing.T) {
	_, c := newEnv(t)
	ind := c.create(individual(t, "i@example.com"))
	got := c.do("GET", "/v1/customers/"+ind.ID+"/unmasked", nil).want(t, http.StatusOK).customer(t)
	if got.ComplianceProfile["ssn"] != "123-45-6789" || got.ComplianceProfile["dob"] != "1975-01-18" || got.Device["ip_address"] != "203.0.113.42" {
		t.Errorf("unmasked customer %+v", got)
	}
	biz := c.create(business(t, "b@example.com"))
	got = c.do("GET", "/v1/customers/"+biz.ID+"/unmasked", nil).want(t, http.StatusOK).customer(t)
	if got.ComplianceProfile["ein"] != "12-3456789" || got.Device["ip_address"] != "198.51.100.7" {
		t.Errorf("unmasked business %+v", got)
	}

	_, locked := newEnv(t, straddletest.WithUnmasking(false))
	created := locked.create(individual(t, "i@example.com"))
	e := locked.do("GET", "/v1/customers/"+created.ID+"/unmasked", nil).want(t, http.StatusForbidden).apiError(t)
	if e.Type != "/forbidden" || e.Title != "Forbidden" || e.Detail == nil {
		t.Errorf("error %+v", e)
	}
}

func TestZonelessTimestamps(t *testing.T) {
	clock := newClock()
	_, c := newEnv(t, straddletest.WithClock(clock.Now), straddletest.WithZonelessTimestamps(true))
	created := c.create(individual(t, "z@example.com"))
	if created.CreatedAt != "2026-07-07T06:21:43.8306543Z" {
		t.Errorf("create wrote %q", created.CreatedAt)
	}
	got := c.do("GET", "/v1/customers/"+created.ID, nil).want(t, http.StatusOK).customer(t)
	if got.CreatedAt != "2026-07-07T06:21:43" || got.UpdatedAt != "2026-07-07T06:21:43" {
		t.Errorf("get wrote %q and %q, want zoneless", got.CreatedAt, got.UpdatedAt)
	}
}

func TestUnknownRoute(t *testing.T) {
	srv, _ := newEnv(t)
	c := newClient(t, srv, false)
	for _, rq := range [][2]string{{"GET", "/v1/nothing"}, {"POST", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00"}} {
		res := c.do(rq[0], rq[1], nil).want(t, http.StatusNotFound)
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") || bytes.Contains(res.body, []byte(`"error"`)) {
			t.Errorf("%s %s: %s %q, want a bare 404 without the error envelope", rq[0], rq[1], ct, res.body)
		}
		if len(c.takeViolations()) == 0 {
			t.Errorf("%s %s: the client-side validator found no operation either", rq[0], rq[1])
		}
	}
}

func TestAuth(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithAPIKeys("sk_test_one", "sk_test_two"))
	cases := map[string]string{"missing": "", "unknown": "Bearer sk_test_three", "not bearer": "Basic sk_test_one", "default key": "Bearer " + straddletest.DefaultAPIKey}
	for name, auth := range cases {
		t.Run(name, func(t *testing.T) {
			res := c.do("GET", "/v1/customers", nil, "Authorization", auth)
			if res.status != http.StatusUnauthorized || len(res.body) != 0 || res.header.Get("Content-Type") != "" {
				t.Errorf("status %d content type %q body %q, want 401 with no body and no content type",
					res.status, res.header.Get("Content-Type"), res.body)
			}
		})
	}
	for _, key := range []string{"sk_test_one", "sk_test_two"} {
		c.key = key
		c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)
	}
	if srv.APIKey() != "sk_test_one" {
		t.Errorf("APIKey %q", srv.APIKey())
	}
}

func TestAccountScoping(t *testing.T) {
	embedded := "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	srv, c := newEnv(t, straddletest.WithAPIKeys("sk_test_one", "sk_test_two"), straddletest.WithPlatform("sk_test_one", embedded))
	one, two := srv.AccountID("sk_test_one"), srv.AccountID("sk_test_two")
	if !anyUUID.MatchString(one) || !anyUUID.MatchString(two) || one == two {
		t.Fatalf("default accounts %q and %q, want two distinct UUIDs", one, two)
	}
	if srv.AccountID("sk_test_one") != one {
		t.Error("AccountID is not stable")
	}
	mine := c.create(individual(t, "mine@example.com"))
	theirs := c.create(individual(t, "theirs@example.com"), "Straddle-Account-Id", embedded)

	c.do("GET", "/v1/customers/"+theirs.ID, nil).want(t, http.StatusNotFound)
	c.do("GET", "/v1/customers/"+mine.ID, nil, "Straddle-Account-Id", embedded).want(t, http.StatusNotFound)
	c.do("DELETE", "/v1/customers/"+mine.ID, nil, "Straddle-Account-Id", embedded).want(t, http.StatusNotFound)
	c.do("GET", "/v1/customers/"+theirs.ID, nil, "Straddle-Account-Id", embedded).want(t, http.StatusOK)
	c.do("GET", "/v1/customers/"+mine.ID, nil, "Straddle-Account-Id", one).want(t, http.StatusOK)

	if n := listIDs(t, c, "", "Straddle-Account-Id", embedded); len(n) != 1 || n[0] != theirs.ID {
		t.Errorf("embedded account lists %v, want only %s", n, theirs.ID)
	}

	// Key two is no platform: it acts for its own account only.
	c.key = "sk_test_two"
	c.do("GET", "/v1/customers/"+mine.ID, nil).want(t, http.StatusNotFound)
	c.do("GET", "/v1/customers", nil, "Straddle-Account-Id", embedded).want(t, http.StatusForbidden)
	c.do("GET", "/v1/customers", nil, "Straddle-Account-Id", one).want(t, http.StatusForbidden)
	c.do("GET", "/v1/customers", nil, "Straddle-Account-Id", two).want(t, http.StatusOK)
	if n := listIDs(t, c, ""); len(n) != 0 {
		t.Errorf("key two's account lists %v, want nothing", n)
	}
	if srv.CustomerCount(one) != 1 || srv.CustomerCount(embedded) != 1 || srv.CustomerCount(two) != 0 {
		t.Errorf("counts %d %d %d", srv.CustomerCount(one), srv.CustomerCount(embedded), srv.CustomerCount(two))
	}
}

func TestEveryResponseHasAFreshRequestID(t *testing.T) {
	_, c := newEnv(t)
	seen := map[string]bool{}
	for i := range 5 {
		env := c.do("POST", "/v1/customers", minimal(t, fmt.Sprintf("r%d@example.com", i))).want(t, http.StatusCreated).envelope(t)
		id := env.Meta["api_request_id"].(string)
		if seen[id] {
			t.Fatalf("request id %s repeated", id)
		}
		seen[id] = true
		if !sevenFrac.MatchString(env.Meta["api_request_timestamp"].(string)) {
			t.Errorf("timestamp %v", env.Meta["api_request_timestamp"])
		}
	}
}

func TestUpdateOfABusinessCountsProfileChanges(t *testing.T) {
	_, c := newEnv(t)
	created := c.create(with(business(t, "acme@example.com"), "config", nil))
	base := map[string]any{
		"name": "Acme Anvils", "email": "acme@example.com", "phone": "+15055550100",
		"device": map[string]any{"ip_address": "198.51.100.7"}, "status": "verified",
		"address":            map[string]any{"address1": "1 Canyon Rd", "address2": nil, "city": "Albuquerque", "state": "NM", "zip": "87101"},
		"compliance_profile": business(t, "acme@example.com")["compliance_profile"],
	}
	// The same data again changes nothing.
	if got := c.do("PUT", "/v1/customers/"+created.ID, base).want(t, http.StatusOK).customer(t); got.Status != "verified" {
		t.Fatalf("status %q after an update that changes nothing", got.Status)
	}
	profile := map[string]any{"ein": "12-3456789", "legal_business_name": "Acme Anvils LLC",
		"representatives": []any{map[string]any{"name": "Wile E. Coyote", "email": nil, "phone": nil}}}
	changed := with(base, "compliance_profile", profile, "name", "Acme", "phone", "+15055550101")
	if got := c.do("PUT", "/v1/customers/"+created.ID, changed).want(t, http.StatusOK).customer(t); got.Status != "review" {
		t.Errorf("status %q after representatives, name and phone changed, want review", got.Status)
	}
}
