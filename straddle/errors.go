package straddle

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// Error is the error for every response with a non-2xx status. It is built
// from the error envelope when the body holds one, and from the status alone
// when the body is empty, HTML or not the expected JSON, so the status is
// never lost. Use errors.As to reach it, or the Is* helpers.
type Error struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Type names the kind of error, such as "/not_found". Open-ended.
	Type string
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
	// Reference names the field or rule, such as "Device.IpAddress". May be empty.
	Reference string
	// Detail says what is wrong with it.
	Detail string
}

// Error shows the status, type, title and request id: safe to log, because
// it never includes bodies, details or other data that may be personal.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("straddle: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Type != "" {
		b.WriteString(" " + e.Type)
	}
	title := e.Title
	if title == "" {
		title = http.StatusText(e.StatusCode)
	}
	if title != "" {
		b.WriteString(" " + title)
	}
	if e.RequestID != "" {
		b.WriteString(" (request " + e.RequestID + ")")
	}
	return b.String()
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

// DecodeError reports a 2xx response whose body is not the expected JSON:
// malformed, truncated, too large or missing its data.
type DecodeError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// RequestID is Straddle's id for the request, if it could be read.
	RequestID string
	// Err is the underlying cause.
	Err error
}

// Error describes the failure without quoting the body.
func (e *DecodeError) Error() string {
	msg := "straddle: decode " + strconv.Itoa(e.StatusCode) + " response"
	if e.RequestID != "" {
		msg += " (request " + e.RequestID + ")"
	}
	return msg + ": " + e.Err.Error()
}

// Unwrap returns the underlying cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// IsNotFound reports whether err is, or wraps, a 404 *Error.
func IsNotFound(err error) bool { return hasStatus(err, http.StatusNotFound) }

// IsConflict reports whether err is, or wraps, a 409 *Error, such as an
// idempotency key reused for a different request.
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }

// IsValidation reports whether err is, or wraps, a request the service
// refused as invalid (400 or 422) or one this package refused before sending
// it (*ValidationError).
func IsValidation(err error) bool {
	var v *ValidationError
	return hasStatus(err, http.StatusBadRequest, http.StatusUnprocessableEntity) || errors.As(err, &v)
}

// IsAuth reports whether err is, or wraps, a 401 or 403 *Error: a missing or
// wrong API key, or a key not allowed to do this.
func IsAuth(err error) bool {
	return hasStatus(err, http.StatusUnauthorized, http.StatusForbidden)
}

// IsRateLimited reports whether err is, or wraps, a 429 *Error.
func IsRateLimited(err error) bool { return hasStatus(err, http.StatusTooManyRequests) }

func hasStatus(err error, statuses ...int) bool {
	var e *Error
	if !errors.As(err, &e) {
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
		Type   string  `json:"type"`
		Title  string  `json:"title"`
		Detail *string `json:"detail"`
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

// inProgress reports whether a 409 says the first request with the same
// idempotency key is still running: the one conflict worth retrying.
func inProgress(body []byte) bool {
	var w wireError
	if json.Unmarshal(body, &w) != nil || w.Error == nil || w.Error.Detail == nil {
		return false
	}
	return strings.Contains(strings.ToLower(*w.Error.Detail), "currently in progress")
}

// errBodyTooLarge is the cause of a *DecodeError for a 2xx body over the limit.
var errBodyTooLarge = fmt.Errorf("response body exceeds %d bytes", maxSuccessBody)
