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

// maxRecorded is how many requests the server keeps for Requests; counts are
// kept for all.
const maxRecorded = 10000

type recorder struct {
	mu       sync.Mutex
	requests []RecordedRequest
	counts   map[Operation]int
	total    int
}

func (rc *recorder) add(r *http.Request, c *call, f *Fault) {
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
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.counts == nil {
		rc.counts = map[Operation]int{}
	}
	rc.counts[c.op]++
	rc.total++
	if len(rc.requests) >= maxRecorded {
		rc.requests = slices.Delete(rc.requests, 0, maxRecorded/2)
	}
	rc.requests = append(rc.requests, rec)
}

// Requests returns the requests received, oldest first (the latest 10,000 at
// most). See RecordedRequest about the personal data their bodies hold.
func (s *Server) Requests() []RecordedRequest {
	s.recorder.mu.Lock()
	defer s.recorder.mu.Unlock()
	return slices.Clone(s.recorder.requests)
}

// RequestCount returns how many requests were routed to op (an Operation
// constant such as OpCreateCustomer, or a method and path template such as
// "POST /v1/customers"); "" counts every request. It panics on a name that
// is neither, so that a typo cannot make a test check nothing.
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
	s.recorder.requests, s.recorder.counts, s.recorder.total = nil, nil, 0
}
