package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// The project rules beyond what kin-openapi's own Validate checks.

var writeMethods = []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// errorStatuses every operation declares; writes add 409 for idempotency conflicts.
var errorStatuses = []int{400, 401, 403, 404, 422, 429, 500, 502, 503}

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := contract.Load()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// loadWebhooks returns the spec's x-webhooks section as a document of its
// own, one path per event type (see contract.Webhooks).
func loadWebhooks(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := contract.Webhooks()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

type operation struct {
	method, path string
	op           *openapi3.Operation
}

func operations(doc *openapi3.T) []operation {
	var ops []operation
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			ops = append(ops, operation{method, path, op})
		}
	}
	slices.SortFunc(ops, func(a, b operation) int { return strings.Compare(a.op.OperationID, b.op.OperationID) })
	return ops
}

func TestSpecHasTheNineOperations(t *testing.T) {
	want := map[string]string{
		"createCustomer":        "POST /v1/customers",
		"listCustomers":         "GET /v1/customers",
		"getCustomer":           "GET /v1/customers/{id}",
		"updateCustomer":        "PUT /v1/customers/{id}",
		"deleteCustomer":        "DELETE /v1/customers/{id}",
		"getUnmaskedCustomer":   "GET /v1/customers/{id}/unmasked",
		"getCustomerReview":     "GET /v1/customers/{id}/review",
		"decideCustomerReview":  "PATCH /v1/customers/{id}/review",
		"refreshCustomerReview": "PUT /v1/customers/{id}/refresh_review",
	}
	got := map[string]string{}
	for _, o := range operations(loadSpec(t)) {
		got[o.op.OperationID] = o.method + " " + o.path
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
}

func TestSpecOperationRules(t *testing.T) {
	for _, o := range operations(loadSpec(t)) {
		name := o.method + " " + o.path
		if o.op.OperationID == "" {
			t.Errorf("%s: no operationId", name)
		}
		if o.op.Summary == "" {
			t.Errorf("%s: no summary", name)
		}
		success := successStatus(o.op)
		if success == 0 {
			t.Errorf("%s: no 2xx response", name)
		} else if media := o.op.Responses.Status(success).Value.Content.Get("application/json"); media == nil || media.Example == nil {
			t.Errorf("%s: the %d response has no example", name, success)
		}
		isWrite := slices.Contains(writeMethods, o.method)
		if hasHeader(o.op, "Idempotency-Key") != isWrite {
			t.Errorf("%s: declares Idempotency-Key = %v, want %v", name, !isWrite, isWrite)
		}
		for _, h := range []string{"Straddle-Account-Id", "Request-Id", "Correlation-Id"} {
			if !hasHeader(o.op, h) {
				t.Errorf("%s: does not declare %s", name, h)
			}
		}
		statuses := errorStatuses
		if isWrite {
			statuses = append(slices.Clone(statuses), 409)
		}
		for _, s := range statuses {
			if o.op.Responses.Status(s) == nil {
				t.Errorf("%s: does not declare a %d response", name, s)
			}
		}
		for code, ref := range o.op.Responses.Map() {
			if ref.Value == nil {
				t.Errorf("%s: response %s is not resolved", name, code)
				continue
			}
			for mime, media := range ref.Value.Content {
				if mime == "application/json" && media.Example == nil {
					t.Errorf("%s: response %s has no example", name, code)
				}
			}
		}
	}
}

func successStatus(op *openapi3.Operation) int {
	for code := range op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil && n >= 200 && n < 300 {
			return n
		}
	}
	return 0
}

func hasHeader(op *openapi3.Operation, name string) bool {
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInHeader && p.Value.Name == name {
			return true
		}
	}
	return false
}

// TestSpecRefsResolve walks every schema reachable from the components and
// operations and fails on a $ref that the loader left unresolved.
func TestSpecRefsResolve(t *testing.T) {
	doc := loadSpec(t)
	seen := map[*openapi3.Schema]bool{}
	var walk func(where string, ref *openapi3.SchemaRef)
	walk = func(where string, ref *openapi3.SchemaRef) {
		if ref == nil {
			return
		}
		if ref.Value == nil {
			t.Errorf("%s: $ref %q does not resolve", where, ref.Ref)
			return
		}
		s := ref.Value
		if seen[s] {
			return
		}
		seen[s] = true
		for name, p := range s.Properties {
			walk(where+"."+name, p)
		}
		walk(where+"[]", s.Items)
		if s.AdditionalProperties.Schema != nil {
			walk(where+"{}", s.AdditionalProperties.Schema)
		}
		for i, group := range [][]*openapi3.SchemaRef{s.OneOf, s.AnyOf, s.AllOf} {
			for j, m := range group {
				walk(fmt.Sprintf("%s#%d.%d", where, i, j), m)
			}
		}
	}
	for name, s := range doc.Components.Schemas {
		walk(name, s)
	}
	for _, o := range append(operations(doc), operations(loadWebhooks(t))...) {
		for _, p := range o.op.Parameters {
			if p.Value == nil {
				t.Errorf("%s: parameter $ref %q does not resolve", o.op.OperationID, p.Ref)
				continue
			}
			walk(o.op.OperationID+"."+p.Value.Name, p.Value.Schema)
		}
		if rb := o.op.RequestBody; rb != nil {
			for _, media := range rb.Value.Content {
				walk(o.op.OperationID+".body", media.Schema)
			}
		}
		for code, r := range o.op.Responses.Map() {
			for _, media := range r.Value.Content {
				walk(o.op.OperationID+"."+code, media.Schema)
			}
		}
	}
	if len(seen) < len(doc.Components.Schemas) {
		t.Errorf("walked %d schemas, fewer than the %d components", len(seen), len(doc.Components.Schemas))
	}
}

// TestSpecExamplesValidate checks every inline example against its own schema
// with the format checks turned on (kin-openapi's Validate skips uuid and email).
func TestSpecExamplesValidate(t *testing.T) {
	doc := loadSpec(t)
	n := 0
	for _, o := range append(operations(doc), operations(loadWebhooks(t))...) {
		if rb := o.op.RequestBody; rb != nil {
			for mime, media := range rb.Value.Content {
				if media.Example != nil {
					n++
					checkValue(t, fmt.Sprintf("%s request %s", o.op.OperationID, mime), media.Schema.Value, media.Example, openapi3.VisitAsRequest())
				}
			}
		}
		for code, r := range o.op.Responses.Map() {
			for mime, media := range r.Value.Content {
				if media.Example != nil {
					n++
					checkValue(t, fmt.Sprintf("%s %s %s", o.op.OperationID, code, mime), media.Schema.Value, media.Example, openapi3.VisitAsResponse())
				}
			}
		}
	}
	if n < 9*2+2 {
		t.Errorf("only %d examples checked", n)
	}
}

func checkValue(t *testing.T, what string, schema *openapi3.Schema, value any, opts ...openapi3.SchemaValidationOption) {
	t.Helper()
	if err := validateValue(schema, value, opts...); err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

func validateValue(schema *openapi3.Schema, value any, opts ...openapi3.SchemaValidationOption) error {
	// Round-trip through JSON so YAML-typed values look as decoded JSON does.
	raw, err := json.Marshal(value)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	opts = append(append(contract.FormatOptions(), openapi3.MultiErrors()), opts...)
	return schema.VisitJSON(v, opts...)
}

// Fixtures in testdata follow a naming convention that says what they are:
//
//	testdata/responses/<operationId>.<status>.<variant>.json   a response body
//	testdata/responses/<operationId>.<status>.<variant>.empty  an empty response body
//	testdata/requests/<operationId>.<variant>.json             a request body
//	testdata/events/<event_type>.<variant>.json                a webhook body (x-webhooks)
//
// Each must validate against the schema its name claims.
func TestFixturesValidate(t *testing.T) {
	doc := loadSpec(t)
	checked, events := 0, map[string]int{}
	for _, kind := range []string{"responses", "requests", "events"} {
		files, err := filepath.Glob(filepath.Join("..", "testdata", kind, "*"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if err := checkFixture(doc, kind, file); err != nil {
				t.Errorf("%s: %v", filepath.Base(file), err)
			}
			checked++
			if kind == "events" {
				events[eventTypeOf(filepath.Base(file))]++
			}
		}
	}
	if checked < 30 {
		t.Errorf("only %d fixtures found", checked)
	}
	types, err := contract.EventTypes()
	if err != nil {
		t.Fatal(err)
	}
	for _, et := range types {
		if events[et] < 2 {
			t.Errorf("event type %s has %d fixtures, want at least 2", et, events[et])
		}
	}
}

// eventTypeOf returns the event type an events fixture's name claims: all
// but the last dot-separated part of the name before .json.
func eventTypeOf(base string) string {
	name := strings.TrimSuffix(base, filepath.Ext(base))
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	return name[:i]
}

// TestFixtureCheckCatchesBreakage proves the fixture check can fail: it breaks
// valid fixtures in the ways a careless edit would and expects each rejected.
func TestFixtureCheckCatchesBreakage(t *testing.T) {
	doc := loadSpec(t)
	src, err := os.ReadFile(filepath.Join("..", "testdata", "responses", "getCustomer.200.individual.json"))
	if err != nil {
		t.Fatal(err)
	}
	breakages := map[string]func(data map[string]any){
		"missing required email": func(d map[string]any) { delete(d, "email") },
		"unknown status":         func(d map[string]any) { d["status"] = "approved" },
		"unknown field":          func(d map[string]any) { d["nickname"] = "Ron" },
		"id not a uuid":          func(d map[string]any) { d["id"] = "cus_123" },
		"bad timestamp":          func(d map[string]any) { d["created_at"] = "07/07/2026" },
		"bad state":              func(d map[string]any) { d["address"].(map[string]any)["state"] = "ca" },
	}
	dir := t.TempDir()
	for name, breakIt := range breakages {
		var body map[string]any
		if err := json.Unmarshal(src, &body); err != nil {
			t.Fatal(err)
		}
		breakIt(body["data"].(map[string]any))
		raw, _ := json.Marshal(body)
		file := filepath.Join(dir, "getCustomer.200.broken.json")
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := checkFixture(doc, "responses", file); err == nil {
			t.Errorf("%s: the broken fixture passed", name)
		}
	}
	for _, name := range []string{"noSuchOp.200.x.json", "getCustomer.299.x.json", "getCustomer.json", "getCustomer.200.x.empty"} {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := checkFixture(doc, "responses", file); err == nil {
			t.Errorf("%s: a misnamed fixture passed", name)
		}
	}
}

func checkFixture(doc *openapi3.T, kind, file string) error {
	base := filepath.Base(file)
	ext := filepath.Ext(base)
	parts := strings.Split(strings.TrimSuffix(base, ext), ".")
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	find := func(id string) *openapi3.Operation {
		for _, o := range operations(doc) {
			if o.op.OperationID == id {
				return o.op
			}
		}
		return nil
	}
	switch kind {
	case "events":
		eventType := eventTypeOf(base)
		if ext != ".json" || len(parts) < 2 || eventType == "" {
			return fmt.Errorf("name is not <event_type>.<variant>.json")
		}
		op, err := contract.EventOperation(eventType)
		if err != nil {
			return err
		}
		var head struct {
			EventType string `json:"event_type"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return fmt.Errorf("not JSON: %w", err)
		}
		if head.EventType != eventType {
			return fmt.Errorf("event_type %q, but the name says %q", head.EventType, eventType)
		}
		if err := validateJSON(op.RequestBody.Value.Content.Get("application/json").Schema.Value, data, openapi3.VisitAsRequest()); err != nil {
			return err
		}
		// The helper the emulator and the webhook tests use must agree.
		return contract.ValidateEvent(data)
	case "requests":
		if len(parts) != 2 || ext != ".json" {
			return fmt.Errorf("name is not <operationId>.<variant>.json")
		}
		op := find(parts[0])
		if op == nil || op.RequestBody == nil {
			return fmt.Errorf("operation %q takes no request body", parts[0])
		}
		return validateJSON(op.RequestBody.Value.Content.Get("application/json").Schema.Value, data, openapi3.VisitAsRequest())
	case "responses":
		if len(parts) != 3 || (ext != ".json" && ext != ".empty") {
			return fmt.Errorf("name is not <operationId>.<status>.<variant>.json|.empty")
		}
		op := find(parts[0])
		if op == nil {
			return fmt.Errorf("no operation %q", parts[0])
		}
		status, err := strconv.Atoi(parts[1])
		if err != nil {
			return fmt.Errorf("status %q is not a number", parts[1])
		}
		resp := op.Responses.Status(status)
		if resp == nil {
			return fmt.Errorf("%s declares no %d response", parts[0], status)
		}
		if ext == ".empty" {
			if len(data) != 0 {
				return fmt.Errorf(".empty fixture has %d bytes", len(data))
			}
			if media := resp.Value.Content.Get(""); len(resp.Value.Content) > 0 && (media == nil || media.Schema != nil) {
				return fmt.Errorf("%s %d does not allow an empty body", parts[0], status)
			}
			return nil
		}
		media := resp.Value.Content.Get("application/json")
		if media == nil || media.Schema == nil {
			return fmt.Errorf("%s %d has no JSON body", parts[0], status)
		}
		return validateJSON(media.Schema.Value, data, openapi3.VisitAsResponse())
	}
	return fmt.Errorf("unknown fixture kind %q", kind)
}

func validateJSON(schema *openapi3.Schema, data []byte, opts ...openapi3.SchemaValidationOption) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return validateValue(schema, v, opts...)
}
