package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// exampleSecret is an endpoint's signing secret as the dashboard shows it.
const exampleSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

// exampleEvent is a customer.event.v1 body as Straddle sends it.
const exampleEvent = `{"event_type":"customer.event.v1","event_id":"0197e3c1-7c21-7b3d-9e4f-5a6b7c8d9ea1",` +
	`"account_id":"0197e3c0-1a2b-7c3d-8e4f-5a6b7c8d9e0f","data":{"id":"0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f",` +
	`"name":"Ron Swanson","type":"individual","email":"ron.swanson@example.com","phone":"+12128675309",` +
	`"status":"verified","created_at":"2026-07-07T06:21:43.8306543Z","updated_at":"2026-07-07T06:21:45.12Z",` +
	`"compliance_profile":{"ssn":"***-**-****","dob":"****-**-**","ein":null,"legal_business_name":null,"website":null},` +
	`"device":{"ip_address":"**.**.**.**"}}}`

// deliver posts body to url as Straddle's sender would: signed now with
// the standard's library, under the message id msgID.
func deliver(client *http.Client, url, msgID, body string) int {
	wh, err := standardwebhooks.NewWebhook(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	now := time.Now()
	sig, err := wh.Sign(msgID, now, []byte(body))
	if err != nil {
		log.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader([]byte(body)))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(webhook.HeaderID, msgID)
	req.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(webhook.HeaderSignature, sig)
	resp, err := client.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A receiver: the Handler verifies each delivery, skips events already
// processed, and calls the function; the retry of a delivery (a new message
// attempt of the same event) does not run it twice.
func ExampleNewHandler() {
	verifier, err := webhook.NewVerifier(exampleSecret) // os.Getenv("STRADDLE_WEBHOOK_SECRET") in a service
	if err != nil {
		log.Fatal(err)
	}
	handler, err := webhook.NewHandler(verifier, func(ctx context.Context, ev *webhook.Event) error {
		switch ev.Type {
		case webhook.CustomerCreatedV1, webhook.CustomerEventV1:
			fmt.Printf("customer %s is %s (as of %s)\n", ev.Customer.ID, ev.Customer.Status, ev.Customer.UpdatedAt.Format(time.RFC3339))
		default:
			fmt.Printf("%s: not handled (%d bytes)\n", ev.Type, len(ev.Raw))
		}
		return nil
	}, webhook.WithErrorFunc(func(r *http.Request, err *webhook.DeliveryError) {
		slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: dropTime})).
			Warn("webhook refused", "status", err.Status, "err", err)
	}))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/straddle", handler)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	url := srv.URL + "/webhooks/straddle"
	fmt.Println(deliver(srv.Client(), url, "msg_1", exampleEvent))
	fmt.Println(deliver(srv.Client(), url, "msg_1", exampleEvent)) // a retry: answered, not run again
	fmt.Println(deliver(srv.Client(), url, "msg_2", `{"event_type":"paykey.created.v1","event_id":"e-2","data":{}}`))
	fmt.Println(deliver(srv.Client(), url, "msg_3", `{"event_type":"customer.event.v1"}`))
	// Output:
	// customer 0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f is verified (as of 2026-07-07T06:21:45Z)
	// 200
	// 200
	// paykey.created.v1: not handled (61 bytes)
	// 200
	// level=WARN msg="webhook refused" status=400 err="webhook: answered 400: webhook: decode event: event_id: missing or empty"
	// 400
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// Verifying in a handler of your own: VerifyEvent takes the headers and the
// body exactly as received. This delivery is the Standard Webhooks test
// vector, signed in 2021: too old to be accepted now.
func ExampleVerifier_VerifyEvent() {
	verifier, err := webhook.NewVerifier(exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	header := http.Header{}
	header.Set("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")
	header.Set("webhook-timestamp", "1614265330")
	header.Set("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
	_, err = verifier.VerifyEvent(header, []byte(`{"test": 2432232314}`))
	fmt.Println(err)
	fmt.Println(errors.Is(err, webhook.ErrTimestampTooOld))
	// Output:
	// webhook: verify: webhook-timestamp: timestamp too old (signed 2021-02-25T15:02:10Z, tolerance 5m0s)
	// true
}

// During a secret rotation, give the Verifier both secrets. A bad secret is
// refused by position, never quoted; a Verifier never prints its secrets.
func ExampleNewVerifier() {
	_, err := webhook.NewVerifier("whsec_bmV3LXNlY3JldC1rZXktYnl0ZXM=", exampleSecret+"\n")
	fmt.Println(err)
	v, err := webhook.NewVerifier("whsec_bmV3LXNlY3JldC1rZXktYnl0ZXM=", exampleSecret)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v %+v\n", v, *v)
	// Output:
	// webhook: secret 1: has leading or trailing white space (a newline from a file or an environment variable?)
	// webhook.Verifier{secrets: 2 [REDACTED]} webhook.Verifier{secrets: 2 [REDACTED]}
}

// Decoding a body already verified: the customer is the client's masked
// straddle.Customer.
func ExampleDecodeEvent() {
	ev, err := webhook.DecodeEvent([]byte(exampleEvent))
	if err != nil {
		log.Fatal(err)
	}
	c := ev.Customer
	fmt.Println(ev.Type, ev.ID)
	fmt.Println(c.Name, c.Status, c.ComplianceProfile.Individual.SSN, c.Device.IPAddress)
	fmt.Println(ev)
	// Output:
	// customer.event.v1 0197e3c1-7c21-7b3d-9e4f-5a6b7c8d9ea1
	// Ron Swanson verified ***-**-**** **.**.**.**
	// webhook.Event{type: customer.event.v1, id: 0197e3c1-7c21-7b3d-9e4f-5a6b7c8d9ea1, account: 0197e3c0-1a2b-7c3d-8e4f-5a6b7c8d9e0f, customer: 0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f verified}
}
