package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/straddlekit/straddle-go/gen"
)

// jsonContentType is the media type of request bodies.
const jsonContentType = "application/json"

// CustomersService creates, reads, changes, lists and deletes customers.
// Reach it as Client.Customers.
type CustomersService struct {
	// Review reads customers' identity reviews and settles manual ones.
	Review *ReviewService

	client *Client
}

// Create registers a new individual or business customer, which starts its
// identity and fraud checks. In the sandbox, p.Config.SandboxOutcome forces the
// resulting status. The request carries an idempotency key (generated, or
// WithIdempotencyKey), so retries never create a second customer.
func (s *CustomersService) Create(ctx context.Context, p *CreateCustomerParams, opts ...RequestOption) (*Customer, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(p.toBody())
	if err != nil {
		return nil, fmt.Errorf("straddle: encoding the request: %w", err)
	}
	return callFor[Customer](ctx, s.client, opCreateCustomer, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.CreateCustomerWithBody(ctx, nil, jsonContentType, bytes.NewReader(body), ed)
	})
}

// Get returns the customer with personal data masked.
func (s *CustomersService) Get(ctx context.Context, id string, opts ...RequestOption) (*Customer, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	return callFor[Customer](ctx, s.client, opGetCustomer, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.GetCustomer(ctx, uid, nil, ed)
	})
}

// Update replaces the customer's details with p: a full replacement (PUT).
// Every optional field left empty in p is CLEARED on the customer. Build p
// from the current customer, or use Edit, which does. Changing more than two
// fields (metadata aside) within 24 hours triggers a new identity score,
// which may change the customer's status.
func (s *CustomersService) Update(ctx context.Context, id string, p *UpdateCustomerParams, opts ...RequestOption) (*Customer, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	body, err := json.Marshal(p.toBody())
	if err != nil {
		return nil, fmt.Errorf("straddle: encoding the request: %w", err)
	}
	return callFor[Customer](ctx, s.client, opUpdateCustomer, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.UpdateCustomerWithBody(ctx, uid, nil, jsonContentType, bytes.NewReader(body), ed)
	})
}

// Delete removes the customer for good and returns it as it was. It is meant
// for privacy and regulatory requests; later reads of the id get 404.
func (s *CustomersService) Delete(ctx context.Context, id string, opts ...RequestOption) (*Customer, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	return callFor[Customer](ctx, s.client, opDeleteCustomer, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.DeleteCustomer(ctx, uid, nil, ed)
	})
}

// Unmasked returns the customer with its real SSN, date of birth, EIN and IP
// address. Straddle enables this per account; other accounts get a 403
// *Error (IsAuth). The real values print and log redacted; read them with
// Reveal.
func (s *CustomersService) Unmasked(ctx context.Context, id string, opts ...RequestOption) (*UnmaskedCustomer, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	return callFor[UnmaskedCustomer](ctx, s.client, opGetUnmasked, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.GetUnmaskedCustomer(ctx, uid, nil, ed)
	})
}

// parseID checks a customer id and converts it for gen. uuid.Parse reads
// the string without the copy to bytes that UnmarshalText needs.
func parseID(id string) (openapi_types.UUID, error) {
	if err := validateID(id); err != nil {
		return openapi_types.UUID{}, err
	}
	u, err := uuid.Parse(id)
	if err != nil {
		return openapi_types.UUID{}, &ValidationError{Field: "id", Rule: "must be a UUID"}
	}
	return u, nil
}
