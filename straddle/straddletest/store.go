package straddletest

import (
	"errors"
	"strings"
	"sync"
	"time"
)

var (
	errNotFound       = errors.New("customer not found")
	errDuplicateEmail = errors.New("email already exists")
	errDuplicateID    = errors.New("id already exists")
)

// store holds the customers of every account: one map per account, all
// guarded by one mutex. Stored customers are immutable snapshots.
type store struct {
	mu       sync.Mutex
	accounts map[string]*account
}

type account struct {
	customers map[string]*customer
	emails    map[string]string // lower-cased email -> customer id
}

func newStore() *store { return &store{accounts: map[string]*account{}} }

func (s *store) account(id string) *account {
	a := s.accounts[id]
	if a == nil {
		a = &account{customers: map[string]*customer{}, emails: map[string]string{}}
		s.accounts[id] = a
	}
	return a
}

func emailKey(email string) string { return strings.ToLower(email) }

// timePrecision is the precision of the timestamps the emulator writes (seven
// fractional digits). Times are stored at it, so that a time read back and
// sent as a filter bound matches what is stored.
const timePrecision = 100 * time.Nanosecond

// storedTime is t as the emulator stores it: at timePrecision, without a
// monotonic clock reading.
func storedTime(t time.Time) time.Time { return t.Truncate(timePrecision) }

// truncatedClock reads clock at the precision times are written with.
func truncatedClock(clock func() time.Time) func() time.Time {
	return func() time.Time { return storedTime(clock()) }
}

// normalize readies a customer for storing: times at the written precision.
func normalize(c *customer) {
	c.createdAt, c.updatedAt = storedTime(c.createdAt), storedTime(c.updatedAt)
	c.reviewCreated, c.reviewUpdated = storedTime(c.reviewCreated), storedTime(c.reviewUpdated)
}

// add stores a new customer, refusing an email or id already in its account.
// It stores c's times at the written precision (so that c shows what a read
// will).
func (s *store) add(c *customer) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.account(c.account)
	if _, taken := a.emails[emailKey(c.email)]; taken {
		return errDuplicateEmail
	}
	if _, taken := a.customers[c.id]; taken {
		return errDuplicateID
	}
	normalize(c)
	a.customers[c.id] = c
	a.emails[emailKey(c.email)] = c.id
	return nil
}

func (s *store) get(accountID, id string) (*customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[accountID]
	if a == nil {
		return nil, false
	}
	c, ok := a.customers[id]
	return c, ok
}

// modify replaces a customer with what change returns, atomically. change gets
// the current snapshot and must return a new value, never edit its argument.
func (s *store) modify(accountID, id string, change func(cur *customer) (*customer, error)) (*customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[accountID]
	if a == nil || a.customers[id] == nil {
		return nil, errNotFound
	}
	cur := a.customers[id]
	next, err := change(cur)
	if err != nil {
		return nil, err
	}
	normalize(next)
	if oldKey, newKey := emailKey(cur.email), emailKey(next.email); oldKey != newKey {
		if _, taken := a.emails[newKey]; taken {
			return nil, errDuplicateEmail
		}
		delete(a.emails, oldKey)
		a.emails[newKey] = id
	}
	a.customers[id] = next
	return next, nil
}

func (s *store) remove(accountID, id string) (*customer, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[accountID]
	if a == nil || a.customers[id] == nil {
		return nil, false
	}
	c := a.customers[id]
	delete(a.customers, id)
	delete(a.emails, emailKey(c.email))
	return c, true
}

// all returns the account's customers in no particular order.
func (s *store) all(accountID string) []*customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[accountID]
	if a == nil {
		return nil
	}
	out := make([]*customer, 0, len(a.customers))
	for _, c := range a.customers {
		out = append(out, c)
	}
	return out
}

func (s *store) count(accountID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[accountID]; a != nil {
		return len(a.customers)
	}
	return 0
}
