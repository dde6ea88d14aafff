package straddletest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// The emulator at 1,000, 100,000 and 1,000,000 stored customers, over
// loopback, with its spec validation of every request and response on
// ("validate", the default) and off ("novalidate"):
//
//   - EmulatorGet and EmulatorCreate: requests per second, GOMAXPROCS clients
//     in parallel on one connection pool, with plain net/http.
//   - EmulatorList: one client, one list after another, so ns/op is the
//     latency of one list (page_size 100) of each kind (see listCases).
//   - EmulatorMemory: the heap each stored customer takes (after a GC).
//
// Besides ns/op, each reports cpu-ns/op: the CPU time of the whole process
// (server, client and collector) per operation, which other load on a shared
// machine disturbs far less than wall time.
//
// Each size's customers are loaded once (straight into a store, see
// export_test.go) when a benchmark first needs them, and shared by every
// benchmark and both modes. STRADDLE_BENCH_SIZES (a comma-separated subset of
// 1k,100k,1M) limits the sizes; with -short (as bench-smoke runs) 1M is left
// out, since loading it takes seconds. Each sub-benchmark first checks one
// exchange through contract.Transport, so an emulator that answers wrongly
// fails instead of being measured.
//
//	go test -run '^$' -bench Emulator -benchmem ./straddle/straddletest/ | go run ./internal/cmd/benchtable

type storeSize struct {
	name string
	n    int
}

var storeSizes = []storeSize{{"1k", 1_000}, {"100k", 100_000}, {"1M", 1_000_000}}

// benchSizes are the sizes STRADDLE_BENCH_SIZES allows (all by default, or
// all but 1M with -short).
func benchSizes(b *testing.B) []storeSize {
	env := os.Getenv("STRADDLE_BENCH_SIZES")
	if env == "" && testing.Short() {
		return storeSizes[:2]
	}
	if env == "" {
		return storeSizes
	}
	var out []storeSize
	for _, s := range storeSizes {
		for _, want := range strings.Split(env, ",") {
			if strings.TrimSpace(want) == s.name {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		b.Fatalf("STRADDLE_BENCH_SIZES=%q names none of 1k, 100k, 1M", env)
	}
	return out
}

// loadedStore is one size's customers, held by a server that never starts.
type loadedStore struct {
	once        sync.Once
	holder      *straddletest.Server
	bytesPerCus float64
	load        time.Duration
}

var loadedStores sync.Map // n -> *loadedStore

func storeOf(n int) *loadedStore {
	v, _ := loadedStores.LoadOrStore(n, &loadedStore{})
	ls := v.(*loadedStore)
	ls.once.Do(func() {
		holder := straddletest.NewUnstartedServer(straddletest.WithValidation(false))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		straddletest.LoadSynthetic(holder, 0, n)
		ls.load = time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		ls.bytesPerCus = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
		ls.holder = holder
	})
	return ls
}

var modes = []struct {
	name     string
	validate bool
}{{"validate", true}, {"novalidate", false}}

// forEachStore runs fn as a sub-benchmark per size and mode, with a started
// server over that size's shared customers.
func forEachStore(b *testing.B, fn func(b *testing.B, srv *straddletest.Server, n int)) {
	for _, size := range benchSizes(b) {
		b.Run(size.name, func(b *testing.B) {
			ls := storeOf(size.n)
			for _, mode := range modes {
				b.Run(mode.name, func(b *testing.B) {
					srv := straddletest.NewUnstartedServer(straddletest.WithT(b), straddletest.WithValidation(mode.validate))
					straddletest.ShareStore(srv, ls.holder)
					srv.Start()
					b.ReportAllocs()
					fn(b, srv, size.n)
				})
			}
		})
	}
}

var (
	benchValidatorOnce sync.Once
	benchValidator     *contract.Validator
)

// checkedClient is a client whose exchanges are held to the spec.
func checkedClient(b *testing.B, tr *http.Transport) *http.Client {
	benchValidatorOnce.Do(func() {
		v, err := contract.NewValidator()
		if err != nil {
			panic(err)
		}
		benchValidator = v
	})
	return &http.Client{Transport: &contract.Transport{Validator: benchValidator, Base: tr, Report: func(err error) { b.Error(err) }}}
}

func newTransport(b *testing.B) *http.Transport {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	b.Cleanup(tr.CloseIdleConnections)
	return tr
}

// emulatorRequest is one request a benchmark sends: what to send and the
// status that means it worked.
type emulatorRequest struct {
	method, path, body, key string
	want                    int
}

func (r emulatorRequest) send(srv *straddletest.Server, hc *http.Client) ([]byte, error) {
	req, err := http.NewRequest(r.method, srv.URL+r.path, strings.NewReader(r.body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.key != "" {
		req.Header.Set("Idempotency-Key", r.key)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != r.want {
		err = fmt.Errorf("status %d, want %d: %.300s", resp.StatusCode, r.want, raw)
	}
	return raw, err
}

// listEnvelope is what the checks read of a response.
type listEnvelope struct {
	Meta struct {
		TotalItems int `json:"total_items"`
		TotalPages int `json:"total_pages"`
	} `json:"meta"`
	Data json.RawMessage `json:"data"`
}

func decodeEnvelope(b *testing.B, raw []byte) listEnvelope {
	var env listEnvelope
	if err := json.Unmarshal(raw, &env); err != nil {
		b.Fatal(err)
	}
	return env
}

// reportCPU reports the process's CPU time per operation since start.
func reportCPU(b *testing.B, start int64) {
	if now, ok := processCPU(); ok && b.N > 0 {
		b.ReportMetric(float64(now-start)/float64(b.N), "cpu-ns/op")
	}
}

// benchParallel checks next's first request, then runs next's requests from
// GOMAXPROCS clients in parallel and reports requests per second.
func benchParallel(b *testing.B, srv *straddletest.Server, next func() emulatorRequest, check func(b *testing.B, data json.RawMessage)) {
	tr := newTransport(b)
	raw, err := next().send(srv, checkedClient(b, tr))
	if err != nil {
		b.Fatal(err)
	}
	check(b, decodeEnvelope(b, raw).Data)
	hc := &http.Client{Transport: tr}
	b.ResetTimer()
	cpu, _ := processCPU()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := next().send(srv, hc); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	reportCPU(b, cpu)
}

func BenchmarkEmulatorGet(b *testing.B) {
	forEachStore(b, func(b *testing.B, srv *straddletest.Server, n int) {
		want := straddletest.Synthetic(n / 2)
		get := emulatorRequest{method: http.MethodGet, path: "/v1/customers/" + want.ID, want: http.StatusOK}
		benchParallel(b, srv, func() emulatorRequest { return get }, func(b *testing.B, data json.RawMessage) {
			var c struct{ ID, Name string }
			if err := json.Unmarshal(data, &c); err != nil || c.ID != want.ID || c.Name != want.Name {
				b.Fatalf("got customer %+v, %v; want %s %s", c, err, want.ID, want.Name)
			}
		})
	})
}

// createSeq numbers created customers across every run, so that emails stay
// unique in the shared stores.
var createSeq atomic.Int64

func BenchmarkEmulatorCreate(b *testing.B) {
	forEachStore(b, func(b *testing.B, srv *straddletest.Server, n int) {
		next := func() emulatorRequest {
			i := createSeq.Add(1)
			return emulatorRequest{
				method: http.MethodPost, path: "/v1/customers", want: http.StatusCreated,
				key: fmt.Sprintf("bench-create-%012d", i),
				body: fmt.Sprintf(`{"name":"Ann Perkins","type":"individual","email":"bench%d@example.com","phone":"+13175550177",`+
					`"device":{"ip_address":"203.0.113.7"},"compliance_profile":{"ssn":"123-45-6789","dob":"1980-01-01"}}`, i),
			}
		}
		benchParallel(b, srv, next, func(b *testing.B, data json.RawMessage) {
			var c struct{ ID, Email, Status string }
			if err := json.Unmarshal(data, &c); err != nil || c.ID == "" || !strings.HasPrefix(c.Email, "bench") || c.Status == "" {
				b.Fatalf("created %+v, %v", c, err)
			}
		})
	})
}

// listItem is what the checks read of a listed customer.
type listItem struct {
	ID, Name, Email, Phone, Status, Type string
	CreatedAt                            string  `json:"created_at"`
	ExternalID                           *string `json:"external_id"`
}

// listCase is one kind of list: its query for a store of n customers,
// whether it asks for the last page, and what every listed customer must be.
type listCase struct {
	name  string
	query func(n int) string
	last  bool
	keep  func(it listItem, n int) bool
}

// createdWindow is a range of creation times holding a tenth of the store.
func createdWindow(n int) (from, to time.Time) {
	return straddletest.Synthetic(n * 4 / 10).CreatedAt, straddletest.Synthetic(n * 5 / 10).CreatedAt
}

func inWindow(it listItem, n int) bool {
	from, to := createdWindow(n)
	t, err := time.Parse(time.RFC3339Nano, it.CreatedAt)
	return err == nil && !t.Before(from) && !t.After(to)
}

func windowQuery(n int) string {
	from, to := createdWindow(n)
	return "created_from=" + url.QueryEscape(from.Format(time.RFC3339)) + "&created_to=" + url.QueryEscape(to.Format(time.RFC3339))
}

var listCases = []listCase{
	{name: "default", query: func(int) string { return "" }},
	{name: "default-last", query: func(int) string { return "" }, last: true},
	{name: "name-desc", query: func(int) string { return "sort_order=desc" }},
	{name: "created-asc", query: func(int) string { return "sort_by=created_at" }},
	{name: "created-desc", query: func(int) string { return "sort_by=created_at&sort_order=desc" }},
	{name: "created-desc-last", query: func(int) string { return "sort_by=created_at&sort_order=desc" }, last: true},
	{name: "status", query: func(int) string { return "status=review" },
		keep: func(it listItem, _ int) bool { return it.Status == "review" }},
	{name: "status-union-last", query: func(int) string { return "status=pending&status=rejected" }, last: true,
		keep: func(it listItem, _ int) bool { return it.Status == "pending" || it.Status == "rejected" }},
	{name: "types", query: func(int) string { return "types=business" },
		keep: func(it listItem, _ int) bool { return it.Type == "business" }},
	{name: "created-range", query: func(n int) string { return windowQuery(n) + "&sort_by=created_at" }, keep: inWindow},
	{name: "created-range-by-name", query: windowQuery, keep: inWindow},
	{name: "created-range-by-name-last", query: windowQuery, last: true, keep: inWindow},
	{name: "email", query: func(n int) string { return "email=" + url.QueryEscape(straddletest.Synthetic(n/3).Email) },
		keep: func(it listItem, n int) bool { return it.ID == straddletest.Synthetic(n/3).ID }},
	{name: "external-id", query: func(n int) string { return "external_id=" + straddletest.Synthetic(n/3*2).ExternalID },
		keep: func(it listItem, n int) bool { return it.ID == straddletest.Synthetic(n/3*2).ID }},
	{name: "name-filter", query: func(int) string { return "name=perkins" },
		keep: func(it listItem, _ int) bool { return strings.Contains(strings.ToLower(it.Name), "perkins") }},
	{name: "search", query: func(n int) string { return "search_text=customer" + strconv.Itoa(n/2) + "%40" },
		keep: func(it listItem, n int) bool { return it.ID == straddletest.Synthetic(n/2).ID }},
	{name: "search-broad", query: func(int) string { return "search_text=perkins" },
		keep: func(it listItem, _ int) bool { return strings.Contains(strings.ToLower(it.Name), "perkins") }},
	{name: "search-broad-last", query: func(int) string { return "search_text=perkins" }, last: true,
		keep: func(it listItem, _ int) bool { return strings.Contains(strings.ToLower(it.Name), "perkins") }},
}

func BenchmarkEmulatorList(b *testing.B) {
	for _, lc := range listCases {
		b.Run(lc.name, func(b *testing.B) {
			forEachStore(b, func(b *testing.B, srv *straddletest.Server, n int) {
				path := "/v1/customers?page_size=100"
				if q := lc.query(n); q != "" {
					path += "&" + q
				}
				tr := newTransport(b)
				checked := checkedClient(b, tr)
				list := emulatorRequest{method: http.MethodGet, path: path, want: http.StatusOK}
				raw, err := list.send(srv, checked)
				if err != nil {
					b.Fatal(err)
				}
				env := decodeEnvelope(b, raw)
				if lc.last {
					list.path += "&page_number=" + strconv.Itoa(max(env.Meta.TotalPages, 1))
					if raw, err = list.send(srv, checked); err != nil {
						b.Fatal(err)
					}
					env = decodeEnvelope(b, raw)
				}
				var items []listItem
				if err := json.Unmarshal(env.Data, &items); err != nil {
					b.Fatal(err)
				}
				if len(items) == 0 || env.Meta.TotalItems == 0 {
					b.Fatalf("%s: listed %d of %d", list.path, len(items), env.Meta.TotalItems)
				}
				for _, it := range items {
					if lc.keep != nil && !lc.keep(it, n) {
						b.Fatalf("%s: listed %+v", list.path, it)
					}
				}
				hc := &http.Client{Transport: tr}
				cpu, _ := processCPU()
				for b.Loop() {
					if _, err := list.send(srv, hc); err != nil {
						b.Fatal(err)
					}
				}
				reportCPU(b, cpu)
			})
		})
	}
}

// BenchmarkEmulatorMemory reports the heap each stored customer takes, as
// measured when the size's customers were loaded: the live heap after a GC,
// less the live heap before, over the number of customers.
func BenchmarkEmulatorMemory(b *testing.B) {
	for _, size := range benchSizes(b) {
		b.Run(size.name, func(b *testing.B) {
			ls := storeOf(size.n)
			for b.Loop() {
			}
			b.ReportMetric(ls.bytesPerCus, "heap-B/customer")
			b.ReportMetric(ls.load.Seconds(), "load-s")
		})
	}
}
