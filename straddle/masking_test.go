package straddle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Sentinel personal values: distinctive enough that finding any of them (or
// their digits) in output proves a leak.
const (
	sentinelSSN = "987-65-4329"
	sentinelDOB = "1961-07-13"
	sentinelEIN = "98-7654321"
	sentinelIP  = "203.0.113.199"
)

// sentinelNeedles are the strings that must never appear in safe output.
var sentinelNeedles = []string{
	sentinelSSN, "987654329",
	sentinelDOB, "19610713",
	sentinelEIN, "987654321",
	sentinelIP, "203000113199",
}

// assertNoSentinel fails if out contains any sentinel, in plain or hex form.
func assertNoSentinel(t *testing.T, what, out string) {
	t.Helper()
	for _, n := range sentinelNeedles {
		if strings.Contains(out, n) || strings.Contains(strings.ToLower(out), fmt.Sprintf("%x", n)) {
			t.Errorf("%s leaks a sentinel value: %s", what, out)
			return
		}
	}
}

func sentinelCreateParams() *CreateCustomerParams {
	return &CreateCustomerParams{
		Name: "Sentinel", Type: CustomerTypeIndividual, Email: "s@example.com", Phone: "+13175550142",
		IPAddress:  NewIPAddress(sentinelIP),
		Individual: &IndividualIdentity{SSN: NewSSN(sentinelSSN), DOB: NewDOB(sentinelDOB)},
	}
}

func sentinelUpdateParams() *UpdateCustomerParams {
	return &UpdateCustomerParams{
		Name: "Sentinel", Email: "s@example.com", Phone: "+13175550142", Status: CustomerStatusVerified,
		IPAddress: NewIPAddress(sentinelIP),
		Business:  &BusinessIdentity{EIN: NewEIN(sentinelEIN), LegalBusinessName: "Sentinel LLC"},
	}
}

func TestPIIRedactionPlaceholders(t *testing.T) {
	ssn := NewSSN(sentinelSSN)
	assert.Equal(t, redacted, ssn.String())
	assert.Equal(t, redacted, ssn.GoString())
	assert.Equal(t, redacted, fmt.Sprintf("%v", ssn))
	assert.Equal(t, `"`+redacted+`"`, fmt.Sprintf("%q", ssn))
	assert.Equal(t, redacted, ssn.LogValue().String())
	b, err := json.Marshal(ssn)
	require.NoError(t, err)
	assert.JSONEq(t, `"[REDACTED]"`, string(b))
	for _, s := range []fmt.Stringer{NewDOB("x"), NewEIN("x"), NewIPAddress("x")} {
		assert.Equal(t, redacted, s.String())
		assert.Equal(t, redacted, s.(fmt.GoStringer).GoString())
		assert.Equal(t, redacted, s.(slog.LogValuer).LogValue().String())
	}
}

func TestPIIRevealAndZero(t *testing.T) {
	assert.Equal(t, sentinelSSN, NewSSN(sentinelSSN).Reveal())
	assert.Equal(t, sentinelDOB, NewDOB(sentinelDOB).Reveal())
	assert.Equal(t, sentinelEIN, NewEIN(sentinelEIN).Reveal())
	assert.Equal(t, sentinelIP, NewIPAddress(sentinelIP).Reveal())
	assert.True(t, SSN{}.IsZero())
	assert.True(t, DOB{}.IsZero())
	assert.True(t, EIN{}.IsZero())
	assert.True(t, IPAddress{}.IsZero())
	assert.True(t, NewSSN("").IsZero(), "an empty value is no value")
	assert.Equal(t, "", SSN{}.Reveal())
	assert.False(t, NewSSN(sentinelSSN).IsZero())
	assert.False(t, NewDOB(sentinelDOB).IsZero())
	assert.False(t, NewEIN(sentinelEIN).IsZero())
	assert.False(t, NewIPAddress(sentinelIP).IsZero())
}

// A zero value has nothing to hide: it marshals as null, which decodes back
// to the zero value, so a model without personal data survives JSON.
func TestPIIZeroValueRoundTrips(t *testing.T) {
	in := UnmaskedDevice{}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"ip_address":null}`, string(b))
	var out UnmaskedDevice
	require.NoError(t, json.Unmarshal(b, &out))
	assert.True(t, out.IPAddress.IsZero())
}

func TestPIIUnmarshalJSON(t *testing.T) {
	var v struct {
		SSN SSN       `json:"ssn"`
		DOB DOB       `json:"dob"`
		EIN EIN       `json:"ein"`
		IP  IPAddress `json:"ip"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"ssn":"`+sentinelSSN+`","dob":"`+sentinelDOB+`","ein":"`+sentinelEIN+`","ip":"`+sentinelIP+`"}`), &v))
	assert.Equal(t, sentinelSSN, v.SSN.Reveal())
	assert.Equal(t, sentinelDOB, v.DOB.Reveal())
	assert.Equal(t, sentinelEIN, v.EIN.Reveal())
	assert.Equal(t, sentinelIP, v.IP.Reveal())

	require.NoError(t, json.Unmarshal([]byte(`{"ssn":null,"dob":null,"ein":null,"ip":null}`), &v))
	assert.True(t, v.SSN.IsZero())
	assert.True(t, v.DOB.IsZero())
	assert.True(t, v.EIN.IsZero())
	assert.True(t, v.IP.IsZero())

	// A wrong JSON type is an error that names the type, not the value.
	err := json.Unmarshal([]byte(`{"ssn":987654329}`), &v)
	require.Error(t, err)
	assertNoSentinel(t, "type error", err.Error())
	assert.Contains(t, err.Error(), "number")
	err = v.DOB.UnmarshalJSON([]byte(`"1961-07-13`))
	require.Error(t, err)
	assertNoSentinel(t, "syntax error", err.Error())
}

func TestMasked(t *testing.T) {
	tests := []struct {
		in         string
		isMasked   bool
		str        string
		json       string
		goStringed string
	}{
		{`"***-**-****"`, true, "***-**-****", `"***-**-****"`, `"***-**-****"`},
		{`"****-**-**"`, true, "****-**-**", `"****-**-**"`, `"****-**-**"`},
		{`"**.**.**.**"`, true, "**.**.**.**", `"**.**.**.**"`, `"**.**.**.**"`},
		{`"**-*******"`, true, "**-*******", `"**-*******"`, `"**-*******"`},
		// Seed responses show real-looking values in masked fields: never printed.
		{`"2019-12-27"`, false, redacted, `"[REDACTED]"`, `"[REDACTED]"`},
		{`"192.168.1.1"`, false, redacted, `"[REDACTED]"`, `"[REDACTED]"`},
		{`"***-**-6789"`, false, redacted, `"[REDACTED]"`, `"[REDACTED]"`},
		{`null`, false, "", `null`, `""`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var m Masked
			require.NoError(t, json.Unmarshal([]byte(tt.in), &m))
			assert.Equal(t, tt.isMasked, m.IsMasked())
			assert.Equal(t, tt.in == "null", m.IsZero())
			assert.Equal(t, tt.str, m.String())
			assert.Equal(t, tt.str, fmt.Sprintf("%v", m))
			assert.Equal(t, tt.str, fmt.Sprintf("%s", &m))
			assert.Equal(t, tt.goStringed, fmt.Sprintf("%#v", m))
			assert.Equal(t, tt.goStringed, m.GoString())
			assert.Equal(t, fmt.Sprintf("%q", tt.str), fmt.Sprintf("%q", m))
			assert.Equal(t, tt.str, m.LogValue().String())
			b, err := json.Marshal(m)
			require.NoError(t, err)
			assert.JSONEq(t, tt.json, string(b))
		})
	}
	var m Masked
	require.Error(t, json.Unmarshal([]byte(`{"a":1}`), &m))
}

func TestMaskedHidesRealValuesUnderEveryVerb(t *testing.T) {
	var m Masked
	require.NoError(t, json.Unmarshal([]byte(`"`+sentinelIP+`"`), &m))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d"} {
		assertNoSentinel(t, "Masked under "+verb, fmt.Sprintf(verb, m))
		assertNoSentinel(t, "*Masked under "+verb, fmt.Sprintf(verb, &m))
	}
	c := Customer{Device: &MaskedDevice{IPAddress: m}}
	assertNoSentinel(t, "customer", fmt.Sprintf("%+v", c))
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assertNoSentinel(t, "customer JSON", string(b))
}

// TestPIIJSONRoundTripRefusesPlaceholders: JSON of an unmasked customer
// carries "[REDACTED]", never the values; decoding it back (or a masked value
// into a real type) fails with a *PlaceholderError instead of handing back
// "[REDACTED]" as the SSN. On main it decoded, and Reveal returned
// "[REDACTED]".
func TestPIIJSONRoundTripRefusesPlaceholders(t *testing.T) {
	var u UnmaskedCustomer
	decodeFixtureData(t, "getUnmaskedCustomer.200.individual.json", &u)
	require.NotEmpty(t, u.ComplianceProfile.Individual.SSN.Reveal())
	b, err := json.Marshal(u)
	require.NoError(t, err)
	var back UnmaskedCustomer
	err = json.Unmarshal(b, &back)
	var pe *PlaceholderError
	require.ErrorAs(t, err, &pe, "decoding the JSON of an unmasked customer: %v", err)
	assert.False(t, pe.Masked)
	assert.Contains(t, err.Error(), "Reveal")

	var bus UnmaskedCustomer
	decodeFixtureData(t, "getUnmaskedCustomer.200.business.json", &bus)
	b, err = json.Marshal(bus)
	require.NoError(t, err)
	require.ErrorAs(t, json.Unmarshal(b, &UnmaskedCustomer{}), &pe)

	for _, tt := range []struct {
		json, kind string
		masked     bool
		into       json.Unmarshaler
	}{
		{`"[REDACTED]"`, "SSN", false, new(SSN)},
		{`" [redacted] "`, "DOB", false, new(DOB)},
		{`"[REDACTED]"`, "EIN", false, new(EIN)},
		{`"[REDACTED]"`, "IP address", false, new(IPAddress)},
		{`"***-**-****"`, "SSN", true, new(SSN)},
		{`"****-**-**"`, "DOB", true, new(DOB)},
		{`"**-*******"`, "EIN", true, new(EIN)},
		{`"**.**.**.**"`, "IP address", true, new(IPAddress)},
		{`"***-**-4329"`, "SSN", true, new(SSN)},
	} {
		err := tt.into.UnmarshalJSON([]byte(tt.json))
		var pe *PlaceholderError
		if assert.ErrorAs(t, err, &pe, tt.json) {
			assert.Equal(t, tt.kind, pe.Kind)
			assert.Equal(t, tt.masked, pe.Masked)
			assert.NotContains(t, err.Error(), "4329", "the error quotes the value")
		}
		assert.Empty(t, tt.into.(interface{ Reveal() string }).Reveal(), "a refused value was kept")
	}

	// A refused value leaves the previous one in place.
	ssn := NewSSN(sentinelSSN)
	require.Error(t, ssn.UnmarshalJSON([]byte(`"[REDACTED]"`)))
	assert.Equal(t, sentinelSSN, ssn.Reveal())

	// Masked reads keep decoding masked values.
	var c Customer
	decodeFixtureData(t, "getCustomer.200.individual.json", &c)
	b, err = json.Marshal(c)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &Customer{}))
}

// TestUnmaskedEndpointWithPlaceholders: an unmasked response that carries
// masked or redacted values is a *DecodeError wrapping *PlaceholderError, not
// a customer whose SSN is "***-**-****".
func TestUnmaskedEndpointWithPlaceholders(t *testing.T) {
	for _, plant := range []func(map[string]any){
		func(c map[string]any) {
			c["compliance_profile"] = map[string]any{"ssn": "***-**-****", "dob": "1975-01-18"}
		},
		func(c map[string]any) { c["device"] = map[string]any{"ip_address": "[REDACTED]"} },
	} {
		var env map[string]any
		require.NoError(t, json.Unmarshal(respFixture(t, "getUnmaskedCustomer.200.individual.json"), &env))
		plant(env["data"].(map[string]any))
		body, err := json.Marshal(env)
		require.NoError(t, err)
		h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, body) })
		h.skip = func(*http.Response) bool { return true }
		u, err := h.client.Customers.Unmasked(context.Background(), knopeID)
		var de *DecodeError
		var pe *PlaceholderError
		assert.Nil(t, u)
		assert.True(t, errors.As(err, &de) && errors.As(err, &pe), "err = %v", err)
	}
}

func TestParsePII(t *testing.T) {
	now = func() time.Time { return time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC) }
	t.Cleanup(func() { now = time.Now })
	ssn, err := ParseSSN(sentinelSSN)
	require.NoError(t, err)
	assert.Equal(t, sentinelSSN, ssn.Reveal())
	dob, err := ParseDOB(sentinelDOB)
	require.NoError(t, err)
	assert.Equal(t, sentinelDOB, dob.Reveal())
	ein, err := ParseEIN(sentinelEIN)
	require.NoError(t, err)
	assert.Equal(t, sentinelEIN, ein.Reveal())
	ip, err := ParseIPAddress(sentinelIP)
	require.NoError(t, err)
	assert.Equal(t, sentinelIP, ip.Reveal())

	parse := map[string]func(string) error{
		"compliance_profile.ssn": func(s string) error { v, err := ParseSSN(s); assert.True(t, v.IsZero()); return err },
		"compliance_profile.dob": func(s string) error { v, err := ParseDOB(s); assert.True(t, v.IsZero()); return err },
		"compliance_profile.ein": func(s string) error { v, err := ParseEIN(s); assert.True(t, v.IsZero()); return err },
		"device.ip_address":      func(s string) error { v, err := ParseIPAddress(s); assert.True(t, v.IsZero()); return err },
	}
	bad := map[string][]string{
		"compliance_profile.ssn": {"", "987654329", "987-65-43290", "***-**-****", "[REDACTED]", " " + sentinelSSN},
		"compliance_profile.dob": {"", "1961-02-30", "13/07/1961", "2027-01-01", "****-**-**", "[REDACTED]"},
		"compliance_profile.ein": {"", "987654321", "98-765432", "**-*******", "[REDACTED]"},
		"device.ip_address":      {"", "::1", "203.0.113", "203.000.113.199", "**.**.**.**", "[REDACTED]", sentinelIP + ":80"},
	}
	for field, inputs := range bad {
		for _, in := range inputs {
			err := parse[field](in)
			var v *ValidationError
			if !errors.As(err, &v) || v.Field != field || v.Rule == "" {
				t.Errorf("%s %q: err = %v, want a *ValidationError for %s", field, in, err, field)
				continue
			}
			assertNoSentinel(t, field, err.Error())
		}
	}
	_, err = ParseSSN("[REDACTED]")
	assert.Contains(t, err.Error(), "redaction placeholder")
	_, err = ParseSSN("***-**-****")
	assert.Contains(t, err.Error(), "masked value")
}
