package api_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// officialSpec is the customers part of Straddle's published OpenAPI 3.1
// document, kept beside the project (not in it) as the reference we check
// our own spec against.
var officialSpec = filepath.Join("..", "..", "shared", "reference", "official", "straddle-openapi-customers.yaml")

// ourNames maps the official component names to ours.
var ourNames = map[string]string{
	"PageMetadata":                           "PageMeta",
	"ResponseMetadata":                       "ResponseMeta",
	"CustomerAddress":                        "Address",
	"UnmaskedComplianceProfile":              "ComplianceProfile",
	"ComplianceProfile":                      "MaskedComplianceProfile",
	"BusinessCustomerRepresentative":         "Representative",
	"CreateCustomerRequest":                  "CreateCustomerRequest",
	"UpdateCustomerRequest":                  "UpdateCustomerRequest",
	"CustomerConfiguration":                  "CustomerConfig",
	"SimulatedCustomerOutcome":               "SandboxOutcome",
	"PaykeyProcessingMode":                   "ProcessingMethod",
	"CustomerIdentityVerification":           "IdentityDetails",
	"CustomerReview":                         "CustomerReview",
	"CustomerReviewResponse":                 "CustomerReviewResponse",
	"CustomerSortBy":                         "CustomerSortBy",
	"CustomerStatus":                         "CustomerStatus",
	"CustomerVerificationDecision":           "ReviewDecisionStatus",
	"CustomerSummary":                        "CustomerSummary",
	"CustomerSummaryListResponse":            "CustomerListResponse",
	"CustomerType":                           "CustomerType",
	"UnmaskedCustomer":                       "UnmaskedCustomer",
	"UnmaskedCustomerResponse":               "UnmaskedCustomerResponse",
	"Customer":                               "Customer",
	"CustomerResponse":                       "CustomerResponse",
	"CustomerDevice":                         "Device",
	"MaskedCustomerDevice":                   "MaskedDevice",
	"ApiError":                               "ErrorDetail",
	"ApiErrorDetail":                         "ErrorItem",
	"ErrorResponse":                          "ErrorResponse",
	"VerificationDecision":                   "IdentityDecision",
	"IdentityVerificationAlerts":             "NetworkAlerts",
	"IdentityVerificationBreakdown":          "CheckResult",
	"IdentityVerificationWatchlist":          "WatchList",
	"CustomerKycVerification":                "KYCCheck",
	"SetCustomerVerificationDecisionRequest": "ReviewDecisionRequest",
	"ResponseType":                           "ResponseType",
	"SortOrder":                              "SortOrder",
	"CorrelationBucket":                      "CorrelationLevel",
	"IdentityVerificationWatchlistMatch":     "WatchListMatch",
	"ReputationInsights":                     "ReputationInsights",
	"ReputationCheck":                        "ReputationCheck",
	"CustomerEvent":                          "CustomerEvent",
	"AddressEvent":                           "Address",
	"ComplianceProfileEvent":                 "EventComplianceProfile",
	"CustomerStatusEvent":                    "CustomerStatus",
}

// TestParityWithOfficialSpec checks that every schema of the official document
// has its counterpart in ours with the same property names, required lists and
// enum values, recursively. Descriptions, formats and our tighter or looser
// constraints (see README) are ours to choose; field names and shapes are not.
func TestParityWithOfficialSpec(t *testing.T) {
	data, err := os.ReadFile(officialSpec)
	if os.IsNotExist(err) {
		t.Skipf("reference spec %s not beside the project", officialSpec)
	}
	if err != nil {
		t.Fatal(err)
	}
	official, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	ours := loadSpec(t)

	var names []string
	for name := range official.Components.Schemas {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		ourName, ok := ourNames[name]
		if !ok {
			t.Errorf("official schema %s has no counterpart in our spec", name)
			continue
		}
		ourRef := ours.Components.Schemas[ourName]
		if ourRef == nil {
			t.Errorf("our spec lacks %s (official %s)", ourName, name)
			continue
		}
		for _, diff := range compareSchemas(official.Components.Schemas[name].Value, ourRef.Value, ourName, 0) {
			t.Error(diff)
		}
	}

	for _, path := range official.Paths.InMatchingOrder() {
		for method, op := range official.Paths.Value(path).Operations() {
			ourItem := ours.Paths.Value(path)
			if ourItem == nil || ourItem.GetOperation(method) == nil {
				t.Errorf("our spec lacks %s %s", method, path)
				continue
			}
			ourOp := ourItem.GetOperation(method)
			if op.OperationID != ourOp.OperationID && !renamedOps[op.OperationID+"->"+ourOp.OperationID] {
				t.Errorf("%s %s: operationId %s, official %s", method, path, ourOp.OperationID, op.OperationID)
			}
			want, got := paramNames(op, official.Paths.Value(path)), paramNames(ourOp, ourItem)
			for _, p := range want {
				if !slices.Contains(got, p) {
					t.Errorf("%s %s: lacks parameter %s", method, path, p)
				}
			}
		}
	}

	// Webhooks: the official document's 3.1 webhooks map against our
	// x-webhooks, body by body: the envelope's property names and required
	// list (our event_type is an enum of the one name, theirs a free string),
	// and data recursively.
	if len(official.Webhooks) == 0 {
		t.Fatal("the official document has no webhooks: the comparison would be vacuous")
	}
	for name, item := range official.Webhooks {
		ourOp, err := contract.EventOperation(name)
		if err != nil {
			t.Errorf("official webhook %s: %v", name, err)
			continue
		}
		if item.Post == nil || item.Post.RequestBody == nil {
			t.Errorf("official webhook %s has no POST body", name)
			continue
		}
		want := item.Post.RequestBody.Value.Content.Get("application/json").Schema.Value
		got := ourOp.RequestBody.Value.Content.Get("application/json").Schema.Value
		if missing, extra := setDiff(keys(want.Properties), keys(got.Properties)); len(missing)+len(extra) > 0 {
			t.Errorf("%s: properties missing %v, not in the official spec %v", name, missing, extra)
		}
		if g, w := sorted(got.Required), sorted(want.Required); !slices.Equal(g, w) {
			t.Errorf("%s: required %v, official %v", name, g, w)
		}
		if want.Properties["data"] == nil || got.Properties["data"] == nil {
			t.Errorf("%s: no data property", name)
			continue
		}
		for _, diff := range compareSchemas(want.Properties["data"].Value, got.Properties["data"].Value, name+".data", 0) {
			t.Error(diff)
		}
	}
	types, err := contract.EventTypes()
	if err != nil {
		t.Fatal(err)
	}
	for _, et := range types {
		if official.Webhooks[et] == nil {
			t.Errorf("our x-webhooks has %s, which the official document does not", et)
		}
	}
}

// Our operationIds read better as Go names; the official ones that differ.
var renamedOps = map[string]bool{
	"setCustomerVerificationDecision->decideCustomerReview": true,
}

func paramNames(op *openapi3.Operation, item *openapi3.PathItem) []string {
	var names []string
	for _, ps := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, p := range ps {
			names = append(names, p.Value.In+":"+p.Value.Name)
		}
	}
	return names
}

// compareSchemas reports differences in shape between an official schema and ours.
func compareSchemas(official, ours *openapi3.Schema, where string, depth int) []string {
	if depth > 8 {
		return nil
	}
	official = nonNull(official)
	var diffs []string
	if missing, extra := setDiff(keys(official.Properties), keys(ours.Properties)); len(missing)+len(extra) > 0 {
		diffs = append(diffs, fmt.Sprintf("%s: properties missing %v, not in the official spec %v", where, missing, extra))
	}
	if got, want := sorted(ours.Required), sorted(official.Required); !slices.Equal(got, want) {
		diffs = append(diffs, fmt.Sprintf("%s: required %v, official %v", where, got, want))
	}
	if got, want := enumOf(ours), enumOf(official); !slices.Equal(got, want) {
		diffs = append(diffs, fmt.Sprintf("%s: enum %v, official %v", where, got, want))
	}
	for name, p := range official.Properties {
		if q := ours.Properties[name]; q != nil {
			diffs = append(diffs, compareSchemas(p.Value, q.Value, where+"."+name, depth+1)...)
		}
	}
	if official.Items != nil && ours.Items != nil {
		diffs = append(diffs, compareSchemas(official.Items.Value, ours.Items.Value, where+"[]", depth+1)...)
	}
	if len(official.OneOf) != len(ours.OneOf) {
		diffs = append(diffs, fmt.Sprintf("%s: %d oneOf members, official %d", where, len(ours.OneOf), len(official.OneOf)))
	} else {
		for i := range official.OneOf {
			diffs = append(diffs, compareSchemas(official.OneOf[i].Value, ours.OneOf[i].Value, fmt.Sprintf("%s#%d", where, i), depth+1)...)
		}
	}
	return diffs
}

// nonNull unwraps the 3.1 idiom anyOf: [X, {type: null}] to X.
func nonNull(s *openapi3.Schema) *openapi3.Schema {
	if len(s.AnyOf) == 2 {
		for i, m := range s.AnyOf {
			if m.Value.Type != nil && m.Value.Type.Is("null") {
				return s.AnyOf[1-i].Value
			}
		}
	}
	return s
}

// setDiff returns what want has and got lacks, and what got has beyond want.
func setDiff(want, got []string) (missing, extra []string) {
	for _, w := range want {
		if !slices.Contains(got, w) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

func keys(m openapi3.Schemas) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func enumOf(s *openapi3.Schema) []string {
	var out []string
	for _, v := range s.Enum {
		out = append(out, fmt.Sprint(v))
	}
	sort.Strings(out)
	return strings.Fields(strings.Join(out, " "))
}
