package straddle

import (
	"context"
	"net/http"

	"github.com/straddlekit/straddle-go/gen"
)

// ReviewService reads customers' identity reviews and settles manual ones.
// Reach it as Client.Customers.Review; every method takes the customer's id.
type ReviewService struct {
	client *Client
}

// Get returns the masked customer with the results of its identity
// screening (nil Identity while none has run). The customer's Status is the
// authoritative outcome.
func (s *ReviewService) Get(ctx context.Context, customerID string, opts ...RequestOption) (*CustomerReview, error) {
	uid, err := parseID(customerID)
	if err != nil {
		return nil, err
	}
	return callFor[CustomerReview](ctx, s.client, opGetReview, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.GetCustomerReview(ctx, uid, nil, ed)
	})
}

// Decide settles a manual review: status is the customer's new status,
// CustomerStatusVerified or CustomerStatusRejected. Only a customer whose
// status is review can be decided; the service refuses any other with a 422
// *Error.
func (s *ReviewService) Decide(ctx context.Context, customerID string, status CustomerStatus, opts ...RequestOption) (*Customer, error) {
	uid, err := parseID(customerID)
	if err != nil {
		return nil, err
	}
	if err := checkDecision(status); err != nil {
		return nil, err
	}
	body := decisionBody(status)
	return callFor[Customer](ctx, s.client, opDecideReview, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.DecideCustomerReview(ctx, uid, nil, body, ed)
	})
}

// Refresh starts a new identity review and returns the customer as it is
// now (usually pending). The review runs asynchronously: its outcome comes as
// a customer.event.v1 webhook, or read it later with Get.
func (s *ReviewService) Refresh(ctx context.Context, customerID string, opts ...RequestOption) (*Customer, error) {
	uid, err := parseID(customerID)
	if err != nil {
		return nil, err
	}
	return callFor[Customer](ctx, s.client, opRefreshReview, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.RefreshCustomerReview(ctx, uid, nil, ed)
	})
}
