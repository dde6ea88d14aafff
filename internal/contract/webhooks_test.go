package contract

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func eventBody(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "events", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWebhooksDocument(t *testing.T) {
	types, err := EventTypes()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(types, []string{"customer.created.v1", "customer.event.v1"}) {
		t.Errorf("event types %v", types)
	}
	if _, err := EventOperation("customer.deleted.v1"); !errors.Is(err, ErrUnknownEvent) {
		t.Errorf("unknown event: %v", err)
	}
	op, err := EventOperation("customer.event.v1")
	if err != nil || op.OperationID != "customerEventV1" {
		t.Fatalf("operation %v, %v", op, err)
	}
	// Refs inside x-webhooks resolve to the spec's components.
	data := op.RequestBody.Value.Content.Get("application/json").Schema.Value.Properties["data"]
	if data.Value == nil || data.Value.Properties["device"].Value == nil {
		t.Error("the data schema's refs did not resolve")
	}
}

func TestValidateEvent(t *testing.T) {
	good := eventBody(t, "customer.event.v1.verified.json")
	if err := ValidateEvent(good); err != nil {
		t.Fatal(err)
	}
	const sentinel = "987-65-4320"
	for name, body := range map[string][]byte{
		"not JSON":            []byte("ssn=" + sentinel),
		"no event_type":       bytes.Replace(good, []byte(`"event_type"`), []byte(`"kind"`), 1),
		"unknown event_type":  bytes.Replace(good, []byte(`customer.event.v1`), []byte(`customer.gone.v1`), 1),
		"email not an email":  bytes.Replace(good, []byte(`ron.swanson@example.com`), []byte(sentinel), 1),
		"status unknown":      bytes.Replace(good, []byte(`"verified"`), []byte(`"`+sentinel+`"`), 1),
		"an unknown field":    bytes.Replace(good, []byte(`"name":`), []byte(`"ssn":"`+sentinel+`","name":`), 1),
		"event_id not a uuid": bytes.Replace(good, []byte(`0197e3c1-7c21-7b3d-9e4f-5a6b7c8d9ea1`), []byte(sentinel), 1),
	} {
		err := ValidateEvent(body)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if strings.Contains(err.Error(), sentinel) {
			t.Errorf("%s: the error quotes the value: %v", name, err)
		}
	}
}

func TestValidateDelivery(t *testing.T) {
	body := eventBody(t, "customer.created.v1.individual.json")
	sig := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	request := func(method string, h map[string]string, b []byte) *http.Request {
		req := httptest.NewRequest(method, "/any/endpoint/path", bytes.NewReader(b))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		return req
	}
	std := map[string]string{"webhook-id": "msg_1", "webhook-timestamp": "1614265330", "webhook-signature": sig}
	svix := map[string]string{"svix-id": "msg_1", "svix-timestamp": "1614265330", "svix-signature": sig + " v1a,abc+/="}
	for name, req := range map[string]*http.Request{
		"webhook-* headers": request(http.MethodPost, std, body),
		"svix-* headers":    request(http.MethodPost, svix, body),
	} {
		if err := ValidateDelivery(context.Background(), req); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if b, _ := io.ReadAll(req.Body); !bytes.Equal(b, body) {
			t.Errorf("%s: the body was not put back", name)
		}
	}
	without := func(key string) map[string]string {
		h := map[string]string{}
		for k, v := range std {
			if k != key {
				h[k] = v
			}
		}
		return h
	}
	with := func(key, value string) map[string]string { h := without(key); h[key] = value; return h }
	for name, req := range map[string]*http.Request{
		"GET":                        request(http.MethodGet, std, body),
		"no webhook-id":              request(http.MethodPost, without("webhook-id"), body),
		"no webhook-signature":       request(http.MethodPost, without("webhook-signature"), body),
		"timestamp not seconds":      request(http.MethodPost, with("webhook-timestamp", "2026-07-07T06:21:43Z"), body),
		"signature without version":  request(http.MethodPost, with("webhook-signature", "g0hM9SsE+OTPJTGt"), body),
		"two spaces between entries": request(http.MethodPost, with("webhook-signature", sig+"  "+sig), body),
		"svix, one missing":          request(http.MethodPost, map[string]string{"svix-id": "m", "svix-signature": sig}, body),
		"body breaks the spec":       request(http.MethodPost, std, bytes.Replace(body, []byte(`"pending"`), []byte(`"approved"`), 1)),
		"no body":                    request(http.MethodPost, std, nil),
	} {
		if err := ValidateDelivery(context.Background(), req); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
