package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// The spec's x-webhooks section describes the events Straddle posts to its
// users' endpoints, shaped like OpenAPI 3.1's webhooks map. kin-openapi keeps
// an extension as plain data, so Webhooks loads it as a document of its own:
// one path per event type (/customer.created.v1), the spec's components
// beside them, loaded and validated like the spec itself, every $ref resolved.

var (
	webhooksOnce sync.Once
	webhooksDoc  *openapi3.T
	webhooksErr  error
)

// Webhooks returns the x-webhooks section as a document whose paths are
// "/" + event type, each with the post operation describing that event's
// delivery. Callers must not modify it.
func Webhooks() (*openapi3.T, error) {
	webhooksOnce.Do(func() { webhooksDoc, webhooksErr = loadWebhooks() })
	return webhooksDoc, webhooksErr
}

func loadWebhooks() (*openapi3.T, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	raw, ok := doc.Extensions["x-webhooks"].(map[string]any)
	if !ok || len(raw) == 0 {
		return nil, errors.New("contract: the spec has no x-webhooks section")
	}
	paths := make(map[string]any, len(raw))
	for eventType, item := range raw {
		paths["/"+eventType] = item
	}
	components, err := json.Marshal(doc.Components)
	if err != nil {
		return nil, fmt.Errorf("contract: webhooks: %w", err)
	}
	src, err := json.Marshal(map[string]any{
		"openapi":    doc.OpenAPI,
		"info":       doc.Info,
		"paths":      paths,
		"components": json.RawMessage(components),
	})
	if err != nil {
		return nil, fmt.Errorf("contract: webhooks: %w", err)
	}
	loader := openapi3.NewLoader()
	wh, err := loader.LoadFromData(src)
	if err != nil {
		return nil, fmt.Errorf("contract: load x-webhooks: %w", err)
	}
	if err := wh.Validate(loader.Context, openapi3.EnableSchemaFormatValidation()); err != nil {
		return nil, fmt.Errorf("contract: invalid x-webhooks: %w", err)
	}
	for path, item := range wh.Paths.Map() {
		if item.Post == nil || len(item.Operations()) != 1 {
			return nil, fmt.Errorf("contract: x-webhooks %s: want exactly one operation, post", strings.TrimPrefix(path, "/"))
		}
		if item.Post.RequestBody == nil || item.Post.RequestBody.Value.Content.Get("application/json") == nil {
			return nil, fmt.Errorf("contract: x-webhooks %s: no application/json request body", strings.TrimPrefix(path, "/"))
		}
	}
	return wh, nil
}

// EventTypes lists the event types the spec describes, sorted.
func EventTypes() ([]string, error) {
	wh, err := Webhooks()
	if err != nil {
		return nil, err
	}
	var types []string
	for path := range wh.Paths.Map() {
		types = append(types, strings.TrimPrefix(path, "/"))
	}
	sort.Strings(types)
	return types, nil
}

// EventOperation returns the operation describing deliveries of eventType.
func EventOperation(eventType string) (*openapi3.Operation, error) {
	wh, err := Webhooks()
	if err != nil {
		return nil, err
	}
	item := wh.Paths.Value("/" + eventType)
	if item == nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownEvent, eventType)
	}
	return item.Post, nil
}

// ErrUnknownEvent reports an event type that x-webhooks does not describe.
var ErrUnknownEvent = errors.New("contract: x-webhooks describes no such event type")

// ValidateEvent checks a webhook body against the schema of the event type
// its event_type names. Errors name the field and the rule, never the value.
func ValidateEvent(body []byte) error {
	var head struct {
		EventType string `json:"event_type"`
	}
	if err := json.Unmarshal(body, &head); err != nil {
		return errors.New("contract: event body is not a JSON object with a string event_type")
	}
	op, err := EventOperation(head.EventType)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return errors.New("contract: event body is not JSON")
	}
	schema := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	opts := append(FormatOptions(), openapi3.MultiErrors(), openapi3.VisitAsRequest(), openapi3.DisableSchemaErrorDetails())
	if err := schema.VisitJSON(v, opts...); err != nil {
		return fmt.Errorf("contract: %s event breaks the spec: %s", head.EventType, valueFreeSchemaError(err))
	}
	return nil
}

// valueFreeSchemaError renders a (multi) schema error as "field: rule" items.
func valueFreeSchemaError(err error) string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		parts := make([]string, 0, len(me))
		for _, e := range me {
			parts = append(parts, valueFreeSchemaError(e))
		}
		return strings.Join(parts, "; ")
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return SchemaErrorMessage(se)
	}
	return "invalid"
}

// Svix delivers the same headers under another name on some endpoints.
var svixHeaders = map[string]string{
	"Webhook-Id":        "Svix-Id",
	"Webhook-Timestamp": "Svix-Timestamp",
	"Webhook-Signature": "Svix-Signature",
}

// ValidateDelivery checks a webhook request as a receiver gets it: POST, the
// signature headers (the svix-* spelling stands in when none of the webhook-*
// headers is present) and the body, against the operation of the event type
// the body names. The body is read and put back. It checks the shape of the
// headers only; verifying the signature is the receiver's work.
func ValidateDelivery(ctx context.Context, req *http.Request) error {
	if req.Method != http.MethodPost {
		return fmt.Errorf("contract: webhook delivered with %s, want POST", req.Method)
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("contract: read webhook body: %w", err)
		}
		body = b
	}
	if err := ValidateEvent(body); err != nil {
		return err
	}
	var head struct {
		EventType string `json:"event_type"`
	}
	_ = json.Unmarshal(body, &head)
	wh, _ := Webhooks()
	path := "/" + head.EventType
	item := wh.Paths.Value(path)

	check := req.Clone(ctx)
	check.Body = io.NopCloser(bytes.NewReader(body))
	if svixSpelling(req.Header) {
		check.Header = req.Header.Clone()
		for std, svix := range svixHeaders {
			if v := check.Header.Values(svix); len(v) > 0 {
				check.Header[std] = v
			}
		}
	}
	opts := &openapi3filter.Options{
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		ExcludeRequestBody: true, // checked above, with value-free errors
		MultiError:         true,
		SchemaValidationOptions: append(FormatOptions(),
			openapi3.DisableSchemaErrorDetails()),
	}
	opts.WithCustomSchemaErrorFunc(SchemaErrorMessage)
	in := &openapi3filter.RequestValidationInput{
		Request: check,
		Route:   &routers.Route{Spec: wh, Path: path, PathItem: item, Method: http.MethodPost, Operation: item.Post},
		Options: opts,
	}
	if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
		return fmt.Errorf("contract: %s delivery breaks the spec: %w", head.EventType, err)
	}
	return nil
}

func svixSpelling(h http.Header) bool {
	for std := range svixHeaders {
		if len(h.Values(std)) > 0 {
			return false
		}
	}
	return true
}
