package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// badDelivery is one delivery a receiver must refuse: the headers and body
// as sent, why it is refused, where the error must point, and the value the
// error and the answer must not echo.
type badDelivery struct {
	name   string
	header http.Header
	body   []byte
	reason error  // what the error wraps
	where  string // the header (VerificationError.Header) or field (DecodeError.Field) named
	value  string // the offending value, never echoed
	status int
}

// badDeliveries is the tour of what a webhook endpoint can be sent, built
// for secret; each entry is refused before the user's function runs.
func badDeliveries(t *testing.T, secret string) []badDelivery {
	now := time.Now()
	valid := eventFixture(t, "customer.event.v1.verified")
	sign := func(body []byte, at time.Time) http.Header {
		return headers("msg_tour", at, libSign(t, secret, "msg_tour", at, body))
	}
	good := sign(valid, now)
	set := func(key, value string) http.Header {
		h := good.Clone()
		h.Set(key, value)
		return h
	}
	var cases []badDelivery
	add := func(c badDelivery) {
		if c.status == 0 {
			c.status = http.StatusBadRequest
		}
		cases = append(cases, c)
	}

	// The three headers: each missing or empty, in either spelling, and the
	// spellings never mixed.
	for _, name := range []string{webhook.HeaderID, webhook.HeaderTimestamp, webhook.HeaderSignature} {
		h := good.Clone()
		h.Del(name)
		add(badDelivery{name: "no " + name, header: h, body: valid, reason: webhook.ErrMissingHeader, where: name})
		add(badDelivery{name: "empty " + name, header: set(name, ""), body: valid, reason: webhook.ErrMissingHeader, where: name})
	}
	svix := svixHeaders("msg_tour", now, good.Get(webhook.HeaderSignature))
	svix.Del(webhook.SvixHeaderTimestamp)
	add(badDelivery{name: "no svix-timestamp", header: svix, body: valid, reason: webhook.ErrMissingHeader, where: webhook.SvixHeaderTimestamp})
	mixed := good.Clone()
	mixed.Del(webhook.HeaderID)
	mixed.Set(webhook.SvixHeaderID, "msg_tour")
	add(badDelivery{name: "webhook-* with svix-id", header: mixed, body: valid, reason: webhook.ErrMissingHeader, where: webhook.HeaderID})
	add(badDelivery{name: "no headers", header: http.Header{}, body: valid, reason: webhook.ErrMissingHeader, where: webhook.HeaderID})

	// The timestamp: Unix seconds in ASCII digits, nothing else. (HTTP trims
	// spaces around a header value and cannot carry NUL: verify_test.go
	// gives those to the Verifier directly.)
	for _, v := range []string{
		"yesterday", "1614265330.25", "1.6e9", "0x6037f3f2", "1614265330\u00a0", "1614 265330", "+1614265330x",
		"١٦١٤٢٦٥٣٣٠", "１６１４２６５３３０", "9223372036854775808", "-9223372036854775809", "1614265330,1614265331",
		now.UTC().Format(time.RFC3339), now.UTC().Format(http.TimeFormat),
	} {
		add(badDelivery{name: fmt.Sprintf("timestamp %q", v), header: set(webhook.HeaderTimestamp, v), body: valid,
			reason: webhook.ErrMalformedHeader, where: webhook.HeaderTimestamp, value: v})
	}
	// ...and within five minutes of now, either way.
	for _, c := range []struct {
		offset time.Duration
		reason error
	}{
		{-5*time.Minute - 30*time.Second, webhook.ErrTimestampTooOld}, {-time.Hour, webhook.ErrTimestampTooOld},
		{-time.Duration(now.Unix()) * time.Second, webhook.ErrTimestampTooOld}, // 1970
		{5*time.Minute + 30*time.Second, webhook.ErrTimestampTooNew}, {24 * time.Hour, webhook.ErrTimestampTooNew},
	} {
		add(badDelivery{name: fmt.Sprintf("signed %v from now", c.offset), header: sign(valid, now.Add(c.offset)), body: valid,
			reason: c.reason, where: webhook.HeaderTimestamp})
	}
	for _, v := range []string{"-1", "0", strconv.FormatInt(now.Unix()-301, 10), "99999999999"} {
		add(badDelivery{name: "timestamp " + v + " with the signature of now", header: set(webhook.HeaderTimestamp, v), body: valid,
			reason: errors.Join(webhook.ErrTimestampTooOld, webhook.ErrTimestampTooNew), where: webhook.HeaderTimestamp})
	}

	// The signature header: entries "<version>,<base64>", one of them a v1
	// signature of exactly these bytes under the secret.
	sig := strings.TrimPrefix(good.Get(webhook.HeaderSignature), "v1,")
	for _, v := range []string{"v1", "v1,", ",", "v1 ,", ",v1", sig, "v1;" + sig, "v1\t" + sig, "v1, " + sig} {
		add(badDelivery{name: fmt.Sprintf("signature %q", v), header: set(webhook.HeaderSignature, v), body: valid,
			reason: webhook.ErrMalformedHeader, where: webhook.HeaderSignature, value: sig})
	}
	for _, v := range []string{
		"V1," + sig, "v2," + sig, "v1a," + sig, "v1," + sig + "=", "v1," + sig[1:], "v1," + strings.ToLower(sig),
		"v1," + sig + "\tv1," + sig, "v1," + vectorDecoy, "v1," + strings.Repeat("A", 10_000),
	} {
		add(badDelivery{name: fmt.Sprintf("signature %.24q", v), header: set(webhook.HeaderSignature, v), body: valid,
			reason: webhook.ErrNoMatchingSignature, where: webhook.HeaderSignature, value: sig})
	}
	// The body: the bytes signed, not a re-encoding of them.
	for name, b := range map[string]string{
		"a BOM added":       "\xef\xbb\xbf" + string(valid),
		"a newline added":   string(valid) + "\n",
		"CRLF line endings": strings.ReplaceAll(string(valid), "\n", "\r\n"),
		"compacted":         strings.Join(strings.Fields(string(valid)), ""),
		"empty":             "",
	} {
		add(badDelivery{name: "body " + name, header: good, body: []byte(b), reason: webhook.ErrNoMatchingSignature, where: webhook.HeaderSignature})
	}
	add(badDelivery{name: "another message id", header: set(webhook.HeaderID, "msg_tour2"), body: valid,
		reason: webhook.ErrNoMatchingSignature, where: webhook.HeaderSignature})
	add(badDelivery{name: "signed by another secret", header: headers("msg_tour", now, libSign(t, newSecret(t), "msg_tour", now, valid)),
		body: valid, reason: webhook.ErrNoMatchingSignature, where: webhook.HeaderSignature})

	// Signed bodies that are not events.
	decode := func(name, body, field, value string) {
		add(badDelivery{name: "payload " + name, header: sign([]byte(body), now), body: []byte(body),
			reason: webhook.ErrInvalidPayload, where: field, value: value})
	}
	envelope := func(eventType, eventID, data string) string {
		return `{"event_type":` + eventType + `,"event_id":` + eventID + `,"account_id":"0197e3c0-1a2b-7c3d-8e4f-5a6b7c8d9e0f","data":` + data + `}`
	}
	customer := func(fields string) string {
		return `{"id":"0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f","name":"Ron","type":"individual","status":"verified"` + fields + `}`
	}
	decode("empty", "", "", "")
	decode("white space", " \n\t ", "", "")
	decode("null", "null", "event_type", "")
	decode("an array", `[{"event_type":"customer.event.v1"}]`, "", "")
	decode("a number", "987654320", "", "987654320")
	decode("form encoded", "event_type=customer.event.v1&ssn=987-65-4320", "", "987-65-4320")
	decode("truncated", string(valid[:len(valid)/2]), "", "")
	decode("nested past the limit", strings.Repeat("[", 10_001)+strings.Repeat("]", 10_001), "", "")
	decode("event_type missing", `{"event_id":"e-1"}`, "event_type", "")
	decode("event_type empty", envelope(`""`, `"e-1"`, customer("")), "event_type", "")
	decode("event_type a number", envelope(`987654320`, `"e-1"`, customer("")), "event_type", "987654320")
	decode("event_type an object", envelope(`{"v":"customer.event.v1"}`, `"e-1"`, customer("")), "event_type", "")
	decode("event_id missing", `{"event_type":"customer.event.v1","data":`+customer("")+`}`, "event_id", "")
	decode("event_id null", envelope(`"customer.event.v1"`, `null`, customer("")), "event_id", "")
	decode("event_id a number", envelope(`"customer.event.v1"`, `987654320`, customer("")), "event_id", "987654320")
	decode("event_id 256 bytes", envelope(`"customer.event.v1"`, `"`+strings.Repeat("x", 256)+`"`, customer("")), "event_id", strings.Repeat("x", 256))
	decode("account_id a number", `{"event_type":"customer.event.v1","event_id":"e-1","account_id":987654320,"data":`+customer("")+`}`, "account_id", "987654320")
	for _, d := range []string{`null`, `"987-65-4320"`, `[]`, `987654320`, `true`} {
		decode("data "+d, envelope(`"customer.created.v1"`, `"e-1"`, d), "data", "987-65-4320")
	}
	decode("data missing", `{"event_type":"customer.event.v1","event_id":"e-1"}`, "data", "")
	decode("customer id missing", envelope(`"customer.event.v1"`, `"e-1"`, `{"name":"Ron"}`), "data.id", "")
	decode("customer id empty", envelope(`"customer.event.v1"`, `"e-1"`, strings.Replace(customer(""), `"0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f"`, `""`, 1)), "data.id", "")
	decode("customer id a number", envelope(`"customer.event.v1"`, `"e-1"`, `{"id":987654320}`), "data.id", "987654320")
	decode("name an array", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"name":["987-65-4320"]`)), "data.name", "987-65-4320")
	decode("status a number", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"status":987654320`)), "data.status", "987654320")
	decode("created_at a date", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"created_at":"1961-07-04"`)), "data", "1961-07-04")
	decode("updated_at month 13", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"updated_at":"2026-13-01T00:00:00Z"`)), "data", "2026-13-01")
	decode("created_at a number", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"created_at":1783405304`)), "data", "1783405304")
	decode("address a string", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"address":"123 Main St 46001"`)), "data.address", "46001")
	decode("zip a number", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"address":{"zip":46001}`)), "data.address.zip", "46001")
	decode("profile a string", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"compliance_profile":"987-65-4320"`)), "data", "987-65-4320")
	decode("ssn a number", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"compliance_profile":{"ssn":987654320}`)), "data", "987654320")
	decode("device an array", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"device":["198.51.100.77"]`)), "data.device", "198.51.100.77")
	decode("ip a number", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"device":{"ip_address":3325256781}`)), "data", "3325256781")
	decode("metadata an array", envelope(`"customer.event.v1"`, `"e-1"`, customer(`,"metadata":["987-65-4320"]`)), "data.metadata", "987-65-4320")

	// Too large: refused on its declared length, before reading.
	big := []byte(strings.Repeat(" ", webhook.DefaultMaxBodyBytes) + string(valid))
	add(badDelivery{name: "body over 1 MiB", header: sign(big, now), body: big, reason: webhook.ErrBodyTooLarge, status: http.StatusRequestEntityTooLarge})
	return cases
}

// TestBadInputTour sends each bad delivery to a Handler over loopback and
// gives it to the Verifier directly: the same typed error both ways, the
// right header or field named, no value echoed, and the function never run.
func TestBadInputTour(t *testing.T) {
	leakcheck.Check(t)
	r := newReceiver(t)
	r.fn = func(context.Context, *webhook.Event) error {
		t.Error("the function ran for a bad delivery")
		return nil
	}
	v, err := webhook.NewVerifier(r.secret)
	if err != nil {
		t.Fatal(err)
	}
	cases := badDeliveries(t, r.secret)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := r.errCount()
			a, err := r.post(context.Background(), c.header, bytes.NewReader(c.body), int64(len(c.body)))
			if err != nil {
				t.Fatal(err)
			}
			if a.status != c.status {
				t.Errorf("status %d, want %d (%s)", a.status, c.status, a.body)
			}
			if r.errCount() != before+1 || !errors.Is(r.lastErr(), firstOf(c.reason)) && !errors.Is(r.lastErr(), secondOf(c.reason)) {
				t.Errorf("error func: %v, want %v", r.lastErr(), c.reason)
			}
			if c.value != "" && len(c.value) >= 6 && strings.Contains(a.body, c.value) {
				t.Errorf("the answer echoes the value: %q", a.body)
			}
			if c.status == http.StatusRequestEntityTooLarge {
				return // the Handler's limit; the Verifier takes any length
			}
			_, err = v.VerifyEvent(c.header, c.body)
			if !errors.Is(err, firstOf(c.reason)) && !errors.Is(err, secondOf(c.reason)) {
				t.Fatalf("VerifyEvent: %v, want %v", err, c.reason)
			}
			var ve *webhook.VerificationError
			var de *webhook.DecodeError
			switch {
			case errors.As(err, &ve):
				if ve.Header != c.where {
					t.Errorf("names header %q, want %q", ve.Header, c.where)
				}
			case errors.As(err, &de):
				if de.Field != c.where || de.Reason == "" {
					t.Errorf("names field %q (%q), want %q", de.Field, de.Reason, c.where)
				}
			default:
				t.Fatalf("error %T", err)
			}
			if c.value != "" && len(c.value) >= 6 && strings.Contains(err.Error(), c.value) {
				t.Errorf("the error echoes the value: %v", err)
			}
			if a.body != err.Error()+"\n" {
				t.Errorf("the answer %q is not the error %q", a.body, err)
			}
		})
	}
	if r.calls() != 0 {
		t.Errorf("the function ran %d times", r.calls())
	}
	t.Logf("%d bad deliveries tried, none reached the function", len(cases))
}

// firstOf and secondOf unpack a reason that may be either of two (joined).
func firstOf(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()[0]
	}
	return err
}

func secondOf(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()[1]
	}
	return err
}
