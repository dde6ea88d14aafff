package straddle

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// uuidV4 matches the keys the client generates.
var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func testCreateParams() *CreateCustomerParams {
	return &CreateCustomerParams{
		Name:       "Leslie Knope",
		Type:       CustomerTypeIndividual,
		Email:      "leslie.knope@example.com",
		Phone:      "+13175550142",
		IPAddress:  NewIPAddress("203.0.113.42"),
		Address:    &Address{Address1: "100 State St", Address2: "Suite 200", City: "Pawnee", State: "IN", Zip: "47998-0100"},
		Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")},
		ExternalID: "cust_00042",
		Metadata:   map[string]string{"crm_segment": "civic"},
		Config:     &Config{SandboxOutcome: SandboxOutcomeStandard},
	}
}

func testUpdateParams() *UpdateCustomerParams {
	return &UpdateCustomerParams{
		Name:       "Leslie Knope",
		Email:      "leslie.knope@example.com",
		Phone:      "+13175550143",
		IPAddress:  NewIPAddress("203.0.113.42"),
		Status:     CustomerStatusVerified,
		Individual: &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")},
	}
}

// bodyOf decodes a recorded request body.
func bodyOf(t *testing.T, r recorded) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("request body is not JSON: %v", err)
	}
	return m
}

// checkWrite checks what every write request carries.
func checkWrite(t *testing.T, r recorded, method, path string) {
	t.Helper()
	if r.Method != method || r.Path != path {
		t.Errorf("request %s %s, want %s %s", r.Method, r.Path, method, path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testAPIKey {
		t.Errorf("Authorization %q", got)
	}
	if key := r.Header.Get("Idempotency-Key"); !uuidV4.MatchString(key) {
		t.Errorf("Idempotency-Key %q is not a generated UUIDv4", key)
	}
}

// checkRead checks what every read request carries, and what it must not.
func checkRead(t *testing.T, r recorded, path string) {
	t.Helper()
	if r.Method != http.MethodGet || r.Path != path {
		t.Errorf("request %s %s, want GET %s", r.Method, r.Path, path)
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testAPIKey {
		t.Errorf("Authorization %q", got)
	}
	if key, ok := r.Header["Idempotency-Key"]; ok {
		t.Errorf("a read sent Idempotency-Key %q", key)
	}
	if len(r.Body) != 0 {
		t.Errorf("a read sent a body of %d bytes", len(r.Body))
	}
}

func TestCreate(t *testing.T) {
	h := newHarness(t, serve(t, 201, "createCustomer.201.individual.json"))
	c, err := h.client.Customers.Create(context.Background(), testCreateParams())
	if err != nil {
		t.Fatal(err)
	}
	r := h.only()
	checkWrite(t, r, http.MethodPost, "/v1/customers")
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	body := bodyOf(t, r)
	profile, _ := body["compliance_profile"].(map[string]any)
	device, _ := body["device"].(map[string]any)
	if body["name"] != "Leslie Knope" || body["type"] != "individual" || profile["ssn"] != "123-45-6789" ||
		profile["dob"] != "1975-01-18" || device["ip_address"] != "203.0.113.42" {
		t.Errorf("request body %s does not carry the params' real values", r.Body)
	}
	var want struct {
		Data struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"data"`
	}
	_ = json.Unmarshal(respFixture(t, "createCustomer.201.individual.json"), &want)
	if c.ID != want.Data.ID || string(c.Status) != want.Data.Status {
		t.Errorf("customer %s %s, want %s %s", c.ID, c.Status, want.Data.ID, want.Data.Status)
	}
	if c.ComplianceProfile == nil || c.ComplianceProfile.Individual == nil || !c.ComplianceProfile.Individual.SSN.IsMasked() {
		t.Errorf("compliance profile not decoded as masked individual: %+v", c.ComplianceProfile)
	}
}

func TestGet(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getCustomer.200.individual.json"))
	c, err := h.client.Customers.Get(context.Background(), knopeID)
	if err != nil {
		t.Fatal(err)
	}
	checkRead(t, h.only(), "/v1/customers/"+knopeID)
	if c.ID != knopeID || c.Name != "Leslie Knope" || c.Address == nil || c.Address.City != "Pawnee" ||
		c.Metadata["crm_segment"] != "civic" || c.Config == nil || c.Config.ProcessingMethod != ProcessingMethodInline {
		t.Errorf("customer not decoded: %+v", c)
	}
	if want := time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC); !c.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt %s, want %s", c.CreatedAt, want)
	}
}

func TestGetZonelessTimestamps(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getCustomer.200.zoneless-timestamps.json"))
	c, err := h.client.Customers.Get(context.Background(), knopeID)
	if err != nil {
		t.Fatal(err)
	}
	if c.CreatedAt.IsZero() || c.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt %v, want a UTC time", c.CreatedAt)
	}
}

func TestUpdate(t *testing.T) {
	h := newHarness(t, serve(t, 200, "updateCustomer.200.seed001.json"))
	c, err := h.client.Customers.Update(context.Background(), knopeID, testUpdateParams())
	if err != nil {
		t.Fatal(err)
	}
	r := h.only()
	checkWrite(t, r, http.MethodPut, "/v1/customers/"+knopeID)
	body := bodyOf(t, r)
	if body["status"] != "verified" || body["phone"] != "+13175550143" {
		t.Errorf("request body %s", r.Body)
	}
	if _, ok := body["type"]; ok {
		t.Error("an update sent type")
	}
	if c.ID == "" {
		t.Error("no customer decoded")
	}
}

func TestDelete(t *testing.T) {
	h := newHarness(t, serve(t, 200, "deleteCustomer.200.deleted.json"))
	c, err := h.client.Customers.Delete(context.Background(), knopeID)
	if err != nil {
		t.Fatal(err)
	}
	r := h.only()
	checkWrite(t, r, http.MethodDelete, "/v1/customers/"+knopeID)
	if len(r.Body) != 0 {
		t.Errorf("delete sent a body: %s", r.Body)
	}
	if c.ID == "" {
		t.Error("the deleted customer was not returned")
	}
}

func TestUnmasked(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getUnmaskedCustomer.200.individual.json"))
	u, err := h.client.Customers.Unmasked(context.Background(), knopeID)
	if err != nil {
		t.Fatal(err)
	}
	checkRead(t, h.only(), "/v1/customers/"+knopeID+"/unmasked")
	if u.ComplianceProfile == nil || u.ComplianceProfile.Individual == nil ||
		u.ComplianceProfile.Individual.SSN.Reveal() != "123-45-6789" || u.Device.IPAddress.Reveal() != "203.0.113.42" {
		t.Errorf("real values not decoded")
	}
}

func TestUnmaskedForbidden(t *testing.T) {
	h := newHarness(t, serve(t, 403, "getUnmaskedCustomer.403.forbidden.json"))
	_, err := h.client.Customers.Unmasked(context.Background(), knopeID)
	if !IsAuth(err) {
		t.Fatalf("err = %v, want a 403 *Error", err)
	}
	if len(h.reqs()) != 1 {
		t.Errorf("a 403 was retried: %d requests", len(h.reqs()))
	}
}

func TestInvalidInputSendsNothing(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
		t.Error("a request was sent")
		w.WriteHeader(http.StatusInternalServerError)
	})
	ctx := context.Background()
	cs, rs := h.client.Customers, h.client.Customers.Review
	bad := testCreateParams()
	bad.Phone = "555-0142"
	badUpdate := testUpdateParams()
	badUpdate.Status = ""
	noop := func(*UpdateCustomerParams) error { return nil }
	tests := []struct {
		name  string
		call  func() error
		field string
	}{
		{"create nil", func() error { _, err := cs.Create(ctx, nil); return err }, "params"},
		{"create bad phone", func() error { _, err := cs.Create(ctx, bad); return err }, "phone"},
		{"get empty id", func() error { _, err := cs.Get(ctx, ""); return err }, "id"},
		{"get bad id", func() error { _, err := cs.Get(ctx, "cus_123"); return err }, "id"},
		{"get path traversal", func() error { _, err := cs.Get(ctx, "../../admin"); return err }, "id"},
		{"update bad id", func() error { _, err := cs.Update(ctx, "x", testUpdateParams()); return err }, "id"},
		{"update no status", func() error { _, err := cs.Update(ctx, knopeID, badUpdate); return err }, "status"},
		{"update nil", func() error { _, err := cs.Update(ctx, knopeID, nil); return err }, "params"},
		{"delete bad id", func() error { _, err := cs.Delete(ctx, "x"); return err }, "id"},
		{"unmasked bad id", func() error { _, err := cs.Unmasked(ctx, "x"); return err }, "id"},
		{"edit bad id", func() error { _, err := cs.Edit(ctx, "x", noop); return err }, "id"},
		{"edit nil change", func() error { _, err := cs.Edit(ctx, knopeID, nil); return err }, "change"},
		{"list page size", func() error { _, err := cs.List(ctx, &ListParams{PageSize: 1001}); return err }, "page_size"},
		{"review bad id", func() error { _, err := rs.Get(ctx, "x"); return err }, "id"},
		{"decide bad decision", func() error { _, err := rs.Decide(ctx, knopeID, "approved"); return err }, "status"},
		{"decide bad id", func() error { _, err := rs.Decide(ctx, "x", CustomerStatusVerified); return err }, "id"},
		{"refresh bad id", func() error { _, err := rs.Refresh(ctx, "x"); return err }, "id"},
		{"short idempotency key", func() error {
			_, err := cs.Create(ctx, testCreateParams(), WithIdempotencyKey("short"))
			return err
		}, "Idempotency-Key"},
		{"long idempotency key", func() error {
			_, err := cs.Delete(ctx, knopeID, WithIdempotencyKey(strings.Repeat("k", 41)))
			return err
		}, "Idempotency-Key"},
		{"idempotency key with a newline", func() error {
			_, err := cs.Delete(ctx, knopeID, WithIdempotencyKey("0123456789\nX"))
			return err
		}, "Idempotency-Key"},
		{"account id", func() error { _, err := cs.Get(ctx, knopeID, WithAccountID("acct_1")); return err }, "Straddle-Account-Id"},
		{"empty request id", func() error { _, err := cs.Get(ctx, knopeID, WithRequestID("")); return err }, "Request-Id"},
		{"correlation id", func() error { _, err := cs.Get(ctx, knopeID, WithCorrelationID("a\nb")); return err }, "Correlation-Id"},
		{"managed header", func() error {
			_, err := cs.Get(ctx, knopeID, WithHeader("authorization", "Bearer other"))
			return err
		}, "Authorization"},
		{"header value", func() error { _, err := cs.Get(ctx, knopeID, WithHeader("X-Trace", "a\r\nb")); return err }, "X-Trace"},
		{"negative retries", func() error { _, err := cs.Get(ctx, knopeID, WithMaxRetries(-1)); return err }, "retries"},
		{"negative timeout", func() error { _, err := cs.Get(ctx, knopeID, WithAttemptTimeout(-1)); return err }, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var v *ValidationError
			if !errors.As(err, &v) || !IsLocalValidation(err) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name %q", err, tt.field)
			}
		})
	}
	if n := len(h.reqs()); n != 0 {
		t.Errorf("%d requests sent for invalid input", n)
	}
}

func TestPerCallOptions(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Idempotent-Replayed", "true")
		writeJSON(w, 201, respFixture(t, "createCustomer.201.individual.json"))
	})
	var resp Response
	const key = "order-7781-create"
	_, err := h.client.Customers.Create(context.Background(), testCreateParams(),
		WithIdempotencyKey(key),
		WithAccountID(testAccountID),
		WithRequestID("req-1"),
		WithCorrelationID("flow-9"),
		WithHeader("X-Trace", "t1"),
		WithHeader("x-trace", "t2"),
		WithResponseInto(&resp),
	)
	if err != nil {
		t.Fatal(err)
	}
	r := h.only()
	for name, want := range map[string]string{
		"Idempotency-Key": key, "Straddle-Account-Id": testAccountID, "Request-Id": "req-1", "Correlation-Id": "flow-9",
	} {
		if got := r.Header.Get(name); got != want {
			t.Errorf("%s %q, want %q", name, got, want)
		}
	}
	if got := r.Header.Values("X-Trace"); len(got) != 2 || got[0] != "t1" || got[1] != "t2" {
		t.Errorf("X-Trace %q, want [t1 t2]", got)
	}
	var meta struct {
		Meta wireMeta `json:"meta"`
	}
	_ = json.Unmarshal(respFixture(t, "createCustomer.201.individual.json"), &meta)
	wantTime, _ := time.Parse(time.RFC3339Nano, meta.Meta.RequestTimestamp)
	if resp.StatusCode != 201 || resp.RequestID != meta.Meta.RequestID || !resp.RequestTime.Equal(wantTime) ||
		resp.IdempotencyKey != key || !resp.IdempotentReplayed || resp.Attempts != 1 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Response = %+v", resp)
	}
}

func TestResponseIntoOnReadsAndErrors(t *testing.T) {
	h := newHarness(t, serve(t, 404, "getCustomer.404.not-found.json"))
	var resp Response
	_, err := h.client.Customers.Get(context.Background(), knopeID, WithResponseInto(&resp))
	if !IsNotFound(err) {
		t.Fatalf("err = %v", err)
	}
	if resp.StatusCode != 404 || resp.RequestID == "" || resp.IdempotencyKey != "" || resp.Attempts != 1 {
		t.Errorf("Response = %+v", resp)
	}
}

func TestReadsIgnoreIdempotencyKey(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getCustomer.200.individual.json"))
	var resp Response
	if _, err := h.client.Customers.Get(context.Background(), knopeID, WithIdempotencyKey("order-7781-create"), WithResponseInto(&resp)); err != nil {
		t.Fatal(err)
	}
	checkRead(t, h.only(), "/v1/customers/"+knopeID)
	if resp.IdempotencyKey != "" {
		t.Errorf("a read reports idempotency key %q", resp.IdempotencyKey)
	}
}

func TestUppercaseIDIsCanonicalised(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getCustomer.200.individual.json"))
	if _, err := h.client.Customers.Get(context.Background(), strings.ToUpper(knopeID)); err != nil {
		t.Fatal(err)
	}
	if p := h.only().Path; p != "/v1/customers/"+knopeID {
		t.Errorf("path %s", p)
	}
}
