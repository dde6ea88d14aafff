package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// secretEnv names the environment variable -webhook-secret defaults to, the
// one a receiver built on straddle/webhook reads it from in the README: a
// secret in the environment does not show in the process list.
const secretEnv = "STRADDLE_WEBHOOK_SECRET"

// webhookFlags are the flags that deliver events and settle reviews.
type webhookFlags struct {
	urls, secrets []string
	retries       []time.Duration
	timeout       time.Duration
	workers       int
	settleAfter   time.Duration
}

// addWebhookFlags defines the webhook flags on fs.
func addWebhookFlags(fs *flag.FlagSet) *webhookFlags {
	w := &webhookFlags{retries: straddletest.DefaultWebhookRetries()}
	fs.Func("webhook-url", "the `URL` of an endpoint to deliver every event to (http or https; comma-separated, or repeat the flag)", func(v string) error {
		w.urls = append(w.urls, splitList(v)...)
		return nil
	})
	fs.Func("webhook-secret", "the `whsec_...` secret to sign deliveries with: one for every -webhook-url, or one per URL in the same order (default $"+secretEnv+")", func(v string) error {
		w.secrets = append(w.secrets, splitList(v)...)
		return nil
	})
	fs.Func("webhook-retries", "the `delays` between attempts of a failing delivery, comma-separated (empty: a single attempt) (default 5s,5m,30m,2h,5h,10h,10h)", func(v string) error {
		w.retries = nil
		for _, s := range splitList(v) {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				return fmt.Errorf("%q is not a duration of zero or more", s)
			}
			w.retries = append(w.retries, d)
		}
		return nil
	})
	fs.DurationVar(&w.timeout, "webhook-timeout", straddletest.DefaultWebhookTimeout, "time an endpoint has to answer an attempt")
	fs.IntVar(&w.workers, "webhook-workers", straddletest.DefaultWebhookWorkers, "attempts under way at once per endpoint (1 keeps events in order)")
	fs.DurationVar(&w.settleAfter, "settle-after", 0, "how long a background review (processing_method background, refresh_review) leaves the customer pending; 0 settles it within the request")
	return w
}

func splitList(v string) []string {
	var out []string
	for s := range strings.SplitSeq(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// options checks the flags and returns the emulator's options. Errors never
// quote a secret.
func (w *webhookFlags) options() ([]straddletest.Option, error) {
	if w.settleAfter < 0 {
		return nil, errors.New("-settle-after must not be negative")
	}
	if w.timeout <= 0 || w.workers <= 0 {
		return nil, errors.New("-webhook-timeout and -webhook-workers must be positive")
	}
	opts := []straddletest.Option{
		straddletest.WithWebhookRetries(w.retries...),
		straddletest.WithWebhookTimeout(w.timeout),
		straddletest.WithWebhookWorkers(w.workers),
	}
	if w.settleAfter > 0 {
		opts = append(opts, straddletest.WithAsyncReviews(w.settleAfter))
	}
	secrets := w.secrets
	if len(secrets) == 0 && len(w.urls) > 0 {
		secrets = splitList(os.Getenv(secretEnv))
	}
	switch {
	case len(w.urls) == 0 && len(w.secrets) > 0:
		return nil, errors.New("-webhook-secret without -webhook-url")
	case len(w.urls) == 0:
		return opts, nil
	case len(secrets) == 0:
		return nil, errors.New("-webhook-url needs -webhook-secret (or $" + secretEnv + "): the whsec_... secret your receiver verifies with")
	case len(secrets) != 1 && len(secrets) != len(w.urls):
		return nil, fmt.Errorf("%d webhook secrets for %d URLs: give one for all, or one per URL", len(secrets), len(w.urls))
	}
	for i, u := range w.urls {
		secret := secrets[0]
		if len(secrets) > 1 {
			secret = secrets[i]
		}
		opts = append(opts, straddletest.WithWebhook(u, secret))
	}
	return opts, nil
}

// logEndpoints logs where events go, each URL as scheme, host and path
// (user information and the query often hold a token), never a secret.
func (w *webhookFlags) logEndpoints(logger *slog.Logger) {
	for i, u := range w.urls {
		shown := "(not a URL)"
		if p, err := url.Parse(u); err == nil {
			shown = (&url.URL{Scheme: p.Scheme, Host: p.Host, Path: p.Path, RawPath: p.RawPath}).String()
		}
		logger.Info("straddle-mock webhook endpoint", "endpoint", i+1, "url", shown)
	}
}
