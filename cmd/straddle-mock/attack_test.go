package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The standalone server under attack: clients that trickle, idle, never read,
// or send huge headers, against the timeouts and limits of a shared sandbox.

// startRun runs the command with args (listening on a free loopback port)
// and returns its URL and its log; the server is stopped, and must stop
// cleanly, when the test ends.
func startRun(t *testing.T, args ...string) (string, *logBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := &logBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(shutdownTimeout + 5*time.Second):
			t.Error("run did not return after cancel")
		}
	})
	return waitURL(t, log.String), log
}

func dialServer(t *testing.T, base string) net.Conn {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// heldFor reads conn until the server closes it (EOF or reset) and returns how
// long that took, or fails the test when the server still holds it at limit.
func heldFor(t *testing.T, conn net.Conn, start time.Time, limit time.Duration) time.Duration {
	t.Helper()
	_ = conn.SetReadDeadline(start.Add(limit))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server still holds the connection after %v", limit)
	}
	return time.Since(start)
}

// bigPage writes n customers as fixtures, for a list page of some 300 KB.
func bigPage(t *testing.T, n int) string {
	t.Helper()
	customers := make([]map[string]any, n)
	for i := range customers {
		customers[i] = map[string]any{
			"name": fmt.Sprintf("Customer %04d with a long name to make the page heavy", i), "type": "individual",
			"email": fmt.Sprintf("customer%04d@example.com", i), "phone": "+13175550177", "external_id": strings.Repeat("x", 100),
		}
	}
	raw, err := json.Marshal(customers)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "customers.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// status GETs path with the default key from any goroutine, and returns the
// status, or 0 when the request failed.
func (c *checkedClient) status(path string) int {
	req, err := http.NewRequest("GET", c.url+path, nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer sk_test_straddletest")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// TestTimeoutsFreeSlowConnections: every way of holding a connection without
// using it ends within the timeout that covers it (the limits asserted are
// the timeout plus a generous margin for a loaded machine).
func TestTimeoutsFreeSlowConnections(t *testing.T) {
	base, _ := startRun(t, "-read-header-timeout", "500ms", "-read-timeout", "1s", "-write-timeout", "1s", "-idle-timeout", "500ms")
	const margin = 4 * time.Second
	host := strings.TrimPrefix(base, "http://")
	auth := "Authorization: Bearer sk_test_straddletest\r\n"

	t.Run("silent", func(t *testing.T) {
		conn := dialServer(t, base)
		heldFor(t, conn, time.Now(), 500*time.Millisecond+margin)
	})
	t.Run("trickled headers", func(t *testing.T) {
		conn := dialServer(t, base)
		start := time.Now()
		go func() {
			_, _ = io.WriteString(conn, "GET /v1/customers HTTP/1.1\r\nHost: "+host+"\r\n")
			for i := 0; ; i++ {
				time.Sleep(100 * time.Millisecond)
				if _, err := fmt.Fprintf(conn, "X-Slow-%d: a\r\n", i); err != nil {
					return
				}
			}
		}()
		heldFor(t, conn, start, 500*time.Millisecond+margin)
	})
	t.Run("trickled body", func(t *testing.T) {
		conn := dialServer(t, base)
		start := time.Now()
		go func() {
			_, _ = io.WriteString(conn, "POST /v1/customers HTTP/1.1\r\nHost: "+host+"\r\n"+auth+
				"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
			for {
				time.Sleep(100 * time.Millisecond)
				if _, err := io.WriteString(conn, " "); err != nil {
					return
				}
			}
		}()
		heldFor(t, conn, start, time.Second+margin)
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn := dialServer(t, base)
		_, _ = io.WriteString(conn, "GET /v1/customers?page_size=1 HTTP/1.1\r\nHost: "+host+"\r\n"+auth+"\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("status %d, close %v: want a kept-alive 200", resp.StatusCode, resp.Close)
		}
		heldFor(t, conn, time.Now(), 500*time.Millisecond+margin)
	})
}

// TestClientThatNeverReadsIsCutOff: a client that asks for a big page and
// never reads it holds its connection no longer than the write timeout (or,
// if the page fit in the socket buffers, the idle timeout). With -max-conns 1
// it holds the only slot, so a second client is served exactly when the
// server lets go of the first connection.
func TestClientThatNeverReadsIsCutOff(t *testing.T) {
	base, _ := startRun(t, "-fixtures", bigPage(t, 1000), "-max-conns", "1",
		"-write-timeout", "1s", "-idle-timeout", "1s", "-read-header-timeout", "30s", "-read-timeout", "30s")
	u, _ := url.Parse(base)
	conn := dialServer(t, base)
	_ = conn.(*net.TCPConn).SetReadBuffer(4096)
	start := time.Now()
	_, _ = io.WriteString(conn, "GET /v1/customers?page_size=1000 HTTP/1.1\r\nHost: "+u.Host+
		"\r\nAuthorization: Bearer sk_test_straddletest\r\n\r\n")
	c := newCheckedClient(t, base)
	served := make(chan int, 1)
	go func() { served <- c.status("/v1/customers?page_size=1") }()
	select {
	case status := <-served:
		if status != http.StatusOK {
			t.Errorf("status %d", status)
		}
	case <-time.After(time.Second + 4*time.Second):
		t.Fatalf("the server still held the non-reading client after %v", time.Since(start))
	}
	c.hc.CloseIdleConnections()
}

// TestHugeHeadersRefused: headers over -max-header-bytes get 431 before any
// handler runs.
func TestHugeHeadersRefused(t *testing.T) {
	base, _ := startRun(t, "-max-header-bytes", "16384")
	c := newCheckedClient(t, base)
	req, err := http.NewRequest("GET", base+"/v1/customers", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer sk_test_straddletest")
	req.Header.Set("X-Big", strings.Repeat("h", 64<<10))
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
	if status, _ := c.do("GET", "/v1/customers", "sk_test_straddletest", ""); status != http.StatusOK {
		t.Errorf("a normal request after: %d", status)
	}
}

// TestConnectionLimit: with -max-conns 3 and three silent connections, a
// fourth client waits, and is served as soon as one of them goes.
func TestConnectionLimit(t *testing.T) {
	base, _ := startRun(t, "-max-conns", "3", "-read-header-timeout", "30s")
	var silent []net.Conn
	for range 3 {
		silent = append(silent, dialServer(t, base))
	}
	time.Sleep(200 * time.Millisecond) // let the server accept all three
	c := newCheckedClient(t, base)
	served := make(chan int, 1)
	go func() { served <- c.status("/v1/customers") }()
	select {
	case status := <-served:
		t.Fatalf("served (%d) over the limit of 3 connections", status)
	case <-time.After(300 * time.Millisecond):
	}
	silent[0].Close()
	select {
	case status := <-served:
		if status != http.StatusOK {
			t.Errorf("status %d", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiting client was not served after a slot freed")
	}
	c.hc.CloseIdleConnections()
}
