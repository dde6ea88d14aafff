package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestWebhooksExampleWalksARefreshThroughItsEvents(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out strings.Builder
	if err := run(ctx, &out, 20*time.Millisecond); err != nil {
		t.Fatalf("run: %v\noutput:\n%s", err, out.String())
	}
	text := out.String()
	for _, want := range []string{
		"1. receiver listening at http://127.0.0.1:",
		"3. created ", ": status review",
		"received customer.created.v1: status review",
		"received customer.event.v1: status review",
		"4. updated the identity data; received customer.event.v1: status review",
		"5. refresh answered pending",
		"received customer.event.v1: status pending",
		"received customer.event.v1: status verified",
		"6. the refresh completed: status verified, as a read confirms (6 deliveries sent, 5 events processed; customer.event.v1 pending sent twice)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	for _, pii := range []string{"123-45-6789", "1988-06-10", "192.0.2.30", "whsec_"} {
		if strings.Contains(text, pii) {
			t.Errorf("output shows %q", pii)
		}
	}
}

// A run whose outcome never comes stops with its context, saying which wait
// it was in.
func TestWebhooksExampleStopsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The review never settles; the context ends once the refresh answered.
	out := &cancelOn{text: "5. refresh answered", cancel: cancel}
	err := run(ctx, out, time.Hour)
	if err == nil || !strings.Contains(err.Error(), "waiting for an event") {
		t.Errorf("run = %v, want it stopped waiting for the outcome", err)
	}
}

// cancelOn is an output that calls cancel once text has been written.
type cancelOn struct {
	strings.Builder
	text   string
	cancel func()
}

func (c *cancelOn) Write(p []byte) (int, error) {
	n, err := c.Builder.Write(p)
	if strings.Contains(c.String(), c.text) {
		c.cancel()
	}
	return n, err
}
