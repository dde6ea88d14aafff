package webhook_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// Fuzz targets for what a webhook endpoint takes from the network: the
// signature headers with the body, and the body as an event. Run one with
//
//	go test -run '^$' -fuzz '^FuzzVerify$' -fuzztime 60s ./straddle/webhook/

// FuzzVerify builds deliveries from fuzzed parts (message id, timestamp as
// text or as an offset from the clock, body, entries around a signature the
// reference library made or not, either header spelling) and holds Verify to
// an oracle computed by the library: it accepts exactly when the timestamp
// is within five minutes and an entry is the library's signature of the
// parts, and otherwise says why, quoting nothing.
func FuzzVerify(f *testing.F) {
	for name, body := range eventFixtures(f) {
		f.Add("msg_"+name, "", int64(0), body, "", "", true, false)
	}
	f.Add(vectorMsgID, "", int64(0), []byte(vectorBody), "v1,"+vectorDecoy+" ", " v2,"+vectorDecoy, true, true)
	f.Add(vectorMsgID, "", int64(300), []byte(vectorBody), "", "", true, false)
	f.Add(vectorMsgID, "", int64(-301), []byte(vectorBody), "", "", true, false)
	f.Add(vectorMsgID, "", int64(301), []byte(vectorBody), "", "", true, true)
	f.Add(vectorMsgID, "1614265330.0", int64(0), []byte(vectorBody), "", "", true, false)
	f.Add(vectorMsgID, "+1614265330", int64(0), []byte(vectorBody), "", "", true, false)
	f.Add(vectorMsgID, "01614265330", int64(0), []byte(vectorBody), "", "", true, false)
	f.Add("", "", int64(0), []byte(vectorBody), "", "", true, false)
	f.Add("msg", "", int64(0), []byte{}, "v1,", "", false, false)
	f.Add("msg", "", int64(0), []byte("{}"), "v1a,abc v1,", ",x", false, true)
	f.Add("a.1614265330", "", int64(0), []byte("x"), "", "x", true, false)
	f.Add("msg\x00", "", int64(0), []byte("\xff\xfe"), "\t", "\n", true, false)
	f.Add("msg", "", int64(-9223372036854775808), []byte("{}"), "", "", true, false)

	secret := vectorSecret
	key := strings.TrimPrefix(secret, webhook.SecretPrefix)
	lib, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		f.Fatal(err)
	}
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		f.Fatal(err)
	}
	webhook.SetNow(v, fixedClock(vectorTimestamp, 0))
	reasons := []error{webhook.ErrMissingHeader, webhook.ErrMalformedHeader, webhook.ErrTimestampTooOld,
		webhook.ErrTimestampTooNew, webhook.ErrNoMatchingSignature}

	f.Fuzz(func(t *testing.T, id, tsText string, offset int64, body []byte, prefix, suffix string, sign, svix bool) {
		ts := vectorTimestamp + offset
		if tsText == "" {
			tsText = strconv.FormatInt(ts, 10)
		}
		parsed, perr := strconv.ParseInt(tsText, 10, 64)
		sig := ""
		if sign && perr == nil {
			s, err := lib.Sign(id, time.Unix(parsed, 0), body)
			if err != nil {
				t.Fatal(err)
			}
			sig = s
		}
		header := prefix + sig + suffix
		h := make(map[string][]string)
		names := [3]string{"Webhook-Id", "Webhook-Timestamp", "Webhook-Signature"}
		if svix {
			names = [3]string{"Svix-Id", "Svix-Timestamp", "Svix-Signature"}
		}
		for i, val := range [3]string{id, tsText, header} {
			h[names[i]] = []string{val}
		}
		err := v.Verify(h, body)

		// The oracle: present headers, an integer timestamp within the
		// tolerance of the clock, and an entry whose version is v1 and whose
		// first comma-separated part after it is what the library signs for
		// these parts (the library ignores any further parts).
		want := id != "" && tsText != "" && header != "" && perr == nil
		if want {
			skew := time.Unix(vectorTimestamp, 0).Sub(time.Unix(parsed, 0))
			want = skew <= webhook.Tolerance && skew >= -webhook.Tolerance
		}
		if want {
			expected, _ := lib.Sign(id, time.Unix(parsed, 0), body)
			want = false
			for entry := range strings.SplitSeq(header, " ") {
				parts := strings.Split(entry, ",")
				want = want || (len(parts) >= 2 && parts[0]+","+parts[1] == expected)
			}
		}
		if (err == nil) != want {
			t.Fatalf("Verify = %v, the oracle says valid = %v (id %q, timestamp %q, signature %q)", err, want, id, tsText, header)
		}
		if err == nil {
			return
		}
		var ve *webhook.VerificationError
		if !errors.As(err, &ve) {
			t.Fatalf("err = %T %v, want a *VerificationError", err, err)
		}
		known := false
		for _, r := range reasons {
			known = known || ve.Reason == r
		}
		if !known {
			t.Fatalf("reason %v is not one of the five", ve.Reason)
		}
		msg := err.Error()
		for _, s := range []string{key, sig, strings.TrimPrefix(sig, "v1,"), header, string(body)} {
			if len(s) >= 8 && strings.Contains(msg, s) {
				t.Fatalf("the error quotes a secret, signature or the body: %q", msg)
			}
		}
		// When the headers were well formed and in time, the library alone
		// refuses the signature too.
		if errors.Is(err, webhook.ErrNoMatchingSignature) && !svix {
			if lib.VerifyIgnoringTimestamp(body, h) == nil {
				t.Fatalf("we refuse a signature the library accepts: %q", header)
			}
		}
	})
}

// FuzzDecodeEvent decodes any bytes as a verified body: no panic; either a
// *DecodeError that quotes nothing personal-looking from the body, or an
// event with a type and a bounded id, its body in Raw, a customer exactly
// for the known types, masked fields that print only masked or redacted,
// times in UTC, and JSON that decodes back to the same event.
func FuzzDecodeEvent(f *testing.F) {
	for _, body := range eventFixtures(f) {
		f.Add(body)
	}
	base := eventFixture(f, "customer.event.v1.verified")
	for _, seed := range []string{
		``, ` `, `null`, `[]`, `{}`, `"x"`, `{"event_type":"a","event_id":"b"}`,
		`{"event_type":"customer.event.v1","event_id":"e","data":{}}`,
		`{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","compliance_profile":{"ssn":"987-65-4320","ein":null}}}`,
		`{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","type":"x","compliance_profile":{"ssn":"***","ein":"**"}}}`,
		`{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","type":"x","compliance_profile":{"ssn":null,"dob":null,"ein":null}}}`,
		`{"event_type":"customer.created.v1","event_id":"e","data":{"id":"c","created_at":"2026-07-07T06:21:44","updated_at":"0000-01-01T00:00:00+00:01"}}`,
		`{"event_type":"customer.created.v1","event_id":"e","data":{"id":"c","device":{"ip_address":"198.51.100.77"}}}`,
		`{"EVENT_TYPE":"customer.event.v1","Event_Id":"e","event_id":"f","data":{"ID":"c"}}`,
		`{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","metadata":{"k":987654320}}}`,
		// Hostile nesting, short enough to mutate and minimize cheaply; past
		// the decoder's 10,000 levels it is TestDecodeRefuses's case.
		`{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","metadata":` + strings.Repeat(`{"a":`, 100) + `1` + strings.Repeat(`}`, 100) + `}}`,
		"\xef\xbb\xbf" + string(base),
		string(base[:len(base)-3]),
		strings.Replace(string(base), `"verified"`, `"\u0076erified"`, 1),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := webhook.DecodeEvent(body)
		sameAsTheLongWay(t, body, ev, err)
		if err != nil {
			var de *webhook.DecodeError
			if ev != nil || !errors.As(err, &de) || !errors.Is(err, webhook.ErrInvalidPayload) || de.Reason == "" {
				t.Fatalf("DecodeEvent = %v, %T %v", ev, err, err)
			}
			// A personal-looking string has four digits: an error with
			// fewer quotes none, and the body need not be tokenized (20
			// times the cost of decoding it).
			if msg := err.Error(); digits(msg) >= 4 {
				for _, s := range personalLooking(body) {
					if strings.Contains(msg, s) {
						t.Fatalf("the error %q quotes %q from the body", err, s)
					}
				}
			}
			return
		}
		if ev.Type == "" || ev.ID == "" || len(ev.ID) > 255 || !bytes.Equal(ev.Raw, body) {
			t.Fatalf("event %+v: empty type or id, id too long, or Raw not the body", ev)
		}
		if (ev.Customer != nil) != ev.Type.Valid() {
			t.Fatalf("type %q with customer %v", ev.Type, ev.Customer)
		}
		if c := ev.Customer; c != nil {
			checkCustomer(t, c)
		}
		out, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		back, err := webhook.DecodeEvent(out)
		if err != nil {
			t.Fatalf("the event's JSON %s does not decode: %v", out, err)
		}
		if back.Type != ev.Type || back.ID != ev.ID || back.AccountID != ev.AccountID ||
			(ev.Customer != nil && (back.Customer.ID != ev.Customer.ID || back.Customer.Status != ev.Customer.Status ||
				!back.Customer.UpdatedAt.Equal(ev.Customer.UpdatedAt))) {
			t.Fatalf("round trip changed the event: %v -> %v", ev, back)
		}
		printed := fmt.Sprintf("%v %+v %#v %s", ev, ev, ev, ev)
		if strings.Contains(printed, "{\"") {
			t.Fatalf("an event prints its raw body: %s", printed)
		}
	})
}

// sameAsTheLongWay fails t unless DecodeEvent's result for body is the one
// json.Unmarshal alone gives: the same error, or the same event.
func sameAsTheLongWay(t *testing.T, body []byte, ev *webhook.Event, err error) {
	t.Helper()
	want, wantErr := webhook.DecodeEventLongWay(body)
	switch {
	case (err == nil) != (wantErr == nil):
		t.Fatalf("DecodeEvent: %v; the long way: %v", err, wantErr)
	case err != nil:
		if err.Error() != wantErr.Error() {
			t.Fatalf("DecodeEvent: %v; the long way: %v", err, wantErr)
		}
	case !reflect.DeepEqual(ev, want):
		t.Fatalf("DecodeEvent: %+v %+v; the long way: %+v %+v", ev, ev.Customer, want, want.Customer)
	}
}

// checkCustomer holds a decoded customer to the client's masking rules.
func checkCustomer(t *testing.T, c *straddle.Customer) {
	t.Helper()
	if c.ID == "" {
		t.Fatal("customer without id")
	}
	if c.CreatedAt.Location() != time.UTC || c.UpdatedAt.Location() != time.UTC {
		t.Fatalf("times not in UTC: %v %v", c.CreatedAt, c.UpdatedAt)
	}
	masked := []straddle.Masked{}
	if c.Device != nil {
		masked = append(masked, c.Device.IPAddress)
	}
	if p := c.ComplianceProfile; p != nil {
		if (p.Individual == nil) == (p.Business == nil) {
			t.Fatalf("profile with %v individual and %v business", p.Individual, p.Business)
		}
		if p.Individual != nil {
			masked = append(masked, p.Individual.SSN, p.Individual.DOB)
		} else {
			masked = append(masked, p.Business.EIN)
		}
	}
	for _, m := range masked {
		if s := fmt.Sprint(m); s != "" && s != "[REDACTED]" && !m.IsMasked() {
			t.Fatalf("a masked field prints %q", s)
		}
	}
}

// personalLooking returns the strings in body, keys and values, that could
// be personal data: at least 6 characters, 4 of them digits.
func personalLooking(body []byte) []string {
	var out []string
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if s, ok := tok.(string); ok && len(s) >= 6 && digits(s) >= 4 {
			out = append(out, s)
		}
	}
}

// digits counts the ASCII digits in s.
func digits(s string) int {
	n := 0
	for i := range len(s) {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}
