package straddle

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

const reviewCustomerID = "019f3ba0-8e45-7538-a52d-f37959c3a0bf"

func TestReviewGet(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getCustomerReview.200.full.json"))
	r, err := h.client.Customers.Review.Get(context.Background(), reviewCustomerID)
	if err != nil {
		t.Fatal(err)
	}
	checkRead(t, h.only(), "/v1/customers/"+reviewCustomerID+"/review")
	if r.Customer.ID != reviewCustomerID || r.Customer.Status != CustomerStatusReview {
		t.Errorf("customer_details not decoded: %+v", r.Customer)
	}
	if r.Identity == nil || r.Identity.Decision != RecommendationReview || r.Identity.Breakdown.Fraud == nil ||
		r.Identity.Breakdown.Fraud.RiskScore == nil || *r.Identity.Breakdown.Fraud.RiskScore != 0.73 {
		t.Errorf("identity_details not decoded: %+v", r.Identity)
	}
}

func TestReviewGetWithoutIdentityDetails(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getCustomerReview.200.no-identity-details.json"))
	r, err := h.client.Customers.Review.Get(context.Background(), reviewCustomerID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Identity != nil {
		t.Errorf("Identity = %+v, want nil", r.Identity)
	}
}

func TestReviewDecide(t *testing.T) {
	h := newHarness(t, serve(t, 200, "decideCustomerReview.200.verified.json"))
	c, err := h.client.Customers.Review.Decide(context.Background(), reviewCustomerID, CustomerStatusVerified)
	if err != nil {
		t.Fatal(err)
	}
	r := h.only()
	checkWrite(t, r, http.MethodPatch, "/v1/customers/"+reviewCustomerID+"/review")
	if body := strings.TrimSpace(string(r.Body)); body != `{"status":"verified"}` {
		t.Errorf("body %s", body)
	}
	if c.Status != CustomerStatusVerified {
		t.Errorf("status %s", c.Status)
	}
}

func TestReviewDecideNotInReview(t *testing.T) {
	h := newHarness(t, serve(t, 422, "decideCustomerReview.422.not-in-review.json"))
	_, err := h.client.Customers.Review.Decide(context.Background(), reviewCustomerID, CustomerStatusRejected)
	if !IsUnprocessable(err) || IsDuplicateEmail(err) {
		t.Fatalf("err = %v, want a 422 *Error", err)
	}
	if !strings.Contains(string(h.only().Body), `"rejected"`) {
		t.Error("the decision was not sent")
	}
}

func TestReviewRefresh(t *testing.T) {
	h := newHarness(t, serve(t, 202, "refreshCustomerReview.202.pending.json"))
	c, err := h.client.Customers.Review.Refresh(context.Background(), reviewCustomerID)
	if err != nil {
		t.Fatal(err)
	}
	r := h.only()
	checkWrite(t, r, http.MethodPut, "/v1/customers/"+reviewCustomerID+"/refresh_review")
	if len(r.Body) != 0 {
		t.Errorf("refresh sent a body: %s", r.Body)
	}
	if c.Status != CustomerStatusPending {
		t.Errorf("status %s", c.Status)
	}
}
