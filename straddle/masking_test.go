package straddle

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

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
