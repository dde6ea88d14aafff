package straddletest_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

type checkResult struct {
	Decision         string   `json:"decision"`
	Codes            []string `json:"codes"`
	RiskScore        *float64 `json:"risk_score"`
	CorrelationScore *float64 `json:"correlation_score"`
	Correlation      string   `json:"correlation"`
}

type identityDetails struct {
	ReviewID  string                 `json:"review_id"`
	Decision  string                 `json:"decision"`
	CreatedAt string                 `json:"created_at"`
	UpdatedAt string                 `json:"updated_at"`
	Breakdown map[string]checkResult `json:"breakdown"`
	Messages  map[string]string      `json:"messages"`
	Kyc       struct {
		Decision    string          `json:"decision"`
		Codes       []string        `json:"codes"`
		Validations map[string]bool `json:"validations"`
	} `json:"kyc"`
	NetworkAlerts checkResult `json:"network_alerts"`
	WatchList     checkResult `json:"watch_list"`
	Reputation    struct {
		checkResult
		Insights map[string]any `json:"insights"`
	} `json:"reputation"`
}

type customerReview struct {
	CustomerDetails customer         `json:"customer_details"`
	IdentityDetails *identityDetails `json:"identity_details"`
}

func getReview(t *testing.T, c *client, id string) customerReview {
	t.Helper()
	env := c.do("GET", "/v1/customers/"+id+"/review", nil).want(t, http.StatusOK).envelope(t)
	var r customerReview
	if err := json.Unmarshal(env.Data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// checkScores asserts every score of a check is in [0, 1].
func checkScores(t *testing.T, name string, r checkResult) {
	t.Helper()
	for _, s := range []*float64{r.RiskScore, r.CorrelationScore} {
		if s != nil && (*s < 0 || *s > 1) {
			t.Errorf("%s: score %v outside [0, 1]", name, *s)
		}
	}
}

func breakdownKeys(d *identityDetails) []string {
	var keys []string
	for k := range d.Breakdown {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestReviewOfAVerifiedIndividual(t *testing.T) {
	clock := newClock()
	_, c := newEnv(t, straddletest.WithClock(clock.Now))
	created := c.create(individual(t, "v@example.com"))
	r := getReview(t, c, created.ID)
	if !reflect.DeepEqual(r.CustomerDetails, created) {
		t.Errorf("customer_details %+v, want the masked customer %+v", r.CustomerDetails, created)
	}
	d := r.IdentityDetails
	if d == nil {
		t.Fatal("no identity_details")
	}
	if d.Decision != "accept" || !anyUUID.MatchString(d.ReviewID) || d.CreatedAt != created.CreatedAt {
		t.Errorf("decision %q review_id %q created_at %q", d.Decision, d.ReviewID, d.CreatedAt)
	}
	if keys := breakdownKeys(d); !slices.Equal(keys, []string{"address", "email", "fraud", "phone", "synthetic"}) {
		t.Errorf("breakdown modules %v, want the individual ones", keys)
	}
	for name, m := range d.Breakdown {
		if m.Decision != "accept" || len(m.Codes) == 0 || m.RiskScore == nil || m.Correlation == "" {
			t.Errorf("%s: %+v, want an accepting check with codes and scores", name, m)
		}
		for _, code := range m.Codes {
			if d.Messages[code] == "" {
				t.Errorf("%s: code %s has no message", name, code)
			}
		}
		checkScores(t, name, m)
	}
	wantKYC := map[string]bool{"first_name": true, "last_name": true, "address": true, "city": true, "state": true,
		"zip": true, "phone": true, "email": true, "dob": true, "ssn": true}
	if !reflect.DeepEqual(d.Kyc.Validations, wantKYC) || d.Kyc.Decision != "accept" {
		t.Errorf("kyc %+v", d.Kyc)
	}
	if d.NetworkAlerts.Decision != "accept" || d.WatchList.Decision != "accept" || d.Reputation.Decision != "accept" {
		t.Errorf("network %q watch list %q reputation %q", d.NetworkAlerts.Decision, d.WatchList.Decision, d.Reputation.Decision)
	}
	checkScores(t, "reputation", d.Reputation.checkResult)
	if len(d.Reputation.Insights) < 30 {
		t.Errorf("reputation insights has %d entries", len(d.Reputation.Insights))
	}
	if again := getReview(t, c, created.ID); !reflect.DeepEqual(again, r) {
		t.Error("a second read of the same review differs")
	}
}

func TestReviewFollowsTheData(t *testing.T) {
	_, c := newEnv(t)

	biz := getReview(t, c, c.create(business(t, "b@example.com")).ID).IdentityDetails
	if keys := breakdownKeys(biz); !slices.Equal(keys, []string{"address", "business_evaluation", "business_identification", "business_validation", "email", "fraud", "phone"}) {
		t.Errorf("business breakdown %v", keys)
	}
	if biz.Decision != "review" || biz.Breakdown["fraud"].Decision != "review" {
		t.Errorf("sandbox review business: decision %q fraud %q", biz.Decision, biz.Breakdown["fraud"].Decision)
	}
	if _, ok := biz.Kyc.Validations["ssn"]; ok {
		t.Errorf("business kyc validates an ssn: %v", biz.Kyc.Validations)
	}

	thin := getReview(t, c, c.create(minimal(t, "m@example.com")).ID).IdentityDetails
	if thin.Decision != "review" || thin.Breakdown["address"].Decision != "review" || thin.Breakdown["synthetic"].Decision != "review" {
		t.Errorf("minimal customer: %+v", thin)
	}
	if v := thin.Kyc.Validations; v["ssn"] || v["dob"] || v["address"] || !v["email"] || thin.Kyc.Decision != "review" {
		t.Errorf("minimal kyc %+v", thin.Kyc)
	}
	for name, m := range thin.Breakdown {
		checkScores(t, name, m)
	}

	bad := with(individual(t, "x@example.com"), "compliance_profile", map[string]any{"ssn": "666-12-3456", "dob": "1980-01-01"})
	rej := getReview(t, c, c.create(bad).ID).IdentityDetails
	if rej.Decision != "reject" || rej.Breakdown["fraud"].Decision != "reject" || rej.NetworkAlerts.Decision != "reject" ||
		rej.Reputation.Decision != "reject" || rej.Kyc.Decision != "reject" || rej.Kyc.Validations["ssn"] {
		t.Errorf("rejected customer: %+v", rej)
	}
	if n, _ := rej.Reputation.Insights["ach_fraud_transactions_count"].(float64); n < 1 {
		t.Errorf("rejected reputation insights %v", rej.Reputation.Insights)
	}
}

func TestReviewWithoutScreening(t *testing.T) {
	_, c := newEnv(t)
	skipped := c.create(with(individual(t, "s@example.com"), "config", map[string]any{"processing_method": "skip"}))
	if r := getReview(t, c, skipped.ID); r.IdentityDetails != nil || r.CustomerDetails.ID != skipped.ID {
		t.Errorf("skip: %+v, want no identity_details", r)
	}
	c.do("PUT", "/v1/customers/"+skipped.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	if r := getReview(t, c, skipped.ID); r.IdentityDetails == nil {
		t.Error("no identity_details after a refresh")
	}

	pending := c.create(individual(t, "p@example.com"))
	body := fixture(t, "updateCustomer.full.json")
	body["email"], body["name"], body["address"], body["status"] = "p@example.com", "Leslie Knope", map[string]any{
		"address1": "100 State St", "address2": "Suite 200", "city": "Pawnee", "state": "IN", "zip": "47998-0100"}, "pending"
	c.do("PUT", "/v1/customers/"+pending.ID, body).want(t, http.StatusOK)
	if r := getReview(t, c, pending.ID); r.IdentityDetails != nil || r.CustomerDetails.Status != "pending" {
		t.Errorf("pending: %+v, want no identity_details", r)
	}
	body["status"] = "inactive"
	c.do("PUT", "/v1/customers/"+pending.ID, body).want(t, http.StatusOK)
	if r := getReview(t, c, pending.ID); r.IdentityDetails == nil || r.IdentityDetails.Decision != "accept" {
		t.Errorf("inactive with complete data: %+v, want an accepting review", r.IdentityDetails)
	}
}

func TestReviewDecision(t *testing.T) {
	srv, c := newEnv(t)
	for _, decision := range []string{"verified", "rejected"} {
		held := c.create(with(minimal(t, decision+"@example.com"), "config", map[string]any{"sandbox_outcome": "review"}))
		got := c.do("PATCH", "/v1/customers/"+held.ID+"/review", map[string]any{"status": decision}).want(t, http.StatusOK).customer(t)
		if got.Status != decision || got.ID != held.ID {
			t.Errorf("decided %s: status %q", decision, got.Status)
		}
		e := c.do("PATCH", "/v1/customers/"+held.ID+"/review", map[string]any{"status": "verified"}).
			want(t, http.StatusUnprocessableEntity).apiError(t)
		want := "Customers with status " + map[string]string{"verified": "Verified", "rejected": "Rejected"}[decision] + " cannot be changed."
		if e.Type != "/validation_error" || e.Detail == nil || *e.Detail != want || e.Items != nil {
			t.Errorf("second decision: %+v, want detail %q", e, want)
		}
		if d := getReview(t, c, held.ID).IdentityDetails; d.Decision != map[string]string{"verified": "accept", "rejected": "reject"}[decision] {
			t.Errorf("review decision %q after %s", d.Decision, decision)
		}
	}
	c.do("PATCH", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00/review", map[string]any{"status": "verified"}).want(t, http.StatusNotFound)

	lenient := newClient(t, srv, false)
	held := c.create(with(minimal(t, "x@example.com"), "config", map[string]any{"sandbox_outcome": "review"}))
	e := lenient.do("PATCH", "/v1/customers/"+held.ID+"/review", map[string]any{"status": "approved"}).want(t, http.StatusBadRequest).apiError(t)
	if !slices.Equal(e.references(), []string{"status"}) {
		t.Errorf("bad decision: %+v", e)
	}
}

func TestRefreshReview(t *testing.T) {
	clock := newClock()
	_, c := newEnv(t, straddletest.WithClock(clock.Now))
	thin := c.create(minimal(t, "thin@example.com"))
	if thin.Status != "review" {
		t.Fatalf("status %q", thin.Status)
	}
	first := getReview(t, c, thin.ID).IdentityDetails.ReviewID
	update := map[string]any{"name": thin.Name, "email": thin.Email, "phone": thin.Phone,
		"device": map[string]any{"ip_address": "0.0.0.0"}, "status": "review",
		"compliance_profile": map[string]any{"ssn": "123-45-6789", "dob": "1980-02-03"}}
	c.do("PUT", "/v1/customers/"+thin.ID, update).want(t, http.StatusOK)
	clock.Advance(60e9)
	res := c.do("PUT", "/v1/customers/"+thin.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	if got := res.customer(t); got.Status != "pending" || got.UpdatedAt != "2026-07-07T06:22:43.8306543Z" {
		t.Errorf("refresh answered status %q updated_at %q, want pending now", got.Status, got.UpdatedAt)
	}
	r := getReview(t, c, thin.ID)
	if r.CustomerDetails.Status != "verified" || r.IdentityDetails.ReviewID == first || r.IdentityDetails.Decision != "accept" {
		t.Errorf("after refresh: status %q review %q (first %q) decision %q", r.CustomerDetails.Status,
			r.IdentityDetails.ReviewID, first, r.IdentityDetails.Decision)
	}
	c.do("PUT", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00/refresh_review", nil).want(t, http.StatusNotFound)
}
