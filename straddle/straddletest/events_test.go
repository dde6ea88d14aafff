package straddletest_test

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// step is what a test expects of one event: its type and the status it
// carries.
type step struct {
	typ    webhook.EventType
	status straddle.CustomerStatus
}

func steps(evs []straddletest.Event) []step {
	out := make([]step, 0, len(evs))
	for _, ev := range evs {
		out = append(out, step{ev.Type, ev.Status})
	}
	return out
}

var (
	created = func(s straddle.CustomerStatus) step { return step{webhook.CustomerCreatedV1, s} }
	changed = func(s straddle.CustomerStatus) step { return step{webhook.CustomerEventV1, s} }
)

// checkEvent holds one recorded event to its payload and the spec: the
// payload validates, decodes with straddle/webhook into the same type, ids,
// account and customer, and carries no personal value unmasked.
func checkEvent(t *testing.T, ev straddletest.Event) *webhook.Event {
	t.Helper()
	if err := contract.ValidateEvent(ev.Payload); err != nil {
		t.Errorf("event %s: %v", ev.ID, err)
	}
	got, err := webhook.DecodeEvent(ev.Payload)
	if err != nil {
		t.Fatalf("event %s does not decode: %v", ev.ID, err)
	}
	if got.Type != ev.Type || got.ID != ev.ID || got.AccountID != ev.AccountID ||
		got.Customer == nil || got.Customer.ID != ev.CustomerID || got.Customer.Status != ev.Status {
		t.Errorf("payload %s does not match the event %+v", ev.Payload, ev)
	}
	if !uuidV7.MatchString(ev.ID) || !strings.HasPrefix(ev.MessageID, "msg_") || len(ev.MessageID) != 31 {
		t.Errorf("event id %q message id %q", ev.ID, ev.MessageID)
	}
	var raw struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(ev.Payload, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw.Data["config"]; ok {
		t.Errorf("event %s carries config", ev.ID)
	}
	for _, pii := range []string{"123-45-6789", "1969-04-20", "12-3456789", "192.168.1.1", "203.0.113"} {
		if strings.Contains(string(ev.Payload), pii) {
			t.Errorf("event %s shows %s", ev.ID, pii)
		}
	}
	return got
}

func TestEventsOfEachStateChange(t *testing.T) {
	srv, c := newEnv(t)
	account := srv.AccountID(srv.APIKey())

	thin := c.create(minimal(t, "thin@example.com")) // goes to review
	update := map[string]any{"name": "Thin Again", "email": thin.Email, "phone": thin.Phone,
		"device": map[string]any{"ip_address": "203.0.113.9"}, "status": "review"}
	c.do("PUT", "/v1/customers/"+thin.ID, update).want(t, http.StatusOK)
	c.do("PATCH", "/v1/customers/"+thin.ID+"/review", map[string]any{"status": "rejected"}).want(t, http.StatusOK)
	c.do("PUT", "/v1/customers/"+thin.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	c.do("DELETE", "/v1/customers/"+thin.ID, nil).want(t, http.StatusOK)
	// Refused requests, reads and replays raise nothing.
	c.do("DELETE", "/v1/customers/"+thin.ID, nil).want(t, http.StatusNotFound)
	c.do("PATCH", "/v1/customers/"+thin.ID+"/review", map[string]any{"status": "verified"}).want(t, http.StatusNotFound)
	c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)

	evs := srv.Events()
	want := []step{created("review"), changed("review"), changed("review"), changed("rejected"), changed("pending"), changed("review")}
	if !slices.Equal(steps(evs), want) {
		t.Fatalf("events %v, want %v (nothing for the delete)", steps(evs), want)
	}
	replayed := c.create(minimal(t, "once@example.com"), "Idempotency-Key", "events-replay-0001")
	res := c.do("POST", "/v1/customers", minimal(t, "once@example.com"), "Idempotency-Key", "events-replay-0001").want(t, http.StatusCreated)
	if res.header.Get("Idempotent-Replayed") != "true" {
		t.Fatal("not replayed")
	}
	if evs := srv.Events(); len(evs) != len(want)+2 || evs[len(want)].CustomerID != replayed.ID {
		t.Errorf("after a create and its replay: %v", steps(evs[len(want):]))
	}
	ops := []straddletest.Operation{straddletest.OpCreateCustomer, straddletest.OpCreateCustomer, straddletest.OpUpdateCustomer,
		straddletest.OpDecideCustomerReview, straddletest.OpRefreshCustomerReview, straddletest.OpRefreshCustomerReview}
	ids := map[string]bool{}
	for i, ev := range evs {
		got := checkEvent(t, ev)
		if ev.Operation != ops[i] || ev.AccountID != account || ev.CustomerID != thin.ID {
			t.Errorf("event %d: operation %q account %s customer %s", i, ev.Operation, ev.AccountID, ev.CustomerID)
		}
		if ids[ev.ID] || ids[ev.MessageID] {
			t.Errorf("event %d reuses an id", i)
		}
		ids[ev.ID], ids[ev.MessageID] = true, true
		if i == 2 && got.Customer.Name != "Thin Again" {
			t.Errorf("the update's event shows name %q", got.Customer.Name)
		}
	}
}

func TestEventPayloadIsTheMaskedCustomerWithAFlatProfile(t *testing.T) {
	srv, c := newEnv(t)
	person := c.create(with(individual(t, "ron@example.com"), "config", map[string]any{"sandbox_outcome": "verified"}))
	biz := c.create(business(t, "biz@example.com"))
	evs := srv.Events()
	if len(evs) != 4 {
		t.Fatalf("%d events, want 4", len(evs))
	}
	for _, tc := range []struct {
		ev      straddletest.Event
		id      string
		profile map[string]any
	}{
		{evs[1], person.ID, map[string]any{"ssn": "***-**-****", "dob": "****-**-**", "ein": nil, "legal_business_name": nil, "website": nil}},
		{evs[3], biz.ID, map[string]any{"ssn": nil, "dob": nil, "ein": "**-*******", "legal_business_name": biz.ComplianceProfile["legal_business_name"], "website": biz.ComplianceProfile["website"]}},
	} {
		checkEvent(t, tc.ev)
		var body struct {
			Data struct {
				ID                string            `json:"id"`
				ComplianceProfile map[string]any    `json:"compliance_profile"`
				Device            map[string]string `json:"device"`
			} `json:"data"`
		}
		if err := json.Unmarshal(tc.ev.Payload, &body); err != nil {
			t.Fatal(err)
		}
		d := body.Data
		if d.ID != tc.id || !mapsEqual(d.ComplianceProfile, tc.profile) || d.Device["ip_address"] != "**.**.**.**" {
			t.Errorf("data %+v, want id %s profile %v and a masked device", d, tc.id, tc.profile)
		}
	}
}

func mapsEqual(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestEventsAreNotRecordedWithoutRecording(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithRecording(false))
	c.create(minimal(t, "quiet@example.com"))
	if evs := srv.Events(); len(evs) != 0 {
		t.Errorf("%d events recorded with recording off", len(evs))
	}
}

func TestClearEvents(t *testing.T) {
	srv, c := newEnv(t)
	c.create(minimal(t, "a@example.com"))
	srv.ClearEvents()
	b := c.create(minimal(t, "b@example.com"))
	if evs := srv.Events(); len(evs) != 2 || evs[0].CustomerID != b.ID {
		t.Errorf("after ClearEvents: %v", steps(evs))
	}
}

func background(body map[string]any) map[string]any {
	return with(body, "config", map[string]any{"processing_method": "background"})
}

func TestBackgroundCreateSettlesAtOnceByDefault(t *testing.T) {
	srv, c := newEnv(t)
	got := c.create(background(individual(t, "bg@example.com")))
	if got.Status != "pending" {
		t.Errorf("201 shows %q, want pending", got.Status)
	}
	if st := c.do("GET", "/v1/customers/"+got.ID, nil).customer(t).Status; st != "verified" {
		t.Errorf("read after create: %q, want verified", st)
	}
	want := []step{created("pending"), changed("pending"), changed("verified")}
	if evs := srv.Events(); !slices.Equal(steps(evs), want) || evs[2].Operation != straddletest.OpCreateCustomer {
		t.Errorf("events %v, want %v, all raised by the create", steps(evs), want)
	}
	if n := srv.PendingReviews(); n != 0 {
		t.Errorf("%d reviews pending", n)
	}
}

func TestAsyncBackgroundCreateIsPendingUntilSettled(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithAsyncReviews(0))
	got := c.create(background(individual(t, "bg@example.com")))
	other := c.create(background(minimal(t, "thin@example.com")))
	inline := c.create(individual(t, "inline@example.com"))
	if got.Status != "pending" || inline.Status != "verified" {
		t.Fatalf("created %q and %q", got.Status, inline.Status)
	}
	for range 2 { // reads do not settle anything
		if st := c.do("GET", "/v1/customers/"+got.ID, nil).customer(t).Status; st != "pending" {
			t.Fatalf("read while the review runs: %q, want pending", st)
		}
		if r := getReview(t, c, got.ID); r.IdentityDetails != nil {
			t.Fatalf("identity_details while the review runs: %+v", r.IdentityDetails)
		}
	}
	if ids := listIDs(t, c, "?status=pending"); len(ids) != 2 {
		t.Errorf("listed %d pending customers, want 2", len(ids))
	}
	if n := srv.PendingReviews(); n != 2 {
		t.Errorf("PendingReviews %d, want 2", n)
	}
	c.do("PATCH", "/v1/customers/"+got.ID+"/review", map[string]any{"status": "verified"}).want(t, http.StatusUnprocessableEntity)

	if !srv.SettleCustomer("", strings.ToUpper(got.ID)) {
		t.Fatal("SettleCustomer found no review running")
	}
	if srv.SettleCustomer("", got.ID) {
		t.Error("SettleCustomer settled the same review twice")
	}
	after := c.do("GET", "/v1/customers/"+got.ID, nil).customer(t)
	if after.Status != "verified" {
		t.Errorf("after settling: %q, want verified", after.Status)
	}
	if r := getReview(t, c, got.ID); r.IdentityDetails == nil || r.IdentityDetails.Decision != "accept" {
		t.Errorf("review after settling: %+v", r.IdentityDetails)
	}
	if n := srv.Settle(); n != 1 {
		t.Errorf("Settle settled %d, want the other 1", n)
	}
	if st := c.do("GET", "/v1/customers/"+other.ID, nil).customer(t).Status; st != "review" {
		t.Errorf("the thin customer after settling: %q, want review", st)
	}
	if n := srv.Settle(); n != 0 || srv.PendingReviews() != 0 {
		t.Errorf("a second Settle settled %d", n)
	}

	evs := srv.Events()
	want := []step{created("pending"), changed("pending"), created("pending"), changed("pending"),
		created("verified"), changed("verified"), changed("verified"), changed("review")}
	if !slices.Equal(steps(evs), want) {
		t.Fatalf("events %v, want %v", steps(evs), want)
	}
	for i, ev := range evs[6:] {
		checkEvent(t, ev)
		if ev.Operation != "" {
			t.Errorf("settling event %d has operation %q", i, ev.Operation)
		}
	}
}

func TestAsyncRefreshIsPendingUntilSettled(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithAsyncReviews(0))
	thin := c.create(minimal(t, "thin@example.com"))
	first := getReview(t, c, thin.ID).IdentityDetails.ReviewID
	res := c.do("PUT", "/v1/customers/"+thin.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	if st := res.customer(t).Status; st != "pending" {
		t.Errorf("202 shows %q", st)
	}
	r := getReview(t, c, thin.ID)
	if r.CustomerDetails.Status != "pending" || r.IdentityDetails != nil {
		t.Fatalf("while the refresh runs: status %q details %+v", r.CustomerDetails.Status, r.IdentityDetails)
	}
	if !srv.SettleCustomer("", thin.ID) {
		t.Fatal("no review running")
	}
	r = getReview(t, c, thin.ID)
	if r.CustomerDetails.Status != "review" || r.IdentityDetails == nil || r.IdentityDetails.ReviewID == first {
		t.Errorf("after settling: status %q details %+v (first review %s)", r.CustomerDetails.Status, r.IdentityDetails, first)
	}
	want := []step{created("review"), changed("review"), changed("pending"), changed("review")}
	if evs := srv.Events(); !slices.Equal(steps(evs), want) {
		t.Errorf("events %v, want %v", steps(evs), want)
	}
}

func TestAsyncReviewSupersededIsDropped(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithAsyncReviews(0))
	a := c.create(minimal(t, "a@example.com"))
	b := c.create(minimal(t, "b@example.com"))
	d := c.create(minimal(t, "d@example.com"))

	// A second refresh replaces the first review: one settles.
	c.do("PUT", "/v1/customers/"+a.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	c.do("PUT", "/v1/customers/"+a.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	// An update that sets a status ends the pending state.
	c.do("PUT", "/v1/customers/"+b.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	c.do("PUT", "/v1/customers/"+b.ID, map[string]any{"name": b.Name, "email": b.Email, "phone": b.Phone,
		"device": map[string]any{"ip_address": "203.0.113.9"}, "status": "inactive"}).want(t, http.StatusOK)
	// A deleted customer has nothing to settle.
	c.do("PUT", "/v1/customers/"+d.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	c.do("DELETE", "/v1/customers/"+d.ID, nil).want(t, http.StatusOK)

	if n := srv.PendingReviews(); n != 3 {
		t.Errorf("PendingReviews %d, want 3 (one per customer)", n)
	}
	srv.ClearEvents()
	if n := srv.Settle(); n != 1 {
		t.Errorf("Settle settled %d, want 1", n)
	}
	if st := c.do("GET", "/v1/customers/"+b.ID, nil).customer(t).Status; st != "inactive" {
		t.Errorf("the updated customer is %q after Settle, want inactive", st)
	}
	if evs := srv.Events(); len(evs) != 1 || evs[0].CustomerID != a.ID {
		t.Errorf("events of Settle: %v, want one, about the refreshed customer", steps(evs))
	}
}

func TestAsyncReviewSettlesAfterTheDelay(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithAsyncReviews(20*time.Millisecond))
	got := c.create(background(individual(t, "bg@example.com")))
	if got.Status != "pending" {
		t.Fatalf("created %q", got.Status)
	}
	deadline := time.Now().Add(10 * time.Second)
	for srv.PendingReviews() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if st := c.do("GET", "/v1/customers/"+got.ID, nil).customer(t).Status; st != "verified" {
		t.Fatalf("after the delay: %q, want verified", st)
	}
	if evs := srv.Events(); len(evs) != 3 || evs[2].Status != "verified" || evs[2].Operation != "" {
		t.Errorf("events %v", steps(evs))
	}
	if srv.SettleCustomer("", got.ID) {
		t.Error("settled again after the delay")
	}
}

func TestCloseStopsPendingSettlements(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithAsyncReviews(time.Hour))
	c.create(background(individual(t, "bg@example.com")))
	srv.Close() // must not wait an hour, nor leave a timer (leakcheck)
	if n := srv.PendingReviews(); n != 0 {
		t.Errorf("%d reviews pending after Close", n)
	}
	if n := srv.Settle(); n != 0 {
		t.Errorf("Settle after Close settled %d", n)
	}
}

func TestAsyncModeRaisesTheSameEventsAsImmediate(t *testing.T) {
	run := func(opts ...straddletest.Option) []step {
		srv, c := newEnv(t, opts...)
		got := c.create(background(individual(t, "same@example.com")))
		srv.Settle()
		c.do("PUT", "/v1/customers/"+got.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
		srv.Settle()
		return steps(srv.Events())
	}
	immediate, async := run(), run(straddletest.WithAsyncReviews(0))
	if !slices.Equal(immediate, async) {
		t.Errorf("immediate %v, async %v", immediate, async)
	}
}

func TestEventsOfAClientWorkflow(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithAsyncReviews(0))
	client := srv.Client()
	ctx := context.Background()
	c, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name: "Leslie Knope", Type: straddle.CustomerTypeIndividual, Email: "leslie@example.com",
		Phone: "+13175550142", IPAddress: straddle.NewIPAddress("203.0.113.42"),
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18")},
		Config:     &straddle.Config{ProcessingMethod: straddle.ProcessingMethodBackground},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Settle()
	evs := srv.Events()
	last := checkEvent(t, evs[len(evs)-1])
	read, err := client.Customers.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if last.Customer.Status != read.Status || !last.Customer.UpdatedAt.Equal(read.UpdatedAt) ||
		last.Customer.ComplianceProfile == nil || last.Customer.ComplianceProfile.Individual == nil {
		t.Errorf("the last event's customer %+v differs from a read %+v", last.Customer, read)
	}
}

// A scripted outcome binds to the review that starts next, and a background
// review settles on it: the script is taken when the review starts, so a
// later inline create does not take it.
func TestAsyncReviewSettlesOnItsScript(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithAsyncReviews(0))
	srv.ScriptReview(straddletest.ReviewOutcome{Decision: straddle.RecommendationReject})
	bg := c.create(background(individual(t, "bg@example.com")))
	inline := c.create(individual(t, "inline@example.com"))
	if n := srv.PendingReviewScripts(); n != 0 || inline.Status != "verified" {
		t.Errorf("%d scripts left; the inline create is %q, want verified by the rules", n, inline.Status)
	}
	if r := getReview(t, c, bg.ID); r.CustomerDetails.Status != "pending" || r.IdentityDetails != nil {
		t.Fatalf("before settling: %q %+v", r.CustomerDetails.Status, r.IdentityDetails)
	}
	srv.Settle()
	if r := getReview(t, c, bg.ID); r.CustomerDetails.Status != "rejected" || r.IdentityDetails == nil || r.IdentityDetails.Decision != "reject" {
		t.Errorf("after settling: %q %+v, want the scripted rejection", r.CustomerDetails.Status, r.IdentityDetails)
	}
	if evs := srv.Events(); evs[len(evs)-1].Status != "rejected" {
		t.Errorf("the settling event says %s", evs[len(evs)-1].Status)
	}
}

// TestAsyncReviewsOfOneIDInTwoAccounts: ids are unique only within an
// account (straddle-mock's sdk-suite fixture has one id in two): a review
// running for one does not replace the other's, and SettleCustomer names
// the account.
func TestAsyncReviewsOfOneIDInTwoAccounts(t *testing.T) {
	const connected = "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	const id = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithPlatform(straddletest.DefaultAPIKey, connected),
		straddletest.WithAsyncReviews(0))
	client := srv.Client()
	ctx := context.Background()
	held := straddle.UnmaskedCustomer{ID: id, Name: "Tom Haverford", Type: straddle.CustomerTypeIndividual,
		Email: "tom@example.com", Phone: "+13175550150", Status: straddle.CustomerStatusReview}
	for _, account := range []string{"", connected} {
		if _, err := srv.SeedCustomers(account, held); err != nil {
			t.Fatal(err)
		}
		if _, err := client.Customers.Review.Refresh(ctx, id, straddle.WithAccountID(cmp.Or(account, srv.AccountID(srv.APIKey())))); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.PendingReviews(); n != 2 {
		t.Fatalf("PendingReviews %d, want one per account", n)
	}
	if !srv.SettleCustomer(connected, id) {
		t.Fatal("SettleCustomer found no review running in the connected account")
	}
	if c, _ := srv.Customer(connected, id); c.Status == straddle.CustomerStatusPending {
		t.Error("the connected account's customer is still pending")
	}
	if c, _ := srv.Customer("", id); c.Status != straddle.CustomerStatusPending {
		t.Errorf("the other account's customer is %s, want still pending", c.Status)
	}
	if n := srv.Settle(); n != 1 {
		t.Errorf("Settle settled %d, want the other account's 1", n)
	}
}
