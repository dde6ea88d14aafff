package straddletest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReadBodyAllocates: no buffer for a request without a body, one buffer
// of the body's size for one of known length, and the 1 MiB cap either way.
func TestReadBodyAllocates(t *testing.T) {
	w := httptest.NewRecorder()
	get := httptest.NewRequest("GET", "/v1/customers", nil)
	if n := testing.AllocsPerRun(100, func() {
		if body, tooLarge, err := readBody(w, get); len(body) != 0 || tooLarge || err != nil {
			t.Fatalf("a GET: %q %v %v", body, tooLarge, err)
		}
	}); n != 0 {
		t.Errorf("reading a GET allocates %v times", n)
	}

	payload := []byte(strings.Repeat("x", 10_000))
	rd := bytes.NewReader(payload)
	post := httptest.NewRequest("POST", "/v1/customers", rd)
	if n := testing.AllocsPerRun(100, func() {
		rd.Reset(payload)
		post.Body = io.NopCloser(rd)
		body, tooLarge, err := readBody(w, post)
		if !bytes.Equal(body, payload) || tooLarge || err != nil {
			t.Fatalf("a POST: %d bytes, %v %v", len(body), tooLarge, err)
		}
	}); n > 3 { // the closer, the MaxBytesReader and the buffer
		t.Errorf("reading a body of known length allocates %v times, want 3", n)
	}

	for _, length := range []int64{maxBody + 10, -1} {
		big := httptest.NewRequest("POST", "/v1/customers", bytes.NewReader(make([]byte, maxBody+10)))
		big.ContentLength = length
		if body, tooLarge, err := readBody(httptest.NewRecorder(), big); len(body) != maxBody || !tooLarge || err != nil {
			t.Errorf("a body over the cap, length %d: %d bytes, %v %v", length, len(body), tooLarge, err)
		}
	}
	chunked := httptest.NewRequest("POST", "/v1/customers", bytes.NewReader(payload))
	chunked.ContentLength = -1
	if body, _, err := readBody(w, chunked); !bytes.Equal(body, payload) || err != nil {
		t.Errorf("a body of unknown length: %d bytes, %v", len(body), err)
	}
}

// TestResponseBodiesAreStoredWithoutACopy: a response body is built at its
// length, and the idempotency cache keeps it as it is.
func TestResponseBodiesAreStoredWithoutACopy(t *testing.T) {
	resp := jsonResponse(http.StatusCreated, map[string]string{"name": strings.Repeat("n", 1000)})
	if cap(resp.body) != len(resp.body) {
		t.Errorf("body of %d bytes has capacity %d", len(resp.body), cap(resp.body))
	}
	s := newIdempotency()
	_, e, _ := s.begin(tenantA, scopeOf("k"), [32]byte{1}, idemNow)
	s.finish(e, resp)
	if &e.body[0] != &resp.body[0] {
		t.Error("finish copied the body")
	}
}

// TestIdempotencyHashesAllocateNothing: the fingerprint and the scope of a
// key are hashed without joining strings or copying the body.
func TestIdempotencyHashesAllocateNothing(t *testing.T) {
	r := httptest.NewRequest("POST", "/v1/customers", nil)
	body := []byte(minimalBody)
	if n := testing.AllocsPerRun(100, func() {
		fingerprint(r, body)
		hashStrings(DefaultAPIKey, "\x00", "019f3b40-7e5a-7078-9536-b70e4ca90ac5", "\x00", "some-key-0000001")
	}); n != 0 {
		t.Errorf("hashing allocates %v times", n)
	}
}
