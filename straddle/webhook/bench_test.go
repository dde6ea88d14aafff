package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// Benchmarks of the receiving path against the floor: the reference
// library's Verify and a plain json.Unmarshal into a plain struct of the
// same fields. The event is testdata/events/customer.event.v1.verified.json
// (a customer with address, profile, device and metadata), signed once, now.

// plainEvent is the event as a plain struct: what a hand-written receiver
// would decode into.
type plainEvent struct {
	EventType string `json:"event_type"`
	EventID   string `json:"event_id"`
	AccountID string `json:"account_id"`
	Data      struct {
		ID         string    `json:"id"`
		Name       string    `json:"name"`
		Type       string    `json:"type"`
		Email      string    `json:"email"`
		Phone      string    `json:"phone"`
		Status     string    `json:"status"`
		CreatedAt  time.Time `json:"created_at"`
		UpdatedAt  time.Time `json:"updated_at"`
		ExternalID *string   `json:"external_id"`
		Address    *struct {
			Address1 string  `json:"address1"`
			Address2 *string `json:"address2"`
			City     string  `json:"city"`
			State    string  `json:"state"`
			Zip      string  `json:"zip"`
		} `json:"address"`
		ComplianceProfile *struct {
			SSN               *string `json:"ssn"`
			DOB               *string `json:"dob"`
			EIN               *string `json:"ein"`
			LegalBusinessName *string `json:"legal_business_name"`
			Website           *string `json:"website"`
		} `json:"compliance_profile"`
		Device *struct {
			IPAddress string `json:"ip_address"`
		} `json:"device"`
		Metadata map[string]string `json:"metadata"`
	} `json:"data"`
}

// benchDelivery is one signed delivery of the benchmark event.
type benchDelivery struct {
	secret string
	header http.Header
	body   []byte
}

func newBenchDelivery(b *testing.B) benchDelivery {
	b.Helper()
	body := specEvent(b, eventFixture(b, "customer.event.v1.verified"))
	secret := newSecret(b)
	now := time.Now()
	return benchDelivery{secret, headers("msg_bench", now, libSign(b, secret, "msg_bench", now, body)), body}
}

func BenchmarkVerifyDecode(b *testing.B) {
	d := newBenchDelivery(b)
	b.Run("raw", func(b *testing.B) {
		wh, err := standardwebhooks.NewWebhook(d.secret)
		if err != nil {
			b.Fatal(err)
		}
		var ev plainEvent
		if err := wh.Verify(d.body, d.header); err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(d.body, &ev); err != nil || ev.Data.Status != "verified" || ev.Data.ComplianceProfile.SSN == nil {
			b.Fatalf("%v %+v", err, ev)
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(d.body)))
		for b.Loop() {
			if err := wh.Verify(d.body, d.header); err != nil {
				b.Fatal(err)
			}
			var ev plainEvent
			if err := json.Unmarshal(d.body, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("webhook", func(b *testing.B) {
		v, err := webhook.NewVerifier(d.secret)
		if err != nil {
			b.Fatal(err)
		}
		ev, err := v.VerifyEvent(d.header, d.body)
		if err != nil || ev.Customer.Status != "verified" || ev.Customer.ComplianceProfile.Individual == nil {
			b.Fatalf("%v %v", err, ev)
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(d.body)))
		for b.Loop() {
			if _, err := v.VerifyEvent(d.header, d.body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerify and BenchmarkDecode split VerifyDecode into its halves.
func BenchmarkVerify(b *testing.B) {
	d := newBenchDelivery(b)
	b.Run("raw", func(b *testing.B) {
		wh, err := standardwebhooks.NewWebhook(d.secret)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := wh.Verify(d.body, d.header); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("webhook", func(b *testing.B) {
		v, err := webhook.NewVerifier(d.secret)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := v.Verify(d.header, d.body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	d := newBenchDelivery(b)
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ev plainEvent
			if err := json.Unmarshal(d.body, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("webhook", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := webhook.DecodeEvent(d.body); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// alwaysNew is a Deduplicator that never remembers: every delivery runs, so
// the Handler benchmark measures one delivery's full path, store aside.
type alwaysNew struct{}

func (alwaysNew) Claim(context.Context, string) (webhook.ClaimResult, error) {
	return webhook.Claimed, nil
}
func (alwaysNew) Done(context.Context, string) error    { return nil }
func (alwaysNew) Release(context.Context, string) error { return nil }

// BenchmarkHandler serves one delivery in process (no network): read the
// body under the limit, verify, decode, claim, call, mark done, answer 200;
// the floor does the same with io.ReadAll, the library and a plain struct.
func BenchmarkHandler(b *testing.B) {
	d := newBenchDelivery(b)
	serve := func(b *testing.B, h http.Handler) {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/straddle", nil)
		req.Header = d.header
		body := bytes.NewReader(d.body)
		run := func() int {
			body.Reset(d.body)
			req.Body = io.NopCloser(body)
			req.ContentLength = int64(len(d.body))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			return w.Code
		}
		if code := run(); code != http.StatusOK {
			b.Fatalf("status %d", code)
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(d.body)))
		for b.Loop() {
			if code := run(); code != http.StatusOK {
				b.Fatalf("status %d", code)
			}
		}
	}
	b.Run("raw", func(b *testing.B) {
		wh, err := standardwebhooks.NewWebhook(d.secret)
		if err != nil {
			b.Fatal(err)
		}
		serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, webhook.DefaultMaxBodyBytes))
			if err != nil {
				http.Error(w, "too large", http.StatusRequestEntityTooLarge)
				return
			}
			if err := wh.Verify(body, r.Header); err != nil {
				http.Error(w, "bad signature", http.StatusBadRequest)
				return
			}
			var ev plainEvent
			if err := json.Unmarshal(body, &ev); err != nil || ev.EventID == "" {
				http.Error(w, "bad payload", http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusOK)
		}))
	})
	b.Run("webhook", func(b *testing.B) {
		v, err := webhook.NewVerifier(d.secret)
		if err != nil {
			b.Fatal(err)
		}
		h, err := webhook.NewHandler(v, func(context.Context, *webhook.Event) error { return nil }, webhook.WithDeduplicator(alwaysNew{}))
		if err != nil {
			b.Fatal(err)
		}
		serve(b, h)
	})
}

// BenchmarkMemoryDeduplicator is the default store's cost per event (a
// Claim and a Done of a new id), full at its default size.
func BenchmarkMemoryDeduplicator(b *testing.B) {
	d, err := webhook.NewMemoryDeduplicator(0, 0)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ids := make([]string, 2*webhook.DefaultMaxEvents)
	for i := range ids {
		ids[i] = fmt.Sprintf("0197e3c1-%04x-7b3d-9e4f-5a6b7c8d9ea1", i)
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		id := ids[i%len(ids)]
		i++
		if r, _ := d.Claim(ctx, id); r != webhook.Claimed {
			b.Fatalf("%s: %v", id, r)
		}
		if err := d.Done(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
}
