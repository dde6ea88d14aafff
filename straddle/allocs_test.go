package straddle

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// Allocation budgets of a call's own path (see BENCHMARKS.md): a get or a
// create over an in-memory transport, gen's request building and
// encoding/json's decoding included. They are the counts this code makes with
// Go 1.26 (raceSlack more under the race detector); a change that adds an
// allocation to every call fails here.

// memTransport answers every request with one canned response, in memory.
type memTransport struct {
	status int
	body   []byte
	header http.Header
}

func newMemTransport(t *testing.T, status int, fixture string) *memTransport {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(responsesDir, fixture))
	if err != nil {
		t.Fatal(err)
	}
	return &memTransport{status: status, body: body, header: http.Header{
		"Content-Type": {jsonContentType}, "Content-Length": {strconv.Itoa(len(body))},
	}}
}

func (m *memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: m.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: m.header, ContentLength: int64(len(m.body)),
		Body: io.NopCloser(bytes.NewReader(m.body)), Request: req,
	}, nil
}

// memClients returns a client over tr whose traffic is checked against the
// spec, and one over tr alone, to count allocations with.
func memClients(t *testing.T, tr http.RoundTripper) (checked, plain *Client) {
	t.Helper()
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	for _, hc := range []*http.Client{
		{Transport: &contract.Transport{Validator: v, Base: tr, Report: func(err error) { t.Error(err) }}},
		{Transport: tr},
	} {
		c, err := NewClient(WithAPIKey(testAPIKey), WithBaseURL("http://127.0.0.1:4010"), WithHTTPClient(hc))
		if err != nil {
			t.Fatal(err)
		}
		if checked == nil {
			checked = c
		} else {
			plain = c
		}
	}
	return checked, plain
}

func TestCallAllocations(t *testing.T) {
	ctx := context.Background()
	create := testCreateParams()
	tests := []struct {
		name    string
		status  int
		fixture string
		max     float64
		call    func(*Client) error
	}{
		{"get", http.StatusOK, "getCustomer.200.individual.json", 74, func(c *Client) error {
			_, err := c.Customers.Get(ctx, testCustomerID)
			return err
		}},
		{"create", http.StatusCreated, "createCustomer.201.individual.json", 86, func(c *Client) error {
			_, err := c.Customers.Create(ctx, create)
			return err
		}},
	}
	for _, tt := range tests {
		checked, plain := memClients(t, newMemTransport(t, tt.status, tt.fixture))
		if err := tt.call(checked); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var err error
		allocs := testing.AllocsPerRun(50, func() { err = tt.call(plain) })
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if allocs > tt.max+raceSlack {
			t.Errorf("%s: %v allocations per call, want at most %v", tt.name, allocs, tt.max+raceSlack)
		}
	}
}

// TestReadBodyAllocatesTheBodyOnly: reading a body under its limit costs
// the buffer and nothing else (no io.LimitedReader on the heap).
func TestReadBodyAllocatesTheBodyOnly(t *testing.T) {
	data := bytes.Repeat([]byte(`{"a":"0123456789"},`), 100)
	data = append(append([]byte("["), data[:len(data)-1]...), ']')
	r := bytes.NewReader(data)
	resp := &http.Response{StatusCode: http.StatusOK, ContentLength: int64(len(data)), Body: io.NopCloser(r)}
	var got []byte
	allocs := testing.AllocsPerRun(20, func() {
		r.Reset(data)
		got, _ = readBody(resp)
	})
	if allocs != 1 || !bytes.Equal(got, data) {
		t.Errorf("%v allocations, read %d of %d bytes", allocs, len(got), len(data))
	}
}

// TestParseIDDoesNotAllocate: the id is checked and converted in place.
func TestParseIDDoesNotAllocate(t *testing.T) {
	if raceSlack > 0 {
		t.Skip("under the race detector sync.Pool drops regexp's matchers at random")
	}
	var u [16]byte
	allocs := testing.AllocsPerRun(20, func() {
		id, _ := parseID(testCustomerID)
		u = id
	})
	if allocs != 0 || u == ([16]byte{}) {
		t.Errorf("%v allocations, id %x", allocs, u)
	}
}

// TestSmallCustomerBodiesAreBounded: a 2xx body of one customer under
// maxUncheckedBody is decoded without checkShape, so what decoding builds
// from it must be bounded by its size alone, whatever its shape: 128 bytes
// for each byte of body at most, 2 MiB (the worst here, thousands of empty
// representatives, takes about 62). Such a body is decoded, not refused for
// its shape; a page of the same size is still checked.
func TestSmallCustomerBodiesAreBounded(t *testing.T) {
	const size = maxUncheckedBody - 1
	around := func(insert, unit, sep, end string) []byte {
		head, tail := customerAround(insert)
		return fill(head, unit, sep, end+tail, size)
	}
	head, tail := customerAround(`"metadata":`)
	depth := (size - len(head) - len(tail)) / 2
	bodies := map[string][]byte{
		"a huge string":                         around(`"external_id":"`, "x", "", `"`),
		"many metadata keys":                    keyed(head+"{", "}"+tail, size),
		"many empty arrays in an unknown field": around(`"extra":[`, "[]", ",", "]"),
		"many values in an unknown field":       around(`"extra":[`, "0", ",", "]"),
		"nesting as deep as the body allows":    []byte(head + strings.Repeat("[", depth) + strings.Repeat("]", depth) + tail),
		"many tiny objects as representatives":  around(`"compliance_profile":{"ein":"**-*******","representatives":[`, "{}", ",", "]}"),
	}
	for name, body := range bodies {
		tr := &memTransport{status: http.StatusOK, body: body, header: http.Header{"Content-Type": {jsonContentType}}}
		_, plain := memClients(t, tr)
		get := func() error {
			_, err := plain.Customers.Get(context.Background(), testCustomerID)
			return err
		}
		_ = get()
		allocated, err := bytesAllocated(get)
		t.Logf("%s: %d bytes, %d allocated (%.1fx), err %v", name, len(body), allocated, float64(allocated)/float64(len(body)), err)
		if limit := uint64(128 * len(body)); allocated > limit {
			t.Errorf("%s: %d bytes allocated for a body of %d, over %d", name, allocated, len(body), limit)
		}
		var de *DecodeError
		if err != nil && (!errors.As(err, &de) || errors.Is(err, errBodyTooWide) || errors.Is(err, errBodyTooMany)) {
			t.Errorf("%s: err = %v, want nil or a *DecodeError not about the shape", name, err)
		}
	}
	page := fill(hostileMeta+"[", "{}", ",", "]}", size)
	if _, err := readBodyOf(&http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(page))}, false); err != errBodyTooWide {
		t.Errorf("a page of %d bytes: err = %v, want errBodyTooWide", len(page), err)
	}
}
