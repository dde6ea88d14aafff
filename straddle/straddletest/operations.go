package straddletest

import (
	"fmt"
	"sort"
	"strings"
)

// Operation names an operation of the customers API by its operationId in the
// spec. Fault.Match and RequestCount take one, or a method and path template
// of the spec written as an Operation ("POST /v1/customers",
// "GET /v1/customers/{id}"). An unknown name is a mistake in the test, so
// both panic on one rather than match nothing.
type Operation string

// The nine operations of the customers API.
const (
	OpCreateCustomer        Operation = "createCustomer"        // POST /v1/customers
	OpListCustomers         Operation = "listCustomers"         // GET /v1/customers
	OpGetCustomer           Operation = "getCustomer"           // GET /v1/customers/{id}
	OpUpdateCustomer        Operation = "updateCustomer"        // PUT /v1/customers/{id}
	OpDeleteCustomer        Operation = "deleteCustomer"        // DELETE /v1/customers/{id}
	OpGetUnmaskedCustomer   Operation = "getUnmaskedCustomer"   // GET /v1/customers/{id}/unmasked
	OpGetCustomerReview     Operation = "getCustomerReview"     // GET /v1/customers/{id}/review
	OpDecideCustomerReview  Operation = "decideCustomerReview"  // PATCH /v1/customers/{id}/review
	OpRefreshCustomerReview Operation = "refreshCustomerReview" // PUT /v1/customers/{id}/refresh_review
)

// operations lists every Operation constant; a test holds it to the spec.
var operations = []Operation{
	OpCreateCustomer, OpListCustomers, OpGetCustomer, OpUpdateCustomer, OpDeleteCustomer,
	OpGetUnmaskedCustomer, OpGetCustomerReview, OpDecideCustomerReview, OpRefreshCustomerReview,
}

// resolve returns the operationId that name means: an operationId of the spec
// as it is, a "METHOD /template" of the spec as its operationId. Anything else
// is an error that lists what is accepted.
func (s *Server) resolve(name Operation) (Operation, error) {
	if _, ok := s.routes[name]; ok {
		return name, nil
	}
	for op, route := range s.routes {
		if string(name) == route {
			return op, nil
		}
	}
	known := make([]string, 0, len(s.routes))
	for op := range s.routes {
		known = append(known, string(op))
	}
	sort.Strings(known)
	return "", fmt.Errorf("unknown operation %q: want an Op constant (%s) or a method and path template of the spec such as \"POST /v1/customers\"",
		string(name), strings.Join(known, ", "))
}

// mustResolve is resolve for the methods that take a name from a test: a name
// that matches nothing panics, as Inject does, so the test cannot pass while
// checking nothing.
func (s *Server) mustResolve(method string, name Operation) Operation {
	op, err := s.resolve(name)
	if err != nil {
		panic("straddletest: " + method + ": " + err.Error())
	}
	return op
}
