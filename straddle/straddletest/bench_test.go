package straddletest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// BenchmarkServer measures requests per second over loopback HTTP, with the
// spec validation on and off, against an account of 100 customers.
func BenchmarkServer(b *testing.B) {
	var seed strings.Builder
	seed.WriteString("[")
	for i := range 100 {
		if i > 0 {
			seed.WriteString(",")
		}
		fmt.Fprintf(&seed, `{"id":"019f3b3d-5816-77fb-8a9c-%012d","name":"Customer %d","type":"individual","email":"c%d@example.com","phone":"+13175550177"}`, i, i, i)
	}
	seed.WriteString("]")
	var n atomic.Int64
	ops := map[string]func(b *testing.B, hc *http.Client, srv *straddletest.Server){
		"get": func(b *testing.B, hc *http.Client, srv *straddletest.Server) {
			sendBench(b, hc, srv, "GET", "/v1/customers/019f3b3d-5816-77fb-8a9c-000000000042", "", 200)
		},
		"list": func(b *testing.B, hc *http.Client, srv *straddletest.Server) {
			sendBench(b, hc, srv, "GET", "/v1/customers?page_size=10&sort_by=created_at", "", 200)
		},
		"create": func(b *testing.B, hc *http.Client, srv *straddletest.Server) {
			body := fmt.Sprintf(`{"name":"Ann Perkins","type":"individual","email":"b%d@example.com","phone":"+13175550177","device":{"ip_address":"0.0.0.0"},"compliance_profile":{"ssn":"123-45-6789","dob":"1980-01-01"}}`, n.Add(1))
			sendBench(b, hc, srv, "POST", "/v1/customers", body, 201)
		},
	}
	for _, validate := range []bool{true, false} {
		for _, name := range []string{"get", "list", "create"} {
			b.Run(fmt.Sprintf("validate=%v/%s", validate, name), func(b *testing.B) {
				srv := straddletest.NewServer(straddletest.WithValidation(validate), straddletest.WithFixtures(strings.NewReader(seed.String())))
				defer srv.Close()
				tr := &http.Transport{MaxIdleConnsPerHost: 64}
				defer tr.CloseIdleConnections()
				hc := &http.Client{Transport: tr}
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						ops[name](b, hc, srv)
					}
				})
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			})
		}
	}
}

func sendBench(b *testing.B, hc *http.Client, srv *straddletest.Server, method, path, body string, want int) string {
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Fatalf("status %d: %s", resp.StatusCode, raw)
	}
	return string(raw)
}
