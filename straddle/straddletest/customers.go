package straddletest

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// errProfileType refuses a compliance profile of the other customer type.
func errProfileType() *apiError {
	return unprocessable("The compliance profile does not match the customer type.",
		item("compliance_profile", "must hold ssn and dob for individuals, ein and legal_business_name for businesses."))
}

func duplicateEmail(email string) *apiError {
	return unprocessable(fmt.Sprintf("Email '%s' already exists and must be unique.", email))
}

// readCustomerInput decodes and checks a create or update body and tells
// which compliance profile it carries.
func readCustomerInput(body []byte, create bool) (*customerInput, string, *apiError) {
	var in customerInput
	if e := decodeBody(body, &in); e != nil {
		return nil, "", e
	}
	if e := checkInput(&in, create); e != nil {
		return nil, "", e
	}
	kind, err := profileKind(in.ComplianceProfile)
	if err != nil || kind == "mixed" {
		return nil, "", badRequest(item("compliance_profile", "does not match any of the allowed forms."))
	}
	return &in, kind, nil
}

func (s *Server) createCustomer(c *call) *response {
	in, kind, e := readCustomerInput(c.body, true)
	if e != nil {
		return s.errorResponse(c, e)
	}
	if kind != "" && kind != *in.Type {
		return s.errorResponse(c, errProfileType())
	}
	cust := &customer{
		id: newID(c.now), account: c.account, typ: *in.Type,
		createdAt: c.now, updatedAt: c.now,
		sandboxOutcome: outcomeStandard, processingMethod: processingInline,
	}
	cust.applyWritable(in)
	if err := cust.applyProfile(in.ComplianceProfile, kind); err != nil {
		return s.errorResponse(c, badRequest(item("compliance_profile", "does not match any of the allowed forms.")))
	}
	if cfg := in.Config; cfg != nil {
		if cfg.SandboxOutcome != "" {
			cust.sandboxOutcome = cfg.SandboxOutcome
		}
		if cfg.ProcessingMethod != "" {
			cust.processingMethod = cfg.ProcessingMethod
		}
	}
	var taken *scriptedReview
	if cust.processingMethod == processingSkip {
		cust.status = outcome(cust)
	} else {
		cust.startReview(c.now)
		taken = s.settleReview(cust, outcome(cust))
	}
	decided := cust.status
	background := cust.processingMethod == processingBackground
	if background {
		cust.status = statusPending // until the review settles (reviewRuns)
	}
	if err := s.store.add(cust); err != nil {
		s.scripts.giveBack(taken)
		return s.errorResponse(c, duplicateEmail(cust.email))
	}
	resp := s.dataResponse(c, http.StatusCreated, view(cust, false, formatTime))
	s.emit(c, cust, webhook.CustomerCreatedV1, webhook.CustomerEventV1)
	if background {
		s.reviewRuns(c, cust, decided)
	}
	return resp
}

// startReview gives c a new identity review as of now.
func (c *customer) startReview(now time.Time) {
	c.reviewID = reviewRef{uuid: newUUID(now), set: true}
	c.reviewCreated, c.reviewUpdated = now, now
}

// readFormat is how get and review responses write times.
func (s *Server) readFormat() func(time.Time) string {
	if s.cfg.zoneless {
		return func(t time.Time) string { return t.UTC().Format(zonelessLayout) }
	}
	return formatTime
}

func (s *Server) getCustomer(c *call) *response {
	cust, ok := s.store.get(c.account, c.id)
	if !ok {
		return s.errorResponse(c, notFound())
	}
	return s.dataResponse(c, http.StatusOK, view(cust, false, s.readFormat()))
}

func (s *Server) getUnmaskedCustomer(c *call) *response {
	if !s.cfg.unmasking {
		return s.errorResponse(c, newAPIError(http.StatusForbidden, "Unmasking customer data is not enabled for this account."))
	}
	cust, ok := s.store.get(c.account, c.id)
	if !ok {
		return s.errorResponse(c, notFound())
	}
	return s.dataResponse(c, http.StatusOK, view(cust, true, formatTime))
}

func (s *Server) deleteCustomer(c *call) *response {
	cust, ok := s.store.remove(c.account, c.id)
	if !ok {
		return s.errorResponse(c, notFound())
	}
	return s.dataResponse(c, http.StatusOK, view(cust, false, formatTime))
}

// updateCustomer replaces every writable field. When more than two identity
// fields have changed within 24 hours, the customer goes to review with a new
// review, whatever status the body asks for.
func (s *Server) updateCustomer(c *call) *response {
	in, kind, e := readCustomerInput(c.body, false)
	if e != nil {
		return s.errorResponse(c, e)
	}
	var taken *scriptedReview
	next, err := s.store.modify(c.account, c.id, func(cur *customer) (*customer, error) {
		if kind != "" && kind != cur.typ {
			return nil, errProfileType()
		}
		n := cur.clone()
		n.applyWritable(in)
		if err := n.applyProfile(in.ComplianceProfile, kind); err != nil {
			return nil, badRequest(item("compliance_profile", "does not match any of the allowed forms."))
		}
		n.status = *in.Status
		n.updatedAt = c.now
		var rescore bool
		n.changes, rescore = recordChanges(cur.changes, changedFields(cur, n), c.now)
		if rescore {
			n.startReview(c.now)
			taken = s.settleReview(n, statusReview)
			n.changes = nil
		}
		return n, nil
	})
	if err != nil {
		s.scripts.giveBack(taken)
	}
	if errors.Is(err, errDuplicateEmail) {
		return s.errorResponse(c, duplicateEmail(*in.Email))
	}
	if err == nil {
		s.emit(c, next, webhook.CustomerEventV1)
	}
	return s.modified(c, http.StatusOK, next, err)
}

// modified answers a store.modify: the customer, or the error it refused with.
func (s *Server) modified(c *call, status int, cust *customer, err error) *response {
	var ae *apiError
	switch {
	case err == nil:
		return s.dataResponse(c, status, view(cust, false, formatTime))
	case errors.As(err, &ae):
		return s.errorResponse(c, ae)
	}
	return s.errorResponse(c, notFound())
}
