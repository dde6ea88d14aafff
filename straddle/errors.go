package straddle

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// Error is the error for every response with a non-2xx status. It is built
// from the error envelope when the body holds one, and from the status alone
// when the body is empty, HTML or not the expected JSON, so the status is
// never lost. Use errors.As to reach it, or the Is* helpers.
//
// The fields hold the response's text as received. Error() (and fmt, slog and
// JSON of the error) shows only what is safe to log: the status, the type
// when it is one of the ErrorType constants, the title when it is a known
// one, the request id when it is a UUID, and the item references made of the
// API's field names; never Detail or the items' details, which may quote
// personal data from the request.
type Error struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Type names the kind of error, such as ErrorTypeNotFound. Open-ended:
	// compare with HasType, which ignores the leading slash.
	Type ErrorType
	// Title is a short summary, such as "Not Found".
	Title string
	// Detail says what went wrong with this request. It may quote the
	// request (an email address, say), so Error() leaves it out.
	Detail string
	// Items lists the offending fields or rules, when the service names them.
	Items []ErrorItem
	// RequestID is Straddle's id for the request; quote it to support.
	RequestID string
	// IdempotentReplayed is true when the response replays an earlier request
	// that had the same idempotency key.
	IdempotentReplayed bool
}

// ErrorItem is one problem the service found with a request.
type ErrorItem struct {
	// Reference names the field or rule, such as "Device.IpAddress". May be
	// empty. Error() shows it when it is made of the API's field names.
	Reference string
	// Detail says what is wrong with it. It may quote the request.
	Detail string
}

// ErrorType is the kind of error the service names in its envelope's "type".
// The service writes them with a leading slash; HasType matches with or
// without it. The set is open: other values may come.
type ErrorType string

// The error types the service is known to send.
const (
	// ErrorTypeBadRequest (400): the request is malformed, such as a field in
	// the wrong format or an invalid Idempotency-Key; Items name the fields.
	ErrorTypeBadRequest ErrorType = "/bad_request"
	// ErrorTypeValidation (422): the request is well formed but a rule
	// refuses it, such as a duplicate email or a review decision on a
	// customer not in review.
	ErrorTypeValidation ErrorType = "/validation_error"
	// ErrorTypeFieldValidation: a field refused by the service's own checks.
	ErrorTypeFieldValidation ErrorType = "/field_validation"
	// ErrorTypeNotFound (404): no customer has the id.
	ErrorTypeNotFound ErrorType = "/not_found"
	// ErrorTypeConflict (409): the idempotency key is in use (see
	// IsIdempotencyKeyReused and IsRequestInProgress).
	ErrorTypeConflict ErrorType = "/conflict"
)

// HasType reports whether the service named the error t, with or without the
// leading slash and in any case.
func (e *Error) HasType(t ErrorType) bool {
	return e.Type != "" && strings.EqualFold(strings.TrimPrefix(string(e.Type), "/"), strings.TrimPrefix(string(t), "/"))
}

// Error shows the status, the type when it is a known one, the title and
// request id in their known shapes, what a recognised error means (such as
// "email already exists"), and the references of the items that are made of
// the API's field names (never values or details), counting the others. Any
// other text from the response is left out: it is on the fields.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("straddle: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := safeErrorType(e.Type); t != "" {
		b.WriteString(" " + t)
	}
	title := safeTitle(e.Title)
	if title == "" {
		title = http.StatusText(e.StatusCode)
	}
	if title != "" {
		b.WriteString(" " + title)
	}
	var notes []string
	if e.Type != "" && safeErrorType(e.Type) == "" {
		notes = append(notes, unrecognisedType)
	}
	if m := e.meaning(); m != "" {
		notes = append(notes, m)
	}
	if refs := e.references(); refs != "" {
		notes = append(notes, refs)
	}
	if len(notes) > 0 {
		b.WriteString(": " + strings.Join(notes, "; "))
	}
	if id := safeRequestID(e.RequestID); id != "" {
		b.WriteString(" (request " + id + ")")
	}
	return b.String()
}

// unrecognisedType is Error()'s note for a type that is none of the
// constants, which it leaves out.
const unrecognisedType = "unrecognised error type"

// meaning names, in words of this package, the recognised errors that a
// status and type alone do not tell apart.
func (e *Error) meaning() string {
	switch {
	case e.isDuplicateEmail():
		return "email already exists"
	case e.StatusCode == http.StatusConflict && isInProgressDetail(e.Detail):
		return "a request with this idempotency key is still in progress"
	case e.isKeyReused():
		return "idempotency key already used for a different request"
	case e.StatusCode == http.StatusConflict:
		return "not Straddle's conflict answer (" + e.envelopeNote(ErrorTypeConflict) + ")"
	case e.StatusCode == http.StatusNotFound && !e.HasType(ErrorTypeNotFound):
		return "not Straddle's not-found answer (" + e.envelopeNote(ErrorTypeNotFound) + "); check the base URL"
	}
	return ""
}

// envelopeNote says why an answer is not the service's envelope of type t:
// it has no envelope, or one of another type.
func (e *Error) envelopeNote(t ErrorType) string {
	if e.Type == "" {
		return "no error envelope"
	}
	return "not a " + strings.TrimPrefix(string(t), "/") + " envelope"
}

// references lists the items' references made of the API's field names, up
// to maxShownRefs, and counts the others.
func (e *Error) references() string {
	var shown []string
	for _, it := range e.Items {
		if ref := safeReference(it.Reference); ref != "" && len(shown) < maxShownRefs {
			shown = append(shown, ref)
		}
	}
	var others string
	switch rest := len(e.Items) - len(shown); rest {
	case 0:
	case 1:
		others = "1 other field"
	default:
		others = strconv.Itoa(rest) + " other fields"
	}
	switch {
	case len(shown) > 0 && others != "":
		return strings.Join(shown, ", ") + " and " + others
	case len(shown) > 0:
		return strings.Join(shown, ", ")
	}
	return others
}

// Format prints what Error returns under every verb and flag, quoted for
// %q, so %#v, %d or a printed copy of the value cannot show Detail or Items,
// which may quote personal data from the request. Read those fields directly.
func (e Error) Format(f fmt.State, verb rune) {
	s := e.Error()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// LogValue makes slog record what Error returns, never Detail or Items.
func (e Error) LogValue() slog.Value { return slog.StringValue(e.Error()) }

// MarshalJSON writes what Error returns as a JSON string, so an error logged
// as JSON (inside a slice or struct, where slog does not call LogValue) does
// not show Detail or Items either.
func (e Error) MarshalJSON() ([]byte, error) { return json.Marshal(e.Error()) }

// IsLocalValidation reports whether err is, or wraps, a *ValidationError:
// this package refused the call before sending anything, because a param, a
// customer id or an option broke a rule. Nothing reached Straddle.
func IsLocalValidation(err error) bool {
	var v *ValidationError
	return errors.As(err, &v)
}

// IsBadRequest reports whether err is, or wraps, a 400 *Error: the service
// found the request malformed (a field or header in the wrong form). Its
// Items name the fields.
func IsBadRequest(err error) bool { return hasStatus(err, http.StatusBadRequest) }

// IsUnprocessable reports whether err is, or wraps, a 422 *Error: the request
// was well formed but a business rule refused it, such as a duplicate email
// (IsDuplicateEmail) or a review decision on a customer not in review.
func IsUnprocessable(err error) bool { return hasStatus(err, http.StatusUnprocessableEntity) }

// IsDuplicateEmail reports whether err is, or wraps, the 422 *Error the
// service gives when another customer of the account has the email: "Email
// '…' already exists and must be unique."
func IsDuplicateEmail(err error) bool {
	e := asError(err)
	return e != nil && e.isDuplicateEmail()
}

// duplicateEmail matches the service's sentence for a duplicate email.
var duplicateEmail = regexp.MustCompile(`(?is)^\s*email\s+'.*'\s+already exists`)

func (e *Error) isDuplicateEmail() bool {
	if e.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	if duplicateEmail.MatchString(e.Detail) {
		return true
	}
	for _, it := range e.Items {
		if strings.EqualFold(it.Reference, "email") && strings.Contains(strings.ToLower(it.Detail), "already exists") {
			return true
		}
	}
	return false
}

// IsNotFound reports whether err is, or wraps, the service's 404: an *Error
// whose envelope says ErrorTypeNotFound. A bare 404 (no envelope), such as a
// wrong base URL gives, is not: that is a misconfiguration, not a missing
// customer, and its Error() says so.
func IsNotFound(err error) bool {
	e := asError(err)
	return e != nil && e.StatusCode == http.StatusNotFound && e.HasType(ErrorTypeNotFound)
}

// IsIdempotencyKeyReused reports whether err is, or wraps, a 409 *Error that
// says the idempotency key was already used for a different request (other
// method, path or body). The caller's keys are wrong: a retry cannot succeed,
// and the client does not retry it. Straddle answers 409 only about keys, so
// this is every 409 with its conflict envelope (ErrorTypeConflict) but the
// one IsRequestInProgress reports. A bare 409, such as a proxy's, is not.
func IsIdempotencyKeyReused(err error) bool {
	e := asError(err)
	return e != nil && e.isKeyReused()
}

func (e *Error) isKeyReused() bool {
	return e.StatusCode == http.StatusConflict && e.HasType(ErrorTypeConflict) && !isInProgressDetail(e.Detail)
}

// IsRequestInProgress reports whether err is, or wraps, the 409 *Error that
// says the first request with the same idempotency key is still running. The
// client retries it; it comes back when the retries ran out. Repeat the call
// later with the same key (WithIdempotencyKey) to get the first request's
// answer.
func IsRequestInProgress(err error) bool {
	e := asError(err)
	return e != nil && e.StatusCode == http.StatusConflict && isInProgressDetail(e.Detail)
}

// IsAuth reports whether err is, or wraps, a 401 or 403 *Error: a missing or
// wrong API key, or a key not allowed to do this.
func IsAuth(err error) bool {
	return hasStatus(err, http.StatusUnauthorized, http.StatusForbidden)
}

// IsRateLimited reports whether err is, or wraps, a 429 *Error: the client's
// retries ran out while the service kept refusing for the rate.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

// asError returns the *Error in err's chain, or nil.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

func hasStatus(err error, statuses ...int) bool {
	e := asError(err)
	if e == nil {
		return false
	}
	for _, s := range statuses {
		if e.StatusCode == s {
			return true
		}
	}
	return false
}

// wireError is the error envelope: {"meta": ..., "response_type": "error", "error": {...}}.
type wireError struct {
	Meta  wireMeta `json:"meta"`
	Error *struct {
		Type   ErrorType `json:"type"`
		Title  string    `json:"title"`
		Detail *string   `json:"detail"`
		Items  []struct {
			Reference *string `json:"reference"`
			Detail    string  `json:"detail"`
		} `json:"items"`
	} `json:"error"`
}

// newError builds the *Error for a non-2xx response, and returns the meta it
// read. Whatever the body holds, the status and the replay flag come from the
// response itself.
func newError(status int, header http.Header, body []byte) (*Error, wireMeta) {
	e := &Error{
		StatusCode:         status,
		IdempotentReplayed: replayed(header),
	}
	var w wireError
	if json.Unmarshal(body, &w) != nil {
		return e, wireMeta{}
	}
	e.RequestID = w.Meta.RequestID
	if w.Error == nil {
		return e, w.Meta
	}
	e.Type, e.Title = w.Error.Type, w.Error.Title
	if w.Error.Detail != nil {
		e.Detail = *w.Error.Detail
	}
	for _, it := range w.Error.Items {
		item := ErrorItem{Detail: it.Detail}
		if it.Reference != nil {
			item.Reference = *it.Reference
		}
		e.Items = append(e.Items, item)
	}
	return e, w.Meta
}

// inProgress reports whether a 409's body says the first request with the
// same idempotency key is still running: the one conflict worth retrying.
func inProgress(body []byte) bool {
	var w wireError
	if json.Unmarshal(body, &w) != nil || w.Error == nil || w.Error.Detail == nil {
		return false
	}
	return isInProgressDetail(*w.Error.Detail)
}

// isInProgressDetail reports whether a 409's detail is the service's
// "Previous identical request currently in progress."
func isInProgressDetail(detail string) bool {
	return strings.Contains(strings.ToLower(detail), "currently in progress")
}

// DecodeError reports a 2xx response whose body is not the expected JSON:
// malformed, truncated, too large or missing its data. The service did
// answer with success: for a write, the work was done.
type DecodeError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// RequestID is Straddle's id for the request, if it could be read, as
	// the body gave it.
	RequestID string
	// Err is the cause, with anything the decoder quoted from the body (a
	// number, a character, a map key) taken out.
	Err error
}

// newDecodeError builds the *DecodeError for a 2xx response whose body did
// not decode.
func newDecodeError(status int, requestID string, cause error) *DecodeError {
	return &DecodeError{StatusCode: status, RequestID: requestID, Err: withoutBodyText(cause)}
}

// Error describes the failure without quoting the body: the status, the
// request id when it is a UUID, and the kind of failure.
func (e *DecodeError) Error() string {
	msg := "straddle: decode " + strconv.Itoa(e.StatusCode) + " response"
	if id := safeRequestID(e.RequestID); id != "" {
		msg += " (request " + id + ")"
	}
	if e.Err == nil {
		return msg
	}
	return msg + ": " + withoutBodyText(e.Err).Error()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Format prints what Error returns under every verb and flag, quoted for %q,
// so a printed copy of the value cannot show the raw RequestID.
func (e DecodeError) Format(f fmt.State, verb rune) {
	s := e.Error()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// LogValue makes slog record what Error returns.
func (e DecodeError) LogValue() slog.Value { return slog.StringValue(e.Error()) }

// MarshalJSON writes what Error returns as a JSON string.
func (e DecodeError) MarshalJSON() ([]byte, error) { return json.Marshal(e.Error()) }

// withoutBodyText returns err, or, when its chain holds an encoding/json
// error (whose text quotes numbers, characters or keys from the input), an
// equivalent that quotes nothing: a *json.UnmarshalTypeError with only the
// kind of the value and a field path of known shape, or a malformed JSON
// error with only the offset.
func withoutBodyText(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		kind, _, _ := strings.Cut(te.Value, " ")
		clean := &json.UnmarshalTypeError{Value: kind, Type: te.Type, Offset: te.Offset, Struct: te.Struct, Field: safeReference(te.Field)}
		if clean.Field == "" {
			clean.Struct = ""
		}
		return clean
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &malformedJSONError{offset: se.Offset}
	}
	return err
}

// malformedJSONError is a body that is not JSON, told by offset only.
type malformedJSONError struct{ offset int64 }

func (e *malformedJSONError) Error() string {
	return "malformed JSON near byte " + strconv.FormatInt(e.offset, 10)
}

// errBodyTooLarge is the cause of a *DecodeError for a 2xx body over the limit.
var errBodyTooLarge = fmt.Errorf("response body exceeds %d bytes", maxSuccessBody)
