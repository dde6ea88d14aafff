package straddletest

import (
	"bufio"
	"cmp"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// FaultKind is a way for a request to fail.
type FaultKind int

// The faults a Server can inject. Each says whether the server acts on the
// request (creates, changes or deletes the customer) before failing it.
const (
	// FaultStatus answers Fault.Status without acting, with the service's error
	// envelope for that status, or Fault.Body with Fault.ContentType (an HTML
	// 502, say), and a Retry-After header when Fault.RetryAfter is set.
	FaultStatus FaultKind = iota + 1
	// FaultReset resets the connection (TCP RST, the client sees "connection
	// reset by peer") without acting or answering.
	FaultReset
	// FaultDropAfter acts on the request, then closes the connection without
	// answering (the client sees EOF): the customer really is created, and a
	// retry with the same idempotency key gets the replayed response.
	FaultDropAfter
	// FaultDelay holds the request for Fault.Delay, then acts and answers with
	// the real response (checked against the spec, and not marked). Its
	// idempotency key is taken for the whole wait, so an identical retry meanwhile
	// gets the in-progress 409. The wait ends early when the server closes.
	FaultDelay
	// FaultTruncate acts, then sends the real response's headers with the full
	// Content-Length but only Fault.TruncateAt bytes of the body (half by
	// default), and closes the connection.
	FaultTruncate
	// FaultInvalidJSON answers Fault.Status (200 by default) with a JSON content
	// type and a body that is not JSON, without acting.
	FaultInvalidJSON
	// FaultInProgress answers the 409 "Previous identical request currently in
	// progress." without acting.
	FaultInProgress
	// FaultKeyReused answers the 409 "Idempotency key already used for a
	// different request." without acting.
	FaultKeyReused
	// FaultUnauthorized answers 401 with no body, as for a bad key, without acting.
	FaultUnauthorized
)

var faultNames = map[FaultKind]string{
	FaultStatus: "status", FaultReset: "reset", FaultDropAfter: "drop-after", FaultDelay: "delay",
	FaultTruncate: "truncate", FaultInvalidJSON: "invalid-json", FaultInProgress: "in-progress",
	FaultKeyReused: "key-reused", FaultUnauthorized: "unauthorized",
}

// String names the kind, as the Straddletest-Fault header of injected
// responses does.
func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault makes the next matching requests fail. Responses of injected faults
// (but for FaultDelay's, which are real) are not checked against the spec, and
// carry a Straddletest-Fault header naming the kind, so that client-side
// validators can skip them. A response stored for idempotent replay never
// carries it.
type Fault struct {
	Kind FaultKind
	// Match selects the requests: an Operation (OpCreateCustomer), or a method
	// and path template of the spec ("POST /v1/customers",
	// "GET /v1/customers/{id}"). Empty matches every request; an unknown name
	// makes Inject panic.
	Match Operation
	// Times is how many matching requests fail; 0 means 1.
	Times int
	// Status is the status of FaultStatus (required) and FaultInvalidJSON.
	Status int
	// RetryAfter, when set, is sent as the Retry-After header of FaultStatus.
	RetryAfter string
	// Body and ContentType replace the JSON error envelope of FaultStatus, or
	// the broken JSON of FaultInvalidJSON.
	Body        []byte
	ContentType string
	// Delay is how long FaultDelay holds the request.
	Delay time.Duration
	// TruncateAt is how many body bytes FaultTruncate sends (it always keeps at
	// least one byte back); 0 means half.
	TruncateAt int
}

// Inject queues a fault. Faults apply in the order injected: each
// authenticated request takes the first queued fault that matches it (a
// request refused for its API key or its account takes none). Inject
// panics on a fault that cannot apply (an unknown kind or operation, a
// FaultStatus without a status, a FaultDelay without a delay).
func (s *Server) Inject(f Fault) {
	if err := s.checkFault(&f); err != nil {
		panic("straddletest: Inject: " + err.Error())
	}
	s.faults.push(&f)
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// PendingFaults returns how many injected failures have not happened yet.
func (s *Server) PendingFaults() int { return s.faults.pending() }

func (s *Server) checkFault(f *Fault) error {
	if _, ok := faultNames[f.Kind]; !ok {
		return fmt.Errorf("unknown fault kind %d", int(f.Kind))
	}
	if f.Match != "" {
		op, err := s.resolve(f.Match)
		if err != nil {
			return fmt.Errorf("the match: %w", err)
		}
		f.Match = op
	}
	switch {
	case f.Times < 0:
		return fmt.Errorf("negative Times")
	case f.Kind == FaultStatus && f.Status == 0:
		return fmt.Errorf("FaultStatus needs a Status")
	case f.Status != 0 && (f.Status < 100 || f.Status > 999):
		return fmt.Errorf("status %d is not an HTTP status", f.Status)
	case f.Kind == FaultDelay && f.Delay <= 0:
		return fmt.Errorf("FaultDelay needs a Delay")
	}
	if f.Times == 0 {
		f.Times = 1
	}
	return nil
}

// operationRoutes maps each operationId of the spec to "METHOD /template".
func operationRoutes() (map[Operation]string, error) {
	doc, err := contract.Load()
	if err != nil {
		return nil, err
	}
	routes := map[Operation]string{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for method, op := range doc.Paths.Value(path).Operations() {
			routes[Operation(op.OperationID)] = method + " " + path
		}
	}
	return routes, nil
}

// faultQueue holds injected faults with the failures each has left.
type faultQueue struct {
	mu     sync.Mutex
	faults []*Fault
}

func (q *faultQueue) push(f *Fault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = append(q.faults, f)
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.faults = nil
}

func (q *faultQueue) pending() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for _, f := range q.faults {
		n += f.Times
	}
	return n
}

// take consumes one failure of the first fault matching a request routed to
// op (Inject resolved each Match to an operationId), and returns a copy of
// that fault, or nil.
func (q *faultQueue) take(op Operation) *Fault {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, f := range q.faults {
		if f.Match != "" && f.Match != op {
			continue
		}
		taken := *f
		if f.Times--; f.Times == 0 {
			q.faults = append(q.faults[:i:i], q.faults[i+1:]...)
		}
		return &taken
	}
	return nil
}

// faultHeader marks injected responses.
const faultHeader = "Straddletest-Fault"

// serveFault fails the request as f says. It returns the status sent (0 when
// none was) and whether the connection was taken over.
func (s *Server) serveFault(w http.ResponseWriter, c *call, f *Fault) (int, bool) {
	var resp *response
	switch f.Kind {
	case FaultStatus:
		resp = s.statusFault(c, f)
	case FaultInvalidJSON:
		body := f.Body
		if body == nil {
			body = []byte(`{"meta":{"api_request_id":"` + newID(c.now) + `"},"response_type":"object","data":{"id":`)
		}
		resp = &response{status: cmp.Or(f.Status, http.StatusOK), header: http.Header{"Content-Type": {cmp.Or(f.ContentType, jsonContentType)}}, body: body}
	case FaultInProgress:
		resp = s.errorResponse(c, newAPIError(http.StatusConflict, detailInProgress))
	case FaultKeyReused:
		resp = s.errorResponse(c, newAPIError(http.StatusConflict, detailKeyReused))
	case FaultUnauthorized:
		resp = unauthorized()
	case FaultReset:
		conn, _ := hijack(w)
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
		_ = conn.Close()
		return 0, true
	case FaultDelay:
		resp = s.process(c, f.Delay)
		s.checkResponse(c, resp)
		writeResponse(w, resp)
		return resp.status, false
	case FaultDropAfter:
		resp = s.process(c, 0)
		s.checkResponse(c, resp)
		conn, _ := hijack(w)
		_ = conn.Close()
		return 0, true
	case FaultTruncate:
		resp = s.process(c, 0)
		s.checkResponse(c, resp)
		n := f.TruncateAt
		if n <= 0 {
			n = len(resp.body) / 2
		}
		n = max(0, min(n, len(resp.body)-1))
		conn, rw := hijack(w)
		writeRaw(rw.Writer, resp.marked(f.Kind), n)
		_ = conn.Close()
		return resp.status, true
	}
	resp = resp.marked(f.Kind)
	writeResponse(w, resp)
	return resp.status, false
}

// marked returns a copy of r carrying the fault header; r itself may be the
// response stored for idempotent replay, which must stay as it was.
func (r *response) marked(k FaultKind) *response {
	h := r.header.Clone()
	h.Set(faultHeader, k.String())
	return &response{status: r.status, header: h, body: r.body}
}

func (s *Server) statusFault(c *call, f *Fault) *response {
	var resp *response
	if f.Body != nil {
		ct := f.ContentType
		if ct == "" {
			ct = http.DetectContentType(f.Body)
		}
		resp = &response{status: f.Status, header: http.Header{"Content-Type": {ct}}, body: f.Body}
	} else {
		resp = s.errorResponse(c, newAPIError(f.Status, ""))
		resp.status = f.Status
	}
	if f.RetryAfter != "" {
		resp.header.Set("Retry-After", f.RetryAfter)
	}
	return resp
}

// hijack takes the connection over from the HTTP server. Where it cannot
// (HTTP/2, a ResponseRecorder), the handler aborts instead.
func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	return conn, rw
}

// writeRaw writes resp's status line and headers (with the full
// Content-Length) and the first n bytes of its body.
func writeRaw(bw *bufio.Writer, resp *response, n int) {
	h := resp.header.Clone()
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", resp.status, strings.TrimSpace(http.StatusText(resp.status)))
	_ = h.Write(bw)
	_, _ = bw.WriteString("\r\n")
	_, _ = bw.Write(resp.body[:n])
	_ = bw.Flush()
}
