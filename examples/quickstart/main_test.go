package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

func TestQuickstartWalksTheLifecycle(t *testing.T) {
	events, err := listenForEvents()
	if err != nil {
		t.Fatal(err)
	}
	defer events.Close()
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithWebhook(events.URL, events.Secret))
	var out strings.Builder
	if err := run(context.Background(), &out, srv.Client(), events); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	text := out.String()
	for i := 1; i <= 12; i++ {
		if !strings.Contains(text, fmt.Sprintf("\n%d. ", i)) && !strings.HasPrefix(text, fmt.Sprintf("%d. ", i)) {
			t.Errorf("step %d not reported:\n%s", i, text)
		}
	}
	for _, must := range []string{"ssn ***-**-****", "ssn [REDACTED]", "status review", "decided: status verified", "get now says not found",
		"webhook handler received customer.created.v1 for " + srv.Events()[0].CustomerID + " (status verified) and customer.event.v1 with the edited phone +12128675310"} {
		if !strings.Contains(text, must) {
			t.Errorf("output lacks %q:\n%s", must, text)
		}
	}
	for _, pii := range []string{"123-45-6789", "1969-04-20", "192.0.2.10", "12-3456789"} {
		if strings.Contains(text, pii) {
			t.Errorf("output shows %q", pii)
		}
	}
	if n := srv.CustomerCount(srv.AccountID(srv.APIKey())); n != 0 {
		t.Errorf("%d customers left behind", n)
	}
}

func TestQuickstartNamesTheFailingStepAndCleansUp(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultKeyReused, Match: straddletest.OpDecideCustomerReview})
	err := run(context.Background(), new(strings.Builder), srv.Client(), nil)
	var se *stepError
	if !errors.As(err, &se) || se.step != "decide the review" {
		t.Fatalf("run = %v, want the decision step to fail", err)
	}
	if !straddle.IsIdempotencyKeyReused(err) {
		t.Errorf("the step error lost the API error: %v", err)
	}
	if n := srv.CustomerCount(srv.AccountID(srv.APIKey())); n != 0 {
		t.Errorf("%d customers left behind after a failure", n)
	}
}

// Without an endpoint the emulator can reach (the real sandbox), the
// webhook step says it is skipped.
func TestQuickstartSkipsWebhooksWithoutAnEndpoint(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	var out strings.Builder
	if err := run(context.Background(), &out, srv.Client(), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "12. webhooks: skipped") {
		t.Errorf("output:\n%s", out.String())
	}
}
