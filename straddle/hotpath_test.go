package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

// Tests of the shortcuts that keep the client near the cost of plain
// net/http and encoding/json (see BENCHMARKS.md): each must give exactly
// what the long way gives.

func TestPlainJSONStringAgreesWithEncodingJSON(t *testing.T) {
	inputs := []string{
		`"123-45-6789"`, `"***-**-****"`, `"203.0.113.42"`, `""`, `"a b"`,
		`"a\"b"`, `"a\\b"`, `"caf\u00e9"`, `"café"`, "\"a\tb\"", "\"a\x7fb\"", "\"\xff\"",
		`null`, `12`, `true`, `["x"]`, `{"a":"b"}`, `"unterminated`, `"`, `"a"b"`, ``,
	}
	for _, in := range inputs {
		got, ok := plainJSONString([]byte(in))
		if !ok {
			continue
		}
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil || got != want {
			t.Errorf("plainJSONString(%q) = %q; encoding/json gives %q, %v", in, got, want, err)
		}
	}
	for _, in := range []string{`"123-45-6789"`, `"****-**-**"`, `"**.**.**.**"`, `""`} {
		if _, ok := plainJSONString([]byte(in)); !ok {
			t.Errorf("plainJSONString(%q) took the long way", in)
		}
	}
}

func TestPIIShortcutMatchesTheLongWay(t *testing.T) {
	for _, in := range []string{`"123-45-6789"`, `"caf\u00e9"`, `null`, `""`} {
		var short, long Masked
		if err := short.UnmarshalJSON([]byte(in)); err != nil {
			t.Fatal(err)
		}
		var s *string
		if err := json.Unmarshal([]byte(in), &s); err != nil {
			t.Fatal(err)
		}
		if s != nil {
			long = Masked{newPIIRef(*s)}
		}
		if short.IsZero() != long.IsZero() || reveal(short.v) != reveal(long.v) {
			t.Errorf("%s: decoded %q (zero %v), want %q (zero %v)", in, reveal(short.v), short.IsZero(), reveal(long.v), long.IsZero())
		}
	}
	var m Masked
	if err := m.UnmarshalJSON([]byte(`123456789`)); err == nil || strings.Contains(err.Error(), "123456789") {
		t.Errorf("a number: err %v, want an error without the value", err)
	}
}

func TestProfileKeysDecideTheMemberWithNullValues(t *testing.T) {
	tests := []struct {
		raw      string
		typ      CustomerType
		ind, bus bool
		err      bool
	}{
		{`{"ssn":null,"dob":null}`, "", true, false, false},
		{`{"ein":null}`, "", false, true, false},
		{`{"representatives":[]}`, CustomerTypeIndividual, false, true, false},
		{`{"SSN":"***-**-****"}`, "", true, false, false}, // keys match as decoding matches them
		{`{}`, "", false, false, false},
		{`{}`, CustomerTypeBusiness, false, true, false},
		{`{"ssn":"***-**-****","ein":"**-*******"}`, "", false, false, true},
		{`{"ssn":"***-**-****","ein":"**-*******"}`, CustomerTypeIndividual, true, false, false},
		{`["***-**-****"]`, "", false, false, true},
	}
	for _, tt := range tests {
		ind, bus, err := decodeProfile[MaskedIndividual, MaskedBusiness](json.RawMessage(tt.raw), tt.typ)
		if (ind != nil) != tt.ind || (bus != nil) != tt.bus || (err != nil) != tt.err {
			t.Errorf("%s with type %q: individual %v, business %v, err %v", tt.raw, tt.typ, ind != nil, bus != nil, err)
		}
		if err != nil && strings.Contains(err.Error(), "***") {
			t.Errorf("%s: error %q quotes the profile", tt.raw, err)
		}
	}
	ind, _, _ := decodeProfile[MaskedIndividual, MaskedBusiness](json.RawMessage(`{"SSN":"***-**-****"}`), "")
	if ind == nil || !ind.SSN.IsMasked() {
		t.Errorf("upper-case key: %+v", ind)
	}
}

func TestReadAllSizesTheBufferOnce(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	r := bytes.NewReader(data)
	var got []byte
	allocs := testing.AllocsPerRun(20, func() {
		r.Reset(data)
		got, _ = readAll(r, int64(len(data)), math.MaxInt64)
	})
	if allocs != 1 || !bytes.Equal(got, data) {
		t.Errorf("%v allocations for a body of announced size, read %d of %d bytes", allocs, len(got), len(data))
	}
	for name, expected := range map[string]int64{"unknown": -1, "understated": 10, "overstated": 1 << 16} {
		got, err := readAll(iotest.HalfReader(bytes.NewReader(data)), expected, math.MaxInt64)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s length: read %d of %d bytes, err %v", name, len(got), len(data), err)
		}
	}
	broken := errors.New("connection reset")
	got, err := readAll(io.MultiReader(bytes.NewReader(data[:5]), iotest.ErrReader(broken)), int64(len(data)), math.MaxInt64)
	if !errors.Is(err, broken) || string(got) != "01234" {
		t.Errorf("cut short: %q, %v", got, err)
	}
}

func TestEveryAttemptCarriesTheCallsHeaders(t *testing.T) {
	h := newHarness(t, sequence(
		serve(t, 500, "getCustomer.500.server-error.json"),
		serve(t, 409, "createCustomer.409.in-progress.json"),
		serve(t, 201, "createCustomer.201.individual.json"),
	))
	if _, err := h.client.Customers.Create(context.Background(), testCreateParams(), WithCorrelationID("corr-1")); err != nil {
		t.Fatal(err)
	}
	reqs := h.reqs()
	if len(reqs) != 3 {
		t.Fatalf("%d attempts, want 3", len(reqs))
	}
	for i, r := range reqs {
		for name, want := range map[string]string{
			"Authorization":   "Bearer " + testAPIKey,
			"User-Agent":      h.client.doer.userAgent[0],
			"Content-Type":    "application/json",
			"Correlation-Id":  "corr-1",
			"Idempotency-Key": reqs[0].Header.Get("Idempotency-Key"),
		} {
			if got := r.Header.Values(name); len(got) != 1 || got[0] != want {
				t.Errorf("attempt %d: %s %q, want %q once", i+1, name, got, want)
			}
		}
		if !bytes.Equal(r.Body, reqs[0].Body) || len(r.Body) == 0 {
			t.Errorf("attempt %d sent %d bytes, the first %d", i+1, len(r.Body), len(reqs[0].Body))
		}
	}
}
