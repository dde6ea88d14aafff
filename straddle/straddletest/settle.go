package straddletest

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// Settle completes every review running in the background now (see
// WithAsyncReviews), oldest first: each customer gets its outcome and
// customer.event.v1 announces it. It returns how many customers it settled;
// a review superseded since it started (by another refresh, an update that
// set a status or triggered a rescore, or a delete) is dropped uncounted.
func (s *Server) Settle() int {
	settled := 0
	for _, p := range s.notify.settling.takeAll() {
		if s.settle(p, nil) {
			settled++
		}
	}
	return settled
}

// SettleCustomer completes the review running in the background now for
// one customer of the account ("" for the account of APIKey), as Settle
// does for all. It reports whether one was running (and not superseded),
// and panics on an account no key may act for (see CustomerCount).
func (s *Server) SettleCustomer(accountID, id string) bool {
	key := customerKey{s.inspected("SettleCustomer", accountID), strings.ToLower(id)}
	p := s.notify.settling.take(key)
	return p != nil && s.settle(p, nil)
}

// PendingReviews returns how many reviews run in the background, waiting
// to settle or settling (see WithAsyncReviews).
func (s *Server) PendingReviews() int {
	st := &s.notify.settling
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.pending) + st.settling
}

// reviewRuns starts settling cust's background review, just started with
// its outcome decided (settleReview, the one place that decides) and stored
// with cust pending: at once, within the request c, unless WithAsyncReviews
// asked for later. The review settles on the outcome decided as it started,
// from the data it was given.
func (s *Server) reviewRuns(c *call, cust *customer, decided string) {
	p := &pendingReview{account: cust.account, id: cust.id, reviewID: cust.reviewID, outcome: decided}
	if !s.cfg.webhooks.async {
		s.settle(p, c)
		return
	}
	// Its clock starts once the request's own events are out, so that the
	// outcome is never announced before them.
	c.then = append(c.then, func() { s.notify.settling.add(p, s.cfg.webhooks.settleAfter) })
}

// errSuperseded stops a settlement whose review no longer runs.
var errSuperseded = errors.New("the review was superseded")

// settle completes p's review if it still runs: the customer gets the
// review's outcome and customer.event.v1 announces it. c is the request
// settling it, or nil.
func (s *Server) settle(p *pendingReview, c *call) bool {
	now := s.cfg.clock()
	if c != nil {
		now = c.now
	}
	next, err := s.store.modify(p.account, p.id, func(cur *customer) (*customer, error) {
		if cur.reviewID != p.reviewID || cur.status != statusPending {
			return nil, errSuperseded
		}
		n := cur.clone()
		n.status = p.outcome
		n.updatedAt, n.reviewUpdated = now, now
		return n, nil
	})
	if err != nil {
		return false
	}
	s.emit(c, next, webhook.CustomerEventV1)
	return true
}

// pendingReview is a review running in the background.
type pendingReview struct {
	account, id string
	reviewID    reviewRef
	outcome     string // the status it settles on
	seq         uint64
	timer       *time.Timer
}

func (p *pendingReview) key() customerKey { return customerKey{p.account, p.id} }

// settler holds the reviews running in the background, by customer (ids are
// unique only within an account): a customer has one review at a time, so
// a new one replaces the old.
type settler struct {
	n       *notifier
	mu      sync.Mutex
	pending map[customerKey]*pendingReview
	seq     uint64
	closed  bool
	// settling counts, and running waits for, settlements a timer started.
	settling int
	running  sync.WaitGroup
}

// add registers p, settling it after d when d is positive.
func (st *settler) add(p *pendingReview, d time.Duration) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return
	}
	if st.pending == nil {
		st.pending = map[customerKey]*pendingReview{}
	}
	key := p.key()
	if old := st.pending[key]; old != nil && old.timer != nil {
		old.timer.Stop()
	}
	st.seq++
	p.seq = st.seq
	st.pending[key] = p
	if d > 0 {
		p.timer = time.AfterFunc(d, func() { st.fire(p) })
	}
}

// fire settles p when its delay is over, unless it was settled, replaced
// or the server closed meanwhile.
func (st *settler) fire(p *pendingReview) {
	st.mu.Lock()
	if st.closed || st.pending[p.key()] != p {
		st.mu.Unlock()
		return
	}
	delete(st.pending, p.key())
	st.settling++
	st.running.Add(1)
	st.mu.Unlock()
	defer func() {
		st.mu.Lock()
		st.settling--
		st.mu.Unlock()
		st.running.Done()
	}()
	st.n.s.settle(p, nil)
}

func (st *settler) take(key customerKey) *pendingReview {
	st.mu.Lock()
	defer st.mu.Unlock()
	p := st.pending[key]
	if p != nil {
		delete(st.pending, key)
		if p.timer != nil {
			p.timer.Stop()
		}
	}
	return p
}

// takeAll removes and returns every pending review, oldest first.
func (st *settler) takeAll() []*pendingReview {
	st.mu.Lock()
	defer st.mu.Unlock()
	all := make([]*pendingReview, 0, len(st.pending))
	for _, p := range st.pending {
		if p.timer != nil {
			p.timer.Stop()
		}
		all = append(all, p)
	}
	st.pending = nil
	slices.SortFunc(all, func(a, b *pendingReview) int { return cmp.Compare(a.seq, b.seq) })
	return all
}

// close stops every timer and waits for the settlements under way.
func (st *settler) close() {
	st.mu.Lock()
	st.closed = true
	for _, p := range st.pending {
		if p.timer != nil {
			p.timer.Stop()
		}
	}
	st.pending = nil
	st.mu.Unlock()
	st.running.Wait()
}
