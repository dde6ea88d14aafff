package straddle

import (
	"errors"
	"net/http"
	"net/textproto"
	"time"
)

// Option configures a Client in NewClient.
type Option interface {
	applyClient(*settings) error
}

// RequestOption changes one call: the headers it sends, how it retries, or
// where it reports the response. Invalid options fail the call before any
// request is sent.
type RequestOption interface {
	applyCall(*callConfig)
}

// CommonOption works at both levels. Given to NewClient it sets a default for
// every call of the client; given to one call it overrides that default for
// the call alone. WithMaxRetries, WithAttemptTimeout, WithAccountID and
// WithHeader are CommonOptions.
type CommonOption interface {
	Option
	RequestOption
}

// clientOption is an Option that only NewClient takes.
type clientOption func(*settings) error

func (f clientOption) applyClient(s *settings) error { return f(s) }

// requestOption is a RequestOption that only calls take.
type requestOption func(*callConfig)

func (f requestOption) applyCall(c *callConfig) { f(c) }

// commonOption sets a call setting: on the client's defaults, or on one call's.
type commonOption func(*callConfig)

func (f commonOption) applyCall(c *callConfig) { f(c) }

func (f commonOption) applyClient(s *settings) error {
	f(&s.defaults)
	err := errors.Join(s.defaults.errs...)
	s.defaults.errs = nil
	return err
}

// callConfig holds the settings of a call: the client's defaults, then the
// call's own options on top.
type callConfig struct {
	idempotencyKey  string
	header          http.Header
	retries         *int
	attemptTimeout  *time.Duration
	response        *Response
	conflictRetries int // Edit's, see WithConflictRetries
	errs            []error
}

// WithIdempotencyKey sends key as the call's Idempotency-Key instead of a
// generated one (10 to 40 characters). Writes only: reads send no key. Reuse a
// key to make a repeat of the same write safe across process restarts.
func WithIdempotencyKey(key string) RequestOption {
	return requestOption(func(c *callConfig) {
		if err := checkIdempotencyKey(key); err != nil {
			c.errs = append(c.errs, err)
			return
		}
		c.idempotencyKey = key
	})
}

// WithAccountID acts for the account id (Straddle-Account-Id), as platforms
// do for their connected accounts. The id must be a UUID. On NewClient it
// scopes every call; on a call it overrides the client's account.
func WithAccountID(id string) CommonOption {
	return commonOption(func(c *callConfig) {
		if validateID(id) != nil {
			c.errs = append(c.errs, &ValidationError{Field: "Straddle-Account-Id", Rule: "must be a UUID"})
			return
		}
		c.set("Straddle-Account-Id", id)
	})
}

// WithRequestID sends id as Request-Id, to trace this request.
func WithRequestID(id string) RequestOption {
	return requestOption(func(c *callConfig) { c.setTrace("Request-Id", id) })
}

// WithCorrelationID sends id as Correlation-Id, to trace a series of requests.
func WithCorrelationID(id string) RequestOption {
	return requestOption(func(c *callConfig) { c.setTrace("Correlation-Id", id) })
}

// WithHeader adds a header to requests: to every call when given to
// NewClient, to one call otherwise. A call's WithHeader replaces the client's
// values of that header. Headers the client manages (Authorization,
// Idempotency-Key, Content-Type, and those with their own option) cannot be
// set this way.
func WithHeader(key, value string) CommonOption {
	return commonOption(func(c *callConfig) {
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
	})
}

// WithMaxRetries sets how many times a failed request is retried: 2 by
// default (3 attempts), 0 for none. On NewClient it is the default of every
// call; on a call it overrides that default. Waits between attempts follow
// Retry-After when the response has one, capped at 30 s, and jittered
// exponential backoff otherwise; none outlasts the context's deadline.
//
// Every resend is the client's, counted in Response.Attempts: net/http's
// Transport would resend a request on its own (a GET, or a write, which
// carries an Idempotency-Key) when a reused connection failed after the
// request was written, and the client stops that resend before it is written.
func WithMaxRetries(n int) CommonOption {
	return commonOption(func(c *callConfig) {
		if n < 0 {
			c.errs = append(c.errs, &ValidationError{Field: "max retries", Rule: "must not be negative"})
			return
		}
		c.retries = &n
	})
}

// WithAttemptTimeout bounds each attempt of a request: 60s by default, 0 for
// no bound. An attempt that runs out is retried while the call's context
// lives, so bound a whole call with its context. On NewClient it is the
// default of every call; on a call it overrides that default.
//
// It is independent of http.Client.Timeout of a client given to
// WithHTTPClient, which also bounds each attempt; the shorter one wins.
func WithAttemptTimeout(d time.Duration) CommonOption {
	return commonOption(func(c *callConfig) {
		if d < 0 {
			c.errs = append(c.errs, &ValidationError{Field: "attempt timeout", Rule: "must not be negative"})
			return
		}
		c.attemptTimeout = &d
	})
}

// WithResponseInto fills *r with the facts of the call's last response:
// status, header, request id and time, idempotency key, replay flag and the
// number of attempts.
func WithResponseInto(r *Response) RequestOption {
	return requestOption(func(c *callConfig) { c.response = r })
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

// newCallConfig applies a call's opts over the client's defaults and returns
// their joined errors. A header the call sets replaces the default's values.
func newCallConfig(defaults *callConfig, opts []RequestOption) (*callConfig, error) {
	if len(opts) == 0 {
		return defaults, nil // calls only read their settings
	}
	own := &callConfig{}
	for _, o := range opts {
		if o != nil {
			o.applyCall(own)
		}
	}
	if err := errors.Join(own.errs...); err != nil {
		return nil, err
	}
	c := &callConfig{
		idempotencyKey:  own.idempotencyKey,
		conflictRetries: own.conflictRetries,
		retries:         defaults.retries,
		attemptTimeout:  defaults.attemptTimeout,
		response:        own.response,
	}
	if own.retries != nil {
		c.retries = own.retries
	}
	if own.attemptTimeout != nil {
		c.attemptTimeout = own.attemptTimeout
	}
	switch {
	case len(own.header) == 0:
		c.header = defaults.header // never modified after NewClient
	case len(defaults.header) == 0:
		c.header = own.header
	default:
		c.header = defaults.header.Clone()
		for name, values := range own.header {
			c.header[name] = values
		}
	}
	return c, nil
}
