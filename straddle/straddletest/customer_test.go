package straddletest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// referenceProfileKind is profileKind as it was: decode the keys into a map.
func referenceProfileKind(raw json.RawMessage) (string, bool) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return "", false
	}
	has := func(names ...string) bool {
		for _, n := range names {
			if _, ok := keys[n]; ok {
				return true
			}
		}
		return false
	}
	ind, biz := has("ssn", "dob"), has("ein", "legal_business_name", "website", "representatives")
	switch {
	case ind && biz:
		return "mixed", true
	case ind:
		return typeIndividual, true
	case biz:
		return typeBusiness, true
	}
	return "mixed", true
}

var profileKindSeeds = []string{
	`{"ssn":"123-45-6789","dob":"1980-01-01"}`,
	`{"ein":"12-3456789","legal_business_name":"Acme","website":null,"representatives":[{"name":"A","email":null}]}`,
	`{"ssn":null}`, `{"dob":"x","ein":"y"}`, `{}`, ` { } `, `{"other":1}`,
	`{"\u0073sn":"1"}`, `{"ss\"n":1}`, `{"a":{"ssn":1},"b":[{"ein":2}]}`, `{"a":"}\"{","dob":[1,[2,{"x":"]"}]]}`,
	`{"ssn":1,"ssn":2}`, `{"website":true,"x":false,"y":-1.5e3}`, `[]`, `"ssn"`, `1`, `{"ssn" : 1 , "dob" : 2}`,
	"{\n\t\"ein\"\r\n:\"1\"}", `{"SSN":"1"}`,
}

func TestProfileKindMatchesDecodingTheKeys(t *testing.T) {
	for _, raw := range profileKindSeeds {
		checkProfileKind(t, []byte(raw))
	}
}

func FuzzProfileKind(f *testing.F) {
	for _, raw := range profileKindSeeds {
		f.Add([]byte(raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		if json.Valid(raw) { // profiles reach profileKind from a decoded body
			checkProfileKind(t, raw)
		}
	})
}

func checkProfileKind(t *testing.T, raw []byte) {
	t.Helper()
	if string(bytes.TrimSpace(raw)) == "null" || len(raw) == 0 {
		return // no profile, before any key is looked at
	}
	want, ok := referenceProfileKind(raw)
	got, err := profileKind(raw)
	if (err == nil) != ok || got != want {
		t.Errorf("%s: profileKind %q, %v; decoding the keys gives %q, %v", raw, got, err, want, ok)
	}
}
