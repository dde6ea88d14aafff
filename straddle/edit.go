package straddle

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// MaskedFieldsError reports an Edit that would clear personal data: the
// customer has values for Fields (wire names, such as
// "compliance_profile.ssn"), the change did not supply them, and they could
// not be read back because the account cannot unmask. Nothing was sent.
type MaskedFieldsError struct {
	Fields []string
}

// Error names the fields, never their values.
func (e *MaskedFieldsError) Error() string {
	return "straddle: edit would clear masked fields " + strings.Join(e.Fields, ", ") +
		": set them in the change (the account cannot unmask them)"
}

// Edit changes a customer by read-modify-write, the safe way to use the
// full-replacement Update. It reads the customer, and its real SSN, date of
// birth, EIN and IP address from the unmasked endpoint (if the account may
// unmask; on 403 it goes on without), builds UpdateCustomerParams that keep
// everything as it is, lets change modify them, and sends the update.
//
// When the account cannot unmask, change must set every masked field the
// customer has (SSN, DOB, EIN, IP address), or Edit returns a
// *MaskedFieldsError naming the missing ones and sends nothing: sending
// without them would clear them.
//
// Changing more than two fields (metadata aside) within 24 hours triggers a
// new identity score, which may change the customer's status.
//
// opts apply to every request; an idempotency key applies to the update only.
// An error from change is returned as it is, and nothing is sent.
func (s *CustomersService) Edit(ctx context.Context, id string, change func(*UpdateCustomerParams) error, opts ...RequestOption) (*Customer, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	if change == nil {
		return nil, &ValidationError{Field: "change", Rule: "is required"}
	}
	c, err := s.Get(ctx, id, opts...)
	if err != nil {
		return nil, err
	}
	u, err := s.Unmasked(ctx, id, opts...)
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden {
		u, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	p := updateParamsFrom(c, u)
	if err := change(p); err != nil {
		return nil, err
	}
	if missing := p.missingMasked(c); len(missing) > 0 {
		return nil, &MaskedFieldsError{Fields: missing}
	}
	return s.Update(ctx, id, p, opts...)
}
