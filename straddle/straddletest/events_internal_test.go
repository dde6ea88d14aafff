package straddletest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

func testSecret() string {
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	return "whsec_" + base64.StdEncoding.EncodeToString(key)
}

func brokenCustomer(now time.Time) *customer {
	return &customer{id: newID(now), account: accountFor(DefaultAPIKey), name: "Ann Perkins", typ: typeIndividual,
		email: "not an email", phone: "+13175550177", status: statusVerified, createdAt: now, updatedAt: now}
}

// An event that breaks the spec is reported like a response that does: to
// the test of WithT, and its delivery too.
func TestBrokenEventsAreReported(t *testing.T) {
	var got sync.WaitGroup
	got.Add(1)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer got.Done()
	}))
	defer ts.Close()
	tb := &recordingTB{TB: t}
	s := NewServer(WithT(tb), WithWebhook(ts.URL, testSecret()))
	defer s.Close()
	s.emit(nil, brokenCustomer(time.Now()), webhook.CustomerEventV1)
	got.Wait()
	if err := s.WaitForDeliveries(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := tb.reports()
	if len(r) != 2 || !strings.Contains(r[0], "event customer.event.v1 about customer") ||
		!strings.Contains(r[1], "delivery of customer.event.v1") || !strings.Contains(r[0], "data.email") {
		t.Errorf("reports %q, want the event and its delivery", r)
	}
	if strings.Contains(strings.Join(r, " "), "not an email") {
		t.Errorf("a report quotes the value: %q", r)
	}
}

func TestBrokenEventsAreLoggedWithoutATest(t *testing.T) {
	var logs bytes.Buffer
	s := NewServer(WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	defer s.Close()
	s.emit(nil, brokenCustomer(time.Now()), webhook.CustomerEventV1)
	if !strings.Contains(logs.String(), "level=ERROR") || !strings.Contains(logs.String(), "data.email") {
		t.Errorf("logs:\n%s", logs.String())
	}
	if len(s.Events()) != 1 {
		t.Error("the broken event was not recorded")
	}
}

// An endpoint holds a bounded number of deliveries: what comes while it is
// full is dropped for it, with a warning, and never blocks the request.
func TestDeliveryQueueIsBounded(t *testing.T) {
	stuck, release := make(chan struct{}, 1), make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case stuck <- struct{}{}:
		default:
		}
		<-release
	}))
	defer ts.Close()
	var logs bytes.Buffer
	s := NewServer(WithT(t), WithWebhook(ts.URL, testSecret()), WithWebhookRetries(),
		WithLogger(slog.New(slog.NewTextHandler(&lockedWriter{w: &logs}, nil))))
	defer s.Close()
	s.notify.maxQueued = 3
	for range 3 {
		s.emit(nil, testCustomer(time.Now()), webhook.CustomerCreatedV1, webhook.CustomerEventV1)
	}
	<-stuck
	close(release)
	if err := s.WaitForDeliveries(context.Background()); err != nil {
		t.Fatal(err)
	}
	var states []DeliveryState
	for _, d := range s.Deliveries() {
		states = append(states, d.State)
	}
	want := []DeliveryState{DeliverySucceeded, DeliverySucceeded, DeliverySucceeded, DeliveryDropped, DeliveryDropped, DeliveryDropped}
	if len(states) != len(want) {
		t.Fatalf("states %v", states)
	}
	for i := range want {
		if states[i] != want[i] {
			t.Fatalf("states %v, want %v", states, want)
		}
	}
	if n := strings.Count(logs.String(), "queue is full"); n != 3 {
		t.Errorf("%d warnings, want 3:\n%s", n, logs.String())
	}
}

func testCustomer(now time.Time) *customer {
	c := brokenCustomer(now)
	c.email = "ann@example.com"
	return c
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// A server nobody records for and nothing is delivered to raises no event
// at all: straddle-mock without endpoints does no work for them.
func TestNoEventsWithoutRecordingOrEndpoints(t *testing.T) {
	s := NewServer(WithT(t), WithRecording(false))
	defer s.Close()
	if s.notify.active() {
		t.Error("the notifier is active with nothing to do")
	}
	s2 := NewServer(WithT(t), WithRecording(false), WithWebhook("http://127.0.0.1:1/", testSecret()))
	defer s2.Close()
	if !s2.notify.active() {
		t.Error("the notifier is idle with an endpoint")
	}
}
