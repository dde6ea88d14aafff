// Package contract checks HTTP traffic against the embedded OpenAPI document
// with kin-openapi. The client's tests and the straddletest emulator share it,
// so both sides of every exchange are held to the same spec.
package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/straddlekit/straddle-go/api"
)

// The format validators, compiled once: FormatOptions runs for every event
// and seeded customer validated, and compiling the patterns each time cost
// more than the validation.
var (
	uuidFormat  = openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)
	emailFormat = openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail)
	ipv4Format  = openapi3.NewIPValidator(true)
)

// FormatOptions register the string formats kin-openapi leaves unchecked by
// default (uuid, email, ipv4), so that a malformed id or address fails validation.
func FormatOptions() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidator("uuid", uuidFormat),
		openapi3.WithStringFormatValidator("email", emailFormat),
		openapi3.WithStringFormatValidator("ipv4", ipv4Format),
	}
}

var (
	loadOnce sync.Once
	loaded   *openapi3.T
	loadErr  error
)

// Load parses and validates the embedded spec once and returns it. Callers must
// not modify the document.
func Load() (*openapi3.T, error) {
	loadOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPI)
		if err != nil {
			loadErr = fmt.Errorf("contract: load spec: %w", err)
			return
		}
		if err := doc.Validate(loader.Context, openapi3.EnableSchemaFormatValidation()); err != nil {
			loadErr = fmt.Errorf("contract: invalid spec: %w", err)
			return
		}
		loaded = doc
	})
	return loaded, loadErr
}

// Validator matches requests to operations and checks requests and responses
// against the spec. It is safe for concurrent use.
type Validator struct {
	router routers.Router
	opts   *openapi3filter.Options
}

// NewValidator returns a Validator for the embedded spec. Schema errors name
// the field and the rule but never the offending value, which may be PII.
func NewValidator() (*Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	// Route on paths only: the servers in the spec are the real hosts, and the
	// traffic under test goes to loopback.
	routed := *doc
	routed.Servers = openapi3.Servers{{URL: "/"}}
	router, err := gorillamux.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("contract: router: %w", err)
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		SkipSettingDefaults:   true,
		IncludeResponseStatus: true,
		MultiError:            true,
		SchemaValidationOptions: append(FormatOptions(),
			openapi3.DisableSchemaErrorDetails()),
	}
	opts.WithCustomSchemaErrorFunc(SchemaErrorMessage)
	return &Validator{router: router, opts: opts}, nil
}

// SchemaErrorMessage renders a schema error as "field: rule" with the field as
// a dotted path (compliance_profile.ssn) and without the value.
func SchemaErrorMessage(err *openapi3.SchemaError) string {
	field := strings.Join(err.JSONPointer(), ".")
	if field == "" {
		return err.Reason
	}
	return field + ": " + err.Reason
}

// Exchange is one request matched to its operation, ready to check the response.
type Exchange struct {
	input *openapi3filter.RequestValidationInput
}

// OperationID names the operation the request was routed to.
func (e *Exchange) OperationID() string { return e.input.Route.Operation.OperationID }

// PathTemplate is the spec path the request matched, such as /v1/customers/{id}.
func (e *Exchange) PathTemplate() string { return e.input.Route.Path }

// PathParams holds the path parameters by name.
func (e *Exchange) PathParams() map[string]string { return e.input.PathParams }

// ErrNoRoute reports a request whose method and path match no operation.
var ErrNoRoute = errors.New("contract: no operation matches the request")

// Route matches req to an operation without checking it.
func (v *Validator) Route(req *http.Request) (*Exchange, error) {
	route, params, err := v.router.FindRoute(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s", ErrNoRoute, req.Method, req.URL.Path)
	}
	return &Exchange{input: &openapi3filter.RequestValidationInput{
		Request: req, PathParams: params, Route: route, Options: v.opts,
	}}, nil
}

// ValidateRequest routes req and checks its parameters, headers and body. The
// body is read and put back, so the request can still be sent or served. The
// Exchange is returned even when validation fails, if the route was found.
func (v *Validator) ValidateRequest(ctx context.Context, req *http.Request) (*Exchange, error) {
	ex, err := v.Route(req)
	if err != nil {
		return nil, err
	}
	if req.Body != nil && req.Body != http.NoBody {
		body, rerr := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if rerr != nil {
			return ex, fmt.Errorf("contract: read request body: %w", rerr)
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		defer func() { req.Body = io.NopCloser(bytes.NewReader(body)) }()
	}
	if err := openapi3filter.ValidateRequest(ctx, ex.input); err != nil {
		return ex, err
	}
	return ex, nil
}

// ValidateResponse checks a response to the exchange's request.
func (v *Validator) ValidateResponse(ctx context.Context, ex *Exchange, status int, header http.Header, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: ex.input,
		Status:                 status,
		Header:                 header,
		Options:                v.opts,
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(ctx, in)
}
