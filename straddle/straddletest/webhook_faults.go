package straddletest

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// WebhookFaultKind is a way for a webhook delivery to go wrong, as it does
// between Straddle's sender and an endpoint: what a receiver must survive.
type WebhookFaultKind int

// The faults InjectWebhook can make.
const (
	// WebhookDuplicate sends the attempt twice in a row, the same message
	// (webhook-id and event_id) signed afresh, as a sender that lost the
	// first answer does; the second answer decides the attempt.
	WebhookDuplicate WebhookFaultKind = iota + 1
	// WebhookOutOfOrder holds the delivery back until the endpoint's next
	// event has been attempted, so it arrives after an event raised after
	// it. A delivery is held back once at most.
	WebhookOutOfOrder
	// WebhookBadSignature signs the attempt with a key that is not the
	// endpoint's secret, as a forger would. The receiver should refuse it
	// (4xx); the sender retries on its schedule, signed properly.
	WebhookBadSignature
	// WebhookFailBefore fails the attempt before it reaches the endpoint,
	// as a refused connection does: the receiver sees nothing, and the
	// sender retries. With Times n, the endpoint is down for n attempts.
	WebhookFailBefore
	// WebhookFailAfter sends the attempt but fails it whatever the answer,
	// as an answer that came too late: the receiver has processed the
	// event, and the sender delivers it again.
	WebhookFailAfter
)

var webhookFaultNames = map[WebhookFaultKind]string{
	WebhookDuplicate: "duplicate", WebhookOutOfOrder: "out-of-order", WebhookBadSignature: "bad-signature",
	WebhookFailBefore: "fail-before", WebhookFailAfter: "fail-after",
}

// String names the kind.
func (k WebhookFaultKind) String() string {
	if n, ok := webhookFaultNames[k]; ok {
		return n
	}
	return "WebhookFaultKind(" + strconv.Itoa(int(k)) + ")"
}

// WebhookFault makes the next matching delivery attempts go wrong.
type WebhookFault struct {
	Kind WebhookFaultKind
	// EventType selects the events (webhook.CustomerCreatedV1,
	// webhook.CustomerEventV1); empty matches every event.
	EventType webhook.EventType
	// Endpoint selects the endpoint by its URL as given to WithWebhook;
	// empty matches every endpoint.
	Endpoint string
	// Times is how many attempts the fault takes; 0 means 1.
	Times int
}

// InjectWebhook queues a webhook fault. Each attempt of a delivery, first or
// retry, takes the first queued fault that matches its event type and
// endpoint (a delivery held back once takes no WebhookOutOfOrder). It
// panics on a fault that cannot apply: an unknown kind, a negative Times,
// an event type the spec does not describe, an endpoint no WithWebhook
// registered, or a server without endpoints.
func (s *Server) InjectWebhook(f WebhookFault) {
	if err := s.checkWebhookFault(&f); err != nil {
		panic("straddletest: InjectWebhook: " + err.Error())
	}
	s.notify.faults.push(&f)
}

// ClearWebhookFaults drops every queued webhook fault.
func (s *Server) ClearWebhookFaults() { s.notify.faults.clear() }

// PendingWebhookFaults returns how many injected webhook faults have not
// happened yet.
func (s *Server) PendingWebhookFaults() int { return s.notify.faults.pending() }

func (s *Server) checkWebhookFault(f *WebhookFault) error {
	if _, ok := webhookFaultNames[f.Kind]; !ok {
		return fmt.Errorf("unknown fault kind %d", int(f.Kind))
	}
	if f.Times < 0 {
		return fmt.Errorf("negative Times")
	}
	if len(s.notify.endpoints) == 0 {
		return fmt.Errorf("no endpoint to deliver to (WithWebhook)")
	}
	if f.EventType != "" {
		types, err := contract.EventTypes()
		if err != nil {
			return err
		}
		if !slices.Contains(types, string(f.EventType)) {
			return fmt.Errorf("the spec describes no event type %q (it has %v)", f.EventType, types)
		}
	}
	if f.Endpoint != "" && !slices.ContainsFunc(s.notify.endpoints, func(e *endpoint) bool { return e.url == f.Endpoint }) {
		shown := "(not a URL)"
		if u, err := url.Parse(f.Endpoint); err == nil {
			shown = shownURL(u)
		}
		return fmt.Errorf("no WithWebhook registered the endpoint %s", shown)
	}
	if f.Times == 0 {
		f.Times = 1
	}
	return nil
}

// webhookFaults holds injected webhook faults with the attempts each has left.
type webhookFaults struct {
	mu     sync.Mutex
	faults []*WebhookFault
}

func (q *webhookFaults) push(f *WebhookFault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = append(q.faults, f)
}

func (q *webhookFaults) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = nil
}

func (q *webhookFaults) pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, f := range q.faults {
		n += f.Times
	}
	return n
}

// take consumes one attempt of the first fault matching an attempt of an
// event of type typ to the endpoint at url, and returns its kind, or 0.
// mayHold is false for a delivery already held back once.
func (q *webhookFaults) take(typ webhook.EventType, url string, mayHold bool) WebhookFaultKind {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.faults {
		if (f.EventType != "" && f.EventType != typ) || (f.Endpoint != "" && f.Endpoint != url) ||
			(f.Kind == WebhookOutOfOrder && !mayHold) {
			continue
		}
		if f.Times--; f.Times == 0 {
			q.faults = slices.Delete(q.faults, i, i+1)
		}
		return f.Kind
	}
	return 0
}
