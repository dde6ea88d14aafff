package straddle

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/straddlekit/straddle-go/gen"
)

// sdkVersion goes into the User-Agent header.
const sdkVersion = "0.1.0"

// defaultAttemptTimeout bounds each attempt unless WithAttemptTimeout says otherwise.
const defaultAttemptTimeout = 60 * time.Second

// Environment is a Straddle deployment the client talks to.
type Environment string

// Straddle environments.
const (
	// Sandbox moves test money and simulates outcomes. It is the default.
	Sandbox Environment = "sandbox"
	// Production moves real money.
	Production Environment = "production"
)

// baseURLs maps each environment to its API root.
var baseURLs = map[Environment]string{
	Sandbox:    "https://sandbox.straddle.com",
	Production: "https://production.straddle.com",
}

// AppInfo identifies the application using the client, in the User-Agent
// header, so Straddle can tell integrations apart.
type AppInfo struct {
	Name    string // required
	Version string // optional
	URL     string // optional
}

// Client is a Straddle API client. Create one with NewClient and share it:
// it is safe for concurrent use and reuses connections.
type Client struct {
	// Customers creates, reads, changes, lists and deletes customers, and
	// reaches their identity reviews (Customers.Review).
	Customers *CustomersService

	baseURL  string
	defaults callConfig // call settings from NewClient's CommonOptions
	doer     *doer
	gen      *gen.Client
	edits    *customerLocks // serialises Edit's check-and-write per customer
}

// settings collects the Options given to NewClient.
type settings struct {
	apiKey      credential
	apiKeySet   bool
	environment Environment
	baseURL     string
	baseURLSet  bool
	plainHTTP   bool
	httpClient  *http.Client
	defaults    callConfig
	logger      *slog.Logger
	app         *AppInfo
}

// WithAPIKey authenticates with key (sent as a Bearer token). Required,
// unless WithAPIKeyFromEnv is used.
func WithAPIKey(key string) Option {
	return clientOption(func(s *settings) error {
		if key == "" {
			return errors.New("straddle: WithAPIKey: the API key is empty")
		}
		s.apiKey, s.apiKeySet = credential(key), true
		return nil
	})
}

// WithAPIKeyFromEnv takes the API key from the STRADDLE_API_KEY environment
// variable; it is an error if that is unset or empty. The client never reads
// the environment unless asked to.
func WithAPIKeyFromEnv() Option {
	return clientOption(func(s *settings) error {
		key := os.Getenv("STRADDLE_API_KEY")
		if key == "" {
			return errors.New("straddle: WithAPIKeyFromEnv: STRADDLE_API_KEY is unset or empty")
		}
		s.apiKey, s.apiKeySet = credential(key), true
		return nil
	})
}

// WithEnvironment picks Sandbox (the default) or Production. WithBaseURL,
// if also given, wins.
func WithEnvironment(env Environment) Option {
	return clientOption(func(s *settings) error {
		if _, ok := baseURLs[env]; !ok {
			return fmt.Errorf("straddle: WithEnvironment: unknown environment %q", string(env))
		}
		s.environment = env
		return nil
	})
}

// WithBaseURL sends requests to rawURL instead of an environment's URL: a
// proxy, or a test server. It must be https, or http to a loopback host
// (or to any host with WithInsecurePlainHTTP).
//
// rawURL is the root the API's paths are added to, such as
// https://proxy.example.com/straddle: every request path starts with /v1, so a
// URL whose path ends in /v1 is refused rather than doubled into /v1/v1.
func WithBaseURL(rawURL string) Option {
	return clientOption(func(s *settings) error {
		s.baseURL, s.baseURLSet = rawURL, true
		return nil
	})
}

// WithInsecurePlainHTTP lets the base URL use plain http to any host, not
// only to a loopback one: for test environments, such as a service in
// docker-compose reaching a straddle-mock container at
// http://straddle-mock:4010. The API key then crosses the network
// unencrypted, so never use it with a real key. It changes nothing else: the
// key still goes to the base URL's host alone, as no redirect is followed.
func WithInsecurePlainHTTP() Option {
	return clientOption(func(s *settings) error {
		s.plainHTTP = true
		return nil
	})
}

// WithHTTPClient sends requests through hc's Transport (proxies, TLS
// settings), each attempt bounded by hc.Timeout as well as by
// WithAttemptTimeout, the shorter winning. The client does not modify hc and
// does not call hc.Do: it follows no redirect (see RedirectError), so hc's
// CheckRedirect is never consulted, and it sends no cookies from hc's Jar
// (the API sets none).
//
// hc's transport is used as it is. Without WithHTTPClient, clients share one
// transport from NewTransport, whose pool keeps up to 100 idle connections
// per host; net/http's default transport keeps 2, so a service making
// concurrent calls through it opens (over TLS, handshakes) and closes
// connections all the time. Build yours from NewTransport to keep the pool.
func WithHTTPClient(hc *http.Client) Option {
	return clientOption(func(s *settings) error {
		if hc == nil {
			return errors.New("straddle: WithHTTPClient: the client is nil")
		}
		s.httpClient = hc
		return nil
	})
}

// WithLogger logs one record per attempt to l: method, path template,
// status, request id (only when it is a UUID), attempt and duration. Never
// bodies, query strings or credentials. Without it the client logs nothing.
//
// Levels: Debug for a success; Warn for an attempt that will be retried, a
// request the service refused (a 3xx or a 4xx that is not retried) and a
// call whose context deadline passed; Error for the last attempt of a call
// that failed on the service's or the network's side (5xx, 408, 429 or an
// in-progress 409 when the retries ran out, a connection error, a success
// body that broke off, was too large or did not decode); Info for a call its
// caller cancelled.
func WithLogger(l *slog.Logger) Option {
	return clientOption(func(s *settings) error {
		s.logger = l
		return nil
	})
}

// WithAppInfo names the application in the User-Agent header.
func WithAppInfo(app AppInfo) Option {
	return clientOption(func(s *settings) error {
		if app.Name == "" {
			return errors.New("straddle: WithAppInfo: Name is required")
		}
		for _, v := range []string{app.Name, app.Version, app.URL} {
			if !printableASCII(v) {
				return errors.New("straddle: WithAppInfo: fields must be printable ASCII")
			}
		}
		s.app = &app
		return nil
	})
}

// NewClient returns a client configured by opts. An API key is required
// (WithAPIKey or WithAPIKeyFromEnv); every option is checked, and a bad one
// is an error.
func NewClient(opts ...Option) (*Client, error) {
	retries, timeout := defaultMaxRetries, defaultAttemptTimeout
	s := settings{environment: Sandbox, defaults: callConfig{retries: &retries, attemptTimeout: &timeout}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o.applyClient(&s); err != nil {
			return nil, err
		}
	}
	if !s.apiKeySet {
		return nil, errors.New("straddle: NewClient: an API key is required (WithAPIKey or WithAPIKeyFromEnv)")
	}
	if !printableASCII(string(s.apiKey)) || strings.ContainsRune(string(s.apiKey), ' ') {
		return nil, errors.New("straddle: NewClient: the API key has characters a header cannot carry")
	}
	base := baseURLs[s.environment]
	if s.baseURLSet {
		if err := checkBaseURL(s.baseURL, s.plainHTTP); err != nil {
			return nil, err
		}
		base = strings.TrimRight(s.baseURL, "/")
	}
	auth := "Bearer " + s.apiKey
	rt, hcTimeout := roundTripper(s.httpClient)
	d := &doer{
		transport: rt,
		hcTimeout: hcTimeout,
		auth:      &auth,
		authValue: authValues(&auth),
		userAgent: []string{userAgent(s.app)},
		logger:    s.logger,
		sleep:     sleepContext,
		jitter:    fullJitter,
		now:       time.Now,
	}
	g, err := gen.NewClient(base, gen.WithHTTPClient(d))
	if err != nil {
		return nil, fmt.Errorf("straddle: NewClient: %w", err)
	}
	c := &Client{baseURL: base, defaults: s.defaults, doer: d, gen: g, edits: &customerLocks{}}
	c.Customers = &CustomersService{client: c, Review: &ReviewService{client: c}}
	return c, nil
}

// String describes the client without its API key.
func (c Client) String() string {
	return "straddle.Client{baseURL: " + c.baseURL + ", apiKey: " + redacted + "}"
}

// Format prints the client as String does under every verb, so no format
// (%+v, %#v) reveals the API key. Its receiver is a value so that a Client
// printed by value does not make fmt walk its internals either: among them
// the transport, which other goroutines' calls are changing.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue logs the client without its API key.
func (c Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// credential holds the API key; it prints and logs redacted.
type credential string

func (s credential) reveal() string                { return string(s) }
func (s credential) String() string                { return redacted }
func (s credential) Format(f fmt.State, verb rune) { writeRedacted(f, verb) }
func (s credential) LogValue() slog.Value          { return slog.StringValue(redacted) }
func (s credential) MarshalText() ([]byte, error)  { return []byte(redacted), nil }

// checkBaseURL accepts an absolute https URL, or http to a loopback host
// (to any host when plainHTTP is set), with no query, fragment or
// credentials, and a path that is a plain prefix not ending in /v1.
func checkBaseURL(raw string, plainHTTP bool) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("straddle: WithBaseURL: not a URL")
	}
	switch {
	case u.Host == "":
		return errors.New("straddle: WithBaseURL: the URL must be absolute, with a host")
	case u.User != nil:
		return errors.New("straddle: WithBaseURL: the URL must not carry credentials")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return errors.New("straddle: WithBaseURL: the URL must not have a query or fragment")
	}
	switch {
	case u.Scheme == "https", u.Scheme == "http" && (plainHTTP || isLoopback(u.Hostname())):
		return checkBasePath(u.EscapedPath())
	case u.Scheme == "http":
		return fmt.Errorf("straddle: WithBaseURL: plain http is only allowed to a loopback host, not %q (WithInsecurePlainHTTP allows it for a test environment)", u.Hostname())
	}
	return fmt.Errorf("straddle: WithBaseURL: scheme %q is not https", u.Scheme)
}

// checkBasePath refuses a base URL path that would misroute every request:
// one ending in the /v1 the operations' paths already start with, and empty
// or dot segments.
func checkBasePath(path string) error {
	path = strings.TrimRight(path, "/")
	if path == "" {
		return nil
	}
	segments := strings.Split(path[1:], "/")
	for _, seg := range segments {
		if seg == "" || seg == "." || seg == ".." {
			return errors.New("straddle: WithBaseURL: the path must not have empty, . or .. segments")
		}
	}
	if strings.EqualFold(segments[len(segments)-1], "v1") {
		return errors.New("straddle: WithBaseURL: the path ends in /v1, which the client adds to every request: give the API's root (https://host, not https://host/v1)")
	}
	return nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// userAgent names this library, the Go version and the application.
func userAgent(app *AppInfo) string {
	ua := "straddle-go/" + sdkVersion + " (" + runtime.Version() + ")"
	if app == nil {
		return ua
	}
	ua += " " + app.Name
	if app.Version != "" {
		ua += "/" + app.Version
	}
	if app.URL != "" {
		ua += " (+" + app.URL + ")"
	}
	return ua
}
