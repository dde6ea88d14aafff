package straddle

import (
	"net/http"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// TestErrorShowsOnlyKnownTypesAndFields: a type or a reference is shown only
// when it is known (an ErrorType constant; a path of the API's field names),
// whatever its shape. On main, an API key in the type or the references, and
// names a proxy echoed, were printed because they looked like a type or a
// field path.
func TestErrorShowsOnlyKnownTypesAndFields(t *testing.T) {
	tests := []struct {
		name   string
		status int
		typ    string
		title  string
		refs   []string
		want   string
	}{
		{"the API key as type and references", 422, "sk_test_straddletest", "Validation Failed",
			[]string{"sk_test_straddletest", "sk_live_SENTINELKEY12"},
			"straddle: 422 Validation Failed: unrecognised error type; 2 other fields"},
		{"a proxy echoing names", 400, "/jane_doe", "Bad Request",
			[]string{"Jane.Doe", "ron-swanson-pawnee", "Main_Street.Pawnee-IN"},
			"straddle: 400 Bad Request: unrecognised error type; 3 other fields"},
		{"a name among field names", 400, "/bad_request", "Bad Request",
			[]string{"Device.IpAddress", "Leslie_Knope", "compliance_profile.ssn"},
			"straddle: 400 /bad_request Bad Request: Device.IpAddress, compliance_profile.ssn and 1 other field"},
		{"field paths in both cases, with indexes", 400, "bad_request", "Bad Request",
			[]string{"PageSize", "Idempotency-Key", "$.compliance_profile.representatives[0].name", "Config.SandboxOutcome", "Address.Address1", "matches[1][12]"},
			"straddle: 400 /bad_request Bad Request: PageSize, Idempotency-Key, $.compliance_profile.representatives[0].name, Config.SandboxOutcome, Address.Address1, matches[1][12]"},
		{"near misses", 400, "/NOT_FOUND", "Bad Request",
			[]string{"ssn[1961]", "ssn[]", "ssn[0", "ssn.", "Ssn_Number", "IPAddress", "email[0]x", "device..ip_address", "ssn [0]"},
			"straddle: 400 /not_found Bad Request: 9 other fields"},
		{"no type", 400, "", "", nil, "straddle: 400 Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var items [][2]string
			for _, r := range tt.refs {
				items = append(items, [2]string{r, "x"})
			}
			e, _ := newError(tt.status, http.Header{}, errorEnvelope(tt.status, tt.typ, tt.title, "", nil, items...))
			if string(e.Type) != tt.typ || len(e.Items) != len(tt.refs) {
				t.Fatalf("the fields lost the raw text: %+v", e)
			}
			if got := e.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestKnownFieldsAreTheSpecs: the field names Error() may print are exactly
// the spec's schema property and parameter names, so the list cannot drift
// from the API.
func TestKnownFieldsAreTheSpecs(t *testing.T) {
	doc, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	hooks, err := contract.Webhooks()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(*openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		for name, p := range s.Properties {
			names[name] = true
			walk(p)
		}
		walk(s.Items)
		walk(s.Not)
		walk(s.AdditionalProperties.Schema)
		for _, sub := range slices.Concat(s.AllOf, s.AnyOf, s.OneOf) {
			walk(sub)
		}
	}
	params := func(ps openapi3.Parameters) {
		for _, p := range ps {
			if p.Value != nil {
				names[p.Value.Name] = true
				walk(p.Value.Schema)
			}
		}
	}
	for _, d := range []*openapi3.T{doc, hooks} {
		for _, s := range d.Components.Schemas {
			walk(s)
		}
		for _, p := range d.Components.Parameters {
			params(openapi3.Parameters{p})
		}
		for _, item := range d.Paths.Map() {
			params(item.Parameters)
			for _, op := range item.Operations() {
				params(op.Parameters)
				if op.RequestBody != nil && op.RequestBody.Value != nil {
					for _, mt := range op.RequestBody.Value.Content {
						walk(mt.Schema)
					}
				}
				for _, resp := range op.Responses.Map() {
					if resp.Value != nil {
						for _, mt := range resp.Value.Content {
							walk(mt.Schema)
						}
					}
				}
			}
		}
	}
	want := slices.Sorted(func(yield func(string) bool) {
		for n := range names {
			if !yield(n) {
				return
			}
		}
	})
	got := slices.Sorted(slices.Values(specFieldNames))
	if !slices.Equal(got, want) {
		var missing, extra []string
		for _, n := range want {
			if !slices.Contains(got, n) {
				missing = append(missing, n)
			}
		}
		for _, n := range got {
			if !names[n] {
				extra = append(extra, n)
			}
		}
		t.Errorf("specFieldNames drifted from the spec: missing %q, not in the spec %q", missing, extra)
	}
	for _, n := range []string{"ip_address", "IpAddress", "compliance_profile", "ComplianceProfile", "Address1", "PageSize", "Idempotency-Key", "body"} {
		if !knownFields[n] {
			t.Errorf("%q is not a known field", n)
		}
	}
}
