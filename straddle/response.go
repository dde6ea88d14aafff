package straddle

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// Response holds the facts of a call's last HTTP response that the returned
// value does not carry. Ask for it with WithResponseInto; it is filled for
// failed calls too, as far as the call got.
type Response struct {
	// StatusCode is the HTTP status of the last attempt; 0 if none answered.
	StatusCode int
	// Header is the last response's header.
	Header http.Header
	// RequestID is Straddle's id for the request (meta.api_request_id).
	RequestID string
	// RequestTime is when Straddle handled the request (meta.api_request_timestamp).
	RequestTime time.Time
	// IdempotencyKey is the key the call sent, the caller's or a generated
	// one; empty for reads, which carry none.
	IdempotencyKey string
	// IdempotentReplayed is true when the response replays an earlier request
	// that had the same idempotency key.
	IdempotentReplayed bool
	// Attempts is how many times the request was sent: each attempt
	// delivers it once at most, as the transport's own resends are stopped
	// (see WithMaxRetries).
	Attempts int
}

// wireMeta is the part of a response's meta that every envelope has.
type wireMeta struct {
	RequestID        string `json:"api_request_id"`
	RequestTimestamp string `json:"api_request_timestamp"`
}

// readMeta reads meta from a response body of any shape; a body that is not
// the envelope gives the zero value.
func readMeta(body []byte) wireMeta {
	var env struct {
		Meta wireMeta `json:"meta"`
	}
	if json.Unmarshal(body, &env) != nil {
		return wireMeta{}
	}
	return env.Meta
}

// replayed reports whether the response says it is an idempotent replay.
func replayed(h http.Header) bool {
	return strings.EqualFold(strings.TrimSpace(h.Get("Idempotent-Replayed")), "true")
}

// fill records the last response's facts; a nil r is left alone.
func (r *Response) fill(resp *http.Response, meta wireMeta) {
	if r == nil {
		return
	}
	r.StatusCode = resp.StatusCode
	r.Header = resp.Header
	r.RequestID = meta.RequestID
	r.RequestTime = time.Time{}
	if t, err := parseTimestamp(meta.RequestTimestamp); err == nil {
		r.RequestTime = t
	}
	r.IdempotentReplayed = replayed(resp.Header)
}
