package straddle

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// attemptLog is what one attempt leaves in the log: metadata only, never
// bodies, query strings or headers.
type attemptLog struct {
	method    string
	path      string // the operation's path template, such as /v1/customers/{id}
	attempt   int
	status    int // 0 when no response came
	requestID string
	duration  time.Duration
	err       error // a transport error, already stripped of the URL's query
}

// logAttempt writes the record of the call's latest attempt, when a logger is
// set, at the level attemptLevel gives for its outcome. The request id is
// logged only when it is a UUID, as the service's are: the body is not to be
// trusted with what goes into a log.
func (d *doer) logAttempt(ctx context.Context, st *callState, resp *http.Response, err error, retrying bool) {
	if d.logger == nil || st.last.attempt == 0 {
		return
	}
	a := &st.last
	attrs := []slog.Attr{
		slog.String("method", a.method),
		slog.String("path", a.path),
		slog.Int("status", a.status),
		slog.String("request_id", safeRequestID(a.requestID)),
		slog.Int("attempt", a.attempt),
		slog.Duration("duration", a.duration),
	}
	if a.err != nil {
		attrs = append(attrs, slog.String("error", a.err.Error()))
	}
	d.logger.LogAttrs(ctx, attemptLevel(ctx, resp, err, retrying), "straddle: request", attrs...)
}

// logDecoded writes the record the doer held back for a call's last attempt,
// a 2xx, once the call decoded its body: decodeErr is the *DecodeError when
// the body did not decode. Such a call failed (and a write may have been
// done), so it is logged at Error with the error, which quotes nothing from
// the body.
func (d *doer) logDecoded(ctx context.Context, st *callState, resp *http.Response, decodeErr error) {
	if !st.pending {
		return
	}
	st.pending = false
	if decodeErr != nil {
		st.last.err = decodeErr
	}
	d.logAttempt(ctx, st, resp, decodeErr, false)
}

// attemptLevel is the level of an attempt's record, by what it means to a
// service in production:
//
//   - Debug: a success.
//   - Warn: an attempt that will be retried; a request the service refused
//     (a 3xx or a 4xx that is not retried: fix the request); a call whose
//     context deadline passed.
//   - Error: the last attempt of a call that failed on the service's or the
//     network's side: 5xx, 408, 429 or the in-progress 409 when the retries
//     ran out (or the next wait would outlast the deadline), a connection
//     error, a success body that broke off, was too large or did not decode.
//   - Info: a call the caller cancelled.
func attemptLevel(ctx context.Context, resp *http.Response, err error, retrying bool) slog.Level {
	switch {
	case retrying:
		return slog.LevelWarn
	case errors.As(err, new(*DecodeError)):
		return slog.LevelError
	case err != nil && ctx.Err() != nil:
		if errors.Is(ctx.Err(), context.Canceled) {
			return slog.LevelInfo
		}
		return slog.LevelWarn
	case errors.As(err, new(*RedirectError)):
		return slog.LevelWarn
	case err != nil:
		return slog.LevelError
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		if b, ok := resp.Body.(*bufferedBody); ok && b.err != nil {
			return slog.LevelError
		}
		return slog.LevelDebug
	case retryable(resp, nil):
		return slog.LevelError
	}
	return slog.LevelWarn
}
