package straddletest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// maxBody is the largest request body the emulator reads.
const maxBody = 1 << 20

const jsonContentType = "application/json; charset=utf-8"

// response is a complete response, built before anything is written so that
// it can be validated, stored for idempotent replay, or broken by a fault.
type response struct {
	status int
	header http.Header
	body   []byte
}

// replay is the response as an identical retry gets it.
func (r *response) replay() *response {
	h := r.header.Clone()
	h.Set("Idempotent-Replayed", "true")
	return &response{status: r.status, header: h, body: r.body}
}

// call is one request being served.
type call struct {
	r        *http.Request
	body     []byte
	tooLarge bool
	ex       *contract.Exchange
	op       Operation
	template string
	id       string
	apiKey   string
	account  string
	now      time.Time
	raised   []raised // events raised, published once the request's work is stored
	then     []func() // run after they are published
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	started := time.Now()
	c := &call{r: r, now: s.cfg.clock()}
	var f *Fault
	status := 0
	hijacked := false
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.report(fmt.Sprintf("panic serving %s %s", r.Method, c.template), fmt.Errorf("%v\n%s", v, debug.Stack()))
			if !hijacked {
				status = http.StatusInternalServerError
				writeResponse(w, s.errorResponse(c, newAPIError(status, "")))
			}
		}
		attrs := []any{"method", r.Method, "operation", c.op, "status", status, "duration", time.Since(started)}
		if f != nil {
			attrs = append(attrs, "fault", f.Kind.String())
		}
		s.cfg.logger.Debug("straddletest: request", attrs...)
	}()

	// Authentication comes first, from the headers alone: a request without
	// an accepted key is answered without routing it, reading its body or
	// recording more than a count. So is one for an account its key may not
	// act for, once routed (to count it by operation).
	if resp := s.authenticate(c); resp != nil {
		s.recorder.count("")
		refuse(w, r, resp)
		status = resp.status
		return
	}
	if ex, err := s.validator.Route(r); err == nil {
		c.ex, c.op, c.template = ex, Operation(ex.OperationID()), ex.PathTemplate()
	}
	if resp := s.scope(c); resp != nil {
		s.recorder.count(c.op)
		s.checkResponse(c, resp)
		refuse(w, r, resp)
		status = resp.status
		return
	}
	if c.op == OpListCustomers {
		normalizeListQuery(r)
	}
	var err error
	if c.body, c.tooLarge, err = readBody(w, r); err != nil {
		// The body was cut short. Acting on part of it, or storing an answer
		// to it under its idempotency key, would turn the client's retry of
		// the whole request into a 409; nobody is left to answer.
		s.recorder.count(c.op)
		panic(http.ErrAbortHandler)
	}
	f = s.faults.take(c.op)
	s.recorder.add(r, c, f)
	if f != nil {
		status, hijacked = s.serveFault(w, c, f)
		return
	}
	resp := s.process(c, 0)
	s.checkResponse(c, resp)
	writeResponse(w, resp)
	status = resp.status
}

// authenticate checks the request's API key. It returns the service's answer
// to a request without one it accepts (401 with no body, or 400 for a key
// sent twice), or nil.
func (s *Server) authenticate(c *call) *response {
	vals := c.r.Header.Values("Authorization")
	if len(vals) > 1 {
		return s.errorResponse(c, badRequest(item("Authorization", "must be sent once.")))
	}
	key, ok := "", false
	if len(vals) == 1 {
		key, ok = strings.CutPrefix(vals[0], "Bearer ")
	}
	account, known := s.accounts[key]
	if !ok || !known {
		return unauthorized()
	}
	c.apiKey, c.account = key, account
	return nil
}

// drainLimit is the largest body of a refused request that net/http may read
// and throw away to keep the connection open for the next request: a client
// with a wrong key sends a few kilobytes.
const drainLimit = 64 << 10

// refuse answers a request whose body the handler does not read. A body
// larger than drainLimit, or of unknown length, is left unread and the
// connection closed after the answer.
func refuse(w http.ResponseWriter, r *http.Request, resp *response) {
	if r.ContentLength < 0 || r.ContentLength > drainLimit {
		w.Header().Set("Connection", "close")
	}
	writeResponse(w, resp)
}

// readBody reads the whole request body, up to maxBody: the body and false,
// or the first maxBody bytes and true for a longer one (net/http then closes
// the connection), or an error when the body ended before its
// Content-Length or its last chunk (the client or the network broke off).
//
// A body of known length is read into one buffer of that size (at most
// maxBody, and only for an authenticated request), one without any (a GET)
// into none.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool, error) {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil, false, nil
	}
	size := 512
	if r.ContentLength > 0 {
		size = int(min(r.ContentLength, maxBody)) + 1 // room for the read that finds the end
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxBody), size)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return body, true, nil
		}
		return nil, false, err
	}
	return body, false, nil
}

// readAll is io.ReadAll starting from a buffer of size bytes.
func readAll(r io.Reader, size int) ([]byte, error) {
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// process does what the API does with a request authenticated and scoped to
// its account: check idempotency and the spec, then run the operation. delay
// holds the operation back (a FaultDelay) after its idempotency key is taken.
func (s *Server) process(c *call, delay time.Duration) *response {
	r := c.r
	if c.ex == nil {
		return routeNotFound()
	}
	c.id = strings.ToLower(c.ex.PathParams()["id"])
	if c.tooLarge {
		return s.errorResponse(c, badRequest(item("body", "The request body is larger than 1 MiB.")))
	}
	if e := s.checkWire(c); e != nil {
		return s.errorResponse(c, e)
	}
	idemKey, hasKey := "", false
	if isWrite(r.Method) && !s.cfg.stateless {
		if vals := r.Header.Values("Idempotency-Key"); len(vals) > 0 {
			idemKey, hasKey = vals[0], true
		}
	}
	if e := s.checkRequest(c); e != nil {
		return s.errorResponse(c, e)
	}
	run := s.ops[c.op]
	if !hasKey {
		s.wait(delay)
		c.now = s.cfg.clock()
		resp := run(c)
		s.publish(c)
		return resp
	}
	tn := tenant{c.apiKey, c.account}
	state, entry, warn := s.idem.begin(tn, hashStrings(c.apiKey, "\x00", c.account, "\x00", idemKey), fingerprint(r, c.body), c.now)
	if warn {
		s.warnIdempotency(state, c)
	}
	switch state {
	case idemReplay:
		return s.idem.response(entry).replay()
	case idemInProgress:
		return s.errorResponse(c, newAPIError(http.StatusConflict, detailInProgress))
	case idemReused:
		return s.errorResponse(c, newAPIError(http.StatusConflict, detailKeyReused))
	case idemFull:
		resp := s.errorResponse(c, newAPIError(http.StatusServiceUnavailable, detailCacheFull))
		resp.header.Set("Retry-After", strconv.Itoa(int(s.idem.retryAfter(c.now)/time.Second)))
		return resp
	}
	done := false
	defer func() {
		if !done {
			s.idem.abort(entry)
		}
	}()
	s.wait(delay)
	c.now = s.cfg.clock()
	resp := run(c)
	if s.idem.finish(entry, resp) {
		s.warnIdempotency(idemNew, c)
	}
	done = true
	s.publish(c)
	return resp
}

// detailCacheFull is the detail of the 503 for a new key when the idempotency
// cache is full.
const detailCacheFull = "Too many idempotency keys are held; retry after Retry-After."

// warnIdempotency logs, once per tenant, that the idempotency cache forgot
// keys before they expired (a retry with one runs again), or once per
// server that it refused a new key because it is full. It names the account,
// never the API key.
func (s *Server) warnIdempotency(state idemState, c *call) {
	if state == idemFull {
		s.cfg.logger.Warn("straddletest: idempotency cache full: requests with new idempotency keys get 503 until keys expire",
			"keys_max", s.idem.maxTotalEntries, "bytes_max", s.idem.maxTotalBytes)
		return
	}
	s.cfg.logger.Warn("straddletest: idempotency keys forgotten before they expired: a retry with one runs again",
		"account", c.account, "keys_max", s.idem.maxEntries, "bytes_max", s.idem.maxBytes)
}

// fingerprint identifies the request an idempotency key is used for: its
// method, path and body, hashed without copying the body.
func fingerprint(r *http.Request, body []byte) [32]byte {
	var buf [128]byte
	b := append(buf[:0], r.Method...)
	b = append(b, '\n')
	b = append(b, r.URL.Path...)
	b = append(b, '\n')
	h := sha256.New()
	h.Write(b)
	h.Write(body)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// hashStrings returns the SHA-256 of the strings joined.
func hashStrings(parts ...string) [32]byte {
	var buf [256]byte
	b := buf[:0]
	for _, p := range parts {
		b = append(b, p...)
	}
	return sha256.Sum256(b)
}

func isWrite(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// wait sleeps for d, or until the server closes.
func (s *Server) wait(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
	}
}

// routeNotFound answers a method and path the API does not have: a bare 404
// without the error envelope, as a router gives, so that a client pointed at
// the wrong base URL cannot mistake it for a missing customer.
func routeNotFound() *response {
	return &response{
		status: http.StatusNotFound,
		header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}},
		body:   []byte("404 page not found\n"),
	}
}

// unauthorized is the service's 401: no body and no content type.
func unauthorized() *response {
	return &response{status: http.StatusUnauthorized, header: http.Header{}}
}

// checkResponse validates a response of ours against the spec and reports a
// violation.
func (s *Server) checkResponse(c *call, resp *response) {
	if !s.cfg.validate || c.ex == nil {
		return
	}
	if err := s.validator.ValidateResponse(context.Background(), c.ex, resp.status, resp.header, resp.body); err != nil {
		s.report(fmt.Sprintf("response %d to %s breaks the spec", resp.status, c.op), err)
	}
}

// report tells the attached test, or the logger at error level, that the
// emulator itself misbehaved.
func (s *Server) report(msg string, err error) {
	if t := s.cfg.t; t != nil {
		t.Errorf("straddletest: %s: %v", msg, err)
		return
	}
	s.cfg.logger.Error("straddletest: "+msg, "error", err.Error())
}

func writeResponse(w http.ResponseWriter, resp *response) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body)
}

func (s *Server) newMeta(now time.Time) meta {
	return meta{APIRequestID: newID(now), APIRequestTimestamp: formatTime(now)}
}

// encodeBuffers are the buffers jsonResponse encodes into, reused so that a
// response costs one allocation of its own size rather than a buffer grown
// by doubling.
var encodeBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer is the largest buffer kept for reuse: a page of customers
// can be a megabyte, which is not worth holding on to between lists.
const maxPooledBuffer = 64 << 10

// jsonResponse encodes v as a response body, of exactly its length (so that
// the idempotency cache can keep it as it is).
func jsonResponse(status int, v any) *response {
	buf := encodeBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("straddletest: encode response: %v", err))
	}
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	body := make([]byte, len(out))
	copy(body, out)
	if buf.Cap() <= maxPooledBuffer {
		encodeBuffers.Put(buf)
	}
	return &response{status: status, header: http.Header{"Content-Type": {jsonContentType}}, body: body}
}

// dataResponse wraps one object in the success envelope.
func (s *Server) dataResponse(c *call, status int, data any) *response {
	return jsonResponse(status, envelope{Meta: s.newMeta(c.now), ResponseType: "object", Data: data})
}

func (s *Server) errorResponse(c *call, e *apiError) *response {
	return jsonResponse(e.status, errorEnvelope{
		Meta:         s.newMeta(c.now),
		ResponseType: "error",
		Error:        errorBody{Status: e.status, Type: e.typ, Title: e.title, Detail: e.detail, Items: e.items},
	})
}
