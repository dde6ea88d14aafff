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
// could quote the input. A *PlaceholderError, which quotes nothing, is kept.
func errWithoutValue(err error) error {
	var pe *PlaceholderError
	if errors.As(err, &pe) {
		return pe
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		kind, _, _ := strings.Cut(te.Value, " ")
		return fmt.Errorf("got JSON %s", kind)
	}
	return errors.New("malformed JSON")
}

// PlaceholderError reports JSON that holds a stand-in where a real SSN, date
// of birth, EIN or IP address belongs: the "[REDACTED]" these types marshal
// to, or a masked value such as "***-**-****" from a masked read. Decoding it
// as the real value would lose the value without a word (a customer cached
// with json.Marshal would come back with "[REDACTED]" as its SSN), so it
// fails instead. See the package documentation for how to store personal data
// on purpose. The error never quotes the value.
type PlaceholderError struct {
	// Kind is "SSN", "DOB", "EIN" or "IP address".
	Kind string
	// Masked is true for a masked value, false for the redaction placeholder.
	Masked bool
}

// Error names the kind of value and what stood in for it, never a value.
func (e *PlaceholderError) Error() string {
	what := "the redaction placeholder " + redacted
	if e.Masked {
		what = "a masked value"
	}
	return "straddle: " + e.Kind + " holds " + what + ", not the real value; json.Marshal never writes real values, so store Reveal() yourself"
}

// isRedactionPlaceholder reports the text the PII types marshal to.
func isRedactionPlaceholder(s string) bool {
	return strings.EqualFold(strings.TrimSpace(s), redacted)
}

// pii is the value and the redacting behaviour shared by SSN, DOB, EIN and
// IPAddress: String, GoString, Format (every verb), LogValue and MarshalJSON
// all give "[REDACTED]"; Reveal returns the value. Each type's UnmarshalJSON
// reads the real value through unmarshal.
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

// MarshalJSON writes "[REDACTED]", so JSON logging of a model cannot leak,
// and null for the zero value, which has nothing to hide. Request bodies are
// built from Reveal, not from this. Because of it, JSON of a model is no way
// to store personal data: decoding it back fails with a *PlaceholderError.
func (p pii) MarshalJSON() ([]byte, error) {
	if p.v == nil {
		return []byte("null"), nil
	}
	return redactedJSON(), nil
}

// unmarshal reads the real value (from the unmasked endpoint); null gives the
// zero value. "[REDACTED]" and masked values are refused with a
// *PlaceholderError naming kind, and p is left as it was.
func (p *pii) unmarshal(b []byte, kind string) error {
	var v piiRef
	if err := unmarshalPIIRef(b, &v); err != nil {
		return err
	}
	if v != nil {
		switch {
		case isRedactionPlaceholder(*v):
			return &PlaceholderError{Kind: kind}
		case isMaskedInput(*v):
			return &PlaceholderError{Kind: kind, Masked: true}
		}
	}
	p.v = v
	return nil
}

// SSN is a real US Social Security number (XXX-XX-XXXX). It prints, logs and
// marshals as "[REDACTED]"; Reveal is the only way to read it. The zero value
// means no SSN; IsZero tells. Compare values by Reveal, not ==.
type SSN struct{ pii }

// NewSSN wraps a Social Security number without checking it; the format is
// checked when a request is validated, before anything is sent. ParseSSN
// checks it at once.
func NewSSN(s string) SSN { return SSN{pii{newPIIRef(s)}} }

// ParseSSN checks s (XXX-XX-XXXX, not masked) and wraps it. A refusal is a
// *ValidationError for compliance_profile.ssn that does not quote s.
func ParseSSN(s string) (SSN, error) {
	return parsePII(NewSSN(s), "compliance_profile.ssn", s, func(ps *ValidationErrors, v SSN) { checkSSN(ps, v) })
}

// UnmarshalJSON reads a real SSN; null gives the zero value. "[REDACTED]" or
// a masked value gives a *PlaceholderError.
func (s *SSN) UnmarshalJSON(b []byte) error { return s.unmarshal(b, "SSN") }

// DOB is a real date of birth (YYYY-MM-DD). It prints, logs and marshals as
// "[REDACTED]"; Reveal is the only way to read it. The zero value means no
// date; IsZero tells. Compare values by Reveal, not ==.
type DOB struct{ pii }

// NewDOB wraps a date of birth written YYYY-MM-DD without checking it; the
// format is checked when a request is validated, before anything is sent.
// ParseDOB checks it at once.
func NewDOB(s string) DOB { return DOB{pii{newPIIRef(s)}} }

// ParseDOB checks s (a real date written YYYY-MM-DD, not in the future, not
// masked) and wraps it. A refusal is a *ValidationError for
// compliance_profile.dob that does not quote s.
func ParseDOB(s string) (DOB, error) {
	return parsePII(NewDOB(s), "compliance_profile.dob", s, func(ps *ValidationErrors, v DOB) { checkDOB(ps, v) })
}

// UnmarshalJSON reads a real date of birth; null gives the zero value.
// "[REDACTED]" or a masked value gives a *PlaceholderError.
func (d *DOB) UnmarshalJSON(b []byte) error { return d.unmarshal(b, "DOB") }

// EIN is a real Employer Identification Number (XX-XXXXXXX). It prints, logs
// and marshals as "[REDACTED]"; Reveal is the only way to read it. The zero
// value means no EIN; IsZero tells. Compare values by Reveal, not ==.
type EIN struct{ pii }

// NewEIN wraps an Employer Identification Number without checking it; the
// format is checked when a request is validated, before anything is sent.
// ParseEIN checks it at once.
func NewEIN(s string) EIN { return EIN{pii{newPIIRef(s)}} }

// ParseEIN checks s (XX-XXXXXXX, not masked) and wraps it. A refusal is a
// *ValidationError for compliance_profile.ein that does not quote s.
func ParseEIN(s string) (EIN, error) {
	return parsePII(NewEIN(s), "compliance_profile.ein", s, func(ps *ValidationErrors, v EIN) { checkEIN(ps, v) })
}

// UnmarshalJSON reads a real EIN; null gives the zero value. "[REDACTED]" or
// a masked value gives a *PlaceholderError.
func (e *EIN) UnmarshalJSON(b []byte) error { return e.unmarshal(b, "EIN") }

// IPAddress is a customer's real IPv4 address. It prints, logs and marshals as
// "[REDACTED]"; Reveal is the only way to read it. The zero value means no
// address; IsZero tells. Compare values by Reveal, not ==.
type IPAddress struct{ pii }

// NewIPAddress wraps an IPv4 address such as "203.0.113.42" ("0.0.0.0" marks an
// offline registration) without checking it; the format is checked when a
// request is validated. ParseIPAddress checks it at once.
func NewIPAddress(s string) IPAddress { return IPAddress{pii{newPIIRef(s)}} }

// ParseIPAddress checks s (an IPv4 address, not masked) and wraps it. A
// refusal is a *ValidationError for device.ip_address that does not quote s.
func ParseIPAddress(s string) (IPAddress, error) {
	return parsePII(NewIPAddress(s), "device.ip_address", s, func(ps *ValidationErrors, v IPAddress) { checkIP(ps, v) })
}

// UnmarshalJSON reads a real IP address; null gives the zero value.
// "[REDACTED]" or a masked value gives a *PlaceholderError.
func (ip *IPAddress) UnmarshalJSON(b []byte) error { return ip.unmarshal(b, "IP address") }

// parsePII runs the request validation's check on v, refusing an empty s too.
func parsePII[T any](v T, field, s string, check func(*ValidationErrors, T)) (T, error) {
	var zero T
	if s == "" {
		return zero, &ValidationError{Field: field, Rule: ruleRequired}
	}
	var ps ValidationErrors
	check(&ps, v)
	if len(ps) > 0 {
		return zero, ps[0]
	}
	return v, nil
}

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
