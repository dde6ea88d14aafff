package straddletest

import (
	"net/http"
	"slices"
	"sync"
	"time"
)

// RecordedRequest is a request the server received, as it received it. This is
// a test tool: Body holds whatever the client sent, personal data included
// (SSN, date of birth, EIN, IP address), so do not log it. The API key is
// redacted from the Authorization header.
type RecordedRequest struct {
	Method   string
	Path     string
	RawQuery string
	// OperationID is the operation the request was routed to, or "" if none.
	OperationID Operation
	Header      http.Header
	Body        []byte
	// Time is when it arrived, by the server's clock.
	Time time.Time
	// Fault is the fault injected into it, or 0.
	Fault FaultKind
}

// IdempotencyKey returns the request's Idempotency-Key header.
func (r RecordedRequest) IdempotencyKey() string { return r.Header.Get("Idempotency-Key") }

// What the server keeps for Requests: the latest maxRecorded requests, and no
// more than maxRecordedBytes of their bodies, headers, paths and queries
// together, dropping the oldest first. Counts are kept for all.
const (
	maxRecorded      = 10000
	maxRecordedBytes = 64 << 20
)

type recorder struct {
	mu       sync.Mutex
	off      bool // WithRecording(false): counts only
	maxCount int
	maxBytes int
	requests []RecordedRequest
	bytes    int // the size of requests, by recordSize
	counts   map[Operation]int
	total    int
}

func newRecorder(enabled bool) *recorder {
	return &recorder{off: !enabled, maxCount: maxRecorded, maxBytes: maxRecordedBytes}
}

// count counts a request that is not recorded: one refused before it was
// routed (op ""), or one whose body was cut short.
func (rc *recorder) count(op Operation) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if op != "" {
		if rc.counts == nil {
			rc.counts = map[Operation]int{}
		}
		rc.counts[op]++
	}
	rc.total++
}

// add counts an authenticated request and, unless recording is off, keeps it.
func (rc *recorder) add(r *http.Request, c *call, f *Fault) {
	rc.mu.Lock()
	if rc.counts == nil {
		rc.counts = map[Operation]int{}
	}
	rc.counts[c.op]++
	rc.total++
	off := rc.off
	rc.mu.Unlock()
	if off {
		return
	}

	h := r.Header.Clone()
	if h.Get("Authorization") != "" {
		h.Set("Authorization", "Bearer [REDACTED]")
	}
	rec := RecordedRequest{
		Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, OperationID: c.op,
		Header: h, Body: c.body, Time: c.now,
	}
	if f != nil {
		rec.Fault = f.Kind
	}
	size := recordSize(&rec)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.requests = append(rc.requests, rec)
	rc.bytes += size
	drop := 0
	for len(rc.requests)-drop > rc.maxCount || (rc.bytes > rc.maxBytes && drop < len(rc.requests)-1) {
		rc.bytes -= recordSize(&rc.requests[drop])
		rc.requests[drop] = RecordedRequest{} // let go of its body now
		drop++
	}
	if drop > 0 {
		rc.requests = rc.requests[drop:]
	}
}

// recordSize is what a recorded request weighs against maxRecordedBytes.
func recordSize(rec *RecordedRequest) int {
	n := len(rec.Method) + len(rec.Path) + len(rec.RawQuery) + len(rec.Body)
	for k, vs := range rec.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4 // ": " and CRLF, as on the wire
		}
	}
	return n
}

// Requests returns the requests received, oldest first: the latest 10,000 at
// most, holding no more than 64 MiB of bodies, headers, paths and queries
// together (older ones are dropped first). A request refused from its headers
// is not read, and so not recorded: one without an accepted API key (401, or
// 400 for two Authorization headers), or for an account its key may not act
// for (403, or 400 for a malformed Straddle-Account-Id). Nor is one whose
// body was cut short. RequestCount counts them all. With WithRecording(false) nothing is
// kept and Requests returns nil. See RecordedRequest about the personal data
// their bodies hold.
func (s *Server) Requests() []RecordedRequest {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	return slices.Clone(s.recorder.requests)
}

// RequestCount returns how many authenticated requests were routed to op (an
// Operation constant such as OpCreateCustomer, or a method and path template
// such as "POST /v1/customers"); "" counts every request received, those
// refused for their API key included. It panics on a name that is neither,
// so that a typo cannot make a test check nothing. Counts are kept whether
// or not requests are recorded.
func (s *Server) RequestCount(op Operation) int {
	if op != "" {
		op = s.mustResolve("RequestCount", op)
	}
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	if op == "" {
		return s.recorder.total
	}
	return s.recorder.counts[op]
}

// ClearRequests forgets the requests received so far and resets the counts.
func (s *Server) ClearRequests() {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	s.recorder.requests, s.recorder.bytes, s.recorder.counts, s.recorder.total = nil, 0, nil, 0
}
