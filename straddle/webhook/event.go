package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
)

// EventType names what an event announces. Straddle may add types; an
// Event of a type this package does not know still arrives, with its Raw
// body and no Customer.
type EventType string

// The customer event types.
const (
	// CustomerCreatedV1 is sent once per new customer, with the customer as
	// created (often still pending).
	CustomerCreatedV1 EventType = "customer.created.v1"
	// CustomerEventV1 is sent on every change to a customer, creation
	// included: status changes from identity checks, review decisions,
	// refreshed reviews, profile updates. It carries the whole customer as
	// it is now, not the change.
	CustomerEventV1 EventType = "customer.event.v1"
)

// Valid reports whether t is a type this package decodes.
func (t EventType) Valid() bool { return t == CustomerCreatedV1 || t == CustomerEventV1 }

// maxEventIDBytes bounds the event id, the de-duplication key: Straddle's
// are UUIDs, and a store of seen ids should not hold arbitrary strings.
const maxEventIDBytes = 255

// Event is one verified delivery. The same event (same ID) can be delivered
// more than once, a new customer is announced by two events (one of each
// type), and events can arrive out of order: compare Customer.UpdatedAt, or
// read the customer again, before acting on its status.
//
// An Event prints and logs its type, ids and the customer's id and status;
// it marshals to JSON as the event with the customer in the client's
// redacting form. Raw is the only exact copy of the body.
type Event struct {
	// Type names the event. It is never empty.
	Type EventType
	// ID is the event's id, the same on every delivery of this event: the
	// de-duplication key. It is never empty.
	ID string
	// AccountID is the Straddle account the event belongs to.
	AccountID string
	// Customer is the customer the event is about, masked and decoded as
	// the client's reads decode it, for the types this package knows
	// (Type.Valid). It is nil for other types.
	Customer *straddle.Customer
	// Raw is the body exactly as received (and verified): for event types
	// this package does not know, and for fields newer than it.
	Raw json.RawMessage
	// MessageID is the delivery's webhook-id (or svix-id) header, and
	// Timestamp its signing time. Both are zero for an Event from
	// DecodeEvent.
	MessageID string
	Timestamp time.Time
}

// ErrInvalidPayload is wrapped by every *DecodeError.
var ErrInvalidPayload = errors.New("invalid payload")

// DecodeError reports a verified body that is not an event this package can
// hand over. It names the field and the rule, never a value from the body.
type DecodeError struct {
	// Field is the JSON path of the offending field ("event_id",
	// "data.created_at"), or "" for the body as a whole.
	Field string
	// Reason says what is wrong.
	Reason string
}

// Error describes the fault without quoting the body.
func (e *DecodeError) Error() string {
	msg := "webhook: decode event: "
	if e.Field != "" {
		msg += e.Field + ": "
	}
	return msg + e.Reason
}

// Unwrap returns ErrInvalidPayload.
func (e *DecodeError) Unwrap() error { return ErrInvalidPayload }

// envelope is an event as the wire carries it, decoded in one
// json.Unmarshal, with room for the Event it becomes: one allocation holds
// the event and its customer.
type envelope struct {
	EventType string    `json:"event_type"`
	EventID   string    `json:"event_id"`
	AccountID string    `json:"account_id"`
	Data      eventData `json:"data"`

	event Event
}

// eventData decodes an event's data in place as the customer, whatever the
// event's type (which may come after data): DecodeEvent keeps the customer,
// or reports its error, only for the types it knows.
type eventData struct {
	kind     byte // the first byte of the value, 0 when data is absent
	customer straddle.Customer
	err      error
}

// UnmarshalJSON decodes an object with the client's customer decoder and
// keeps its error for DecodeEvent; it never fails, so that data an unknown
// type carries is no error.
func (d *eventData) UnmarshalJSON(b []byte) error {
	*d = eventData{kind: b[0]}
	if d.kind == '{' {
		d.err = d.customer.UnmarshalJSON(b)
	}
	return nil
}

// DecodeEvent decodes a webhook body without verifying it: use it only on
// bytes already verified (Verifier.VerifyEvent does both). It requires a
// JSON object with a non-empty event_type and event_id (at most 255 bytes);
// for the types this package knows, data must be a customer object with an
// id. Other types, unknown fields and values outside the documented enums
// are not errors. Errors are *DecodeError.
func DecodeEvent(body []byte) (*Event, error) { return decodeEvent(body, true) }

// decodeEvent is DecodeEvent, trying the envelope's usual form first when
// usual is set (envelope.go).
func decodeEvent(body []byte, usual bool) (*Event, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &DecodeError{Reason: "empty body"}
	}
	env := new(envelope)
	if !usual || !env.decodeUsual(body) {
		*env = envelope{}
		if err := json.Unmarshal(body, env); err != nil {
			return nil, jsonDecodeError("", err)
		}
	}
	switch {
	case env.EventType == "":
		return nil, &DecodeError{Field: "event_type", Reason: "missing or empty"}
	case env.EventID == "":
		return nil, &DecodeError{Field: "event_id", Reason: "missing or empty"}
	case len(env.EventID) > maxEventIDBytes:
		return nil, &DecodeError{Field: "event_id", Reason: "longer than " + strconv.Itoa(maxEventIDBytes) + " bytes"}
	}
	ev := &env.event
	*ev = Event{Type: EventType(env.EventType), ID: env.EventID, AccountID: env.AccountID, Raw: body}
	if !ev.Type.Valid() {
		env.Data = eventData{} // whatever it decoded is not a customer
		return ev, nil
	}
	switch d := &env.Data; {
	case d.kind != '{':
		return nil, &DecodeError{Field: "data", Reason: "not a customer object"}
	case d.err != nil:
		return nil, jsonDecodeError("data", d.err)
	case d.customer.ID == "":
		return nil, &DecodeError{Field: "data.id", Reason: "missing or empty"}
	}
	ev.Customer = &env.Data.customer
	return ev, nil
}

// jsonDecodeError turns a decoding error into a *DecodeError under prefix,
// keeping its meaning (the field and the JSON kind found) but nothing that
// could quote the body: encoding/json's messages can carry a number or a
// character from the input.
func jsonDecodeError(prefix string, err error) *DecodeError {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return &DecodeError{Field: prefix, Reason: "not valid JSON (at byte " + strconv.FormatInt(syntax.Offset, 10) + ")"}
	case errors.As(err, &typ):
		got, _, _ := strings.Cut(typ.Value, " ")
		field := jsonPath(typ.Field)
		want := "an object"
		if field != "" {
			want = jsonKind(typ.Type)
		}
		if prefix != "" {
			field = strings.TrimSuffix(prefix+"."+field, ".")
		}
		return &DecodeError{Field: field, Reason: "got JSON " + got + ", want " + want}
	}
	// The client's own decoding errors name the rule and never the value
	// (its fuzz tests and sentinel proof hold it to that).
	return &DecodeError{Field: prefix, Reason: strings.TrimPrefix(err.Error(), "straddle: ")}
}

// jsonKind names the JSON kind a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another kind"
}

// jsonPath turns encoding/json's Go field path into the JSON one: it keeps
// the lower-case (wire) names and drops embedded Go type names.
func jsonPath(goPath string) string {
	var parts []string
	for p := range strings.SplitSeq(goPath, ".") {
		if p != "" && strings.ToLower(p[:1]) == p[:1] && !strings.HasPrefix(p, "plain") {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

// String describes the event by type, ids and the customer's id and status.
func (e Event) String() string {
	var b strings.Builder
	b.WriteString("webhook.Event{type: ")
	b.WriteString(string(e.Type))
	b.WriteString(", id: ")
	b.WriteString(e.ID)
	b.WriteString(", account: ")
	b.WriteString(e.AccountID)
	if e.Customer != nil {
		b.WriteString(", customer: ")
		b.WriteString(e.Customer.ID)
		b.WriteString(" ")
		b.WriteString(string(e.Customer.Status))
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String, so %#v does not print Raw.
func (e Event) GoString() string { return e.String() }

// Format prints String under every verb and flag (quoted for %q), never the
// raw body, which may carry values the masked customer redacts.
func (e Event) Format(f fmt.State, verb rune) {
	s := e.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// LogValue logs the event's type and ids and the customer's identifiers and
// status.
func (e Event) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("type", string(e.Type)), slog.String("id", e.ID), slog.String("account_id", e.AccountID),
	}
	if e.MessageID != "" {
		attrs = append(attrs, slog.String("message_id", e.MessageID))
	}
	if e.Customer != nil {
		attrs = append(attrs, slog.Any("customer", *e.Customer))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON writes the event in its wire shape with the customer as the
// client marshals it (personal values redacted). For a type this package
// does not know, data is left out: Raw holds it.
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		EventType EventType          `json:"event_type"`
		EventID   string             `json:"event_id"`
		AccountID string             `json:"account_id"`
		Data      *straddle.Customer `json:"data,omitempty"`
	}{e.Type, e.ID, e.AccountID, e.Customer})
}
