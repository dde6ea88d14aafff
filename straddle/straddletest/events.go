package straddletest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// Event is an event the server raised, as its endpoints receive it. The
// server raises them as the service does:
//
//   - a create raises customer.created.v1 and then customer.event.v1, both
//     with the customer as created (pending, for a background review);
//   - an update, a review decision and a refresh_review (the customer now
//     pending) each raise customer.event.v1;
//   - a background review settling (see WithAsyncReviews) raises
//     customer.event.v1 with the outcome;
//   - a delete raises nothing: the contract describes no event for it, and
//     customer.event.v1 announces a customer that still exists.
//
// Seeding raises nothing. A request's events are raised once its response
// is stored, so a receiver that repeats the request (with its idempotency
// key) as an event arrives gets the replay.
//
// Order. Events records the events, and every endpoint queues them, in one
// order: the order they were raised. A request's own events keep their
// order (customer.created.v1 first). Writes that do not overlap in time
// raise their events in the order of the writes; but a write raises its
// events after it is stored, holding no lock on the customer, so two
// writes to one customer at once (or a write and a review settling) may
// raise theirs in the other order, and the last event about a customer
// need not show what is stored. Straddle itself promises only best-effort
// order: a receiver keeps the newest state by updated_at, or reads the
// customer. With one worker (the default) an endpoint receives its events
// in the order raised, unless a retry or a WebhookFault reorders them.
type Event struct {
	// Type is the event_type.
	Type webhook.EventType
	// ID is the event_id: new for every event, the same in every delivery
	// of it, to every endpoint.
	ID string
	// MessageID is the webhook-id header of its deliveries: new for every
	// event, the same across retries and duplicates.
	MessageID string
	// AccountID is the account the customer belongs to.
	AccountID string
	// CustomerID and Status are the customer's id and status in the payload.
	CustomerID string
	Status     straddle.CustomerStatus
	// Operation is the operation whose request raised the event, or "" for
	// a review the server settled (Settle, SettleCustomer, or the delay of
	// WithAsyncReviews).
	Operation Operation
	// Time is when it was raised, by the server's clock.
	Time time.Time
	// Payload is the body delivered: {event_type, event_id, account_id,
	// data} with data the masked customer (the flat compliance profile of
	// the spec's CustomerEvent, no config). webhook.DecodeEvent decodes it.
	Payload []byte
}

// maxRecordedEvents is how many events Events keeps, the latest.
const maxRecordedEvents = 10000

// Events returns the events raised, in the order raised (see Event for what
// that order promises): the latest 10,000 at most. With
// WithRecording(false) none are kept (they are still delivered).
func (s *Server) Events() []Event {
	n := s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Event, 0, len(n.records))
	for _, r := range n.records {
		out = append(out, *r.event)
	}
	return out
}

// ClearEvents forgets the events raised so far and their deliveries (as
// Deliveries shows them); deliveries under way go on.
func (s *Server) ClearEvents() {
	n := s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	n.records = nil
}

// eventRecord is an event and its deliveries, one per endpoint.
type eventRecord struct {
	event      *Event
	deliveries []*Delivery
}

// The wire shape of an event. Every key of the compliance profile is
// written, masked or null, as the spec's EventComplianceProfile has it.
type eventOut struct {
	EventType webhook.EventType `json:"event_type"`
	EventID   string            `json:"event_id"`
	AccountID string            `json:"account_id"`
	Data      eventCustomer     `json:"data"`
}

type eventCustomer struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Status            string            `json:"status"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	ExternalID        *string           `json:"external_id"`
	Address           *address          `json:"address"`
	ComplianceProfile *eventProfile     `json:"compliance_profile"`
	Device            deviceInput       `json:"device"`
	Metadata          map[string]string `json:"metadata"`
}

type eventProfile struct {
	SSN               *string `json:"ssn"`
	DOB               *string `json:"dob"`
	EIN               *string `json:"ein"`
	LegalBusinessName *string `json:"legal_business_name"`
	Website           *string `json:"website"`
}

// eventView renders c as events carry it: masked, with the flat profile and
// no config. The device is always there, masked: the service has one for
// every customer (create requires it), and its masked form says nothing of
// the address, so a seeded customer without one is shown the same way.
func eventView(c *customer) eventCustomer {
	out := eventCustomer{
		ID: c.id, Name: c.name, Type: c.typ, Email: c.email, Phone: c.phone, Status: c.status,
		CreatedAt: formatTime(c.createdAt), UpdatedAt: formatTime(c.updatedAt),
		ExternalID: c.externalID, Address: c.address, Metadata: c.metadata,
		Device: deviceInput{IPAddress: maskedIP},
	}
	switch {
	case c.individual != nil:
		out.ComplianceProfile = &eventProfile{SSN: mask(c.individual.SSN, maskedSSN), DOB: mask(c.individual.DOB, maskedDOB)}
	case c.business != nil:
		p := c.business
		out.ComplianceProfile = &eventProfile{EIN: mask(p.EIN, maskedEIN), LegalBusinessName: p.LegalBusinessName, Website: p.Website}
	}
	return out
}

// emit raises one event of each type about cust, as it is now. Raised by
// the request c, they are published (publish) once its work is stored, so
// that building them never holds up its idempotency key; with c nil, at
// once.
func (s *Server) emit(c *call, cust *customer, types ...webhook.EventType) {
	if !s.notify.active() {
		return
	}
	if c != nil {
		c.raised = append(c.raised, raised{cust, types})
		return
	}
	s.notify.publish(s.buildEvents(s.cfg.clock(), "", cust, types))
}

// raised is an emit waiting for its request's work to be stored.
type raised struct {
	cust  *customer
	types []webhook.EventType
}

// publish publishes the events the request c raised, in order, then runs
// what was to follow them.
func (s *Server) publish(c *call) {
	for _, r := range c.raised {
		s.notify.publish(s.buildEvents(c.now, c.op, r.cust, r.types))
	}
	for _, f := range c.then {
		f()
	}
	c.raised, c.then = nil, nil
}

// buildEvents builds one event of each type about cust, checking each
// payload against the spec.
func (s *Server) buildEvents(now time.Time, op Operation, cust *customer, types []webhook.EventType) []*Event {
	data := eventView(cust)
	events := make([]*Event, 0, len(types))
	for _, typ := range types {
		ev := &Event{
			Type: typ, ID: newID(now), MessageID: newMessageID(), AccountID: cust.account,
			CustomerID: cust.id, Status: straddle.CustomerStatus(cust.status), Operation: op, Time: now,
		}
		ev.Payload = encodeEvent(eventOut{EventType: typ, EventID: ev.ID, AccountID: cust.account, Data: data})
		if s.cfg.validate {
			if err := contract.ValidateEvent(ev.Payload); err != nil {
				s.report(fmt.Sprintf("event %s about customer %s", typ, cust.id), err)
			}
		}
		events = append(events, ev)
	}
	return events
}

func encodeEvent(v eventOut) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("straddletest: encode event: %v", err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// newMessageID returns a message id in the sender's form: "msg_" and 27
// random base62 characters.
func newMessageID() string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [27]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "msg_" + string(b[:])
}

// publish records events in order and queues their deliveries. The lock is
// held across both, so that every endpoint's queue has events in the order
// Events shows them.
func (n *notifier) publish(events []*Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, ev := range events {
		rec := &eventRecord{event: ev}
		for _, e := range n.endpoints {
			d := &Delivery{Endpoint: e.url, EventID: ev.ID, EventType: ev.Type, MessageID: ev.MessageID, State: DeliveryPending}
			rec.deliveries = append(rec.deliveries, d)
			e.enqueue(&message{event: ev, record: d})
		}
		if n.record {
			n.records = append(n.records, rec)
			if len(n.records) > maxRecordedEvents {
				n.records[0] = nil // let go of its payload now
				n.records = n.records[1:]
			}
		}
	}
}
