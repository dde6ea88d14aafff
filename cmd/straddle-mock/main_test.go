package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// TestMain lets a test run the real main in a child process (to send it a
// signal) by setting STRADDLE_MOCK_MAIN.
func TestMain(m *testing.M) {
	if os.Getenv("STRADDLE_MOCK_MAIN") == "1" {
		os.Args = append([]string{"straddle-mock"}, strings.Fields(os.Getenv("STRADDLE_MOCK_ARGS"))...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// logBuffer is an io.Writer safe for the server's and the test's goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listening = regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+)`)

// waitURL waits for the listening line in the log and returns the URL.
func waitURL(t *testing.T, log func() string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := listening.FindStringSubmatch(log()); m != nil {
			return m[1]
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("the server never said where it listens: %s", log())
	return ""
}

type checkedClient struct {
	t   *testing.T
	hc  *http.Client
	url string
}

func newCheckedClient(t *testing.T, url string) *checkedClient {
	v, err := contract.NewValidator()
	if err != nil {
		t.Fatal(err)
	}
	return &checkedClient{t: t, url: url, hc: &http.Client{Transport: &contract.Transport{
		Validator: v,
		Report:    func(err error) { t.Errorf("contract: %v", err) },
	}}}
}

// send is do with the default key, for any goroutine: a failed request is
// status 0 instead of a fatal error.
func (c *checkedClient) send(method, path, body string) (int, string) {
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Authorization", "Bearer sk_test_straddletest")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

func (c *checkedClient) do(method, path, key, body string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// doAs sends a GET as key for the account in Straddle-Account-Id.
func (c *checkedClient) doAs(method, path, key, account string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Straddle-Account-Id", account)
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

const seeded = `[{"id":"019f3b3d-5816-77fb-8a9c-ad05f1654b00","name":"Leslie Knope","type":"individual",
 "email":"leslie@example.com","phone":"+13175550142","compliance_profile":{"ssn":"123-45-6789","dob":"1975-01-18"}}]`

func TestRunServesUntilCancelled(t *testing.T) {
	fixtures := filepath.Join(t.TempDir(), "customers.json")
	if err := os.WriteFile(fixtures, []byte(seeded), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var log logBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-keys", "sk_test_a, sk_test_b", "-fixtures", fixtures, "-unmasking=false", "-v"}, &log)
	}()
	c := newCheckedClient(t, waitURL(t, log.String))

	// Seeds go to the first key's account; the second key has an account of its own.
	if status, body := c.do("GET", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00", "sk_test_a", ""); status != 200 || !strings.Contains(body, `"ssn":"***-**-****"`) {
		t.Errorf("seeded customer: %d %s", status, body)
	}
	if status, _ := c.do("GET", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00", "sk_test_b", ""); status != 404 {
		t.Errorf("seeded customer seen from the other key's account: %d", status)
	}
	create := `{"name":"Ann Perkins","type":"individual","email":"ann@example.com","phone":"+13175550177","device":{"ip_address":"0.0.0.0"}}`
	if status, body := c.do("POST", "/v1/customers", "sk_test_b", create); status != 201 {
		t.Errorf("create: %d %s", status, body)
	}
	if status, _ := c.do("GET", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00/unmasked", "sk_test_a", ""); status != 403 {
		t.Errorf("unmasked with -unmasking=false: %d", status)
	}
	if status, body := c.do("GET", "/v1/customers", "", ""); status != 401 || body != "" {
		t.Errorf("no key: %d %q", status, body)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(shutdownTimeout + 5*time.Second):
		t.Fatal("run did not return after cancel")
	}
	out := log.String()
	for _, want := range []string{"keys=2", "unmasking=false", "validate=true", "operation=createCustomer status=201", "shutting down", "stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"sk_test_a", "sk_test_b", "123-45-6789"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q", secret)
		}
	}
}

// TestRunIsolatesTenants: with -keys A,B the key B cannot act for A's
// account; a -platform key acts for its connected accounts, which fixtures
// can fill.
func TestRunIsolatesTenants(t *testing.T) {
	const connected = "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	fixtures := filepath.Join(t.TempDir(), "customers.json")
	if err := os.WriteFile(fixtures, []byte(strings.Replace(seeded, `"id"`, `"account_id":"`+connected+`","id"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var log logBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-keys", "sk_test_a,sk_test_b", "-platform", "sk_test_p=" + connected, "-fixtures", fixtures}, &log)
	}()
	c := newCheckedClient(t, waitURL(t, log.String))
	create := `{"name":"Ann Perkins","type":"individual","email":"ann@example.com","phone":"+13175550177","device":{"ip_address":"0.0.0.0"}}`
	status, body := c.do("POST", "/v1/customers", "sk_test_a", create)
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	accountA := regexp.MustCompile(`key=1 account_id=(\S+)`).FindStringSubmatch(log.String())
	if accountA == nil {
		t.Fatalf("the log names no account for key 1:\n%s", log.String())
	}
	id := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(body)[1]
	for _, key := range []string{"sk_test_b", "sk_test_p"} {
		for _, path := range []string{"/v1/customers/" + id + "/unmasked", "/v1/customers"} {
			if status, body := c.doAs("GET", path, key, accountA[1]); status != 403 || !strings.Contains(body, `"type":"/forbidden"`) {
				t.Errorf("%s %s for A's account: %d %s", key, path, status, body)
			}
		}
	}
	if status, body := c.doAs("GET", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00", "sk_test_p", connected); status != 200 {
		t.Errorf("the platform reading its connected account's seeded customer: %d %s", status, body)
	}
	if status, _ := c.doAs("GET", "/v1/customers/019f3b3d-5816-77fb-8a9c-ad05f1654b00", "sk_test_b", connected); status != 403 {
		t.Errorf("key B reading the platform's connected account: %d", status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"keys=2", "platforms=1", "key=3 account_id="} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if strings.Contains(log.String(), "sk_test_") {
		t.Error("the log holds a key")
	}
}

func TestRunWithoutValidation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var log logBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-validate=false"}, &log) }()
	c := newCheckedClient(t, waitURL(t, log.String))
	if status, _ := c.do("GET", "/v1/customers", "sk_test_straddletest", ""); status != 200 {
		t.Errorf("status %d", status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRunRefusesBadSetups(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`[{"name":"x"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"unknown flag":     {[]string{"-port", "1"}, "flag provided but not defined"},
		"extra argument":   {[]string{"serve"}, "unexpected arguments"},
		"no keys":          {[]string{"-keys", " , "}, "no API key"},
		"missing fixtures": {[]string{"-fixtures", filepath.Join(t.TempDir(), "none.json")}, "fixtures"},
		"bad fixtures":     {[]string{"-fixtures", bad}, "fixture 0"},
		"address in use":   {[]string{"-addr", busy.Addr().String()}, "address already in use"},
		"zero timeout":     {[]string{"-read-timeout", "0"}, "-read-timeout must be positive"},
		"negative idle":    {[]string{"-idle-timeout", "-1s"}, "-idle-timeout must be positive"},
		"no connections":   {[]string{"-max-conns", "0"}, "must be positive"},
		"platform no key":  {[]string{"-platform", "019f3b40-7e5a-7078-9536-b70e4ca90ac5"}, "want key=account"},
		"platform account": {[]string{"-platform", "sk_test_p=acct_1"}, "not a valid uuid"},
		"platform twice":   {[]string{"-platform", "sk_test_p=019f3b40-7e5a-7078-9536-b70e4ca90ac5", "-platform", "sk_test_q=019f3b40-7e5a-7078-9536-b70e4ca90ac5"}, "already connected"},
	} {
		t.Run(name, func(t *testing.T) {
			err := run(context.Background(), tc.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	if err := run(context.Background(), []string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

// TestSignalShutsDownCleanly runs main in a child process and stops it with
// SIGTERM, as a container runtime would.
func TestSignalShutsDownCleanly(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "STRADDLE_MOCK_MAIN=1", "STRADDLE_MOCK_ARGS=-addr 127.0.0.1:0")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var log logBuffer
			copied := make(chan struct{})
			go func() {
				defer close(copied)
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					_, _ = log.Write(append(sc.Bytes(), '\n'))
				}
			}()
			c := newCheckedClient(t, waitURL(t, log.String))
			if status, _ := c.do("GET", "/v1/customers", "sk_test_straddletest", ""); status != 200 {
				t.Errorf("status %d", status)
			}
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			<-copied
			if err := cmd.Wait(); err != nil {
				t.Errorf("exit: %v\n%s", err, log.String())
			}
			if !strings.Contains(log.String(), "stopped") {
				t.Errorf("no clean shutdown in the log:\n%s", log.String())
			}
		})
	}
}

func TestMainExitsNonZeroOnError(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "STRADDLE_MOCK_MAIN=1", "STRADDLE_MOCK_ARGS=-keys ,")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "straddle-mock: -keys names no API key") {
		t.Errorf("err %v output %s", err, out)
	}
	cmd = exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "STRADDLE_MOCK_MAIN=1", "STRADDLE_MOCK_ARGS=-h")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "-addr") {
		t.Errorf("-h: err %v output %s", err, out)
	}
}

// TestRunSetsASoftMemoryLimit: without GOMEMLIMIT the server sets the
// runtime's soft memory limit from -memory-limit-mib, and restores it on the
// way out; with GOMEMLIMIT it leaves the limit alone.
func TestRunSetsASoftMemoryLimit(t *testing.T) {
	limitDuring := func(args ...string) int64 {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		var log logBuffer
		done := make(chan error, 1)
		go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), &log) }()
		waitURL(t, log.String)
		limit := debug.SetMemoryLimit(-1)
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("run: %v", err)
		}
		return limit
	}
	before := debug.SetMemoryLimit(-1)
	t.Setenv("GOMEMLIMIT", "")
	if got := limitDuring("-memory-limit-mib", "300"); got != 300<<20 {
		t.Errorf("limit while serving: %d, want %d", got, 300<<20)
	}
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Errorf("limit after run: %d, want it restored to %d", got, before)
	}
	t.Setenv("GOMEMLIMIT", "2GiB")
	if got := limitDuring("-memory-limit-mib", "300"); got != before {
		t.Errorf("with GOMEMLIMIT set, the limit became %d; want it left at %d", got, before)
	}
	if err := run(context.Background(), []string{"-memory-limit-mib", "0"}, io.Discard); err == nil || !strings.Contains(err.Error(), "-memory-limit-mib") {
		t.Errorf("-memory-limit-mib 0: %v", err)
	}
}
