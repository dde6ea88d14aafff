package straddle_test

// The canned server the benchmarks talk to. It runs in a process of its own,
// so its CPU time and allocations are not counted with the client's: the
// test binary itself, which TestMain turns into the server when
// benchServerEnv is set (serveCanned). It listens on two loopback ports: the
// API, which answers with canned bytes and counts the connections it accepts,
// and a control port on which the benchmarks ask what the API saw. It exits
// when its standard input closes, so it cannot outlive the benchmark that
// started it, even one that is killed.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchServerEnv, set in its environment, makes the test binary the canned
// server instead of running tests.
const benchServerEnv = "STRADDLE_BENCH_SERVER"

// ---- The server process.

// serveCanned runs the canned server until standard input closes, and
// returns the process's exit code.
func serveCanned() int {
	api, err := newCannedAPI()
	if err != nil {
		fmt.Fprintln(os.Stderr, "canned server:", err)
		return 1
	}
	apiLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "canned server:", err)
		return 1
	}
	ctlLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "canned server:", err)
		return 1
	}
	apiSrv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 10 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				api.conns.Add(1)
			}
		},
	}
	ctlSrv := &http.Server{Handler: api.control(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = apiSrv.Serve(apiLn) }()
	go func() { _ = ctlSrv.Serve(ctlLn) }()
	fmt.Printf("%s %s\n", apiLn.Addr(), ctlLn.Addr())
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

// cannedAPI answers the benchmarks' requests: the get and create fixtures
// and the pages of pageSource. Anything else gets a 418, which fails the
// benchmark's check.
type cannedAPI struct {
	get     reply
	created reply
	pages   *pageSource
	conns   atomic.Int64 // connections accepted

	mu       sync.Mutex
	lastBody []byte // of the last create
	lastKey  string // its Idempotency-Key
}

func newCannedAPI() (*cannedAPI, error) {
	get, err := readFixture("responses", "getCustomer.200.individual.json")
	if err != nil {
		return nil, err
	}
	created, err := readFixture("responses", "createCustomer.201.individual.json")
	if err != nil {
		return nil, err
	}
	return &cannedAPI{
		get:     newReply(http.StatusOK, get),
		created: newReply(http.StatusCreated, created),
		pages:   newPageSource(),
	}, nil
}

// readFixture reads a file of the repository's testdata.
func readFixture(parts ...string) ([]byte, error) {
	return os.ReadFile(filepath.Join(append([]string{"..", "testdata"}, parts...)...))
}

const benchCustomerPath = "/v1/customers/" + benchCustomerID

func (a *cannedAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != benchAuth {
		refuse(w, r)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == benchCustomerPath:
		a.get.write(w)
	case r.Method == http.MethodPost && r.URL.Path == "/v1/customers":
		a.create(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v1/customers":
		a.pages.serve(w, r)
	default:
		refuse(w, r)
	}
}

// create answers a create and keeps its body and idempotency key for the
// benchmark's check.
func (a *cannedAPI) create(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) != 36 || r.Header.Get("Content-Type") != "application/json" {
		refuse(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		refuse(w, r)
		return
	}
	a.mu.Lock()
	a.lastBody, a.lastKey = body, key
	a.mu.Unlock()
	a.created.write(w)
}

// control serves what the API saw: GET /conns (connections accepted), GET
// /created (the last create's body, its key in the Idempotency-Key header),
// GET /served (requests per page, a JSON array) and POST /reset (zero the
// page counts).
func (a *cannedAPI) control() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /conns", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, a.conns.Load())
	})
	mux.HandleFunc("GET /created", func(w http.ResponseWriter, _ *http.Request) {
		a.mu.Lock()
		body, key := a.lastBody, a.lastKey
		a.mu.Unlock()
		w.Header().Set("Idempotency-Key", key)
		_, _ = w.Write(body)
	})
	mux.HandleFunc("GET /served", func(w http.ResponseWriter, _ *http.Request) {
		counts := make([]int32, len(a.pages.served))
		for i := range a.pages.served {
			counts[i] = a.pages.served[i].Load()
		}
		_ = json.NewEncoder(w).Encode(counts)
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, _ *http.Request) {
		for i := range a.pages.served {
			a.pages.served[i].Store(0)
		}
	})
	return mux
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

// ---- Pages of customer summaries.

// pageSource serves benchPages pages of benchPageSize summaries. Every page
// has its own meta and the same data template, in which each id, name, email
// and external id has a four-digit page field that is patched per request.
// So all 1,000,000 customers are distinct (benchSummaryID names each) while
// the server holds one template, not 1,000 bodies.
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

// benchSummaryID is the id of item i (from 0) of page n (from 1).
func benchSummaryID(n, i int) string {
	return fmt.Sprintf("019f3b40-7deb-752d-8cf3-%04d%08d", n, i)
}

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

func (ps *pageSource) serve(w http.ResponseWriter, r *http.Request) {
	n := queryInt(r.URL.RawQuery, "page_number")
	if n < 1 || n > benchPages || queryInt(r.URL.RawQuery, "page_size") != benchPageSize {
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

// ---- The benchmark's side.

// cannedServer is a running server process, seen from a benchmark.
type cannedServer struct {
	URL     string // the API's base URL
	control string // the control port's base URL
	ctl     *http.Client
}

// startCanned starts a canned server process for b and its sub-benchmarks;
// it is stopped when b ends.
func startCanned(b *testing.B) *cannedServer {
	b.Helper()
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), benchServerEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	ctl := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("canned server did not start: %v", err)
	}
	api, control, ok := strings.Cut(strings.TrimSpace(line), " ")
	if !ok {
		b.Fatalf("canned server said %q", line)
	}
	return &cannedServer{URL: "http://" + api, control: "http://" + control, ctl: ctl}
}

// ask sends a control request and returns the answer's body and header.
func (s *cannedServer) ask(b *testing.B, method, path string) ([]byte, http.Header) {
	b.Helper()
	req, err := http.NewRequest(method, s.control+path, nil)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := s.ctl.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("control %s %s: %d %v", method, path, resp.StatusCode, err)
	}
	return body, resp.Header
}

// conns returns how many connections the API has accepted.
func (s *cannedServer) conns(b *testing.B) int64 {
	b.Helper()
	body, _ := s.ask(b, http.MethodGet, "/conns")
	n, err := strconv.ParseInt(string(body), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// created returns the last create's body and idempotency key.
func (s *cannedServer) created(b *testing.B) ([]byte, string) {
	b.Helper()
	body, h := s.ask(b, http.MethodGet, "/created")
	return body, h.Get("Idempotency-Key")
}

// served returns how many times each page was asked for since the last reset.
func (s *cannedServer) served(b *testing.B) []int32 {
	b.Helper()
	body, _ := s.ask(b, http.MethodGet, "/served")
	var counts []int32
	if err := json.Unmarshal(body, &counts); err != nil {
		b.Fatal(err)
	}
	return counts
}

// resetServed zeroes the page counts.
func (s *cannedServer) resetServed(b *testing.B) {
	b.Helper()
	s.ask(b, http.MethodPost, "/reset")
}
