package straddletest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// The test of a webhook receiver: the emulator raises the events the
// service would and delivers them, signed, to the receiver's real handler.
func ExampleWithWebhook() {
	// The code under test: a receiver built on straddle/webhook.
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	var mu sync.Mutex
	var seen []string
	verifier, _ := webhook.NewVerifier(secret)
	handler, _ := webhook.NewHandler(verifier, func(_ context.Context, ev *webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, fmt.Sprintf("%s %s", ev.Type, ev.Customer.Status))
		return nil
	})
	receiver := httptest.NewServer(handler)
	defer receiver.Close()

	srv := straddletest.NewServer(
		straddletest.WithWebhook(receiver.URL, secret),
		straddletest.WithAsyncReviews(0), // background reviews wait for Settle
		straddletest.WithWebhookRetries(10*time.Millisecond, 100*time.Millisecond),
	)
	defer srv.Close()
	ctx := context.Background()

	c, _ := srv.Client().Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name: "Leslie Knope", Type: straddle.CustomerTypeIndividual,
		Email: "leslie@example.com", Phone: "+13175550142",
		IPAddress: straddle.NewIPAddress("203.0.113.42"),
		Individual: &straddle.IndividualIdentity{
			SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18"),
		},
		Config: &straddle.Config{ProcessingMethod: straddle.ProcessingMethodBackground},
	})
	fmt.Println("created:", c.Status)

	srv.Settle() // the identity checks finish
	_ = srv.WaitForDeliveries(ctx)
	mu.Lock()
	defer mu.Unlock()
	for _, s := range seen {
		fmt.Println("received:", s)
	}
	// Output:
	// created: pending
	// received: customer.created.v1 pending
	// received: customer.event.v1 pending
	// received: customer.event.v1 verified
}

// Webhook faults make deliveries go wrong as they do between Straddle and
// an endpoint, so that a test can check its receiver copes.
func ExampleServer_InjectWebhook() {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	var processed atomic.Int32
	verifier, _ := webhook.NewVerifier(secret)
	handler, _ := webhook.NewHandler(verifier, func(context.Context, *webhook.Event) error {
		processed.Add(1)
		return nil
	})
	receiver := httptest.NewServer(handler)
	defer receiver.Close()
	srv := straddletest.NewServer(straddletest.WithWebhook(receiver.URL, secret),
		straddletest.WithWebhookRetries(10*time.Millisecond))
	defer srv.Close()

	// The endpoint is down for the first attempt, and the next event is
	// delivered twice.
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookFailBefore})
	srv.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate})
	ctx := context.Background()
	_, _ = srv.Client().Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name: "Ann Perkins", Type: straddle.CustomerTypeIndividual,
		Email: "ann@example.com", Phone: "+13175550177",
		IPAddress: straddle.NewIPAddress("203.0.113.7"),
	})
	_ = srv.WaitForDeliveries(ctx)
	for _, d := range srv.Deliveries() {
		fmt.Print(d.EventType, " ", d.State, ":")
		for _, a := range d.Attempts {
			fmt.Print(" ", a.Status)
			if a.Fault != 0 {
				fmt.Printf(" (%s)", a.Fault)
			}
		}
		fmt.Println()
	}
	fmt.Println("processed", processed.Load(), "events") // the handler de-duplicated
	// Output:
	// customer.created.v1 succeeded: 0 (fail-before) 200
	// customer.event.v1 succeeded: 200 (duplicate) 200 (duplicate)
	// processed 2 events
}

// With WithAsyncReviews, a background review leaves the customer pending
// until the test settles it; Events shows what was raised.
func ExampleServer_Settle() {
	srv := straddletest.NewServer(straddletest.WithAsyncReviews(0))
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	c, _ := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name: "Ann Perkins", Type: straddle.CustomerTypeIndividual,
		Email: "ann@example.com", Phone: "+13175550177",
		IPAddress: straddle.NewIPAddress("203.0.113.7"),
		Individual: &straddle.IndividualIdentity{
			SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1980-02-03"),
		},
	})
	_, _ = client.Customers.Review.Refresh(ctx, c.ID)
	now, _ := client.Customers.Get(ctx, c.ID)
	fmt.Println("while the review runs:", now.Status)

	fmt.Println("settled:", srv.Settle())
	now, _ = client.Customers.Get(ctx, c.ID)
	fmt.Println("then:", now.Status)
	for _, ev := range srv.Events() {
		fmt.Println(ev.Type, ev.Status, ev.Operation)
	}
	// Output:
	// while the review runs: pending
	// settled: 1
	// then: verified
	// customer.created.v1 verified createCustomer
	// customer.event.v1 verified createCustomer
	// customer.event.v1 pending refreshCustomerReview
	// customer.event.v1 verified
}
