package api_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// The webhook rules: x-webhooks describes exactly the two customer events,
// each a POST carrying the three signature headers and a body whose
// event_type can only be the event's own name.

func TestSpecWebhooks(t *testing.T) {
	types, err := contract.EventTypes()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"customer.created.v1", "customer.event.v1"}; !slices.Equal(types, want) {
		t.Fatalf("x-webhooks event types %v, want %v", types, want)
	}
	ids := map[string]bool{}
	for _, et := range types {
		op, err := contract.EventOperation(et)
		if err != nil {
			t.Fatal(err)
		}
		if op.OperationID == "" || op.Summary == "" || op.Description == "" {
			t.Errorf("%s: operationId, summary and description are required", et)
		}
		if ids[op.OperationID] {
			t.Errorf("%s: operationId %s used twice", et, op.OperationID)
		}
		ids[op.OperationID] = true
		for _, h := range []string{"webhook-id", "webhook-timestamp", "webhook-signature"} {
			if !requiredHeader(op, h) {
				t.Errorf("%s: does not declare the required header %s", et, h)
			}
		}
		media := op.RequestBody.Value.Content.Get("application/json")
		if media == nil || media.Example == nil || !op.RequestBody.Value.Required {
			t.Fatalf("%s: no required JSON request body with an example", et)
		}
		body := media.Schema.Value
		if got := enumOf(body.Properties["event_type"].Value); !slices.Equal(got, []string{et}) {
			t.Errorf("%s: event_type enum %v, want only the event's own name", et, got)
		}
		if ref := body.Properties["data"].Ref; ref != "#/components/schemas/CustomerEvent" {
			t.Errorf("%s: data is %q, want the CustomerEvent schema", et, ref)
		}
		if op.Responses.Status(200) == nil {
			t.Errorf("%s: no 200 response", et)
		}
		// Each event's body must be refused under the other's name.
		other := types[1-slices.Index(types, et)]
		var ex map[string]any
		raw, _ := json.Marshal(media.Example)
		_ = json.Unmarshal(raw, &ex)
		ex["event_type"] = other
		if err := validateValue(body, ex, openapi3.VisitAsRequest()); err == nil {
			t.Errorf("%s: the schema accepts event_type %s", et, other)
		}
	}
}

func requiredHeader(op *openapi3.Operation, name string) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && p.Value.Name == name && p.Value.Required {
			return true
		}
	}
	return false
}

// TestFixtureCheckCatchesEventBreakage breaks a valid event fixture in the
// ways a careless edit would, and misnames fixtures, expecting each refused.
func TestFixtureCheckCatchesEventBreakage(t *testing.T) {
	doc := loadSpec(t)
	src, err := os.ReadFile(filepath.Join("..", "testdata", "events", "customer.event.v1.verified.json"))
	if err != nil {
		t.Fatal(err)
	}
	data := func(b map[string]any) map[string]any { return b["data"].(map[string]any) }
	breakages := map[string]func(b map[string]any){
		"other event type":        func(b map[string]any) { b["event_type"] = "customer.created.v1" },
		"unknown event type":      func(b map[string]any) { b["event_type"] = "customer.deleted.v1" },
		"event_id not a uuid":     func(b map[string]any) { b["event_id"] = "evt_123" },
		"no account_id":           func(b map[string]any) { delete(b, "account_id") },
		"no data":                 func(b map[string]any) { delete(b, "data") },
		"unknown envelope field":  func(b map[string]any) { b["created_at"] = "2026-07-07T06:21:45Z" },
		"customer without device": func(b map[string]any) { delete(data(b), "device") },
		"customer with config":    func(b map[string]any) { data(b)["config"] = map[string]any{"processing_method": "inline"} },
		"unknown status":          func(b map[string]any) { data(b)["status"] = "approved" },
		"profile with representatives": func(b map[string]any) {
			data(b)["compliance_profile"].(map[string]any)["representatives"] = []any{}
		},
		"bad timestamp": func(b map[string]any) { data(b)["updated_at"] = "07/07/2026" },
	}
	dir := t.TempDir()
	for name, breakIt := range breakages {
		var body map[string]any
		if err := json.Unmarshal(src, &body); err != nil {
			t.Fatal(err)
		}
		breakIt(body)
		raw, _ := json.Marshal(body)
		file := filepath.Join(dir, "customer.event.v1.broken.json")
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := checkFixture(doc, "events", file); err == nil {
			t.Errorf("%s: the broken fixture passed", name)
		}
		// ValidateEvent reads the type from the body, so it takes a body
		// relabelled as the other event for that event.
		if err := contract.ValidateEvent(raw); err == nil && name != "other event type" {
			t.Errorf("%s: contract.ValidateEvent accepted it", name)
		}
	}
	for _, name := range []string{"customer.event.v1.json", "customer.event.v2.x.json", "customer.event.v1.x.txt", "x.json"} {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, src, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := checkFixture(doc, "events", file); err == nil {
			t.Errorf("%s: a misnamed fixture passed", name)
		}
	}
}
