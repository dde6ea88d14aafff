package readme

import (
	"context"
	"net/http"
	"os"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// CustomerStore is where the README's receiver keeps customers: it saves a
// customer unless it holds a newer state of it (a later UpdatedAt).
type CustomerStore interface {
	SaveIfNewer(ctx context.Context, c *straddle.Customer) error
}

// ReceiveWebhooks is the README's "Receiving webhooks" snippet, between the
// markers.
func ReceiveWebhooks(store CustomerStore) error {
	// README begin
	verifier, err := webhook.NewVerifier(os.Getenv("STRADDLE_WEBHOOK_SECRET")) // "whsec_...", or several while rotating
	if err != nil {
		return err
	}
	handler, err := webhook.NewHandler(verifier, func(ctx context.Context, ev *webhook.Event) error {
		switch ev.Type {
		case webhook.CustomerCreatedV1, webhook.CustomerEventV1:
			return store.SaveIfNewer(ctx, ev.Customer) // the same masked *straddle.Customer reads return
		}
		return nil // a type this version does not know: ev.Raw holds it
	})
	if err != nil {
		return err
	}
	http.Handle("POST /webhooks/straddle", handler)
	// README end
	return nil
}
