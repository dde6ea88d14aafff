package readme_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// customerStatuses is the code under test: what your webhook endpoint does
// with Straddle's events. It keeps each customer's latest state (events can
// come out of order, so never an older one over a newer one).
type customerStatuses struct {
	mu     sync.Mutex
	latest map[string]*straddle.Customer
}

func (s *customerStatuses) apply(_ context.Context, ev *webhook.Event) error {
	if ev.Customer == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.latest[ev.Customer.ID]; cur == nil || !ev.Customer.UpdatedAt.Before(cur.UpdatedAt) {
		s.latest[ev.Customer.ID] = ev.Customer
	}
	return nil
}

func (s *customerStatuses) of(id string) straddle.CustomerStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.latest[id]; c != nil {
		return c.Status
	}
	return ""
}

func TestEndpointLearnsTheReviewOutcome(t *testing.T) {
	// Your endpoint, on a loopback port, with a secret of the test's own.
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	statuses := &customerStatuses{latest: map[string]*straddle.Customer{}}
	verifier, err := webhook.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	handler, err := webhook.NewHandler(verifier, statuses.apply)
	if err != nil {
		t.Fatal(err)
	}
	endpoint := httptest.NewServer(handler)
	t.Cleanup(endpoint.Close)

	// The emulator signs and delivers every event to it; background reviews
	// stay pending until the test settles them.
	srv := straddletest.NewServer(straddletest.WithT(t),
		straddletest.WithWebhook(endpoint.URL, secret),
		straddletest.WithAsyncReviews(0),
		straddletest.WithWebhookRetries(10*time.Millisecond, 100*time.Millisecond))
	ctx := context.Background()

	// Deliveries go wrong as they do in production: the first is processed
	// but its answer is lost, so it comes again; the next comes twice.
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookFailAfter})
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate})

	c, err := srv.Client().Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name: "Leslie Knope", Type: straddle.CustomerTypeIndividual,
		Email: "leslie@example.com", Phone: "+13175550142",
		IPAddress: straddle.NewIPAddress("203.0.113.42"),
		Individual: &straddle.IndividualIdentity{
			SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18"),
		},
		Config: &straddle.Config{ProcessingMethod: straddle.ProcessingMethodBackground},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitForDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	if got := statuses.of(c.ID); got != straddle.CustomerStatusPending {
		t.Errorf("before the checks finish the endpoint knows %q, want pending", got)
	}

	srv.Settle() // the identity checks finish: customer.event.v1 says verified
	if err := srv.WaitForDeliveries(ctx); err != nil {
		t.Fatal(err)
	}
	if got := statuses.of(c.ID); got != straddle.CustomerStatusVerified {
		t.Errorf("after the checks the endpoint knows %q, want verified", got)
	}
}
