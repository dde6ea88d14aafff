package straddletest

import (
	"encoding/json"
	"strings"

	"github.com/straddlekit/straddle-go/straddle"
)

// Customer returns a customer the emulator holds, masked, exactly as GET
// /v1/customers/{id} would give it to the client (WithZonelessTimestamps
// included). accountID "" means the account of APIKey; ok is false when the
// account holds no such customer. Customer, UnmaskedCustomer and
// CustomerReview panic on an account no key may act for (see CustomerCount).
func (s *Server) Customer(accountID, id string) (c *straddle.Customer, ok bool) {
	cust, ok := s.lookup("Customer", accountID, id)
	if !ok {
		return nil, false
	}
	return decodeView[straddle.Customer](view(cust, false, s.readFormat())), true
}

// UnmaskedCustomer returns a customer the emulator holds with its real SSN,
// date of birth, EIN and IP address, as the unmasked endpoint would give it
// to the client (whatever WithUnmasking says). The personal values print as
// "[REDACTED]"; Reveal reads them.
func (s *Server) UnmaskedCustomer(accountID, id string) (c *straddle.UnmaskedCustomer, ok bool) {
	cust, ok := s.lookup("UnmaskedCustomer", accountID, id)
	if !ok {
		return nil, false
	}
	return s.unmaskedView(cust), true
}

// CustomerReview returns a customer's review as GET
// /v1/customers/{id}/review would give it to the client: the masked customer
// and its identity details (nil while none has run).
func (s *Server) CustomerReview(accountID, id string) (r *straddle.CustomerReview, ok bool) {
	cust, ok := s.lookup("CustomerReview", accountID, id)
	if !ok {
		return nil, false
	}
	return decodeView[straddle.CustomerReview](s.reviewView(cust)), true
}

func (s *Server) lookup(method, accountID, id string) (*customer, bool) {
	return s.store.get(s.inspected(method, accountID), strings.ToLower(id))
}

func (s *Server) unmaskedView(c *customer) *straddle.UnmaskedCustomer {
	return decodeView[straddle.UnmaskedCustomer](view(c, true, formatTime))
}

// decodeView encodes a response body as the emulator writes it and decodes it
// as the client reads it, so the two cannot differ. The emulator's views
// always decode; a failure is a defect of the emulator and panics, without
// the data.
func decodeView[T any](v any) *T {
	raw, err := json.Marshal(v)
	if err != nil {
		panic("straddletest: encode a view: " + err.Error())
	}
	out := new(T)
	if err := json.Unmarshal(raw, out); err != nil {
		panic("straddletest: decode a view as the client does: " + err.Error())
	}
	return out
}
