package straddletest

import (
	"bytes"
	"container/heap"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// DeliveryState is where a delivery of an event to an endpoint stands.
type DeliveryState string

// The states of a delivery.
const (
	// DeliveryPending: queued, being attempted, or waiting for its next
	// attempt (Delivery.NextAttempt).
	DeliveryPending DeliveryState = "pending"
	// DeliveryHeld: held back by a WebhookOutOfOrder fault until the
	// endpoint's next event has been attempted.
	DeliveryHeld DeliveryState = "held"
	// DeliverySucceeded: an attempt was answered 2xx.
	DeliverySucceeded DeliveryState = "succeeded"
	// DeliveryFailed: every attempt of the retry schedule failed.
	DeliveryFailed DeliveryState = "failed"
	// DeliveryDropped: never finished, because the endpoint's queue was
	// full when the event was raised, or the server closed first.
	DeliveryDropped DeliveryState = "dropped"
)

// Delivery is the delivery of one event to one endpoint: a message the
// sender attempts until an attempt is answered 2xx or the retry schedule
// runs out.
type Delivery struct {
	// Endpoint is the endpoint's URL, as given to WithWebhook.
	Endpoint string
	// EventID, EventType and MessageID are the event's (see Event).
	EventID   string
	EventType webhook.EventType
	MessageID string
	State     DeliveryState
	// Attempts are the requests sent, or failed to send, in order.
	Attempts []DeliveryAttempt
	// NextAttempt is when the next attempt is due, while the delivery waits
	// for a retry; zero otherwise.
	NextAttempt time.Time
}

// DeliveryAttempt is one POST of an event to an endpoint.
type DeliveryAttempt struct {
	// Number counts the attempts of the delivery from 1; a duplicate sent
	// by WebhookDuplicate counts as an attempt.
	Number int
	// Time is when it was signed and sent, by the wall clock (the
	// webhook-timestamp header), and Duration how long the answer took.
	Time     time.Time
	Duration time.Duration
	// Status is the status answered, or 0 when there was none.
	Status int
	// Err says why the attempt failed without an answer (a refused
	// connection, no answer within the timeout, the server closing), or
	// is ErrWebhookFault when a fault failed it; nil otherwise, whatever
	// the status.
	Err error
	// Fault is the fault injected into it, or 0.
	Fault WebhookFaultKind
}

// Succeeded reports whether the attempt counts as delivered: answered 2xx,
// and not failed by a fault.
func (a DeliveryAttempt) Succeeded() bool {
	return a.Err == nil && a.Status >= 200 && a.Status < 300
}

// ErrWebhookFault is the Err of an attempt that a WebhookFailBefore fault
// kept from the endpoint, or whose answer a WebhookFailAfter fault
// discarded.
var ErrWebhookFault = errors.New("straddletest: injected webhook fault")

// Deliveries returns the deliveries of the events Events holds, in the
// order of the events and, for each, of the endpoints (WithWebhook).
func (s *Server) Deliveries() []Delivery {
	n := s.notify
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []Delivery
	for _, r := range n.records {
		for _, d := range r.deliveries {
			cp := *d
			cp.Attempts = slices.Clone(d.Attempts)
			out = append(out, cp)
		}
	}
	return out
}

// WaitForDeliveries waits until every delivery of the events raised so far
// has finished, at every endpoint (succeeded, failed for good, or dropped),
// or ctx is done. Deliveries held by WebhookOutOfOrder are not waited for:
// they wait for the endpoint's next event. Retries follow the schedule, so
// shorten it (WithWebhookRetries) in tests that make endpoints fail.
func (s *Server) WaitForDeliveries(ctx context.Context) error {
	for {
		waited := false
		for _, e := range s.notify.endpoints {
			e.mu.Lock()
			idle, open := e.idle, e.outstanding()
			e.mu.Unlock()
			if open == 0 {
				continue
			}
			waited = true
			select {
			case <-idle:
			case <-ctx.Done():
				return fmt.Errorf("straddletest: WaitForDeliveries: deliveries to %s still pending: %w", e.shown, ctx.Err())
			}
		}
		if !waited {
			return nil
		}
	}
}

// maxQueued is how many deliveries an endpoint holds at once (queued,
// waiting for a retry, held or being attempted); an event raised while it
// is full is dropped for that endpoint.
const maxQueued = 10000

// maxAnswerBytes is how much of an answer's body is read (and thrown away)
// so that its connection can be used again.
const maxAnswerBytes = 64 << 10

// notifier raises the server's events and delivers them: the event log, the
// endpoints with their queues, the webhook faults and the background reviews
// waiting to settle.
type notifier struct {
	s *Server

	mu      sync.Mutex // guards records and every Delivery's fields
	records []*eventRecord
	record  bool

	endpoints []*endpoint
	faults    webhookFaults
	settling  settler

	retries   []time.Duration
	timeout   time.Duration
	workers   int
	client    *http.Client
	transport *http.Transport
	ctx       context.Context
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	maxQueued int
}

// newNotifier checks the webhook options and sets up the endpoints. No
// goroutine starts until an event is raised.
func newNotifier(s *Server) (*notifier, error) {
	cfg := s.cfg.webhooks
	ctx, cancel := context.WithCancel(context.Background())
	n := &notifier{
		s: s, record: s.cfg.record, retries: cfg.retries, timeout: cfg.timeout, workers: cfg.workers,
		ctx: ctx, cancel: cancel, maxQueued: maxQueued,
	}
	n.settling.n = n
	switch {
	case cfg.timeout <= 0:
		return n, errors.New("straddletest: WithWebhookTimeout: the timeout must be positive")
	case cfg.workers <= 0:
		return n, errors.New("straddletest: WithWebhookWorkers: the number must be positive")
	case cfg.settleAfter < 0:
		return n, errors.New("straddletest: WithAsyncReviews: the delay must not be negative")
	}
	for i, d := range cfg.retries {
		if d < 0 {
			return n, fmt.Errorf("straddletest: WithWebhookRetries: delay %d is negative", i+1)
		}
	}
	n.transport = &http.Transport{
		Proxy:               nil, // deliveries go where the test says, never through a proxy
		DialContext:         (&net.Dialer{Timeout: cfg.timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout: cfg.timeout,
		MaxIdleConnsPerHost: cfg.workers,
		IdleConnTimeout:     30 * time.Second,
		// An endpoint's answer is read for its status: headers are
		// bounded, and at most maxAnswerBytes of the body read.
		MaxResponseHeaderBytes: 64 << 10,
	}
	n.client = &http.Client{
		Transport: n.transport,
		// The sender does not follow redirects: a 3xx is a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	for i, ec := range cfg.endpoints {
		e, err := newEndpoint(n, ec)
		if err != nil {
			return n, fmt.Errorf("straddletest: WithWebhook %d: %w", i+1, err)
		}
		n.endpoints = append(n.endpoints, e)
	}
	return n, nil
}

// active reports whether events are worth raising: someone records or
// receives them.
func (n *notifier) active() bool { return n.record || len(n.endpoints) > 0 }

// close stops settling reviews, then every delivery: attempts under way are
// cancelled, and what is left is dropped. It waits for every goroutine.
func (n *notifier) close() {
	n.settling.close()
	for _, e := range n.endpoints {
		e.mu.Lock()
		e.closed = true
		e.mu.Unlock()
	}
	n.cancel()
	n.wg.Wait()
	if n.transport != nil {
		n.transport.CloseIdleConnections()
	}
	for _, e := range n.endpoints {
		e.mu.Lock()
		left := slices.Concat(e.ready, []*message(e.later), e.held)
		e.ready, e.later, e.held = nil, nil, nil
		e.updateIdle()
		e.mu.Unlock()
		n.mu.Lock()
		for _, m := range left {
			m.record.State, m.record.NextAttempt = DeliveryDropped, time.Time{}
		}
		n.mu.Unlock()
	}
}

// endpoint is one WithWebhook: where to send, the key to sign with, and the
// deliveries on their way.
type endpoint struct {
	n      *notifier
	url    string
	shown  string // shownURL(url), for logs and errors
	signer *standardwebhooks.Webhook

	mu      sync.Mutex
	ready   []*message // due now, oldest first
	later   retryQueue // waiting for a retry, soonest first
	held    []*message // held back by WebhookOutOfOrder
	busy    int        // being attempted
	started bool
	closed  bool
	// idle is closed while nothing is ready, waiting or being attempted.
	idle       chan struct{}
	idleClosed bool
	wake       chan struct{}
}

func newEndpoint(n *notifier, ec *endpointConfig) (*endpoint, error) {
	u, err := url.Parse(ec.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("the URL must be an absolute http or https URL")
	}
	// The receiver's own rules decide which secrets are usable; its error
	// never quotes the secret.
	if _, err := webhook.NewVerifier(ec.secret); err != nil {
		return nil, err
	}
	signer, err := standardwebhooks.NewWebhook(ec.secret)
	if err != nil {
		return nil, errors.New("the secret is refused by the signing library")
	}
	idle := make(chan struct{})
	close(idle)
	return &endpoint{n: n, url: ec.url, shown: shownURL(u), signer: signer, idle: idle, idleClosed: true,
		wake: make(chan struct{}, 1)}, nil
}

// shownURL is an endpoint's URL as logs and errors show it: scheme, host
// and path. User information and the query often hold a token (an
// endpoint's own shared secret, such as ?token=...); url.Redacted would hide
// only a password.
func shownURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// message is one delivery on its way to an endpoint.
type message struct {
	event    *Event
	record   *Delivery
	sent     int       // attempts made
	failures int       // attempts failed: the place in the retry schedule
	due      time.Time // when the next attempt is due, while waiting for it
	wasHeld  bool      // held back once already
}

// outstanding counts the deliveries WaitForDeliveries waits for.
func (e *endpoint) outstanding() int { return len(e.ready) + len(e.later) + e.busy }

// updateIdle opens or closes idle to match the queues.
func (e *endpoint) updateIdle() {
	switch busy := e.outstanding() > 0; {
	case busy && e.idleClosed:
		e.idle, e.idleClosed = make(chan struct{}), false
	case !busy && !e.idleClosed:
		close(e.idle)
		e.idleClosed = true
	}
}

func (e *endpoint) signal() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// enqueue queues a new delivery, starting the endpoint's workers the first
// time. The caller holds n.mu (it owns m.record's fields).
func (e *endpoint) enqueue(m *message) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed || len(e.ready)+len(e.later)+len(e.held)+e.busy >= e.n.maxQueued {
		m.record.State = DeliveryDropped
		e.n.s.cfg.logger.Warn("straddletest: webhook delivery dropped: the endpoint's queue is full or the server closed",
			"endpoint", e.shown, "event_type", string(m.event.Type), "event_id", m.event.ID)
		return
	}
	e.ready = append(e.ready, m)
	e.updateIdle()
	if !e.started {
		e.started = true
		for range e.n.workers {
			e.n.wg.Add(1)
			go e.work()
		}
	}
	e.signal()
}

// work attempts the endpoint's deliveries as they fall due, until the server
// closes.
func (e *endpoint) work() {
	defer e.n.wg.Done()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		m, wait := e.take(time.Now())
		if m != nil {
			e.attempt(m)
			continue
		}
		var due <-chan time.Time
		if wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			due = timer.C
		}
		select {
		case <-e.n.ctx.Done():
			return
		case <-e.wake:
		case <-due:
		}
	}
}

// take returns the next delivery due, or how long until one falls due (0:
// none is waiting).
func (e *endpoint) take(now time.Time) (*message, time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, 0
	}
	for len(e.later) > 0 && !e.later[0].due.After(now) {
		e.ready = append(e.ready, heap.Pop(&e.later).(*message))
	}
	if len(e.ready) > 0 {
		m := e.ready[0]
		e.ready[0] = nil
		e.ready = e.ready[1:]
		e.busy++
		if len(e.ready) > 0 {
			e.signal() // another worker may take the next
		}
		return m, 0
	}
	if len(e.later) > 0 {
		return nil, e.later[0].due.Sub(now)
	}
	return nil, 0
}

// attempt makes one attempt of m (two, for a WebhookDuplicate) and settles
// what comes next: done, failed for good, or a retry on the schedule.
func (e *endpoint) attempt(m *message) {
	n := e.n
	fault := n.faults.take(m.event.Type, e.url, !m.wasHeld)
	if fault == WebhookOutOfOrder {
		n.mu.Lock()
		m.record.State = DeliveryHeld
		n.mu.Unlock()
		e.mu.Lock()
		e.busy--
		m.wasHeld = true
		e.held = append(e.held, m)
		e.updateIdle()
		e.mu.Unlock()
		return
	}
	ok := e.send(m, fault)
	if fault == WebhookDuplicate && n.ctx.Err() == nil {
		ok = e.send(m, fault) // the answer the sender saw is the second's
	}
	now := time.Now()
	n.mu.Lock()
	switch {
	case n.ctx.Err() != nil:
		m.record.State = DeliveryDropped
	case ok:
		m.record.State, m.record.NextAttempt = DeliverySucceeded, time.Time{}
	case m.failures >= len(n.retries):
		m.failures++
		m.record.State, m.record.NextAttempt = DeliveryFailed, time.Time{}
		n.s.cfg.logger.Warn("straddletest: webhook delivery failed: no attempt was answered 2xx",
			"endpoint", e.shown, "event_type", string(m.event.Type), "event_id", m.event.ID, "attempts", m.sent)
	default:
		m.due = now.Add(n.retries[m.failures])
		m.failures++
		m.record.State, m.record.NextAttempt = DeliveryPending, m.due
	}
	retry := m.record.State == DeliveryPending
	n.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	e.busy--
	if retry && !e.closed {
		heap.Push(&e.later, m)
	}
	if len(e.held) > 0 {
		// The endpoint's next event has been attempted: what was held
		// back goes now, ahead of the rest.
		e.ready = append(e.held, e.ready...)
		e.held = nil
	}
	e.updateIdle()
	if len(e.ready) > 0 || retry {
		e.signal()
	}
}

// send signs and posts m once, records the attempt, and reports whether it
// succeeded.
func (e *endpoint) send(m *message, fault WebhookFaultKind) bool {
	n := e.n
	signer := e.signer
	if fault == WebhookBadSignature {
		signer = strangerSigner()
	}
	now := time.Now()
	sig, err := signer.Sign(m.event.MessageID, now, m.event.Payload)
	if err != nil {
		panic("straddletest: sign a webhook: " + err.Error())
	}
	req, err := http.NewRequestWithContext(n.ctx, http.MethodPost, e.url, bytes.NewReader(m.event.Payload))
	if err != nil {
		panic("straddletest: build a webhook request: " + err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "straddletest-webhooks")
	req.Header.Set(webhook.HeaderID, m.event.MessageID)
	req.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(webhook.HeaderSignature, sig)
	if n.s.cfg.validate {
		if err := contract.ValidateDelivery(n.ctx, req); err != nil {
			n.s.report(fmt.Sprintf("delivery of %s %s", m.event.Type, m.event.ID), err)
		}
	}
	m.sent++
	att := DeliveryAttempt{Number: m.sent, Time: now, Fault: fault}
	if fault == WebhookFailBefore {
		att.Err = ErrWebhookFault
	} else {
		ctx, cancel := context.WithTimeout(n.ctx, n.timeout)
		resp, err := n.client.Do(req.WithContext(ctx))
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAnswerBytes))
			_ = resp.Body.Close()
			att.Status = resp.StatusCode
		}
		cancel()
		att.Duration = time.Since(now)
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = e.shown // the client's error quotes the whole URL
		}
		att.Err = err
		if fault == WebhookFailAfter && att.Err == nil {
			att.Err = ErrWebhookFault
		}
	}
	n.mu.Lock()
	m.record.Attempts = append(m.record.Attempts, att)
	n.mu.Unlock()
	if logger := n.s.cfg.logger; logger.Enabled(n.ctx, slog.LevelDebug) {
		attrs := []any{"endpoint", e.shown, "event_type", string(m.event.Type), "event_id", m.event.ID,
			"attempt", att.Number, "status", att.Status, "duration", att.Duration}
		if att.Err != nil {
			attrs = append(attrs, "error", att.Err.Error())
		}
		if fault != 0 {
			attrs = append(attrs, "fault", fault.String())
		}
		logger.Debug("straddletest: webhook attempt", attrs...)
	}
	return att.Succeeded()
}

// strangerSigner signs with a fresh random key: a signature no endpoint's
// secret verifies.
func strangerSigner() *standardwebhooks.Webhook {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	wh, _ := standardwebhooks.NewWebhookRaw(key)
	return wh
}

// retryQueue orders deliveries waiting for a retry by when it is due.
type retryQueue []*message

func (q retryQueue) Len() int           { return len(q) }
func (q retryQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q retryQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *retryQueue) Push(x any)        { *q = append(*q, x.(*message)) }
func (q *retryQueue) Pop() any {
	old := *q
	m := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	return m
}
