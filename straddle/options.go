package straddle

import (
	"errors"
	"net/http"
	"net/textproto"
	"time"
)

// RequestOption changes one call: the headers it sends, how it retries, or
// where it reports the response. Invalid options fail the call before any
// request is sent.
type RequestOption func(*callConfig)

// callConfig is the result of a call's RequestOptions.
type callConfig struct {
	idempotencyKey string
	header         http.Header
	retries        *int
	attemptTimeout *time.Duration
	response       *Response
	errs           []error
}

// WithIdempotencyKey sends key as the call's Idempotency-Key instead of a
// generated one (10 to 40 characters). Writes only: reads send no key. Reuse a
// key to make a repeat of the same write safe across process restarts.
func WithIdempotencyKey(key string) RequestOption {
	return func(c *callConfig) {
		if err := checkIdempotencyKey(key); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.idempotencyKey = key
	}
}

// WithAccountID acts for the embedded account id (Straddle-Account-Id), for
// platforms. The id must be a UUID.
func WithAccountID(id string) RequestOption {
	return func(c *callConfig) {
		if validateID(id) != nil {
			c.errs = append(c.errs, &ValidationError{Field: "Straddle-Account-Id", Rule: "must be a UUID"})
			return
		}
		c.set("Straddle-Account-Id", id)
	}
}

// WithRequestID sends id as Request-Id, to trace this request.
func WithRequestID(id string) RequestOption {
	return func(c *callConfig) { c.setTrace("Request-Id", id) }
}

// WithCorrelationID sends id as Correlation-Id, to trace a series of requests.
func WithCorrelationID(id string) RequestOption {
	return func(c *callConfig) { c.setTrace("Correlation-Id", id) }
}

// WithHeader adds a header to the request. Headers the client manages
// (Authorization, Idempotency-Key, Content-Type, and those with their own
// option) cannot be set this way.
func WithHeader(key, value string) RequestOption {
	return func(c *callConfig) {
		name := textproto.CanonicalMIMEHeaderKey(key)
		switch name {
		case "Authorization", "Idempotency-Key", "Content-Type", "Content-Length", "Host", "User-Agent",
			"Straddle-Account-Id", "Request-Id", "Correlation-Id":
			c.errs = append(c.errs, &ValidationError{Field: name, Rule: "is set by the client or its own option, not WithHeader"})
			return
		}
		if name == "" || !printableASCII(value) {
			c.errs = append(c.errs, &ValidationError{Field: "header " + name, Rule: "must have a name and a printable ASCII value"})
			return
		}
		if c.header == nil {
			c.header = make(http.Header)
		}
		c.header.Add(name, value)
	}
}

// WithRetries sets how many times this call may be retried (0 for none),
// overriding WithMaxRetries.
func WithRetries(n int) RequestOption {
	return func(c *callConfig) {
		if n < 0 {
			c.errs = append(c.errs, &ValidationError{Field: "retries", Rule: "must not be negative"})
			return
		}
		c.retries = &n
	}
}

// WithAttemptTimeout bounds each attempt of this call (0 for no bound),
// overriding WithTimeout. An attempt that runs out is retried while the
// call's context lives.
func WithAttemptTimeout(d time.Duration) RequestOption {
	return func(c *callConfig) {
		if d < 0 {
			c.errs = append(c.errs, &ValidationError{Field: "attempt timeout", Rule: "must not be negative"})
			return
		}
		c.attemptTimeout = &d
	}
}

// WithResponseInto fills *r with the facts of the call's last response:
// status, header, request id and time, idempotency key, replay flag and the
// number of attempts.
func WithResponseInto(r *Response) RequestOption {
	return func(c *callConfig) { c.response = r }
}

func (c *callConfig) set(name, value string) {
	if c.header == nil {
		c.header = make(http.Header)
	}
	c.header.Set(name, value)
}

func (c *callConfig) setTrace(name, value string) {
	if value == "" || !printableASCII(value) {
		c.errs = append(c.errs, &ValidationError{Field: name, Rule: "must be non-empty printable ASCII"})
		return
	}
	c.set(name, value)
}

// newCallConfig applies opts and returns their joined errors.
func newCallConfig(opts []RequestOption) (*callConfig, error) {
	c := &callConfig{}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c, errors.Join(c.errs...)
}
