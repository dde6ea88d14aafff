package straddle

import (
	"context"
	"net/http"

	"github.com/straddlekit/straddle-go/gen"
)

// ReviewService reads customers' identity reviews and settles manual ones.
// Reach it as Client.Review.
type ReviewService struct {
	client *Client
}

// Get returns the masked customer with the results of its identity
// screening (nil Identity while none has run). The customer's Status is the
// authoritative outcome.
func (s *ReviewService) Get(ctx context.Context, id string, opts ...RequestOption) (*CustomerReview, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	return callFor[CustomerReview](ctx, s.client, opGetReview, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.GetCustomerReview(ctx, uid, nil, ed)
	})
}

// Decide settles a manual review: the customer becomes verified or rejected.
// Only a customer whose status is review can be decided; the service refuses
// any other with a 422 *Error.
func (s *ReviewService) Decide(ctx context.Context, id string, d ReviewDecision, opts ...RequestOption) (*Customer, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	if err := d.validate(); err != nil {
		return nil, err
	}
	body := decisionBody(d)
	return callFor[Customer](ctx, s.client, opDecideReview, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.DecideCustomerReview(ctx, uid, nil, body, ed)
	})
}

// Refresh starts a new identity review and returns the customer as it is
// now (usually pending). The review runs asynchronously: read it later with
// Get.
func (s *ReviewService) Refresh(ctx context.Context, id string, opts ...RequestOption) (*Customer, error) {
	uid, err := parseID(id)
	if err != nil {
		return nil, err
	}
	return callFor[Customer](ctx, s.client, opRefreshReview, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.RefreshCustomerReview(ctx, uid, nil, ed)
	})
}
