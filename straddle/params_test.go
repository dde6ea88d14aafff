package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/straddlekit/straddle-go/gen"
	"github.com/straddlekit/straddle-go/internal/contract"
)

const testCustomerID = "019f3b3d-5816-77fb-8a9c-ad05f1654b00"

// checkAgainstSpec sends body through the contract validator as the request
// for method and path, and returns what the spec says about it.
func checkAgainstSpec(t *testing.T, method, path string, body any) error {
	t.Helper()
	v, err := contract.NewValidator()
	require.NoError(t, err)
	b, err := json.Marshal(body)
	require.NoError(t, err)
	req := httptest.NewRequest(method, "http://localhost"+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	_, err = v.ValidateRequest(context.Background(), req)
	return err
}

// requireSpecValid fails the test when body breaks the request schema.
func requireSpecValid(t *testing.T, method, path string, body any) {
	t.Helper()
	require.NoError(t, checkAgainstSpec(t, method, path, body), "request body breaks api/openapi.yaml")
}

// requestFixture reads a request fixture with its null members removed: the
// client leaves empty optional fields out instead of sending null.
func requestFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("../testdata/requests", name))
	require.NoError(t, err)
	var v any
	require.NoError(t, json.Unmarshal(b, &v))
	out, err := json.Marshal(dropNulls(v))
	require.NoError(t, err)
	return string(out)
}

func dropNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
			} else {
				x[k] = dropNulls(e)
			}
		}
	case []any:
		for i, e := range x {
			x[i] = dropNulls(e)
		}
	}
	return v
}

func marshalString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func individualCreateParams() *CreateCustomerParams {
	return &CreateCustomerParams{
		Name: "Leslie Knope", Type: CustomerTypeIndividual,
		Email: "leslie.knope@example.com", Phone: "+13175550142",
		IPAddress:  NewIPAddress("203.0.113.42"),
		Address:    &Address{Address1: "100 State St", Address2: "Suite 200", City: "Pawnee", State: "IN", Zip: "47998-0100"},
		Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")},
		ExternalID: "cust_00042",
		Metadata:   map[string]string{"crm_segment": "civic", "signup_channel": "web"},
		Config:     &Config{SandboxOutcome: SandboxOutcomeStandard},
	}
}

func businessCreateParams() *CreateCustomerParams {
	return &CreateCustomerParams{
		Name: "Acme Anvils", Type: CustomerTypeBusiness,
		Email: "billing@acme.example.com", Phone: "+15055550100",
		IPAddress: NewIPAddress("198.51.100.7"),
		Address:   &Address{Address1: "1 Canyon Rd", City: "Albuquerque", State: "NM", Zip: "87101"},
		Business: &BusinessIdentity{
			EIN: NewEIN("12-3456789"), LegalBusinessName: "Acme Anvils LLC", Website: "https://www.acme.example.com",
			Representatives: []Representative{
				{Name: "Wile E. Coyote", Email: "wile.coyote@example.com", Phone: "+15055550118"},
				{Name: "Road Runner"},
			},
		},
		ExternalID: "biz_7781",
		Metadata:   map[string]string{"industry": "hardware"},
		Config:     &Config{SandboxOutcome: SandboxOutcomeReview, ProcessingMethod: ProcessingMethodInline},
	}
}

func TestCreateToBodyMatchesRequestFixtures(t *testing.T) {
	tests := []struct {
		fixture string
		params  *CreateCustomerParams
	}{
		{"createCustomer.individual.json", individualCreateParams()},
		{"createCustomer.business.json", businessCreateParams()},
		{"createCustomer.minimal.json", &CreateCustomerParams{
			Name: "Ann Perkins", Type: CustomerTypeIndividual, Email: "ann.perkins@example.com",
			Phone: "+13175550177", IPAddress: NewIPAddress("0.0.0.0"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			require.NoError(t, tt.params.Validate())
			body := tt.params.toBody()
			assert.JSONEq(t, requestFixture(t, tt.fixture), marshalString(t, body))
			requireSpecValid(t, http.MethodPost, "/v1/customers", body)
		})
	}
}

func TestUpdateToBodyMatchesRequestFixture(t *testing.T) {
	p := &UpdateCustomerParams{
		Name: "Leslie Knope-Wyatt", Email: "leslie.knope@example.com", Phone: "+13175550142",
		IPAddress: NewIPAddress("203.0.113.42"), Status: CustomerStatusVerified,
		Address:    &Address{Address1: "221 Elm St", City: "Pawnee", State: "IN", Zip: "47998"},
		Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")},
		ExternalID: "cust_00042",
		Metadata:   map[string]string{"crm_segment": "civic", "signup_channel": "web", "married": "true"},
	}
	require.NoError(t, p.Validate())
	body := p.toBody()
	assert.JSONEq(t, requestFixture(t, "updateCustomer.full.json"), marshalString(t, body))
	requireSpecValid(t, http.MethodPut, "/v1/customers/"+testCustomerID, body)
}

func TestDecisionBody(t *testing.T) {
	body := decisionBody(CustomerStatusVerified)
	assert.JSONEq(t, requestFixture(t, "decideCustomerReview.verified.json"), marshalString(t, body))
	requireSpecValid(t, http.MethodPatch, "/v1/customers/"+testCustomerID+"/review", body)
	requireSpecValid(t, http.MethodPatch, "/v1/customers/"+testCustomerID+"/review", decisionBody(CustomerStatusRejected))
	require.Error(t, checkAgainstSpec(t, http.MethodPatch, "/v1/customers/"+testCustomerID+"/review", decisionBody("review")),
		"the validator must refuse a decision the spec does not allow")
}

func TestToBodyOmitsAbsentOptionals(t *testing.T) {
	create := &CreateCustomerParams{Name: "A", Type: CustomerTypeBusiness, Email: "a@example.com",
		Phone: "+15055550100", IPAddress: NewIPAddress("198.51.100.7"), Metadata: map[string]string{}}
	assert.JSONEq(t, `{"name":"A","type":"business","email":"a@example.com","phone":"+15055550100",
		"device":{"ip_address":"198.51.100.7"}}`, marshalString(t, create.toBody()))

	update := &UpdateCustomerParams{Name: "A", Email: "a@example.com", Phone: "+15055550100",
		IPAddress: NewIPAddress("198.51.100.7"), Status: CustomerStatusInactive}
	body := update.toBody()
	assert.JSONEq(t, `{"name":"A","email":"a@example.com","phone":"+15055550100",
		"device":{"ip_address":"198.51.100.7"},"status":"inactive"}`, marshalString(t, body))
	requireSpecValid(t, http.MethodPut, "/v1/customers/"+testCustomerID, body)

	only := &CreateCustomerParams{Name: "A", Type: CustomerTypeIndividual, Email: "a@example.com",
		Phone: "+15055550100", IPAddress: NewIPAddress("198.51.100.7"), Config: &Config{ProcessingMethod: ProcessingMethodSkip}}
	assert.JSONEq(t, `{"processing_method":"skip"}`, marshalString(t, only.toBody().Config))
}

func TestToBodyIdentityWithoutValuesSendsNulls(t *testing.T) {
	base := func() *CreateCustomerParams {
		return &CreateCustomerParams{Name: "A", Email: "a@example.com", Phone: "+15055550100", IPAddress: NewIPAddress("198.51.100.7")}
	}
	ind := base()
	ind.Type, ind.Individual = CustomerTypeIndividual, &IndividualIdentity{}
	body := ind.toBody()
	assert.JSONEq(t, `{"ssn":null,"dob":null}`, marshalString(t, body.ComplianceProfile))
	requireSpecValid(t, http.MethodPost, "/v1/customers", body)

	ind.Individual.DOB = NewDOB("1980-02-29")
	assert.JSONEq(t, `{"ssn":null,"dob":"1980-02-29"}`, marshalString(t, ind.toBody().ComplianceProfile))

	bus := base()
	bus.Type, bus.Business = CustomerTypeBusiness, &BusinessIdentity{LegalBusinessName: "B LLC", Representatives: []Representative{}}
	body = bus.toBody()
	assert.JSONEq(t, `{"ein":null,"legal_business_name":"B LLC","representatives":[]}`, marshalString(t, body.ComplianceProfile))
	requireSpecValid(t, http.MethodPost, "/v1/customers", body)
}

func TestToBodyKeepsAnInvalidDateAsGiven(t *testing.T) {
	// toBody trusts validate; if it is skipped, the date goes out unchanged (not
	// dropped, not rewritten) and the spec refuses it.
	p := &CreateCustomerParams{Name: "A", Type: CustomerTypeIndividual, Email: "a@example.com",
		Phone: "+15055550100", IPAddress: NewIPAddress("198.51.100.7"),
		Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-1-18")}}
	require.Error(t, p.Validate())
	body := p.toBody()
	assert.JSONEq(t, `{"ssn":"123-45-6789","dob":"1975-1-18"}`, marshalString(t, body.ComplianceProfile))
	require.Error(t, checkAgainstSpec(t, http.MethodPost, "/v1/customers", body))
}

func TestSpecRefusesWhatValidationRefuses(t *testing.T) {
	// The validator is not vacuous: bodies built from params that fail
	// validate also fail the spec where the spec states the rule.
	mutations := map[string]func(*CreateCustomerParams){
		"phone":    func(p *CreateCustomerParams) { p.Phone = "317-555-0142" },
		"ip":       func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("**.**.**.**") },
		"ssn":      func(p *CreateCustomerParams) { p.Individual.SSN = NewSSN("***-**-****") },
		"state":    func(p *CreateCustomerParams) { p.Address.State = "in" },
		"zip":      func(p *CreateCustomerParams) { p.Address.Zip = "4799" },
		"type":     func(p *CreateCustomerParams) { p.Type = "trust" },
		"outcome":  func(p *CreateCustomerParams) { p.Config = &Config{SandboxOutcome: "pending"} },
		"address1": func(p *CreateCustomerParams) { p.Address.Address1 = strings.Repeat("a", 101) },
		"metadata": func(p *CreateCustomerParams) {
			for i := range 21 {
				p.Metadata[fmt.Sprint("k", i)] = "v"
			}
		},
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			p := individualCreateParams()
			mutate(p)
			require.Error(t, p.Validate())
			require.Error(t, checkAgainstSpec(t, http.MethodPost, "/v1/customers", p.toBody()))
		})
	}
}

func TestValidParamsMakeSpecValidBodies(t *testing.T) {
	wide := map[string]string{}
	for i := range 20 {
		wide[fmt.Sprintf("%040d", i)] = strings.Repeat("é", 40)
	}
	creates := map[string]*CreateCustomerParams{
		"individual": individualCreateParams(),
		"business":   businessCreateParams(),
		"unicode and limits": {
			Name: "Zoë Ångström 山田", Type: CustomerTypeIndividual, Email: "zoë@例え.jp", Phone: "+8613800138000",
			IPAddress: NewIPAddress("0.0.0.0"), Metadata: wide,
			Address: &Address{Address1: strings.Repeat("ß", 100), Address2: strings.Repeat("ü", 100), City: strings.Repeat("é", 100), State: "NY", Zip: "10001"},
		},
	}
	for name, p := range creates {
		t.Run("create "+name, func(t *testing.T) {
			require.NoError(t, p.Validate())
			requireSpecValid(t, http.MethodPost, "/v1/customers", p.toBody())
		})
	}
	update := &UpdateCustomerParams{Name: "Acme", Email: "a@example.com", Phone: "+15055550100",
		IPAddress: NewIPAddress("198.51.100.7"), Status: CustomerStatusRejected, Business: businessCreateParams().Business,
		Metadata: wide}
	require.NoError(t, update.Validate())
	requireSpecValid(t, http.MethodPut, "/v1/customers/"+testCustomerID, update.toBody())
}

// TestRequestBodyIsTheMetadataAtTheCall: the body is marshalled before Create
// returns, so what is sent (every attempt of it) is the metadata at the call;
// the caller's map is not changed, and not kept: changing it afterwards
// changes nothing.
func TestRequestBodyIsTheMetadataAtTheCall(t *testing.T) {
	var h *harness
	h = newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		if len(h.reqs()) < 2 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		serve(t, http.StatusCreated, "createCustomer.201.individual.json")(w, r)
	})
	h.skip = func(r *http.Response) bool { return r.StatusCode == http.StatusServiceUnavailable }
	p := testCreateParams()
	_, err := h.client.Customers.Create(context.Background(), p)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"crm_segment": "civic"}, p.Metadata)
	p.Metadata["crm_segment"] = "changed"
	reqs := h.reqs()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		var sent struct{ Metadata map[string]string }
		require.NoError(t, json.Unmarshal(r.Body, &sent))
		assert.Equal(t, map[string]string{"crm_segment": "civic"}, sent.Metadata)
	}
}

func TestListParamsToGen(t *testing.T) {
	from := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 7, 8, 12, 30, 0, 0, time.FixedZone("EDT", -4*3600))
	p := &ListParams{
		PageNumber: 2, PageSize: 50, SortBy: SortByCreatedAt, SortOrder: SortDesc,
		CreatedFrom: from, CreatedTo: to, Name: "Knope", ExternalID: "cust_00042",
		Email: "leslie.knope@example.com", SearchText: "pawnee parks",
		Statuses: []CustomerStatus{CustomerStatusPending, CustomerStatusReview},
		Types:    []CustomerType{CustomerTypeIndividual, CustomerTypeBusiness},
	}
	require.NoError(t, p.Validate())
	g := p.toGen()
	req, err := gen.NewListCustomersRequest("http://localhost", &g)
	require.NoError(t, err)
	v, err := contract.NewValidator()
	require.NoError(t, err)
	_, err = v.ValidateRequest(context.Background(), req)
	require.NoError(t, err, "list query breaks api/openapi.yaml")

	q := req.URL.Query()
	assert.Equal(t, "2", q.Get("page_number"))
	assert.Equal(t, "50", q.Get("page_size"))
	assert.Equal(t, "created_at", q.Get("sort_by"))
	assert.Equal(t, "desc", q.Get("sort_order"))
	gotFrom, err := time.Parse(time.RFC3339, q.Get("created_from"))
	require.NoError(t, err)
	assert.True(t, from.Equal(gotFrom))
	gotTo, err := time.Parse(time.RFC3339, q.Get("created_to"))
	require.NoError(t, err)
	assert.True(t, to.Equal(gotTo))
	assert.Equal(t, "Knope", q.Get("name"))
	assert.Equal(t, "cust_00042", q.Get("external_id"))
	assert.Equal(t, "leslie.knope@example.com", q.Get("email"))
	assert.Equal(t, "pawnee parks", q.Get("search_text"))
	assert.Equal(t, []string{"pending", "review"}, q["status"], "repeated keys")
	assert.Equal(t, []string{"individual", "business"}, q["types"])

	p.Statuses[0] = CustomerStatusRejected
	assert.Equal(t, gen.CustomerStatus("pending"), g.Status[0], "toGen copies the filters")
}

func TestListParamsToGenEmpty(t *testing.T) {
	var nilParams *ListParams
	for _, p := range []*ListParams{nilParams, {}} {
		g := p.toGen()
		assert.Equal(t, gen.ListCustomersParams{}, g)
		req, err := gen.NewListCustomersRequest("http://localhost", &g)
		require.NoError(t, err)
		assert.Empty(t, req.URL.RawQuery)
	}
}

// Customer pairs as reads return them: masked and unmasked views of one customer.
func fixturePair(t *testing.T, masked, unmasked string) (*Customer, *UnmaskedCustomer) {
	t.Helper()
	var c Customer
	decodeFixtureData(t, masked, &c)
	var u UnmaskedCustomer
	decodeFixtureData(t, unmasked, &u)
	require.Equal(t, c.ID, u.ID)
	return &c, &u
}

func TestUpdateParamsFromIndividual(t *testing.T) {
	c, u := fixturePair(t, "getCustomer.200.individual.json", "getUnmaskedCustomer.200.individual.json")

	p := updateParamsFrom(c, u)
	assert.Equal(t, c.Name, p.Name)
	assert.Equal(t, c.Email, p.Email)
	assert.Equal(t, c.Phone, p.Phone)
	assert.Equal(t, c.Status, p.Status)
	assert.Equal(t, c.ExternalID, p.ExternalID)
	assert.Equal(t, c.Metadata, p.Metadata)
	assert.Equal(t, c.Address, p.Address)
	assert.Equal(t, "203.0.113.42", p.IPAddress.Reveal())
	require.NotNil(t, p.Individual)
	assert.Nil(t, p.Business)
	assert.Equal(t, "123-45-6789", p.Individual.SSN.Reveal())
	assert.Equal(t, "1975-01-18", p.Individual.DOB.Reveal())
	assert.Empty(t, p.missingMasked(c))
	require.NoError(t, p.Validate())
	requireSpecValid(t, http.MethodPut, "/v1/customers/"+c.ID, p.toBody())

	// The copy is independent of the customer it came from.
	p.Address.City = "Eagleton"
	p.Metadata["crm_segment"] = "changed"
	p.Individual.SSN = NewSSN("987-65-4320")
	assert.Equal(t, "Pawnee", c.Address.City)
	assert.Equal(t, "civic", c.Metadata["crm_segment"])
	assert.Equal(t, "123-45-6789", u.ComplianceProfile.Individual.SSN.Reveal())

	// Without the unmasked view, the masked fields are missing.
	p = updateParamsFrom(c, nil)
	require.NotNil(t, p.Individual)
	assert.True(t, p.Individual.SSN.IsZero())
	assert.True(t, p.IPAddress.IsZero())
	assert.Equal(t, []string{"compliance_profile.ssn", "compliance_profile.dob", "device.ip_address"}, p.missingMasked(c))

	// Supplying them one by one shrinks the list.
	p.Individual.SSN = NewSSN("123-45-6789")
	assert.Equal(t, []string{"compliance_profile.dob", "device.ip_address"}, p.missingMasked(c))
	p.IPAddress = NewIPAddress("203.0.113.42")
	p.Individual.DOB = NewDOB("1975-01-18")
	assert.Empty(t, p.missingMasked(c))

	// Dropping the identity altogether is reported too: it would clear them.
	p.Individual = nil
	assert.Equal(t, []string{"compliance_profile.ssn", "compliance_profile.dob"}, p.missingMasked(c))
}

func TestUpdateParamsFromBusiness(t *testing.T) {
	c, u := fixturePair(t, "createCustomer.201.business-masked.json", "getUnmaskedCustomer.200.business.json")

	p := updateParamsFrom(c, u)
	require.NotNil(t, p.Business)
	assert.Nil(t, p.Individual)
	assert.Equal(t, "12-3456789", p.Business.EIN.Reveal())
	assert.Equal(t, "Acme Anvils LLC", p.Business.LegalBusinessName)
	assert.Equal(t, "https://www.acme.example.com", p.Business.Website)
	assert.Equal(t, c.ComplianceProfile.Business.Representatives, p.Business.Representatives)
	assert.Equal(t, "198.51.100.7", p.IPAddress.Reveal())
	assert.Empty(t, p.missingMasked(c))
	require.NoError(t, p.Validate())
	requireSpecValid(t, http.MethodPut, "/v1/customers/"+c.ID, p.toBody())

	p.Business.Representatives[0].Name = "Changed"
	assert.Equal(t, "Wile E. Coyote", c.ComplianceProfile.Business.Representatives[0].Name)

	p = updateParamsFrom(c, nil)
	assert.True(t, p.Business.EIN.IsZero())
	assert.Equal(t, "Acme Anvils LLC", p.Business.LegalBusinessName)
	assert.Equal(t, []string{"compliance_profile.ein", "device.ip_address"}, p.missingMasked(c))

	// An unmasked view without a profile or device leaves them missing.
	p = updateParamsFrom(c, &UnmaskedCustomer{ID: c.ID})
	assert.Equal(t, []string{"compliance_profile.ein", "device.ip_address"}, p.missingMasked(c))
}

func TestUpdateParamsFromSparseCustomers(t *testing.T) {
	// No profile, device, address or metadata: nothing to keep, nothing missing.
	bare := &Customer{ID: testCustomerID, Name: "N", Email: "n@example.com", Phone: "+13175550142", Status: CustomerStatusPending}
	p := updateParamsFrom(bare, nil)
	assert.Equal(t, &UpdateCustomerParams{Name: "N", Email: "n@example.com", Phone: "+13175550142", Status: CustomerStatusPending}, p)
	assert.Empty(t, p.missingMasked(bare))

	// Masked fields that are null on the customer are not missing.
	var c Customer
	require.NoError(t, json.Unmarshal([]byte(`{"id":"`+testCustomerID+`","type":"individual","status":"review",
		"created_at":"2026-07-07T06:21:44","updated_at":"2026-07-07T06:21:44",
		"compliance_profile":{"ssn":null,"dob":"****-**-**"},"device":{"ip_address":null}}`), &c))
	p = updateParamsFrom(&c, nil)
	assert.Equal(t, []string{"compliance_profile.dob"}, p.missingMasked(&c))

	// A business customer with a null EIN.
	require.NoError(t, json.Unmarshal([]byte(`{"id":"`+testCustomerID+`","type":"business","status":"review",
		"created_at":"2026-07-07T06:21:44","updated_at":"2026-07-07T06:21:44",
		"compliance_profile":{"ein":null,"legal_business_name":"B"}}`), &c))
	p = updateParamsFrom(&c, nil)
	require.NotNil(t, p.Business)
	assert.Empty(t, p.missingMasked(&c))

	assert.Equal(t, &UpdateCustomerParams{}, updateParamsFrom(nil, nil))
	assert.Nil(t, (&UpdateCustomerParams{}).missingMasked(nil))
}
