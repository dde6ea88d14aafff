package straddle

import (
	"net/http"
	"time"
)

// Connection pool defaults. A service shares one Client among many
// goroutines; net/http's default transport keeps only 2 idle connections per
// host, so each burst of concurrent calls past the second would open (over
// TLS, handshake) connections that are closed again as soon as they are
// done.
const (
	// maxIdleConnsPerHost is how many idle connections to Straddle the pool
	// keeps for the next calls: room for a burst of 100 concurrent calls.
	maxIdleConnsPerHost = 100
	// idleConnTimeout closes a connection unused for this long: before the
	// 60 seconds after which common load balancers drop idle connections, so
	// a call rarely meets one the far end has already closed.
	idleConnTimeout = 50 * time.Second
)

// NewTransport returns a new transport with the settings every Client
// without WithHTTPClient shares: net/http's default transport (proxy from
// the environment, dial and TLS handshake timeouts), with a pool sized for
// concurrent use (up to 100 idle connections kept per host, closed after 50
// seconds unused) and HTTP/2 whenever the server offers it, even after you
// set TLSClientConfig or DialContext on it.
//
// Start from it when you need your own http.Client (a proxy, TLS settings,
// instrumentation), so the pool stays sized:
//
//	tr := straddle.NewTransport()
//	tr.Proxy = http.ProxyURL(proxyURL)
//	client, err := straddle.NewClient(straddle.WithAPIKeyFromEnv(),
//		straddle.WithHTTPClient(&http.Client{Transport: tr}))
func NewTransport() *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = maxIdleConnsPerHost
	tr.MaxIdleConnsPerHost = maxIdleConnsPerHost
	tr.IdleConnTimeout = idleConnTimeout
	tr.ForceAttemptHTTP2 = true
	return tr
}

// defaultTransport is shared by every client built without WithHTTPClient,
// so they share one connection pool.
var defaultTransport http.RoundTripper = NewTransport()
