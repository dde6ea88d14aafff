package straddletest

import (
	"bytes"
	"encoding/json"
	"maps"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// FuzzEventPayload builds event payloads from arbitrary customer data. Every
// payload is JSON that straddle/webhook decodes back to the same customer;
// it depends on whether personal values (SSN, DOB, EIN, IP address) are
// present but never on what they are, so none can show in an event.
func FuzzEventPayload(f *testing.F) {
	f.Add(true, "Leslie Knope", "leslie@example.com", "+13175550142", "verified", "203.0.113.42", "123-45-6789", "1975-01-18", "ext-1", "crm", "1001", "123 Main St")
	f.Add(false, "Very Good Building Co", "billing@example.com", "+13175550100", "review", "", "12-3456789", "https://example.com", "", "", "", "")
	f.Add(true, "\u2028<script>&\"", "a\x00@b", "", "not-a-status", "*", "*", "-", "\xff", "k\u00e9y", "\ud7ff", "\"")
	f.Fuzz(func(t *testing.T, person bool, name, email, phone, status, ip, secret1, secret2, externalID, metaKey, metaValue, street string) {
		now := time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC)
		c := &customer{id: newID(now), account: accountFor(DefaultAPIKey), name: name, email: email, phone: phone,
			status: status, createdAt: now, updatedAt: now.Add(time.Second), ip: ip, metadata: map[string]string{metaKey: metaValue}}
		if externalID != "" {
			c.externalID = &externalID
		}
		if street != "" {
			c.address = &address{Address1: street, City: "Pawnee", State: "IN", Zip: "46001"}
		}
		if person {
			c.typ = typeIndividual
			c.individual = &individualProfile{SSN: &secret1, DOB: &secret2}
		} else {
			c.typ = typeBusiness
			c.business = &businessProfile{EIN: &secret1, Website: &secret2}
		}
		payload := encodeEvent(eventOut{EventType: webhook.CustomerEventV1, EventID: c.id, AccountID: c.account, Data: eventView(c)})
		if !json.Valid(payload) {
			t.Fatalf("not JSON: %q", payload)
		}

		// The same customer with other personal values: the same payload.
		other := *c
		x, y, z := "0"+secret1, "0"+secret2, "0"+ip
		if person {
			other.individual = &individualProfile{SSN: &x, DOB: &y}
		} else {
			other.business = &businessProfile{EIN: &x, Website: &secret2}
		}
		other.ip = z
		if ip == "" {
			other.ip = ""
		}
		again := encodeEvent(eventOut{EventType: webhook.CustomerEventV1, EventID: c.id, AccountID: c.account, Data: eventView(&other)})
		if !bytes.Equal(payload, again) {
			t.Fatalf("the payload depends on a personal value:\n%s\n%s", payload, again)
		}

		ev, err := webhook.DecodeEvent(payload)
		if err != nil {
			t.Fatalf("straddle/webhook refuses the payload: %v\n%s", err, payload)
		}
		got := ev.Customer
		if got.ID != c.id || !got.UpdatedAt.Equal(c.updatedAt) || got.Device == nil {
			t.Fatalf("decoded %+v from %s", got, payload)
		}
		if allValid(name, email, phone, status, externalID, metaKey, metaValue) {
			if got.Name != name || got.Email != email || got.Phone != phone || string(got.Status) != status || got.ExternalID != externalID ||
				!maps.Equal(got.Metadata, c.metadata) {
				t.Fatalf("decoded %+v, want the customer's values", got)
			}
		}
	})
}

func allValid(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
