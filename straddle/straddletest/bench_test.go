package straddletest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// Requests per second the emulator serves over loopback, with its spec
// validation of every request and response on ("validate", the default) and
// off ("novalidate"). Clients run in parallel (GOMAXPROCS goroutines) on one
// connection pool, with plain net/http, so the numbers are the emulator's.
// Each sub-benchmark first checks one exchange through contract.Transport, so
// an emulator that answers wrongly fails instead of being measured.
//
//	go test -run '^$' -bench Emulator -benchmem ./straddle/straddletest/ | go run ./internal/cmd/benchtable

// emulatorSeed is 100 customers; the get benchmark reads number 42.
func emulatorSeed() string {
	var seed strings.Builder
	seed.WriteString("[")
	for i := range 100 {
		if i > 0 {
			seed.WriteString(",")
		}
		fmt.Fprintf(&seed, `{"id":"019f3b3d-5816-77fb-8a9c-%012d","name":"Customer %d","type":"individual",`+
			`"email":"c%d@example.com","phone":"+1317555%04d","device":{"ip_address":"203.0.113.%d"},`+
			`"compliance_profile":{"ssn":"123-45-%04d","dob":"1980-01-01"}}`, i, i, i, i, i, i)
	}
	seed.WriteString("]")
	return seed.String()
}

const emulatorGetID = "019f3b3d-5816-77fb-8a9c-000000000042"

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
		err = fmt.Errorf("status %d, want %d", resp.StatusCode, r.want)
	}
	return raw, err
}

// benchEmulator runs next's requests against a fresh emulator with
// validation on and off. check gets the data of the first response, sent
// through contract.Transport.
func benchEmulator(b *testing.B, next func() emulatorRequest, check func(b *testing.B, data json.RawMessage)) {
	seed := emulatorSeed()
	for _, mode := range []struct {
		name     string
		validate bool
	}{{"validate", true}, {"novalidate", false}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			srv := straddletest.NewServer(straddletest.WithT(b), straddletest.WithValidation(mode.validate),
				straddletest.WithFixtures(strings.NewReader(seed)))
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			b.Cleanup(tr.CloseIdleConnections)

			v, err := contract.NewValidator()
			if err != nil {
				b.Fatal(err)
			}
			checked := &http.Client{Transport: &contract.Transport{Validator: v, Base: tr, Report: func(err error) { b.Error(err) }}}
			raw, err := next().send(srv, checked)
			if err != nil {
				b.Fatal(err)
			}
			var env struct {
				Data json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(raw, &env); err != nil {
				b.Fatal(err)
			}
			check(b, env.Data)

			hc := &http.Client{Transport: tr}
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := next().send(srv, hc); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

func BenchmarkEmulatorGet(b *testing.B) {
	get := emulatorRequest{method: http.MethodGet, path: "/v1/customers/" + emulatorGetID, want: http.StatusOK}
	benchEmulator(b, func() emulatorRequest { return get }, func(b *testing.B, data json.RawMessage) {
		var c struct{ ID, Name string }
		if err := json.Unmarshal(data, &c); err != nil || c.ID != emulatorGetID || c.Name != "Customer 42" {
			b.Fatalf("got customer %+v, %v", c, err)
		}
	})
}

func BenchmarkEmulatorCreate(b *testing.B) {
	var n atomic.Int64
	next := func() emulatorRequest {
		i := n.Add(1)
		return emulatorRequest{
			method: http.MethodPost, path: "/v1/customers", want: http.StatusCreated,
			key: fmt.Sprintf("bench-create-%012d", i),
			body: fmt.Sprintf(`{"name":"Ann Perkins","type":"individual","email":"bench%d@example.com","phone":"+13175550177",`+
				`"device":{"ip_address":"203.0.113.7"},"compliance_profile":{"ssn":"123-45-6789","dob":"1980-01-01"}}`, i),
		}
	}
	benchEmulator(b, next, func(b *testing.B, data json.RawMessage) {
		var c struct{ ID, Email, Status string }
		if err := json.Unmarshal(data, &c); err != nil || c.ID == "" || !strings.HasPrefix(c.Email, "bench") || c.Status == "" {
			b.Fatalf("created %+v, %v", c, err)
		}
	})
}

func BenchmarkEmulatorList(b *testing.B) {
	list := emulatorRequest{method: http.MethodGet, path: "/v1/customers?page_size=10&sort_by=created_at", want: http.StatusOK}
	benchEmulator(b, func() emulatorRequest { return list }, func(b *testing.B, data json.RawMessage) {
		var page []struct{ ID string }
		if err := json.Unmarshal(data, &page); err != nil || len(page) != 10 || page[0].ID == "" {
			b.Fatalf("listed %d customers, %v", len(page), err)
		}
	})
}
