package straddle

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const responsesDir = "../testdata/responses"

// fixture is one response file, named <operationId>.<status>.<variant>.json.
type fixture struct {
	name   string
	op     string
	status int
	body   []byte
}

func loadFixtures(t *testing.T) []fixture {
	t.Helper()
	entries, err := os.ReadDir(responsesDir)
	require.NoError(t, err)
	var out []fixture
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".json" {
			continue
		}
		parts := strings.SplitN(e.Name(), ".", 3)
		require.Len(t, parts, 3, "fixture name %s", e.Name())
		status, err := strconv.Atoi(parts[1])
		require.NoError(t, err, "fixture status in %s", e.Name())
		body, err := os.ReadFile(filepath.Join(responsesDir, e.Name()))
		require.NoError(t, err)
		out = append(out, fixture{name: e.Name(), op: parts[0], status: status, body: body})
	}
	require.NotEmpty(t, out)
	return out
}

// envelope is the wire envelope, kept local so these tests do not depend on
// the transport's decoding.
type envelope struct {
	Meta         map[string]any  `json:"meta"`
	ResponseType string          `json:"response_type"`
	Data         json.RawMessage `json:"data"`
	Error        *struct {
		Status int    `json:"status"`
		Type   string `json:"type"`
		Title  string `json:"title"`
	} `json:"error"`
}

// wireCustomer is the raw view of a customer object, to check decoded models
// against the fixture's own values rather than against copies in the test.
type wireCustomer map[string]any

func (w wireCustomer) str(key string) string {
	s, _ := w[key].(string)
	return s
}

func (w wireCustomer) time(t *testing.T, key string) time.Time {
	t.Helper()
	s := w.str(key)
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v, err = time.ParseInLocation("2006-01-02T15:04:05", s, time.UTC)
	}
	require.NoError(t, err, key)
	return v
}

func (w wireCustomer) profileKeys() map[string]any {
	m, _ := w["compliance_profile"].(map[string]any)
	return m
}

func assertCommonFields(t *testing.T, w wireCustomer, id, name, email, phone, externalID string,
	typ CustomerType, status CustomerStatus, created, updated time.Time) {
	t.Helper()
	assert.Equal(t, w.str("id"), id)
	assert.Equal(t, w.str("name"), name)
	assert.Equal(t, w.str("email"), email)
	assert.Equal(t, w.str("phone"), phone)
	assert.Equal(t, w.str("external_id"), externalID)
	assert.Equal(t, CustomerType(w.str("type")), typ)
	assert.Equal(t, CustomerStatus(w.str("status")), status)
	assert.True(t, w.time(t, "created_at").Equal(created), "created_at")
	assert.True(t, w.time(t, "updated_at").Equal(updated), "updated_at")
	assert.Equal(t, time.UTC, created.Location(), "timestamps decode in UTC")
	assert.NotEmpty(t, id)
}

func assertMaskedCustomer(t *testing.T, raw json.RawMessage, c *Customer) {
	t.Helper()
	var w wireCustomer
	require.NoError(t, json.Unmarshal(raw, &w))
	assertCommonFields(t, w, c.ID, c.Name, c.Email, c.Phone, c.ExternalID, c.Type, c.Status, c.CreatedAt, c.UpdatedAt)
	keys := w.profileKeys()
	if keys == nil {
		assert.Nil(t, c.ComplianceProfile)
	} else {
		require.NotNil(t, c.ComplianceProfile)
		if _, ok := keys["ssn"]; ok {
			require.NotNil(t, c.ComplianceProfile.Individual)
			assert.Nil(t, c.ComplianceProfile.Business)
			assert.Equal(t, keys["ssn"] != nil, !c.ComplianceProfile.Individual.SSN.IsZero())
		} else {
			require.NotNil(t, c.ComplianceProfile.Business)
			assert.Nil(t, c.ComplianceProfile.Individual)
			assert.Equal(t, keys["legal_business_name"], c.ComplianceProfile.Business.LegalBusinessName)
			reps, _ := keys["representatives"].([]any)
			assert.Len(t, c.ComplianceProfile.Business.Representatives, len(reps))
		}
	}
	if dev, ok := w["device"].(map[string]any); ok {
		require.NotNil(t, c.Device)
		ip := dev["ip_address"].(string)
		assert.Equal(t, strings.Trim(ip, "*.") == "", c.Device.IPAddress.IsMasked())
	}
	if addr, ok := w["address"].(map[string]any); ok {
		require.NotNil(t, c.Address)
		assert.Equal(t, addr["address1"], c.Address.Address1)
		assert.Equal(t, addr["zip"], c.Address.Zip)
	} else {
		assert.Nil(t, c.Address)
	}
	meta, _ := w["metadata"].(map[string]any)
	assert.Len(t, c.Metadata, len(meta))
	for k, v := range meta {
		assert.Equal(t, v, c.Metadata[k])
	}
}

func TestDecodeEveryFixture(t *testing.T) {
	for _, f := range loadFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			var env envelope
			require.NoError(t, json.Unmarshal(f.body, &env))
			if f.status >= 300 {
				require.NotNil(t, env.Error, "error fixtures carry the error under error")
				assert.Equal(t, f.status, env.Error.Status)
				assert.Equal(t, "error", env.ResponseType)
				assert.NotEmpty(t, env.Error.Title)
				return
			}
			require.NotEmpty(t, env.Data)
			switch f.op {
			case "createCustomer", "getCustomer", "updateCustomer", "deleteCustomer",
				"decideCustomerReview", "refreshCustomerReview":
				var c Customer
				require.NoError(t, json.Unmarshal(env.Data, &c))
				assertMaskedCustomer(t, env.Data, &c)
			case "getUnmaskedCustomer":
				var u UnmaskedCustomer
				require.NoError(t, json.Unmarshal(env.Data, &u))
				assertUnmaskedCustomer(t, env.Data, &u)
			case "listCustomers":
				var list []CustomerSummary
				require.NoError(t, json.Unmarshal(env.Data, &list))
				var raw []wireCustomer
				require.NoError(t, json.Unmarshal(env.Data, &raw))
				require.Len(t, list, len(raw))
				for i, s := range list {
					assertCommonFields(t, raw[i], s.ID, s.Name, s.Email, s.Phone, s.ExternalID, s.Type, s.Status, s.CreatedAt, s.UpdatedAt)
				}
			case "getCustomerReview":
				var r CustomerReview
				require.NoError(t, json.Unmarshal(env.Data, &r))
				var raw struct {
					Customer json.RawMessage `json:"customer_details"`
					Identity map[string]any  `json:"identity_details"`
				}
				require.NoError(t, json.Unmarshal(env.Data, &raw))
				assertMaskedCustomer(t, raw.Customer, &r.Customer)
				if raw.Identity == nil {
					assert.Nil(t, r.Identity)
				} else {
					require.NotNil(t, r.Identity)
					assert.Equal(t, raw.Identity["review_id"], r.Identity.ReviewID)
					assert.Equal(t, raw.Identity["decision"], string(r.Identity.Decision))
					assert.False(t, r.Identity.CreatedAt.IsZero())
				}
			default:
				t.Fatalf("no model for operation %s", f.op)
			}
		})
	}
}

func assertUnmaskedCustomer(t *testing.T, raw json.RawMessage, u *UnmaskedCustomer) {
	t.Helper()
	var w wireCustomer
	require.NoError(t, json.Unmarshal(raw, &w))
	assertCommonFields(t, w, u.ID, u.Name, u.Email, u.Phone, u.ExternalID, u.Type, u.Status, u.CreatedAt, u.UpdatedAt)
	keys := w.profileKeys()
	require.NotNil(t, u.ComplianceProfile)
	switch u.Type {
	case CustomerTypeIndividual:
		require.NotNil(t, u.ComplianceProfile.Individual)
		assert.Nil(t, u.ComplianceProfile.Business)
		assert.Equal(t, keys["ssn"], u.ComplianceProfile.Individual.SSN.Reveal())
		assert.Equal(t, keys["dob"], u.ComplianceProfile.Individual.DOB.Reveal())
	case CustomerTypeBusiness:
		require.NotNil(t, u.ComplianceProfile.Business)
		assert.Nil(t, u.ComplianceProfile.Individual)
		assert.Equal(t, keys["ein"], u.ComplianceProfile.Business.EIN.Reveal())
		assert.Equal(t, keys["website"], u.ComplianceProfile.Business.Website)
	default:
		t.Fatalf("unexpected type %q", u.Type)
	}
	require.NotNil(t, u.Device)
	assert.Equal(t, w["device"].(map[string]any)["ip_address"], u.Device.IPAddress.Reveal())
}

func decodeFixtureData(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(responsesDir, name))
	require.NoError(t, err)
	var env envelope
	require.NoError(t, json.Unmarshal(b, &env))
	require.NoError(t, json.Unmarshal(env.Data, v))
}

func TestDecodeFixtureSpecifics(t *testing.T) {
	t.Run("zoneless timestamps are UTC", func(t *testing.T) {
		var c Customer
		decodeFixtureData(t, "getCustomer.200.zoneless-timestamps.json", &c)
		want := time.Date(2026, 7, 7, 6, 21, 44, 0, time.UTC)
		assert.Equal(t, want, c.CreatedAt)
		assert.Equal(t, want, c.UpdatedAt)
	})
	t.Run("seven fractional digits", func(t *testing.T) {
		var c Customer
		decodeFixtureData(t, "createCustomer.201.individual.json", &c)
		assert.Equal(t, time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC), c.CreatedAt)
		assert.Equal(t, CustomerStatusVerified, c.Status)
		assert.Equal(t, "019f3b3d-5816-77fb-8a9c-ad05f1654b00", c.ID)
		require.NotNil(t, c.ComplianceProfile.Individual)
		assert.True(t, c.ComplianceProfile.Individual.SSN.IsMasked())
		assert.True(t, c.ComplianceProfile.Individual.DOB.IsMasked())
		assert.Equal(t, "***-**-****", c.ComplianceProfile.Individual.SSN.String())
		assert.Equal(t, &Config{SandboxOutcome: SandboxOutcomeStandard, ProcessingMethod: ProcessingMethodInline}, c.Config)
		assert.Equal(t, "Suite 200", c.Address.Address2)
	})
	t.Run("business profile with representatives", func(t *testing.T) {
		var c Customer
		decodeFixtureData(t, "createCustomer.201.business-masked.json", &c)
		require.NotNil(t, c.ComplianceProfile.Business)
		b := c.ComplianceProfile.Business
		assert.Equal(t, "Acme Anvils LLC", b.LegalBusinessName)
		assert.Equal(t, "https://www.acme.example.com", b.Website)
		assert.Equal(t, "**-*******", b.EIN.String())
		assert.Equal(t, []Representative{
			{Name: "Wile E. Coyote", Email: "wile.coyote@example.com", Phone: "+15055550118"},
			{Name: "Road Runner"},
		}, b.Representatives)
		assert.Equal(t, "", c.Address.Address2, "null address2")
	})
	t.Run("seed with real-looking values in masked fields", func(t *testing.T) {
		var c Customer
		decodeFixtureData(t, "updateCustomer.200.seed000.json", &c)
		require.NotNil(t, c.ComplianceProfile.Individual)
		assert.False(t, c.ComplianceProfile.Individual.DOB.IsMasked())
		assert.Equal(t, redacted, c.ComplianceProfile.Individual.DOB.String())
		assert.Equal(t, time.Date(2019, 12, 27, 18, 11, 19, 117000000, time.UTC), c.CreatedAt)
	})
	t.Run("null metadata and external id", func(t *testing.T) {
		var c Customer
		decodeFixtureData(t, "refreshCustomerReview.202.pending.json", &c)
		assert.Nil(t, c.Metadata)
		assert.Equal(t, CustomerStatusPending, c.Status)
		var list []CustomerSummary
		decodeFixtureData(t, "listCustomers.200.page1-of-2.json", &list)
		require.Len(t, list, 2)
		assert.Equal(t, "", list[1].ExternalID)
		assert.Equal(t, CustomerTypeBusiness, list[0].Type)
	})
	t.Run("empty list", func(t *testing.T) {
		var list []CustomerSummary
		decodeFixtureData(t, "listCustomers.200.empty.json", &list)
		assert.Empty(t, list)
	})
}

const customerJSON = `{"id":"019f3b3d-5816-77fb-8a9c-ad05f1654b00","name":"N","type":%s,"email":"n@example.com",
	"phone":"+13175550142","status":"verified","created_at":"2026-07-07T06:21:44","updated_at":"2026-07-07T06:21:44Z",
	"compliance_profile":%s}`

func decodeCustomer(t *testing.T, typ, profile string) (*Customer, error) {
	t.Helper()
	var c Customer
	err := json.Unmarshal([]byte(strings.Replace(strings.Replace(customerJSON, "%s", typ, 1), "%s", profile, 1)), &c)
	return &c, err
}

func TestComplianceProfileMember(t *testing.T) {
	tests := []struct {
		name, typ, profile string
		want               string // "individual", "business", "nil" or "error"
	}{
		{"individual by type and keys", `"individual"`, `{"ssn":"***-**-****","dob":"****-**-**"}`, "individual"},
		{"business by type and keys", `"business"`, `{"ein":"**-*******","legal_business_name":"B"}`, "business"},
		{"individual by type, all null", `"individual"`, `{"ssn":null,"dob":null}`, "individual"},
		{"business by type, empty object", `"business"`, `{}`, "business"},
		{"individual by type, empty object", `"individual"`, `{}`, "individual"},
		{"individual by keys, no type", `null`, `{"ssn":"***-**-****","dob":null}`, "individual"},
		{"business by keys, unknown type", `"trust"`, `{"ein":null,"legal_business_name":"B"}`, "business"},
		{"business by website key alone", `"partnership"`, `{"website":"https://x.example"}`, "business"},
		{"keys win over a contradicting type", `"individual"`, `{"ein":"**-*******","legal_business_name":"B"}`, "business"},
		{"type breaks a tie of keys", `"business"`, `{"ssn":null,"ein":"**-*******","legal_business_name":"B"}`, "business"},
		{"both key sets and no type", `"sole_prop"`, `{"ssn":"***-**-****","ein":"**-*******"}`, "error"},
		{"both key sets, all null, no type", `"sole_prop"`, `{"ssn":null,"ein":null}`, "nil"},
		{"an event's flat profile, unknown type", `"sole_prop"`, `{"ssn":"***-**-****","dob":"****-**-**","ein":null,"legal_business_name":null,"website":null}`, "individual"},
		{"no keys and no type", `null`, `{}`, "nil"},
		{"null profile", `"individual"`, `null`, "nil"},
		{"not an object", `"individual"`, `[1,2]`, "error"},
		{"wrong member field type", `"individual"`, `{"ssn":12}`, "error"},
		{"wrong business field type", `"business"`, `{"ein":null,"legal_business_name":7}`, "error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := decodeCustomer(t, tt.typ, tt.profile)
			if tt.want == "error" {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			switch tt.want {
			case "nil":
				assert.Nil(t, c.ComplianceProfile)
			case "individual":
				require.NotNil(t, c.ComplianceProfile)
				assert.NotNil(t, c.ComplianceProfile.Individual)
				assert.Nil(t, c.ComplianceProfile.Business)
			case "business":
				require.NotNil(t, c.ComplianceProfile)
				assert.NotNil(t, c.ComplianceProfile.Business)
				assert.Nil(t, c.ComplianceProfile.Individual)
			}
		})
	}
}

func TestUnmaskedProfileMember(t *testing.T) {
	var u UnmaskedCustomer
	body := strings.Replace(strings.Replace(customerJSON, "%s", `"business"`, 1), "%s", `{"ein":"12-3456789","legal_business_name":null}`, 1)
	require.NoError(t, json.Unmarshal([]byte(body), &u))
	require.NotNil(t, u.ComplianceProfile.Business)
	assert.Nil(t, u.ComplianceProfile.Individual)
	assert.Equal(t, "12-3456789", u.ComplianceProfile.Business.EIN.Reveal())
	assert.Equal(t, "", u.ComplianceProfile.Business.LegalBusinessName)

	body = strings.Replace(strings.Replace(customerJSON, "%s", `"individual"`, 1), "%s", `null`, 1)
	require.NoError(t, json.Unmarshal([]byte(body), &u))
	assert.Nil(t, u.ComplianceProfile)

	body = strings.Replace(strings.Replace(customerJSON, "%s", `"x"`, 1), "%s", `{"ssn":"1","ein":"2"}`, 1)
	require.ErrorIs(t, json.Unmarshal([]byte(body), &u), errProfileAmbiguous)
	require.Error(t, json.Unmarshal([]byte(`{"id":5}`), &u))
	require.Error(t, json.Unmarshal([]byte(`{"created_at":"yesterday"}`), &u))
}

func TestUnknownFieldsAndEnums(t *testing.T) {
	body := `{"id":"019f3b3d-5816-77fb-8a9c-ad05f1654b00","name":"N","type":"trust","email":"n@example.com",
		"phone":"+13175550142","status":"suspended","created_at":"2026-07-07T06:21:44.1Z","updated_at":"2026-07-07T06:21:44Z",
		"brand_new_field":{"nested":[1,2,3]},"address":{"address1":"1 A St","city":"C","state":"IN","zip":"47998","county":"X"},
		"config":{"sandbox_outcome":"chaos","processing_method":"batch","priority":"high"},
		"device":{"ip_address":"**.**.**.**","user_agent":"x"},"compliance_profile":null}`
	var c Customer
	require.NoError(t, json.Unmarshal([]byte(body), &c))
	assert.Equal(t, CustomerType("trust"), c.Type)
	assert.False(t, c.Type.Valid())
	assert.Equal(t, CustomerStatus("suspended"), c.Status)
	assert.False(t, c.Status.Valid())
	assert.Equal(t, SandboxOutcome("chaos"), c.Config.SandboxOutcome)
	assert.Equal(t, ProcessingMethod("batch"), c.Config.ProcessingMethod)
	assert.Nil(t, c.ComplianceProfile)
	assert.Equal(t, "1 A St", c.Address.Address1)
	assert.True(t, c.Device.IPAddress.IsMasked())

	require.Error(t, json.Unmarshal([]byte(`{"name":["not","a","string"]}`), &c))
	require.Error(t, json.Unmarshal([]byte(`{"created_at":"2026-07-07"}`), &c))

	var s CustomerSummary
	require.NoError(t, json.Unmarshal([]byte(body), &s))
	assert.Equal(t, CustomerStatus("suspended"), s.Status)
	assert.Equal(t, time.Date(2026, 7, 7, 6, 21, 44, 100000000, time.UTC), s.CreatedAt)
	require.Error(t, json.Unmarshal([]byte(`{"updated_at":12}`), &s))
	require.Error(t, json.Unmarshal([]byte(`[]`), &s))
}

func TestEnumValid(t *testing.T) {
	assert.True(t, CustomerTypeIndividual.Valid())
	assert.True(t, CustomerTypeBusiness.Valid())
	assert.False(t, CustomerType("").Valid())
	for _, s := range []CustomerStatus{CustomerStatusPending, CustomerStatusReview, CustomerStatusVerified, CustomerStatusInactive, CustomerStatusRejected} {
		assert.True(t, s.Valid(), s)
	}
	assert.False(t, CustomerStatus("Verified").Valid())
	for _, o := range []SandboxOutcome{SandboxOutcomeStandard, SandboxOutcomeVerified, SandboxOutcomeRejected, SandboxOutcomeReview} {
		assert.True(t, o.Valid(), o)
	}
	assert.False(t, SandboxOutcome("pending").Valid())
	for _, m := range []ProcessingMethod{ProcessingMethodInline, ProcessingMethodBackground, ProcessingMethodSkip} {
		assert.True(t, m.Valid(), m)
	}
	assert.False(t, ProcessingMethod("later").Valid())
	assert.True(t, SortByName.Valid())
	assert.True(t, SortByCreatedAt.Valid())
	assert.False(t, SortBy("email").Valid())
	assert.True(t, SortAsc.Valid())
	assert.True(t, SortDesc.Valid())
	assert.False(t, SortOrder("up").Valid())
	for _, d := range []Recommendation{RecommendationAccept, RecommendationReject, RecommendationReview} {
		assert.True(t, d.Valid(), d)
	}
	assert.False(t, Recommendation("maybe").Valid())
	for _, c := range []Correlation{CorrelationLowConfidence, CorrelationPotentialMatch, CorrelationLikelyMatch, CorrelationHighConfidence} {
		assert.True(t, c.Valid(), c)
	}
	assert.False(t, Correlation("certain").Valid())
}

func TestTimestampForms(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-07-07T06:21:44", time.Date(2026, 7, 7, 6, 21, 44, 0, time.UTC)},
		{"2026-07-07T06:21:44Z", time.Date(2026, 7, 7, 6, 21, 44, 0, time.UTC)},
		{"2026-07-07T06:21:44.8Z", time.Date(2026, 7, 7, 6, 21, 44, 800000000, time.UTC)},
		{"2026-07-07T06:21:43.8306543Z", time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC)},
		{"2026-07-07T06:21:43.123456789Z", time.Date(2026, 7, 7, 6, 21, 43, 123456789, time.UTC)},
		{"2026-07-07T06:21:43.8306543", time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC)},
		{"2026-07-07T08:21:44+02:00", time.Date(2026, 7, 7, 6, 21, 44, 0, time.UTC)},
		{"2026-07-07T01:21:44.5-05:00", time.Date(2026, 7, 7, 6, 21, 44, 500000000, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTimestamp(tt.in)
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "got %v", got)
		})
	}
	for _, bad := range []string{"", "2026-07-07", "07/07/2026 06:21:44", "2026-07-07T25:00:00", "2026-07-07 06:21:44"} {
		_, err := parseTimestamp(bad)
		assert.Error(t, err, bad)
	}
	var ts timestamp
	require.NoError(t, ts.UnmarshalJSON([]byte("null")))
	assert.True(t, time.Time(ts).IsZero())
}

// TestTimestampYearRangeEdges: the years 0000 to 9999 hold in UTC, to the
// nanosecond, whatever the offset written.
func TestTimestampYearRangeEdges(t *testing.T) {
	for in, ok := range map[string]bool{
		`"0000-01-01T00:00:00Z"`:                true,
		`"0000-01-01T00:59:59.999999999+01:00"`: false,
		`"0000-01-01T01:00:00+01:00"`:           true,
		`"9999-12-31T23:59:59.999999999Z"`:      true,
		`"9999-12-31T23:00:00-01:00"`:           false,
		`"9999-12-31T22:59:59.999999999-01:00"`: true,
	} {
		var ts timestamp
		err := ts.UnmarshalJSON([]byte(in))
		if (err == nil) != ok {
			t.Errorf("%s: error %v, want accepted %v", in, err, ok)
		}
		if y := time.Time(ts).Year(); ok && (y < 0 || y > 9999 || time.Time(ts).Location() != time.UTC) {
			t.Errorf("%s: %v", in, time.Time(ts))
		}
	}
}

func TestCustomerJSONRoundTrip(t *testing.T) {
	for _, name := range []string{"createCustomer.201.individual.json", "createCustomer.201.business-masked.json", "getCustomerReview.200.full.json"} {
		t.Run(name, func(t *testing.T) {
			var c Customer
			if strings.HasPrefix(name, "getCustomerReview") {
				var r CustomerReview
				decodeFixtureData(t, name, &r)
				c = r.Customer
				b, err := json.Marshal(r)
				require.NoError(t, err)
				var back CustomerReview
				require.NoError(t, json.Unmarshal(b, &back))
				assert.Equal(t, r, back)
			} else {
				decodeFixtureData(t, name, &c)
			}
			b, err := json.Marshal(c)
			require.NoError(t, err)
			var back Customer
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, c, back)
		})
	}
	b, err := json.Marshal(MaskedComplianceProfile{})
	require.NoError(t, err)
	assert.Equal(t, "null", string(b))
}

func TestModelLogValues(t *testing.T) {
	var c Customer
	decodeFixtureData(t, "createCustomer.201.individual.json", &c)
	var u UnmaskedCustomer
	decodeFixtureData(t, "getUnmaskedCustomer.200.individual.json", &u)
	var r CustomerReview
	decodeFixtureData(t, "getCustomerReview.200.full.json", &r)
	var list []CustomerSummary
	decodeFixtureData(t, "listCustomers.200.page1-of-2.json", &list)

	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Debug("m", "customer", c, "unmasked", &u, "review", r, "summary", list[1],
		"create", CreateCustomerParams{Type: CustomerTypeBusiness, ExternalID: "e1", Config: &Config{SandboxOutcome: SandboxOutcomeReview}},
		"update", UpdateCustomerParams{Status: CustomerStatusInactive, ExternalID: "e2"})
	var all map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &all))
	rec := map[string]map[string]any{}
	for k, v := range all {
		if m, ok := v.(map[string]any); ok {
			rec[k] = m
		}
	}
	assert.Equal(t, map[string]any{"id": c.ID, "type": "individual", "status": "verified", "external_id": "cust_00042"}, rec["customer"])
	assert.Equal(t, u.ID, rec["unmasked"]["id"])
	assert.Equal(t, map[string]any{"id": list[1].ID, "type": "individual", "status": "pending"}, rec["summary"])
	assert.Equal(t, "review", rec["review"]["decision"])
	assert.Equal(t, r.Identity.ReviewID, rec["review"]["review_id"])
	assert.Equal(t, map[string]any{"type": "business", "external_id": "e1", "sandbox_outcome": "review"}, rec["create"])
	assert.Equal(t, map[string]any{"status": "inactive", "external_id": "e2"}, rec["update"])
	out := buf.String()
	for _, private := range []string{c.Email, c.Phone, c.Name, "203.0.113.42", "123-45-6789", "1975-01-18"} {
		assert.NotContains(t, out, private)
	}

	buf.Reset()
	logger.Debug("m", "review", CustomerReview{Customer: c})
	assert.NotContains(t, buf.String(), "decision")
}
