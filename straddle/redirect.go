package straddle

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// RedirectError reports a response with a 3xx status. Straddle's API never
// redirects, so the client follows no redirect, whatever the status or the
// target: the request, its body (which may hold an SSN), its idempotency key
// and the API key go to the base URL and nowhere else. A redirect means the
// base URL is wrong or something on the way is rewriting traffic, so it is
// not retried either.
type RedirectError struct {
	// StatusCode is the 3xx status of the response.
	StatusCode int
	// Location is the response's Location header as received (never
	// followed). Error leaves it out: it is the server's text, not checked.
	Location string
}

// Error names the status only.
func (e *RedirectError) Error() string {
	return "straddle: the server answered " + strconv.Itoa(e.StatusCode) +
		", a redirect; Straddle's API does not redirect, so the client does not follow (check the base URL)"
}

// redirectDrainLimit is how much of a redirect's body is read so that its
// connection can serve the next request; a longer body closes the connection.
const redirectDrainLimit = 4 << 10

// refuseRedirects is the RoundTripper under every client: it turns a 3xx
// response into a *RedirectError before net/http's Client sees it, so the
// Client neither follows it (to another host, re-sending a 307's body) nor
// reads its Location, and the caller's CheckRedirect cannot send it on.
type refuseRedirects struct {
	base http.RoundTripper
}

func (t refuseRedirects) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode < 300 || resp.StatusCode > 399 {
		return resp, err
	}
	_, _ = io.CopyN(io.Discard, resp.Body, redirectDrainLimit)
	_ = resp.Body.Close()
	return nil, &RedirectError{StatusCode: resp.StatusCode, Location: resp.Header.Get("Location")}
}

// roundTripper returns what the doer sends each attempt through: hc's
// transport (or the shared default) under refuseRedirects, and hc's Timeout.
// The doer calls the transport itself, not hc.Do: net/http's Client would
// only add redirects (refused here anyway), cookies (the API sets none) and
// its Timeout (the doer applies it to each attempt), at the cost of cloning
// every request's header and URL.
func roundTripper(hc *http.Client) (http.RoundTripper, time.Duration) {
	if hc == nil {
		return refuseRedirects{base: defaultTransport}, 0
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return refuseRedirects{base: base}, hc.Timeout
}
