package straddletest_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// onboard is code under test as a user writes it: it registers a customer,
// then decides from the review what to do, rejecting at once anyone on a
// watch list.
func onboard(ctx context.Context, client *straddle.Client, p *straddle.CreateCustomerParams) (string, error) {
	c, err := client.Customers.Create(ctx, p)
	if err != nil {
		return "", err
	}
	r, err := client.Customers.Review.Get(ctx, c.ID)
	if err != nil {
		return "", err
	}
	switch {
	case r.Identity != nil && r.Identity.WatchList != nil && len(r.Identity.WatchList.Matches) > 0:
		return "blocked", nil
	case c.Status == straddle.CustomerStatusVerified:
		return "active", nil
	}
	return "manual", nil
}

// ofacHit is a scripted watch-list hit, in the client's types.
var ofacHit = &straddle.WatchList{
	Decision: straddle.RecommendationReject,
	Codes:    []string{straddletest.CodeWatchListMatch},
	Matched:  []string{"OFAC SDN"},
	Matches: []straddle.WatchListMatch{{
		ListName:    "OFAC SDN",
		URLs:        []string{"https://sanctionssearch.example.gov/entries/36512"},
		MatchFields: []string{"name", "dob"},
		Correlation: straddle.CorrelationHighConfidence,
	}},
}

func TestScriptedWatchListHitTakesTheAutoRejectBranch(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := srv.Client()
	ctx := context.Background()

	srv.ScriptReview(straddletest.ReviewOutcome{Decision: straddle.RecommendationReject, WatchList: ofacHit})
	got, err := onboard(ctx, client, newCustomer("hit@example.com"))
	if err != nil || got != "blocked" {
		t.Fatalf("onboard with a watch-list hit: %q, %v; want blocked", got, err)
	}
	// The same data without a script verifies: the script, not the data, decided.
	if got, err := onboard(ctx, client, newCustomer("clear@example.com")); err != nil || got != "active" {
		t.Fatalf("onboard without a script: %q, %v; want active", got, err)
	}

	var hit *straddle.CustomerSummary
	for c, err := range client.Customers.All(ctx, &straddle.ListParams{Email: "hit@example.com"}) {
		if err != nil {
			t.Fatal(err)
		}
		hit = c
	}
	if hit.Status != straddle.CustomerStatusRejected {
		t.Errorf("status %s, want rejected", hit.Status)
	}
	r, err := client.Customers.Review.Get(ctx, hit.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := r.Identity
	if d.Decision != straddle.RecommendationReject || !reflect.DeepEqual(d.WatchList, ofacHit) {
		t.Errorf("review %s, watch list %+v; want reject and exactly the scripted watch list", d.Decision, d.WatchList)
	}
	if d.Messages[straddletest.CodeWatchListMatch] == "" {
		t.Errorf("messages %v do not explain %s", d.Messages, straddletest.CodeWatchListMatch)
	}
	// The parts left out are derived, consistently with the decision.
	if f := d.Breakdown.Fraud; f == nil || f.Decision != straddle.RecommendationReject ||
		!reflect.DeepEqual(f.Codes, []string{straddletest.CodeFraudConfirmed}) {
		t.Errorf("derived fraud module %+v, want a reject", f)
	}
}

// TestScriptEachOutcome: each decision sets the status it means, whatever the
// data and the sandbox outcome say, and the review reads back as scripted.
func TestScriptEachOutcome(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := srv.Client()
	ctx := context.Background()
	for i, tc := range []struct {
		decision straddle.Recommendation
		sandbox  straddle.SandboxOutcome
		want     straddle.CustomerStatus
	}{
		{straddle.RecommendationAccept, straddle.SandboxOutcomeRejected, straddle.CustomerStatusVerified},
		{straddle.RecommendationReview, straddle.SandboxOutcomeVerified, straddle.CustomerStatusReview},
		{straddle.RecommendationReject, straddle.SandboxOutcomeStandard, straddle.CustomerStatusRejected},
	} {
		t.Run(string(tc.decision), func(t *testing.T) {
			fraud := &straddle.CheckResult{
				Decision: tc.decision, Codes: []string{"X" + string(rune('1'+i)) + "00"},
				RiskScore: straddletest.Ptr(0.5), CorrelationScore: nil, Correlation: straddle.CorrelationPotentialMatch,
			}
			srv.ScriptReview(straddletest.ReviewOutcome{
				Decision:  tc.decision,
				Breakdown: straddle.Breakdown{Fraud: fraud},
				Messages:  map[string]string{fraud.Codes[0]: "A code of the test's own."},
			})
			p := newCustomer(string(tc.decision) + "@example.com")
			p.Config = &straddle.Config{SandboxOutcome: tc.sandbox}
			c, err := client.Customers.Create(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if c.Status != tc.want {
				t.Errorf("created with status %s, want %s", c.Status, tc.want)
			}
			r, err := client.Customers.Review.Get(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if r.Customer.Status != tc.want || r.Identity.Decision != tc.decision || !reflect.DeepEqual(r.Identity.Breakdown.Fraud, fraud) {
				t.Errorf("review: status %s decision %s fraud %+v", r.Customer.Status, r.Identity.Decision, r.Identity.Breakdown.Fraud)
			}
			if r.Identity.Messages[fraud.Codes[0]] != "A code of the test's own." {
				t.Errorf("messages %v lack the scripted one", r.Identity.Messages)
			}
			for code := range r.Identity.Messages {
				if code == straddletest.CodeFraudNone || code == straddletest.CodeFraudElevated || code == straddletest.CodeFraudConfirmed {
					t.Errorf("messages explain %s, a code of the replaced fraud module", code)
				}
			}
		})
	}
	if n := srv.PendingReviewScripts(); n != 0 {
		t.Errorf("%d scripts left", n)
	}
}

// TestScriptScoresAndKYC: a high synthetic score and a failed KYC field read
// back exactly, for the tests of a risk rule.
func TestScriptScoresAndKYC(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := srv.Client()
	ctx := context.Background()
	synthetic := &straddle.CheckResult{
		Decision: straddle.RecommendationReview, Codes: []string{straddletest.CodeSyntheticPossible},
		RiskScore: straddletest.Ptr(0.93), CorrelationScore: straddletest.Ptr(0.12), Correlation: straddle.CorrelationLowConfidence,
	}
	kyc := &straddle.KYCCheck{
		Decision: straddle.RecommendationReview, Codes: []string{straddletest.CodeKYCIncomplete},
		Validations: straddle.KYCValidations{
			FirstName: straddletest.Ptr(true), LastName: straddletest.Ptr(true), SSN: straddletest.Ptr(false),
			DOB: straddletest.Ptr(true), Email: straddletest.Ptr(true), Phone: straddletest.Ptr(true),
		},
	}
	reputation := &straddle.ReputationCheck{
		Decision: straddle.RecommendationReview, Codes: []string{straddletest.CodeReputationReturns},
		RiskScore: straddletest.Ptr(0.61),
		Insights: &straddle.ReputationInsights{
			ACHReturnedTransactionsCount:       straddletest.Ptr(3),
			ACHReturnedTransactionsTotalAmount: straddletest.Ptr(310.5),
			ACHReturnedTransactionsDates:       []string{"2026-01-02", "2026-02-03", "2026-03-04"},
		},
	}
	alerts := &straddle.NetworkAlerts{Decision: straddle.RecommendationReview, Codes: []string{straddletest.CodeNetworkAlertsToReview}, Alerts: []string{}}
	srv.ScriptReview(straddletest.ReviewOutcome{
		Decision:      straddle.RecommendationReview,
		Breakdown:     straddle.Breakdown{Synthetic: synthetic},
		KYC:           kyc,
		Reputation:    reputation,
		NetworkAlerts: alerts,
	})
	c, err := client.Customers.Create(ctx, newCustomer("synthetic@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := client.Customers.Review.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	d := r.Identity
	if c.Status != straddle.CustomerStatusReview || !reflect.DeepEqual(d.Breakdown.Synthetic, synthetic) ||
		!reflect.DeepEqual(d.KYC, kyc) || !reflect.DeepEqual(d.Reputation, reputation) || !reflect.DeepEqual(d.NetworkAlerts, alerts) {
		t.Errorf("status %s; synthetic %+v; kyc %+v; reputation %+v; alerts %+v", c.Status, d.Breakdown.Synthetic, d.KYC, d.Reputation, d.NetworkAlerts)
	}
	for _, code := range []string{straddletest.CodeSyntheticPossible, straddletest.CodeKYCIncomplete, straddletest.CodeReputationReturns, straddletest.CodeNetworkAlertsToReview} {
		if d.Messages[code] == "" {
			t.Errorf("no message for %s in %v", code, d.Messages)
		}
	}
	// A review read twice is the same review.
	again, err := client.Customers.Review.Get(ctx, c.ID)
	if err != nil || !reflect.DeepEqual(again.Identity, d) {
		t.Errorf("second read differs: %v", err)
	}
}

// TestScriptCustomerReview: a customer's script applies to its completed
// review and each of its later reviews (refresh, rescore), and leaves the
// queue alone.
func TestScriptCustomerReview(t *testing.T) {
	const connected = "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithPlatform(straddletest.DefaultAPIKey, connected))
	client := srv.Client()
	ctx := context.Background()
	acct := straddle.WithAccountID(connected)
	c, err := client.Customers.Create(ctx, newCustomer("later@example.com"), acct)
	if err != nil || c.Status != straddle.CustomerStatusVerified {
		t.Fatalf("create: %v, %+v", err, c)
	}
	first, err := client.Customers.Review.Get(ctx, c.ID, acct)
	if err != nil {
		t.Fatal(err)
	}

	srv.ScriptReview(straddletest.ReviewOutcome{Decision: straddle.RecommendationAccept}) // for someone else
	srv.ScriptCustomerReview(strings.ToUpper(connected), strings.ToUpper(c.ID), straddletest.ReviewOutcome{Decision: straddle.RecommendationReject, WatchList: ofacHit})
	again, err := client.Customers.Review.Get(ctx, c.ID, acct)
	if err != nil || again.Identity.ReviewID != first.Identity.ReviewID || again.Identity.Decision != straddle.RecommendationReject ||
		!reflect.DeepEqual(again.Identity.WatchList, ofacHit) || again.Customer.Status != straddle.CustomerStatusVerified {
		t.Errorf("the completed review does not read as scripted, its status kept: %v, %+v", err, again)
	}
	refreshed, err := client.Customers.Review.Refresh(ctx, c.ID, acct)
	if err != nil || refreshed.Status != straddle.CustomerStatusPending {
		t.Fatalf("refresh: %v, %+v", err, refreshed)
	}
	r, err := client.Customers.Review.Get(ctx, c.ID, acct)
	if err != nil {
		t.Fatal(err)
	}
	if r.Customer.Status != straddle.CustomerStatusRejected || r.Identity.Decision != straddle.RecommendationReject ||
		!reflect.DeepEqual(r.Identity.WatchList, ofacHit) || r.Identity.ReviewID == first.Identity.ReviewID {
		t.Errorf("after refresh: status %s decision %s watch list %+v", r.Customer.Status, r.Identity.Decision, r.Identity.WatchList)
	}

	// A rescoring update runs a review too, and the script still holds.
	u := &straddle.UpdateCustomerParams{Name: "Leslie B. Knope", Email: "leslie.knope@example.com", Phone: "+13175550199",
		IPAddress: straddle.NewIPAddress("203.0.113.7"), Status: straddle.CustomerStatusVerified}
	updated, err := client.Customers.Update(ctx, c.ID, u, acct)
	if err != nil || updated.Status != straddle.CustomerStatusRejected {
		t.Fatalf("rescoring update: %v, status %+v; want rejected by the script", err, updated)
	}
	if n := srv.PendingReviewScripts(); n != 1 {
		t.Errorf("%d queued scripts, want the untouched 1", n)
	}

	srv.ClearReviewScripts()
	if _, err := client.Customers.Review.Refresh(ctx, c.ID, acct); err != nil {
		t.Fatal(err)
	}
	if r, err := client.Customers.Review.Get(ctx, c.ID, acct); err != nil ||
		r.Customer.Status != straddle.CustomerStatusReview || r.Identity.WatchList.Decision != straddle.RecommendationAccept {
		t.Errorf("after ClearReviewScripts the rules decide (incomplete data: review): %v %+v", err, r)
	}
	if n := srv.PendingReviewScripts(); n != 0 {
		t.Errorf("%d queued scripts after ClearReviewScripts", n)
	}
}

// TestScriptQueue: queued outcomes go to reviews in order; a create with no
// review (skip) takes none, a background one takes its own and shows pending
// first, and a create refused for a duplicate email gives its script back.
func TestScriptQueue(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := srv.Client()
	ctx := context.Background()
	srv.ScriptReview(straddletest.ReviewOutcome{Decision: straddle.RecommendationReview})
	srv.ScriptReview(straddletest.ReviewOutcome{Decision: straddle.RecommendationReject})

	skip := newCustomer("skip@example.com")
	skip.Config = &straddle.Config{ProcessingMethod: straddle.ProcessingMethodSkip}
	if c, err := client.Customers.Create(ctx, skip); err != nil || c.Status != straddle.CustomerStatusVerified || srv.PendingReviewScripts() != 2 {
		t.Fatalf("skip: %v, %+v, %d scripts left; want the rules' verified and both scripts left", err, c, srv.PendingReviewScripts())
	}
	first, err := client.Customers.Create(ctx, newCustomer("first@example.com"))
	if err != nil || first.Status != straddle.CustomerStatusReview {
		t.Fatalf("first: %v, %+v", err, first)
	}
	if _, err := client.Customers.Create(ctx, newCustomer("first@example.com")); !straddle.IsDuplicateEmail(err) {
		t.Fatalf("duplicate: %v", err)
	}
	if n := srv.PendingReviewScripts(); n != 1 {
		t.Fatalf("%d scripts left after a refused create, want 1", n)
	}
	bg := newCustomer("second@example.com")
	bg.Config = &straddle.Config{ProcessingMethod: straddle.ProcessingMethodBackground}
	second, err := client.Customers.Create(ctx, bg)
	if err != nil || second.Status != straddle.CustomerStatusPending {
		t.Fatalf("background: %v, %+v", err, second)
	}
	if got, err := client.Customers.Get(ctx, second.ID); err != nil || got.Status != straddle.CustomerStatusRejected {
		t.Errorf("background, read later: %v, %+v; want the scripted rejected", err, got)
	}
	if third, err := client.Customers.Create(ctx, newCustomer("third@example.com")); err != nil || third.Status != straddle.CustomerStatusVerified {
		t.Errorf("third, with the queue empty: %v, %+v; want the rules' verified", err, third)
	}

	// A manual decision settles the customer; the review keeps what it found.
	if _, err := client.Customers.Review.Decide(ctx, first.ID, straddle.CustomerStatusVerified); err != nil {
		t.Fatal(err)
	}
	r, err := client.Customers.Review.Get(ctx, first.ID)
	if err != nil || r.Customer.Status != straddle.CustomerStatusVerified || r.Identity.Decision != straddle.RecommendationReview {
		t.Errorf("after a manual decision: %v, status %s decision %s", err, r.Customer.Status, r.Identity.Decision)
	}
}

// TestScriptsTheSpecRefuses: an outcome the spec does not allow panics at
// once, naming the field and the rule, and queues nothing.
func TestScriptsTheSpecRefuses(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	for _, tc := range []struct {
		name string
		o    straddletest.ReviewOutcome
		want string
	}{
		{"no decision", straddletest.ReviewOutcome{}, "decision: must be accept, review or reject"},
		{"unknown decision", straddletest.ReviewOutcome{Decision: "approve"}, "decision: must be accept"},
		{"score above 1", straddletest.ReviewOutcome{Decision: straddle.RecommendationReject,
			Breakdown: straddle.Breakdown{Fraud: &straddle.CheckResult{RiskScore: straddletest.Ptr(1.5)}}}, "breakdown.fraud.risk_score"},
		{"negative score", straddletest.ReviewOutcome{Decision: straddle.RecommendationReview,
			Reputation: &straddle.ReputationCheck{RiskScore: straddletest.Ptr(-0.1)}}, "reputation.risk_score"},
		{"unknown module decision", straddletest.ReviewOutcome{Decision: straddle.RecommendationReview,
			KYC: &straddle.KYCCheck{Decision: "maybe"}}, "kyc.decision"},
		{"match without correlation", straddletest.ReviewOutcome{Decision: straddle.RecommendationReject,
			WatchList: &straddle.WatchList{Matches: []straddle.WatchListMatch{{ListName: "OFAC SDN", URLs: []string{}, MatchFields: []string{}}}}}, "watch_list.matches.0.correlation"},
		{"match without urls", straddletest.ReviewOutcome{Decision: straddle.RecommendationReject,
			WatchList: &straddle.WatchList{Matches: []straddle.WatchListMatch{{ListName: "OFAC SDN", MatchFields: []string{}, Correlation: straddle.CorrelationLikelyMatch}}}}, "watch_list.matches.0.urls"},
		{"bad insight date", straddletest.ReviewOutcome{Decision: straddle.RecommendationReview,
			Reputation: &straddle.ReputationCheck{Insights: &straddle.ReputationInsights{ApplicationsDates: []string{"last week"}}}}, "reputation.insights.applications_dates.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "straddletest: ScriptReview: ") || !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want one naming %q", msg, tc.want)
				}
			}()
			srv.ScriptReview(tc.o)
		})
	}
	if n := srv.PendingReviewScripts(); n != 0 {
		t.Errorf("%d refused scripts were queued", n)
	}
	for _, tc := range []struct{ account, id, want string }{
		{"", "not-a-uuid", "ScriptCustomerReview: account " + srv.AccountID(srv.APIKey()) + " holds no customer with this id"},
		{"", "019f3b3d-5816-77fb-8a9c-ad05f1654b00", "holds no customer with this id"},
		{"019f3b3d-5816-77fb-8a9c-ad05f1654b01", "019f3b3d-5816-77fb-8a9c-ad05f1654b00", "ScriptCustomerReview: no API key may act for account 019f3b3d-5816-77fb-8a9c-ad05f1654b01"},
	} {
		func() {
			defer func() {
				if msg, _ := recover().(string); !strings.Contains(msg, tc.want) {
					t.Errorf("ScriptCustomerReview(%q, %q): panic %q, want %q", tc.account, tc.id, msg, tc.want)
				}
			}()
			srv.ScriptCustomerReview(tc.account, tc.id, straddletest.ReviewOutcome{Decision: straddle.RecommendationAccept})
		}()
	}
}

// TestScriptSeededCustomerInReview: a customer seeded in review can carry
// scripted findings, and a script names a customer by account and id: the
// same id in another account (as in straddle-mock's sdk-suite fixture) is
// another customer, left alone.
func TestScriptSeededCustomerInReview(t *testing.T) {
	const connected = "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	const id = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithPlatform(straddletest.DefaultAPIKey, connected))
	client := srv.Client()
	ctx := context.Background()
	acct := straddle.WithAccountID(connected)
	held := straddle.UnmaskedCustomer{ID: id, Name: "Tom Haverford", Type: straddle.CustomerTypeIndividual,
		Email: "tom@example.com", Phone: "+13175550150", Status: straddle.CustomerStatusReview}
	for _, account := range []string{"", connected} {
		if _, err := srv.SeedCustomers(account, held); err != nil {
			t.Fatal(err)
		}
	}
	other, err := client.Customers.Review.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}

	srv.ScriptCustomerReview(connected, id, straddletest.ReviewOutcome{Decision: straddle.RecommendationReview, WatchList: ofacHit})
	r, err := client.Customers.Review.Get(ctx, id, acct)
	if err != nil {
		t.Fatal(err)
	}
	if r.Customer.Status != straddle.CustomerStatusReview || r.Identity == nil ||
		r.Identity.Decision != straddle.RecommendationReview || !reflect.DeepEqual(r.Identity.WatchList, ofacHit) {
		t.Errorf("the seeded review: status %s, identity %+v; want review with the scripted hit", r.Customer.Status, r.Identity)
	}
	if again, err := client.Customers.Review.Get(ctx, id); err != nil || !reflect.DeepEqual(again, other) {
		t.Errorf("the same id in the other account changed: %v", err)
	}
	// The other account's next review is not scripted either.
	if _, err := client.Customers.Review.Refresh(ctx, id); err != nil {
		t.Fatal(err)
	}
	if r, err := client.Customers.Review.Get(ctx, id); err != nil || reflect.DeepEqual(r.Identity.WatchList, ofacHit) {
		t.Errorf("the other account's refresh took the script: %v", err)
	}
}
