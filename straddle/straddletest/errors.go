package straddletest

import (
	"net/http"
	"strings"
)

// apiError is an error response in the service's envelope.
type apiError struct {
	status int
	typ    string
	title  string
	detail *string
	items  []errorItem
}

// Error types and titles the service uses, by status.
var errorKinds = map[int][2]string{
	400: {"/bad_request", "Bad Request"},
	401: {"/unauthorized", "Unauthorized"},
	403: {"/forbidden", "Forbidden"},
	404: {"/not_found", "Not Found"},
	409: {"/conflict", "Conflict"},
	422: {"/validation_error", "Validation Failed"},
	429: {"/too_many_requests", "Too Many Requests"},
	500: {"/internal_server_error", "Internal Server Error"},
	502: {"/bad_gateway", "Bad Gateway"},
	503: {"/service_unavailable", "Service Unavailable"},
	504: {"/gateway_timeout", "Gateway Timeout"},
}

// newAPIError returns an error of the given status with the service's type and
// title for it (derived from the status text for statuses it does not name).
func newAPIError(status int, detail string) *apiError {
	kind, ok := errorKinds[status]
	if !ok {
		text := http.StatusText(status)
		if text == "" {
			text = "Error"
		}
		kind = [2]string{"/" + strings.ToLower(strings.ReplaceAll(text, " ", "_")), text}
	}
	e := &apiError{status: status, typ: kind[0], title: kind[1]}
	if detail != "" {
		e.detail = &detail
	}
	return e
}

func item(reference, detail string) errorItem {
	return errorItem{Reference: &reference, Detail: detail}
}

// badRequest is the 400 the service gives for fields that break a rule.
func badRequest(items ...errorItem) *apiError {
	e := newAPIError(http.StatusBadRequest, "One or more fields failed validation.")
	e.items = items
	return e
}

func notFound() *apiError { return newAPIError(http.StatusNotFound, "Customer not found.") }

// unprocessable is the 422 of a business rule.
func unprocessable(detail string, items ...errorItem) *apiError {
	e := newAPIError(http.StatusUnprocessableEntity, detail)
	e.items = items
	return e
}

// Idempotency errors, worded as the service words them.
const (
	detailKeyInvalid = "The Idempotency-Key header value is not valid."
	detailKeyReused  = "Idempotency key already used for a different request."
	detailInProgress = "Previous identical request currently in progress."
)

func invalidIdempotencyKey() *apiError {
	e := newAPIError(http.StatusBadRequest, "")
	e.items = []errorItem{item("Idempotency-Key", detailKeyInvalid)}
	return e
}

// Error lets an apiError travel through store.modify.
func (e *apiError) Error() string { return e.title }
