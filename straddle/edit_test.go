package straddle

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
)

// editServer serves the Knope fixtures: the masked customer, the unmasked one
// (or unmasked, when given, as a status and fixture) and updates; after an
// update, the masked customer is the update's answer.
func editServer(t *testing.T, unmaskedStatus int, unmaskedFixture string) http.HandlerFunc {
	var mu sync.Mutex
	current := respFixture(t, "getCustomer.200.individual.json")
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/unmasked"):
			writeJSON(w, unmaskedStatus, respFixture(t, unmaskedFixture))
		case r.Method == http.MethodGet:
			writeJSON(w, 200, current)
		case r.Method == http.MethodPut:
			current = respFixture(t, "updateCustomer.200.seed001.json")
			writeJSON(w, 200, current)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL.Path)
		}
	}
}

func methods(rs []recorded) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func TestEditKeepsEverythingButTheChange(t *testing.T) {
	h := newHarness(t, editServer(t, 200, "getUnmaskedCustomer.200.individual.json"))
	c, err := h.client.Customers.Edit(context.Background(), knopeID, func(p *UpdateCustomerParams) error {
		p.Phone = "+13175550143"
		return nil
	}, WithIdempotencyKey("edit-phone-0001"), WithCorrelationID("edit-1"))
	if err != nil {
		t.Fatal(err)
	}
	if c == nil {
		t.Fatal("no customer returned")
	}
	rs := h.reqs()
	base := "/v1/customers/" + knopeID
	// Read, read the real values, check nothing changed, write, read back.
	if want := []string{"GET " + base, "GET " + base + "/unmasked", "GET " + base, "PUT " + base, "GET " + base}; !slices.Equal(methods(rs), want) {
		t.Fatalf("requests %v, want %v", methods(rs), want)
	}
	for _, r := range rs {
		if _, ok := r.Header["Idempotency-Key"]; ok != (r.Method == http.MethodPut) {
			t.Errorf("%s %s: idempotency key sent: %v", r.Method, r.Path, ok)
		}
		if r.Header.Get("Correlation-Id") != "edit-1" {
			t.Errorf("%s %s lost the request options", r.Method, r.Path)
		}
	}
	put := rs[3]
	if put.Header.Get("Idempotency-Key") != "edit-phone-0001" {
		t.Errorf("the update sent key %q", put.Header.Get("Idempotency-Key"))
	}
	body := bodyOf(t, put)
	profile, _ := body["compliance_profile"].(map[string]any)
	device, _ := body["device"].(map[string]any)
	address, _ := body["address"].(map[string]any)
	metadata, _ := body["metadata"].(map[string]any)
	if body["phone"] != "+13175550143" || body["name"] != "Leslie Knope" || body["email"] != "leslie.knope@example.com" ||
		body["status"] != "verified" || body["external_id"] != "cust_00042" ||
		profile["ssn"] != "123-45-6789" || profile["dob"] != "1975-01-18" || device["ip_address"] != "203.0.113.42" ||
		address["address2"] != "Suite 200" || metadata["signup_channel"] != "web" {
		t.Errorf("update body %s does not keep the customer", put.Body)
	}
}

func TestEditWithoutUnmaskingNeedsTheMaskedFields(t *testing.T) {
	h := newHarness(t, editServer(t, 403, "getUnmaskedCustomer.403.forbidden.json"))
	_, err := h.client.Customers.Edit(context.Background(), knopeID, func(p *UpdateCustomerParams) error {
		p.Phone = "+13175550143"
		p.IPAddress = NewIPAddress("203.0.113.42")
		return nil
	})
	var mf *MaskedFieldsError
	if !errors.As(err, &mf) {
		t.Fatalf("err = %v, want *MaskedFieldsError", err)
	}
	if want := []string{"compliance_profile.ssn", "compliance_profile.dob"}; !slices.Equal(mf.Fields, want) {
		t.Errorf("fields %v, want %v", mf.Fields, want)
	}
	if msg := err.Error(); !strings.Contains(msg, "compliance_profile.ssn, compliance_profile.dob") {
		t.Errorf("Error() = %q", msg)
	}
	for _, r := range h.reqs() {
		if r.Method == http.MethodPut {
			t.Error("an update was sent")
		}
	}
}

func TestEditWithoutUnmaskingSendsWhatTheChangeSupplies(t *testing.T) {
	h := newHarness(t, editServer(t, 403, "getUnmaskedCustomer.403.forbidden.json"))
	_, err := h.client.Customers.Edit(context.Background(), knopeID, func(p *UpdateCustomerParams) error {
		p.IPAddress = NewIPAddress("198.51.100.7")
		p.Individual = &IndividualIdentity{SSN: NewSSN("123-45-6789"), DOB: NewDOB("1975-01-18")}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rs := h.reqs()
	if len(rs) != 5 || rs[3].Method != http.MethodPut {
		t.Fatalf("requests %v", methods(rs))
	}
	if device, _ := bodyOf(t, rs[3])["device"].(map[string]any); device["ip_address"] != "198.51.100.7" {
		t.Errorf("body %s", rs[3].Body)
	}
}

func TestEditStopsOnErrors(t *testing.T) {
	errChange := errors.New("refuse")
	tests := []struct {
		name    string
		handler func(t *testing.T) http.HandlerFunc
		change  func(*UpdateCustomerParams) error
		check   func(error) bool
	}{
		{"get fails", func(t *testing.T) http.HandlerFunc { return serve(t, 404, "getCustomer.404.not-found.json") },
			func(*UpdateCustomerParams) error { return nil }, IsNotFound},
		{"unmasked fails otherwise", func(t *testing.T) http.HandlerFunc {
			return editServer(t, 404, "getCustomer.404.not-found.json")
		}, func(*UpdateCustomerParams) error { return nil }, IsNotFound},
		{"change fails", func(t *testing.T) http.HandlerFunc {
			return editServer(t, 200, "getUnmaskedCustomer.200.individual.json")
		}, func(*UpdateCustomerParams) error { return errChange }, func(err error) bool { return err == errChange }},
		{"change breaks validation", func(t *testing.T) http.HandlerFunc {
			return editServer(t, 200, "getUnmaskedCustomer.200.individual.json")
		}, func(p *UpdateCustomerParams) error { p.Email = "nope"; return nil }, IsLocalValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.handler(t), WithMaxRetries(0))
			c, err := h.client.Customers.Edit(context.Background(), knopeID, tt.change)
			if c != nil || !tt.check(err) {
				t.Errorf("got %v, %v", c, err)
			}
			for _, r := range h.reqs() {
				if r.Method != http.MethodGet {
					t.Errorf("%s sent", r.Method)
				}
			}
		})
	}
}

func TestEditRefusesNegativeConflictRetries(t *testing.T) {
	h := newHarness(t, editServer(t, 200, "getUnmaskedCustomer.200.individual.json"))
	_, err := h.client.Customers.Edit(context.Background(), knopeID, func(*UpdateCustomerParams) error { return nil }, WithConflictRetries(-1))
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "conflict retries" {
		t.Errorf("err = %v, want a *ValidationError for conflict retries", err)
	}
	if len(h.reqs()) != 0 {
		t.Error("requests were sent")
	}
}

// TestCustomerLocks: one holder per customer id (in any case), a waiter
// gives up when its context ends, and no entry outlives its last user.
func TestCustomerLocks(t *testing.T) {
	var l customerLocks
	unlock, err := l.lock(context.Background(), knopeID)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.lock(ctx, strings.ToUpper(knopeID)); !errors.Is(err, context.Canceled) {
		t.Errorf("a second holder of the same id: %v, want it to wait until its context ended", err)
	}
	other, err := l.lock(ctx, testAccountID)
	if err == nil {
		other() // a free lock may be taken even with an ended context
	}
	got := make(chan func())
	go func() {
		u, _ := l.lock(context.Background(), knopeID)
		got <- u
	}()
	unlock()
	(<-got)()
	if len(l.locks) != 0 {
		t.Errorf("%d locks kept after their last user", len(l.locks))
	}
}
