package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// TestDecodeFixtures decodes every event fixture (each valid against the
// spec) and checks what the user gets against the body, read independently.
func TestDecodeFixtures(t *testing.T) {
	for name, body := range eventFixtures(t) {
		t.Run(name, func(t *testing.T) {
			specEvent(t, body)
			var want struct {
				EventType string         `json:"event_type"`
				EventID   string         `json:"event_id"`
				AccountID string         `json:"account_id"`
				Data      map[string]any `json:"data"`
			}
			if err := json.Unmarshal(body, &want); err != nil {
				t.Fatal(err)
			}
			ev, err := webhook.DecodeEvent(body)
			if err != nil {
				t.Fatal(err)
			}
			if string(ev.Type) != want.EventType || ev.ID != want.EventID || ev.AccountID != want.AccountID || !ev.Type.Valid() {
				t.Errorf("event %+v, want %s %s %s", ev, want.EventType, want.EventID, want.AccountID)
			}
			if !bytes.Equal(ev.Raw, body) || ev.MessageID != "" || !ev.Timestamp.IsZero() {
				t.Errorf("Raw is not the body, or delivery facts are set without a delivery")
			}
			c := ev.Customer
			if c == nil {
				t.Fatal("no customer")
			}
			d := want.Data
			if c.ID != d["id"] || c.Name != d["name"] || string(c.Type) != d["type"] || c.Email != d["email"] ||
				c.Phone != d["phone"] || string(c.Status) != d["status"] {
				t.Errorf("customer %+v does not match data %v", c, d)
			}
			for _, f := range []struct {
				got  time.Time
				wire string
			}{{c.CreatedAt, d["created_at"].(string)}, {c.UpdatedAt, d["updated_at"].(string)}} {
				wire := f.wire
				if !strings.HasSuffix(wire, "Z") {
					wire += "Z" // the zone-less form means UTC
				}
				parsed, err := time.Parse(time.RFC3339Nano, wire)
				if err != nil || !f.got.Equal(parsed) || f.got.Location() != time.UTC {
					t.Errorf("timestamp %v, wire %s", f.got, f.wire)
				}
			}
			if c.Device == nil || !c.Device.IPAddress.IsMasked() {
				t.Errorf("device %+v, want the masked IP", c.Device)
			}
			if cp, ok := d["compliance_profile"].(map[string]any); ok {
				switch {
				case c.ComplianceProfile == nil:
					t.Error("compliance profile lost")
				case c.Type == straddle.CustomerTypeIndividual:
					if p := c.ComplianceProfile.Individual; p == nil || !p.SSN.IsMasked() || !p.DOB.IsMasked() || c.ComplianceProfile.Business != nil {
						t.Errorf("individual profile %+v", c.ComplianceProfile)
					}
				case c.Type == straddle.CustomerTypeBusiness:
					p := c.ComplianceProfile.Business
					if p == nil || !p.EIN.IsMasked() || p.LegalBusinessName != cp["legal_business_name"] || c.ComplianceProfile.Individual != nil {
						t.Errorf("business profile %+v", c.ComplianceProfile)
					}
				}
			}
			if m, ok := d["metadata"].(map[string]any); ok && fmt.Sprint(c.Metadata) != fmt.Sprint(m) {
				t.Errorf("metadata %v, want %v", c.Metadata, m)
			}
		})
	}
}

// TestDecodeTolerates: what Straddle may add later is handed over, not
// refused: new event types (with Raw), new fields, new enum values.
func TestDecodeTolerates(t *testing.T) {
	base := eventFixture(t, "customer.event.v1.verified")
	cases := map[string]struct {
		body  []byte
		check func(*webhook.Event) error
	}{
		"an unknown event type": {
			[]byte(`{"event_type":"paykey.created.v1","event_id":"0197e3c1-7c21-7b3d-9e4f-5a6b7c8d9ea9","account_id":"0197e3c0-1a2b-7c3d-8e4f-5a6b7c8d9e0f","data":{"paykey":"x"}}`),
			func(ev *webhook.Event) error {
				if ev.Type != "paykey.created.v1" || ev.Type.Valid() || ev.Customer != nil {
					return fmt.Errorf("type %q, customer %v", ev.Type, ev.Customer)
				}
				return nil
			},
		},
		"an unknown type whose data is no customer": {
			[]byte(`{"data":{"id":7,"created_at":"yesterday","metadata":[1]},"event_type":"paykey.created.v1","event_id":"e1"}`),
			func(ev *webhook.Event) error {
				if ev.Customer != nil || ev.ID != "e1" {
					return fmt.Errorf("%v", ev)
				}
				return nil
			},
		},
		"the type after data": {
			// json.Marshal sorts keys: data comes before event_type.
			specEvent(t, withField(t, base, false, "event_type", "customer.event.v1")),
			func(ev *webhook.Event) error {
				if ev.Customer == nil || ev.Customer.Status != straddle.CustomerStatusVerified {
					return fmt.Errorf("%v", ev)
				}
				return nil
			},
		},
		"a newer version of a customer event": {
			withField(t, base, false, "event_type", "customer.event.v2"),
			func(ev *webhook.Event) error {
				if ev.Customer != nil || ev.Type != "customer.event.v2" {
					return fmt.Errorf("a v2 event decoded as v1: %v", ev)
				}
				return nil
			},
		},
		"an unknown type without data": {
			[]byte(`{"event_type":"account.closed.v1","event_id":"e1"}`),
			func(ev *webhook.Event) error {
				if ev.ID != "e1" || ev.AccountID != "" {
					return fmt.Errorf("%v", ev)
				}
				return nil
			},
		},
		"a new customer field": {
			withField(t, base, true, "risk_tier", "low"),
			func(ev *webhook.Event) error {
				if ev.Customer == nil || ev.Customer.Status != straddle.CustomerStatusVerified || !bytes.Contains(ev.Raw, []byte(`"risk_tier"`)) {
					return fmt.Errorf("%v", ev)
				}
				return nil
			},
		},
		"a new envelope field": {
			withField(t, base, false, "created_at", "2026-07-07T06:21:45Z"),
			func(ev *webhook.Event) error {
				if ev.Customer == nil {
					return errors.New("no customer")
				}
				return nil
			},
		},
		"a new status": {
			withField(t, base, true, "status", "suspended"),
			func(ev *webhook.Event) error {
				if ev.Customer.Status != "suspended" || ev.Customer.Status.Valid() {
					return fmt.Errorf("status %q", ev.Customer.Status)
				}
				return nil
			},
		},
		"a new customer type": {
			withField(t, base, true, "type", "sole_proprietor"),
			func(ev *webhook.Event) error {
				if ev.Customer.Type != "sole_proprietor" || ev.Customer.ComplianceProfile == nil || ev.Customer.ComplianceProfile.Individual == nil {
					return fmt.Errorf("type %q, profile %+v", ev.Customer.Type, ev.Customer.ComplianceProfile)
				}
				return nil
			},
		},
		"no account id (a direct account)": {
			withField(t, base, false, "account_id", nil),
			func(ev *webhook.Event) error {
				if ev.AccountID != "" || ev.Customer == nil {
					return fmt.Errorf("%v", ev)
				}
				return nil
			},
		},
		"no device, no timestamps": {
			withField(t, withField(t, withField(t, base, true, "device", nil), true, "created_at", nil), true, "updated_at", nil),
			func(ev *webhook.Event) error {
				if ev.Customer.Device != nil || !ev.Customer.CreatedAt.IsZero() {
					return fmt.Errorf("%+v", ev.Customer)
				}
				return nil
			},
		},
		"a real-looking value in a masked field": {
			withField(t, base, true, "compliance_profile", map[string]any{"ssn": "123-45-6789", "dob": "****-**-**"}),
			func(ev *webhook.Event) error {
				p := ev.Customer.ComplianceProfile.Individual
				if p.SSN.IsMasked() || p.SSN.String() != "[REDACTED]" || strings.Contains(fmt.Sprintf("%+v %v", ev, *ev.Customer), "123-45-6789") {
					return fmt.Errorf("the real value shows: %v", p.SSN)
				}
				return nil
			},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ev, err := webhook.DecodeEvent(c.body)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ev.Raw, c.body) {
				t.Error("Raw is not the body")
			}
			if err := c.check(ev); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDecodeRefuses: a body that cannot be an event this package hands over
// is a *DecodeError naming the field and the rule, never quoting the body.
func TestDecodeRefuses(t *testing.T) {
	base := eventFixture(t, "customer.created.v1.individual")
	cases := []struct {
		name  string
		body  []byte
		field string
	}{
		{"empty", nil, ""},
		{"not JSON", []byte(`event_type=customer.event.v1&ssn=987-65-4320`), ""},
		{"truncated", base[:len(base)/2], ""},
		{"an array", []byte(`[{"event_type":"customer.event.v1"}]`), ""},
		{"a string", []byte(`"987-65-4320"`), ""},
		{"null", []byte(`null`), "event_type"},
		{"an empty object", []byte(`{}`), "event_type"},
		{"event_type a number", []byte(`{"event_type":987654320,"event_id":"e"}`), "event_type"},
		{"event_type empty", withField(t, base, false, "event_type", ""), "event_type"},
		{"no event_id", withField(t, base, false, "event_id", nil), "event_id"},
		{"event_id an object", withField(t, base, false, "event_id", map[string]any{"id": "987-65-4320"}), "event_id"},
		{"event_id of 256 bytes", withField(t, base, false, "event_id", strings.Repeat("e", 256)), "event_id"},
		{"account_id an array", withField(t, base, false, "account_id", []any{"987-65-4320"}), "account_id"},
		{"no data", withField(t, base, false, "data", nil), "data"},
		{"nested past the decoder's limit", []byte(`{"event_type":"customer.event.v1","event_id":"e","data":` + strings.Repeat(`[`, 10_001)), ""},
		{"data null", bytes.Replace(withField(t, base, false, "data", "x"), []byte(`"data":"x"`), []byte(`"data":null`), 1), "data"},
		{"data a string", withField(t, base, false, "data", "987-65-4320"), "data"},
		{"data an array", withField(t, base, false, "data", []any{1}), "data"},
		{"customer without id", withField(t, base, true, "id", nil), "data.id"},
		{"customer id a number", withField(t, base, true, "id", 987654320), "data.id"},
		{"name a number", withField(t, base, true, "name", 987654320), "data.name"},
		{"address an array", withField(t, base, true, "address", []any{"987-65-4320"}), "data.address"},
		{"city a bool", withField(t, base, true, "address", map[string]any{"city": true}), "data.address.city"},
		{"metadata value a number", withField(t, base, true, "metadata", map[string]any{"k": 987654320}), "data.metadata"},
		{"created_at not a time", withField(t, base, true, "created_at", "1961-07-04"), "data"},
		{"ssn a number", withField(t, base, true, "compliance_profile", map[string]any{"ssn": 987654320}), "data"},
		{"device a string", withField(t, base, true, "device", "198.51.100.77"), "data.device"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev, err := webhook.DecodeEvent(c.body)
			var de *webhook.DecodeError
			if ev != nil || !errors.As(err, &de) || !errors.Is(err, webhook.ErrInvalidPayload) {
				t.Fatalf("DecodeEvent = %v, %v; want a *DecodeError", ev, err)
			}
			if de.Field != c.field || de.Reason == "" {
				t.Errorf("field %q reason %q, want field %q", de.Field, de.Reason, c.field)
			}
			for _, needle := range []string{"987-65-4320", "987654320", "198.51.100.77", "1961-07-04", "eeeeeeeeee"} {
				if strings.Contains(err.Error(), needle) {
					t.Errorf("the error quotes the body: %v", err)
				}
			}
			t.Log(err)
		})
	}
}

// TestEventPrintsWithoutRaw: fmt, slog and JSON show the event's ids and
// the customer's status, never the raw body.
func TestEventPrintsWithoutRaw(t *testing.T) {
	body := withField(t, eventFixture(t, "customer.event.v1.verified"), true, "compliance_profile", map[string]any{"ssn": "987-65-4320", "dob": "1961-07-04"})
	ev, err := webhook.DecodeEvent(body)
	if err != nil {
		t.Fatal(err)
	}
	want := "webhook.Event{type: customer.event.v1, id: 0197e3c1-7c21-7b3d-9e4f-5a6b7c8d9ea1, account: 0197e3c0-1a2b-7c3d-8e4f-5a6b7c8d9e0f, customer: 0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f verified}"
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if got := fmt.Sprintf(verb, ev); got != want {
			t.Errorf("%s: %s", verb, got)
		}
	}
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		EventType string            `json:"event_type"`
		Data      straddle.Customer `json:"data"`
	}
	if err := json.Unmarshal(out, &back); err != nil || back.EventType != "customer.event.v1" || back.Data.ID != ev.Customer.ID {
		t.Errorf("JSON %s: %v", out, err)
	}
	if bytes.Contains(out, []byte("987-65-4320")) || bytes.Contains(out, []byte("1961-07-04")) {
		t.Errorf("JSON shows the real values: %s", out)
	}
}

// TestDecodeUsualFormAgrees: the envelope's usual-form decoding gives what
// json.Unmarshal alone gives, on the forms it takes and on those it leaves
// to the long way.
func TestDecodeUsualFormAgrees(t *testing.T) {
	base := string(eventFixture(t, "customer.event.v1.verified"))
	data := base[strings.Index(base, `"data"`):strings.LastIndex(base, "}")]
	for name, c := range map[string]struct {
		body  string
		usual bool // decoded without the long way
	}{
		"a fixture":                   {base, true},
		"compact, data first":         {`{` + data + `,"event_id":"e","event_type":"customer.event.v1"}`, true},
		"white space everywhere":      {"\t{ \"event_type\" :\r\n\"customer.event.v1\" , \"event_id\":\"e\" ,\n" + data + " }\n", true},
		"unknown fields of each kind": {`{"n":-1.5e3,"t":true,"z":null,"s":"}]\"{","a":[{"b":"]"}],` + data + `,"event_id":"e","event_type":"customer.event.v1"}`, true},
		"a key in another case":       {`{"EVENT_TYPE":"customer.event.v1","event_id":"e",` + data + `}`, false},
		"a key both ways":             {`{"event_type":"paykey.created.v1","Event_Type":"customer.event.v1","event_id":"e",` + data + `}`, false},
		"a key escaped":               {`{"event_typ\u0065":"customer.event.v1","event_id":"e",` + data + `}`, false},
		"a key twice":                 {`{"event_id":"e","event_type":"customer.event.v1","event_id":"f",` + data + `}`, false},
		"data twice":                  {`{"event_id":"e","event_type":"customer.event.v1","data":{"id":"x"},` + data + `}`, false},
		"a value escaped":             {`{"event_id":"\u0065\"","event_type":"customer.event.v1",` + data + `}`, false},
		"a value not UTF-8":           {"{\"event_id\":\"e\xff\",\"event_type\":\"customer.event.v1\"," + data + "}", false},
		"a value null":                {`{"event_id":"e","event_type":"customer.event.v1","account_id":null,` + data + `}`, false},
		"a value a number":            {`{"event_id":7,"event_type":"customer.event.v1",` + data + `}`, false},
		"data null":                   {`{"event_id":"e","event_type":"customer.event.v1","data":null}`, true},
		"data a string":               {`{"event_id":"e","event_type":"customer.event.v1","data":"{}"}`, true},
		"an unknown type":             {`{"event_id":"e","event_type":"paykey.created.v1","data":{"id":7}}`, true},
		"not valid JSON":              {`{"event_id":"e","event_type":"customer.event.v1",` + data, false},
		"an array":                    {`[` + base + `]`, false},
	} {
		t.Run(name, func(t *testing.T) {
			if got := webhook.UsualForm([]byte(c.body)); got != c.usual {
				t.Errorf("decoded without the long way: %t, want %t", got, c.usual)
			}
			ev, err := webhook.DecodeEvent([]byte(c.body))
			sameAsTheLongWay(t, []byte(c.body), ev, err)
		})
	}
}
