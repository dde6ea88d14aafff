package straddletest

import (
	"io"
	"log/slog"
	"testing"
	"time"
)

// DefaultAPIKey is the API key a Server accepts unless WithAPIKeys says otherwise.
const DefaultAPIKey = "sk_test_straddletest"

// Option configures a Server.
type Option func(*config)

type config struct {
	keys      []string
	clock     func() time.Time
	unmasking bool
	validate  bool
	record    bool
	zoneless  bool
	stateless bool
	t         testing.TB
	logger    *slog.Logger
	seeds     []seedSource
	platforms []platform
	webhooks  webhookConfig
}

type seedSource struct {
	r    io.Reader
	path string
}

func defaultConfig() config {
	return config{keys: []string{DefaultAPIKey}, clock: time.Now, unmasking: true, validate: true, record: true,
		webhooks: defaultWebhookConfig()}
}

// WithAPIKeys sets the API keys the server accepts (replacing DefaultAPIKey).
// Each key belongs to an account of its own (Server.AccountID) and acts for
// that account only: a Straddle-Account-Id naming another account gets the
// service's 403. See WithPlatform for keys that act for other accounts.
func WithAPIKeys(keys ...string) Option {
	return func(c *config) { c.keys = append([]string(nil), keys...) }
}

// WithClock sets the server's clock, used for timestamps, the 24-hour update
// rule and idempotency key expiry, so tests of time rules need not sleep.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.clock = now }
}

// WithUnmasking turns the unmasked endpoint on (the default) or off; off, it
// answers 403 as an account without unmasking does.
func WithUnmasking(enabled bool) Option {
	return func(c *config) { c.unmasking = enabled }
}

// WithValidation turns checking of requests and responses against the spec on
// (the default) or off. Off is only for measuring the emulator's own speed.
func WithValidation(enabled bool) Option {
	return func(c *config) { c.validate = enabled }
}

// WithZonelessTimestamps makes get and review responses write created_at and
// updated_at without fraction or zone (2026-07-07T06:21:44), as the live
// service sometimes does, to test that a client copes.
func WithZonelessTimestamps(enabled bool) Option {
	return func(c *config) { c.zoneless = enabled }
}

// WithT ties the server to a test: a response of the server that breaks the
// spec, or a panic in it, fails t, and the server is closed when t ends.
func WithT(t testing.TB) Option {
	return func(c *config) { c.t = t }
}

// WithLogger sets where the server reports spec violations and panics when no
// test is attached (at error level), and logs each request (at debug level:
// method, operation, status and duration; never bodies, queries or keys).
// The default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithFixtures seeds customers from r, a JSON array of unmasked customers; see
// Server.Seed for the format. A bad fixture fails the test given by WithT, or
// panics without one.
func WithFixtures(r io.Reader) Option {
	return func(c *config) { c.seeds = append(c.seeds, seedSource{r: r}) }
}

// WithFixtureFile seeds customers from the JSON file at path, as WithFixtures.
func WithFixtureFile(path string) Option {
	return func(c *config) { c.seeds = append(c.seeds, seedSource{path: path}) }
}

// WithRecording turns keeping requests for Requests on (the default) or off.
// Off, RequestCount still counts every request, but no header or body is
// kept: for a long-running server nobody inspects, such as straddle-mock.
func WithRecording(enabled bool) Option {
	return func(c *config) { c.record = enabled }
}

// WithPlatform makes apiKey a platform's key: the server accepts it (besides
// the keys of WithAPIKeys), and besides its own account it may act for the
// platform's connected accounts, given as UUIDs, by naming one in
// Straddle-Account-Id. As on the service, any other account gets 403, for a
// platform's key as for any key. An account is connected to one platform
// only; WithPlatform again with the same key adds accounts. Fixtures may seed
// customers into any account some key may act for.
func WithPlatform(apiKey string, connectedAccountIDs ...string) Option {
	return func(c *config) {
		c.platforms = append(c.platforms, platform{key: apiKey, accounts: append([]string(nil), connectedAccountIDs...)})
	}
}
