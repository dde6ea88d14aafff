package webhook

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// The signature headers, in the Standard Webhooks spelling. Straddle's sender
// (Svix) uses the svix-* spelling on some endpoints, with the same values.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"

	SvixHeaderID        = "svix-id"
	SvixHeaderTimestamp = "svix-timestamp"
	SvixHeaderSignature = "svix-signature"
)

// Tolerance is how far a delivery's timestamp may be from the receiver's
// clock, in either direction, before it is refused as a possible replay.
const Tolerance = 5 * time.Minute

// SecretPrefix starts every signing secret Straddle shows: the rest is the
// base64 of the key.
const SecretPrefix = "whsec_"

// The ways verification fails. Every error Verify returns is a
// *VerificationError that wraps exactly one of them, so callers test with
// errors.Is(err, webhook.ErrTimestampTooOld) and the like.
var (
	// ErrMissingHeader: a signature header is absent or empty.
	ErrMissingHeader = errors.New("missing header")
	// ErrMalformedHeader: the timestamp is not Unix seconds, or the
	// signature header holds no "<version>,<signature>" entry.
	ErrMalformedHeader = errors.New("malformed header")
	// ErrTimestampTooOld: signed more than Tolerance ago (a replay, or a
	// delivery held up for too long).
	ErrTimestampTooOld = errors.New("timestamp too old")
	// ErrTimestampTooNew: signed more than Tolerance in the future (a
	// clock far off, here or at the sender).
	ErrTimestampTooNew = errors.New("timestamp too far in the future")
	// ErrNoMatchingSignature: no v1 signature in the header matches the
	// body under any of the secrets: a wrong secret, a body changed on the
	// way (re-encoded JSON included), or a forgery.
	ErrNoMatchingSignature = errors.New("no matching signature")
	// ErrInvalidSecret: NewVerifier was given a secret it cannot use.
	ErrInvalidSecret = errors.New("invalid secret")
)

// VerificationError reports why a delivery failed verification. It names
// the header concerned but never quotes the body, a signature or a secret.
type VerificationError struct {
	// Reason is one of the Err* values above: ErrMissingHeader,
	// ErrMalformedHeader, ErrTimestampTooOld, ErrTimestampTooNew or
	// ErrNoMatchingSignature.
	Reason error
	// Header is the header at fault (in the spelling received), or "" when
	// the fault is not one header's.
	Header string
	// Timestamp is the delivery's timestamp when it could be read.
	Timestamp time.Time
}

// Error describes the failure.
func (e *VerificationError) Error() string {
	msg := "webhook: verify: "
	if e.Header != "" {
		msg += e.Header + ": "
	}
	msg += e.Reason.Error()
	if errors.Is(e.Reason, ErrTimestampTooOld) || errors.Is(e.Reason, ErrTimestampTooNew) {
		msg += " (signed " + e.Timestamp.UTC().Format(time.RFC3339) + ", tolerance " + Tolerance.String() + ")"
	}
	return msg
}

// Unwrap returns Reason, for errors.Is.
func (e *VerificationError) Unwrap() error { return e.Reason }

// SecretError reports a secret NewVerifier refused. It says which secret
// (counting from 0) and why, never the secret.
type SecretError struct {
	Index  int
	Reason string
}

// Error describes the fault without the secret.
func (e *SecretError) Error() string {
	return "webhook: secret " + strconv.Itoa(e.Index) + ": " + e.Reason
}

// Unwrap returns ErrInvalidSecret.
func (e *SecretError) Unwrap() error { return ErrInvalidSecret }

// Verifier checks the Standard Webhooks signature of deliveries, against one
// or more secrets: during a rotation, give both the new and the old secret,
// and remove the old one once the rotation is over. The HMAC and its
// constant-time comparison are the standard's reference library's.
//
// A Verifier is safe for concurrent use. It prints, logs and marshals
// without its secrets. Build one with NewVerifier: the zero Verifier has no
// secret and refuses every delivery.
type Verifier struct {
	hooks []*standardwebhooks.Webhook
	now   func() time.Time
}

// NewVerifier returns a Verifier for the endpoint secrets given, each
// "whsec_" followed by the base64 of the key, as Straddle's dashboard shows
// it (the bare base64 is accepted too). It refuses no secret at all, and any
// secret that is empty, has surrounding spaces, is not base64 or holds no
// key, with a *SecretError that does not quote it.
func NewVerifier(secrets ...string) (*Verifier, error) {
	if len(secrets) == 0 {
		return nil, &SecretError{Index: 0, Reason: "no secret given"}
	}
	v := &Verifier{now: time.Now}
	for i, s := range secrets {
		key, reason := decodeSecret(s)
		if reason != "" {
			return nil, &SecretError{Index: i, Reason: reason}
		}
		wh, err := standardwebhooks.NewWebhookRaw(key)
		if err != nil {
			return nil, &SecretError{Index: i, Reason: "refused by the signing library"}
		}
		v.hooks = append(v.hooks, wh)
	}
	return v, nil
}

// decodeSecret returns the key bytes of a secret, or why it cannot be used.
func decodeSecret(s string) ([]byte, string) {
	switch {
	case s == "":
		return nil, "empty"
	case strings.TrimSpace(s) != s:
		return nil, "has leading or trailing white space (a newline from a file or an environment variable?)"
	}
	encoded := strings.TrimPrefix(s, SecretPrefix)
	if encoded == "" {
		return nil, "no key after " + SecretPrefix
	}
	key, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return nil, "not " + SecretPrefix + " followed by standard base64"
	}
	if len(key) == 0 {
		return nil, "the key is empty"
	}
	return key, ""
}

// String describes the Verifier without its secrets.
func (v Verifier) String() string {
	return "webhook.Verifier{secrets: " + strconv.Itoa(len(v.hooks)) + " [REDACTED]}"
}

// GoString is String, so %#v does not reveal the secrets.
func (v Verifier) GoString() string { return v.String() }

// Format prints String under every verb and flag (quoted for %q).
func (v Verifier) Format(f fmt.State, verb rune) {
	s := v.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// LogValue logs String.
func (v Verifier) LogValue() slog.Value { return slog.StringValue(v.String()) }

// MarshalJSON writes String, so JSON logging cannot reveal the secrets.
func (v Verifier) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(v.String())), nil }

// The headers' canonical keys: http.Header.Get canonicalizes its argument,
// which allocates unless it is canonical already.
var (
	keyID            = http.CanonicalHeaderKey(HeaderID)
	keyTimestamp     = http.CanonicalHeaderKey(HeaderTimestamp)
	keySignature     = http.CanonicalHeaderKey(HeaderSignature)
	keySvixID        = http.CanonicalHeaderKey(SvixHeaderID)
	keySvixTimestamp = http.CanonicalHeaderKey(SvixHeaderTimestamp)
	keySvixSignature = http.CanonicalHeaderKey(SvixHeaderSignature)
)

// signatureHeaders are the three headers of one delivery, as received.
type signatureHeaders struct {
	id, timestamp, signature string
	names                    [3]string // the spelling they were read under
	svix                     bool
	signedAt                 time.Time // the timestamp, once parsed
}

// readHeaders takes the webhook-* headers, or the svix-* ones when none of
// the webhook-* headers is present, so one spelling is never mixed with the
// other.
func readHeaders(h http.Header) signatureHeaders {
	sh := signatureHeaders{
		id: h.Get(keyID), timestamp: h.Get(keyTimestamp), signature: h.Get(keySignature),
		names: [3]string{HeaderID, HeaderTimestamp, HeaderSignature},
	}
	if sh.id == "" && sh.timestamp == "" && sh.signature == "" {
		svix := signatureHeaders{
			id: h.Get(keySvixID), timestamp: h.Get(keySvixTimestamp), signature: h.Get(keySvixSignature),
			names: [3]string{SvixHeaderID, SvixHeaderTimestamp, SvixHeaderSignature}, svix: true,
		}
		if svix.id != "" || svix.timestamp != "" || svix.signature != "" {
			return svix
		}
	}
	return sh
}

// Verify checks that body was signed, under one of the Verifier's secrets,
// by the sender of header's signature headers, within Tolerance of now.
// Pass the body exactly as received: verify before parsing, never after
// re-encoding. It returns nil or a *VerificationError.
func (v *Verifier) Verify(header http.Header, body []byte) error {
	_, err := v.verify(header, body)
	return err
}

// VerifyEvent verifies a delivery as Verify does and then decodes its body
// as DecodeEvent does, recording the delivery's message id and timestamp in
// the Event. Errors are *VerificationError or *DecodeError.
func (v *Verifier) VerifyEvent(header http.Header, body []byte) (*Event, error) {
	sh, err := v.verify(header, body)
	if err != nil {
		return nil, err
	}
	ev, err := DecodeEvent(body)
	if err != nil {
		return nil, err
	}
	ev.MessageID, ev.Timestamp = sh.id, sh.signedAt
	return ev, nil
}

// verify is Verify, returning the headers it read.
func (v *Verifier) verify(header http.Header, body []byte) (signatureHeaders, error) {
	sh := readHeaders(header)
	for i, val := range [3]string{sh.id, sh.timestamp, sh.signature} {
		if val == "" {
			return sh, &VerificationError{Reason: ErrMissingHeader, Header: sh.names[i]}
		}
	}
	secs, err := strconv.ParseInt(sh.timestamp, 10, 64)
	if err != nil {
		return sh, &VerificationError{Reason: ErrMalformedHeader, Header: sh.names[1]}
	}
	if !hasSignatureEntry(sh.signature) {
		return sh, &VerificationError{Reason: ErrMalformedHeader, Header: sh.names[2]}
	}
	// The tolerance is the library's rule (older than now-5m or newer than
	// now+5m is refused), checked here so that it can be tested against a
	// fixed clock and report the timestamp; the library then checks the
	// signature alone.
	ts := time.Unix(secs, 0)
	sh.signedAt = ts.UTC()
	now := time.Now()
	if v.now != nil {
		now = v.now()
	}
	switch {
	case now.Sub(ts) > Tolerance:
		return sh, &VerificationError{Reason: ErrTimestampTooOld, Header: sh.names[1], Timestamp: ts}
	case ts.After(now.Add(Tolerance)):
		return sh, &VerificationError{Reason: ErrTimestampTooNew, Header: sh.names[1], Timestamp: ts}
	}
	std := header
	if sh.svix {
		std = http.Header{keyID: {sh.id}, keyTimestamp: {sh.timestamp}, keySignature: {sh.signature}}
	}
	for _, wh := range v.hooks {
		err := wh.VerifyIgnoringTimestamp(body, std)
		if err == nil {
			return sh, nil
		}
		if !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
			// The headers were checked above; the library disagreeing
			// about them is a fault to report, not to pass over.
			return sh, &VerificationError{Reason: ErrMalformedHeader}
		}
	}
	return sh, &VerificationError{Reason: ErrNoMatchingSignature, Header: sh.names[2], Timestamp: ts}
}

// hasSignatureEntry reports whether the signature header has at least one
// space-separated "<version>,<signature>" entry with both parts present.
func hasSignatureEntry(h string) bool {
	for entry := range strings.SplitSeq(h, " ") {
		version, sig, ok := strings.Cut(entry, ",")
		if ok && version != "" && sig != "" {
			return true
		}
	}
	return false
}
