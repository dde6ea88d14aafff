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
	byID     map[[16]byte]uint32 // id (see parseCanonicalUUID) -> slot
	byEmail  map[string]uint32   // lower-cased email -> slot
	nonASCII int                 // emails with a byte beyond ASCII (see emailIndexed)
	// byExternalID holds the first customer with an external id, and
	// moreExternalID the others, if any: lists there are replaced, never
	// edited, so that a list may read one after releasing the lock.
	//
	// The string keys of byEmail and byExternalID are parts of the text of
	// the record they find, and are replaced with it (see rekey), so that
	// they keep no replaced record's text alive.
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
	a := &account{id: id, byID: map[[16]byte]uint32{}, byEmail: map[string]uint32{},
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
	id, ok := parseCanonicalUUID(c.id)
	if !ok {
		return errInvalidID // the indexes order ids by their bits
	}
	a := s.account(c.account)
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, taken := a.byEmail[emailKey(c.email)]; taken {
		return errDuplicateEmail
	}
	if _, taken := a.byID[id]; taken {
		return errDuplicateID
	}
	normalize(c)
	slot := a.rows.alloc()
	a.rows.set(slot, c)
	r := a.rows.rec(slot)
	a.byID[id] = slot
	a.indexEmail(r.field(textEmail), slot)
	a.indexExternalID(r, slot)
	a.indexSorted(slot, idWordOf(id))
	return nil
}

// indexEmail indexes email, a part of the text of slot's record.
func (a *account) indexEmail(email string, slot uint32) {
	a.byEmail[emailKey(email)] = slot
	if !isASCII(email) {
		a.nonASCII++
	}
}

func (a *account) unindexEmail(email string) {
	delete(a.byEmail, emailKey(email))
	if !isASCII(email) {
		a.nonASCII--
	}
}

// indexExternalID indexes the external id of r, slot's record, if it has one.
func (a *account) indexExternalID(r *record, slot uint32) {
	if r.has&hasExternalID == 0 {
		return
	}
	id := r.field(textExternalID)
	if _, ok := a.byExternalID[id]; !ok {
		a.byExternalID[id] = slot
		return
	}
	a.moreExternalID[id] = append(a.moreExternalID[id], slot)
}

// rekey replaces the keys of byEmail and byExternalID that may be parts of
// the text slot's record had with parts of its new text, r.text: assigning to
// a key present replaces the key's string too.
func (a *account) rekey(r *record, slot uint32) {
	a.byEmail[emailKey(r.field(textEmail))] = slot
	if r.has&hasExternalID == 0 {
		return
	}
	id := r.field(textExternalID)
	first := a.byExternalID[id]
	a.byExternalID[id] = first
	if more, ok := a.moreExternalID[id]; ok {
		a.moreExternalID[id] = more
	}
}

// unindexExternalID removes slot from the index of its external id.
func (a *account) unindexExternalID(id *string, slot uint32) {
	if id == nil {
		return
	}
	first, more := a.byExternalID[*id], a.moreExternalID[*id]
	if len(more) == 0 {
		delete(a.byExternalID, *id)
		return
	}
	if first == slot {
		first, more = more[0], more[1:]
	} else {
		more = slices.DeleteFunc(slices.Clone(more), func(s uint32) bool { return s == slot })
	}
	// Keys from a customer that stays: one from slot's text would keep it.
	key := a.rows.rec(first).field(textExternalID)
	a.byExternalID[key] = first
	if len(more) == 0 {
		delete(a.moreExternalID, key)
	} else {
		a.moreExternalID[key] = more
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

// indexSorted adds slot's customer, whose id word is idw, to every ordered
// index.
func (a *account) indexSorted(slot uint32, idw uint64) {
	cls := a.rows.meta(slot).cls
	for _, t := range a.trees {
		k := t.keyWith(slot, idw)
		t.insert(&k, slot, cls)
	}
}

// unindexSorted removes slot's customer, whose id word is idw, from every
// ordered index; the row must still hold what it was indexed with.
func (a *account) unindexSorted(slot uint32, idw uint64) {
	for _, t := range a.trees {
		k := t.keyWith(slot, idw)
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
	key, ok := parseCanonicalUUID(id)
	if !ok {
		return nil, false // no stored id has another form
	}
	a.mu.RLock()
	slot, ok := a.byID[key]
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
	key, ok := parseCanonicalUUID(id)
	if !ok {
		return nil, errNotFound
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	slot, ok := a.byID[key]
	if !ok {
		return nil, errNotFound
	}
	cur := a.rows.rec(slot).customer(a.id)
	next, err := change(cur)
	if err != nil {
		return nil, err
	}
	normalize(next)
	newEmail := emailKey(cur.email) != emailKey(next.email)
	if newEmail {
		if _, taken := a.byEmail[emailKey(next.email)]; taken {
			return nil, errDuplicateEmail
		}
	}
	resort := cur.name != next.name || !cur.createdAt.Equal(next.createdAt) ||
		classOf(cur.status, cur.typ) != classOf(next.status, next.typ)
	if resort {
		a.unindexSorted(slot, idWordOf(key))
	}
	if newEmail {
		a.unindexEmail(cur.email)
	}
	newExternalID := !equalPtr(cur.externalID, next.externalID)
	if newExternalID {
		a.unindexExternalID(cur.externalID, slot)
	}
	a.rows.set(slot, next)
	r := a.rows.rec(slot)
	if newEmail {
		a.indexEmail(r.field(textEmail), slot)
	}
	if newExternalID {
		a.indexExternalID(r, slot)
	}
	a.rekey(r, slot)
	if resort {
		a.indexSorted(slot, idWordOf(key))
	}
	return next, nil
}

func (s *store) remove(accountID, id string) (*customer, bool) {
	a := s.lookup(accountID)
	if a == nil {
		return nil, false
	}
	key, ok := parseCanonicalUUID(id)
	if !ok {
		return nil, false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	slot, ok := a.byID[key]
	if !ok {
		return nil, false
	}
	c := a.rows.rec(slot).customer(a.id)
	a.unindexSorted(slot, idWordOf(key))
	a.unindexEmail(c.email)
	a.unindexExternalID(c.externalID, slot)
	delete(a.byID, key)
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
