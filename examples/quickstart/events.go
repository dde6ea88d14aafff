package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// eventLog is the quickstart's webhook endpoint: straddle/webhook's Handler
// on a loopback port, keeping every event it processed. Only the emulator
// can reach it: Straddle's sender needs a public URL.
type eventLog struct {
	URL    string
	Secret string
	srv    *http.Server

	mu      sync.Mutex
	events  []*webhook.Event
	arrived chan struct{} // signalled after each event
}

// listenForEvents starts the endpoint with a fresh signing secret.
func listenForEvents() (*eventLog, error) {
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	l := &eventLog{Secret: "whsec_" + base64.StdEncoding.EncodeToString(key), arrived: make(chan struct{}, 1)}
	verifier, err := webhook.NewVerifier(l.Secret)
	if err != nil {
		return nil, err
	}
	handler, err := webhook.NewHandler(verifier, func(_ context.Context, ev *webhook.Event) error {
		l.mu.Lock()
		l.events = append(l.events, ev)
		l.mu.Unlock()
		select {
		case l.arrived <- struct{}{}:
		default:
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/straddle", handler)
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = l.srv.Serve(ln) }()
	l.URL = "http://" + ln.Addr().String() + "/webhooks/straddle"
	return l, nil
}

// Close stops the endpoint.
func (l *eventLog) Close() { _ = l.srv.Close() }

// about returns the events processed so far about the customer.
func (l *eventLog) about(customerID string) []*webhook.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []*webhook.Event
	for _, ev := range l.events {
		if ev.Customer != nil && ev.Customer.ID == customerID {
			out = append(out, ev)
		}
	}
	return out
}

// await waits until an event matching each of the conditions has arrived
// about the customer, and returns them in that order.
func (l *eventLog) await(ctx context.Context, customerID string, conds ...func(*webhook.Event) bool) ([]*webhook.Event, error) {
	for {
		var found []*webhook.Event
		evs := l.about(customerID)
		for _, cond := range conds {
			for _, ev := range evs {
				if cond(ev) {
					found = append(found, ev)
					break
				}
			}
		}
		if len(found) == len(conds) {
			return found, nil
		}
		select {
		case <-l.arrived:
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for the events about %s: %w", customerID, ctx.Err())
		}
	}
}
