package straddle_test

// Benchmarks of what the client costs per call and holds while paging, each
// next to its floor, the sub-benchmark "raw" (benchfloor_test.go): the
// tightest plain net/http and encoding/json code doing the same work, on the
// same transport. Every sub-benchmark talks over loopback to a canned server
// in another process (benchserver_test.go), so B/op, allocs/op and cpu-ns/op
// are the client's alone; ns/op is wall time per call, the server's answer
// included. Each one first checks its result once, with the exchange held to
// the spec by the contract validator, so a broken benchmark fails instead of
// measuring nothing; then it times a plain client on the same connections.
//
//	make bench    # interleaved passes, printed as the BENCHMARKS.md table

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
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
	benchPages      = 1000 // 1,000,000 customers
)

// benchValidator is loaded once: the spec is the same for every benchmark.
var benchValidator = sync.OnceValues(contract.NewValidator)

// benchUUID matches the idempotency keys both sides generate.
var benchUUID = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// benchTransport returns a transport with the client's default settings,
// its idle connections closed when b ends. The floor and the client of a
// sub-benchmark share it.
func benchTransport(b *testing.B) *http.Transport {
	tr := straddle.NewTransport()
	b.Cleanup(tr.CloseIdleConnections)
	return tr
}

// specChecked is a client on tr's connections that holds every request and
// response to the spec, for the check before timing.
func specChecked(b *testing.B, tr http.RoundTripper) *http.Client {
	b.Helper()
	v, err := benchValidator()
	if err != nil {
		b.Fatal(err)
	}
	return &http.Client{Transport: &contract.Transport{Validator: v, Base: tr, Report: func(err error) { b.Error(err) }}}
}

// benchClient returns a straddle client of s that sends with hc.
func benchClient(b *testing.B, s *cannedServer, hc *http.Client) *straddle.Client {
	b.Helper()
	c, err := straddle.NewClient(straddle.WithAPIKey(benchKey), straddle.WithBaseURL(s.URL), straddle.WithHTTPClient(hc))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// reused fails b unless its calls (the check's included) reused connections:
// at most two, plus one in a hundred calls. net/http drops a connection now
// and then on a loaded machine (when its write loop cannot confirm the
// request was written within 50ms of the response); without reuse every call
// would open one.
func (s *cannedServer) reused(b *testing.B, before int64, calls int) {
	b.Helper()
	if n := s.conns(b) - before; n > 2+int64(calls/100) {
		b.Fatalf("%d connections for %d calls: connections are not reused", n, calls)
	}
}

// ---- Measuring.

// cpuMeter measures the process's CPU time over a benchmark's loop.
type cpuMeter struct {
	start time.Duration
	ok    bool
}

func startCPU() cpuMeter {
	start, ok := processCPU()
	return cpuMeter{start: start, ok: ok}
}

// report adds cpu-ns/op: the client's CPU time (all its goroutines and the
// garbage collector's) per operation.
func (m cpuMeter) report(b *testing.B) {
	end, ok := processCPU()
	if m.ok && ok && b.N > 0 {
		b.ReportMetric(float64(end-m.start)/float64(b.N), "cpu-ns/op")
	}
}

// timeCalls times call in b's loop, with its allocations and CPU time.
func timeCalls(b *testing.B, call func() error) {
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if err := call(); err != nil {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// runConcurrent makes b.N calls of call from g goroutines that share them,
// and reports the throughput, the median and 99th percentile latency, the
// CPU time per call, and the new connections the server accepted per 1,000
// calls (the pool's first ones included).
func runConcurrent(b *testing.B, s *cannedServer, g int, call func() error) {
	b.ReportAllocs()
	latency := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Bool
	conns := s.conns(b)
	cpu := startCPU()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range g {
		wg.Go(func() {
			for !failed.Load() {
				i := next.Add(1) - 1
				if i >= int64(len(latency)) {
					return
				}
				start := time.Now()
				if err := call(); err != nil {
					failed.Store(true)
					b.Error(err)
					return
				}
				latency[i] = time.Since(start)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	cpu.report(b)
	if failed.Load() {
		return
	}
	slices.Sort(latency)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(float64(latency[len(latency)/2])/1e3, "p50-us")
	b.ReportMetric(float64(latency[len(latency)*99/100])/1e3, "p99-us")
	b.ReportMetric(float64(s.conns(b)-conns)*1000/float64(b.N), "new-conns/1k")
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
// client that held every page would keep over 500 MiB.
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

// createCheck proves a create sent the body of
// requests/createCustomer.individual.json with a fresh UUIDv4 key.
type createCheck struct{ want any }

func newCreateCheck(b *testing.B) createCheck {
	var want any
	if err := json.Unmarshal(benchFixture(b, "requests", "createCustomer.individual.json"), &want); err != nil {
		b.Fatal(err)
	}
	return createCheck{want: want}
}

func (c createCheck) sent(b *testing.B, s *cannedServer) {
	b.Helper()
	body, key := s.created(b)
	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		b.Fatal(err)
	}
	if !reflect.DeepEqual(got, c.want) {
		b.Fatalf("sent %s, want the body of requests/createCustomer.individual.json", body)
	}
	if !benchUUID.MatchString(key) {
		b.Fatalf("idempotency key %q is not a UUIDv4", key)
	}
}

func benchFixture(b *testing.B, parts ...string) []byte {
	b.Helper()
	body, err := readFixture(parts...)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// The create both sides send: the fixture's body, as plain structs and as
// the client's parameters.
var (
	rawCreateParams = &rawCreateRequest{
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
	createParams = &straddle.CreateCustomerParams{
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
)

// ---- One call at a time.

func BenchmarkGetCustomer(b *testing.B) {
	s := startCanned(b)
	ctx := context.Background()

	b.Run("raw", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		c, err := rawGet(ctx, specChecked(b, tr), s.URL, benchCustomerID)
		checkRawCustomer(b, c, err)
		hc := &http.Client{Transport: tr}
		timeCalls(b, func() error {
			_, err := rawGet(ctx, hc, s.URL, benchCustomerID)
			return err
		})
		s.reused(b, conns, b.N+1)
	})

	// gen: the generated client builds and sends the request; the response
	// is read and decoded as raw does, so the difference is gen's request
	// building.
	b.Run("gen", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		auth := func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", benchAuth)
			req.Header.Set("User-Agent", rawUserAgent)
			return nil
		}
		get := func(g *gen.Client, id string) (*rawCustomer, error) {
			var uid openapi_types.UUID
			if err := uid.UnmarshalText([]byte(id)); err != nil {
				return nil, err
			}
			resp, err := g.GetCustomer(ctx, uid, nil, auth)
			if err != nil {
				return nil, err
			}
			var env rawCustomerEnvelope
			if err := rawDecode(resp, http.StatusOK, &env); err != nil {
				return nil, err
			}
			return env.Data, nil
		}
		checkedGen, err := gen.NewClient(s.URL, gen.WithHTTPClient(specChecked(b, tr)))
		if err != nil {
			b.Fatal(err)
		}
		c, err := get(checkedGen, benchCustomerID)
		checkRawCustomer(b, c, err)
		g, err := gen.NewClient(s.URL, gen.WithHTTPClient(&http.Client{Transport: tr}))
		if err != nil {
			b.Fatal(err)
		}
		timeCalls(b, func() error {
			_, err := get(g, benchCustomerID)
			return err
		})
		s.reused(b, conns, b.N+1)
	})

	b.Run("straddle", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		c, err := benchClient(b, s, specChecked(b, tr)).Customers.Get(ctx, benchCustomerID)
		checkCustomer(b, c, err)
		client := benchClient(b, s, &http.Client{Transport: tr})
		timeCalls(b, func() error {
			_, err := client.Customers.Get(ctx, benchCustomerID)
			return err
		})
		s.reused(b, conns, b.N+1)
	})
}

func BenchmarkCreateCustomer(b *testing.B) {
	s := startCanned(b)
	check := newCreateCheck(b)
	ctx := context.Background()

	b.Run("raw", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		c, err := rawCreate(ctx, specChecked(b, tr), s.URL, rawCreateParams)
		checkRawCustomer(b, c, err)
		check.sent(b, s)
		hc := &http.Client{Transport: tr}
		timeCalls(b, func() error {
			_, err := rawCreate(ctx, hc, s.URL, rawCreateParams)
			return err
		})
		s.reused(b, conns, b.N+1)
	})

	b.Run("straddle", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		c, err := benchClient(b, s, specChecked(b, tr)).Customers.Create(ctx, createParams)
		checkCustomer(b, c, err)
		check.sent(b, s)
		client := benchClient(b, s, &http.Client{Transport: tr})
		timeCalls(b, func() error {
			_, err := client.Customers.Create(ctx, createParams)
			return err
		})
		s.reused(b, conns, b.N+1)
	})
}

func BenchmarkListPage(b *testing.B) {
	s := startCanned(b)
	ctx := context.Background()
	wantFirst := benchSummaryID(1, 0)

	b.Run("raw", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		p, err := rawList(ctx, specChecked(b, tr), s.URL, 1)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Data) != benchPageSize || p.Data[0].ID != wantFirst || p.Meta.TotalPages != benchPages || p.Data[0].CreatedAt.IsZero() {
			b.Fatalf("raw page: %d items, meta %+v", len(p.Data), p.Meta)
		}
		hc := &http.Client{Transport: tr}
		timeCalls(b, func() error {
			_, err := rawList(ctx, hc, s.URL, 1)
			return err
		})
		s.reused(b, conns, b.N+1)
	})

	b.Run("straddle", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		params := &straddle.ListParams{PageNumber: 1, PageSize: benchPageSize}
		p, err := benchClient(b, s, specChecked(b, tr)).Customers.List(ctx, params)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Customers) != benchPageSize || p.Customers[0].ID != wantFirst || p.Meta.TotalPages != benchPages || p.Customers[0].CreatedAt.IsZero() {
			b.Fatalf("straddle page: %d items, meta %+v", len(p.Customers), p.Meta)
		}
		client := benchClient(b, s, &http.Client{Transport: tr})
		timeCalls(b, func() error {
			_, err := client.Customers.List(ctx, params)
			return err
		})
		s.reused(b, conns, b.N+1)
	})
}

// BenchmarkAll1M walks 1,000,000 customers, 1,000 pages of 1,000. Each
// sub-benchmark checks the first page against the spec, then walks the first
// checkPages pages checking that it sees each customer once, in order, and
// asks for each page once; the timed loop then walks all pages, counting the
// customers, and the server's counts prove it asked for every page once per
// pass.
func BenchmarkAll1M(b *testing.B) {
	s := startCanned(b)
	ctx := context.Background()

	b.Run("raw", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		if _, err := rawList(ctx, specChecked(b, tr), s.URL, 1); err != nil {
			b.Fatal(err)
		}
		hc := &http.Client{Transport: tr}
		all := func(h *heapPeak, each func(*rawSummary) bool) int {
			n := 0
			for page := 1; ; page++ {
				p, err := rawList(ctx, hc, s.URL, page)
				if err != nil {
					b.Fatal(err)
				}
				for i := range p.Data {
					n++
					if !each(&p.Data[i]) {
						return n
					}
				}
				if h != nil {
					h.read()
				}
				if page >= p.Meta.TotalPages {
					return n
				}
			}
		}
		checkWalk(b, s, func(seen func(id string) bool) { all(nil, func(c *rawSummary) bool { return seen(c.ID) }) })
		timeWalk(b, s, func(h *heapPeak) int { return all(h, func(*rawSummary) bool { return true }) })
		s.reused(b, conns, checkPages+b.N*benchPages+1)
	})

	b.Run("straddle", func(b *testing.B) {
		tr, conns := benchTransport(b), s.conns(b)
		if _, err := benchClient(b, s, specChecked(b, tr)).Customers.List(ctx, &straddle.ListParams{PageNumber: 1, PageSize: benchPageSize}); err != nil {
			b.Fatal(err)
		}
		client := benchClient(b, s, &http.Client{Transport: tr})
		params := &straddle.ListParams{PageSize: benchPageSize}
		all := func(h *heapPeak, each func(*straddle.CustomerSummary) bool) int {
			n := 0
			for c, err := range client.Customers.All(ctx, params) {
				if err != nil {
					b.Fatal(err)
				}
				n++
				if !each(c) {
					return n
				}
				if h != nil && n%benchPageSize == 0 {
					h.read()
				}
			}
			return n
		}
		checkWalk(b, s, func(seen func(id string) bool) {
			all(nil, func(c *straddle.CustomerSummary) bool { return seen(c.ID) })
		})
		timeWalk(b, s, func(h *heapPeak) int { return all(h, func(*straddle.CustomerSummary) bool { return true }) })
		s.reused(b, conns, checkPages+b.N*benchPages+1)
	})
}

// checkPages is how many pages checkWalk checks customer by customer.
const checkPages = 100

// checkWalk runs walk, which reports the id of every customer it sees until
// seen returns false, and fails b unless it saw the customers of the first
// checkPages pages once each, in order, asking for each of those pages once.
func checkWalk(b *testing.B, s *cannedServer, walk func(seen func(id string) bool)) {
	b.Helper()
	s.resetServed(b)
	k := 0
	walk(func(id string) bool {
		if want := benchSummaryID(k/benchPageSize+1, k%benchPageSize); id != want && !b.Failed() {
			b.Errorf("customer %d is %s, want %s", k, id, want)
		}
		k++
		return k < checkPages*benchPageSize
	})
	if k != checkPages*benchPageSize {
		b.Fatalf("saw %d customers, want %d", k, checkPages*benchPageSize)
	}
	for i, n := range s.served(b) {
		if want := int32(min(1, max(0, checkPages-i))); n != want {
			b.Fatalf("page %d asked for %d times, want %d", i+1, n, want)
		}
	}
}

// timeWalk times walk, which returns how many customers it saw, with the
// items per second and the heap it kept.
func timeWalk(b *testing.B, s *cannedServer, walk func(*heapPeak) int) {
	b.Helper()
	const total = benchPages * benchPageSize
	s.resetServed(b)
	b.ReportAllocs()
	h := newHeapPeak()
	cpu := startCPU()
	for b.Loop() {
		if n := walk(h); n != total {
			b.Fatalf("%d customers, want %d", n, total)
		}
	}
	cpu.report(b)
	b.ReportMetric(float64(b.N*total)/b.Elapsed().Seconds(), "items/s")
	h.report(b)
	s.checkServed(b, int32(b.N))
}

// checkServed fails b unless every page was asked for want times.
func (s *cannedServer) checkServed(b *testing.B, want int32) {
	b.Helper()
	for i, n := range s.served(b) {
		if n != want {
			b.Fatalf("page %d asked for %d times, want %d", i+1, n, want)
		}
	}
}

// ---- The client's own code: no sockets.

// cannedTransport answers every request in memory with one canned response,
// after reading the request's body: a round trip with no kernel, scheduler
// or server time in it, so what remains of a call is the code on each side.
type cannedTransport struct {
	status int
	body   []byte
	header http.Header
}

func newCannedTransport(b *testing.B, status int, fixture string) *cannedTransport {
	body := benchFixture(b, "responses", fixture)
	return &cannedTransport{status: status, body: body, header: http.Header{
		"Content-Type": jsonContentType, "Content-Length": {strconv.Itoa(len(body))},
	}}
}

func (t *cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: t.status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: t.header, ContentLength: int64(len(t.body)),
		Body: io.NopCloser(bytes.NewReader(t.body)), Request: req,
	}, nil
}

// BenchmarkGetCustomerInMemory is GetCustomer over cannedTransport: the
// client's code against the floor's, to the nanosecond.
func BenchmarkGetCustomerInMemory(b *testing.B) {
	ctx := context.Background()
	const base = "http://127.0.0.1:4010"
	b.Run("raw", func(b *testing.B) {
		tr := newCannedTransport(b, http.StatusOK, "getCustomer.200.individual.json")
		c, err := rawGet(ctx, specChecked(b, tr), base, benchCustomerID)
		checkRawCustomer(b, c, err)
		hc := &http.Client{Transport: tr}
		timeCalls(b, func() error {
			_, err := rawGet(ctx, hc, base, benchCustomerID)
			return err
		})
	})
	b.Run("straddle", func(b *testing.B) {
		tr := newCannedTransport(b, http.StatusOK, "getCustomer.200.individual.json")
		client := func(hc *http.Client) *straddle.Client {
			c, err := straddle.NewClient(straddle.WithAPIKey(benchKey), straddle.WithBaseURL(base), straddle.WithHTTPClient(hc))
			if err != nil {
				b.Fatal(err)
			}
			return c
		}
		c, err := client(specChecked(b, tr)).Customers.Get(ctx, benchCustomerID)
		checkCustomer(b, c, err)
		plain := client(&http.Client{Transport: tr})
		timeCalls(b, func() error {
			_, err := plain.Customers.Get(ctx, benchCustomerID)
			return err
		})
	})
}

// BenchmarkCreateCustomerInMemory is CreateCustomer over cannedTransport.
func BenchmarkCreateCustomerInMemory(b *testing.B) {
	ctx := context.Background()
	const base = "http://127.0.0.1:4010"
	b.Run("raw", func(b *testing.B) {
		tr := newCannedTransport(b, http.StatusCreated, "createCustomer.201.individual.json")
		c, err := rawCreate(ctx, specChecked(b, tr), base, rawCreateParams)
		checkRawCustomer(b, c, err)
		hc := &http.Client{Transport: tr}
		timeCalls(b, func() error {
			_, err := rawCreate(ctx, hc, base, rawCreateParams)
			return err
		})
	})
	b.Run("straddle", func(b *testing.B) {
		tr := newCannedTransport(b, http.StatusCreated, "createCustomer.201.individual.json")
		client := func(hc *http.Client) *straddle.Client {
			c, err := straddle.NewClient(straddle.WithAPIKey(benchKey), straddle.WithBaseURL(base), straddle.WithHTTPClient(hc))
			if err != nil {
				b.Fatal(err)
			}
			return c
		}
		c, err := client(specChecked(b, tr)).Customers.Create(ctx, createParams)
		checkCustomer(b, c, err)
		plain := client(&http.Client{Transport: tr})
		timeCalls(b, func() error {
			_, err := plain.Customers.Create(ctx, createParams)
			return err
		})
	})
}

// ---- One client shared by many goroutines.

// benchConcurrency is how many goroutines share one client.
var benchConcurrency = []int{1, 8, 64}

func BenchmarkConcurrentGet(b *testing.B) {
	s := startCanned(b)
	ctx := context.Background()
	for _, g := range benchConcurrency {
		b.Run(fmt.Sprintf("g%d", g), func(b *testing.B) {
			b.Run("raw", func(b *testing.B) {
				tr := benchTransport(b)
				c, err := rawGet(ctx, specChecked(b, tr), s.URL, benchCustomerID)
				checkRawCustomer(b, c, err)
				hc := &http.Client{Transport: tr}
				runConcurrent(b, s, g, func() error {
					_, err := rawGet(ctx, hc, s.URL, benchCustomerID)
					return err
				})
			})
			b.Run("straddle", func(b *testing.B) {
				tr := benchTransport(b)
				c, err := benchClient(b, s, specChecked(b, tr)).Customers.Get(ctx, benchCustomerID)
				checkCustomer(b, c, err)
				client := benchClient(b, s, &http.Client{Transport: tr})
				runConcurrent(b, s, g, func() error {
					_, err := client.Customers.Get(ctx, benchCustomerID)
					return err
				})
			})
		})
	}
}

func BenchmarkConcurrentCreate(b *testing.B) {
	s := startCanned(b)
	check := newCreateCheck(b)
	ctx := context.Background()
	for _, g := range benchConcurrency {
		b.Run(fmt.Sprintf("g%d", g), func(b *testing.B) {
			b.Run("raw", func(b *testing.B) {
				tr := benchTransport(b)
				c, err := rawCreate(ctx, specChecked(b, tr), s.URL, rawCreateParams)
				checkRawCustomer(b, c, err)
				check.sent(b, s)
				hc := &http.Client{Transport: tr}
				runConcurrent(b, s, g, func() error {
					_, err := rawCreate(ctx, hc, s.URL, rawCreateParams)
					return err
				})
			})
			b.Run("straddle", func(b *testing.B) {
				tr := benchTransport(b)
				c, err := benchClient(b, s, specChecked(b, tr)).Customers.Create(ctx, createParams)
				checkCustomer(b, c, err)
				check.sent(b, s)
				client := benchClient(b, s, &http.Client{Transport: tr})
				runConcurrent(b, s, g, func() error {
					_, err := client.Customers.Create(ctx, createParams)
					return err
				})
			})
		})
	}
}
