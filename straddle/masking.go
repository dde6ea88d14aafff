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
	if s, ok := plainJSONString(b); ok {
		*dst = newPIIRef(s)
		return nil
	}
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

// plainJSONString returns the value of a JSON string literal made of
// printable ASCII without escapes, the form PII values take on the wire,
// without the cost of a full decode. Anything else is left to encoding/json.
func plainJSONString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	b = b[1 : len(b)-1]
	for _, c := range b {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(b), true
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

// pii is the value and the redacting behaviour shared by SSN, DOB, EIN and
// IPAddress: String, GoString, Format (every verb), LogValue and MarshalJSON
// all give "[REDACTED]"; UnmarshalJSON reads the real value; Reveal returns it.
type pii struct{ v piiRef }

// Reveal returns the value itself. Keep the result out of logs and errors.
func (p pii) Reveal() string { return reveal(p.v) }

// IsZero reports whether no value is set.
func (p pii) IsZero() bool { return p.v == nil }

// String returns "[REDACTED]".
func (p pii) String() string { return redacted }

// GoString returns "[REDACTED]", so %#v does not leak.
func (p pii) GoString() string { return redacted }

// Format prints "[REDACTED]" for every verb.
func (p pii) Format(f fmt.State, verb rune) { writeRedacted(f, verb) }

// LogValue makes slog record "[REDACTED]".
func (p pii) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[REDACTED]", so JSON logging of a model cannot leak.
// Request bodies are built from Reveal, not from this.
func (p pii) MarshalJSON() ([]byte, error) { return redactedJSON(), nil }

// UnmarshalJSON reads the real value (from the unmasked endpoint); null gives the zero value.
func (p *pii) UnmarshalJSON(b []byte) error { return unmarshalPIIRef(b, &p.v) }

// SSN is a real US Social Security number (XXX-XX-XXXX). It prints, logs and
// marshals as "[REDACTED]"; Reveal is the only way to read it. The zero value
// means no SSN; IsZero tells. Compare values by Reveal, not ==.
type SSN struct{ pii }

// NewSSN wraps a Social Security number. The format is checked when a request
// is validated, before anything is sent.
func NewSSN(s string) SSN { return SSN{pii{newPIIRef(s)}} }

// DOB is a real date of birth (YYYY-MM-DD). It prints, logs and marshals as
// "[REDACTED]"; Reveal is the only way to read it. The zero value means no
// date; IsZero tells. Compare values by Reveal, not ==.
type DOB struct{ pii }

// NewDOB wraps a date of birth written YYYY-MM-DD. The format is checked when a
// request is validated, before anything is sent.
func NewDOB(s string) DOB { return DOB{pii{newPIIRef(s)}} }

// EIN is a real Employer Identification Number (XX-XXXXXXX). It prints, logs
// and marshals as "[REDACTED]"; Reveal is the only way to read it. The zero
// value means no EIN; IsZero tells. Compare values by Reveal, not ==.
type EIN struct{ pii }

// NewEIN wraps an Employer Identification Number. The format is checked when a
// request is validated, before anything is sent.
func NewEIN(s string) EIN { return EIN{pii{newPIIRef(s)}} }

// IPAddress is a customer's real IPv4 address. It prints, logs and marshals as
// "[REDACTED]"; Reveal is the only way to read it. The zero value means no
// address; IsZero tells. Compare values by Reveal, not ==.
type IPAddress struct{ pii }

// NewIPAddress wraps an IPv4 address such as "203.0.113.42" ("0.0.0.0" marks an
// offline registration). The format is checked when a request is validated.
func NewIPAddress(s string) IPAddress { return IPAddress{pii{newPIIRef(s)}} }

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
