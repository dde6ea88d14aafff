package contract_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/straddlekit/straddle-go/internal/contract"
)

const customerID = "0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f"

func newValidator(t *testing.T) *contract.Validator {
	t.Helper()
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRouteNamesTheOperation(t *testing.T) {
	v := newValidator(t)
	for _, tc := range []struct{ method, path, op, tmpl string }{
		{"POST", "/v1/customers", "createCustomer", "/v1/customers"},
		{"GET", "/v1/customers/" + customerID + "/review", "getCustomerReview", "/v1/customers/{id}/review"},
		{"PUT", "/v1/customers/" + customerID + "/refresh_review", "refreshCustomerReview", "/v1/customers/{id}/refresh_review"},
	} {
		ex, err := v.Route(httptest.NewRequest(tc.method, tc.path, nil))
		if err != nil {
			t.Fatalf("%s %s: %v", tc.method, tc.path, err)
		}
		if ex.OperationID() != tc.op || ex.PathTemplate() != tc.tmpl {
			t.Errorf("%s %s routed to %s %s", tc.method, tc.path, ex.OperationID(), ex.PathTemplate())
		}
	}
	if _, err := v.Route(httptest.NewRequest("POST", "/v1/customers/"+customerID, nil)); !errors.Is(err, contract.ErrNoRoute) {
		t.Errorf("POST on a customer: %v, want ErrNoRoute", err)
	}
}

func TestValidateRequestNamesTheFieldNotTheValue(t *testing.T) {
	v := newValidator(t)
	body := `{"name":"x","type":"individual","email":"x@example.com","phone":"+12125550100",` +
		`"device":{"ip_address":"192.0.2.1"},"compliance_profile":{"ssn":"987-65-432X","dob":null}}`
	req := httptest.NewRequest("POST", "/v1/customers", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	_, err := v.ValidateRequest(context.Background(), req)
	if err == nil {
		t.Fatal("a malformed SSN passed")
	}
	if !strings.Contains(err.Error(), "compliance_profile") || strings.Contains(err.Error(), "987-65-432X") {
		t.Errorf("error should name the field and not the value: %v", err)
	}
	// The body is put back for whoever serves or sends the request next.
	if rest, _ := io.ReadAll(req.Body); string(rest) != body {
		t.Errorf("body after validation = %q", rest)
	}
}

func TestValidateResponse(t *testing.T) {
	v := newValidator(t)
	ex, err := v.ValidateRequest(context.Background(), httptest.NewRequest("GET", "/v1/customers/"+customerID, nil))
	if err != nil {
		t.Fatal(err)
	}
	json := http.Header{"Content-Type": {"application/json"}}
	if err := v.ValidateResponse(context.Background(), ex, 418, json, []byte(`{}`)); err == nil {
		t.Error("an undeclared status passed")
	}
	if err := v.ValidateResponse(context.Background(), ex, 200, json, []byte(`{"meta":{}}`)); err == nil {
		t.Error("an incomplete envelope passed")
	}
	if err := v.ValidateResponse(context.Background(), ex, 401, http.Header{}, nil); err != nil {
		t.Errorf("the service's empty 401 failed: %v", err)
	}
}

func TestTransportReportsBothDirections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"unexpected":true}`)
	}))
	defer srv.Close()
	var reports []string
	client := &http.Client{Transport: &contract.Transport{Validator: newValidator(t), Report: func(err error) { reports = append(reports, err.Error()) }}}
	resp, err := client.Get(srv.URL + "/v1/customers/not-a-uuid")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(body) != `{"unexpected":true}` {
		t.Errorf("the transport changed the body: %q", body)
	}
	if len(reports) != 2 || !strings.HasPrefix(reports[0], "request GET") || !strings.HasPrefix(reports[1], "response 200") {
		t.Errorf("reports = %q, want one for the request and one for the response", reports)
	}
}
