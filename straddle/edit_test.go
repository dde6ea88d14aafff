package straddle

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// editServer serves the Knope fixtures: the masked customer, the unmasked one
// (or unmasked, when given, as a status and fixture) and updates.
func editServer(t *testing.T, unmaskedStatus int, unmaskedFixture string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/unmasked"):
			writeJSON(w, unmaskedStatus, respFixture(t, unmaskedFixture))
		case r.Method == http.MethodGet:
			writeJSON(w, 200, respFixture(t, "getCustomer.200.individual.json"))
		case r.Method == http.MethodPut:
			writeJSON(w, 200, respFixture(t, "updateCustomer.200.seed001.json"))
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
	if want := []string{"GET " + base, "GET " + base + "/unmasked", "PUT " + base}; !slices.Equal(methods(rs), want) {
		t.Fatalf("requests %v, want %v", methods(rs), want)
	}
	for _, r := range rs[:2] {
		if _, ok := r.Header["Idempotency-Key"]; ok {
			t.Errorf("%s %s sent an idempotency key", r.Method, r.Path)
		}
	}
	for _, r := range rs {
		if r.Header.Get("Correlation-Id") != "edit-1" {
			t.Errorf("%s %s lost the request options", r.Method, r.Path)
		}
	}
	put := rs[2]
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
	if len(rs) != 3 || rs[2].Method != http.MethodPut {
		t.Fatalf("requests %v", methods(rs))
	}
	if device, _ := bodyOf(t, rs[2])["device"].(map[string]any); device["ip_address"] != "198.51.100.7" {
		t.Errorf("body %s", rs[2].Body)
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
