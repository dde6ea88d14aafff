package webhook_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// vectorVerifier verifies against the published vector's secret with its
// clock at the vector's timestamp plus offset.
func vectorVerifier(t *testing.T, offset time.Duration, secrets ...string) *webhook.Verifier {
	t.Helper()
	v, err := webhook.NewVerifier(append(secrets, vectorSecret)...)
	if err != nil {
		t.Fatal(err)
	}
	webhook.SetNow(v, fixedClock(vectorTimestamp, offset))
	return v
}

// TestPublishedVector checks the Standard Webhooks test vector, which the
// standard's libraries in seven languages share, in both header spellings,
// at the edges of the tolerance, and with each part of it changed.
func TestPublishedVector(t *testing.T) {
	at := time.Unix(vectorTimestamp, 0)
	body := []byte(vectorBody)
	for _, spelling := range []struct {
		name   string
		header func(string, time.Time, string) http.Header
	}{{"webhook-*", headers}, {"svix-*", svixHeaders}} {
		t.Run(spelling.name, func(t *testing.T) {
			for _, offset := range []time.Duration{0, webhook.Tolerance, -webhook.Tolerance, time.Second, -time.Second} {
				if err := vectorVerifier(t, offset).Verify(spelling.header(vectorMsgID, at, vectorSignature), body); err != nil {
					t.Errorf("clock at the vector's time %+v: %v", offset, err)
				}
			}
			refused := map[string]struct {
				offset time.Duration
				header http.Header
				body   []byte
				want   error
			}{
				"tampered signature":     {0, spelling.header(vectorMsgID, at, vectorTampered), body, webhook.ErrNoMatchingSignature},
				"decoy signature":        {0, spelling.header(vectorMsgID, at, "v1,"+vectorDecoy), body, webhook.ErrNoMatchingSignature},
				"another message id":     {0, spelling.header(vectorMsgID+"x", at, vectorSignature), body, webhook.ErrNoMatchingSignature},
				"timestamp a second off": {0, spelling.header(vectorMsgID, at.Add(time.Second), vectorSignature), body, webhook.ErrNoMatchingSignature},
				"body re-encoded":        {0, spelling.header(vectorMsgID, at, vectorSignature), []byte(`{"test":2432232314}`), webhook.ErrNoMatchingSignature},
				"body one byte longer":   {0, spelling.header(vectorMsgID, at, vectorSignature), []byte(vectorBody + "\n"), webhook.ErrNoMatchingSignature},
				"signed 5m01s ago":       {webhook.Tolerance + time.Second, spelling.header(vectorMsgID, at, vectorSignature), body, webhook.ErrTimestampTooOld},
				"signed 5m01s ahead":     {-webhook.Tolerance - time.Second, spelling.header(vectorMsgID, at, vectorSignature), body, webhook.ErrTimestampTooNew},
				"signed years ago":       {5 * 365 * 24 * time.Hour, spelling.header(vectorMsgID, at, vectorSignature), body, webhook.ErrTimestampTooOld},
			}
			for name, c := range refused {
				err := vectorVerifier(t, c.offset).Verify(c.header, c.body)
				if !errors.Is(err, c.want) {
					t.Errorf("%s: err = %v, want %v", name, err, c.want)
				}
			}
		})
	}
	// The bare base64 secret, without whsec_, is the same key.
	v, err := webhook.NewVerifier(strings.TrimPrefix(vectorSecret, webhook.SecretPrefix))
	if err != nil {
		t.Fatal(err)
	}
	webhook.SetNow(v, fixedClock(vectorTimestamp, 0))
	if err := v.Verify(headers(vectorMsgID, at, vectorSignature), body); err != nil {
		t.Errorf("bare base64 secret: %v", err)
	}
	// The libraries' multi-signature case: decoys, a v2 entry, the valid one.
	multi := strings.Join([]string{"v1," + vectorDecoy, "v2," + vectorDecoy, vectorSignature, "v1," + vectorDecoy}, " ")
	if err := vectorVerifier(t, 0).Verify(headers(vectorMsgID, at, multi), body); err != nil {
		t.Errorf("several signatures, one valid: %v", err)
	}
}

// TestVerifyLibrarySignatures verifies real events signed by the reference
// library's own Sign with fresh secrets, on the wall clock.
func TestVerifyLibrarySignatures(t *testing.T) {
	for name, body := range eventFixtures(t) {
		secret := newSecret(t)
		v, err := webhook.NewVerifier(secret)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		sig := libSign(t, secret, "msg_"+name, now, body)
		for spelling, h := range map[string]http.Header{
			"webhook-*": headers("msg_"+name, now, sig),
			"svix-*":    svixHeaders("msg_"+name, now, sig),
		} {
			ev, err := v.VerifyEvent(h, body)
			if err != nil {
				t.Errorf("%s (%s): %v", name, spelling, err)
				continue
			}
			if ev.MessageID != "msg_"+name || !ev.Timestamp.Equal(now.Truncate(time.Second)) || ev.Timestamp.Location() != time.UTC {
				t.Errorf("%s (%s): message id %q, timestamp %v", name, spelling, ev.MessageID, ev.Timestamp)
			}
		}
		// Another endpoint's secret does not verify it.
		if err := v.Verify(headers("msg_"+name, now, libSign(t, newSecret(t), "msg_"+name, now, body)), body); !errors.Is(err, webhook.ErrNoMatchingSignature) {
			t.Errorf("%s signed with another secret: %v", name, err)
		}
	}
}

// TestToleranceAgreesWithLibrary: the timestamp rule applied here is the
// library's own Verify's, on the wall clock, either side of both edges.
func TestToleranceAgreesWithLibrary(t *testing.T) {
	secret := newSecret(t)
	ours, err := webhook.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := eventFixture(t, "customer.event.v1.verified")
	for _, offset := range []time.Duration{-10 * time.Minute, -5*time.Minute - 10*time.Second, -5*time.Minute + 10*time.Second, 0,
		5*time.Minute - 10*time.Second, 5*time.Minute + 10*time.Second, 10 * time.Minute} {
		at := time.Now().Add(offset)
		h := headers("msg_1", at, libSign(t, secret, "msg_1", at, body))
		ourErr, libErr := ours.Verify(h, body), lib.Verify(body, h)
		if (ourErr == nil) != (libErr == nil) {
			t.Errorf("signed %v from now: ours %v, the library's %v", offset, ourErr, libErr)
		}
		wantOld, wantNew := errors.Is(libErr, standardwebhooks.ErrMessageTooOld), errors.Is(libErr, standardwebhooks.ErrMessageTooNew)
		if errors.Is(ourErr, webhook.ErrTimestampTooOld) != wantOld || errors.Is(ourErr, webhook.ErrTimestampTooNew) != wantNew {
			t.Errorf("signed %v from now: ours %v, the library's %v", offset, ourErr, libErr)
		}
	}
}

// TestVerifyFailures covers each way verification fails, on the wall clock:
// the reason, the header named, and nothing quoted.
func TestVerifyFailures(t *testing.T) {
	secret := newSecret(t)
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := eventFixture(t, "customer.created.v1.individual")
	now := time.Now()
	good := libSign(t, secret, "msg_2", now, body)
	valid := func() http.Header { return headers("msg_2", now, good) }
	with := func(h http.Header, key, value string) http.Header {
		if value == "" {
			h.Del(key)
		} else {
			h.Set(key, value)
		}
		return h
	}
	cases := []struct {
		name   string
		header http.Header
		body   []byte
		reason error
		field  string
	}{
		{"no headers at all", http.Header{}, body, webhook.ErrMissingHeader, "webhook-id"},
		{"no webhook-id", with(valid(), "webhook-id", ""), body, webhook.ErrMissingHeader, "webhook-id"},
		{"no webhook-timestamp", with(valid(), "webhook-timestamp", ""), body, webhook.ErrMissingHeader, "webhook-timestamp"},
		{"no webhook-signature", with(valid(), "webhook-signature", ""), body, webhook.ErrMissingHeader, "webhook-signature"},
		{"empty webhook-id", http.Header{"Webhook-Id": {""}, "Webhook-Timestamp": valid()["Webhook-Timestamp"], "Webhook-Signature": {good}}, body, webhook.ErrMissingHeader, "webhook-id"},
		{"no svix-signature", with(svixHeaders("msg_2", now, good), "svix-signature", ""), body, webhook.ErrMissingHeader, "svix-signature"},
		{"spellings mixed", with(with(valid(), "webhook-signature", ""), "svix-signature", good), body, webhook.ErrMissingHeader, "webhook-signature"},
		{"timestamp not a number", with(valid(), "webhook-timestamp", "yesterday"), body, webhook.ErrMalformedHeader, "webhook-timestamp"},
		{"timestamp with a fraction", with(valid(), "webhook-timestamp", "1614265330.5"), body, webhook.ErrMalformedHeader, "webhook-timestamp"},
		{"timestamp in hex", with(valid(), "webhook-timestamp", "0x6037f3f2"), body, webhook.ErrMalformedHeader, "webhook-timestamp"},
		{"timestamp with a space", with(valid(), "webhook-timestamp", " 1614265330"), body, webhook.ErrMalformedHeader, "webhook-timestamp"},
		{"timestamp past int64", with(valid(), "webhook-timestamp", "99999999999999999999"), body, webhook.ErrMalformedHeader, "webhook-timestamp"},
		{"timestamp as a date", with(valid(), "webhook-timestamp", now.UTC().Format(time.RFC3339)), body, webhook.ErrMalformedHeader, "webhook-timestamp"},
		{"signature without a version", with(valid(), "webhook-signature", strings.TrimPrefix(good, "v1,")), body, webhook.ErrMalformedHeader, "webhook-signature"},
		{"signature v1, only", with(valid(), "webhook-signature", "v1,"), body, webhook.ErrMalformedHeader, "webhook-signature"},
		{"signature ,sig only", with(valid(), "webhook-signature", strings.TrimPrefix(good, "v1")), body, webhook.ErrMalformedHeader, "webhook-signature"},
		{"signature of spaces", with(valid(), "webhook-signature", "   "), body, webhook.ErrMalformedHeader, "webhook-signature"},
		{"signed 6 minutes ago", headers("msg_2", now.Add(-6*time.Minute), libSign(t, secret, "msg_2", now.Add(-6*time.Minute), body)), body, webhook.ErrTimestampTooOld, "webhook-timestamp"},
		{"signed 6 minutes ahead", headers("msg_2", now.Add(6*time.Minute), libSign(t, secret, "msg_2", now.Add(6*time.Minute), body)), body, webhook.ErrTimestampTooNew, "webhook-timestamp"},
		{"signed 6 minutes ago, svix", svixHeaders("msg_2", now.Add(-6*time.Minute), libSign(t, secret, "msg_2", now.Add(-6*time.Minute), body)), body, webhook.ErrTimestampTooOld, "svix-timestamp"},
		{"a stale timestamp swapped into a good signature", with(valid(), "webhook-timestamp", "1614265330"), body, webhook.ErrTimestampTooOld, "webhook-timestamp"},
		{"wrong secret", headers("msg_2", now, libSign(t, newSecret(t), "msg_2", now, body)), body, webhook.ErrNoMatchingSignature, "webhook-signature"},
		{"only a v2 entry", with(valid(), "webhook-signature", "v2,"+strings.TrimPrefix(good, "v1,")), body, webhook.ErrNoMatchingSignature, "webhook-signature"},
		{"body re-indented", valid(), append([]byte(" "), body...), webhook.ErrNoMatchingSignature, "webhook-signature"},
		{"empty body", valid(), nil, webhook.ErrNoMatchingSignature, "webhook-signature"},
		{"signature of the id alone", with(valid(), "webhook-id", "msg_3"), body, webhook.ErrNoMatchingSignature, "webhook-signature"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := v.Verify(c.header, c.body)
			var ve *webhook.VerificationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a *VerificationError", err)
			}
			if !errors.Is(err, c.reason) || ve.Reason != c.reason {
				t.Errorf("err = %v, want reason %v", err, c.reason)
			}
			if ve.Header != c.field {
				t.Errorf("header %q, want %q", ve.Header, c.field)
			}
			for _, v := range c.header {
				if len(v) > 0 && len(v[0]) > 12 && strings.Contains(err.Error(), v[0]) {
					t.Errorf("the error quotes a header value: %v", err)
				}
			}
			if strings.Contains(err.Error(), `"`) || strings.Contains(err.Error(), "{") {
				t.Errorf("the error quotes something: %v", err)
			}
			if _, derr := v.VerifyEvent(c.header, c.body); !errors.Is(derr, c.reason) {
				t.Errorf("VerifyEvent: %v, want %v", derr, c.reason)
			}
		})
	}
}

// TestRotation: a Verifier with the new and the old secret accepts
// deliveries signed with either, and a sender signing with both during the
// rotation satisfies a receiver that knows only one.
func TestRotation(t *testing.T) {
	oldSecret, newSecret_, otherSecret := newSecret(t), newSecret(t), newSecret(t)
	both, err := webhook.NewVerifier(newSecret_, oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	onlyOld, err := webhook.NewVerifier(oldSecret)
	if err != nil {
		t.Fatal(err)
	}
	body := eventFixture(t, "customer.event.v1.review")
	now := time.Now()
	sign := func(s string) string { return libSign(t, s, "msg_r", now, body) }
	for name, c := range map[string]struct {
		v    *webhook.Verifier
		sigs []string
		want error
	}{
		"old secret, both known":         {both, []string{sign(oldSecret)}, nil},
		"new secret, both known":         {both, []string{sign(newSecret_)}, nil},
		"another secret, both known":     {both, []string{sign(otherSecret)}, webhook.ErrNoMatchingSignature},
		"signed with both, old known":    {onlyOld, []string{sign(newSecret_), sign(oldSecret)}, nil},
		"signed with new, old known":     {onlyOld, []string{sign(newSecret_)}, webhook.ErrNoMatchingSignature},
		"three entries, the last valid":  {both, []string{sign(otherSecret), "v1," + vectorDecoy, sign(oldSecret)}, nil},
		"double spaces between entries":  {both, []string{sign(otherSecret), "", sign(newSecret_)}, nil},
		"valid signature in a v2 entry":  {both, []string{"v2," + strings.TrimPrefix(sign(oldSecret), "v1,")}, webhook.ErrNoMatchingSignature},
		"valid signature, garbage after": {both, []string{sign(oldSecret) + "x"}, webhook.ErrNoMatchingSignature},
	} {
		err := c.v.Verify(headers("msg_r", now, strings.Join(c.sigs, " ")), body)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%s: err = %v, want %v", name, err, c.want)
		}
	}
}

// TestNewVerifierRefusesBadSecrets: each unusable secret is refused with a
// *SecretError naming its position and the rule, never the secret.
func TestNewVerifierRefusesBadSecrets(t *testing.T) {
	good := newSecret(t)
	key := strings.TrimPrefix(good, webhook.SecretPrefix)
	cases := map[string][]string{
		"no secret":                {},
		"empty":                    {""},
		"prefix alone":             {webhook.SecretPrefix},
		"not base64":               {webhook.SecretPrefix + "not*base64!"},
		"url-safe base64":          {webhook.SecretPrefix + base64.URLEncoding.EncodeToString([]byte{0xfb, 0xff, 0xfe, 0xfb, 0xff, 0xfe})},
		"base64 cut short":         {good[:len(good)-1]},
		"trailing newline":         {good + "\n"},
		"leading space":            {" " + good},
		"padding alone":            {webhook.SecretPrefix + "===="},
		"second of two bad":        {good, webhook.SecretPrefix + "%%%%"},
		"prefix twice":             {webhook.SecretPrefix + good},
		"upper-case prefix":        {"WHSEC_" + key},
		"a signature, not secret":  {vectorSignature},
		"an API key":               {"sk_test_abc123"},
		"key with an inner space":  {webhook.SecretPrefix + key[:8] + " " + key[8:]},
		"empty after a good one":   {good, ""},
		"prefix after a good one":  {good, webhook.SecretPrefix},
		"newline after a good one": {good, good + "\r\n"},
	}
	for name, secrets := range cases {
		v, err := webhook.NewVerifier(secrets...)
		var se *webhook.SecretError
		if v != nil || !errors.As(err, &se) || !errors.Is(err, webhook.ErrInvalidSecret) {
			t.Errorf("%s: NewVerifier = %v, %v; want a *SecretError", name, v, err)
			continue
		}
		if want := max(len(secrets)-1, 0); se.Index != want {
			t.Errorf("%s: index %d, want %d", name, se.Index, want)
		}
		for _, s := range secrets {
			if k := strings.TrimSpace(strings.TrimPrefix(s, webhook.SecretPrefix)); len(k) > 4 && strings.Contains(err.Error(), k) {
				t.Errorf("%s: the error quotes the secret: %v", name, err)
			}
		}
	}
	// What the library alone would take: a secret it cannot decode is refused
	// by both, and one it takes (the same key, decoded) is ours too.
	for _, s := range []string{good, key} {
		if _, err := webhook.NewVerifier(s); err != nil {
			t.Errorf("a good secret refused: %v", err)
		}
		if _, err := standardwebhooks.NewWebhook(s); err != nil {
			t.Errorf("the library refuses a good secret: %v", err)
		}
	}
}

// TestZeroVerifierRefuses: a Verifier not built by NewVerifier has no
// secret, so it refuses even a well-signed delivery, without panicking.
func TestZeroVerifierRefuses(t *testing.T) {
	var v webhook.Verifier
	secret := newSecret(t)
	body := eventFixture(t, "customer.event.v1.verified")
	now := time.Now()
	err := v.Verify(headers("m", now, libSign(t, secret, "m", now, body)), body)
	if !errors.Is(err, webhook.ErrNoMatchingSignature) {
		t.Errorf("zero Verifier: %v", err)
	}
}
