package straddletest_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// The emulator under attack: requests a shared sandbox gets from clients that
// are broken or hostile. RELIABILITY.md lists each with its promise.

// countingBody is a request body that counts the bytes the server reads.
type countingBody struct {
	r    io.Reader
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

const mib = 1 << 20

// TestUnauthenticatedRequestsAreNeitherReadNorRecorded: a request without a
// key the server accepts is answered from its headers; its body is never
// read, nothing but a count is kept, and the connection is closed rather
// than drained.
func TestUnauthenticatedRequestsAreNeitherReadNorRecorded(t *testing.T) {
	srv := straddletest.NewUnstartedServer(straddletest.WithT(t))
	defer srv.Close()
	for _, tc := range []struct {
		name   string
		auth   []string
		status int
	}{
		{"no key", nil, http.StatusUnauthorized},
		{"unknown key", []string{"Bearer sk_test_nobody"}, http.StatusUnauthorized},
		{"another scheme", []string{"Basic " + srv.APIKey()}, http.StatusUnauthorized},
		{"empty bearer", []string{"Bearer "}, http.StatusUnauthorized},
		{"key sent twice", []string{"Bearer " + srv.APIKey(), "Bearer " + srv.APIKey()}, http.StatusBadRequest},
		{"good and bad key", []string{"Bearer " + srv.APIKey(), "Bearer sk_test_nobody"}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingBody{r: bytes.NewReader(bytes.Repeat([]byte("x"), mib))}
			req := httptest.NewRequest("POST", "/v1/customers", body)
			req.ContentLength = mib
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Straddle-Account-Id", "not an account")
			req.Header["Big"] = []string{strings.Repeat("h", 512<<10)}
			req.Header["Authorization"] = tc.auth
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.status || body.read.Load() != 0 || rec.Header().Get("Connection") != "close" {
				t.Errorf("status %d, %d body bytes read, Connection %q; want %d, none read, close",
					rec.Code, body.read.Load(), rec.Header().Get("Connection"), tc.status)
			}
			if tc.status == http.StatusUnauthorized && (rec.Body.Len() != 0 || rec.Header().Get("Content-Type") != "") {
				t.Errorf("401 with content type %q and body %q, want neither", rec.Header().Get("Content-Type"), rec.Body)
			}
			if tc.status == http.StatusBadRequest && !strings.Contains(rec.Body.String(), `"reference":"Authorization"`) {
				t.Errorf("400 does not name Authorization: %s", rec.Body)
			}
		})
	}
	if r := srv.Requests(); len(r) != 0 {
		t.Errorf("%d unauthenticated requests recorded", len(r))
	}
	if all, creates := srv.RequestCount(""), srv.RequestCount(straddletest.OpCreateCustomer); all != 6 || creates != 0 {
		t.Errorf("counted %d in all and %d creates, want 6 and 0", all, creates)
	}
}

// TestUnauthenticatedBigBodyOverTheWire: a client sending a 1 MiB body with a
// bad key gets the 401, not a broken connection, and the server keeps serving.
func TestUnauthenticatedBigBodyOverTheWire(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	c := newClient(t, srv, false)
	big := `{"name":"` + strings.Repeat("x", mib-64) + `"}`
	for range 3 {
		c.do("POST", "/v1/customers", big, "Authorization", "Bearer sk_test_nobody").want(t, http.StatusUnauthorized)
	}
	c.create(minimal(t, "after@example.com"))
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests recorded, want only the authenticated one", n)
	}
	// A small body (a client with a wrong key, not an attack) is drained by
	// net/http, so the connection is kept for the requests that follow.
	before := srv.ConnectionCount()
	for range 3 {
		c.do("POST", "/v1/customers", minimal(t, "small@example.com"), "Authorization", "Bearer sk_test_nobody").want(t, http.StatusUnauthorized)
	}
	c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)
	if n := srv.ConnectionCount() - before; n != 0 {
		t.Errorf("%d new connections for 4 requests after small refused bodies, want the open one reused", n)
	}
	c.takeViolations()
}

// TestRecordedBytesAreCapped: 70 authenticated requests of nearly 1 MiB each
// leave at most 64 MiB recorded (the newest kept), and all 70 counted.
func TestRecordedBytesAreCapped(t *testing.T) {
	srv := straddletest.NewUnstartedServer(straddletest.WithT(t), straddletest.WithValidation(false))
	defer srv.Close()
	payload := bytes.Repeat([]byte("x"), mib-64)
	const sent = 70
	for i := range sent {
		payload[0] = byte('a' + i%26)
		req := httptest.NewRequest("POST", "/v1/customers", bytes.NewReader(payload))
		req.Header.Set("Authorization", "Bearer "+srv.APIKey())
		req.Header.Set("Content-Type", "application/json")
		srv.Handler().ServeHTTP(httptest.NewRecorder(), req)
	}
	kept := srv.Requests()
	total := 0
	for _, r := range kept {
		total += len(r.Body)
	}
	if total > 64*mib || len(kept) == 0 || kept[len(kept)-1].Body[0] != byte('a'+(sent-1)%26) {
		t.Errorf("%d requests with %d body bytes kept; want at most 64 MiB, ending with the newest", len(kept), total)
	}
	if n := srv.RequestCount(straddletest.OpCreateCustomer); n != sent {
		t.Errorf("counted %d, want %d", n, sent)
	}
}

// TestRecordingOff keeps counts but no request.
func TestRecordingOff(t *testing.T) {
	srv, c := newEnv(t, straddletest.WithRecording(false))
	c.create(minimal(t, "quiet@example.com"))
	c.do("GET", "/v1/customers", nil).want(t, http.StatusOK)
	if r := srv.Requests(); r != nil {
		t.Errorf("recorded %d requests with recording off", len(r))
	}
	if srv.RequestCount(straddletest.OpCreateCustomer) != 1 || srv.RequestCount("") != 2 {
		t.Errorf("counts %d and %d, want 1 and 2", srv.RequestCount(straddletest.OpCreateCustomer), srv.RequestCount(""))
	}
}

// sendCutShort writes a create request over raw TCP with its full
// Content-Length but only the first half of its body, then half-closes the
// connection as a client dropped by the network would, and returns whatever
// the server wrote back before closing its side.
func sendCutShort(t *testing.T, srv *straddletest.Server, body []byte, idemKey string) []byte {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	w := bufio.NewWriter(conn)
	fmt.Fprintf(w, "POST /v1/customers HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n", u.Host, srv.APIKey())
	fmt.Fprintf(w, "Content-Type: application/json\r\nIdempotency-Key: %s\r\nContent-Length: %d\r\n\r\n", idemKey, len(body))
	_, _ = w.Write(body[:len(body)/2])
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(conn)
	return answer
}

// TestCutShortBodyIsNeverActedOnOrStored: a create whose body the network cut
// short gets no answer and leaves its idempotency key free, with validation
// on or off, so the client's full retry creates the customer once.
func TestCutShortBodyIsNeverActedOnOrStored(t *testing.T) {
	for _, validate := range []bool{true, false} {
		t.Run(fmt.Sprintf("validation=%v", validate), func(t *testing.T) {
			srv, c := newEnv(t, straddletest.WithValidation(validate))
			body, err := json.Marshal(individual(t, "cut@example.com"))
			if err != nil {
				t.Fatal(err)
			}
			const idemKey = "cut-short-key-0001"
			if answer := sendCutShort(t, srv, body, idemKey); len(answer) != 0 {
				t.Errorf("the server answered a body it never got whole: %q", answer)
			}
			if n := srv.CustomerCount(""); n != 0 {
				t.Fatalf("%d customers after a cut-short create", n)
			}
			first := c.do("POST", "/v1/customers", body, "Idempotency-Key", idemKey).want(t, http.StatusCreated)
			again := c.do("POST", "/v1/customers", body, "Idempotency-Key", idemKey).want(t, http.StatusCreated)
			if again.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.body, again.body) {
				t.Errorf("the retry was not a replay of the first full request: %s", again.body)
			}
			if n := srv.CustomerCount(""); n != 1 {
				t.Errorf("%d customers, want 1", n)
			}
			if recs := srv.Requests(); len(recs) != 2 || srv.RequestCount(straddletest.OpCreateCustomer) != 3 {
				t.Errorf("%d requests recorded and %d counted, want the 2 whole ones recorded and all 3 counted",
					len(recs), srv.RequestCount(straddletest.OpCreateCustomer))
			}
		})
	}
}

// sendHeader sends body with exactly the given headers (a key's values all
// sent), through the client's validating transport.
func sendHeader(t *testing.T, c *client, method, path, body string, header http.Header) *result {
	t.Helper()
	req, err := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &result{status: resp.StatusCode, header: resp.Header, body: raw}
}

// TestBadWireInputIsRefused: input the service's parser refuses gets its 400
// naming the field, with validation on or off, and nothing is created.
func TestBadWireInputIsRefused(t *testing.T) {
	for _, validate := range []bool{true, false} {
		t.Run(fmt.Sprintf("validation=%v", validate), func(t *testing.T) {
			srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithValidation(validate))
			c := newClient(t, srv, false)
			createBody := func(name string) string {
				return `{"name":"` + name + `","type":"individual","email":"w@example.com","phone":"+13175550177","device":{"ip_address":"0.0.0.0"}}`
			}
			auth := "Bearer " + srv.APIKey()
			for _, tc := range []struct {
				name   string
				header http.Header
				body   string
				ref    string
			}{
				{"invalid UTF-8", http.Header{"Content-Type": {"application/json"}}, createBody("Ann \xff\xfe"), "body"},
				{"overlong UTF-8", http.Header{"Content-Type": {"application/json"}}, createBody("Ann \xc0\xaf"), "body"},
				{"lone high surrogate escape", http.Header{"Content-Type": {"application/json"}}, createBody(`Ann \ud800`), "body"},
				{"lone low surrogate escape", http.Header{"Content-Type": {"application/json"}}, createBody(`Ann \udc00x`), "body"},
				{"reversed surrogate pair", http.Header{"Content-Type": {"application/json"}}, createBody(`Ann \ude00\ud83d`), "body"},
				{"empty parameters", http.Header{"Content-Type": {"application/json;;;"}}, createBody("Ann"), "Content-Type"},
				{"latin1 charset", http.Header{"Content-Type": {"application/json; charset=latin1"}}, createBody("Ann"), "Content-Type"},
				{"unknown parameter", http.Header{"Content-Type": {"application/json; profile=x"}}, createBody("Ann"), "Content-Type"},
				{"two media types", http.Header{"Content-Type": {"application/json, text/plain"}}, createBody("Ann"), "Content-Type"},
				{"two Content-Type headers", http.Header{"Content-Type": {"application/json", "application/json"}}, createBody("Ann"), "Content-Type"},
				{"text/plain", http.Header{"Content-Type": {"text/plain"}}, createBody("Ann"), "Content-Type"},
				{"no Content-Type", http.Header{}, createBody("Ann"), "Content-Type"},
				{"idempotency key of 40 characters but 41 bytes", http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {"é" + strings.Repeat("k", 39)}}, createBody("Ann"), "Idempotency-Key"},
				{"idempotency key of 20 characters but 60 bytes", http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {strings.Repeat("€", 20)}}, createBody("Ann"), "Idempotency-Key"},
				{"idempotency key of 11 bytes, not UTF-8", http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {strings.Repeat("\xff", 11)}}, createBody("Ann"), "Idempotency-Key"},
				{"idempotency key with a tab", http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {"key-number\t0001"}}, createBody("Ann"), "Idempotency-Key"},
				{"an array of 201 values", http.Header{"Content-Type": {"application/json"}}, strings.Replace(createBody("Ann"), "{", `{"metadata":{"k":[`+strings.Repeat("0,", 200)+`0]},`, 1), "body"},
				{"nested 17 deep", http.Header{"Content-Type": {"application/json"}}, strings.Replace(createBody("Ann"), "{", `{"metadata":`+strings.Repeat("[", 17)+strings.Repeat("]", 17)+`,`, 1), "body"},
				{"two idempotency keys", http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {"key-number-0001", "key-number-0002"}}, createBody("Ann"), "Idempotency-Key"},
				{"two Authorization headers", http.Header{"Content-Type": {"application/json"}, "Authorization": {auth, auth}}, createBody("Ann"), "Authorization"},
			} {
				// Each its own email, so that a body wrongly accepted
				// cannot hide the next behind a duplicate-email 422.
				tc.body = strings.Replace(tc.body, `"w@`, `"bad-`+strconv.Itoa(len(tc.name))+tc.ref+`@`, 1)
				if tc.header.Get("Authorization") == "" {
					tc.header.Set("Authorization", auth)
				}
				res := sendHeader(t, c, "POST", "/v1/customers", tc.body, tc.header)
				if res.status != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400", tc.name, res.status)
					continue
				}
				if e := res.apiError(t); e.Type != "/bad_request" || !slices.Contains(e.references(), tc.ref) {
					t.Errorf("%s: %s, want a 400 naming %s", tc.name, res.body, tc.ref)
				}
			}
			if n := srv.CustomerCount(""); n != 0 {
				t.Errorf("%d customers created from refused input", n)
			}
			// Just inside the rules: a valid surrogate pair, an escaped
			// backslash before u, the charset in any case and quoted.
			for i, ok := range []struct{ contentType, name string }{
				{"application/json", `Ann \ud83d\ude00`},
				{"application/json; charset=utf-8", `Ann \\ud800`},
				{`Application/JSON; Charset="UTF-8"`, "Ann é"},
			} {
				body := strings.Replace(createBody(ok.name), "w@", fmt.Sprintf("w%d@", i), 1)
				h := http.Header{"Content-Type": {ok.contentType}, "Authorization": {auth}, "Idempotency-Key": {fmt.Sprintf("ok-key-%d-%s", i, strings.Repeat("k", 31))}}
				sendHeader(t, c, "POST", "/v1/customers", body, h).want(t, http.StatusCreated)
			}
			if validate {
				if v := c.takeViolations(); len(v) == 0 {
					t.Error("the client-side validator saw no bad request")
				}
			}
		})
	}
}

// TestQueryMustBeUTF8: a query name or value that is not UTF-8 once decoded
// gets the service's 400 naming it, with validation on or off.
func TestQueryMustBeUTF8(t *testing.T) {
	for _, validate := range []bool{true, false} {
		srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithValidation(validate))
		c := newClient(t, srv, false)
		for _, tc := range []struct{ query, ref string }{
			{"search_text=%FF%FE", "search_text"},
			{"search_text=Ann%C0%AF", "search_text"},
			{"page_size=10&%FF=1", "query"},
		} {
			res := c.do("GET", "/v1/customers?"+tc.query, nil)
			if res.status != http.StatusBadRequest {
				t.Errorf("validation=%v, ?%s: status %d, want 400", validate, tc.query, res.status)
				continue
			}
			if e := res.apiError(t); !slices.Contains(e.references(), tc.ref) {
				t.Errorf("validation=%v, ?%s: %s, want a 400 naming %s", validate, tc.query, res.body, tc.ref)
			}
		}
		c.do("GET", "/v1/customers?search_text=Zo%C3%AB%20Ann", nil).want(t, http.StatusOK)
	}
}

// TestTenantIsolation: a key acts for its own account, and a platform's key
// also for its connected accounts; every other account gets the service's
// 403 on every operation, its body unread, and nothing changes there.
func TestTenantIsolation(t *testing.T) {
	const (
		keyA, keyB       = "sk_test_a", "sk_test_b"
		platform, rival  = "sk_test_platform", "sk_test_rival"
		connected, other = "019f3b40-7e5a-7078-9536-b70e4ca90ac5", "019f3b40-7e5a-7078-9536-b70e4ca90ac6"
	)
	srv, c := newEnv(t, straddletest.WithAPIKeys(keyA, keyB),
		straddletest.WithPlatform(platform, connected), straddletest.WithPlatform(rival, strings.ToUpper(other)))
	accountA := srv.AccountID(keyA)
	c.key = keyA
	victim := c.create(individual(t, "victim@example.com"))
	c.key = platform
	embedded := c.create(individual(t, "embedded@example.com"), "Straddle-Account-Id", connected)

	type attempt struct {
		method, path string
		body         any
	}
	attempts := func(id string) []attempt {
		return []attempt{
			{"GET", "/v1/customers/" + id, nil},
			{"GET", "/v1/customers/" + id + "/unmasked", nil},
			{"GET", "/v1/customers", nil},
			{"DELETE", "/v1/customers/" + id, nil},
			{"PUT", "/v1/customers/" + id, fixture(t, "updateCustomer.full.json")},
			{"POST", "/v1/customers", individual(t, "intruder@example.com")},
			{"GET", "/v1/customers/" + id + "/review", nil},
			{"PATCH", "/v1/customers/" + id + "/review", map[string]any{"status": "verified"}},
			{"PUT", "/v1/customers/" + id + "/refresh_review", nil},
		}
	}
	for _, tc := range []struct {
		name, key, account, id string
	}{
		{"another key's account", keyB, accountA, victim.ID},
		{"a platform, another key's account", platform, accountA, victim.ID},
		{"a key, a platform's connected account", keyB, connected, embedded.ID},
		{"a rival platform, another's connected account", rival, connected, embedded.ID},
		{"a platform, an account no key has", platform, "019f3b40-7e5a-7078-9536-b70e4ca90acf", victim.ID},
	} {
		c.key = tc.key
		before := srv.RequestCount("")
		for _, a := range attempts(tc.id) {
			res := c.do(a.method, a.path, a.body, "Straddle-Account-Id", tc.account, "Idempotency-Key", "")
			if res.status != http.StatusForbidden {
				t.Errorf("%s: %s %s: status %d, want 403: %.200s", tc.name, a.method, a.path, res.status, res.body)
				continue
			}
			e := res.apiError(t)
			if e.Type != "/forbidden" || !slices.Contains(e.references(), "Straddle-Account-Id") || bytes.Contains(res.body, []byte(tc.account)) {
				t.Errorf("%s: %s %s: %s", tc.name, a.method, a.path, res.body)
			}
		}
		if n := srv.RequestCount("") - before; n != 9 {
			t.Errorf("%s: %d requests counted, want 9", tc.name, n)
		}
	}
	if len(srv.Requests()) != 2 {
		t.Errorf("%d requests recorded, want only the 2 creates", len(srv.Requests()))
	}
	// The body of a refused request is not read.
	body := &countingBody{r: bytes.NewReader(bytes.Repeat([]byte("x"), mib))}
	req := httptest.NewRequest("POST", "/v1/customers", body)
	req.Header.Set("Authorization", "Bearer "+keyB)
	req.Header.Set("Straddle-Account-Id", accountA)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || body.read.Load() != 0 || rec.Header().Get("Connection") != "close" {
		t.Errorf("status %d, %d body bytes read, Connection %q", rec.Code, body.read.Load(), rec.Header().Get("Connection"))
	}
	// Nothing changed in the attacked accounts.
	c.key = keyA
	if got := c.do("GET", "/v1/customers/"+victim.ID, nil).want(t, http.StatusOK).customer(t); got.UpdatedAt != victim.UpdatedAt || got.Status != victim.Status {
		t.Errorf("the victim changed: %+v", got)
	}
	if srv.CustomerCount(accountA) != 1 || srv.CustomerCount(connected) != 1 || srv.CustomerCount(srv.AccountID(keyB)) != 0 {
		t.Errorf("counts %d, %d, %d", srv.CustomerCount(accountA), srv.CustomerCount(connected), srv.CustomerCount(srv.AccountID(keyB)))
	}
	// What each may do: its own account, by header too, and a platform its
	// connected accounts, the id in any case.
	c.do("GET", "/v1/customers/"+victim.ID, nil, "Straddle-Account-Id", strings.ToUpper(accountA)).want(t, http.StatusOK)
	c.key = platform
	c.do("GET", "/v1/customers/"+embedded.ID+"/unmasked", nil, "Straddle-Account-Id", strings.ToUpper(connected)).want(t, http.StatusOK)
	c.do("GET", "/v1/customers", nil, "Straddle-Account-Id", srv.AccountID(platform)).want(t, http.StatusOK)
	c.key = rival
	c.create(individual(t, "rival@example.com"), "Straddle-Account-Id", other)
}

// TestAccountHeaderForm: a Straddle-Account-Id that is not one uuid gets the
// 400 naming it, before any 403, validation on or off.
func TestAccountHeaderForm(t *testing.T) {
	for _, validate := range []bool{true, false} {
		srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithValidation(validate))
		c := newClient(t, srv, false)
		for _, h := range [][]string{{"acct_1"}, {""}, {srv.AccountID(srv.APIKey()), srv.AccountID(srv.APIKey())}} {
			res := sendHeader(t, c, "GET", "/v1/customers", "", http.Header{"Authorization": {"Bearer " + srv.APIKey()}, "Straddle-Account-Id": h})
			if res.status != http.StatusBadRequest || !slices.Contains(res.apiError(t).references(), "Straddle-Account-Id") {
				t.Errorf("validation %v, header %q: %d %s", validate, h, res.status, res.body)
			}
		}
	}
}

// TestPlatformSetupErrors: a platform that cannot be set up stops the
// server, with an error that does not quote a key.
func TestPlatformSetupErrors(t *testing.T) {
	const secret = "sk_test_secret_platform"
	acct := "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	for name, opts := range map[string][]straddletest.Option{
		"not a uuid":          {straddletest.WithPlatform(secret, "acct_1")},
		"empty key":           {straddletest.WithPlatform("", acct)},
		"empty API key":       {straddletest.WithAPIKeys("")},
		"two platforms":       {straddletest.WithPlatform(secret, acct), straddletest.WithPlatform(secret+"2", strings.ToUpper(acct))},
		"no key at all":       {straddletest.WithAPIKeys()},
		"fixture outside any": {straddletest.WithFixtures(strings.NewReader(`[{"name":"A","type":"individual","email":"a@example.com","phone":"+13175550177","account_id":"` + acct + `"}]`))},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				v := recover()
				if v == nil || strings.Contains(fmt.Sprint(v), secret) {
					t.Errorf("panic %v, want an error without the key", v)
				}
			}()
			straddletest.NewUnstartedServer(opts...).Close()
		})
	}
	// The same platform twice adds accounts; a platform's key alone is a key.
	srv, c := newEnv(t, straddletest.WithAPIKeys(), straddletest.WithPlatform(secret, acct), straddletest.WithPlatform(secret, "019f3b40-7e5a-7078-9536-b70e4ca90ac6"))
	if srv.APIKey() != secret {
		t.Errorf("APIKey is not the platform's")
	}
	c.do("GET", "/v1/customers", nil, "Straddle-Account-Id", "019f3b40-7e5a-7078-9536-b70e4ca90ac6").want(t, http.StatusOK)
	c.do("GET", "/v1/customers", nil, "Straddle-Account-Id", acct).want(t, http.StatusOK)
}
