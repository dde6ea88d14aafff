package straddletest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

func TestRequestsAreRecorded(t *testing.T) {
	clock := newClock()
	srv, c := newEnv(t, straddletest.WithClock(clock.Now))
	body, _ := json.Marshal(individual(t, "rec@example.com"))
	created := c.do("POST", "/v1/customers", body, "Idempotency-Key", key, "Request-Id", "req-1").want(t, http.StatusCreated).customer(t)
	c.do("GET", "/v1/customers?status=verified&name=Les", nil).want(t, http.StatusOK)
	c.do("GET", "/v1/customers/"+created.ID, nil).want(t, http.StatusOK)

	got := srv.Requests()
	if len(got) != 3 {
		t.Fatalf("%d requests recorded, want 3", len(got))
	}
	first := got[0]
	if first.Method != "POST" || first.Path != "/v1/customers" || first.OperationID != straddletest.OpCreateCustomer ||
		first.IdempotencyKey() != key || first.Header.Get("Request-Id") != "req-1" || !bytes.Equal(first.Body, body) ||
		!first.Time.Equal(clock.Now()) || first.Fault != 0 {
		t.Errorf("first request %+v", first)
	}
	if auth := first.Header.Get("Authorization"); auth != "Bearer [REDACTED]" {
		t.Errorf("Authorization recorded as %q, want it redacted", auth)
	}
	if got[1].OperationID != straddletest.OpListCustomers || got[1].RawQuery != "status=verified&name=Les" || got[2].OperationID != straddletest.OpGetCustomer {
		t.Errorf("later requests %+v %+v", got[1], got[2])
	}
	got[0].Method = "changed"
	if srv.Requests()[0].Method != "POST" {
		t.Error("Requests returned the server's own slice")
	}
	for op, want := range map[straddletest.Operation]int{
		straddletest.OpCreateCustomer: 1, straddletest.OpListCustomers: 1, straddletest.OpGetCustomer: 1,
		straddletest.OpDeleteCustomer: 0, "": 3, "GET /v1/customers/{id}": 1, "DELETE /v1/customers/{id}": 0,
	} {
		if n := srv.RequestCount(op); n != want {
			t.Errorf("RequestCount(%q) = %d, want %d", op, n, want)
		}
	}
	srv.ClearRequests()
	if len(srv.Requests()) != 0 || srv.RequestCount("") != 0 || srv.RequestCount(straddletest.OpCreateCustomer) != 0 {
		t.Error("ClearRequests left requests")
	}
	c.do("GET", "/v1/customers", nil, "Authorization", "").want(t, http.StatusUnauthorized)
	if r := srv.Requests(); len(r) != 0 || srv.RequestCount("") != 1 || srv.RequestCount(straddletest.OpListCustomers) != 0 {
		t.Errorf("request without a key: recorded as %+v, counted %d", r, srv.RequestCount(""))
	}
}

func TestConnectionCount(t *testing.T) {
	srv, c := newEnv(t)
	for range 5 {
		c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)
	}
	if n := srv.ConnectionCount(); n != 1 {
		t.Errorf("ConnectionCount %d after 5 requests on one kept-alive connection, want 1", n)
	}
	c.base.DisableKeepAlives = true
	for range 3 {
		c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)
	}
	if n := srv.ConnectionCount(); n != 4 {
		t.Errorf("ConnectionCount %d after 3 more without keep-alive, want 4", n)
	}
}

// TestUnknownOperationNamesPanic: a misspelt operation must fail the test
// loudly, not count or match nothing.
func TestUnknownOperationNamesPanic(t *testing.T) {
	srv, _ := newEnv(t)
	for _, tc := range []struct {
		name string
		call func()
	}{
		{"RequestCount typo", func() { srv.RequestCount("getCustomers") }},
		{"RequestCount case", func() { srv.RequestCount("CreateCustomer") }},
		{"RequestCount unknown template", func() { srv.RequestCount("GET /v1/customer/{id}") }},
		{"Inject typo", func() { srv.Inject(straddletest.Fault{Kind: straddletest.FaultReset, Match: "getCustomers"}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "straddletest: ") || !strings.Contains(msg, "unknown operation") ||
					!strings.Contains(msg, "getCustomer,") || !strings.Contains(msg, "POST /v1/customers") {
					t.Errorf("panic %q, want one naming the mistake and what is accepted", msg)
				}
			}()
			tc.call()
		})
	}
	if srv.PendingFaults() != 0 {
		t.Error("a fault with an unknown Match was queued")
	}
}

// TestUnknownAccountsAndKeysPanic: a mistyped key or account must fail the
// test loudly, not read as an empty account; the panic never quotes a key.
func TestUnknownAccountsAndKeysPanic(t *testing.T) {
	const secretKey = "sk_live_0123456789abcdefghij"
	connected := "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithAPIKeys(secretKey), straddletest.WithPlatform(secretKey, connected))
	stranger := "019f3b40-7e5a-7078-9536-000000000000"
	id := "019f3b40-7e5a-7078-9536-b70e4ca90ac6"
	for _, tc := range []struct {
		name, want string
		call       func()
	}{
		{"AccountID unknown key", "AccountID: the server accepts no API key (27 bytes, beginning \"sk_l\")", func() { srv.AccountID(secretKey[:27]) }},
		{"AccountID short key", "AccountID: the server accepts no API key (4 bytes)", func() { srv.AccountID("nope") }},
		{"CustomerCount stranger", "CustomerCount: no API key may act for account " + stranger, func() { srv.CustomerCount(stranger) }},
		{"CustomerCount not a uuid", "CustomerCount: the account is not a uuid (7 bytes)", func() { srv.CustomerCount("acct_12") }},
		{"CustomerCount key", "CustomerCount: the account is an API key (28 bytes", func() { srv.CustomerCount(secretKey) }},
		{"Customer", "Customer: no API key may act for account " + stranger, func() { srv.Customer(stranger, id) }},
		{"UnmaskedCustomer", "UnmaskedCustomer: no API key may act for account " + stranger, func() { srv.UnmaskedCustomer(stranger, id) }},
		{"CustomerReview", "CustomerReview: no API key may act for account " + stranger, func() { srv.CustomerReview(stranger, id) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "straddletest: ") || !strings.Contains(msg, tc.want) || strings.Contains(msg, secretKey[:10]) {
					t.Errorf("panic %q, want one saying %q, never the key", msg, tc.want)
				}
			}()
			tc.call()
		})
	}
	// Known accounts, in any case, and "" (the account of APIKey) answer.
	if n := srv.CustomerCount(strings.ToUpper(connected)) + srv.CustomerCount("") + srv.CustomerCount(srv.AccountID(secretKey)); n != 0 {
		t.Errorf("counts %d, want 0", n)
	}
	if _, ok := srv.Customer(connected, id); ok {
		t.Error("found a customer never created")
	}
}
