package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/straddlekit/straddle-go/gen"
)

// Body size limits. Error bodies are only read for their envelope, so a
// runaway one (an HTML page, a proxy's dump) is cut short; success bodies get
// room for the largest page of customers (1,000 summaries, about 300 KB)
// many times over. What decoding builds from a body is bounded by its shape:
// see checkShape.
const (
	maxErrorBody   = 1 << 20
	maxSuccessBody = 4 << 20
)

// maxUncheckedBody is the size under which a 2xx body of one customer is
// decoded without checkShape, which would cost about 5 % of a get's own
// code: what decoding it builds is bounded by its size, 1 MiB at most
// (TestSmallCustomerBodiesAreBounded), far under what a checked body of
// 4 MiB may build. Pages are always checked: their limit of 1,000 items is
// within reach of a small body.
const maxUncheckedBody = 16 << 10

// operation names an API operation for the pipeline and the logs.
type operation struct {
	method string
	path   string // the spec's path template
	write  bool   // sends an Idempotency-Key
	single bool   // answers one customer: see maxUncheckedBody
}

// The operations of the customers API.
var (
	opCreateCustomer = operation{http.MethodPost, "/v1/customers", true, true}
	opListCustomers  = operation{http.MethodGet, "/v1/customers", false, false}
	opGetCustomer    = operation{http.MethodGet, "/v1/customers/{id}", false, true}
	opUpdateCustomer = operation{http.MethodPut, "/v1/customers/{id}", true, true}
	opDeleteCustomer = operation{http.MethodDelete, "/v1/customers/{id}", true, true}
	opGetUnmasked    = operation{http.MethodGet, "/v1/customers/{id}/unmasked", false, true}
	opGetReview      = operation{http.MethodGet, "/v1/customers/{id}/review", false, false}
	opDecideReview   = operation{http.MethodPatch, "/v1/customers/{id}/review", true, false}
	opRefreshReview  = operation{http.MethodPut, "/v1/customers/{id}/refresh_review", true, false}
)

// callState is one logical call's settings and progress, carried to the doer
// in the request context.
type callState struct {
	op         operation
	maxRetries int
	timeout    time.Duration // per attempt; 0 for none
	attempts   int
	last       attemptLog  // what the latest attempt leaves in the log; attempt 0 when none
	header     http.Header // the call's own headers, set by editHeader
	key        string      // the Idempotency-Key; "" for a read
	// decodes is set by Client.call, which decodes a 2xx: the doer then
	// leaves the record of a last attempt that got one to logDecoded, so
	// that its level says whether the body decoded. pending marks it held.
	decodes, pending bool
}

type stateKey struct{}

// stateFrom returns the call state in ctx, or a single-attempt default for a
// request that did not come through Client.call.
func stateFrom(ctx context.Context) *callState {
	if st, ok := ctx.Value(stateKey{}).(*callState); ok {
		return st
	}
	return &callState{op: operation{path: "unknown"}}
}

// sendFunc builds one operation's request with gen and hands it, with the
// header editor, to the gen client, whose doer is ours.
type sendFunc func(ctx context.Context, editor gen.RequestEditorFn) (*http.Response, error)

// callFor runs call for an operation whose data is a T and returns it.
func callFor[T any](ctx context.Context, c *Client, op operation, opts []RequestOption, send sendFunc) (*T, error) {
	var v T
	if err := c.call(ctx, op, opts, send, &v, nil); err != nil {
		return nil, err
	}
	return &v, nil
}

// call is the pipeline every operation goes through: apply the options, pick
// the idempotency key, send (with retries, in the doer), then decode the
// envelope's data (and meta, when asked) or build the *Error.
func (c *Client) call(ctx context.Context, op operation, opts []RequestOption, send sendFunc, data, meta any) error {
	cfg, err := newCallConfig(&c.defaults, opts)
	if err != nil {
		return err
	}
	st := &callState{op: op, maxRetries: *cfg.retries, timeout: *cfg.attemptTimeout, header: cfg.header, decodes: true}
	if op.write {
		st.key = cfg.idempotencyKey
		if st.key == "" {
			st.key = newIdempotencyKey()
		}
	}

	resp, err := send(context.WithValue(ctx, stateKey{}, st), editHeader)
	if cfg.response != nil {
		*cfg.response = Response{IdempotencyKey: st.key, Attempts: st.attempts}
		if err != nil {
			var redirect *RedirectError
			if errors.As(err, &redirect) {
				cfg.response.StatusCode = redirect.StatusCode
			}
		}
	}
	if err != nil {
		return fmt.Errorf("straddle: %s %s: %w", op.method, op.path, err)
	}
	body, readErr := responseBytes(resp)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr, m := newError(resp.StatusCode, resp.Header, body)
		cfg.response.fill(resp, m)
		return apiErr
	}
	m, err := decodeEnvelope(body, readErr, data, meta)
	cfg.response.fill(resp, m)
	if err != nil {
		err = newDecodeError(resp.StatusCode, m.RequestID, err)
	}
	c.doer.logDecoded(ctx, st, resp, err)
	return err
}

// editHeader is the request editor of every call: it adds the call's own
// headers and its Idempotency-Key, both kept in the call state, so a call
// builds no editor of its own.
func editHeader(ctx context.Context, req *http.Request) error {
	st, ok := ctx.Value(stateKey{}).(*callState)
	if !ok {
		return nil
	}
	for name, values := range st.header {
		req.Header[name] = values
	}
	if st.key != "" {
		req.Header["Idempotency-Key"] = []string{st.key}
	}
	return nil
}

// errNoData is the cause of a *DecodeError for an envelope without data.
var errNoData = errors.New("response has no data")

// decodeEnvelope decodes a 2xx body {"meta": ..., "response_type": ...,
// "data": ...}: data into data, and meta into meta when it is not nil. It
// returns the common meta, read as far as the body allows, for the response
// facts and errors.
//
// Customers and pages of summaries, the bulk of the traffic, are decoded in
// one pass over the body when they can be (decodeOnePass); otherwise, and for
// other data, through their wire forms, with data cut out of the envelope and
// decoded by its own UnmarshalJSON for the rest.
func decodeEnvelope(body []byte, readErr error, data, meta any) (wireMeta, error) {
	if readErr == nil {
		if m, ok := decodeOnePass(body, data, meta); ok {
			return m, nil
		}
	}
	return decodeLongWay(body, readErr, data, meta)
}

// decodeLongWay is decodeEnvelope without the one-pass shortcut: it decides
// exactly what every body decodes to, or which error it gives.
func decodeLongWay(body []byte, readErr error, data, meta any) (wireMeta, error) {
	switch d := data.(type) {
	case nil: // a raw call that discards the data
		return readMeta(body), readErr
	case *Customer:
		w, m, err := decodeWire[customerWire](body, readErr, meta)
		if w != nil {
			*d = *w.customer()
		}
		return m, err
	case *UnmaskedCustomer:
		w, m, err := decodeWire[unmaskedWire](body, readErr, meta)
		if w != nil {
			*d = *w.customer()
		}
		return m, err
	case *[]CustomerSummary:
		w, m, err := decodeWire[[]summaryWire](body, readErr, meta)
		if w != nil {
			*d = customerSummaries(*w)
		}
		return m, err
	}
	raw, m, err := decodeWire[json.RawMessage](body, readErr, meta)
	if err == nil {
		err = json.Unmarshal(*raw, data)
	}
	return m, err
}

// finisher is a wire form that completes its decoding after the pass over
// the body, such as a customer choosing its compliance profile member by its
// type, which may come later in the object than the profile.
type finisher interface {
	finish() error
}

// decodeWire decodes the envelope with its data as a T in one pass, then
// meta into meta when it is not nil. The T is nil when there is no data or
// it does not decode; a T whose finish fails is returned with the error.
func decodeWire[T any](body []byte, readErr error, meta any) (*T, wireMeta, error) {
	var env struct {
		Meta json.RawMessage `json:"meta"`
		Data *T              `json:"data"`
	}
	if readErr != nil {
		return nil, readMeta(body), readErr
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, readMeta(body), err
	}
	var m wireMeta
	_ = json.Unmarshal(env.Meta, &m)
	if env.Data == nil {
		return nil, m, errNoData
	}
	if f, ok := any(env.Data).(finisher); ok {
		if err := f.finish(); err != nil {
			return env.Data, m, err
		}
	}
	if meta != nil {
		if err := json.Unmarshal(env.Meta, meta); err != nil {
			return env.Data, m, fmt.Errorf("meta: %w", err)
		}
	}
	return env.Data, m, nil
}

// doer sends the requests gen builds: it adds the credentials, runs the
// attempts (see Do in retry.go), reads each body under a size limit and logs.
type doer struct {
	transport http.RoundTripper // refuseRedirects over the caller's or the shared transport
	hcTimeout time.Duration     // the Timeout of the caller's http.Client; 0 for none
	auth      *credential       // "Bearer " and the API key; a pointer, so that even fmt of a doer prints an address
	authValue func() []string   // the Authorization header's values, built once (authValues); a func, for the same reason
	userAgent []string          // the User-Agent header's values, built once
	logger    *slog.Logger

	// Injected in tests to make waits instant and jitter predictable.
	sleep  func(context.Context, time.Duration) error
	jitter func(time.Duration) time.Duration
	now    func() time.Time
}

// authorize sets the credentials and the User-Agent on req, once per call:
// every attempt sends the same header. The values are the client's, shared
// by its calls and never changed: a RoundTripper must not modify the request.
func (d *doer) authorize(req *http.Request) {
	req.Header["Authorization"] = d.authValue()
	req.Header["User-Agent"] = d.userAgent
}

// authValues returns the function that gives the Authorization header's
// values for auth, built once.
func authValues(auth *credential) func() []string {
	v := []string{auth.reveal()}
	return func() []string { return v }
}

// attempt sends req once, under the per-attempt timeout, and returns the
// response with its body read into memory (a body that failed part-way keeps
// its bytes and then returns the read error). The first attempt sends req's
// body; later ones a fresh copy from GetBody. The transport may not deliver
// the request twice (see sendOnce): an attempt is one delivery at most.
func (d *doer) attempt(ctx context.Context, req *http.Request, st *callState, n int) (*http.Response, error) {
	var cancel context.CancelFunc
	if timeout := attemptTimeout(st.timeout, d.hcTimeout); timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	ctx, once := withSendOnce(ctx, cancel)
	r := req.WithContext(ctx)
	if n > 1 && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = body
	}

	log := attemptLog{method: req.Method, path: st.op.path, attempt: n}
	start := time.Now()
	resp, err := d.roundTrip(r)
	if err != nil {
		// Declared here, not above: errors.As makes it escape, and a
		// successful attempt should not pay for that.
		var redirect *RedirectError
		if errors.As(err, &redirect) {
			log.status, log.duration = redirect.StatusCode, time.Since(start)
			st.last = log
			return nil, redirect
		}
		if once.stopped.Load() {
			err = &url.Error{Op: req.Method, URL: req.URL.String(), Err: errConnectionLost}
		}
		log.err, log.duration = withoutQuery(err), time.Since(start)
		st.last = log
		return nil, log.err
	}
	body, readErr := readBodyOf(resp, st.op.single)
	log.status, log.duration = resp.StatusCode, time.Since(start)
	if d.logger != nil {
		log.requestID = readMeta(body).RequestID
	}
	if readErr != nil && ctx.Err() != nil {
		// The attempt ran out (or the call was cancelled) while reading:
		// a transport failure, not a malformed response.
		log.err = fmt.Errorf("read response body: %w", ctx.Err())
		st.last = log
		return nil, log.err
	}
	st.last = log
	buffered := &bufferedBody{data: body, err: readErr}
	buffered.Reset(body)
	resp.Body = buffered
	return resp, nil
}

// roundTrip sends r through the transport once. Its errors are *url.Error,
// as http.Client's are.
func (d *doer) roundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.transport.RoundTrip(r)
	if err == nil && resp == nil {
		err = errors.New("the transport returned neither a response nor an error")
	}
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		var redirect *RedirectError
		if errors.As(err, &redirect) {
			return nil, redirect
		}
		return nil, &url.Error{Op: urlErrorOp(r.Method), URL: r.URL.String(), Err: err}
	}
	return resp, nil
}

// urlErrorOp is the Op of a *url.Error for method, as http.Client writes it.
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// attemptTimeout is the bound of one attempt: the shorter of the two that
// are set, or 0 when neither is.
func attemptTimeout(call, hc time.Duration) time.Duration {
	switch {
	case call <= 0:
		return hc
	case hc <= 0:
		return call
	}
	return min(call, hc)
}

// readBody reads and closes resp.Body, keeping at most the limit for its
// status. A 2xx body over the limit is an error; an error body over it is
// cut short (its envelope will not parse, and the status is enough).
func readBody(resp *http.Response) ([]byte, error) { return readBodyOf(resp, false) }

// readBodyOf is readBody, leaving out the shape check of a 2xx body under
// maxUncheckedBody when single says the body is one customer.
func readBodyOf(resp *http.Response, single bool) ([]byte, error) {
	defer resp.Body.Close()
	limit := int64(maxErrorBody)
	success := resp.StatusCode >= 200 && resp.StatusCode <= 299
	if success {
		limit = maxSuccessBody
	}
	body, err := readAll(resp.Body, min(resp.ContentLength, limit), limit+1)
	if int64(len(body)) > limit {
		body = body[:limit]
		if success {
			return body, errBodyTooLarge
		}
	}
	if err != nil {
		return body, err
	}
	if single && success && len(body) < maxUncheckedBody {
		return body, nil
	}
	if err := checkShape(body); err != nil {
		if success {
			return body, err
		}
		return nil, nil // not the service's error envelope: the status alone speaks
	}
	return body, nil
}

// readAll reads r to the end like io.ReadAll, but no more than n bytes (as
// through an io.LimitedReader, without allocating one), into a buffer sized
// for the expected length (the Content-Length, or -1 when unknown), so a body
// of the announced size is read with one allocation and no copying. The extra
// byte lets the read that sees the end of the body find room.
func readAll(r io.Reader, expected, n int64) ([]byte, error) {
	b := make([]byte, 0, max(expected+1, 512))
	for {
		end := cap(b)
		if int64(end) > n {
			end = int(n)
		}
		if len(b) >= end {
			return b, nil // n bytes read: the limit, as io.LimitedReader's EOF
		}
		m, err := r.Read(b[len(b):end])
		b = b[:len(b)+m]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) && int64(len(b)) < n {
			// Double, so that a body of unknown length costs at most about
			// twice its size in all, but not past what the limit lets through.
			b = slices.Grow(b, int(min(int64(cap(b)), n-int64(len(b)))))
		}
	}
}

// bufferedBody is a response body already read into memory. Read returns the
// bytes, then the error that cut the original short, if any.
type bufferedBody struct {
	bytes.Reader
	data []byte
	err  error
}

func (b *bufferedBody) Read(p []byte) (int, error) {
	n, err := b.Reader.Read(p)
	if err == io.EOF && b.err != nil {
		return n, b.err
	}
	return n, err
}

func (b *bufferedBody) Close() error { return nil }

// bufferedBytes returns the bytes of a body the doer read, or nil.
func bufferedBytes(resp *http.Response) []byte {
	if b, ok := resp.Body.(*bufferedBody); ok {
		return b.data
	}
	return nil
}

// responseBytes returns the body of resp and the error that cut it short:
// what the doer read, without copying, or else all of resp.Body.
func responseBytes(resp *http.Response) ([]byte, error) {
	if b, ok := resp.Body.(*bufferedBody); ok {
		return b.data, b.err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// withoutQuery drops the query string (filters may hold names or emails) and
// any user info from the URL in a transport error, keeping its type.
func withoutQuery(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	clean := *ue
	clean.URL = ""
	if u, perr := url.Parse(ue.URL); perr == nil {
		u.RawQuery, u.ForceQuery, u.Fragment, u.User = "", false, "", nil
		clean.URL = u.String()
	}
	return &clean
}
