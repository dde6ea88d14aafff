package straddle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/straddlekit/straddle-go/gen"
)

// marshalBody encodes a request body as the client sends it.
func marshalBody(t testing.TB, body any) []byte {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return b
}

// decodeStrict decodes b into v as gen's model, refusing unknown keys and
// trailing data.
func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the body")
	}
	return nil
}

// requireGenShape fails unless body decodes, key for key, into into (a
// *gen.CreateCustomerRequest or *gen.UpdateCustomerRequest) and gen encodes
// what it decoded back to the same bytes: the body is what gen would send.
// gen keeps the compliance profile union as raw bytes, so the profile is held
// to exactly one of its members the same way.
func requireGenShape(t testing.TB, body []byte, into any) {
	t.Helper()
	require.NoError(t, decodeStrict(body, into), "body does not fit gen's model: %s", body)
	again, err := json.Marshal(into)
	require.NoError(t, err)
	require.Equal(t, string(replacementsRaw(body)), string(replacementsRaw(again)), "gen encodes the body differently")

	var profile gen.ComplianceProfile
	switch r := into.(type) {
	case *gen.CreateCustomerRequest:
		if !r.ComplianceProfile.IsSpecified() || r.ComplianceProfile.IsNull() {
			return
		}
		profile = r.ComplianceProfile.MustGet()
	case *gen.UpdateCustomerRequest:
		if !r.ComplianceProfile.IsSpecified() || r.ComplianceProfile.IsNull() {
			return
		}
		profile = r.ComplianceProfile.MustGet()
	default:
		t.Fatalf("no gen request model %T", into)
	}
	raw, err := profile.MarshalJSON()
	require.NoError(t, err)
	var ind gen.IndividualProfile
	var bus gen.BusinessProfile
	indErr, busErr := decodeStrict(raw, &ind), decodeStrict(raw, &bus)
	require.True(t, (indErr == nil) != (busErr == nil), "the profile must be exactly one member: %s (%v; %v)", raw, indErr, busErr)
	var member any = &bus
	if indErr == nil {
		member = &ind
		require.True(t, ind.Ssn.IsSpecified() && ind.Dob.IsSpecified(), "ssn and dob are required: %s", raw)
	} else {
		require.True(t, bus.Ein.IsSpecified() && bus.LegalBusinessName.IsSpecified(), "ein and legal_business_name are required: %s", raw)
	}
	again, err = json.Marshal(member)
	require.NoError(t, err)
	require.Equal(t, string(replacementsRaw(raw)), string(again), "gen encodes the profile differently")
}

// replacementsRaw writes the escape \ufffd as the character itself.
// encoding/json writes invalid UTF-8 as that escape, and what it decodes back
// as the character itself, so a body with invalid UTF-8 (which validation
// lets through in free text) re-encodes differently though it means the same;
// gen passes the profile through as it was.
func replacementsRaw(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte(`\ufffd`), []byte("\uFFFD"))
}

// bodyCase is a request body, the gen model it must fit and where it goes.
type bodyCase struct {
	body   any
	into   func() any
	method string
	path   string
}

func createBodyCase(p *CreateCustomerParams) bodyCase {
	return bodyCase{p.toBody(), func() any { return &gen.CreateCustomerRequest{} }, http.MethodPost, "/v1/customers"}
}

func updateBodyCase(p *UpdateCustomerParams) bodyCase {
	return bodyCase{p.toBody(), func() any { return &gen.UpdateCustomerRequest{} }, http.MethodPut, "/v1/customers/" + testCustomerID}
}

func (c bodyCase) check(t *testing.T) []byte {
	t.Helper()
	b := marshalBody(t, c.body)
	requireGenShape(t, b, c.into())
	requireSpecValid(t, c.method, c.path, c.body)
	return b
}

func TestRequestFixtureBodiesFollowGenModel(t *testing.T) {
	cases := map[string]bodyCase{
		"createCustomer.individual.json": createBodyCase(individualCreateParams()),
		"createCustomer.business.json":   createBodyCase(businessCreateParams()),
		"createCustomer.minimal.json": createBodyCase(&CreateCustomerParams{
			Name: "Ann Perkins", Type: CustomerTypeIndividual, Email: "ann.perkins@example.com",
			Phone: "+13175550177", IPAddress: NewIPAddress("0.0.0.0"),
		}),
		"updateCustomer.full.json": updateBodyCase(&UpdateCustomerParams{
			Name: "Leslie Knope-Wyatt", Email: "leslie.knope@example.com", Phone: "+13175550142",
			IPAddress: NewIPAddress("203.0.113.42"), Status: CustomerStatusVerified,
			Address:    &Address{Address1: "221 Elm St", City: "Pawnee", State: "IN", Zip: "47998"},
			Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")},
			ExternalID: "cust_00042",
			Metadata:   map[string]string{"crm_segment": "civic", "signup_channel": "web", "married": "true"},
		}),
	}
	entries, err := os.ReadDir("../testdata/requests")
	require.NoError(t, err)
	seen := 0
	for _, e := range entries {
		name := e.Name()
		if name == "decideCustomerReview.verified.json" {
			continue // decisionBody is gen's own model; TestDecisionBody holds it to the fixture
		}
		c, ok := cases[name]
		require.True(t, ok, "request fixture %s has no body case", name)
		seen++
		t.Run(name, func(t *testing.T) {
			assert.JSONEq(t, requestFixture(t, name), string(c.check(t)))
		})
	}
	assert.Equal(t, len(cases), seen, "every body case has its fixture")
}

func TestEveryBodyFieldFollowsGenModel(t *testing.T) {
	base := func() *CreateCustomerParams {
		return &CreateCustomerParams{Name: "A", Type: CustomerTypeIndividual, Email: "a@example.com",
			Phone: "+15055550100", IPAddress: NewIPAddress("198.51.100.7")}
	}
	full := businessCreateParams()
	full.Address.Address2 = "Unit 5"
	full.Business.Representatives = append(full.Business.Representatives, Representative{Name: "Only Email", Email: "o@example.com"})

	nullIndividual := base()
	nullIndividual.Individual = &IndividualIdentity{}
	nullBusiness := base()
	nullBusiness.Type, nullBusiness.Business = CustomerTypeBusiness, &BusinessIdentity{}
	noReps := base()
	noReps.Type, noReps.Business = CustomerTypeBusiness, &BusinessIdentity{EIN: NewEIN("12-3456789"), Representatives: []Representative{}}
	onlyOutcome := base()
	onlyOutcome.Config = &Config{SandboxOutcome: SandboxOutcomeRejected}
	escapes := base()
	escapes.Name, escapes.ExternalID = `<Tom & "Jerry">`, "a\\b"
	escapes.Metadata = map[string]string{"<k>": "&v", "z": "é"}

	updateBusiness := &UpdateCustomerParams{Name: "Acme", Email: "a@example.com", Phone: "+15055550100",
		IPAddress: NewIPAddress("0.0.0.0"), Status: CustomerStatusInactive, Address: full.Address,
		Business: full.Business, ExternalID: "biz_1", Metadata: map[string]string{"k": "v"}}
	updateNulls := &UpdateCustomerParams{Name: "A", Email: "a@example.com", Phone: "+15055550100",
		IPAddress: NewIPAddress("198.51.100.7"), Status: CustomerStatusReview, Individual: &IndividualIdentity{DOB: NewDOB("2000-02-29")}}

	cases := map[string]struct {
		c    bodyCase
		want string // a fragment the body must hold
	}{
		"create every field":          {createBodyCase(full), `"address2":"Unit 5"`},
		"create individual nulls":     {createBodyCase(nullIndividual), `"compliance_profile":{"dob":null,"ssn":null}`},
		"create business nulls":       {createBodyCase(nullBusiness), `"compliance_profile":{"ein":null,"legal_business_name":null}`},
		"create empty representative": {createBodyCase(noReps), `"compliance_profile":{"ein":"12-3456789","legal_business_name":null,"representatives":[]}`},
		"create one config field":     {createBodyCase(onlyOutcome), `"config":{"sandbox_outcome":"rejected"}`},
		"create escapes":              {createBodyCase(escapes), `"name":"\u003cTom \u0026 \"Jerry\"\u003e"`},
		"update every field":          {updateBodyCase(updateBusiness), `"representatives":[{"email":"wile.coyote@example.com","name":"Wile E. Coyote","phone":"+15055550118"},{"name":"Road Runner"},{"email":"o@example.com","name":"Only Email"}],"website":"https://www.acme.example.com"}`},
		"update individual null ssn":  {updateBodyCase(updateNulls), `"compliance_profile":{"dob":"2000-02-29","ssn":null}`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			assert.Contains(t, string(tc.c.check(t)), tc.want)
		})
	}

	// The spec refuses a profile that lacks a required key, so the checks
	// above could fail: a business profile without ein is not a BusinessProfile.
	require.Error(t, checkAgainstSpec(t, http.MethodPost, "/v1/customers",
		json.RawMessage(`{"name":"A","type":"business","email":"a@example.com","phone":"+15055550100",
		"device":{"ip_address":"198.51.100.7"},"compliance_profile":{"legal_business_name":null}}`)))
	require.Error(t, decodeStrict([]byte(`{"name":"A","email":"a@example.com","phone":"+15055550100",
		"device":{"ip_address":"198.51.100.7"},"status":"review","type":"individual"}`), &gen.UpdateCustomerRequest{}),
		"strict decoding refuses a key gen's model lacks")
}

func TestBodyBytesAreStable(t *testing.T) {
	wide := func() map[string]string {
		m := map[string]string{}
		for i := range 20 {
			m[fmt.Sprintf("key%02d", 19-i)] = strings.Repeat("v", i+1)
		}
		return m
	}
	create := func() *CreateCustomerParams {
		p := businessCreateParams()
		p.Metadata = wide()
		return p
	}
	update := func() *UpdateCustomerParams {
		return &UpdateCustomerParams{Name: "A", Email: "a@example.com", Phone: "+15055550100",
			IPAddress: NewIPAddress("198.51.100.7"), Status: CustomerStatusVerified,
			Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")}, Metadata: wide()}
	}
	firstCreate, firstUpdate := marshalBody(t, create().toBody()), marshalBody(t, update().toBody())
	for range 50 {
		require.Equal(t, string(firstCreate), string(marshalBody(t, create().toBody())))
		require.Equal(t, string(firstUpdate), string(marshalBody(t, update().toBody())))
	}
	// Keys go out in gen's order, metadata sorted.
	assert.True(t, strings.HasPrefix(string(firstUpdate),
		`{"compliance_profile":{"dob":"1975-01-18","ssn":"123-45-6789"},"device":{"ip_address":"198.51.100.7"},`+
			`"email":"a@example.com","metadata":{"key00":"vvvvvvvvvvvvvvvvvvvv",`), string(firstUpdate))
	assert.True(t, strings.HasSuffix(string(firstUpdate),
		`"key19":"v"},"name":"A","phone":"+15055550100","status":"verified"}`), string(firstUpdate))
}
