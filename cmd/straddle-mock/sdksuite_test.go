package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// sdkCall is one request as the generated SDK suites send it.
type sdkCall struct {
	name, method, path, body string
	account                  bool // with Straddle-Account-Id, Idempotency-Key (on writes) and the tracing headers
	want                     int
}

// The requests of the Stainless-generated customers suites of Straddle's
// Node, Python and Go SDKs, in the Node suite's order: every id is the same
// uuid, every optional-params variant names the same account and the same
// idempotency key, and the Python and Go suites list with page_number=0 and
// page_size=0.
var sdkSuiteCalls = []sdkCall{
	{"create", "POST", "/v1/customers", `{"device":{"ip_address":"192.168.1.1"},"email":"ron.swanson@pawnee.com","name":"Ron Swanson","phone":"+12128675309","type":"individual"}`, false, 201},
	{"create with all params", "POST", "/v1/customers", `{"device":{"ip_address":"192.168.1.1"},"email":"ron.swanson@pawnee.com","name":"Ron Swanson","phone":"+12128675309","type":"individual",
	  "address":{"address1":"123 Main St","city":"Anytown","state":"CA","zip":"12345","address2":"Apt 1"},"compliance_profile":{"dob":"1969-04-20","ssn":"123-45-6789"},
	  "config":{"processing_method":"inline","sandbox_outcome":"standard"},"external_id":"customer_123","metadata":{"foo":"string"}}`, true, 201},
	{"update", "PUT", "/v1/customers/" + sdkSuiteAccount, `{"device":{"ip_address":"192.168.1.1"},"email":"dev@stainless.com","name":"name","phone":"+46991022","status":"pending"}`, false, 200},
	{"update with all params", "PUT", "/v1/customers/" + sdkSuiteAccount, `{"device":{"ip_address":"192.168.1.1"},"email":"dev@stainless.com","name":"name","phone":"+46991022","status":"pending",
	  "address":{"address1":"123 Main St","city":"Anytown","state":"CA","zip":"12345","address2":"Apt 1"},"compliance_profile":{"dob":"1969-04-20","ssn":"123-45-6789"},
	  "external_id":"external_id","metadata":{"foo":"string"}}`, true, 200},
	{"list", "GET", "/v1/customers", "", false, 200},
	{"list with all params", "GET", "/v1/customers?created_from=2019-12-27T18:11:19.117Z&created_to=2019-12-27T18:11:19.117Z&email=email&external_id=external_id&name=name" +
		"&page_number=0&page_size=0&search_text=search_text&sort_by=name&sort_order=asc&status=pending&types=individual", "", true, 200},
	{"delete", "DELETE", "/v1/customers/" + sdkSuiteAccount, "", false, 200},
	{"delete with all params", "DELETE", "/v1/customers/" + sdkSuiteAccount, "", true, 200},
	{"get", "GET", "/v1/customers/" + sdkSuiteAccount, "", false, 200},
	{"get with all params", "GET", "/v1/customers/" + sdkSuiteAccount, "", true, 200},
	{"unmasked", "GET", "/v1/customers/" + sdkSuiteAccount + "/unmasked", "", false, 200},
	{"unmasked with all params", "GET", "/v1/customers/" + sdkSuiteAccount + "/unmasked", "", true, 200},
	{"review decision", "PATCH", "/v1/customers/" + sdkSuiteAccount + "/review", `{"status":"verified"}`, false, 200},
	{"review decision with all params", "PATCH", "/v1/customers/" + sdkSuiteAccount + "/review", `{"status":"verified"}`, true, 200},
	{"review get", "GET", "/v1/customers/" + sdkSuiteAccount + "/review", "", false, 200},
	{"review get with all params", "GET", "/v1/customers/" + sdkSuiteAccount + "/review", "", true, 200},
	{"refresh review", "PUT", "/v1/customers/" + sdkSuiteAccount + "/refresh_review", "", false, 202},
	{"refresh review with all params", "PUT", "/v1/customers/" + sdkSuiteAccount + "/refresh_review", "", true, 202},
}

func (c *checkedClient) sdkCall(call sdkCall) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(call.method, c.url+call.path, strings.NewReader(call.body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+sdkSuiteKey)
	if call.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if call.account {
		req.Header.Set("Straddle-Account-Id", sdkSuiteAccount)
		req.Header.Set("Request-Id", "Request-Id")
		req.Header.Set("Correlation-Id", "Correlation-Id")
		if call.method != http.MethodGet {
			req.Header.Set("Idempotency-Key", "xxxxxxxxxx")
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestSDKSuiteMode: with -sdk-suite, every request of the vendor suites gets
// the status they expect, run after run, each response valid against the spec.
func TestSDKSuiteMode(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var log logBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-sdk-suite"}, &log) }()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(shutdownTimeout + 5*time.Second):
			t.Error("run did not return after cancel")
		}
	}()
	c := newCheckedClient(t, waitURL(t, log.String))
	for round := range 2 {
		for _, call := range sdkSuiteCalls {
			if status, body := c.sdkCall(call); status != call.want {
				t.Errorf("round %d, %s: %d %s, want %d", round+1, call.name, status, body, call.want)
			}
		}
	}
	// The suites' customer is still as seeded: in review, with its own email.
	status, body := c.sdkCall(sdkCall{method: "GET", path: "/v1/customers/" + sdkSuiteAccount})
	if status != 200 || !strings.Contains(body, `"status":"review"`) || !strings.Contains(body, `"email":"ron.swanson@example.com"`) {
		t.Errorf("the seeded customer after two runs: %d %s", status, body)
	}
	if status, _ := c.do("GET", "/v1/customers", "sk_test_straddletest", ""); status != 401 {
		t.Errorf("the default key with -sdk-suite: %d, want 401 (only the suites' key is accepted)", status)
	}
	if strings.Contains(log.String(), sdkSuiteKey) || !strings.Contains(log.String(), "stateless=true sdk_suite=true") {
		t.Errorf("log:\n%s", log.String())
	}
}

// TestStatefulServerFailsTheSDKSuites: without -stateless, the same fixture
// breaks the suites (a deleted customer is gone, a reused idempotency key is
// a 409): the mode is what makes them pass.
func TestStatefulServerFailsTheSDKSuites(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log logBuffer
	fixtures := t.TempDir() + "/sdk-suite.json"
	if err := os.WriteFile(fixtures, sdkSuiteFixture, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-keys", sdkSuiteKey, "-platform", sdkSuiteKey + "=" + sdkSuiteAccount, "-fixtures", fixtures}, &log)
	}()
	c := newCheckedClient(t, waitURL(t, log.String))
	failed := 0
	for _, call := range sdkSuiteCalls {
		if status, _ := c.sdkCall(call); status != call.want {
			failed++
		}
	}
	if failed == 0 {
		t.Error("every call of the suites passed against a stateful server; the test of -sdk-suite proves nothing")
	}
	cancel()
	<-done
}

func TestSDKSuiteRefusesOverrides(t *testing.T) {
	for _, args := range [][]string{
		{"-sdk-suite", "-keys", "k"},
		{"-sdk-suite", "-platform", "k=" + sdkSuiteAccount},
		{"-fixtures", "x.json", "-sdk-suite"},
	} {
		var log logBuffer
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), &log)
		if err == nil || !strings.Contains(err.Error(), "-sdk-suite sets the key, platform and fixtures itself") {
			t.Errorf("%v: %v", args, err)
		}
	}
}
