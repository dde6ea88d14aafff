package straddle

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const (
	// defaultMaxRetries is the number of retries after the first attempt.
	defaultMaxRetries = 2
	// backoffBase is the ceiling of the first backoff; it doubles per retry.
	backoffBase = 500 * time.Millisecond
	// backoffCap bounds the exponential backoff.
	backoffCap = 8 * time.Second
	// retryAfterCap bounds how long a Retry-After header can make us wait.
	retryAfterCap = 30 * time.Second
)

// Do sends req, retrying what is worth retrying, and returns the last
// response (its body already read into memory) or error. It implements
// gen.HttpRequestDoer; the per-call settings travel in the request context.
// It sets the credentials on req, which gen built for this call alone.
//
// A retry happens after a connection error, an expired per-attempt timeout,
// a 2xx whose body broke off mid-read, 408, 429, 5xx, or the 409 that says
// the first request with the same idempotency key is still running. Every
// attempt is the same request, with the same idempotency key. Waits use
// exponential backoff with full jitter, or Retry-After when the response has
// one (both capped), end when the context ends, and are not started when they
// would outlast its deadline.
func (d *doer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st := stateFrom(ctx)
	d.authorize(req)
	for attempt := 1; ; attempt++ {
		st.attempts, st.last = attempt, attemptLog{}
		resp, err := d.attempt(ctx, req, st, attempt)
		if err != nil && ctx.Err() != nil {
			// The caller's context ended: that is the answer, not what the
			// transport made of it.
			d.logAttempt(ctx, st, resp, err, false)
			return nil, ctx.Err()
		}
		if attempt > st.maxRetries || !retryable(resp, err) {
			if st.decodes && err == nil && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
				st.pending = true // logged once the body is decoded
			} else {
				d.logAttempt(ctx, st, resp, err, false)
			}
			return resp, err
		}
		wait := d.backoff(attempt)
		if resp != nil {
			if ra, ok := retryAfter(resp.Header, d.now()); ok {
				wait = ra
			}
		}
		if deadline, ok := ctx.Deadline(); ok && d.now().Add(wait).After(deadline) {
			d.logAttempt(ctx, st, resp, err, false)
			return resp, err
		}
		d.logAttempt(ctx, st, resp, err, true)
		if serr := d.sleep(ctx, wait); serr != nil {
			return nil, serr
		}
	}
}

// retryable classifies one attempt's outcome.
func retryable(resp *http.Response, err error) bool {
	if err != nil {
		return retryableTransportError(err)
	}
	switch s := resp.StatusCode; {
	case s >= 200 && s <= 299:
		return cutShort(resp)
	case s == http.StatusRequestTimeout, s == http.StatusTooManyRequests, s >= 500 && s <= 599:
		return true
	case s == http.StatusConflict:
		return inProgress(bufferedBytes(resp))
	}
	return false
}

// cutShort reports whether a response's body broke off mid-read: the
// connection failed after the headers, a transport failure retried like one
// (a write's retry carries the same idempotency key, so the service replays
// instead of acting again). A body over the size limit is not retried: it
// would come back the same.
func cutShort(resp *http.Response) bool {
	b, ok := resp.Body.(*bufferedBody)
	return ok && b.err != nil && !errors.Is(b.err, errBodyTooLarge) && retryableTransportError(b.err)
}

// retryableTransportError reports whether err is worth another attempt: a
// refused, reset or dropped connection, or an attempt that timed out.
// Certificate failures and other configuration errors are not.
func retryableTransportError(err error) bool {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var (
		certErr     *tls.CertificateVerificationError
		unknownAuth x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
	)
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) || errors.As(err, &invalidCert) {
		return false
	}
	var netErr net.Error
	return errors.As(err, &netErr) ||
		errors.Is(err, errConnectionLost) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED)
}

// backoff is the wait before retry number n (1-based): full jitter over an
// exponentially growing, capped ceiling.
func (d *doer) backoff(n int) time.Duration {
	ceiling := backoffCap
	if n <= 4 {
		ceiling = min(backoffBase<<(n-1), backoffCap)
	}
	return d.jitter(ceiling)
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date,
// capped at retryAfterCap.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		d = time.Duration(min(secs, int64(retryAfterCap/time.Second))) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = max(at.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, retryAfterCap), true
}

// fullJitter returns a random duration in [0, ceiling).
func fullJitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}

// sleepContext waits for d or until ctx ends, whichever comes first.
func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
