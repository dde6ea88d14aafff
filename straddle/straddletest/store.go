package straddletest

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

var (
	errNotFound       = errors.New("customer not found")
	errDuplicateEmail = errors.New("email already exists")
	errDuplicateID    = errors.New("id already exists")
	errInvalidID      = errors.New("id must be a UUID in canonical (lower-case 8-4-4-4-12) form")
)

// store holds the customers of every account. Each account has its own lock
// and indexes. Customers are stored compactly (see record) and every read
// returns a new *customer, which the reader owns.
type store struct {
	// accounts is replaced, never edited, when an account is added (under
	// mu), so that finding one takes no lock: there are only as many as the
	// keys may act for.
	accounts atomic.Pointer[map[string]*account]
	mu       sync.Mutex

	// pause, when set (by tests), runs between the chunks of a list that
	// reads the account a chunk at a time, while the list holds no lock.
	pause func()
}

// account is one account's customers and the indexes lists use: one ordered
// index per sort order (see tree), and maps for exact lookups. Writers hold mu
// for O(log n); a list holds it for O(log n + page), or, when it must read
// every customer (a text search), for one chunk at a time.
type account struct {
	id       string
	mu       sync.RWMutex
	byID     map[string]uint32 // id -> slot
	byEmail  map[string]uint32 // lower-cased email -> slot
	nonASCII int               // emails with a byte beyond ASCII (see emailIndexed)
	// byExternalID holds the first customer with an external id, and
	// moreExternalID the others, if any: lists there are replaced, never
	// edited, so that a list may read one after releasing the lock.
	byExternalID   map[string]uint32
	moreExternalID map[string][]uint32
	rows           rowStore
	trees          [numSortFields]*tree
}

func newStore() *store {
	s := &store{}
	s.accounts.Store(&map[string]*account{})
	return s
}

func (s *store) lookup(id string) *account { return (*s.accounts.Load())[id] }

// account returns the account with id, creating it.
func (s *store) account(id string) *account {
	if a := s.lookup(id); a != nil {
		return a
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.lookup(id); a != nil {
		return a
	}
	id = strings.Clone(id)
	a := &account{id: id, byID: map[string]uint32{}, byEmail: map[string]uint32{},
		byExternalID: map[string]uint32{}, moreExternalID: map[string][]uint32{}}
	for k := range a.trees {
		a.trees[k] = newTree(sortField(k), &a.rows)
	}
	next := maps.Clone(*s.accounts.Load())
	next[id] = a
	s.accounts.Store(&next)
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

// normalize readies a customer for storing: times at the written
// precision, no empty change log.
func normalize(c *customer) {
	c.createdAt, c.updatedAt = storedTime(c.createdAt), storedTime(c.updatedAt)
	c.reviewCreated, c.reviewUpdated = storedTime(c.reviewCreated), storedTime(c.reviewUpdated)
	if len(c.changes) == 0 {
		c.changes = nil
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// add stores a new customer, refusing an email or id already in its account.
// It stores c's times at the written precision (so that c shows what a read
// will).
func (s *store) add(c *customer) error {
	if _, ok := parseCanonicalUUID(c.id); !ok {
		return errInvalidID // the indexes order ids by their bits
	}
	a := s.account(c.account)
	a.mu.Lock()
	defer a.mu.Unlock()
	key := emailKey(c.email)
	if _, taken := a.byEmail[key]; taken {
		return errDuplicateEmail
	}
	if _, taken := a.byID[c.id]; taken {
		return errDuplicateID
	}
	normalize(c)
	slot := a.rows.alloc()
	a.rows.set(slot, c)
	a.byID[c.id] = slot
	a.indexEmail(key, c.email, slot)
	a.indexExternalID(c.externalID, slot)
	a.indexSorted(slot)
	return nil
}

func (a *account) indexEmail(key, email string, slot uint32) {
	a.byEmail[key] = slot
	if !isASCII(email) {
		a.nonASCII++
	}
}

func (a *account) unindexEmail(key, email string) {
	delete(a.byEmail, key)
	if !isASCII(email) {
		a.nonASCII--
	}
}

func (a *account) indexExternalID(id *string, slot uint32) {
	if id == nil {
		return
	}
	if _, ok := a.byExternalID[*id]; !ok {
		a.byExternalID[*id] = slot
		return
	}
	a.moreExternalID[*id] = append(a.moreExternalID[*id], slot)
}

func (a *account) unindexExternalID(id *string, slot uint32) {
	if id == nil {
		return
	}
	more := a.moreExternalID[*id]
	switch {
	case len(more) == 0:
		delete(a.byExternalID, *id)
		return
	case a.byExternalID[*id] == slot:
		a.byExternalID[*id] = more[0]
		more = more[1:]
	default:
		more = slices.DeleteFunc(slices.Clone(more), func(s uint32) bool { return s == slot })
	}
	if len(more) == 0 {
		delete(a.moreExternalID, *id)
	} else {
		a.moreExternalID[*id] = more
	}
}

// externalIDSlots returns the slots of the customers with external id.
func (a *account) externalIDSlots(id string) []uint32 {
	first, ok := a.byExternalID[id]
	if !ok {
		return nil
	}
	return append([]uint32{first}, a.moreExternalID[id]...)
}

// indexSorted adds slot's customer to every ordered index.
func (a *account) indexSorted(slot uint32) {
	cls := a.rows.meta(slot).cls
	for _, t := range a.trees {
		k := t.keyOf(slot)
		t.insert(&k, slot, cls)
	}
}

// unindexSorted removes slot's customer from every ordered index; the row
// must still hold what it was indexed with.
func (a *account) unindexSorted(slot uint32) {
	for _, t := range a.trees {
		k := t.keyOf(slot)
		if !t.remove(&k) {
			panic("straddletest: a customer is missing from an index")
		}
	}
}

func (s *store) get(accountID, id string) (*customer, bool) {
	a := s.lookup(accountID)
	if a == nil {
		return nil, false
	}
	a.mu.RLock()
	slot, ok := a.byID[id]
	var r record
	if ok {
		r = *a.rows.rec(slot) // copied under the lock, read back after it
	}
	a.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return r.customer(a.id), true
}

// modify replaces a customer with what change returns, atomically. change gets
// the current snapshot and must return a new value, never edit its argument.
func (s *store) modify(accountID, id string, change func(cur *customer) (*customer, error)) (*customer, error) {
	a := s.lookup(accountID)
	if a == nil {
		return nil, errNotFound
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	slot, ok := a.byID[id]
	if !ok {
		return nil, errNotFound
	}
	cur := a.rows.rec(slot).customer(a.id)
	next, err := change(cur)
	if err != nil {
		return nil, err
	}
	normalize(next)
	oldKey, newKey := emailKey(cur.email), emailKey(next.email)
	if oldKey != newKey {
		if _, taken := a.byEmail[newKey]; taken {
			return nil, errDuplicateEmail
		}
	}
	resort := cur.name != next.name || !cur.createdAt.Equal(next.createdAt) ||
		classOf(cur.status, cur.typ) != classOf(next.status, next.typ)
	if resort {
		a.unindexSorted(slot)
	}
	if oldKey != newKey {
		a.unindexEmail(oldKey, cur.email)
		a.indexEmail(newKey, next.email, slot)
	}
	if !equalPtr(cur.externalID, next.externalID) {
		a.unindexExternalID(cur.externalID, slot)
		a.indexExternalID(next.externalID, slot)
	}
	a.rows.set(slot, next)
	if resort {
		a.indexSorted(slot)
	}
	return next, nil
}

func (s *store) remove(accountID, id string) (*customer, bool) {
	a := s.lookup(accountID)
	if a == nil {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	slot, ok := a.byID[id]
	if !ok {
		return nil, false
	}
	c := a.rows.rec(slot).customer(a.id)
	a.unindexSorted(slot)
	a.unindexEmail(emailKey(c.email), c.email)
	a.unindexExternalID(c.externalID, slot)
	delete(a.byID, id)
	a.rows.clear(slot)
	return c, true
}

func (s *store) count(accountID string) int {
	a := s.lookup(accountID)
	if a == nil {
		return 0
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.byID)
}
