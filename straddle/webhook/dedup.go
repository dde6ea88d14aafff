package webhook

import (
	"container/list"
	"context"
	"errors"
	"sync"
	"time"
)

// ClaimResult is what a Deduplicator found for an event id.
type ClaimResult int

const (
	// Claimed: the event was neither done nor in progress, and the caller
	// now owns it: it must end the claim with Done or Release.
	Claimed ClaimResult = iota + 1
	// AlreadyDone: the event was processed before; it must not be again.
	AlreadyDone
	// InProgress: another delivery of the event is being processed now.
	InProgress
)

// String names the result.
func (r ClaimResult) String() string {
	switch r {
	case Claimed:
		return "claimed"
	case AlreadyDone:
		return "already done"
	case InProgress:
		return "in progress"
	}
	return "invalid claim result"
}

// Deduplicator remembers which events were processed, so that a repeated
// delivery is answered without running the user's function again. The
// Handler calls Claim before the function, then Done after it succeeded or
// Release after it failed (or panicked), so a failed delivery is retried and
// two concurrent deliveries of one event never both run.
//
// Implementations must be safe for concurrent use, and Claim must be atomic:
// of two concurrent Claims of one id, at most one gets Claimed. A store
// shared by several processes (Redis, SQL) keeps a claim as a lease that
// expires on its own, longer than the function's longest run, so that a
// process that dies while holding one does not block the event forever;
// for example with Redis:
//
//	Claim:   SET key "in-progress" NX PX <lease>  → OK: Claimed; else GET: "done" → AlreadyDone, otherwise InProgress
//	Done:    SET key "done" PX <how long to remember>
//	Release: DEL key, if it still holds "in-progress" (a small Lua script)
//
// and with SQL, a table keyed by event id with a state and an expiry,
// claimed by an INSERT ... ON CONFLICT DO NOTHING (or an UPDATE of an expired
// row) that reports whether it wrote.
type Deduplicator interface {
	// Claim reserves eventID for processing, or reports that it is done
	// or in progress. An error means the store could not tell; the
	// Handler then answers 500 without running the function.
	Claim(ctx context.Context, eventID string) (ClaimResult, error)
	// Done records that eventID was processed: later Claims get
	// AlreadyDone until the implementation forgets it.
	Done(ctx context.Context, eventID string) error
	// Release ends a claim without recording the event as done, so a
	// later delivery processes it. It does nothing for an event that is
	// done.
	Release(ctx context.Context, eventID string) error
}

// The in-memory Deduplicator's defaults.
const (
	// DefaultMaxEvents is how many processed events a MemoryDeduplicator
	// remembers: about 2 MB with their ids.
	DefaultMaxEvents = 10_000
	// DefaultRemember is how long it remembers one: longer than the largest
	// gap between two retries of one delivery (10 hours) with room to spare.
	DefaultRemember = 24 * time.Hour
)

// MemoryDeduplicator is the Handler's default Deduplicator: it remembers up
// to a fixed number of processed events, each for a fixed time, forgetting
// the oldest first. Events in progress are held until Done or Release and
// are never forgotten, so their number is bounded by the deliveries being
// processed at once. It serves one process: replicas behind a load balancer
// need a shared store.
type MemoryDeduplicator struct {
	mu       sync.Mutex
	max      int
	remember time.Duration
	now      func() time.Time
	events   map[string]*memoryEvent
	done     list.List // of *memoryEvent, the oldest Done first
}

// memoryEvent is one event in progress (elem nil) or done.
type memoryEvent struct {
	id     string
	doneAt time.Time
	elem   *list.Element
}

// NewMemoryDeduplicator returns a MemoryDeduplicator that remembers at most
// maxEvents processed events, each for the duration remember; zero means
// DefaultMaxEvents or DefaultRemember, a negative value is an error.
func NewMemoryDeduplicator(maxEvents int, remember time.Duration) (*MemoryDeduplicator, error) {
	switch {
	case maxEvents < 0:
		return nil, errors.New("webhook: NewMemoryDeduplicator: maxEvents must not be negative")
	case remember < 0:
		return nil, errors.New("webhook: NewMemoryDeduplicator: remember must not be negative")
	}
	if maxEvents == 0 {
		maxEvents = DefaultMaxEvents
	}
	if remember == 0 {
		remember = DefaultRemember
	}
	return &MemoryDeduplicator{max: maxEvents, remember: remember, now: time.Now, events: map[string]*memoryEvent{}}, nil
}

// Claim implements Deduplicator.
func (d *MemoryDeduplicator) Claim(_ context.Context, eventID string) (ClaimResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.forgetExpired()
	if e, ok := d.events[eventID]; ok {
		if e.elem == nil {
			return InProgress, nil
		}
		return AlreadyDone, nil
	}
	d.events[eventID] = &memoryEvent{id: eventID}
	return Claimed, nil
}

// Done implements Deduplicator.
func (d *MemoryDeduplicator) Done(_ context.Context, eventID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.events[eventID]
	if !ok {
		e = &memoryEvent{id: eventID}
		d.events[eventID] = e
	}
	e.doneAt = d.now()
	if e.elem != nil {
		d.done.MoveToBack(e.elem)
	} else {
		e.elem = d.done.PushBack(e)
	}
	for d.done.Len() > d.max {
		d.forget(d.done.Front())
	}
	d.forgetExpired()
	return nil
}

// Release implements Deduplicator.
func (d *MemoryDeduplicator) Release(_ context.Context, eventID string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if e, ok := d.events[eventID]; ok && e.elem == nil {
		delete(d.events, eventID)
	}
	return nil
}

// forgetExpired drops the done events remembered for longer than remember.
func (d *MemoryDeduplicator) forgetExpired() {
	now := d.now()
	for front := d.done.Front(); front != nil; front = d.done.Front() {
		if now.Sub(front.Value.(*memoryEvent).doneAt) < d.remember {
			return
		}
		d.forget(front)
	}
}

func (d *MemoryDeduplicator) forget(elem *list.Element) {
	e := d.done.Remove(elem).(*memoryEvent)
	delete(d.events, e.id)
}
