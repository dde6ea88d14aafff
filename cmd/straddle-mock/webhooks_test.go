package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// endpoint is a receiver built on straddle/webhook's Handler, recording the
// type and status of each event processed.
type endpoint struct {
	url    string
	secret string
	mu     sync.Mutex
	seen   []string
	posts  int           // requests received
	got    chan struct{} // a value per event processed
}

func newEndpoint(t *testing.T) *endpoint {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	e := &endpoint{secret: "whsec_" + base64.StdEncoding.EncodeToString(key), got: make(chan struct{}, 100)}
	v, err := webhook.NewVerifier(e.secret)
	if err != nil {
		t.Fatal(err)
	}
	h, err := webhook.NewHandler(v, func(_ context.Context, ev *webhook.Event) error {
		e.mu.Lock()
		e.seen = append(e.seen, string(ev.Type)+" "+string(ev.Customer.Status))
		e.mu.Unlock()
		e.got <- struct{}{}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := contract.ValidateDelivery(r.Context(), r); err != nil {
			t.Errorf("delivery breaks the spec: %v", err)
		}
		e.mu.Lock()
		e.posts++
		e.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	e.url = ts.URL + "/hooks"
	return e
}

// await waits for n more events, and returns all seen.
func (e *endpoint) await(t *testing.T, n int) []string {
	t.Helper()
	for range n {
		select {
		case <-e.got:
		case <-time.After(20 * time.Second):
			t.Fatalf("waited in vain; seen %v", e.events())
		}
	}
	return e.events()
}

func (e *endpoint) events() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.seen)
}

// serve runs straddle-mock with args until the test ends, and returns a
// checked client and the log.
func serve(t *testing.T, args ...string) (*checkedClient, *logBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := new(logBuffer)
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), log) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	return newCheckedClient(t, waitURL(t, log.String)), log
}

const backgroundCreate = `{"name":"Leslie Knope","type":"individual","email":"leslie@example.com","phone":"+13175550142",
 "device":{"ip_address":"203.0.113.42"},"compliance_profile":{"ssn":"123-45-6789","dob":"1975-01-18"},
 "config":{"processing_method":"background"}}`

func TestRunDeliversWebhooks(t *testing.T) {
	a, b := newEndpoint(t), newEndpoint(t)
	c, log := serve(t, "-webhook-url", a.url+","+b.url, "-webhook-secret", a.secret, "-webhook-secret", b.secret,
		"-settle-after", "100ms", "-webhook-retries", "10ms,10ms", "-v")
	status, body := c.do("POST", "/v1/customers", "sk_test_straddletest", backgroundCreate)
	if status != 201 || !strings.Contains(body, `"status":"pending"`) {
		t.Fatalf("create: %d %s", status, body)
	}
	want := []string{"customer.created.v1 pending", "customer.event.v1 pending", "customer.event.v1 verified"}
	for _, e := range []*endpoint{a, b} {
		if seen := e.await(t, 3); !slices.Equal(seen, want) {
			t.Errorf("%s saw %v, want %v", e.url, seen, want)
		}
	}
	id := body[strings.Index(body, `"id":"`)+6:][:36]
	if status, body := c.do("GET", "/v1/customers/"+id, "sk_test_straddletest", ""); status != 200 || !strings.Contains(body, `"status":"verified"`) {
		t.Errorf("after settling: %d %s", status, body)
	}
	out := log.String()
	for _, want := range []string{"webhooks=2", "settle_after=100ms", "straddle-mock webhook endpoint", "webhook attempt"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{a.secret, b.secret, strings.TrimPrefix(a.secret, "whsec_")[:20], "123-45-6789"} {
		if strings.Contains(out, secret) {
			t.Error("the log holds a secret")
		}
	}
}

// A token in an endpoint's URL never reaches the log: the URL shows as
// scheme, host and path, in the endpoint list and in every attempt.
func TestRunLogsNoURLToken(t *testing.T) {
	const token = "tok_SENTINEL0123456789"
	e := newEndpoint(t)
	c, log := serve(t, "-webhook-url", strings.Replace(e.url, "://", "://user:"+token+"@", 1)+"?token="+token,
		"-webhook-secret", e.secret, "-v")
	if status, _ := c.do("POST", "/v1/customers", "sk_test_straddletest", backgroundCreate); status != 201 {
		t.Fatalf("create: %d", status)
	}
	e.await(t, 3)
	out := log.String()
	if strings.Contains(out, token) {
		t.Errorf("the log holds the URL's token:\n%s", out)
	}
	for _, want := range []string{"url=" + e.url + "\n", "endpoint=" + e.url + " "} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// -webhook-fault makes deliveries go wrong over loopback as
// straddletest.InjectWebhook does: a duplicate of customer.created.v1, then
// two customer.event.v1 attempts whose answers are ignored, each delivered
// again; the receiver's Handler processes each event once.
func TestRunInjectsWebhookFaults(t *testing.T) {
	e := newEndpoint(t)
	c, log := serve(t, "-webhook-url", e.url, "-webhook-secret", e.secret, "-webhook-retries", "10ms,10ms,10ms",
		"-webhook-fault", "duplicate@customer.created.v1", "-webhook-fault", "fail-after:2@customer.event.v1", "-v")
	if status, _ := c.do("POST", "/v1/customers", "sk_test_straddletest", backgroundCreate); status != 201 {
		t.Fatalf("create: %d", status)
	}
	seen := e.await(t, 3)
	slices.Sort(seen)
	if want := []string{"customer.created.v1 pending", "customer.event.v1 pending", "customer.event.v1 verified"}; !slices.Equal(seen, want) {
		t.Errorf("processed %v, want each of %v once", seen, want)
	}
	// Three events, each attempted once, one duplicate and two retries.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		e.mu.Lock()
		posts := e.posts
		e.mu.Unlock()
		if posts == 6 || time.Now().After(deadline) {
			if posts != 6 {
				t.Fatalf("the endpoint got %d requests, want 6", posts)
			}
			break
		}
	}
	out := log.String()
	for _, want := range []string{"webhook_faults=2", "fault=duplicate", "fault=fail-after"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// A request in flight when shutdown begins finishes, and its events are
// delivered before run returns: the emulator closes after the HTTP server.
func TestShutdownDeliversTheEventsOfRequestsInFlight(t *testing.T) {
	e := newEndpoint(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := new(logBuffer)
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-webhook-url", e.url, "-webhook-secret", e.secret}, log)
	}()
	base := waitURL(t, log.String)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The headers: the server's 100 Continue says the handler is reading the
	// body, so the request is in flight.
	fmt.Fprintf(conn, "POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer sk_test_straddletest\r\n"+
		"Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n", len(backgroundCreate))
	br := bufio.NewReader(conn)
	if resp, err := http.ReadResponse(br, nil); err != nil || resp.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue: %v %v", resp, err)
	}
	cancel()
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(log.String(), "shutting down"); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no shutdown")
		}
	}
	if _, err := io.WriteString(conn, backgroundCreate); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create during shutdown: %d", resp.StatusCode)
	}
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	// run has returned: every event was delivered before it did.
	if seen := e.events(); len(seen) != 3 {
		t.Errorf("the endpoint processed %v before shutdown ended, want the request's 3 events", seen)
	}
}

func TestRunTakesTheSecretFromTheEnvironment(t *testing.T) {
	e := newEndpoint(t)
	t.Setenv(secretEnv, e.secret)
	c, _ := serve(t, "-webhook-url", e.url)
	if status, _ := c.do("POST", "/v1/customers", "sk_test_straddletest", backgroundCreate); status != 201 {
		t.Fatalf("create: %d", status)
	}
	// Settled within the request: three events, the last verified.
	if seen := e.await(t, 3); seen[2] != "customer.event.v1 verified" {
		t.Errorf("saw %v", seen)
	}
}

func TestRunRefusesBadWebhookSetups(t *testing.T) {
	t.Setenv(secretEnv, "")
	secret := "whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123"))
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no secret":          {[]string{"-webhook-url", "http://127.0.0.1:1/"}, "needs -webhook-secret"},
		"no URL":             {[]string{"-webhook-secret", secret}, "without -webhook-url"},
		"secrets and URLs":   {[]string{"-webhook-url", "http://127.0.0.1:1/,http://127.0.0.1:2/,http://127.0.0.1:3/", "-webhook-secret", secret + "," + secret}, "2 webhook secrets for 3 URLs"},
		"bad URL":            {[]string{"-webhook-url", "127.0.0.1:1", "-webhook-secret", secret}, "absolute http or https"},
		"bad secret":         {[]string{"-webhook-url", "http://127.0.0.1:1/", "-webhook-secret", secret + "%"}, "secret 0"},
		"bad retries":        {[]string{"-webhook-retries", "5s,soon"}, `"soon" is not a duration`},
		"negative retry":     {[]string{"-webhook-retries", "-5s"}, "not a duration of zero or more"},
		"zero timeout":       {[]string{"-webhook-timeout", "0s"}, "must be positive"},
		"no workers":         {[]string{"-webhook-workers", "0"}, "must be positive"},
		"negative settle":    {[]string{"-settle-after", "-1s"}, "must not be negative"},
		"unknown fault":      {[]string{"-webhook-fault", "duplicate,lost:2"}, `"lost:2": unknown fault "lost" (want duplicate, out-of-order, bad-signature, fail-before, fail-after`},
		"bad fault count":    {[]string{"-webhook-fault", "fail-before:0"}, `"fail-before:0": the count after ":" must be a whole number of 1 or more`},
		"bad fault type":     {[]string{"-webhook-fault", "bad-signature@customer.deleted.v1"}, `no event type "customer.deleted.v1" (the spec has customer.created.v1, customer.event.v1)`},
		"fault without URL":  {[]string{"-webhook-fault", "out-of-order"}, "-webhook-fault without -webhook-url"},
		"no retries is fine": {[]string{"-webhook-retries", "", "-addr", "256.0.0.1:0"}, "256.0.0.1"},
	} {
		t.Run(name, func(t *testing.T) {
			err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, tc.args...), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), strings.TrimPrefix(secret, "whsec_")) {
				t.Errorf("the error quotes the secret: %v", err)
			}
		})
	}
}
