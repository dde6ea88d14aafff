package straddle_test

// Benchmarks of what the client costs per call and holds while paging, each
// next to its floor, the sub-benchmark "raw": plain net/http and
// encoding/json doing the same work. Every sub-benchmark talks over loopback
// to an httptest server that answers with canned bytes, so the server's share
// is the same for all of them. Each one first checks its result once, with
// the exchange held to the spec by the contract validator, so a broken
// benchmark fails instead of measuring nothing; then it times a plain client
// on the same connection.
//
//	go test -run '^$' -bench . -benchmem ./straddle/ | go run ./internal/cmd/benchtable

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/straddlekit/straddle-go/gen"
	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle"
)

const (
	benchKey        = "sk_test_bench_9f2c61d04b"
	benchAuth       = "Bearer " + benchKey
	benchCustomerID = "019f3b3d-5816-77fb-8a9c-ad05f1654b00"
	benchPageSize   = 1000
	benchPages      = 100
)

// benchValidator is loaded once: the spec is the same for every benchmark.
var benchValidator = sync.OnceValues(contract.NewValidator)

// benchUUID matches the idempotency keys both sides generate.
var benchUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// ---- The floor: what a caller writes with net/http and encoding/json alone.

type rawMeta struct {
	RequestID        string `json:"api_request_id"`
	RequestTimestamp string `json:"api_request_timestamp"`
}

type rawAddress struct {
	Address1 string `json:"address1"`
	Address2 string `json:"address2,omitempty"`
	City     string `json:"city"`
	State    string `json:"state"`
	Zip      string `json:"zip"`
}

type rawRepresentative struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

type rawProfile struct {
	SSN               string              `json:"ssn,omitempty"`
	DOB               string              `json:"dob,omitempty"`
	EIN               string              `json:"ein,omitempty"`
	LegalBusinessName string              `json:"legal_business_name,omitempty"`
	Website           string              `json:"website,omitempty"`
	Representatives   []rawRepresentative `json:"representatives,omitempty"`
}

type rawDevice struct {
	IPAddress string `json:"ip_address"`
}

type rawConfig struct {
	SandboxOutcome   string `json:"sandbox_outcome,omitempty"`
	ProcessingMethod string `json:"processing_method,omitempty"`
}

// rawCustomer has the fields of straddle.Customer.
type rawCustomer struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Status            string            `json:"status"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	ExternalID        string            `json:"external_id"`
	Address           *rawAddress       `json:"address"`
	ComplianceProfile *rawProfile       `json:"compliance_profile"`
	Device            *rawDevice        `json:"device"`
	Metadata          map[string]string `json:"metadata"`
	Config            *rawConfig        `json:"config"`
}

type rawCustomerEnvelope struct {
	Meta rawMeta      `json:"meta"`
	Data *rawCustomer `json:"data"`
}

// rawCreateRequest is the create body a caller would marshal.
type rawCreateRequest struct {
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Device            rawDevice         `json:"device"`
	Address           *rawAddress       `json:"address,omitempty"`
	ComplianceProfile *rawProfile       `json:"compliance_profile,omitempty"`
	ExternalID        string            `json:"external_id,omitempty"`
	Metadata          map[string]string `json:"metadata,omitempty"`
	Config            *rawConfig        `json:"config,omitempty"`
}

// rawSummary has the fields of straddle.CustomerSummary.
type rawSummary struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	ExternalID string    `json:"external_id"`
}

type rawPageMeta struct {
	RequestID        string `json:"api_request_id"`
	RequestTimestamp string `json:"api_request_timestamp"`
	PageNumber       int    `json:"page_number"`
	PageSize         int    `json:"page_size"`
	MaxPageSize      int    `json:"max_page_size"`
	TotalItems       int    `json:"total_items"`
	TotalPages       int    `json:"total_pages"`
	SortBy           string `json:"sort_by"`
	SortOrder        string `json:"sort_order"`
}

type rawPage struct {
	Meta rawPageMeta  `json:"meta"`
	Data []rawSummary `json:"data"`
}

// rawIdempotencyKey makes a UUIDv4 the way the client does.
func rawIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// rawDo sends req with the API key and decodes a want-status JSON body into
// v, draining and closing the body so the connection goes back to the pool.
func rawDo(hc *http.Client, req *http.Request, want int, v any) error {
	req.Header.Set("Authorization", benchAuth)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		_, _ = io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("status %d, want %d", resp.StatusCode, want)
	}
	err = json.NewDecoder(resp.Body).Decode(v)
	_, _ = io.Copy(io.Discard, resp.Body)
	return err
}

func rawGet(ctx context.Context, hc *http.Client, base, id string) (*rawCustomer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/customers/"+id, nil)
	if err != nil {
		return nil, err
	}
	var env rawCustomerEnvelope
	if err := rawDo(hc, req, http.StatusOK, &env); err != nil {
		return nil, err
	}
	return env.Data, nil
}

func rawCreate(ctx context.Context, hc *http.Client, base string, p *rawCreateRequest) (*rawCustomer, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/customers", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", rawIdempotencyKey())
	var env rawCustomerEnvelope
	if err := rawDo(hc, req, http.StatusCreated, &env); err != nil {
		return nil, err
	}
	return env.Data, nil
}

func rawList(ctx context.Context, hc *http.Client, base string, page int) (*rawPage, error) {
	u := base + "/v1/customers?page_number=" + strconv.Itoa(page) + "&page_size=" + strconv.Itoa(benchPageSize)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	var p rawPage
	if err := rawDo(hc, req, http.StatusOK, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ---- The canned server.

// benchServer is a loopback server with canned answers and the one
// transport (connection pool) that every client of a sub-benchmark shares.
// It counts the connections it accepts, to prove they are reused.
type benchServer struct {
	*httptest.Server
	tr    *http.Transport
	conns atomic.Int64
}

func newBenchServer(b *testing.B, h http.Handler) *benchServer {
	b.Helper()
	s := &benchServer{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	s.tr = http.DefaultTransport.(*http.Transport).Clone()
	b.Cleanup(func() {
		s.tr.CloseIdleConnections()
		s.Close()
	})
	return s
}

// plain is the client the timed loop uses.
func (s *benchServer) plain() *http.Client { return &http.Client{Transport: s.tr} }

// checked is a client on the same connections that holds every request and
// response to the spec, for the check before the loop.
func (s *benchServer) checked(b *testing.B) *http.Client {
	b.Helper()
	v, err := benchValidator()
	if err != nil {
		b.Fatal(err)
	}
	return &http.Client{Transport: &contract.Transport{Validator: v, Base: s.tr, Report: func(err error) { b.Error(err) }}}
}

// client returns a straddle client of the server that sends with hc.
func (s *benchServer) client(b *testing.B, hc *http.Client) *straddle.Client {
	b.Helper()
	c, err := straddle.NewClient(straddle.WithAPIKey(benchKey), straddle.WithBaseURL(s.URL), straddle.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// reused fails b unless the calls stayed on one or two connections.
func (s *benchServer) reused(b *testing.B) {
	b.Helper()
	if n := s.conns.Load(); n > 2 {
		b.Fatalf("%d connections for %d calls: connections are not reused", n, b.N)
	}
}

// reply writes a canned JSON answer with a precomputed Content-Length.
type reply struct {
	status int
	body   []byte
	length []string
}

var jsonContentType = []string{"application/json"}

func newReply(status int, body []byte) reply {
	return reply{status: status, body: body, length: []string{strconv.Itoa(len(body))}}
}

func (r reply) write(w http.ResponseWriter) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = r.length
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body)
}

// refuse answers a request the canned server does not expect; the client
// sees a 4xx, which fails the check.
func refuse(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	http.Error(w, "unexpected request", http.StatusTeapot)
}

func benchFixture(b *testing.B, parts ...string) []byte {
	b.Helper()
	body, err := os.ReadFile(filepath.Join(append([]string{"..", "testdata"}, parts...)...))
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// getHandler answers GET /v1/customers/{benchCustomerID} with body.
func getHandler(body []byte) http.HandlerFunc {
	ok := newReply(http.StatusOK, body)
	path := "/v1/customers/" + benchCustomerID
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != path || r.Header.Get("Authorization") != benchAuth {
			refuse(w, r)
			return
		}
		ok.write(w)
	}
}

// createHandler answers POST /v1/customers with body. While capturing, it
// keeps the last request's body and idempotency key for the check.
type createHandler struct {
	created   reply
	capturing atomic.Bool
	mu        sync.Mutex
	lastBody  []byte
	lastKey   string
}

func (h *createHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if r.Method != http.MethodPost || r.URL.Path != "/v1/customers" || r.Header.Get("Authorization") != benchAuth ||
		len(key) != 36 || r.Header.Get("Content-Type") != "application/json" {
		refuse(w, r)
		return
	}
	if h.capturing.Load() {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.lastBody, h.lastKey = body, key
		h.mu.Unlock()
	} else {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	h.created.write(w)
}

// last returns the captured request body and idempotency key.
func (h *createHandler) last() ([]byte, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastBody, h.lastKey
}

// ---- Pages of customer summaries.

// pageSource serves benchPages pages of benchPageSize summaries. Every page
// has its own meta and the same data template, in which each id, name, email
// and external id has a four-digit page field that is patched per request.
// So all 100,000 customers are distinct while the heap holds one template,
// not 100 bodies (which would set the GC's pace and hide what paging holds).
type pageSource struct {
	prefix  [][]byte // per page: {"meta":{...},"response_type":"array","data":
	data    []byte   // the template array
	offsets []int    // where the page field goes in data
	length  [][]string
	bufs    sync.Pool
	served  [benchPages]atomic.Int32 // requests per page
}

var suffix = []byte("}")

var (
	benchStatuses = []string{"verified", "pending", "review", "verified", "rejected", "inactive", "verified"}
	benchTypes    = []string{"individual", "individual", "business", "individual"}
)

func newPageSource() *pageSource {
	ps := &pageSource{}
	var d bytes.Buffer
	field := func() {
		ps.offsets = append(ps.offsets, d.Len())
		d.WriteString("0000")
	}
	d.WriteByte('[')
	for i := range benchPageSize {
		if i > 0 {
			d.WriteByte(',')
		}
		d.WriteString(`{"id":"019f3b40-7deb-752d-8cf3-`)
		field()
		fmt.Fprintf(&d, `%08d","name":"Customer `, i)
		field()
		fmt.Fprintf(&d, `-%04d","type":%q,"email":"customer.`, i, benchTypes[i%len(benchTypes)])
		field()
		fmt.Fprintf(&d, `.%04d@example.com","phone":"+1317555%04d","status":%q,`, i, i, benchStatuses[i%len(benchStatuses)])
		created := fmt.Sprintf("2026-%02d-%02dT%02d:%02d:%02d.%07dZ", 1+i%12, 1+i%28, i%24, i%60, (i*7)%60, i*7919%10000000)
		updated := created
		if i%3 == 0 {
			updated = fmt.Sprintf("2026-07-07T06:%02d:%02d.5Z", i%60, (i*13)%60)
		}
		fmt.Fprintf(&d, `"created_at":%q,"updated_at":%q,"external_id":`, created, updated)
		if i%4 == 3 {
			d.WriteString(`null}`)
		} else {
			d.WriteString(`"cust_`)
			field()
			fmt.Fprintf(&d, `%04d"}`, i)
		}
	}
	d.WriteByte(']')
	ps.data = d.Bytes()
	for n := 1; n <= benchPages; n++ {
		p := fmt.Appendf(nil, `{"meta":{"api_request_id":"019f423e-31ef-71b8-a30e-%012d","api_request_timestamp":"2026-07-08T15:00:00.1111111Z",`+
			`"page_number":%d,"page_size":%d,"max_page_size":1000,"total_items":%d,"total_pages":%d,"sort_by":"name","sort_order":"asc"},`+
			`"response_type":"array","data":`, n, n, benchPageSize, benchPages*benchPageSize, benchPages)
		ps.prefix = append(ps.prefix, p)
		ps.length = append(ps.length, []string{strconv.Itoa(len(p) + len(ps.data) + len(suffix))})
	}
	ps.bufs.New = func() any { b := make([]byte, len(ps.data)); return &b }
	return ps
}

// queryInt reads an integer query parameter without allocating.
func queryInt(rawQuery, key string) int {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return 0
}

func (ps *pageSource) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := queryInt(r.URL.RawQuery, "page_number")
	if r.Method != http.MethodGet || r.URL.Path != "/v1/customers" || r.Header.Get("Authorization") != benchAuth ||
		n < 1 || n > benchPages || queryInt(r.URL.RawQuery, "page_size") != benchPageSize {
		refuse(w, r)
		return
	}
	ps.served[n-1].Add(1)
	buf := ps.bufs.Get().(*[]byte)
	data := *buf
	copy(data, ps.data)
	digits := [4]byte{byte('0' + n/1000%10), byte('0' + n/100%10), byte('0' + n/10%10), byte('0' + n%10)}
	for _, off := range ps.offsets {
		copy(data[off:off+4], digits[:])
	}
	h := w.Header()
	h["Content-Type"] = jsonContentType
	h["Content-Length"] = ps.length[n-1]
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(ps.prefix[n-1])
	_, _ = w.Write(data)
	_, _ = w.Write(suffix)
	ps.bufs.Put(buf)
}

// checkWalk runs walk, which reports the id of every customer it sees, and
// fails b unless it saw all customers, each once, asking for each page once.
func (ps *pageSource) checkWalk(b *testing.B, walk func(seen func(id string))) {
	b.Helper()
	for i := range ps.served {
		ps.served[i].Store(0)
	}
	ids := make(map[string]bool, benchPages*benchPageSize)
	visits := 0
	walk(func(id string) { ids[id] = true; visits++ })
	if len(ids) != benchPages*benchPageSize || visits != len(ids) {
		b.Fatalf("%d customers, %d distinct, want %d distinct", visits, len(ids), benchPages*benchPageSize)
	}
	for i := range ps.served {
		if n := ps.served[i].Load(); n != 1 {
			b.Fatalf("page %d requested %d times, want once", i+1, n)
		}
	}
}

// heapPeak samples the heap at page boundaries. It reports the largest heap
// seen (live and not yet collected objects: what the process holds, GC slack
// included) and the largest live heap found by a collection, less the live
// heap before the loop: what paging retains.
type heapPeak struct {
	samples  [2]metrics.Sample
	baseLive uint64
	peak     uint64
	peakLive uint64
}

func newHeapPeak() *heapPeak {
	h := &heapPeak{}
	h.samples[0].Name = "/memory/classes/heap/objects:bytes"
	h.samples[1].Name = "/gc/heap/live:bytes"
	runtime.GC()
	metrics.Read(h.samples[:])
	h.baseLive = h.samples[1].Value.Uint64()
	return h
}

func (h *heapPeak) read() {
	metrics.Read(h.samples[:])
	h.peak = max(h.peak, h.samples[0].Value.Uint64())
	h.peakLive = max(h.peakLive, h.samples[1].Value.Uint64())
}

// maxRetained bounds what paging may keep alive: a few pages' worth. A
// client that held every page would keep over 30 MiB.
const maxRetained = 16 << 20

func (h *heapPeak) report(b *testing.B) {
	b.Helper()
	retained := h.peakLive - min(h.baseLive, h.peakLive)
	b.ReportMetric(float64(h.peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(retained)/(1<<20), "retained-MiB")
	if retained > maxRetained {
		b.Fatalf("paging kept %d MiB alive: memory grows with the number of pages", retained>>20)
	}
}

// ---- Checks, so a benchmark that measures nothing fails.

func checkRawCustomer(b *testing.B, c *rawCustomer, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	want := time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC)
	if c == nil || c.ID != benchCustomerID || c.Name != "Leslie Knope" || !c.CreatedAt.Equal(want) ||
		c.ComplianceProfile == nil || c.ComplianceProfile.SSN != "***-**-****" || c.Metadata["crm_segment"] != "civic" ||
		c.Address == nil || c.Address.Zip != "47998-0100" {
		b.Fatalf("raw decoded %+v", c)
	}
}

func checkCustomer(b *testing.B, c *straddle.Customer, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
	want := time.Date(2026, 7, 7, 6, 21, 43, 830654300, time.UTC)
	if c == nil || c.ID != benchCustomerID || c.Name != "Leslie Knope" || !c.CreatedAt.Equal(want) ||
		c.ComplianceProfile == nil || c.ComplianceProfile.Individual == nil || !c.ComplianceProfile.Individual.SSN.IsMasked() ||
		c.Metadata["crm_segment"] != "civic" || c.Address == nil || c.Address.Zip != "47998-0100" {
		b.Fatalf("straddle decoded %v", c)
	}
}

// ---- Benchmarks.

func BenchmarkGetCustomer(b *testing.B) {
	body := benchFixture(b, "responses", "getCustomer.200.individual.json")
	ctx := context.Background()

	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		s := newBenchServer(b, getHandler(body))
		c, err := rawGet(ctx, s.checked(b), s.URL, benchCustomerID)
		checkRawCustomer(b, c, err)
		hc := s.plain()
		for b.Loop() {
			if _, err := rawGet(ctx, hc, s.URL, benchCustomerID); err != nil {
				b.Fatal(err)
			}
		}
		s.reused(b)
	})

	b.Run("gen", func(b *testing.B) {
		b.ReportAllocs()
		s := newBenchServer(b, getHandler(body))
		auth := func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", benchAuth)
			return nil
		}
		get := func(g *gen.Client, id string) (*gen.CustomerResponse, error) {
			var uid openapi_types.UUID
			if err := uid.UnmarshalText([]byte(id)); err != nil {
				return nil, err
			}
			resp, err := g.GetCustomer(ctx, uid, nil)
			if err != nil {
				return nil, err
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("status %d", resp.StatusCode)
			}
			var out gen.CustomerResponse
			err = json.NewDecoder(resp.Body).Decode(&out)
			_, _ = io.Copy(io.Discard, resp.Body)
			return &out, err
		}
		checkedGen, err := gen.NewClient(s.URL, gen.WithHTTPClient(s.checked(b)), gen.WithRequestEditorFn(auth))
		if err != nil {
			b.Fatal(err)
		}
		out, err := get(checkedGen, benchCustomerID)
		if err != nil {
			b.Fatal(err)
		}
		if out.Data.ID.String() != benchCustomerID || out.Data.Name != "Leslie Knope" || out.Data.CreatedAt != "2026-07-07T06:21:43.8306543Z" {
			b.Fatalf("gen decoded %+v", out.Data)
		}
		g, err := gen.NewClient(s.URL, gen.WithHTTPClient(s.plain()), gen.WithRequestEditorFn(auth))
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := get(g, benchCustomerID); err != nil {
				b.Fatal(err)
			}
		}
		s.reused(b)
	})

	b.Run("straddle", func(b *testing.B) {
		b.ReportAllocs()
		s := newBenchServer(b, getHandler(body))
		c, err := s.client(b, s.checked(b)).Customers.Get(ctx, benchCustomerID)
		checkCustomer(b, c, err)
		client := s.client(b, s.plain())
		for b.Loop() {
			if _, err := client.Customers.Get(ctx, benchCustomerID); err != nil {
				b.Fatal(err)
			}
		}
		s.reused(b)
	})
}

func BenchmarkCreateCustomer(b *testing.B) {
	created := benchFixture(b, "responses", "createCustomer.201.individual.json")
	var wantBody any
	if err := json.Unmarshal(benchFixture(b, "requests", "createCustomer.individual.json"), &wantBody); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()

	// checkSent fails b unless the captured request is the fixture's body
	// with a fresh UUIDv4 idempotency key.
	checkSent := func(b *testing.B, h *createHandler) {
		b.Helper()
		body, key := h.last()
		var got any
		if err := json.Unmarshal(body, &got); err != nil {
			b.Fatal(err)
		}
		if !reflect.DeepEqual(got, wantBody) {
			b.Fatalf("sent %s, want the body of requests/createCustomer.individual.json", body)
		}
		if !benchUUID.MatchString(key) {
			b.Fatalf("idempotency key %q is not a UUIDv4", key)
		}
	}

	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		h := &createHandler{created: newReply(http.StatusCreated, created)}
		s := newBenchServer(b, h)
		p := &rawCreateRequest{
			Name:              "Leslie Knope",
			Type:              "individual",
			Email:             "leslie.knope@example.com",
			Phone:             "+13175550142",
			Device:            rawDevice{IPAddress: "203.0.113.42"},
			Address:           &rawAddress{Address1: "100 State St", Address2: "Suite 200", City: "Pawnee", State: "IN", Zip: "47998-0100"},
			ComplianceProfile: &rawProfile{SSN: "123-45-6789", DOB: "1975-01-18"},
			ExternalID:        "cust_00042",
			Metadata:          map[string]string{"crm_segment": "civic", "signup_channel": "web"},
			Config:            &rawConfig{SandboxOutcome: "standard"},
		}
		h.capturing.Store(true)
		c, err := rawCreate(ctx, s.checked(b), s.URL, p)
		h.capturing.Store(false)
		checkRawCustomer(b, c, err)
		checkSent(b, h)
		hc := s.plain()
		for b.Loop() {
			if _, err := rawCreate(ctx, hc, s.URL, p); err != nil {
				b.Fatal(err)
			}
		}
		s.reused(b)
	})

	b.Run("straddle", func(b *testing.B) {
		b.ReportAllocs()
		h := &createHandler{created: newReply(http.StatusCreated, created)}
		s := newBenchServer(b, h)
		p := &straddle.CreateCustomerParams{
			Name:       "Leslie Knope",
			Type:       straddle.CustomerTypeIndividual,
			Email:      "leslie.knope@example.com",
			Phone:      "+13175550142",
			IPAddress:  straddle.NewIPAddress("203.0.113.42"),
			Address:    &straddle.Address{Address1: "100 State St", Address2: "Suite 200", City: "Pawnee", State: "IN", Zip: "47998-0100"},
			Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18")},
			ExternalID: "cust_00042",
			Metadata:   map[string]string{"crm_segment": "civic", "signup_channel": "web"},
			Config:     &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeStandard},
		}
		h.capturing.Store(true)
		c, err := s.client(b, s.checked(b)).Customers.Create(ctx, p)
		h.capturing.Store(false)
		checkCustomer(b, c, err)
		checkSent(b, h)
		client := s.client(b, s.plain())
		for b.Loop() {
			if _, err := client.Customers.Create(ctx, p); err != nil {
				b.Fatal(err)
			}
		}
		s.reused(b)
	})
}

func BenchmarkListPage(b *testing.B) {
	ps := newPageSource()
	ctx := context.Background()
	const wantFirst = "019f3b40-7deb-752d-8cf3-000100000000"

	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		s := newBenchServer(b, ps)
		p, err := rawList(ctx, s.checked(b), s.URL, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Data) != benchPageSize || p.Data[0].ID != wantFirst || p.Meta.TotalPages != benchPages || p.Data[0].CreatedAt.IsZero() {
			b.Fatalf("raw page: %d items, meta %+v", len(p.Data), p.Meta)
		}
		hc := s.plain()
		for b.Loop() {
			if _, err := rawList(ctx, hc, s.URL, 1); err != nil {
				b.Fatal(err)
			}
		}
		s.reused(b)
	})

	b.Run("straddle", func(b *testing.B) {
		b.ReportAllocs()
		s := newBenchServer(b, ps)
		params := &straddle.ListParams{PageNumber: 1, PageSize: benchPageSize}
		p, err := s.client(b, s.checked(b)).Customers.List(ctx, params)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Customers) != benchPageSize || p.Customers[0].ID != wantFirst || p.Meta.TotalPages != benchPages || p.Customers[0].CreatedAt.IsZero() {
			b.Fatalf("straddle page: %d items, meta %+v", len(p.Customers), p.Meta)
		}
		client := s.client(b, s.plain())
		for b.Loop() {
			if _, err := client.Customers.List(ctx, params); err != nil {
				b.Fatal(err)
			}
		}
		s.reused(b)
	})
}

func BenchmarkAll100k(b *testing.B) {
	ps := newPageSource()
	ctx := context.Background()
	const total = benchPages * benchPageSize

	// Each sub-benchmark checks the first page against the spec and walks all
	// pages once, checking that it sees 100,000 distinct customers and asks
	// for each page once; the timed loop then counts what it sees on every
	// pass. The check loads the spec validator, so the heap holds it in both.
	b.Run("raw", func(b *testing.B) {
		b.ReportAllocs()
		s := newBenchServer(b, ps)
		if _, err := rawList(ctx, s.checked(b), s.URL, 1); err != nil {
			b.Fatal(err)
		}
		hc := s.plain()
		all := func(h *heapPeak, each func(*rawSummary)) int {
			n := 0
			for page := 1; ; page++ {
				p, err := rawList(ctx, hc, s.URL, page)
				if err != nil {
					b.Fatal(err)
				}
				for i := range p.Data {
					each(&p.Data[i])
					n++
				}
				if h != nil {
					h.read()
				}
				if page >= p.Meta.TotalPages {
					return n
				}
			}
		}
		ps.checkWalk(b, func(seen func(id string)) { all(nil, func(c *rawSummary) { seen(c.ID) }) })
		h := newHeapPeak()
		for b.Loop() {
			if n := all(h, func(*rawSummary) {}); n != total {
				b.Fatalf("%d customers, want %d", n, total)
			}
		}
		b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "items/s")
		h.report(b)
		s.reused(b)
	})

	b.Run("straddle", func(b *testing.B) {
		b.ReportAllocs()
		s := newBenchServer(b, ps)
		params := &straddle.ListParams{PageSize: benchPageSize}
		if _, err := s.client(b, s.checked(b)).Customers.List(ctx, &straddle.ListParams{PageNumber: 1, PageSize: benchPageSize}); err != nil {
			b.Fatal(err)
		}
		client := s.client(b, s.plain())
		all := func(h *heapPeak, each func(*straddle.CustomerSummary)) int {
			n := 0
			for c, err := range client.Customers.All(ctx, params) {
				if err != nil {
					b.Fatal(err)
				}
				each(c)
				n++
				if h != nil && n%benchPageSize == 0 {
					h.read()
				}
			}
			return n
		}
		ps.checkWalk(b, func(seen func(id string)) { all(nil, func(c *straddle.CustomerSummary) { seen(c.ID) }) })
		h := newHeapPeak()
		for b.Loop() {
			if n := all(h, func(*straddle.CustomerSummary) {}); n != total {
				b.Fatalf("%d customers, want %d", n, total)
			}
		}
		b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "items/s")
		h.report(b)
		s.reused(b)
	})
}
