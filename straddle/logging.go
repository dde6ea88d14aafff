package straddle

import (
	"context"
	"log/slog"
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

// logAttempt writes one record for an attempt, when a logger is set.
// Failed attempts and 5xx responses log at Warn, the others at Info.
func (d *doer) logAttempt(ctx context.Context, a attemptLog) {
	if d.logger == nil {
		return
	}
	level := slog.LevelInfo
	if a.err != nil || a.status >= 500 {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("method", a.method),
		slog.String("path", a.path),
		slog.Int("status", a.status),
		slog.String("request_id", a.requestID),
		slog.Int("attempt", a.attempt),
		slog.Duration("duration", a.duration),
	}
	if a.err != nil {
		attrs = append(attrs, slog.String("error", a.err.Error()))
	}
	d.logger.LogAttrs(ctx, level, "straddle: request", attrs...)
}
