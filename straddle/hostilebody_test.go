package straddle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
)

// hostileBodySize is the size of each hostile success body: just under the
// limit, the largest a response can be and still be decoded.
const hostileBodySize = maxSuccessBody - 1024

const hostileMeta = `{"meta":{"api_request_id":"019f423e-31ef-71b8-a30e-a1d47b2c4929","api_request_timestamp":"2026-07-08T15:00:00Z",` +
	`"page_number":1,"page_size":100,"max_page_size":1000,"total_items":1,"total_pages":1,"sort_by":"name","sort_order":"asc"},` +
	`"response_type":"array","data":`

// fill repeats unit between prefix and suffix (joined by sep) until the
// body reaches size.
func fill(prefix, unit, sep, suffix string, size int) []byte {
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(prefix)
	for first := true; b.Len()+len(sep)+len(unit)+len(suffix) <= size; first = false {
		if !first {
			b.WriteString(sep)
		}
		b.WriteString(unit)
	}
	b.WriteString(suffix)
	return b.Bytes()
}

// keyed repeats "k<i>":"" members, each key distinct, until the body
// reaches size.
func keyed(prefix, suffix string, size int) []byte {
	var b bytes.Buffer
	b.Grow(size)
	b.WriteString(prefix)
	for i := 0; b.Len()+len(suffix)+16 <= size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":""`)
	}
	b.WriteString(suffix)
	return b.Bytes()
}

// customerAround is a customer response whose fields before and after
// insert are those of a real one.
func customerAround(insert string) (string, string) {
	head := `{"meta":{"api_request_id":"019f423e-31ef-71b8-a30e-a1d47b2c4929","api_request_timestamp":"2026-07-08T15:00:00Z"},` +
		`"response_type":"object","data":{"id":"019f3b3d-5816-77fb-8a9c-ad05f1654b00","name":"Leslie Knope","type":"individual",` +
		`"email":"leslie@example.com","phone":"+13175550142","status":"verified","created_at":"2026-07-07T06:21:43Z",` +
		`"updated_at":"2026-07-07T06:21:43Z",` + insert
	return head, `}}`
}

// hostileBody is a 2xx answer built to make decoding allocate.
type hostileBody struct {
	name string
	list bool // answers a list (else a get, or a review get for a review)
	body []byte
}

func hostileBodies(size int) []hostileBody {
	str := func(field string) []byte {
		head, tail := customerAround(`"` + field + `":"`)
		return fill(head, "x", "", `"`+tail, size)
	}
	deepHead, deepTail := customerAround(`"extra":`)
	mdHead, mdTail := customerAround(`"metadata":{`)
	nestHead, nestTail := customerAround(`"metadata":`)
	depth := (size - len(nestHead) - len(nestTail)) / 2
	return []hostileBody{
		{"many tiny objects as the page's customers", true, fill(hostileMeta+"[", "{}", ",", "]}", size)},
		{"many numbers as the page's customers", true, fill(hostileMeta+"[", "0", ",", "]}", size)},
		{"many nulls as the page's customers", true, fill(hostileMeta+"[", "null", ",", "]}", size)},
		{"a huge number as total_items", true, fill(hostileMeta[:strings.Index(hostileMeta, `"total_items":`)+len(`"total_items":`)],
			"1", "", `,"total_pages":1,"sort_by":"name","sort_order":"asc"},"response_type":"array","data":[]}`, size)},
		{"a huge string as the name", false, str("external_id")},
		{"many distinct metadata keys", false, keyed(mdHead, `}`+mdTail, size)},
		{"many empty arrays in an unknown field", false, fill(deepHead+"[", "[]", ",", "]"+deepTail, size)},
		{"nesting as deep as encoding/json allows", false, []byte(nestHead + strings.Repeat("[", min(depth, 9_990)) + strings.Repeat("]", min(depth, 9_990)) + nestTail)},
		// Within every shape limit: the most a body can legitimately hold.
		{"1,000 customers with 4 KB names", true, longNames(size)},
		{"a review of 90 watch-list matches of 1,000 URLs each", false, watchList(size)},
	}
}

// longNames is a page of 1,000 summaries whose names fill the body.
func longNames(size int) []byte {
	const n = 1000
	item := func(i int, name string) string {
		return fmt.Sprintf(`{"id":"019f3b3d-5816-77fb-8a9c-%012d","name":"%s","type":"individual","email":"c%d@example.com",`+
			`"phone":"+13175550142","status":"verified","created_at":"2026-07-07T06:21:43Z","updated_at":"2026-07-07T06:21:43Z"}`, i, name, i)
	}
	per := (size-len(hostileMeta)-2)/n - len(item(999, "")) - 1
	items := make([]string, n)
	for i := range items {
		items[i] = item(i, strings.Repeat("n", per))
	}
	return []byte(hostileMeta + "[" + strings.Join(items, ",") + "]}")
}

// watchList is a review whose watch list has 90 matches of 1,000 URLs: the
// most strings the value limit lets through, in a field that keeps them.
func watchList(int) []byte {
	match := `{"list_name":"l","urls":[` + strings.Repeat(`"",`, 999) + `""],"match_fields":[],"correlation":"low_confidence"}`
	matches := strings.Repeat(match+",", 89) + match
	return []byte(`{"meta":{"api_request_id":"019f423e-31ef-71b8-a30e-a1d47b2c4929","api_request_timestamp":"2026-07-08T15:00:00Z"},` +
		`"response_type":"object","data":{"customer_details":{"id":"019f3b3d-5816-77fb-8a9c-ad05f1654b00","name":"Leslie Knope",` +
		`"type":"individual","email":"leslie@example.com","phone":"+13175550142","status":"review","created_at":"2026-07-07T06:21:43Z",` +
		`"updated_at":"2026-07-07T06:21:43Z"},"identity_details":{"review_id":"019f3ba0-8f30-7af2-95ac-e4b4be386952","decision":"review",` +
		`"created_at":"2026-07-07T06:21:43Z","updated_at":"2026-07-07T06:21:43Z","breakdown":{},` +
		`"watch_list":{"decision":"review","codes":null,"matched":null,"matches":[` + matches + `]}}}}`)
}

// TestHostileSuccessBodiesAreBounded: a 2xx answer can be as large as the
// limit, but what decoding it allocates must stay within a small multiple
// of that, whatever its shape: many tiny objects, numbers or nulls where a
// page's customers go (each of which would become a 200-byte summary), a huge
// number, a huge string, thousands of map keys, deep nesting. Each call is
// measured by the bytes the process allocates during it (an upper bound of
// its peak heap).
func TestHostileSuccessBodiesAreBounded(t *testing.T) {
	leakcheck.Check(t)
	for _, hb := range hostileBodies(hostileBodySize) {
		t.Run(hb.name, func(t *testing.T) {
			if len(hb.body) > maxSuccessBody {
				t.Fatalf("body of %d bytes, over the limit of %d", len(hb.body), maxSuccessBody)
			}
			h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, 200, hb.body) }, WithMaxRetries(0))
			h.skip = func(*http.Response) bool { return true } // the contract check would read it whole again
			call := func() error {
				switch {
				case hb.list:
					_, err := h.client.Customers.List(context.Background(), nil)
					return err
				case strings.Contains(hb.name, "review"):
					_, err := h.client.Customers.Review.Get(context.Background(), knopeID)
					return err
				}
				_, err := h.client.Customers.Get(context.Background(), knopeID)
				return err
			}
			_ = call() // warm the connection and the validator
			allocated, err := bytesAllocated(call)
			t.Logf("%d bytes: %.1f MiB allocated (%.1fx), err %v", len(hb.body), float64(allocated)/(1<<20), float64(allocated)/float64(len(hb.body)), err)
			var de *DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Errorf("err = %v, want nil or a *DecodeError", err)
			}
			// Reading a body of unknown length takes about twice its size,
			// decoding its strings as much again; the values it holds are
			// bounded by maxBodyValues, 64 bytes each at most (a string's
			// header and slot, slices' growth); 1 MiB covers the rest of the
			// exchange (headers, the connection's buffers, the server).
			if limit := uint64(4*len(hb.body) + 64*maxBodyValues + 1<<20); allocated > limit {
				t.Errorf("the call allocated %.1f MiB for a %.1f MiB body, over %.1f MiB", float64(allocated)/(1<<20), float64(len(hb.body))/(1<<20), float64(limit)/(1<<20))
			}
		})
	}
}

// TestCheckShape: each limit at its edge, and what must not count (brackets,
// commas and quotes inside strings, escaped quotes); every response fixture
// passes.
func TestCheckShape(t *testing.T) {
	arr := func(n int, unit string) string { return "[" + strings.Repeat(unit+",", n-1) + unit + "]" }
	obj := func(n int) string {
		m := make([]string, n)
		for i := range m {
			m[i] = `"k` + strconv.Itoa(i) + `":1`
		}
		return "{" + strings.Join(m, ",") + "}"
	}
	tests := []struct {
		name string
		body string
		want error
	}{
		{"1000 elements", arr(1000, "{}"), nil},
		{"1001 elements", arr(1001, "{}"), errBodyTooWide},
		{"1000 members", obj(1000), nil},
		{"1001 members", obj(1001), errBodyTooWide},
		{"1001 elements over two arrays", `{"a":` + arr(600, "1") + `,"b":` + arr(401, "1") + `}`, nil},
		{"depth 64", strings.Repeat("[", 64) + strings.Repeat("]", 64), nil},
		{"depth 65", strings.Repeat("[", 65) + strings.Repeat("]", 65), errBodyTooDeep},
		{"depth 65 of objects", strings.Repeat(`{"a":`, 65) + "1" + strings.Repeat("}", 65), errBodyTooDeep},
		{"siblings at depth 64", "[" + strings.Repeat(strings.Repeat("[", 63)+strings.Repeat("]", 63)+",", 99) + "[]]", nil},
		{"a 64-byte number", "[" + strings.Repeat("1", 64) + "]", nil},
		{"a 65-byte number", "[" + strings.Repeat("1", 65) + "]", errBodyLongNumber},
		{"a 65-byte float", "[-1." + strings.Repeat("0", 58) + "e+10]", errBodyLongNumber},
		{"100000 values", "[" + strings.Repeat(arr(999, "null")+",", 99) + arr(998, "null") + "]", nil},
		{"100001 values", arr(100, arr(999, "true")), errBodyTooMany},
		{"brackets and commas in strings", `["` + strings.Repeat(`[{,`, 2000) + `"]`, nil},
		{"escaped quotes", `["\"[[[[,,,,\\",` + strings.Repeat(`"\"",`, 999) + `"x"]`, errBodyTooWide},
		{"an unterminated string", `["abc`, nil},
		{"a trailing backslash", `["abc\`, nil},
		{"unbalanced closers", `]]]]}}}[1,2]`, nil},
		{"empty", ``, nil},
	}
	for _, tt := range tests {
		if err := checkShape([]byte(tt.body)); err != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
	}
	for _, f := range loadFixtures(t) {
		if err := checkShape(f.body); err != nil {
			t.Errorf("fixture %s: %v", f.name, err)
		}
	}
}

// BenchmarkCheckShape measures the shape check of a page of 1,000 summaries
// against decoding it, the work it guards.
func BenchmarkCheckShape(b *testing.B) {
	page := longNames(300 << 10)
	b.Run("check", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			if err := checkShape(page); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		for b.Loop() {
			var s []CustomerSummary
			if _, err := decodeEnvelope(page, nil, &s, nil); err != nil || len(s) != 1000 {
				b.Fatal(err)
			}
		}
	})
}

// TestHostileErrorBodiesAreBounded: an error answer (422, and the 409 the
// retry classifier reads) just under the 1 MiB it is read to, holding 300,000
// items, is not decoded: the *Error keeps the status alone, and the call
// allocates a few MiB, not the hundreds the items would take.
func TestHostileErrorBodiesAreBounded(t *testing.T) {
	leakcheck.Check(t)
	for _, status := range []int{409, 422} {
		body := fill(`{"meta":{"api_request_id":"019f423e-31ef-71b8-a30e-a1d47b2c4929","api_request_timestamp":"2026-07-08T15:00:00Z"},`+
			`"response_type":"error","error":{"status":`+strconv.Itoa(status)+`,"type":"/conflict","title":"Conflict",`+
			`"detail":"Previous identical request currently in progress.","items":[`, `{}`, ",", `]}}`, maxErrorBody-16)
		h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) }, WithMaxRetries(0))
		h.skip = func(*http.Response) bool { return true }
		_, _ = h.client.Customers.Get(context.Background(), knopeID)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := h.client.Customers.Get(context.Background(), knopeID, WithMaxRetries(1))
		runtime.ReadMemStats(&after)
		allocated := after.TotalAlloc - before.TotalAlloc
		var apiErr *Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != status || len(apiErr.Items) != 0 {
			t.Errorf("%d: err = %v, want a status-only *Error", status, err)
		}
		if len(h.reqs()) != 2 {
			t.Errorf("%d: %d requests, want 2: a 409 of that shape is not the in-progress answer", status, len(h.reqs()))
		}
		if allocated > 8<<20 {
			t.Errorf("%d: the call allocated %.1f MiB for a 1 MiB error body", status, float64(allocated)/(1<<20))
		}
	}
}

// bytesAllocated runs f after a collection and returns the bytes it
// allocated, with its error.
func bytesAllocated(f func() error) (uint64, error) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, err
}
