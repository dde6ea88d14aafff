package straddle

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// redacted is what every PII type prints, logs and marshals instead of its value.
const redacted = "[REDACTED]"

// writeRedacted implements fmt.Formatter for the PII types: every verb, flag
// and width prints the placeholder, quoted for %q, so no format can leak.
func writeRedacted(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = io.WriteString(f, `"`+redacted+`"`)
		return
	}
	_, _ = io.WriteString(f, redacted)
}

// redactedJSON is the JSON form of a PII value: the placeholder as a string,
// fresh for each call so no caller can alter another's.
func redactedJSON() []byte { return []byte(`"` + redacted + `"`) }

// piiRef holds a PII value behind a pointer. Even where fmt skips a type's
// methods (it does while printing a bad-verb error such as %!s(*T=...)), a
// pointer to a string prints as an address, never as the string.
type piiRef = *string

func newPIIRef(s string) piiRef {
	if s == "" {
		return nil
	}
	return &s
}

func reveal(s piiRef) string {
	if s == nil {
		return ""
	}
	return *s
}

// unmarshalPIIRef reads a JSON string or null into dst; "" and null give nil.
func unmarshalPIIRef(b []byte, dst *piiRef) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("straddle: expected a JSON string: %w", errWithoutValue(err))
	}
	*dst = nil
	if s != nil {
		*dst = newPIIRef(*s)
	}
	return nil
}

// errWithoutValue keeps a JSON type error's meaning but drops anything that
// could quote the input.
func errWithoutValue(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("got JSON %s", te.Value)
	}
	return errors.New("malformed JSON")
}

// SSN is a real US Social Security number (XXX-XX-XXXX). It prints, logs and
// marshals as "[REDACTED]"; Reveal is the only way to read it. The zero value
// means no SSN. Compare values by Reveal, not ==.
type SSN struct{ v piiRef }

// NewSSN wraps a Social Security number. The format is checked when a request
// is validated, before anything is sent.
func NewSSN(s string) SSN { return SSN{newPIIRef(s)} }

// Reveal returns the SSN itself. Keep the result out of logs and errors.
func (s SSN) Reveal() string { return reveal(s.v) }

// IsZero reports whether no SSN is set.
func (s SSN) IsZero() bool { return s.v == nil }

// String returns "[REDACTED]".
func (s SSN) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v does not leak.
func (s SSN) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (s SSN) Format(f fmt.State, verb rune) { writeRedacted(f, verb) }

// LogValue makes slog record "[REDACTED]".
func (s SSN) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[REDACTED]", so JSON logging of a model cannot leak.
// Request bodies are built from Reveal, not from this.
func (s SSN) MarshalJSON() ([]byte, error) { return redactedJSON(), nil }

// UnmarshalJSON reads the real value (from the unmasked endpoint); null gives the zero SSN.
func (s *SSN) UnmarshalJSON(b []byte) error { return unmarshalPIIRef(b, &s.v) }

// DOB is a real date of birth (YYYY-MM-DD). It prints, logs and marshals as
// "[REDACTED]"; Reveal is the only way to read it. The zero value means no
// date. Compare values by Reveal, not ==.
type DOB struct{ v piiRef }

// NewDOB wraps a date of birth written YYYY-MM-DD. The format is checked when a
// request is validated, before anything is sent.
func NewDOB(s string) DOB { return DOB{newPIIRef(s)} }

// Reveal returns the date of birth itself. Keep the result out of logs and errors.
func (d DOB) Reveal() string { return reveal(d.v) }

// IsZero reports whether no date of birth is set.
func (d DOB) IsZero() bool { return d.v == nil }

// String returns "[REDACTED]".
func (d DOB) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v does not leak.
func (d DOB) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (d DOB) Format(f fmt.State, verb rune) { writeRedacted(f, verb) }

// LogValue makes slog record "[REDACTED]".
func (d DOB) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[REDACTED]", so JSON logging of a model cannot leak.
func (d DOB) MarshalJSON() ([]byte, error) { return redactedJSON(), nil }

// UnmarshalJSON reads the real value (from the unmasked endpoint); null gives the zero DOB.
func (d *DOB) UnmarshalJSON(b []byte) error { return unmarshalPIIRef(b, &d.v) }

// EIN is a real Employer Identification Number (XX-XXXXXXX). It prints, logs
// and marshals as "[REDACTED]"; Reveal is the only way to read it. The zero
// value means no EIN. Compare values by Reveal, not ==.
type EIN struct{ v piiRef }

// NewEIN wraps an Employer Identification Number. The format is checked when a
// request is validated, before anything is sent.
func NewEIN(s string) EIN { return EIN{newPIIRef(s)} }

// Reveal returns the EIN itself. Keep the result out of logs and errors.
func (e EIN) Reveal() string { return reveal(e.v) }

// IsZero reports whether no EIN is set.
func (e EIN) IsZero() bool { return e.v == nil }

// String returns "[REDACTED]".
func (e EIN) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v does not leak.
func (e EIN) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (e EIN) Format(f fmt.State, verb rune) { writeRedacted(f, verb) }

// LogValue makes slog record "[REDACTED]".
func (e EIN) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[REDACTED]", so JSON logging of a model cannot leak.
func (e EIN) MarshalJSON() ([]byte, error) { return redactedJSON(), nil }

// UnmarshalJSON reads the real value (from the unmasked endpoint); null gives the zero EIN.
func (e *EIN) UnmarshalJSON(b []byte) error { return unmarshalPIIRef(b, &e.v) }

// IPAddress is a customer's real IPv4 address. It prints, logs and marshals as
// "[REDACTED]"; Reveal is the only way to read it. The zero value means no
// address. Compare values by Reveal, not ==.
type IPAddress struct{ v piiRef }

// NewIPAddress wraps an IPv4 address such as "203.0.113.42" ("0.0.0.0" marks an
// offline registration). The format is checked when a request is validated.
func NewIPAddress(s string) IPAddress { return IPAddress{newPIIRef(s)} }

// Reveal returns the address itself. Keep the result out of logs and errors.
func (a IPAddress) Reveal() string { return reveal(a.v) }

// IsZero reports whether no address is set.
func (a IPAddress) IsZero() bool { return a.v == nil }

// String returns "[REDACTED]".
func (a IPAddress) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v does not leak.
func (a IPAddress) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (a IPAddress) Format(f fmt.State, verb rune) { writeRedacted(f, verb) }

// LogValue makes slog record "[REDACTED]".
func (a IPAddress) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[REDACTED]", so JSON logging of a model cannot leak.
func (a IPAddress) MarshalJSON() ([]byte, error) { return redactedJSON(), nil }

// UnmarshalJSON reads the real value (from the unmasked endpoint); null gives the zero address.
func (a *IPAddress) UnmarshalJSON(b []byte) error { return unmarshalPIIRef(b, &a.v) }

// Masked is a personal value as masked reads return it, such as "***-**-****".
// It is a different type from SSN, DOB, EIN and IPAddress, so a value read from
// a customer cannot be put into a request by mistake. Fully masked values print
// as they are; anything else (some responses carry real-looking values in
// masked fields) prints, logs and marshals as "[REDACTED]". The zero value
// means the field was absent or null.
type Masked struct{ v piiRef }

// IsMasked reports whether the value is present and fully masked: only '*',
// '-' and '.' characters.
func (m Masked) IsMasked() bool {
	return m.v != nil && strings.Trim(*m.v, "*-.") == ""
}

// IsZero reports whether the field was absent or null.
func (m Masked) IsZero() bool { return m.v == nil }

// String returns the masked value when it is fully masked, "" when absent, and
// "[REDACTED]" otherwise.
func (m Masked) String() string {
	if m.v == nil || m.IsMasked() {
		return reveal(m.v)
	}
	return redacted
}

// GoString returns the quoted String, so %#v does not leak.
func (m Masked) GoString() string { return fmt.Sprintf("%q", m.String()) }

// Format prints String for every verb (quoted for %q and %#v).
func (m Masked) Format(f fmt.State, verb rune) {
	s := m.String()
	if verb == 'q' || (verb == 'v' && f.Flag('#')) {
		s = fmt.Sprintf("%q", s)
	}
	_, _ = io.WriteString(f, s)
}

// LogValue makes slog record String.
func (m Masked) LogValue() slog.Value { return slog.StringValue(m.String()) }

// MarshalJSON writes String as a JSON string, or null when absent.
func (m Masked) MarshalJSON() ([]byte, error) {
	if m.v == nil {
		return []byte("null"), nil
	}
	return json.Marshal(m.String())
}

// UnmarshalJSON reads a JSON string or null.
func (m *Masked) UnmarshalJSON(b []byte) error { return unmarshalPIIRef(b, &m.v) }
