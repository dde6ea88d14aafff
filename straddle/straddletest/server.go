package straddletest

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// Server is an in-process emulator of the Straddle customers API, listening on
// a loopback port. It is safe for concurrent use.
type Server struct {
	// URL is the base URL of the started server, such as http://127.0.0.1:40123.
	URL string

	cfg        config
	validator  *contract.Validator
	routes     map[Operation]string       // operationId -> "METHOD /path/template"
	bodied     map[Operation]bool         // operations whose request has a body
	keys       []string                   // the keys accepted, APIKey first
	accounts   map[string]string          // API key -> its own account
	connected  map[string]map[string]bool // platform key -> its connected accounts
	ops        map[Operation]func(*call) *response
	store      *store
	idem       *idempotency
	faults     faultQueue
	scripts    reviewScripts
	recorder   *recorder
	notify     *notifier
	conns      atomic.Int64
	ts         *httptest.Server
	done       chan struct{}
	closeOnce  sync.Once
	handler    http.Handler
	startGuard atomic.Bool
}

// NewServer starts and returns a new Server. The caller should Close it when
// finished (WithT does so when the test ends).
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns a new Server that is not yet listening. Call Start
// to listen on loopback, or serve Handler from a server of your own (as
// cmd/straddle-mock does).
func NewUnstartedServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if cfg.clock == nil {
		cfg.clock = defaultConfig().clock
	}
	cfg.clock = truncatedClock(cfg.clock)
	s := &Server{
		cfg:       cfg,
		accounts:  map[string]string{},
		connected: map[string]map[string]bool{},
		store:     newStore(),
		idem:      newIdempotency(),
		recorder:  newRecorder(cfg.record),
		done:      make(chan struct{}),
	}
	s.handler = http.HandlerFunc(s.serveHTTP)
	s.ops = map[Operation]func(*call) *response{
		OpCreateCustomer:        s.createCustomer,
		OpListCustomers:         s.listCustomers,
		OpGetCustomer:           s.getCustomer,
		OpUpdateCustomer:        s.updateCustomer,
		OpDeleteCustomer:        s.deleteCustomer,
		OpGetUnmaskedCustomer:   s.getUnmaskedCustomer,
		OpGetCustomerReview:     s.getCustomerReview,
		OpDecideCustomerReview:  s.decideCustomerReview,
		OpRefreshCustomerReview: s.refreshCustomerReview,
	}
	if cfg.stateless {
		s.makeStateless()
	}
	notify, notifyErr := newNotifier(s)
	s.notify = notify
	if cfg.t != nil {
		cfg.t.Helper()
		cfg.t.Cleanup(s.Close)
	}
	if notifyErr != nil {
		s.fail(notifyErr)
	}
	if err := s.setUpAccounts(); err != nil {
		s.fail(err)
	}
	v, err := contract.NewValidator()
	if err != nil {
		s.fail(err)
	}
	s.validator = v
	routes, err := operationRoutes()
	if err != nil {
		s.fail(err)
	}
	s.routes = routes
	if s.bodied, err = operationsWithBody(); err != nil {
		s.fail(err)
	}
	for _, src := range cfg.seeds {
		var err error
		if src.r != nil {
			err = s.Seed(src.r)
		} else {
			err = s.SeedFile(src.path)
		}
		if err != nil {
			s.fail(err)
		}
	}
	return s
}

// fail stops construction: it fails the attached test, or panics without one
// (as httptest does when it cannot listen).
func (s *Server) fail(err error) {
	if t := s.cfg.t; t != nil {
		t.Helper()
		t.Fatal(err)
	}
	panic(err)
}

// Start starts a server from NewUnstartedServer on a loopback port and sets URL.
func (s *Server) Start() {
	if !s.startGuard.CompareAndSwap(false, true) {
		panic("straddletest: Server already started")
	}
	ts := httptest.NewUnstartedServer(s.handler)
	ts.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	ts.Config.ErrorLog = slog.NewLogLogger(s.cfg.logger.Handler(), slog.LevelDebug)
	ts.Start()
	s.ts = ts
	s.URL = ts.URL
}

// Close shuts the server down and blocks until every request it is serving has
// finished; delays injected with FaultDelay end at once. It does not flush
// webhooks: attempts under way are cancelled, deliveries still pending are
// dropped (DeliveryDropped) and background reviews left unsettled, so call
// WaitForDeliveries first to let them finish. Close is idempotent.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		s.notify.close()
		if s.ts != nil {
			s.ts.Close()
		}
	})
}

// Handler returns the emulator as an http.Handler, for serving it from a
// server of your own or calling it directly in benchmarks. Connections it
// serves that way are not counted by ConnectionCount.
func (s *Server) Handler() http.Handler { return s.handler }

// APIKey returns the first API key the server accepts: the first of
// WithAPIKeys, or of WithPlatform's keys when WithAPIKeys names none.
func (s *Server) APIKey() string { return s.keys[0] }

// AccountID returns the account an accepted API key belongs to: the account a
// request with that key acts for when it sends no Straddle-Account-Id, and
// the only one it may act for unless it is a platform's key (WithPlatform).
// It panics for a key the server does not accept, so that a mistyped key
// fails the test; the panic describes the key (keyHint), never quotes it.
func (s *Server) AccountID(apiKey string) string {
	a, ok := s.accounts[apiKey]
	if !ok {
		panic("straddletest: AccountID: the server accepts no API key " + keyHint(apiKey))
	}
	return a
}

// CustomerCount returns how many customers the account holds. Tests use it
// to assert exactly one effect. Like every inspection method it takes "" for
// the account of APIKey and panics on an account no key may act for.
func (s *Server) CustomerCount(accountID string) int {
	return s.store.count(s.inspected("CustomerCount", accountID))
}

// inspected resolves the accountID of an inspection method: "" is the
// account of APIKey; any other must be (in any case) an account some key may
// act for, as SeedCustomers requires, or the method panics naming it, so
// that a mistyped account fails the test instead of holding nothing. Only a
// valid uuid is quoted: what a test passed by mistake (an API key) is not.
func (s *Server) inspected(method, accountID string) string {
	if accountID == "" {
		return s.accounts[s.APIKey()]
	}
	a := strings.ToLower(accountID)
	switch {
	case s.accountExists(a):
		return a
	case s.accounts[accountID] != "":
		panic("straddletest: " + method + ": the account is an API key " + keyHint(accountID) + "; AccountID gives its account")
	case !isUUID(a):
		panic(fmt.Sprintf("straddletest: %s: the account is not a uuid (%d bytes)", method, len(accountID)))
	}
	panic(fmt.Sprintf("straddletest: %s: no API key may act for account %s (neither a key's own account nor a platform's connected one)", method, a))
}

// keyHint describes an API key for a message without giving it away: its
// length and, when it is long enough that they say little, its first four
// bytes.
func keyHint(key string) string {
	if len(key) < 16 {
		return fmt.Sprintf("(%d bytes)", len(key))
	}
	return fmt.Sprintf("(%d bytes, beginning %q)", len(key), key[:4])
}

// ConnectionCount returns how many TCP connections the started server has
// accepted, to assert that a client reuses its connections.
func (s *Server) ConnectionCount() int { return int(s.conns.Load()) }
