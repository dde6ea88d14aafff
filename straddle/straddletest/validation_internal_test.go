package straddletest

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestRequestShape(t *testing.T) {
	for _, tt := range []struct {
		body, want string
	}{
		{minimalBody, ""},
		{`{"metadata":{"k":[` + strings.Repeat("0,", 99) + `0]}}`, ""},
		{`{"metadata":{"k":[` + strings.Repeat("0,", 100) + `0]}}`, ruleTooWide},
		{`{"name":"` + strings.Repeat(",", 5000) + `"}`, ""},
		{`{"name":"\"` + strings.Repeat(",", 500) + `"}`, ""},
		{strings.Repeat("[", 16) + strings.Repeat("]", 16), ""},
		{strings.Repeat("[", 17) + strings.Repeat("]", 17), ruleTooDeep},
		{`{"a":[` + strings.Repeat(`{"b":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]},`, 99) + `0]}`, ruleTooMany},
		{`{"a":[` + strings.Repeat(`{"b":[1,2,3,4,5,6,7,8,9,10]},`, 99) + `0]}`, ""},
		{`{"a":` + strings.Repeat("1", 65) + `}`, ruleLongNumber},
		{`{"a":` + strings.Repeat("1", 64) + `}`, ""},
	} {
		if got := checkShape([]byte(tt.body)); got != tt.want {
			t.Errorf("%.40s...: %q, want %q", tt.body, got, tt.want)
		}
	}
	body := []byte(`{"metadata":{"k":[` + strings.Repeat("0,", 1<<19-20) + `0]}}`)
	if n := testing.AllocsPerRun(10, func() { checkShape(body) }); n != 0 {
		t.Errorf("checkShape allocates %v times", n)
	}
}

// TestWideBodyIsRefusedBeforeDecoding: a 1 MiB body of half a million values
// is refused with a 400 naming the rule, without decoding it: serving it
// allocates about the body's size (reading it), not the 66 MB decoding it
// did.
func TestWideBodyIsRefusedBeforeDecoding(t *testing.T) {
	s := NewServer(WithT(t), WithRecording(false))
	body := []byte(`{"metadata":{"k":[` + strings.Repeat("0,", maxBody/2-20) + `0]}}`)
	serve := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/v1/customers", bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+s.APIKey())
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", "wide-body-key-0001")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, r)
		return w
	}
	w := serve()
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "more than 100 entries") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	const runs = 4
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		serve()
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 2*uint64(len(body)) {
		t.Errorf("serving a %d-byte body allocated %d bytes", len(body), per)
	}
}

// TestValidationIsBounded: no more bodies are validated at once than
// validating allows; a request waits for a slot.
func TestValidationIsBounded(t *testing.T) {
	s := NewServer(WithT(t))
	for range cap(validating) {
		validating <- struct{}{}
	}
	done := make(chan int)
	go func() {
		status, _, _, _ := send(t, s, "POST", "/v1/customers", minimalBody)
		done <- status
	}()
	waitUntil(t, func() bool { return s.RequestCount(OpCreateCustomer) == 1 })
	select {
	case status := <-done:
		t.Errorf("answered %d while every validation slot was taken", status)
	case <-time.After(100 * time.Millisecond):
	}
	<-validating
	if status := <-done; status != http.StatusCreated {
		t.Errorf("status %d once a slot was free", status)
	}
	for range cap(validating) - 1 {
		<-validating
	}
}

// waitUntil polls cond, for up to ten seconds.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for range 1000 {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition not met in 10s")
}
