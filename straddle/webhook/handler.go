package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
)

// DefaultMaxBodyBytes is the largest body a Handler reads unless told
// otherwise: customer events are a few kilobytes.
const DefaultMaxBodyBytes = 1 << 20

// RetryAfterInProgress is the Retry-After, in seconds, of the 503 that
// answers a delivery whose event is being processed by another delivery.
const RetryAfterInProgress = 5

// Why a Handler did not answer 2xx, or could not record a success. Each is
// wrapped by the Err of the *DeliveryError given to the error func, beside
// the *VerificationError or *DecodeError for a 400.
var (
	ErrMethodNotAllowed = errors.New("method not allowed: webhooks are POSTed")
	ErrBodyTooLarge     = errors.New("body larger than the limit")
	ErrReadBody         = errors.New("could not read the body")
	ErrInProgress       = errors.New("another delivery of this event is being processed")
	ErrFuncFailed       = errors.New("the event function failed")
	ErrDeduplication    = errors.New("the deduplicator failed")
)

// DeliveryError describes a delivery the Handler did not accept, or
// accepted but could not record as done: the status it answered and why.
// It never holds the body, a signature or a secret; Err may hold the error
// your function or your Deduplicator returned, or your function's panic (a
// *PanicError).
type DeliveryError struct {
	// Status is the HTTP status answered.
	Status int
	// EventID and EventType are set once the body was verified and decoded.
	EventID   string
	EventType EventType
	// Err says why.
	Err error
}

// Error describes the outcome.
func (e *DeliveryError) Error() string {
	msg := "webhook: answered " + strconv.Itoa(e.Status)
	if e.EventID != "" {
		msg += " to event " + e.EventID + " (" + string(e.EventType) + ")"
	}
	return msg + ": " + e.Err.Error()
}

// Unwrap returns Err.
func (e *DeliveryError) Unwrap() error { return e.Err }

// Handler is an http.Handler that receives Straddle's webhooks: it reads the
// body (up to a limit), verifies its signature, decodes the event, skips an
// event already processed, and calls your function with the request's
// context. Its answers tell the sender what to do next:
//
//	200  the function succeeded, or the event was processed before (a duplicate)
//	400  the signature or the body is bad (*VerificationError, *DecodeError): a
//	     retry would fail the same way
//	405  not a POST
//	413  the body is over the limit (WithMaxBodyBytes)
//	500  the function returned an error or panicked (a *PanicError), or the
//	     Deduplicator failed: the sender retries later
//	503  another delivery of the same event is being processed right now; a
//	     Retry-After header says when to try again
//
// Straddle's sender retries any answer other than 2xx on its schedule (5
// seconds, then minutes, then hours), so the codes above matter for your
// logs and alerts more than for the retries themselves.
//
// Build one with NewHandler; the zero Handler is not usable.
//
// The function is called at most once per event at a time, and is not
// called again once it succeeded for that event while the Deduplicator
// remembers it. It should finish well within 15 seconds, the sender's
// timeout; do slow work after answering, or make it idempotent.
type Handler struct {
	verifier  *Verifier
	fn        func(context.Context, *Event) error
	dedup     Deduplicator
	maxBody   int64
	errorFunc func(*http.Request, *DeliveryError)
}

// Option configures a Handler.
type Option func(*Handler) error

// WithMaxBodyBytes sets the largest body the Handler reads (default
// DefaultMaxBodyBytes); a larger one is answered 413 without being read
// whole. n must be positive.
func WithMaxBodyBytes(n int64) Option {
	return func(h *Handler) error {
		if n < 1 {
			return errors.New("webhook: WithMaxBodyBytes: the limit must be positive")
		}
		h.maxBody = n
		return nil
	}
}

// WithDeduplicator replaces the default in-memory Deduplicator, for example
// with one backed by a store every replica of your service shares.
func WithDeduplicator(d Deduplicator) Option {
	return func(h *Handler) error {
		if d == nil {
			return errors.New("webhook: WithDeduplicator: nil Deduplicator (use WithoutDeduplication to turn it off)")
		}
		h.dedup = d
		return nil
	}
}

// WithoutDeduplication turns de-duplication off: every delivery that
// verifies runs the function, duplicates and concurrent ones included. Use
// it when the function is idempotent on its own.
func WithoutDeduplication() Option {
	return func(h *Handler) error {
		h.dedup = nil
		return nil
	}
}

// WithErrorFunc sets a function called with every delivery answered other
// than 2xx, and with every success the Deduplicator failed to record, for
// logging or metrics. It runs before the answer is written and must not
// write to the response. Without it the Handler reports nothing.
func WithErrorFunc(fn func(r *http.Request, err *DeliveryError)) Option {
	return func(h *Handler) error {
		h.errorFunc = fn
		return nil
	}
}

// NewHandler returns a Handler that verifies deliveries with v and passes
// each new event to fn. Unless an option says otherwise, it reads at most
// DefaultMaxBodyBytes and de-duplicates with a MemoryDeduplicator of the
// default size.
func NewHandler(v *Verifier, fn func(ctx context.Context, ev *Event) error, opts ...Option) (*Handler, error) {
	if v == nil {
		return nil, errors.New("webhook: NewHandler: nil Verifier")
	}
	if fn == nil {
		return nil, errors.New("webhook: NewHandler: nil function")
	}
	dedup, err := NewMemoryDeduplicator(0, 0)
	if err != nil {
		return nil, err
	}
	h := &Handler{verifier: v, fn: fn, dedup: dedup, maxBody: DefaultMaxBodyBytes}
	for _, opt := range opts {
		if err := opt(h); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, r, &DeliveryError{Status: http.StatusMethodNotAllowed, Err: ErrMethodNotAllowed}, ErrMethodNotAllowed.Error())
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, ErrBodyTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		h.fail(w, r, &DeliveryError{Status: status, Err: err}, err.Error())
		return
	}
	ev, err := h.verifier.VerifyEvent(r.Header, body)
	if err != nil {
		// Both error types are value-free, so the sender may see them.
		h.fail(w, r, &DeliveryError{Status: http.StatusBadRequest, Err: err}, err.Error())
		return
	}
	fail := func(status int, err error, answer string) {
		h.fail(w, r, &DeliveryError{Status: status, EventID: ev.ID, EventType: ev.Type, Err: err}, answer)
	}
	ctx := r.Context()
	if h.dedup != nil {
		res, err := h.dedup.Claim(ctx, ev.ID)
		switch {
		case err != nil:
			fail(http.StatusInternalServerError, fmt.Errorf("%w: claim: %w", ErrDeduplication, err), "webhook: could not check for a duplicate")
			return
		case res == AlreadyDone:
			w.WriteHeader(http.StatusOK)
			return
		case res == InProgress:
			w.Header().Set("Retry-After", strconv.Itoa(RetryAfterInProgress))
			fail(http.StatusServiceUnavailable, ErrInProgress, "webhook: "+ErrInProgress.Error())
			return
		case res != Claimed:
			fail(http.StatusInternalServerError, fmt.Errorf("%w: claim: %v", ErrDeduplication, res), "webhook: could not check for a duplicate")
			return
		}
	}
	if err := h.run(ctx, ev); err != nil {
		if h.dedup != nil {
			if rerr := h.dedup.Release(context.WithoutCancel(ctx), ev.ID); rerr != nil {
				err = errors.Join(err, fmt.Errorf("%w: release: %w", ErrDeduplication, rerr))
			}
		}
		// The function's error is the user's, and may say anything: it goes
		// to the error func, not to the sender.
		fail(http.StatusInternalServerError, fmt.Errorf("%w: %w", ErrFuncFailed, err), "webhook: "+ErrFuncFailed.Error())
		return
	}
	if h.dedup != nil {
		if err := h.dedup.Done(context.WithoutCancel(ctx), ev.ID); err != nil {
			// Processed, so not to be retried; only a later duplicate may
			// run the function again.
			h.report(r, &DeliveryError{Status: http.StatusOK, EventID: ev.ID, EventType: ev.Type,
				Err: fmt.Errorf("%w: done: %w", ErrDeduplication, err)})
		}
	}
	w.WriteHeader(http.StatusOK)
}

// run calls the function, turning a panic into a *PanicError, so that the
// claim is released and the sender answered 500 as for an error. A panic
// with http.ErrAbortHandler goes on to net/http, which aborts the response
// as that value asks, after the claim is released.
func (h *Handler) run(ctx context.Context, ev *Event) (err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		if p == http.ErrAbortHandler {
			if h.dedup != nil {
				_ = h.dedup.Release(context.WithoutCancel(ctx), ev.ID)
			}
			panic(p)
		}
		err = &PanicError{Value: p, Stack: debug.Stack()}
	}()
	return h.fn(ctx, ev)
}

// PanicError is a panic of the event function, recovered by the Handler,
// which answers 500 and passes it to the error func wrapped, like a returned
// error, in ErrFuncFailed.
type PanicError struct {
	// Value is what the function panicked with.
	Value any
	// Stack is the panicking goroutine's stack trace.
	Stack []byte
}

// Error describes the panic with its value, as net/http logs one; the stack
// is left to Stack.
func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// maxInitialRead bounds the buffer readBody sizes from Content-Length: the
// header is the unverified sender's word, and a customer event fits in it
// many times over.
const maxInitialRead = 64 << 10

// readBody reads the whole body, at most maxBody bytes, in one allocation
// when the sender gave a length of at most maxInitialRead; a longer body
// grows its buffer as it arrives, so a sender declaring a large body it does
// not send makes no large allocation.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.ContentLength > h.maxBody {
		return nil, fmt.Errorf("%w (%d bytes)", ErrBodyTooLarge, h.maxBody)
	}
	size := int64(4096)
	if r.ContentLength >= 0 {
		size = r.ContentLength + 1 // room to see io.EOF without growing
	}
	body := make([]byte, 0, min(size, h.maxBody+1, maxInitialRead))
	rd := http.MaxBytesReader(w, r.Body, h.maxBody)
	for {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)]
		}
		n, err := rd.Read(body[len(body):cap(body)])
		body = body[:len(body)+n]
		if err == io.EOF {
			return body, nil
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, fmt.Errorf("%w (%d bytes)", ErrBodyTooLarge, h.maxBody)
			}
			return nil, fmt.Errorf("%w: %w", ErrReadBody, err)
		}
	}
}

// fail reports err and answers its status with a short plain-text message.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err *DeliveryError, answer string) {
	h.report(r, err)
	http.Error(w, answer, err.Status)
}

func (h *Handler) report(r *http.Request, err *DeliveryError) {
	if h.errorFunc != nil {
		h.errorFunc(r, err)
	}
}
