package straddle

import "testing"

// TestMaskedValuePath: masked values are found wherever they are, and a '*'
// elsewhere (a note, a search) is left alone outside the fields of personal
// data.
func TestMaskedValuePath(t *testing.T) {
	for body, want := range map[string]string{
		`{"ssn":"***-**-****"}`:                               "$.ssn",
		`[{"a":1},{"b":[true,null,"**.**.**.**"]}]`:           "$[1].?[2]",
		`{"device":{"IpAddress":"10.*.*.1"},"x":"***"}`:       "$.device.IpAddress",
		`{"config":{"x":1},"dob":"****-**-**"}`:               "$.dob",
		`{"metadata":{"note":"5* rating","k":"a*b"}}`:         "",
		`{"name":"Star*Lord","search_text":"kno*","n":1.5e3}`: "",
		`{"ssn":"123-45-6789"}`:                               "",
		`"***"`:                                               "$",
	} {
		got, ok := maskedValuePath([]byte(body))
		if got != want || ok != (want != "") {
			t.Errorf("%s: %q, %v; want %q", body, got, ok, want)
		}
	}
}
