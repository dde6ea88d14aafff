package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMemoryUnderAttack is the standalone server's promise as a shared
// sandbox: while 1,000 unauthenticated 1 MiB requests and 200 idle or
// trickling connections hit it, its memory stays under 200 MiB, every slow
// connection is cut off by a timeout, and an authenticated client keeps being
// served. Each unauthenticated request gets its 401 (or, rarely, has its
// connection closed under its unread body before the client reads the
// answer); none hangs. Memory is the heap and stacks in
// use of this whole process, attackers included, sampled every 20 ms.
func TestMemoryUnderAttack(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 1 GiB of request bodies")
	}
	const (
		unauthRequests = 1000
		attackers      = 16
		slowConns      = 200
		memoryLimit    = 200 << 20
		readTimeout    = 2 * time.Second
	)
	base, _ := startRun(t, "-read-header-timeout", "1s", "-read-timeout", readTimeout.String(),
		"-write-timeout", "2s", "-idle-timeout", "1s", "-max-conns", "512")
	host := strings.TrimPrefix(base, "http://")

	var peak atomic.Uint64
	sampled := make(chan struct{})
	stopSampling := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if inUse := ms.HeapInuse + ms.StackInuse; inUse > peak.Load() {
				peak.Store(inUse)
			}
			select {
			case <-tick.C:
			case <-stopSampling:
				return
			}
		}
	}()

	attackDone := make(chan struct{})
	var wg sync.WaitGroup

	// 200 slow connections, redialled whenever the server cuts one off:
	// silent ones, ones trickling headers, ones trickling an authenticated
	// body.
	var cuts atomic.Int64
	var longestHold atomic.Int64
	for i := range slowConns {
		wg.Go(func() {
			for {
				select {
				case <-attackDone:
					return
				default:
				}
				held, err := holdSlowly(host, i%3, attackDone)
				if err != nil {
					t.Errorf("slow connection %d: %v", i, err)
					return
				}
				if held > 0 {
					cuts.Add(1)
					if int64(held) > longestHold.Load() {
						longestHold.Store(int64(held))
					}
				}
			}
		})
	}

	// The authenticated client, through the spec's validator.
	c := newCheckedClient(t, base)
	var rounds atomic.Int64
	legit := make(chan error, 1)
	go func() {
		legit <- func() error {
			for i := 0; ; i++ {
				select {
				case <-attackDone:
					return nil
				default:
				}
				body := fmt.Sprintf(`{"name":"Ann Perkins","type":"individual","email":"ann%d@example.com","phone":"+13175550177","device":{"ip_address":"0.0.0.0"}}`, i)
				if status, msg := c.send("POST", "/v1/customers", body); status != http.StatusCreated {
					return fmt.Errorf("create %d: status %d: %s", i, status, msg)
				}
				if status, msg := c.send("GET", "/v1/customers?page_size=10", ""); status != http.StatusOK {
					return fmt.Errorf("list %d: status %d: %s", i, status, msg)
				}
				rounds.Add(1)
			}
		}()
	}()

	// 1,000 unauthenticated 1 MiB POSTs from 16 workers, all one payload,
	// written straight to the socket.
	payload := bytes.Repeat([]byte("x"), 1<<20)
	var refused, broken atomic.Int64
	jobs := make(chan int)
	var attack sync.WaitGroup
	for range attackers {
		attack.Go(func() {
			for range jobs {
				status, err := postUnauthenticated(host, payload)
				var ne net.Error
				switch {
				case errors.As(err, &ne) && ne.Timeout():
					t.Errorf("an unauthenticated request timed out: %v", err)
				case err != nil:
					// The server closed the connection under the body it
					// never reads before the answer could be read.
					broken.Add(1)
				case status != http.StatusUnauthorized:
					t.Errorf("an unauthenticated request got %d", status)
				default:
					refused.Add(1)
				}
			}
		})
	}
	start := time.Now()
	for i := range unauthRequests {
		jobs <- i
	}
	close(jobs)
	attack.Wait()
	// Keep the slow connections coming until each kind was cut off at least
	// once by its timeout.
	for time.Since(start) < readTimeout+time.Second {
		time.Sleep(100 * time.Millisecond)
	}
	close(attackDone)
	wg.Wait()
	if err := <-legit; err != nil {
		t.Errorf("the authenticated client: %v", err)
	}
	close(stopSampling)
	<-sampled

	t.Logf("%d refused with 401 and %d broken off of %d in %v; %d slow connections cut off, the longest held %v; %d authenticated rounds; peak heap and stacks in use %.1f MiB",
		refused.Load(), broken.Load(), unauthRequests, time.Since(start).Round(time.Millisecond), cuts.Load(),
		time.Duration(longestHold.Load()).Round(time.Millisecond), rounds.Load(), float64(peak.Load())/(1<<20))
	if p := peak.Load(); p >= memoryLimit {
		t.Errorf("peak memory %.1f MiB, want under %d MiB", float64(p)/(1<<20), memoryLimit>>20)
	}
	if refused.Load() < unauthRequests*9/10 {
		t.Errorf("only %d of %d unauthenticated requests got their 401", refused.Load(), unauthRequests)
	}
	if cuts.Load() < slowConns {
		t.Errorf("%d slow connections cut off, want at least one for each of %d", cuts.Load(), slowConns)
	}
	if held := time.Duration(longestHold.Load()); held > readTimeout+4*time.Second {
		t.Errorf("a slow connection was held %v", held)
	}
	if rounds.Load() < 5 {
		t.Errorf("the authenticated client got through %d rounds", rounds.Load())
	}
}

// holdSlowly opens a connection and holds it as a slow client of the given
// kind would (0 silent, 1 trickling headers, 2 trickling an authenticated
// body) until the server closes it, and returns how long that took; or
// returns 0 when stop came first.
func holdSlowly(host string, kind int, stop <-chan struct{}) (time.Duration, error) {
	conn, err := net.Dial("tcp", host)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		defer close(closed)
		_, _ = io.Copy(io.Discard, conn)
	}()
	switch kind {
	case 1:
		_, _ = io.WriteString(conn, "GET /v1/customers HTTP/1.1\r\nHost: "+host+"\r\n")
	case 2:
		_, _ = io.WriteString(conn, "POST /v1/customers HTTP/1.1\r\nHost: "+host+"\r\nAuthorization: Bearer sk_test_straddletest\r\n"+
			"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-closed:
			return time.Since(start), nil
		case <-stop:
			conn.Close()
			<-closed
			return 0, nil
		case <-tick.C:
			switch kind {
			case 1:
				_, _ = fmt.Fprintf(conn, "X-Slow-%d: a\r\n", i)
			case 2:
				_, _ = io.WriteString(conn, " ")
			}
		}
	}
}

// postUnauthenticated sends a create with a key the server does not know and
// the whole payload as its body, reading the answer while it writes, and
// returns the status.
func postUnauthenticated(host string, payload []byte) (int, error) {
	conn, err := net.Dial("tcp", host)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	written := make(chan struct{})
	go func() {
		defer close(written)
		_, _ = fmt.Fprintf(conn, "POST /v1/customers HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer sk_test_nobody\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", host, len(payload))
		_, _ = conn.Write(payload)
	}()
	defer func() { <-written }()
	defer conn.Close() // ends the write, if the server has not
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
