package webhook_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// Allocation counts are stable where times are not: these tests hold the
// receiving path's costs to the floor the benchmarks compare it with. They
// skip under the race detector, whose sync.Pool drops objects at random.

func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector")
	}
}

// TestVerifyAllocatesAsTheLibrary: verifying costs what the reference
// library's own Verify costs (three more for the svix-* spelling, mapped to
// the library's), at 1 KB and at 100 KB: nothing of ours grows with the body.
func TestVerifyAllocatesAsTheLibrary(t *testing.T) {
	skipUnderRace(t)
	secret := newSecret(t)
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	small := eventFixture(t, "customer.event.v1.verified")
	large := bytes.Replace(small, []byte(`"crm": "1001"`), []byte(`"crm": "`+strings.Repeat("x", 100_000)+`"`), 1)
	now := time.Now()
	for name, body := range map[string][]byte{"1 KB": small, "100 KB": large} {
		h := headers("msg_a", now, libSign(t, secret, "msg_a", now, body))
		floor := testing.AllocsPerRun(100, func() {
			if err := lib.Verify(body, h); err != nil {
				t.Fatal(err)
			}
		})
		ours := testing.AllocsPerRun(100, func() {
			if err := v.Verify(h, body); err != nil {
				t.Fatal(err)
			}
		})
		svix := svixHeaders("msg_a", now, h.Get(webhook.HeaderSignature))
		viaSvix := testing.AllocsPerRun(100, func() {
			if err := v.Verify(svix, body); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("%s: library %.0f, ours %.0f, svix spelling %.0f allocations", name, floor, ours, viaSvix)
		if ours > floor || viaSvix > floor+3 {
			t.Errorf("%s: Verify allocates %.0f (%.0f for svix-*), the library %.0f", name, ours, viaSvix, floor)
		}
	}
}

// TestVerifyEventAllocations: a verified, decoded event costs no more
// allocations than the floor (library Verify plus a plain json.Unmarshal):
// three fewer, measured, since the envelope is not decoded by reflection.
func TestVerifyEventAllocations(t *testing.T) {
	skipUnderRace(t)
	secret := newSecret(t)
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := eventFixture(t, "customer.event.v1.verified")
	now := time.Now()
	h := http.Header(headers("msg_a", now, libSign(t, secret, "msg_a", now, body)))
	floor := testing.AllocsPerRun(100, func() {
		if err := lib.Verify(body, h); err != nil {
			t.Fatal(err)
		}
		var ev plainEvent
		if err := json.Unmarshal(body, &ev); err != nil {
			t.Fatal(err)
		}
	})
	ours := testing.AllocsPerRun(100, func() {
		if _, err := v.VerifyEvent(h, body); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("floor %.0f, VerifyEvent %.0f allocations", floor, ours)
	if ours > floor {
		t.Errorf("VerifyEvent allocates %.0f, more than the floor %.0f", ours, floor)
	}
}

// TestDecodeEventAllocations: decoding an event costs the client's decoding
// of its customer and four allocations: the Event (which holds the
// customer) and its three strings; one more is allowed. The envelope is not
// decoded by json.Unmarshal, nor data copied out and decoded again (which
// cost six more).
func TestDecodeEventAllocations(t *testing.T) {
	skipUnderRace(t)
	body := eventFixture(t, "customer.event.v1.verified")
	var wire struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &wire); err != nil {
		t.Fatal(err)
	}
	customer := testing.AllocsPerRun(100, func() {
		if err := new(straddle.Customer).UnmarshalJSON(wire.Data); err != nil {
			t.Fatal(err)
		}
	})
	ours := testing.AllocsPerRun(100, func() {
		if _, err := webhook.DecodeEvent(body); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("customer %.0f, DecodeEvent %.0f allocations", customer, ours)
	if ours > customer+5 {
		t.Errorf("DecodeEvent allocates %.0f, the customer alone %.0f: more than 5 over", ours, customer)
	}
}
