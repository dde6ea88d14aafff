package straddle

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// EditConflictError reports an Edit that another write to the customer got
// in the way of. The API replaces a customer whole and checks no version, so
// Edit looks for other writes itself (see Edit) and reports what it finds
// rather than lose an update silently.
type EditConflictError struct {
	// Written is false when the customer changed between Edit's read and its
	// update: nothing was written. It is true when the update was written but
	// the customer read back right after no longer holds it: another write
	// replaced it, possibly one that the update had itself overwritten.
	Written bool
	// Tries is how many times Edit read the customer and applied the change.
	Tries int
}

// Error says which of the two it was, with no customer data.
func (e *EditConflictError) Error() string {
	if e.Written {
		return "straddle: edit conflict: the update was written, then replaced by another write to the customer (tries: " + strconv.Itoa(e.Tries) + ")"
	}
	return "straddle: edit conflict: the customer changed after it was read, so the update was not sent (tries: " + strconv.Itoa(e.Tries) + ")"
}

// WithConflictRetries lets Edit start over up to n times after an
// *EditConflictError: it reads the customer again and applies change to what
// it finds, so change must derive its edit from the params it is given (set
// a metadata key, say), never from values captured earlier. A retry holds the
// client's lock on the customer from its read to its check (see Edit), so
// edits through one client never starve one another. 0, the default, returns
// the first conflict. Other calls ignore it.
func WithConflictRetries(n int) RequestOption {
	return requestOption(func(c *callConfig) {
		if n < 0 {
			c.errs = append(c.errs, &ValidationError{Field: "conflict retries", Rule: "must not be negative"})
			return
		}
		c.conflictRetries = n
	})
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
// The API has no version check, so two read-modify-writes can lose one
// another's change. Edit guards against that as far as the API lets it:
//
//   - Just before the update it reads the customer again; if anything it can
//     see changed since its first read (updated_at, or any field), it sends
//     nothing and returns an *EditConflictError (Written false).
//   - Just after, it reads the customer back; if it no longer holds what the
//     update wrote, it returns the updated customer with an
//     *EditConflictError (Written true).
//   - Edits of one customer through one Client hold the client's lock on it
//     from the first check to the second, so they cannot interleave there:
//     within a process, no Edit loses another's change unreported.
//   - WithConflictRetries makes Edit start over (read, change, write) instead
//     of returning the conflict.
//
// What remains, plainly: a write from outside this Client (another process,
// or Update) that lands between Edit's check and its update, and is also
// checked by its writer before Edit's update lands, is replaced without
// either side seeing it; the window is one round trip. The service reports
// updated_at to the second on reads, and masks personal data, so a write
// within the same second that changed only the SSN, date of birth, EIN or IP
// address cannot be seen at all. Where that matters, serialise writes to a
// customer yourself.
//
// Changing more than two fields (metadata aside) within 24 hours triggers a
// new identity score, which may change the customer's status.
//
// opts apply to every request; an idempotency key and WithResponseInto
// apply to the first update only (a retry's update has its own key). change
// must not call Edit for the same customer through the same Client: a retry
// runs it under the lock. An error from change is returned as it is, and
// nothing is sent.
func (s *CustomersService) Edit(ctx context.Context, id string, change func(*UpdateCustomerParams) error, opts ...RequestOption) (*Customer, error) {
	if err := validateID(id); err != nil {
		return nil, err
	}
	if change == nil {
		return nil, &ValidationError{Field: "change", Rule: "is required"}
	}
	cfg, err := newCallConfig(&s.client.defaults, opts)
	if err != nil {
		return nil, err
	}
	// Reads report to no Response; a retry's update sends a key of its own.
	reads := append(slices.Clip(opts), WithResponseInto(nil))
	for try := 1; ; try++ {
		locked := try > 1
		var unlock func()
		if locked {
			if unlock, err = s.client.edits.lock(ctx, id); err != nil {
				return nil, err
			}
		}
		update := opts
		if try > 1 {
			update = append(slices.Clip(reads), WithIdempotencyKey(newIdempotencyKey()))
		}
		c, err := s.editOnce(ctx, id, change, reads, update, locked)
		if unlock != nil {
			unlock()
		}
		var conflict *EditConflictError
		if !errors.As(err, &conflict) {
			return c, err
		}
		conflict.Tries = try
		if try > cfg.conflictRetries {
			return c, err
		}
	}
}

// editOnce reads, changes, checks and writes the customer once. Unless
// locked, it takes the client's lock on the customer for the check, the
// update and the read back.
func (s *CustomersService) editOnce(ctx context.Context, id string, change func(*UpdateCustomerParams) error, reads, update []RequestOption, locked bool) (*Customer, error) {
	c, err := s.Get(ctx, id, reads...)
	if err != nil {
		return nil, err
	}
	u, err := s.Unmasked(ctx, id, reads...)
	var apiErr *Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden {
		u, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if u != nil && !u.UpdatedAt.Equal(c.UpdatedAt) {
		return nil, &EditConflictError{} // written to between the two reads
	}
	p := updateParamsFrom(c, u)
	if err := change(p); err != nil {
		return nil, err
	}
	if missing := p.missingMasked(c); len(missing) > 0 {
		return nil, &MaskedFieldsError{Fields: missing}
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if !locked {
		unlock, err := s.client.edits.lock(ctx, id)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	now, err := s.Get(ctx, id, reads...)
	if err != nil {
		return nil, err
	}
	if !sameCustomer(now, c) {
		return nil, &EditConflictError{}
	}
	out, err := s.Update(ctx, id, p, update...)
	if err != nil {
		return nil, err
	}
	after, err := s.Get(ctx, id, reads...)
	if err != nil {
		return out, fmt.Errorf("straddle: Edit: the update was written, but reading it back failed: %w", err)
	}
	if !holdsWrite(after, out) {
		return out, &EditConflictError{Written: true}
	}
	return out, nil
}

// sameCustomer reports whether a and b are the same state of a customer, as
// far as a masked read shows it.
func sameCustomer(a, b *Customer) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// holdsWrite reports whether the customer read back holds what an update
// wrote, as the update's answer shows it: the fields an update sets that a
// masked read can compare. The status is left out: the service may change it
// after an update (a new identity score).
func holdsWrite(after, wrote *Customer) bool {
	return after.Name == wrote.Name && strings.EqualFold(after.Email, wrote.Email) && after.Phone == wrote.Phone &&
		after.ExternalID == wrote.ExternalID && reflect.DeepEqual(after.Address, wrote.Address) &&
		maps.Equal(after.Metadata, wrote.Metadata)
}

// customerLocks serialises the edits of each customer made through one
// client: a lock per customer id, held by one Edit at a time, dropped when
// no Edit holds or waits for it.
type customerLocks struct {
	mu    sync.Mutex
	locks map[string]*customerLock
}

type customerLock struct {
	held  chan struct{} // holds a value while locked
	users int           // Edits holding or waiting for it
}

// lock takes the lock on customer id, waiting while another Edit holds it
// (or until ctx ends), and returns its release.
func (l *customerLocks) lock(ctx context.Context, id string) (func(), error) {
	id = strings.ToLower(id)
	l.mu.Lock()
	if l.locks == nil {
		l.locks = map[string]*customerLock{}
	}
	cl := l.locks[id]
	if cl == nil {
		cl = &customerLock{held: make(chan struct{}, 1)}
		l.locks[id] = cl
	}
	cl.users++
	l.mu.Unlock()
	drop := func() {
		l.mu.Lock()
		if cl.users--; cl.users == 0 {
			delete(l.locks, id)
		}
		l.mu.Unlock()
	}
	select {
	case cl.held <- struct{}{}:
		return func() { <-cl.held; drop() }, nil
	case <-ctx.Done():
		drop()
		return nil, ctx.Err()
	}
}
