package straddletest

import (
	"encoding/json"
	"net/http"
	"sync"
)

// WithStateless makes the server answer like a stateless mock (Prism, or
// the mocks Stainless-generated SDK test suites expect), for suites that send
// unrelated requests with one customer id and one idempotency key: every
// request sees the customers as seeded. A write is checked and answered as
// usual (a create 201 with a new id, a delete 200, a refresh 202 with the
// customer pending...) and then undone, so the next request, that create's
// id included, finds the seeded state again; Idempotency-Key is checked (10
// to 40 characters, sent once) but not remembered, so a key reused for
// another request is not a 409. Reads and writes never interleave, so no
// request sees a write half undone. Review scripts still apply (a queued one
// is used up by the review that takes it), and faults and recording work as
// usual. For tests of your own code, keep the default stateful server.
func WithStateless(enabled bool) Option {
	return func(c *config) { c.stateless = enabled }
}

// makeStateless wraps every operation for WithStateless: writes run one at a
// time and are undone; reads share the lock.
func (s *Server) makeStateless() {
	mu := new(sync.RWMutex)
	for op, run := range s.ops {
		switch op {
		case OpCreateCustomer, OpUpdateCustomer, OpDeleteCustomer, OpDecideCustomerReview, OpRefreshCustomerReview:
			s.ops[op] = func(c *call) *response {
				mu.Lock()
				defer mu.Unlock()
				return s.runUndone(c, run)
			}
		default:
			s.ops[op] = func(c *call) *response {
				mu.RLock()
				defer mu.RUnlock()
				return run(c)
			}
		}
	}
}

// runUndone runs a write and restores what it changed: the customer of the
// path as it was (modified back, or added back after a delete), or no new
// customer after a create.
func (s *Server) runUndone(c *call, run func(*call) *response) *response {
	var before *customer
	if c.id != "" {
		before, _ = s.store.get(c.account, c.id)
	}
	resp := run(c)
	switch {
	case before != nil:
		if _, still := s.store.get(c.account, c.id); still {
			_, _ = s.store.modify(c.account, c.id, func(*customer) (*customer, error) { return before, nil })
		} else {
			_ = s.store.add(before)
		}
	case c.op == OpCreateCustomer && resp.status == http.StatusCreated:
		var created struct {
			Data struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		if json.Unmarshal(resp.body, &created) == nil {
			s.store.remove(c.account, created.Data.ID)
		}
	}
	return resp
}
