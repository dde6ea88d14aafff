package straddletest

import (
	"slices"
	"time"
)

// The sender's defaults, as Straddle's (Svix) has them.
const (
	// DefaultWebhookTimeout is how long an endpoint has to answer an attempt
	// before it counts as failed.
	DefaultWebhookTimeout = 15 * time.Second
	// DefaultWebhookWorkers is how many attempts each endpoint gets at once:
	// one, so that events arrive in the order they were raised unless a
	// retry or a WebhookFault reorders them.
	DefaultWebhookWorkers = 1
)

// DefaultWebhookRetries returns the delays between attempts of a delivery
// that keeps failing, as Straddle's sender spaces them: after the first
// attempt, 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and
// 10 hours, then the delivery has failed. Tests compress it with
// WithWebhookRetries.
func DefaultWebhookRetries() []time.Duration {
	return []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
}

// ScaleRetries returns schedule with every delay multiplied by factor, to
// keep the shape of the default schedule in a test that cannot wait hours:
// ScaleRetries(DefaultWebhookRetries(), 1e-4) retries after 0.5 ms, 30 ms,
// 180 ms and so on.
func ScaleRetries(schedule []time.Duration, factor float64) []time.Duration {
	out := make([]time.Duration, len(schedule))
	for i, d := range schedule {
		out[i] = time.Duration(float64(d) * factor)
	}
	return out
}

// webhookConfig is what the webhook and review options set.
type webhookConfig struct {
	// endpoints are pointers so that printing a config never shows a secret.
	endpoints []*endpointConfig
	retries   []time.Duration
	timeout   time.Duration
	workers   int
	// async leaves background reviews pending until settled, after
	// settleAfter when it is positive.
	async       bool
	settleAfter time.Duration
}

type endpointConfig struct {
	url, secret string
}

func defaultWebhookConfig() webhookConfig {
	return webhookConfig{retries: DefaultWebhookRetries(), timeout: DefaultWebhookTimeout, workers: DefaultWebhookWorkers}
}

// WithWebhook registers an endpoint that receives every event the server
// raises, in every account, as Straddle delivers them: a POST of the event
// signed under secret with Standard Webhooks headers (webhook-id,
// webhook-timestamp, webhook-signature), retried on the schedule of
// WithWebhookRetries until it is answered 2xx. secret is written as
// Straddle's dashboard shows it ("whsec_" and the base64 of the key) and as
// straddle/webhook's NewVerifier takes it. Register several endpoints with
// several options. A URL that is not absolute http or https, or a secret
// NewVerifier refuses, fails the test of WithT (or panics without one);
// the error never quotes the secret.
//
// Deliveries never hold up the request that raised the event: each endpoint
// has a bounded queue and its own workers (WithWebhookWorkers). See
// Server.Deliveries for what was sent and WaitForDeliveries to wait for it.
func WithWebhook(url, secret string) Option {
	return func(c *config) {
		c.webhooks.endpoints = append(c.webhooks.endpoints, &endpointConfig{url: url, secret: secret})
	}
}

// WithWebhookRetries sets the delays between attempts of a failing delivery
// (default DefaultWebhookRetries): a delivery is attempted once, then once
// after each delay, and has failed when the last one fails. No delays means
// a single attempt. A negative delay fails the test of WithT (or panics).
func WithWebhookRetries(delays ...time.Duration) Option {
	return func(c *config) { c.webhooks.retries = slices.Clone(delays) }
}

// WithWebhookTimeout sets how long an endpoint has to answer an attempt
// (default DefaultWebhookTimeout); a later answer is a failure, retried like
// any other. It must be positive.
func WithWebhookTimeout(d time.Duration) Option {
	return func(c *config) { c.webhooks.timeout = d }
}

// WithWebhookWorkers sets how many attempts each endpoint gets at once
// (default DefaultWebhookWorkers). More than one delivers faster to a slow
// endpoint, in no particular order. It must be positive.
func WithWebhookWorkers(n int) Option {
	return func(c *config) { c.webhooks.workers = n }
}

// WithAsyncReviews makes the reviews that run in the background asynchronous,
// as on the service: a create with config.processing_method background, and
// every refresh_review, leave the customer pending (reads show pending, and
// the review endpoint has no identity_details) until the review settles.
// It settles when the test calls Settle or SettleCustomer, or after
// settleAfter when it is positive (by the wall clock); settling sets the
// outcome decided as the review started (its ScriptReview or
// ScriptCustomerReview, else the rules, on the data it started with) and
// raises customer.event.v1 with it.
//
// Without this option such reviews settle at once, within the request: its
// answer still shows pending, and the next read shows the outcome. Either
// way the events are the same, in the same order.
func WithAsyncReviews(settleAfter time.Duration) Option {
	return func(c *config) {
		c.webhooks.async = true
		c.webhooks.settleAfter = settleAfter
	}
}
