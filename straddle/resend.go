package straddle

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http/httptrace"
	"sync/atomic"
)

// errConnectionLost is the cause of an attempt whose request was written to
// a connection that failed before the response came: the server may have
// received it. Retrying it is the client's decision, counted in
// Response.Attempts and bounded by the retry budget.
var errConnectionLost = errors.New("connection lost after the request was sent, before a response: the server may have received it")

// sendOnce keeps an attempt to one delivery of its request.
//
// net/http's Transport resends a request on its own when a kept-alive
// connection it reused fails before the first byte of the response: a GET,
// HEAD, OPTIONS or TRACE, and any request with an Idempotency-Key, which is
// every write of this client. The server may well have received the first
// copy, so such a resend is a retry the caller did not budget for and
// Response.Attempts would not count. sendOnce watches the attempt with
// httptrace: once the request has been written, a second connection taken
// for it is a resend, which is stopped before anything is written on it
// (the connection is closed, the attempt cancelled), and the attempt fails
// with errConnectionLost for the client's retry loop to judge.
//
// Resends of a request net/http could not write are left alone: the server
// never had it whole. Neither is an HTTP/2 connection closed (it carries
// other requests): HTTP/2 resends only streams the server refused unprocessed.
type sendOnce struct {
	trace   httptrace.ClientTrace
	written atomic.Bool // the request was written once
	stopped atomic.Bool // a resend was stopped
	cancel  context.CancelFunc
}

// withSendOnce returns ctx traced by a new sendOnce. cancel must end the
// attempt's context (ctx's own cancel, so the attempt costs no context more).
func withSendOnce(ctx context.Context, cancel context.CancelFunc) (context.Context, *sendOnce) {
	s := &sendOnce{cancel: cancel}
	s.trace.WroteRequest, s.trace.GotConn = s.wroteRequest, s.gotConn
	return httptrace.WithClientTrace(ctx, &s.trace), s
}

func (s *sendOnce) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err == nil {
		s.written.Store(true)
	}
}

func (s *sendOnce) gotConn(info httptrace.GotConnInfo) {
	if !s.written.Load() || s.stopped.Swap(true) {
		return
	}
	s.cancel()
	if conn := info.Conn; conn != nil && !isHTTP2(conn) {
		if tc, ok := conn.(*tls.Conn); ok {
			conn = tc.NetConn() // close without writing a TLS alert
		}
		_ = conn.Close()
	}
}

// isHTTP2 reports whether conn negotiated HTTP/2 with TLS.
func isHTTP2(conn net.Conn) bool {
	tc, ok := conn.(interface{ ConnectionState() tls.ConnectionState })
	return ok && tc.ConnectionState().NegotiatedProtocol == "h2"
}
