package straddletest_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// receiver is the user's side of a webhook: straddle/webhook's Handler on a
// loopback server, recording every delivery it was sent and every event its
// function processed. Every delivery must follow the spec.
type receiver struct {
	URL    string
	Secret string

	mu         sync.Mutex
	deliveries []http.Header    // headers of every request received
	processed  []*webhook.Event // events the function succeeded for
	ran        map[string]int   // runs of the function (failed or not), by event id
	answers    []int            // status of each answer
	refused    []*webhook.DeliveryError
	fail       func(*webhook.Event) error // when set, decides the function's result
	before     func(*http.Request)        // when set, runs before the Handler
}

func newSecret() string {
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{Secret: newSecret(), ran: map[string]int{}}
	v, err := webhook.NewVerifier(rc.Secret)
	if err != nil {
		t.Fatal(err)
	}
	dedup, err := webhook.NewMemoryDeduplicator(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	h, err := webhook.NewHandler(v, func(_ context.Context, ev *webhook.Event) error {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.ran[ev.ID]++
		if rc.fail != nil {
			if err := rc.fail(ev); err != nil {
				return err
			}
		}
		rc.processed = append(rc.processed, ev)
		return nil
	}, webhook.WithDeduplicator(dedup), webhook.WithErrorFunc(func(_ *http.Request, err *webhook.DeliveryError) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.refused = append(rc.refused, err)
	}))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := contract.ValidateDelivery(r.Context(), r); err != nil {
			t.Errorf("delivery breaks the spec: %v", err)
		}
		rc.mu.Lock()
		rc.deliveries = append(rc.deliveries, r.Header.Clone())
		before := rc.before
		rc.mu.Unlock()
		if before != nil {
			before(r)
		}
		rec := &statusRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		rc.mu.Lock()
		rc.answers = append(rc.answers, rec.status)
		rc.mu.Unlock()
	}))
	t.Cleanup(ts.Close)
	rc.URL = ts.URL + "/webhooks/straddle"
	return rc
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (rc *receiver) seen() []step {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := make([]step, 0, len(rc.processed))
	for _, ev := range rc.processed {
		out = append(out, step{ev.Type, ev.Customer.Status})
	}
	return out
}

func (rc *receiver) events() []*webhook.Event {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.processed)
}

func (rc *receiver) refusals() []*webhook.DeliveryError {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.refused)
}

func (rc *receiver) headers() []http.Header {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.deliveries)
}

// runs returns how many times the function ran for the event id.
func (rc *receiver) runs(eventID string) int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.ran[eventID]
}

func (rc *receiver) requests() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.deliveries)
}

// fast is a retry schedule for tests: the default's shape, ten thousand
// times shorter (0.5 ms, 30 ms, 180 ms, ...).
var fast = straddletest.WithWebhookRetries(straddletest.ScaleRetries(straddletest.DefaultWebhookRetries(), 1e-4)...)

func wait(t *testing.T, srv *straddletest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.WaitForDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
}

func newPerson(email string, method straddle.ProcessingMethod) *straddle.CreateCustomerParams {
	return &straddle.CreateCustomerParams{
		Name: "Leslie Knope", Type: straddle.CustomerTypeIndividual, Email: email, Phone: "+13175550142",
		IPAddress:  straddle.NewIPAddress("203.0.113.42"),
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18")},
		Config:     &straddle.Config{ProcessingMethod: method},
	}
}

// The acceptance test: a background create is pending, settles, and
// the user's handler (straddle/webhook over loopback, signatures verified)
// processes customer.created.v1 and then customer.event.v1 with the final
// status, each once, although the created event's first delivery failed and
// the final event was delivered twice.
func TestWebhooksEndToEnd(t *testing.T) {
	rc := newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret),
		straddletest.WithAsyncReviews(0), fast)
	ctx := context.Background()
	client := srv.Client()

	// The created event's first delivery reaches the handler, but its answer
	// is lost: the sender delivers it again.
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookFailAfter, EventType: webhook.CustomerCreatedV1})
	c, err := client.Customers.Create(ctx, newPerson("leslie@example.com", straddle.ProcessingMethodBackground))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != straddle.CustomerStatusPending {
		t.Fatalf("created %s, want pending", c.Status)
	}
	if got, err := client.Customers.Get(ctx, c.ID); err != nil || got.Status != straddle.CustomerStatusPending {
		t.Fatalf("read before settling: %v, %v", got, err)
	}
	wait(t, srv)
	if seen := rc.seen(); !slices.Equal(seen, []step{created("pending"), changed("pending")}) {
		t.Fatalf("before settling the handler saw %v", seen)
	}

	// The final event is delivered twice.
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate, EventType: webhook.CustomerEventV1})
	if !srv.SettleCustomer("", c.ID) {
		t.Fatal("nothing to settle")
	}
	wait(t, srv)
	if got, err := client.Customers.Get(ctx, c.ID); err != nil || got.Status != straddle.CustomerStatusVerified {
		t.Fatalf("read after settling: %v, %v", got, err)
	}
	want := []step{created("pending"), changed("pending"), changed("verified")}
	if seen := rc.seen(); !slices.Equal(seen, want) {
		t.Errorf("the handler processed %v, want each of %v once", seen, want)
	}
	if n := rc.requests(); n != 5 {
		t.Errorf("the receiver got %d requests, want 5 (3 events, a retry and a duplicate)", n)
	}
	if r := rc.refusals(); len(r) != 0 {
		t.Errorf("the handler refused deliveries: %v", r)
	}
	// Each processed event is the one recorded, with the message id of its
	// deliveries.
	evs := srv.Events()
	for i, ev := range rc.events() {
		if ev.ID != evs[i].ID || ev.MessageID != evs[i].MessageID || ev.AccountID != srv.AccountID(srv.APIKey()) {
			t.Errorf("processed %v, recorded %+v", ev, evs[i])
		}
	}
	ds := srv.Deliveries()
	if len(ds) != 3 {
		t.Fatalf("%d deliveries, want 3", len(ds))
	}
	for i, d := range ds {
		if d.State != straddletest.DeliverySucceeded || d.Endpoint != rc.URL || d.EventID != evs[i].ID {
			t.Errorf("delivery %d: %+v", i, d)
		}
	}
	if a := ds[0].Attempts; len(a) != 2 || !errors.Is(a[0].Err, straddletest.ErrWebhookFault) || a[0].Status != 200 ||
		a[0].Fault != straddletest.WebhookFailAfter || !a[1].Succeeded() || a[1].Number != 2 {
		t.Errorf("the created event's attempts: %+v", a)
	}
	if a := ds[2].Attempts; len(a) != 2 || !a[0].Succeeded() || !a[1].Succeeded() || a[1].Fault != straddletest.WebhookDuplicate {
		t.Errorf("the final event's attempts: %+v", a)
	}
	// De-duplication skipped the function for the delivery that came again.
	for i, want := range []int{1, 1, 1} {
		if n := rc.runs(evs[i].ID); n != want {
			t.Errorf("the function ran %d times for event %d, want %d", n, i, want)
		}
	}

	// The function itself fails once: the Handler answers 500, forgets the
	// event, and processes the retry, once.
	rc.mu.Lock()
	failed := false
	rc.fail = func(*webhook.Event) error {
		if !failed {
			failed = true
			return errors.New("the database is down")
		}
		return nil
	}
	rc.mu.Unlock()
	if _, err := client.Customers.Update(ctx, c.ID, &straddle.UpdateCustomerParams{Name: "Leslie B. Knope",
		Email: "leslie@example.com", Phone: "+13175550142", IPAddress: straddle.NewIPAddress("203.0.113.42"),
		Status: straddle.CustomerStatusVerified}); err != nil {
		t.Fatal(err)
	}
	wait(t, srv)
	evs, ds = srv.Events(), srv.Deliveries()
	if len(evs) != 4 || len(ds) != 4 {
		t.Fatalf("%d events and %d deliveries, want 4 of each", len(evs), len(ds))
	}
	if a := ds[3].Attempts; ds[3].State != straddletest.DeliverySucceeded || len(a) != 2 || a[0].Status != 500 || a[1].Status != 200 {
		t.Errorf("the update's attempts: %s %+v, want 500 then 200", ds[3].State, a)
	}
	if n := rc.runs(evs[3].ID); n != 2 {
		t.Errorf("the function ran %d times for the update, want 2 (failed, then the retry)", n)
	}
	want = append(want, changed("verified"))
	if seen := rc.seen(); !slices.Equal(seen, want) {
		t.Errorf("the handler processed %v, want each of %v once", seen, want)
	}
}

func TestDeliveryHeaders(t *testing.T) {
	rc := newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret), fast)
	c := newClient(t, srv, true)
	c.create(minimal(t, "a@example.com"))
	wait(t, srv)
	evs := srv.Events()
	hs := rc.headers()
	if len(hs) != 2 {
		t.Fatalf("%d deliveries", len(hs))
	}
	for i, h := range hs {
		if h.Get("Webhook-Id") != evs[i].MessageID || h.Get("Content-Type") != "application/json" ||
			!strings.HasPrefix(h.Get("Webhook-Signature"), "v1,") {
			t.Errorf("delivery %d headers %v", i, h)
		}
		a := srv.Deliveries()[i].Attempts[0]
		if h.Get("Webhook-Timestamp") != fmt.Sprint(a.Time.Unix()) {
			t.Errorf("timestamp %s, attempt at %v", h.Get("Webhook-Timestamp"), a.Time)
		}
	}
}

func TestDeliveryRetriesOnTheSchedule(t *testing.T) {
	rc := newReceiver(t)
	failures := 2
	rc.fail = func(*webhook.Event) error {
		if failures > 0 {
			failures--
			return errors.New("the database is down")
		}
		return nil
	}
	schedule := []time.Duration{10 * time.Millisecond, 30 * time.Millisecond, 50 * time.Millisecond}
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret),
		straddletest.WithWebhookRetries(schedule...))
	c := newClient(t, srv, true)
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookFailBefore, EventType: webhook.CustomerEventV1, Times: 3})
	c.create(minimal(t, "a@example.com"))
	wait(t, srv)
	ds := srv.Deliveries()
	// customer.created.v1: two 500s from the function, then a 200.
	a := ds[0].Attempts
	if ds[0].State != straddletest.DeliverySucceeded || len(a) != 3 || a[0].Status != 500 || a[1].Status != 500 || a[2].Status != 200 {
		t.Errorf("created: %s, attempts %+v", ds[0].State, a)
	}
	for i := 1; i < len(a); i++ {
		if gap := a[i].Time.Sub(a[i-1].Time); gap < schedule[i-1] {
			t.Errorf("attempt %d came %v after the one before, before the schedule's %v", i+1, gap, schedule[i-1])
		}
	}
	// customer.event.v1: the endpoint is down for three attempts, then up.
	a = ds[1].Attempts
	if ds[1].State != straddletest.DeliverySucceeded || len(a) != 4 || a[3].Status != 200 {
		t.Fatalf("event: %s, attempts %+v", ds[1].State, a)
	}
	for _, at := range a[:3] {
		if at.Status != 0 || !errors.Is(at.Err, straddletest.ErrWebhookFault) || at.Fault != straddletest.WebhookFailBefore {
			t.Errorf("failed attempt %+v", at)
		}
	}
	if n := rc.requests(); n != 4 {
		t.Errorf("the receiver got %d requests, want 3 for created and 1 for event", n)
	}
	// The function ran for each request that reached it, and succeeded once
	// per event.
	evs := srv.Events()
	if r0, r1 := rc.runs(evs[0].ID), rc.runs(evs[1].ID); r0 != 3 || r1 != 1 {
		t.Errorf("the function ran %d times for created and %d for event, want 3 and 1", r0, r1)
	}
	if seen := rc.seen(); len(seen) != 2 {
		t.Errorf("the function succeeded for %v, want each event once", seen)
	}
}

func TestDeliveryFailsWhenTheScheduleRunsOut(t *testing.T) {
	rc := newReceiver(t)
	rc.fail = func(*webhook.Event) error { return errors.New("always") }
	var logs bytes.Buffer
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret),
		straddletest.WithWebhookRetries(time.Millisecond, time.Millisecond),
		straddletest.WithLogger(slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))))
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	for _, d := range srv.Deliveries() {
		if d.State != straddletest.DeliveryFailed || len(d.Attempts) != 3 || !d.NextAttempt.IsZero() {
			t.Errorf("%s: %s after %d attempts", d.EventType, d.State, len(d.Attempts))
		}
	}
	if !strings.Contains(logs.String(), "webhook delivery failed") {
		t.Errorf("no warning logged:\n%s", logs.String())
	}
	if n := rc.requests(); n != 6 {
		t.Errorf("%d requests, want 3 per event", n)
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestNoRetriesMeansOneAttempt(t *testing.T) {
	rc := newReceiver(t)
	rc.fail = func(*webhook.Event) error { return errors.New("no") }
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret), straddletest.WithWebhookRetries())
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	for _, d := range srv.Deliveries() {
		if d.State != straddletest.DeliveryFailed || len(d.Attempts) != 1 {
			t.Errorf("%s after %d attempts", d.State, len(d.Attempts))
		}
	}
}

func TestDeliveryTimesOut(t *testing.T) {
	rc := newReceiver(t)
	release := make(chan struct{})
	defer close(release)
	rc.before = func(r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret),
		straddletest.WithWebhookRetries(), straddletest.WithWebhookTimeout(50*time.Millisecond))
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	for _, d := range srv.Deliveries() {
		a := d.Attempts
		if d.State != straddletest.DeliveryFailed || len(a) != 1 || a[0].Status != 0 || !errors.Is(a[0].Err, context.DeadlineExceeded) {
			t.Errorf("%s: %+v", d.State, a)
		}
	}
}

func TestDeliveryDoesNotFollowRedirects(t *testing.T) {
	rc := newReceiver(t)
	moved := httptest.NewServer(http.RedirectHandler(rc.URL, http.StatusTemporaryRedirect))
	defer moved.Close()
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(moved.URL, rc.Secret), straddletest.WithWebhookRetries())
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	for _, d := range srv.Deliveries() {
		if d.State != straddletest.DeliveryFailed || d.Attempts[0].Status != http.StatusTemporaryRedirect {
			t.Errorf("%s: %+v", d.State, d.Attempts)
		}
	}
	if n := rc.requests(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

// A request never waits for a delivery: with the endpoint stuck on the
// first event, every create still answers, and the events arrive in order
// once the endpoint recovers.
func TestDeliveriesNeverBlockRequests(t *testing.T) {
	rc := newReceiver(t)
	stuck, release := make(chan struct{}, 1), make(chan struct{})
	rc.before = func(*http.Request) {
		select {
		case stuck <- struct{}{}:
		default:
		}
		<-release
	}
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret), fast)
	c := newClient(t, srv, true)
	c.create(minimal(t, "first@example.com"))
	<-stuck // the first delivery is being attempted, and will not be answered
	for i := range 5 {
		c.create(minimal(t, fmt.Sprintf("c%d@example.com", i)))
	}
	if n := rc.requests(); n != 1 {
		t.Errorf("%d requests reached the endpoint while it was stuck, want 1 (one worker)", n)
	}
	close(release)
	wait(t, srv)
	var want []string
	for _, ev := range srv.Events() {
		want = append(want, ev.ID)
	}
	var got []string
	for _, ev := range rc.events() {
		got = append(got, ev.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("processed %d events out of order or incomplete, want %d in order", len(got), len(want))
	}
}

func TestSeveralEndpointsAndWorkers(t *testing.T) {
	a, b := newReceiver(t), newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(a.URL, a.Secret),
		straddletest.WithWebhook(b.URL, b.Secret), straddletest.WithWebhookWorkers(4), fast)
	// b's deliveries fail once each before they reach it; a's go through.
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookFailBefore, Endpoint: b.URL, Times: 6})
	c := newClient(t, srv, true)
	for i := range 3 {
		c.create(minimal(t, fmt.Sprintf("c%d@example.com", i)))
	}
	wait(t, srv)
	if len(a.seen()) != 6 || len(b.seen()) != 6 {
		t.Errorf("a processed %d, b %d, want 6 each", len(a.seen()), len(b.seen()))
	}
	attempts := map[string]int{}
	for _, d := range srv.Deliveries() {
		attempts[d.Endpoint] += len(d.Attempts)
		if d.State != straddletest.DeliverySucceeded {
			t.Errorf("%s: %s", d.Endpoint, d.State)
		}
	}
	// Six failed attempts at b, whichever deliveries took them.
	if attempts[a.URL] != 6 || attempts[b.URL] != 12 || a.requests() != 6 || b.requests() != 6 {
		t.Errorf("attempts %v; requests a %d, b %d", attempts, a.requests(), b.requests())
	}
}

func TestWebhookFaultBadSignature(t *testing.T) {
	rc := newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret), fast)
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookBadSignature, EventType: webhook.CustomerCreatedV1})
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	if r := rc.refusals(); len(r) != 1 || !errors.Is(r[0], webhook.ErrNoMatchingSignature) {
		t.Errorf("the handler refused %v, want one bad signature", r)
	}
	// The refused event comes again after a retry, behind the next event.
	if seen := rc.seen(); !slices.Equal(seen, []step{changed("review"), created("review")}) {
		t.Errorf("processed %v", seen)
	}
	a := srv.Deliveries()[0].Attempts
	if len(a) != 2 || a[0].Status != http.StatusBadRequest || a[0].Fault != straddletest.WebhookBadSignature || !a[1].Succeeded() {
		t.Errorf("attempts %+v", a)
	}
}

func TestWebhookFaultOutOfOrder(t *testing.T) {
	rc := newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret),
		straddletest.WithAsyncReviews(0), fast)
	c := newClient(t, srv, true)
	thin := c.create(minimal(t, "thin@example.com"))
	wait(t, srv)
	// The refresh's pending event is held back until the settled one has gone.
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookOutOfOrder})
	c.do("PUT", "/v1/customers/"+thin.ID+"/refresh_review", nil).want(t, http.StatusAccepted)
	wait(t, srv) // returns with the event held
	if d := srv.Deliveries()[2]; d.State != straddletest.DeliveryHeld || len(d.Attempts) != 0 {
		t.Fatalf("the refresh's delivery: %+v", d)
	}
	srv.SettleCustomer("", thin.ID)
	wait(t, srv)
	want := []step{created("review"), changed("review"), changed("review"), changed("pending")}
	if seen := rc.seen(); !slices.Equal(seen, want) {
		t.Errorf("processed %v, want %v", seen, want)
	}
	for _, d := range srv.Deliveries() {
		if d.State != straddletest.DeliverySucceeded {
			t.Errorf("%+v", d)
		}
	}
}

func TestWebhookFaultsMatchAndQueue(t *testing.T) {
	rc := newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret), fast)
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate, EventType: webhook.CustomerEventV1, Times: 2})
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookFailBefore, Endpoint: rc.URL})
	if n := srv.PendingWebhookFaults(); n != 3 {
		t.Errorf("PendingWebhookFaults %d, want 3", n)
	}
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	ds := srv.Deliveries()
	// created takes the endpoint fault; event the first duplicate.
	if a := ds[0].Attempts; len(a) != 2 || a[0].Fault != straddletest.WebhookFailBefore {
		t.Errorf("created: %+v", a)
	}
	if a := ds[1].Attempts; len(a) != 2 || a[0].Fault != straddletest.WebhookDuplicate {
		t.Errorf("event: %+v", a)
	}
	if n := srv.PendingWebhookFaults(); n != 1 {
		t.Errorf("PendingWebhookFaults %d, want 1", n)
	}
	srv.ClearWebhookFaults()
	if n := srv.PendingWebhookFaults(); n != 0 {
		t.Errorf("after ClearWebhookFaults: %d", n)
	}
}

func TestInjectWebhookRefusesFaultsThatCannotApply(t *testing.T) {
	rc := newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret))
	bare := straddletest.NewServer(straddletest.WithT(t))
	for name, tc := range map[string]struct {
		srv  *straddletest.Server
		f    straddletest.WebhookFault
		want string
	}{
		"unknown kind":       {srv, straddletest.WebhookFault{Kind: 99}, "unknown fault kind"},
		"no kind":            {srv, straddletest.WebhookFault{}, "unknown fault kind"},
		"negative times":     {srv, straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate, Times: -1}, "negative"},
		"unknown event type": {srv, straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate, EventType: "customer.event_v1"}, "no event type"},
		"unknown endpoint":   {srv, straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate, Endpoint: rc.URL + "/"}, "no WithWebhook"},
		"no endpoint":        {bare, straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate}, "no endpoint"},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), tc.want) {
					t.Errorf("panic %v, want one saying %q", v, tc.want)
				}
			}()
			tc.srv.InjectWebhook(tc.f)
		})
	}
	if n := srv.PendingWebhookFaults(); n != 0 {
		t.Errorf("%d faults queued", n)
	}
}

func TestWebhookOptionsRefuseBadSettings(t *testing.T) {
	secret := newSecret()
	for name, tc := range map[string]struct {
		opt  straddletest.Option
		want string
	}{
		"relative URL":    {straddletest.WithWebhook("/hooks", secret), "absolute http or https"},
		"other scheme":    {straddletest.WithWebhook("ftp://127.0.0.1/hooks", secret), "absolute http or https"},
		"no host":         {straddletest.WithWebhook("http:///hooks", secret), "absolute http or https"},
		"empty secret":    {straddletest.WithWebhook("http://127.0.0.1/", ""), "secret 0: empty"},
		"bad secret":      {straddletest.WithWebhook("http://127.0.0.1/", secret+"!"), "not whsec_ followed by standard base64"},
		"spaced secret":   {straddletest.WithWebhook("http://127.0.0.1/", secret+"\n"), "white space"},
		"negative retry":  {straddletest.WithWebhookRetries(time.Second, -time.Second), "delay 2 is negative"},
		"zero timeout":    {straddletest.WithWebhookTimeout(0), "must be positive"},
		"no workers":      {straddletest.WithWebhookWorkers(0), "must be positive"},
		"negative settle": {straddletest.WithAsyncReviews(-time.Second), "must not be negative"},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				v := recover()
				msg := fmt.Sprint(v)
				if v == nil || !strings.Contains(msg, tc.want) {
					t.Errorf("panic %v, want one saying %q", v, tc.want)
				}
				if strings.Contains(msg, strings.TrimPrefix(secret, "whsec_")) {
					t.Errorf("the error quotes the secret: %s", msg)
				}
			}()
			straddletest.NewUnstartedServer(tc.opt)
		})
	}
}

func TestCloseCancelsDeliveries(t *testing.T) {
	rc := newReceiver(t)
	stuck := make(chan struct{}, 1)
	rc.before = func(r *http.Request) {
		select {
		case stuck <- struct{}{}:
		default:
		}
		<-r.Context().Done() // never answers; the sender gives up
	}
	srv := straddletest.NewServer(straddletest.WithWebhook(rc.URL, rc.Secret)) // the default schedule: hours
	c := newClient(t, srv, true)
	c.create(minimal(t, "a@example.com"))
	<-stuck
	srv.Close() // cancels the attempt and drops the rest; leakcheck sees no worker left
	for _, d := range srv.Deliveries() {
		if d.State != straddletest.DeliveryDropped {
			t.Errorf("%s after Close: %s", d.EventType, d.State)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.WaitForDeliveries(ctx); err != nil {
		t.Errorf("WaitForDeliveries after Close: %v", err)
	}
}

func TestWaitForDeliveriesHonoursTheContext(t *testing.T) {
	rc := newReceiver(t)
	rc.fail = func(*webhook.Event) error { return errors.New("no") }
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret)) // next retry in 5 s
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	for deadline := time.Now().Add(10 * time.Second); srv.Deliveries()[0].NextAttempt.IsZero(); {
		if time.Now().After(deadline) {
			t.Fatalf("the first attempt never failed: %+v", srv.Deliveries()[0])
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := srv.WaitForDeliveries(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "still pending") {
		t.Errorf("WaitForDeliveries = %v", err)
	}
	if d := srv.Deliveries()[0]; d.State != straddletest.DeliveryPending || len(d.Attempts) != 1 {
		t.Errorf("waiting for a retry: %+v", d)
	}
}

func TestDeliveriesWithoutRecording(t *testing.T) {
	rc := newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret), straddletest.WithRecording(false))
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	if len(rc.seen()) != 2 || len(srv.Events()) != 0 || len(srv.Deliveries()) != 0 {
		t.Errorf("processed %d, recorded %d events and %d deliveries", len(rc.seen()), len(srv.Events()), len(srv.Deliveries()))
	}
}

// The endpoint's secret never reaches a log, an error, or what the server
// and its records print.
func TestWebhookSecretNeverLeaks(t *testing.T) {
	rc := newReceiver(t)
	key := strings.TrimPrefix(rc.Secret, "whsec_")
	var logs bytes.Buffer
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret), fast,
		straddletest.WithLogger(slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookBadSignature})
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookFailAfter})
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	var out strings.Builder
	fmt.Fprintf(&out, "%v %+v %#v %+v %#v", srv, srv, srv, srv.Deliveries(), srv.Events())
	for _, d := range srv.Deliveries() {
		for _, a := range d.Attempts {
			if a.Err != nil {
				out.WriteString(a.Err.Error())
			}
		}
	}
	out.Write(logs.Bytes())
	if !strings.Contains(logs.String(), "webhook attempt") {
		t.Fatalf("no attempt logged:\n%s", logs.String())
	}
	for _, s := range []string{rc.Secret, key, key[:16]} {
		if strings.Contains(out.String(), s) {
			t.Errorf("the secret shows in what the server prints or logs")
		}
	}
}

// A hostile endpoint cannot hold a worker or fill memory: an endless answer
// is read up to a limit and the connection closed; oversized headers fail
// the attempt.
func TestHostileEndpoints(t *testing.T) {
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("x"), 32<<10)
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer endless.Close()
	bigHeaders := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 200 {
			w.Header().Set(fmt.Sprintf("X-Filler-%d", i), strings.Repeat("y", 1000))
		}
	}))
	defer bigHeaders.Close()
	secret := newSecret()
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhookRetries(),
		straddletest.WithWebhook(endless.URL, secret), straddletest.WithWebhook(bigHeaders.URL, secret))
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	for _, d := range srv.Deliveries() {
		a := d.Attempts[0]
		switch d.Endpoint {
		case endless.URL:
			if d.State != straddletest.DeliverySucceeded || a.Status != 200 {
				t.Errorf("endless answer: %s %+v", d.State, a)
			}
		case bigHeaders.URL:
			if d.State != straddletest.DeliveryFailed || a.Err == nil || !strings.Contains(a.Err.Error(), "header") {
				t.Errorf("oversized headers: %s %+v", d.State, a)
			}
		}
	}
}

// An event goes out only once the request that raised it is stored: a
// receiver that repeats the request as soon as the event arrives gets the
// replay, never the in-progress 409.
func TestEventsFollowTheStoredResponse(t *testing.T) {
	rc := newReceiver(t)
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL, rc.Secret), fast)
	c := newClient(t, srv, true)
	statuses := make(chan int, 10)
	rc.before = func(r *http.Request) {
		res, err := c.send("POST", "/v1/customers", minimal(t, "again@example.com"), "Idempotency-Key", "events-after-store-1")
		if err != nil {
			t.Error(err)
			return
		}
		statuses <- res.status
		if res.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("the repeat during the event's delivery: %d %s, want the replay", res.status, res.body)
		}
	}
	c.create(minimal(t, "again@example.com"), "Idempotency-Key", "events-after-store-1")
	wait(t, srv)
	if len(statuses) != 2 {
		t.Errorf("%d repeats, want one per event", len(statuses))
	}
}

// An endpoint's URL is logged as scheme, host and path: a token in its query
// (or user information) never shows in a log, an attempt's error or a panic.
func TestWebhookURLTokensNeverLeak(t *testing.T) {
	const token = "tok_SENTINEL0123456789"
	rc := newReceiver(t)
	// A port nothing listens on: its attempts fail with the client's error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://user:" + token + "@" + ln.Addr().String() + "/down?token=" + token
	ln.Close()
	var logs bytes.Buffer
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(rc.URL+"?token="+token, rc.Secret),
		straddletest.WithWebhook(down, rc.Secret), straddletest.WithWebhookRetries(),
		straddletest.WithLogger(slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	newClient(t, srv, true).create(minimal(t, "a@example.com"))
	wait(t, srv)
	var out strings.Builder
	out.Write(logs.Bytes())
	for _, d := range srv.Deliveries() {
		for _, a := range d.Attempts {
			if a.Err != nil {
				out.WriteString(a.Err.Error())
			}
		}
	}
	func() {
		defer func() { fmt.Fprint(&out, recover()) }()
		srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate, Endpoint: rc.URL + "?token=" + token + "x"})
	}()
	if strings.Contains(out.String(), token) {
		t.Errorf("the token shows:\n%s", out.String())
	}
	for _, want := range []string{"endpoint=" + rc.URL + " ", "endpoint=http://" + ln.Addr().String() + "/down ", "webhook delivery failed", "no WithWebhook registered the endpoint " + rc.URL} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lacks %q:\n%s", want, out.String())
		}
	}
}
