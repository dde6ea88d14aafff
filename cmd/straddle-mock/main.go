// Command straddle-mock serves the straddletest emulator of the Straddle
// customers API as a standalone HTTP server, for tests in other languages or
// for trying the API by hand. Nothing is ever sent to Straddle.
//
// Usage:
//
//	straddle-mock [-addr 127.0.0.1:4010] [-keys sk_test_straddletest] [-fixtures customers.json]
//	              [-unmasking=true] [-validate=true] [-v]
//
// Requests authenticate with "Authorization: Bearer <key>" using one of -keys.
// -fixtures seeds customers from a JSON array of unmasked customers (see
// straddletest.Server.Seed). The server logs with slog to stderr, every request
// at debug level with -v, and shuts down gracefully on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// shutdownTimeout bounds how long a shutdown waits for requests in flight.
const shutdownTimeout = 10 * time.Second

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
	verbose := fs.Bool("v", false, "log every request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
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

	emulator := straddletest.NewUnstartedServer(
		straddletest.WithAPIKeys(keyList...),
		straddletest.WithUnmasking(*unmasking),
		straddletest.WithValidation(*validate),
		straddletest.WithLogger(logger),
		// Nothing can read recorded requests out of this process, so keep
		// none: a shared sandbox must not hold its clients' bodies.
		straddletest.WithRecording(false),
	)
	defer emulator.Close()
	if *fixtures != "" {
		if err := emulator.SeedFile(*fixtures); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           emulator.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelDebug),
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	logger.Info("straddle-mock listening", "url", "http://"+ln.Addr().String(),
		"keys", len(keyList), "unmasking", *unmasking, "validate", *validate)

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	logger.Info("straddle-mock shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	emulator.Close()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("straddle-mock stopped")
	return nil
}
