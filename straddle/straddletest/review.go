package straddletest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// getCustomerReview returns the masked customer with its review.
func (s *Server) getCustomerReview(c *call) *response {
	cust, ok := s.store.get(c.account, c.id)
	if !ok {
		return s.errorResponse(c, notFound())
	}
	return s.dataResponse(c, http.StatusOK, s.reviewView(cust))
}

// reviewView is the masked customer and, once screening has run (not for
// processing_method skip, nor while the status is pending), the identity
// details of its review: scripted, or derived from its data.
func (s *Server) reviewView(cust *customer) reviewOut {
	format := s.readFormat()
	out := reviewOut{CustomerDetails: view(cust, false, format)}
	if !cust.reviewID.isZero() && cust.status != statusPending {
		out.IdentityDetails = identityDetails(cust, format, s.scripts.forReview(cust.reviewID.String()))
	}
	return out
}

// decideCustomerReview settles a customer in review as verified or rejected;
// any other status is refused with 422.
func (s *Server) decideCustomerReview(c *call) *response {
	var in struct {
		Status string `json:"status"`
	}
	if e := decodeBody(c.body, &in); e != nil {
		return s.errorResponse(c, e)
	}
	if in.Status != statusVerified && in.Status != statusRejected {
		return s.errorResponse(c, badRequest(item("status", "must be one of: verified, rejected.")))
	}
	next, err := s.store.modify(c.account, c.id, func(cur *customer) (*customer, error) {
		if cur.status != statusReview {
			return nil, unprocessable(fmt.Sprintf("Customers with status %s cannot be changed.", title(cur.status)))
		}
		n := cur.clone()
		n.status = in.Status
		n.updatedAt, n.reviewUpdated = c.now, c.now
		return n, nil
	})
	if err == nil {
		s.emit(c, next, webhook.CustomerEventV1)
	}
	return s.modified(c, http.StatusOK, next, err)
}

// refreshCustomerReview starts a new review, its outcome decided as it
// starts (scripted, or by the rules), with the customer pending until it
// settles (reviewRuns): at once unless WithAsyncReviews, so that the next
// read shows the outcome. The 202 shows the customer pending.
func (s *Server) refreshCustomerReview(c *call) *response {
	var decided string
	next, err := s.store.modify(c.account, c.id, func(cur *customer) (*customer, error) {
		n := cur.clone()
		n.updatedAt = c.now
		n.startReview(c.now)
		s.settleReview(n, outcome(n))
		decided, n.status = n.status, statusPending
		return n, nil
	})
	resp := s.modified(c, http.StatusAccepted, next, err)
	if err == nil {
		s.emit(c, next, webhook.CustomerEventV1)
		s.reviewRuns(c, next, decided)
	}
	return resp
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
