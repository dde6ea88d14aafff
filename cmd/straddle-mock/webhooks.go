package main

import (
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
	"github.com/straddlekit/straddle-go/straddle/webhook"
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
	faults        []straddletest.WebhookFault
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
	fs.Func("webhook-fault", "make deliveries go wrong, as `kind[:n][@event_type]`: the next n attempts (default 1), of events of that type if given; kind is duplicate, out-of-order, bad-signature, fail-before or fail-after (comma-separated, or repeat the flag; queued in order)", func(v string) error {
		for _, s := range splitList(v) {
			f, err := parseWebhookFault(s)
			if err != nil {
				return err
			}
			w.faults = append(w.faults, f)
		}
		return nil
	})
	fs.DurationVar(&w.settleAfter, "settle-after", 0, "how long a background review (processing_method background, refresh_review) leaves the customer pending; 0 settles it within the request")
	return w
}

// parseWebhookFault reads one -webhook-fault: kind[:n][@event_type], kind
// named as straddletest.WebhookFaultKind's String names it.
func parseWebhookFault(v string) (straddletest.WebhookFault, error) {
	spec, typ, hasType := strings.Cut(v, "@")
	name, count, hasCount := strings.Cut(spec, ":")
	f := straddletest.WebhookFault{Times: 1}
	var names []string
	for k := straddletest.WebhookDuplicate; k <= straddletest.WebhookFailAfter; k++ {
		names = append(names, k.String())
		if k.String() == name {
			f.Kind = k
		}
	}
	if f.Kind == 0 {
		return f, fmt.Errorf("%q: unknown fault %q (want %s, then optionally :n and @event_type)", v, name, strings.Join(names, ", "))
	}
	if hasCount {
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			return f, fmt.Errorf("%q: the count after \":\" must be a whole number of 1 or more", v)
		}
		f.Times = n
	}
	if hasType {
		types, err := contract.EventTypes()
		if err != nil {
			return f, err
		}
		if !slices.Contains(types, typ) {
			return f, fmt.Errorf("%q: no event type %q (the spec has %s)", v, typ, strings.Join(types, ", "))
		}
		f.EventType = webhook.EventType(typ)
	}
	return f, nil
}

// injectFaults queues the -webhook-fault faults on the emulator, in order.
func (w *webhookFlags) injectFaults(emulator *straddletest.Server) {
	for _, f := range w.faults {
		emulator.InjectWebhook(f)
	}
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
	case len(w.urls) == 0 && len(w.faults) > 0:
		return nil, errors.New("-webhook-fault without -webhook-url: faults apply to deliveries")
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
