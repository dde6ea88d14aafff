package straddle

import (
	"net/http"
	"regexp"
	"strings"
)

// Text the service (or whatever answered in its place) wrote reaches an
// error string or a log record only in a shape known to be safe: short,
// ASCII, no control characters, and unable to carry an SSN, a date, an EIN or
// an IP address. A proxy that echoes a request into an error body, or writes
// CR, LF or ESC into it, changes nothing in what Error() prints; the raw text
// stays on the error's fields for code to read.

// maxShownRefs bounds how many item references Error() lists.
const maxShownRefs = 8

var (
	// errorTypeShape is the service's error type: snake_case words, with or
	// without a leading slash, such as "/validation_error". No digits.
	errorTypeShape = regexp.MustCompile(`^/?[a-z]{1,30}(_[a-z]{1,30}){0,4}$`)
	// requestIDShape is a UUID, as meta.api_request_id is declared.
	requestIDShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// referenceShape is a field path such as "Device.IpAddress",
	// "compliance_profile.ssn", "representatives[0].name" or
	// "Idempotency-Key": segments that start with a letter and end with at
	// most two digits (address1), joined by dots or hyphens, with small
	// indexes. Numbers, dates and addresses do not fit.
	referenceShape = regexp.MustCompile(`^(\$\.)?[A-Za-z_][A-Za-z_]{0,40}[0-9]{0,2}(\[[0-9]{1,4}\])?([.-][A-Za-z_][A-Za-z_]{0,40}[0-9]{0,2}(\[[0-9]{1,4}\])?){0,7}$`)
)

// maxReferenceLen bounds a reference Error() shows.
const maxReferenceLen = 80

// knownTitles maps each title the service is known to use, in lower case, to
// its usual spelling: the HTTP status texts and "Validation Failed".
var knownTitles = func() map[string]string {
	titles := map[string]string{"validation failed": "Validation Failed"}
	for code := 100; code < 600; code++ {
		if t := http.StatusText(code); t != "" {
			titles[strings.ToLower(t)] = t
		}
	}
	return titles
}()

// safeErrorType returns t if it has the shape of an error type, else "".
func safeErrorType(t ErrorType) string {
	if errorTypeShape.MatchString(string(t)) {
		return string(t)
	}
	return ""
}

// safeTitle returns the known title t names, else "".
func safeTitle(t string) string { return knownTitles[strings.ToLower(t)] }

// safeRequestID returns id if it is a UUID, else "".
func safeRequestID(id string) string {
	if requestIDShape.MatchString(id) {
		return id
	}
	return ""
}

// safeReference returns ref if it has the shape of a field path, else "".
func safeReference(ref string) string {
	if len(ref) <= maxReferenceLen && referenceShape.MatchString(ref) {
		return ref
	}
	return ""
}
