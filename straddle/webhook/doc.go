// Package webhook receives Straddle's customer webhooks: it verifies their
// Standard Webhooks signatures, decodes them into typed events carrying the
// same masked straddle.Customer the client's reads return, and serves them
// to your function through an http.Handler that de-duplicates deliveries.
//
// # Receiving
//
//	v, err := webhook.NewVerifier(os.Getenv("STRADDLE_WEBHOOK_SECRET")) // "whsec_..."
//	if err != nil {
//		return err // a *webhook.SecretError, which never quotes the secret
//	}
//	h, err := webhook.NewHandler(v, func(ctx context.Context, ev *webhook.Event) error {
//		switch ev.Type {
//		case webhook.CustomerCreatedV1, webhook.CustomerEventV1:
//			return customers.Apply(ctx, ev.Customer) // an error makes Straddle retry
//		}
//		return nil // a type this package does not know: ev.Raw has it
//	})
//	if err != nil {
//		return err
//	}
//	http.Handle("POST /webhooks/straddle", h)
//
// The Handler reads at most 1 MiB, answers 400 to a bad signature or body
// (never calling your function), 500 when your function fails, and 200 when
// it succeeds or the event was already processed. See Handler for every
// status, and Verifier.VerifyEvent to verify and decode in a handler of your
// own (a framework's, a queue consumer's).
//
// # Signatures
//
// A delivery carries webhook-id, webhook-timestamp and webhook-signature
// headers (or svix-id, svix-timestamp and svix-signature, with the same
// values); the signature is an HMAC-SHA256 of the id, the timestamp and the
// raw body, keyed with your endpoint's secret. Verifier checks it with the
// Standard Webhooks reference library (constant-time comparison), refuses
// timestamps more than five minutes from your clock either way, and accepts
// several secrets at once for rotation. The reference library is the
// standard's own and small; Svix's Go module (svix-webhooks) verifies the
// same signatures but brings Svix's whole API client and its dependencies.
// The five-minute tolerance is applied here, not by the library, so that it
// can report the timestamp; tests hold it to the library's own Verify on
// either side of both edges. Each failure is a
// *VerificationError wrapping one of ErrMissingHeader, ErrMalformedHeader,
// ErrTimestampTooOld, ErrTimestampTooNew and ErrNoMatchingSignature.
// Verify the body exactly as received: a body decoded and encoded again no
// longer matches its signature.
//
// # Duplicates, pairs and order
//
// Expect the same event more than once: the sender retries any delivery not
// answered 2xx within 15 seconds, so a slow success is delivered again. The
// Handler keys de-duplication on the event id (the same in every delivery of
// an event) through a Deduplicator:
//
//   - an event is marked done only after your function returned nil, so a
//     delivery whose function failed is processed again when retried;
//   - while one delivery of an event runs, another delivery of the same event
//     is answered 503 (retry later) without running the function, so two
//     deliveries of one event never run at once;
//   - a delivery of an event already done is answered 200 at once.
//
// The default MemoryDeduplicator remembers the last 10,000 events for 24
// hours in one process; give a shared one (Redis, SQL) to WithDeduplicator
// when several replicas receive webhooks. Your function should still be
// idempotent where it can: a store can forget, and a crash after your work
// but before Done leaves the event to be processed again.
//
// A new customer is announced twice, by customer.created.v1 and by
// customer.event.v1, with different event ids: both reach your function.
// Events are not ordered: each carries the whole customer as it was, so keep
// the one with the latest Customer.UpdatedAt, or read the customer again
// with the client, before acting on a status.
//
// # Secrets and personal data
//
// A Verifier prints, logs and marshals without its secrets, and no error of
// this package quotes a secret, a signature or the body. Events are masked
// as the client's reads are (Masked values print only when fully masked),
// and an Event prints and logs its ids and the customer's status, never its
// Raw body.
package webhook
