// Command straddle-mock serves the straddletest emulator of the Straddle
// customers API as a standalone HTTP server, for tests in other languages or
// for trying the API by hand. Nothing is ever sent to Straddle.
//
// Usage:
//
//	straddle-mock [-addr 127.0.0.1:4010] [-keys sk_test_straddletest] [-platform key=account,...]
//	              [-fixtures customers.json] [-stateless] [-sdk-suite]
//	              [-unmasking=true] [-validate=true] [-v]
//	              [-read-header-timeout 5s] [-read-timeout 15s] [-write-timeout 15s]
//	              [-idle-timeout 30s] [-max-conns 256] [-max-header-bytes 65536] [-memory-limit-mib 1024]
//	              [-webhook-url URL,... -webhook-secret whsec_...,...] [-webhook-retries 5s,5m,...]
//	              [-webhook-timeout 15s] [-webhook-workers 1] [-webhook-fault kind[:n][@event_type],...]
//	              [-settle-after 0]
//
// Requests authenticate with "Authorization: Bearer <key>" using one of -keys
// or of the -platform keys. Each key belongs to an account of its own (the
// log names each key's account, numbering the keys, never printing them) and
// acts for it alone: a Straddle-Account-Id naming any other account gets 403.
// -platform key=account,... (repeatable) makes key a platform's key that may
// also act for the connected accounts listed (UUIDs). -fixtures seeds
// customers from a JSON array of unmasked customers (see
// straddletest.Server.Seed), each into its account_id, which must be an
// account some key may act for.
//
// -stateless answers like a stateless mock (straddletest.WithStateless):
// every request sees the seeded customers, writes are answered and then
// undone, and idempotency keys are not remembered. -sdk-suite sets up what
// the test suites generated for Straddle's own SDKs expect: -stateless, the
// key "My API Key" as a platform's key connected to account
// 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e, and a customer with that same id in
// both accounts (the fixture sdk-suite.json, built in). It cannot be combined
// with -keys, -platform or -fixtures.
//
// Every change to a customer raises the events the service would
// (customer.created.v1 and customer.event.v1; see straddletest.Event).
// -webhook-url (comma-separated or repeated) delivers each to your endpoints,
// signed under -webhook-secret (one for all URLs, or one per URL; default
// $STRADDLE_WEBHOOK_SECRET, which keeps it out of the process list) with
// Standard Webhooks headers, and retried until answered 2xx after each of
// -webhook-retries (Straddle's schedule by default; shorten it for tests).
// An endpoint has -webhook-timeout to answer, and gets -webhook-workers
// attempts at once (1: in order). Deliveries never hold up a request; each
// endpoint queues at most 10,000. -webhook-fault kind[:n][@event_type]
// (comma-separated or repeated) makes deliveries go wrong as they do on the
// way, for a receiver to prove it survives (straddletest.InjectWebhook):
// the next n attempts (default 1), of events of that type if given (such
// as customer.event.v1), to any endpoint, are duplicate (sent twice),
// out-of-order (held back until the endpoint's next event has been
// attempted), bad-signature (signed with a stranger's key), fail-before
// (never sent: the endpoint looks down) or fail-after (sent, the answer
// ignored: delivered again). Faults are queued in the order given; each
// attempt takes the first that matches. -settle-after makes background reviews
// (processing_method background, and refresh_review) leave the customer
// pending for that long, then settle them with customer.event.v1 announcing
// the outcome; 0 (the default) settles them within the request. The log
// names each endpoint by its URL's scheme, host and path (never its user
// information or query, where tokens live), never a secret; with -v it logs
// every attempt.
//
// It is built to run beside other services as a shared sandbox. A request
// without an accepted key gets 401 from its headers alone: its body is never
// read, and the connection is closed after the answer. No request is
// recorded (nothing could read them out of the process; -v logs each
// request's method, operation, status and duration, never bodies or keys).
// Bodies are read up to 1 MiB. The timeouts bound every way of holding a
// connection without using it: -read-header-timeout the request line and
// headers, -read-timeout the whole request with its body (a body cut short
// is never acted on), -write-timeout the time from the end of the headers to
// the end of the response (a client that does not read is cut off), and
// -idle-timeout a kept-alive connection between requests. -max-conns bounds
// the connections served at once (more wait in the listen backlog until one
// closes), and -max-header-bytes the request line and headers (larger get
// 431). -memory-limit-mib (1 GiB by default; GOMEMLIMIT, when set, wins) is
// the Go runtime's soft memory limit: without one the garbage collector lets
// the heap grow to twice the live data, so a million stored customers (about
// 800 MiB live) would take over 2 GB. Every duration and limit must be
// positive. The server logs with slog to stderr, every request at debug
// level with -v, and shuts down gracefully on SIGINT or SIGTERM: requests
// in flight finish, then the deliveries under way have what is left of 10
// seconds; deliveries still pending after that (a retry waiting on its
// schedule) and reviews not yet settled are dropped.
package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// shutdownTimeout bounds how long a shutdown waits for requests in flight.
const shutdownTimeout = 10 * time.Second

// defaultMemoryLimitMiB is the default of -memory-limit-mib: room for a
// million customers and the garbage between collections.
const defaultMemoryLimitMiB = 1024

// What the test suites generated for Straddle's SDKs (Node, Python, Go) send:
// this API key, this account in Straddle-Account-Id, and the same uuid as the
// customer id of every call that names one.
const (
	sdkSuiteKey     = "My API Key"
	sdkSuiteAccount = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e"
)

// sdkSuiteFixture holds the suites' customer, in review (so that a review
// decision is allowed), in the key's own account and in the connected one.
//
//go:embed sdk-suite.json
var sdkSuiteFixture []byte

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0)
	case err != nil:
		fmt.Fprintln(os.Stderr, "straddle-mock:", err)
		os.Exit(1)
	}
}

// run serves the emulator until ctx is done, then shuts down. It logs to out.
func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("straddle-mock", flag.ContinueOnError)
	fs.SetOutput(out)
	addr := fs.String("addr", "127.0.0.1:4010", "address to listen on")
	keys := fs.String("keys", straddletest.DefaultAPIKey, "comma-separated API keys to accept")
	fixtures := fs.String("fixtures", "", "JSON file of customers to seed: an array of unmasked customers")
	unmasking := fs.Bool("unmasking", true, "serve the unmasked endpoint (false: it answers 403)")
	validate := fs.Bool("validate", true, "check every request and response against the spec")
	stateless := fs.Bool("stateless", false, "answer like a stateless mock: every request sees the seeded customers; writes are undone and idempotency keys not remembered")
	sdkSuite := fs.Bool("sdk-suite", false, "serve what Straddle's generated SDK test suites expect: -stateless, the key \"My API Key\" and their customer 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e")
	verbose := fs.Bool("v", false, "log every request")
	readHeaderTimeout := fs.Duration("read-header-timeout", 5*time.Second, "time a client has to send a request's headers")
	readTimeout := fs.Duration("read-timeout", 15*time.Second, "time a client has to send a whole request, body included")
	writeTimeout := fs.Duration("write-timeout", 15*time.Second, "time from the end of a request's headers to the end of its response (a client that does not read is cut off)")
	idleTimeout := fs.Duration("idle-timeout", 30*time.Second, "time a kept-alive connection may wait for its next request")
	maxConns := fs.Int("max-conns", 256, "connections served at a time; more wait until one closes")
	maxHeaderBytes := fs.Int("max-header-bytes", 64<<10, "largest request line and headers accepted (larger get 431)")
	memoryLimit := fs.Int64("memory-limit-mib", defaultMemoryLimitMiB, "soft memory limit of the Go runtime in MiB, so the heap's garbage stays near the live data (GOMEMLIMIT, when set, wins)")
	hooks := addWebhookFlags(fs)
	var platforms []straddletest.Option
	var platformKeys []string
	fs.Func("platform", "a platform's `key=account,...`: the key is accepted and may also act for these connected accounts (UUIDs) through Straddle-Account-Id; repeatable", func(v string) error {
		key, accounts, ok := cutLast(v, "=")
		if !ok || strings.TrimSpace(key) == "" {
			return errors.New("want key=account,... (the key, then its connected accounts)")
		}
		var ids []string
		for a := range strings.SplitSeq(accounts, ",") {
			if a = strings.TrimSpace(a); a != "" {
				ids = append(ids, a)
			}
		}
		key = strings.TrimSpace(key)
		platforms = append(platforms, straddletest.WithPlatform(key, ids...))
		platformKeys = append(platformKeys, key)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var seed func(*straddletest.Server) error
	if *fixtures != "" {
		seed = func(s *straddletest.Server) error { return s.SeedFile(*fixtures) }
	}
	if *sdkSuite {
		var clash []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "keys" || f.Name == "platform" || f.Name == "fixtures" {
				clash = append(clash, "-"+f.Name)
			}
		})
		if len(clash) > 0 {
			return fmt.Errorf("-sdk-suite sets the key, platform and fixtures itself: drop %s", strings.Join(clash, ", "))
		}
		*keys, *stateless = sdkSuiteKey, true
		platforms = append(platforms, straddletest.WithPlatform(sdkSuiteKey, sdkSuiteAccount))
		seed = func(s *straddletest.Server) error { return s.Seed(bytes.NewReader(sdkSuiteFixture)) }
	}
	for name, d := range map[string]time.Duration{"-read-header-timeout": *readHeaderTimeout, "-read-timeout": *readTimeout, "-write-timeout": *writeTimeout, "-idle-timeout": *idleTimeout} {
		if d <= 0 {
			return fmt.Errorf("%s must be positive", name)
		}
	}
	if *maxConns <= 0 || *maxHeaderBytes <= 0 || *memoryLimit <= 0 {
		return errors.New("-max-conns, -max-header-bytes and -memory-limit-mib must be positive")
	}
	hookOpts, err := hooks.options()
	if err != nil {
		return err
	}
	var keyList []string
	for k := range strings.SplitSeq(*keys, ",") {
		if k = strings.TrimSpace(k); k != "" {
			keyList = append(keyList, k)
		}
	}
	if len(keyList) == 0 {
		return errors.New("-keys names no API key")
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: level}))
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(*memoryLimit << 20))
	}
	logger.Info("straddle-mock memory limit", "mib", debug.SetMemoryLimit(-1)>>20)

	emulator, err := newEmulator(append([]straddletest.Option{
		straddletest.WithAPIKeys(keyList...),
		straddletest.WithUnmasking(*unmasking),
		straddletest.WithValidation(*validate),
		straddletest.WithStateless(*stateless),
		straddletest.WithLogger(logger),
		// Nothing can read recorded requests out of this process, so keep
		// none: a shared sandbox must not hold its clients' bodies.
		straddletest.WithRecording(false),
	}, slices.Concat(platforms, hookOpts)...)...)
	if err != nil {
		return err
	}
	defer emulator.Close()
	hooks.injectFaults(emulator)
	if seed != nil {
		if err := seed(emulator); err != nil {
			return err
		}
	}
	tcp, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ln := newLimitListener(tcp, *maxConns)
	hs := &http.Server{
		Handler:           emulator.Handler(),
		ReadHeaderTimeout: *readHeaderTimeout,
		ReadTimeout:       *readTimeout,
		WriteTimeout:      *writeTimeout,
		IdleTimeout:       *idleTimeout,
		MaxHeaderBytes:    *maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	logger.Info("straddle-mock listening", "url", "http://"+ln.Addr().String(),
		"keys", len(keyList), "platforms", len(platforms), "unmasking", *unmasking, "validate", *validate,
		"stateless", *stateless, "sdk_suite", *sdkSuite, "webhooks", len(hooks.urls), "webhook_faults", len(hooks.faults), "settle_after", hooks.settleAfter,
		"read_header_timeout", *readHeaderTimeout, "read_timeout", *readTimeout, "write_timeout", *writeTimeout,
		"idle_timeout", *idleTimeout, "max_conns", *maxConns, "max_header_bytes", *maxHeaderBytes)
	hooks.logEndpoints(logger)
	// Each key's own account, for fixtures' account_id; keys are numbered,
	// never printed.
	seen := map[string]bool{}
	for _, k := range append(keyList, platformKeys...) {
		if !seen[k] {
			seen[k] = true
			logger.Info("straddle-mock account", "key", len(seen), "account_id", emulator.AccountID(k))
		}
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("straddle-mock shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	// Requests in flight finish first, raising their events; then the
	// deliveries under way get what is left of the timeout. Close drops
	// whatever is still pending (retries waiting on their schedule, reviews
	// not yet settled).
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := emulator.WaitForDeliveries(shutdownCtx); err != nil {
		logger.Warn("straddle-mock dropping webhook deliveries still pending at shutdown", "error", err.Error())
	}
	emulator.Close()
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("straddle-mock stopped")
	return nil
}

// newEmulator builds the emulator, turning the panic with which it refuses a
// setup it cannot serve (there is no test to fail) into an error.
func newEmulator(opts ...straddletest.Option) (s *straddletest.Server, err error) {
	defer func() {
		if v := recover(); v != nil {
			e, ok := v.(error)
			if !ok {
				panic(v)
			}
			err = e
		}
	}()
	return straddletest.NewUnstartedServer(opts...), nil
}

// cutLast slices s around the last instance of sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}
