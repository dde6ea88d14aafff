package straddletest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// benchCustomer is a customer with every field an event carries.
func benchCustomer() *customer {
	now := time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC)
	ssn, dob, ext, apt := "123-45-6789", "1975-01-18", "crm-1001", "Apt 2"
	return &customer{id: newID(now), account: accountFor(DefaultAPIKey), name: "Leslie Knope", typ: typeIndividual,
		email: "leslie@example.com", phone: "+13175550142", status: statusVerified, createdAt: now, updatedAt: now,
		externalID: &ext, address: &address{Address1: "123 Main St", Address2: &apt, City: "Pawnee", State: "IN", Zip: "46001"},
		individual: &individualProfile{SSN: &ssn, DOB: &dob}, ip: "203.0.113.42", metadata: map[string]string{"crm": "1001"}}
}

// BenchmarkEmit raises the pair of events a create raises, recorded, with
// validation off, against the floor: encoding the same two bodies from a
// struct built by hand.
func BenchmarkEmit(b *testing.B) {
	c := benchCustomer()
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			data := eventView(c)
			for _, typ := range []webhook.EventType{webhook.CustomerCreatedV1, webhook.CustomerEventV1} {
				raw, err := json.Marshal(eventOut{EventType: typ, EventID: c.id, AccountID: c.account, Data: data})
				if err != nil || len(raw) == 0 {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("straddletest", func(b *testing.B) {
		s := NewUnstartedServer(WithValidation(false))
		defer s.Close()
		b.ReportAllocs()
		for b.Loop() {
			s.emit(nil, c, webhook.CustomerCreatedV1, webhook.CustomerEventV1)
		}
	})
}

// BenchmarkCreateEvents is a create through the handler, validation off,
// with events raised and recorded and without.
func BenchmarkCreateEvents(b *testing.B) {
	body := []byte(`{"name":"Leslie Knope","type":"individual","email":"leslie@example.com","phone":"+13175550142",` +
		`"device":{"ip_address":"203.0.113.42"},"compliance_profile":{"ssn":"123-45-6789","dob":"1975-01-18"}}`)
	for _, events := range []bool{false, true} {
		b.Run("events="+strconv.FormatBool(events), func(b *testing.B) {
			s := NewUnstartedServer(WithValidation(false))
			defer s.Close()
			s.notify.record = events
			h := s.Handler()
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				req := httptest.NewRequest(http.MethodPost, "/v1/customers",
					bytes.NewReader(bytes.Replace(body, []byte("leslie@"), []byte("l"+strconv.Itoa(i)+"@"), 1)))
				req.Header.Set("Authorization", "Bearer "+DefaultAPIKey)
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusCreated {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}

// BenchmarkDeliver delivers one event to a loopback endpoint that reads it
// and answers 200, waiting for the answer, against the floor: signing with
// the reference library and posting with a plain http.Client.
func BenchmarkDeliver(b *testing.B) {
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer endpoint.Close()
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	c := benchCustomer()
	payload := encodeEvent(eventOut{EventType: webhook.CustomerEventV1, EventID: c.id, AccountID: c.account, Data: eventView(c)})
	b.Run("raw", func(b *testing.B) {
		signer, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			b.Fatal(err)
		}
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		b.ReportAllocs()
		for b.Loop() {
			now := time.Now()
			sig, _ := signer.Sign("msg_bench", now, payload)
			req, _ := http.NewRequest(http.MethodPost, endpoint.URL, bytes.NewReader(payload))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(webhook.HeaderID, "msg_bench")
			req.Header.Set(webhook.HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
			req.Header.Set(webhook.HeaderSignature, sig)
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	})
	b.Run("straddletest", func(b *testing.B) {
		s := NewUnstartedServer(WithValidation(false), WithRecording(false), WithWebhook(endpoint.URL, secret))
		defer s.Close()
		ctx := context.Background()
		b.ReportAllocs()
		for b.Loop() {
			s.emit(nil, c, webhook.CustomerEventV1)
			if err := s.WaitForDeliveries(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Recording an event costs the same however many are recorded: the log of
// the latest 10,000 drops the oldest without copying the rest each time.
func TestEmitCostDoesNotGrowWithTheLog(t *testing.T) {
	c := benchCustomer()
	s := NewUnstartedServer(WithValidation(false))
	defer s.Close()
	emit := func() { s.emit(nil, c, webhook.CustomerEventV1) }
	fresh := testing.AllocsPerRun(1000, emit)
	for range maxRecordedEvents {
		emit()
	}
	full := testing.AllocsPerRun(5000, emit)
	if len(s.Events()) != maxRecordedEvents {
		t.Fatalf("%d events kept, want the latest %d", len(s.Events()), maxRecordedEvents)
	}
	if full > fresh+1 {
		t.Errorf("an event costs %.1f allocations with the log full, %.1f with it empty", full, fresh)
	}
}
