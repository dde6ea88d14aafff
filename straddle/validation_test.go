package straddle

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validationFields lists the Field of every *ValidationError in err.
func validationFields(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var fields []string
	for _, e := range errs {
		var v *ValidationError
		require.True(t, errors.As(e, &v), "not a *ValidationError: %v", e)
		fields = append(fields, v.Field)
	}
	return fields
}

// assertRefused checks that err names exactly field, and that its text
// neither echoes the offending value nor misses the rule.
func assertRefused(t *testing.T, err error, field, value string) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, []string{field}, validationFields(t, err))
	var v *ValidationError
	require.ErrorAs(t, err, &v)
	assert.Equal(t, field, v.Field)
	assert.NotEmpty(t, v.Rule)
	assert.Equal(t, "straddle: invalid "+v.Field+": "+v.Rule, err.Error())
	if len(strings.TrimSpace(value)) >= 4 {
		assert.NotContains(t, err.Error(), value, "the error echoes the value")
	}
}

func metadataOf(n, keyLen, valueLen int) map[string]string {
	m := map[string]string{}
	for i := range n {
		k := fmt.Sprintf("%0*d", keyLen, i)
		m[k] = strings.Repeat("v", valueLen)
	}
	return m
}

func TestCreateValidationRules(t *testing.T) {
	future := time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)
	today := time.Now().UTC().Format(time.DateOnly)
	tests := []struct {
		name   string
		mutate func(p *CreateCustomerParams)
		field  string // "" means the params are valid
		value  string // the offending value, which the message must not echo
	}{
		{"valid individual", func(*CreateCustomerParams) {}, "", ""},

		{"name empty", func(p *CreateCustomerParams) { p.Name = "" }, "name", ""},
		{"name blank", func(p *CreateCustomerParams) { p.Name = " \t " }, "name", ""},
		{"name unicode", func(p *CreateCustomerParams) { p.Name = "Zoë 山田" }, "", ""},

		{"type empty", func(p *CreateCustomerParams) { p.Type = ""; p.Individual = nil }, "type", ""},
		{"type unknown", func(p *CreateCustomerParams) { p.Type = "partnership"; p.Individual = nil }, "type", "partnership"},

		{"email empty", func(p *CreateCustomerParams) { p.Email = "" }, "email", ""},
		{"email no at", func(p *CreateCustomerParams) { p.Email = "leslie.example.com" }, "email", "leslie.example.com"},
		{"email two ats", func(p *CreateCustomerParams) { p.Email = "les@lie@example.com" }, "email", "les@lie@example.com"},
		{"email empty local", func(p *CreateCustomerParams) { p.Email = "@pawnee.gov" }, "email", "@pawnee.gov"},
		{"email empty domain", func(p *CreateCustomerParams) { p.Email = "leslie@" }, "email", "leslie@"},
		{"email dotless domain", func(p *CreateCustomerParams) { p.Email = "leslie@localhost" }, "email", "leslie@localhost"},
		{"email leading dot domain", func(p *CreateCustomerParams) { p.Email = "leslie@.example.com" }, "email", "leslie@.example.com"},
		{"email trailing dot domain", func(p *CreateCustomerParams) { p.Email = "leslie@example.com." }, "email", "leslie@example.com."},
		{"email double dot domain", func(p *CreateCustomerParams) { p.Email = "leslie@example..com" }, "email", "leslie@example..com"},
		{"email space", func(p *CreateCustomerParams) { p.Email = "les lie@example.com" }, "email", "les lie@example.com"},
		{"email tab", func(p *CreateCustomerParams) { p.Email = "leslie@example.com\t" }, "email", "leslie@example.com\t"},
		{"email with display name", func(p *CreateCustomerParams) { p.Email = "Leslie<leslie@example.com>" }, "email", "Leslie<leslie@example.com>"},
		{"email with comma", func(p *CreateCustomerParams) { p.Email = "leslie@exa,mple.com" }, "email", "leslie@exa,mple.com"},
		{"email too long", func(p *CreateCustomerParams) { p.Email = strings.Repeat("a", 243) + "@example.com" }, "email", ""},
		{"email at 254", func(p *CreateCustomerParams) {
			p.Email = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 185) + ".com"
		}, "", ""},
		{"email unicode", func(p *CreateCustomerParams) { p.Email = "zoë@example.com" }, "", ""},
		{"email plus tag", func(p *CreateCustomerParams) { p.Email = "leslie+parks@example.co.uk" }, "", ""},

		{"phone empty", func(p *CreateCustomerParams) { p.Phone = "" }, "phone", ""},
		{"phone no plus", func(p *CreateCustomerParams) { p.Phone = "13175550142" }, "phone", "13175550142"},
		{"phone leading zero", func(p *CreateCustomerParams) { p.Phone = "+03175550142" }, "phone", "+03175550142"},
		{"phone too short", func(p *CreateCustomerParams) { p.Phone = "+1" }, "phone", ""},
		{"phone too long", func(p *CreateCustomerParams) { p.Phone = "+1234567890123456" }, "phone", "+1234567890123456"},
		{"phone spaces", func(p *CreateCustomerParams) { p.Phone = "+1 317 555 0142" }, "phone", "+1 317 555 0142"},
		{"phone dashes", func(p *CreateCustomerParams) { p.Phone = "+1-317-555-0142" }, "phone", "+1-317-555-0142"},
		{"phone fullwidth digits", func(p *CreateCustomerParams) { p.Phone = "+１３１７５５５０１４２" }, "phone", "+１３１７５５５０１４２"},
		{"phone shortest", func(p *CreateCustomerParams) { p.Phone = "+12" }, "", ""},
		{"phone longest", func(p *CreateCustomerParams) { p.Phone = "+123456789012345" }, "", ""},

		{"ip empty", func(p *CreateCustomerParams) { p.IPAddress = IPAddress{} }, "device.ip_address", ""},
		{"ip masked", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("**.**.**.**") }, "device.ip_address", "**.**.**.**"},
		{"ip v6", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("2001:db8::1") }, "device.ip_address", "2001:db8::1"},
		{"ip v4-mapped v6", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("::ffff:203.0.113.42") }, "device.ip_address", "::ffff:203.0.113.42"},
		{"ip out of range", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("256.0.113.42") }, "device.ip_address", "256.0.113.42"},
		{"ip three parts", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("203.0.113") }, "device.ip_address", "203.0.113"},
		{"ip leading zero", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("203.0.113.042") }, "device.ip_address", "203.0.113.042"},
		{"ip trailing space", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("203.0.113.42 ") }, "device.ip_address", "203.0.113.42 "},
		{"ip hostname", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("localhost") }, "device.ip_address", "localhost"},
		{"ip offline", func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("0.0.0.0") }, "", ""},

		{"address1 empty", func(p *CreateCustomerParams) { p.Address.Address1 = "" }, "address.address1", ""},
		{"address1 101 runes", func(p *CreateCustomerParams) { p.Address.Address1 = strings.Repeat("é", 101) }, "address.address1", strings.Repeat("é", 101)},
		{"address1 100 runes", func(p *CreateCustomerParams) { p.Address.Address1 = strings.Repeat("é", 100) }, "", ""},
		{"address2 101", func(p *CreateCustomerParams) { p.Address.Address2 = strings.Repeat("b", 101) }, "address.address2", strings.Repeat("b", 101)},
		{"address2 empty", func(p *CreateCustomerParams) { p.Address.Address2 = "" }, "", ""},
		{"city empty", func(p *CreateCustomerParams) { p.Address.City = "" }, "address.city", ""},
		{"city 101", func(p *CreateCustomerParams) { p.Address.City = strings.Repeat("山", 101) }, "address.city", strings.Repeat("山", 101)},
		{"state empty", func(p *CreateCustomerParams) { p.Address.State = "" }, "address.state", ""},
		{"state lower", func(p *CreateCustomerParams) { p.Address.State = "in" }, "address.state", ""},
		{"state three", func(p *CreateCustomerParams) { p.Address.State = "IND" }, "address.state", ""},
		{"state unicode", func(p *CreateCustomerParams) { p.Address.State = "ÎN" }, "address.state", ""},
		{"zip empty", func(p *CreateCustomerParams) { p.Address.Zip = "" }, "address.zip", ""},
		{"zip four", func(p *CreateCustomerParams) { p.Address.Zip = "4799" }, "address.zip", "4799"},
		{"zip six", func(p *CreateCustomerParams) { p.Address.Zip = "479980" }, "address.zip", "479980"},
		{"zip short plus4", func(p *CreateCustomerParams) { p.Address.Zip = "47998-010" }, "address.zip", "47998-010"},
		{"zip letters", func(p *CreateCustomerParams) { p.Address.Zip = "K1A0B1" }, "address.zip", "K1A0B1"},
		{"zip plus4", func(p *CreateCustomerParams) { p.Address.Zip = "47998-0100" }, "", ""},
		{"no address", func(p *CreateCustomerParams) { p.Address = nil }, "", ""},

		{"ssn masked", func(p *CreateCustomerParams) { p.Individual.SSN = NewSSN("***-**-****") }, "compliance_profile.ssn", "***-**-****"},
		{"ssn partly masked", func(p *CreateCustomerParams) { p.Individual.SSN = NewSSN("***-**-6789") }, "compliance_profile.ssn", "***-**-6789"},
		{"ssn no dashes", func(p *CreateCustomerParams) { p.Individual.SSN = NewSSN("987654329") }, "compliance_profile.ssn", "987654329"},
		{"ssn short", func(p *CreateCustomerParams) { p.Individual.SSN = NewSSN("987-65-432") }, "compliance_profile.ssn", "987-65-432"},
		{"ssn fullwidth", func(p *CreateCustomerParams) { p.Individual.SSN = NewSSN("９８７-65-4329") }, "compliance_profile.ssn", "９８７-65-4329"},
		{"ssn absent", func(p *CreateCustomerParams) { p.Individual.SSN = SSN{} }, "", ""},

		{"dob masked", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB("****-**-**") }, "compliance_profile.dob", "****-**-**"},
		{"dob not a day", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB("1961-02-30") }, "compliance_profile.dob", "1961-02-30"},
		{"dob not leap", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB("1961-02-29") }, "compliance_profile.dob", "1961-02-29"},
		{"dob slashes", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB("1961/07/13") }, "compliance_profile.dob", "1961/07/13"},
		{"dob day first", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB("13-07-1961") }, "compliance_profile.dob", "13-07-1961"},
		{"dob with time", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB("1961-07-13T00:00:00Z") }, "compliance_profile.dob", "1961-07-13T00:00:00Z"},
		{"dob future", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB(future) }, "compliance_profile.dob", future},
		{"dob today", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB(today) }, "", ""},
		{"dob leap day", func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB("1960-02-29") }, "", ""},
		{"dob absent", func(p *CreateCustomerParams) { p.Individual.DOB = DOB{} }, "", ""},

		{"business identity on individual", func(p *CreateCustomerParams) {
			p.Individual, p.Business = nil, &BusinessIdentity{LegalBusinessName: "B"}
		}, "compliance_profile", ""},
		{"individual identity on business", func(p *CreateCustomerParams) { p.Type = CustomerTypeBusiness }, "compliance_profile", ""},

		{"metadata 20 pairs", func(p *CreateCustomerParams) { p.Metadata = metadataOf(20, 40, 40) }, "", ""},
		{"metadata 21 pairs", func(p *CreateCustomerParams) { p.Metadata = metadataOf(21, 5, 5) }, "metadata", ""},
		{"metadata 41-char key", func(p *CreateCustomerParams) { p.Metadata = map[string]string{strings.Repeat("k", 41): "v"} }, "metadata", strings.Repeat("k", 41)},
		{"metadata 41-char value", func(p *CreateCustomerParams) { p.Metadata = map[string]string{"k": strings.Repeat("v", 41)} }, "metadata", strings.Repeat("v", 41)},
		{"metadata 40-rune unicode", func(p *CreateCustomerParams) {
			p.Metadata = map[string]string{strings.Repeat("ключ", 10): strings.Repeat("é", 40)}
		}, "", ""},
		{"metadata 41-rune unicode value", func(p *CreateCustomerParams) { p.Metadata = map[string]string{"k": strings.Repeat("é", 41)} }, "metadata", strings.Repeat("é", 41)},
		{"metadata empty key", func(p *CreateCustomerParams) { p.Metadata = map[string]string{"": "v"} }, "metadata", ""},
		{"metadata empty value", func(p *CreateCustomerParams) { p.Metadata = map[string]string{"k": ""} }, "", ""},

		{"sandbox outcome unknown", func(p *CreateCustomerParams) { p.Config = &Config{SandboxOutcome: "pending"} }, "config.sandbox_outcome", "pending"},
		{"sandbox outcome case", func(p *CreateCustomerParams) { p.Config = &Config{SandboxOutcome: "Verified"} }, "config.sandbox_outcome", "Verified"},
		{"sandbox outcome empty", func(p *CreateCustomerParams) { p.Config = &Config{SandboxOutcome: ""} }, "", ""},
		{"processing method unknown", func(p *CreateCustomerParams) { p.Config = &Config{ProcessingMethod: "later"} }, "config.processing_method", "later"},
		{"processing method skip", func(p *CreateCustomerParams) { p.Config = &Config{ProcessingMethod: ProcessingMethodSkip} }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := individualCreateParams()
			tt.mutate(p)
			err := p.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			assertRefused(t, err, tt.field, tt.value)
		})
	}
}

func TestBusinessValidationRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(b *BusinessIdentity)
		field  string
		value  string
	}{
		{"valid", func(*BusinessIdentity) {}, "", ""},
		{"ein masked", func(b *BusinessIdentity) { b.EIN = NewEIN("**-*******") }, "compliance_profile.ein", "**-*******"},
		{"ein no dash", func(b *BusinessIdentity) { b.EIN = NewEIN("987654321") }, "compliance_profile.ein", "987654321"},
		{"ein short", func(b *BusinessIdentity) { b.EIN = NewEIN("98-765432") }, "compliance_profile.ein", "98-765432"},
		{"ein absent", func(b *BusinessIdentity) { b.EIN = EIN{} }, "", ""},
		{"website without scheme", func(b *BusinessIdentity) { b.Website = "www.acme.example.com" }, "compliance_profile.website", "www.acme.example.com"},
		{"website without host", func(b *BusinessIdentity) { b.Website = "ftp://" }, "compliance_profile.website", "ftp://"},
		{"website bad escape", func(b *BusinessIdentity) { b.Website = "https://acme.example.com/%zz" }, "compliance_profile.website", "%zz"},
		{"website absent", func(b *BusinessIdentity) { b.Website = "" }, "", ""},
		{"representative without name", func(b *BusinessIdentity) { b.Representatives[1].Name = " " }, "compliance_profile.representatives[1].name", ""},
		{"representative bad email", func(b *BusinessIdentity) { b.Representatives[0].Email = "wile at example.com" }, "compliance_profile.representatives[0].email", "wile at example.com"},
		{"no representatives", func(b *BusinessIdentity) { b.Representatives = nil }, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := businessCreateParams()
			tt.mutate(p.Business)
			err := p.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			assertRefused(t, err, tt.field, tt.value)
		})
	}
}

func TestIdentityMembers(t *testing.T) {
	p := businessCreateParams()
	p.Type = CustomerTypeIndividual
	assert.Equal(t, []string{"compliance_profile", "compliance_profile.representatives"}, validationFields(t, p.Validate()),
		"business data on an individual names the profile and its representatives")

	p = individualCreateParams()
	p.Business = &BusinessIdentity{LegalBusinessName: "B"}
	assert.Equal(t, []string{"compliance_profile", "compliance_profile"}, validationFields(t, p.Validate()),
		"both identities, and the business one on an individual")
	assert.Contains(t, p.Validate().Error(), "not both")

	u := validUpdateParams()
	u.Business = &BusinessIdentity{LegalBusinessName: "B"}
	assertRefused(t, u.Validate(), "compliance_profile", "")
	u.Individual = nil
	require.NoError(t, u.Validate(), "on update the type is not known, so either member alone is fine")
}

func validUpdateParams() *UpdateCustomerParams {
	return &UpdateCustomerParams{
		Name: "Leslie Knope", Email: "leslie.knope@example.com", Phone: "+13175550142",
		IPAddress: NewIPAddress("203.0.113.42"), Status: CustomerStatusVerified,
		Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")},
	}
}

func TestUpdateValidationRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *UpdateCustomerParams)
		field  string
		value  string
	}{
		{"valid", func(*UpdateCustomerParams) {}, "", ""},
		{"status empty", func(p *UpdateCustomerParams) { p.Status = "" }, "status", ""},
		{"status unknown", func(p *UpdateCustomerParams) { p.Status = "archived" }, "status", "archived"},
		{"status inactive", func(p *UpdateCustomerParams) { p.Status = CustomerStatusInactive }, "", ""},
		{"name empty", func(p *UpdateCustomerParams) { p.Name = "" }, "name", ""},
		{"email bad", func(p *UpdateCustomerParams) { p.Email = "leslie" }, "email", "leslie"},
		{"phone bad", func(p *UpdateCustomerParams) { p.Phone = "555-0142" }, "phone", "555-0142"},
		{"ip masked", func(p *UpdateCustomerParams) { p.IPAddress = NewIPAddress("**.**.**.**") }, "device.ip_address", "**.**.**.**"},
		{"ip missing", func(p *UpdateCustomerParams) { p.IPAddress = IPAddress{} }, "device.ip_address", ""},
		{"ssn masked", func(p *UpdateCustomerParams) { p.Individual.SSN = NewSSN("***-**-****") }, "compliance_profile.ssn", "***-**-****"},
		{"dob masked", func(p *UpdateCustomerParams) { p.Individual.DOB = NewDOB("****-**-**") }, "compliance_profile.dob", "****-**-**"},
		{"ein masked", func(p *UpdateCustomerParams) {
			p.Individual, p.Business = nil, &BusinessIdentity{EIN: NewEIN("**-*******")}
		}, "compliance_profile.ein", "**-*******"},
		{"address zip", func(p *UpdateCustomerParams) {
			p.Address = &Address{Address1: "1 A St", City: "C", State: "IN", Zip: "1"}
		}, "address.zip", ""},
		{"metadata 21", func(p *UpdateCustomerParams) { p.Metadata = metadataOf(21, 2, 2) }, "metadata", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validUpdateParams()
			tt.mutate(p)
			err := p.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			assertRefused(t, err, tt.field, tt.value)
		})
	}
}

func TestValidationReportsEverythingAtOnce(t *testing.T) {
	err := (&CreateCustomerParams{}).Validate()
	assert.Equal(t, []string{"name", "type", "email", "phone", "device.ip_address"}, validationFields(t, err))
	var v *ValidationError
	require.ErrorAs(t, err, &v)
	assert.Equal(t, "name", v.Field)
	assert.Equal(t, "straddle: invalid name: is required; type: is required; email: is required; phone: is required; device.ip_address: is required", err.Error(),
		"one line, every field and rule")

	p := individualCreateParams()
	p.Metadata = map[string]string{"": strings.Repeat("v", 41), strings.Repeat("k", 41): "v"}
	for i := range 20 {
		p.Metadata[fmt.Sprint(i)] = "v"
	}
	err = p.Validate()
	assert.Equal(t, []string{"metadata", "metadata", "metadata", "metadata"}, validationFields(t, err))
	for _, rule := range []string{"at most 20 pairs", "keys must not be empty", "keys must be at most 40", "values must be at most 40"} {
		assert.Contains(t, err.Error(), rule)
	}

	u := &UpdateCustomerParams{}
	assert.Equal(t, []string{"name", "email", "phone", "device.ip_address", "status"}, validationFields(t, u.Validate()))

	var nilCreate *CreateCustomerParams
	assertRefused(t, nilCreate.Validate(), "params", "")
	var nilUpdate *UpdateCustomerParams
	assertRefused(t, nilUpdate.Validate(), "params", "")
}

func TestValidationErrorsNeverEchoSentinels(t *testing.T) {
	// Each sentinel made invalid in a way that keeps it recognisable.
	p := sentinelCreateParams()
	p.Individual.SSN = NewSSN(sentinelSSN + "0")
	p.Individual.DOB = NewDOB(sentinelDOB + "x")
	p.IPAddress = NewIPAddress(sentinelIP + ".1")
	p.Business = &BusinessIdentity{EIN: NewEIN(sentinelEIN + "0")}
	err := p.Validate()
	require.Error(t, err)
	fields := validationFields(t, err)
	for _, f := range []string{"compliance_profile.ssn", "compliance_profile.dob", "compliance_profile.ein", "device.ip_address"} {
		assert.Contains(t, fields, f)
	}
	assertNoSentinel(t, "validation error", err.Error())
	assertNoSentinel(t, "validation error %+v", fmt.Sprintf("%+v", err))

	u := sentinelUpdateParams()
	u.Business.EIN = NewEIN("0" + sentinelEIN)
	u.IPAddress = NewIPAddress("v6:" + sentinelIP)
	err = u.Validate()
	assert.Equal(t, []string{"device.ip_address", "compliance_profile.ein"}, validationFields(t, err))
	assertNoSentinel(t, "update validation error", err.Error())
}

func TestListValidationRules(t *testing.T) {
	from := time.Date(2026, 7, 8, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		p     *ListParams
		field string
	}{
		{"nil", nil, ""},
		{"zero", &ListParams{}, ""},
		{"page number 1", &ListParams{PageNumber: 1}, ""},
		{"page number negative", &ListParams{PageNumber: -1}, "page_number"},
		{"page number beyond int32", &ListParams{PageNumber: 1 << 31}, "page_number"},
		{"page size 1", &ListParams{PageSize: 1}, ""},
		{"page size 1000", &ListParams{PageSize: 1000}, ""},
		{"page size 1001", &ListParams{PageSize: 1001}, "page_size"},
		{"page size negative", &ListParams{PageSize: -5}, "page_size"},
		{"sort by known", &ListParams{SortBy: SortByName, SortOrder: SortDesc}, ""},
		{"sort by unknown", &ListParams{SortBy: "email"}, "sort_by"},
		{"sort order unknown", &ListParams{SortOrder: "DESC"}, "sort_order"},
		{"created range", &ListParams{CreatedFrom: from, CreatedTo: from.Add(time.Hour)}, ""},
		{"created instant", &ListParams{CreatedFrom: from, CreatedTo: from}, ""},
		{"created from only", &ListParams{CreatedFrom: from}, ""},
		{"created to only", &ListParams{CreatedTo: from}, ""},
		{"created reversed", &ListParams{CreatedFrom: from, CreatedTo: from.Add(-time.Second)}, "created_from"},
		{"statuses known", &ListParams{Statuses: []CustomerStatus{CustomerStatusPending, CustomerStatusInactive}}, ""},
		{"statuses unknown", &ListParams{Statuses: []CustomerStatus{CustomerStatusPending, "archived", "gone"}}, "status"},
		{"types known", &ListParams{Types: []CustomerType{CustomerTypeBusiness}}, ""},
		{"types unknown", &ListParams{Types: []CustomerType{"trust"}}, "types"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			assertRefused(t, err, tt.field, "")
		})
	}
	err := (&ListParams{PageNumber: -1, PageSize: 2000, SortBy: "x", SortOrder: "y", Statuses: []CustomerStatus{"z"}, Types: []CustomerType{"w"},
		CreatedFrom: from, CreatedTo: from.Add(-time.Hour)}).Validate()
	assert.Equal(t, []string{"page_number", "page_size", "sort_by", "sort_order", "created_from", "status", "types"}, validationFields(t, err))
}

func TestValidateID(t *testing.T) {
	for _, id := range []string{testCustomerID, "3C90C3CC-0D44-4B50-8888-8DD25736052A", "00000000-0000-0000-0000-000000000000"} {
		assert.NoError(t, validateID(id), id)
	}
	assertRefused(t, validateID(""), "id", "")
	for _, id := range []string{
		"not-a-uuid",
		"019f3b3d58167 7fb8a9cad05f1654b00",
		"019f3b3d-5816-77fb-8a9c-ad05f1654b0",
		"019f3b3d-5816-77fb-8a9c-ad05f1654b000",
		"{019f3b3d-5816-77fb-8a9c-ad05f1654b00}",
		"019f3b3d-5816-77fb-8a9c-ad05f1654g00",
		"019f3b3d5816-77fb-8a9c-ad05f1654b00-",
		"../019f3b3d-5816-77fb-8a9c-ad05f1654b",
		"019f3b3d-5816-77fb-8a9c-ad05f1654b00/review",
	} {
		assertRefused(t, validateID(id), "id", id)
	}
}

func TestDecisionValidate(t *testing.T) {
	require.NoError(t, checkDecision(CustomerStatusVerified))
	require.NoError(t, checkDecision(CustomerStatusRejected))
	for _, d := range []CustomerStatus{"", "review", "pending", "Verified", "accept"} {
		assertRefused(t, checkDecision(d), "status", string(d))
	}
}

func TestDOBFutureUsesTheClock(t *testing.T) {
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC) }
	p := individualCreateParams()
	p.Individual.DOB = NewDOB("2030-01-02")
	require.NoError(t, p.Validate(), "a birth tomorrow in UTC is today somewhere (UTC+14)")
	p.Individual.DOB = NewDOB("2030-01-03")
	assertRefused(t, p.Validate(), "compliance_profile.dob", "2030-01-03")
}

// TestValidationErrorsAreAList: Validate returns every problem as
// ValidationErrors, on one line; errors.As reaches the list and the first
// *ValidationError, through a call's error too. On main Validate did not
// exist and the problems were an errors.Join, one per line.
func TestValidationErrorsAreAList(t *testing.T) {
	p := individualCreateParams()
	p.Email, p.Phone, p.Individual.SSN = "not-an-email", "555-0100", NewSSN(sentinelSSN+"0")
	err := p.Validate()
	var list ValidationErrors
	require.ErrorAs(t, err, &list)
	var fields []string
	for _, v := range list {
		fields = append(fields, v.Field)
	}
	assert.Equal(t, []string{"email", "phone", "compliance_profile.ssn"}, fields)
	var first *ValidationError
	require.ErrorAs(t, err, &first)
	assert.Equal(t, "email", first.Field)
	assert.NotContains(t, err.Error(), "\n")
	assertNoSentinel(t, "validation errors", err.Error())
	assert.True(t, IsLocalValidation(err))

	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("sent %s", r.URL.Path) })
	_, callErr := h.client.Customers.Create(context.Background(), p)
	var fromCall ValidationErrors
	require.ErrorAs(t, callErr, &fromCall)
	assert.Equal(t, list, fromCall)

	u := &UpdateCustomerParams{Name: "x"}
	require.ErrorAs(t, u.Validate(), &list)
	assert.Len(t, list, 4)
	l := &ListParams{PageSize: 1001, SortBy: "age"}
	require.ErrorAs(t, l.Validate(), &list)
	assert.Len(t, list, 2)

	require.NoError(t, individualCreateParams().Validate())
	var nilList *ListParams
	require.NoError(t, nilList.Validate())
	assert.Nil(t, (&ListParams{}).Validate(), "no problems is a nil error, not an empty list")
}

// TestPlainEmailIsNotParsed: the usual address is accepted without
// net/mail's parse, which allocates.
func TestPlainEmailIsNotParsed(t *testing.T) {
	var ok bool
	allocs := testing.AllocsPerRun(20, func() { ok = isEmail("leslie.knope+civic@pawnee.example.com") })
	if !ok || allocs != 0 {
		t.Errorf("isEmail = %v with %v allocations, want true with none", ok, allocs)
	}
}

// emailCases are addresses on both sides of the dot-atom shortcut.
var emailCases = []struct {
	email string
	want  bool
}{
	{"a@b.co", true},
	{"leslie.knope@example.com", true},
	{"o'brien+tag/x=y{z}|~!#$%&*^_`-@mail.example.org", true},
	{"first..last@example.com", false},
	{".first@example.com", false},
	{"first.@example.com", false},
	{"a@b..co", false},
	{"a@.b.co", false},
	{"a@b.co.", false},
	{"a@bco", false},
	{"@b.co", false},
	{"a@b@c.co", false},
	{"a(b)@c.co", false},
	{"a@b(c).co", false},
	{"a[b]@c.co", false},
	{"a@[192.0.2.1]", true}, // a domain literal: net/mail decides
	{`a\b@c.co`, false},
	{"a;b@c.co", false},
	{"a:b@c.co", false},
	{"a,b@c.co", false},
	{`"ab"@c.co`, false}, // net/mail gives back ab@c.co: not as written
	{`"a.b"@c.co`, false},
	{"Leslie <a@b.co>", false},
	{"jörg@example.com", true}, // not a dot-atom of ASCII: net/mail decides
	{"a@exämple.com", true},
	{"a b@c.co", false},
	{"a\x7f@c.co", false},
}

func TestIsEmailAgreesWithNetMail(t *testing.T) {
	for _, tt := range emailCases {
		if got := isEmail(tt.email); got != tt.want {
			t.Errorf("isEmail(%q) = %v, want %v", tt.email, got, tt.want)
		}
		local, domain, _ := strings.Cut(tt.email, "@")
		checkDotAtomAgrees(t, local, domain)
	}
}

// FuzzEmailDotAtomAgreesWithNetMail: every address of two dot-atoms, the
// shortcut isEmail takes, is one net/mail accepts and gives back as written.
func FuzzEmailDotAtomAgreesWithNetMail(f *testing.F) {
	for _, tt := range emailCases {
		local, domain, _ := strings.Cut(tt.email, "@")
		f.Add(local, domain)
	}
	f.Fuzz(checkDotAtomAgrees)
}

func checkDotAtomAgrees(t *testing.T, local, domain string) {
	if !isDotAtom(local) || !isDotAtom(domain) {
		return
	}
	s := local + "@" + domain
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		t.Errorf("%q: dot-atoms, but net/mail gives %v, %v", s, a, err)
	}
}
