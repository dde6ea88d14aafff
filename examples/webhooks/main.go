// Command webhooks shows the receiving side of Straddle's customer webhooks
// against the straddletest emulator: your service's endpoint, built on
// straddle/webhook's Handler, learns that a refreshed identity review has
// completed from a signed customer.event.v1, as it would from Straddle.
//
//	go run ./examples/webhooks
//
// The emulator runs in-process and delivers to a receiver on a loopback port;
// nothing leaves the machine. It exits 0 only if every step did what it
// should.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, time.Second); err != nil {
		fmt.Fprintln(os.Stderr, "webhooks example failed:", err)
		os.Exit(1)
	}
	fmt.Println("all steps succeeded")
}

// customers is the receiver's state, kept from events: the latest known
// state of each customer. Events can come out of order, so an older state
// never replaces a newer one. Events also go to feed, for this program to
// show.
type customers struct {
	mu     sync.Mutex
	latest map[string]*straddle.Customer
	feed   chan *webhook.Event
}

// apply is the function the webhook Handler calls with each verified event,
// once per event id. An error would make the sender retry.
func (cs *customers) apply(ctx context.Context, ev *webhook.Event) error {
	if ev.Customer == nil {
		return nil // a type this program does not know
	}
	cs.mu.Lock()
	if cur := cs.latest[ev.Customer.ID]; cur == nil || !ev.Customer.UpdatedAt.Before(cur.UpdatedAt) {
		cs.latest[ev.Customer.ID] = ev.Customer
	}
	cs.mu.Unlock()
	select {
	case cs.feed <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (cs *customers) status(id string) straddle.CustomerStatus {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if c := cs.latest[id]; c != nil {
		return c.Status
	}
	return ""
}

// next waits for the next event the receiver processed.
func (cs *customers) next(ctx context.Context) (*webhook.Event, error) {
	select {
	case ev := <-cs.feed:
		return ev, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for an event: %w", ctx.Err())
	}
}

// run wires a receiver to the emulator and walks a refresh through its
// events, printing each step to w. Background reviews settle after
// settleAfter, as Straddle's finish some time after they start.
func run(ctx context.Context, w io.Writer, settleAfter time.Duration) error {
	// 1. Your endpoint. In production the secret is the endpoint's signing
	// secret from Straddle's dashboard, in STRADDLE_WEBHOOK_SECRET.
	secret := newSecret()
	state := &customers{latest: map[string]*straddle.Customer{}, feed: make(chan *webhook.Event, 16)}
	verifier, err := webhook.NewVerifier(secret)
	if err != nil {
		return err
	}
	handler, err := webhook.NewHandler(verifier, state.apply)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/straddle", handler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	receiver := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = receiver.Serve(ln) }()
	defer receiver.Close()
	endpoint := "http://" + ln.Addr().String() + "/webhooks/straddle"
	fmt.Fprintf(w, "1. receiver listening at %s\n", endpoint)

	// 2. The emulator, delivering every event to it, signed with the secret.
	emu := straddletest.NewServer(
		straddletest.WithWebhook(endpoint, secret),
		straddletest.WithAsyncReviews(settleAfter),
		straddletest.WithWebhookRetries(100*time.Millisecond, time.Second, 5*time.Second),
	)
	defer emu.Close()
	client := emu.Client()
	fmt.Fprintf(w, "2. emulator at %s delivers to it\n", emu.URL)

	// 3. A customer without identity data goes to manual review.
	c, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name: "April Ludgate", Type: straddle.CustomerTypeIndividual,
		Email: "april@example.com", Phone: "+12125550199",
		IPAddress: straddle.NewIPAddress("192.0.2.30"),
	})
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	fmt.Fprintf(w, "3. created %s: status %s\n", c.ID, c.Status)
	for range 2 { // customer.created.v1 and customer.event.v1, in either order
		ev, err := state.next(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "   received %s: status %s\n", ev.Type, ev.Customer.Status)
	}

	// 4. The identity data arrives: an update, then a refreshed review.
	if _, err := client.Customers.Edit(ctx, c.ID, func(p *straddle.UpdateCustomerParams) error {
		p.IPAddress = straddle.NewIPAddress("192.0.2.30")
		p.Individual = &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1988-06-10")}
		return nil
	}); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	ev, err := state.next(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "4. updated the identity data; received %s: status %s\n", ev.Type, ev.Customer.Status)

	// The emulator will deliver the next event twice, as Straddle's sender
	// may: the refresh's own customer.event.v1, announcing the customer
	// pending. The Handler runs the function once.
	emu.InjectWebhook(straddletest.WebhookFault{Kind: straddletest.WebhookDuplicate})
	refreshed, err := client.Customers.Review.Refresh(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	fmt.Fprintf(w, "5. refresh answered %s\n", refreshed.Status)
	for {
		ev, err := state.next(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "   received %s: status %s\n", ev.Type, ev.Customer.Status)
		if ev.Customer.Status != straddle.CustomerStatusPending {
			break
		}
	}

	// 6. The receiver knows the outcome without asking; a read agrees.
	got, err := client.Customers.Get(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	if known := state.status(c.ID); known != got.Status || known != straddle.CustomerStatusVerified {
		return fmt.Errorf("the receiver knows status %q, a read says %q, want verified", known, got.Status)
	}
	if err := emu.WaitForDeliveries(ctx); err != nil {
		return err
	}
	events := emu.Events()
	sent, twice := 0, ""
	for i, d := range emu.Deliveries() {
		sent += len(d.Attempts)
		if len(d.Attempts) == 2 {
			twice = fmt.Sprintf("%s %s", events[i].Type, events[i].Status)
		}
	}
	fmt.Fprintf(w, "6. the refresh completed: status %s, as a read confirms (%d deliveries sent, %d events processed; %s sent twice)\n",
		got.Status, sent, len(events), twice)
	if sent != len(events)+1 || twice != "customer.event.v1 pending" {
		return errors.New("the refresh's pending event was not the one delivered twice")
	}
	select {
	case ev := <-state.feed:
		return fmt.Errorf("the function ran again, for %s", ev)
	default:
	}
	return nil
}

// newSecret makes a signing secret in Straddle's form, for this run.
func newSecret() string {
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}
