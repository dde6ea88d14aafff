package straddletest

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
)

// How a list is answered. Every list counts its matches exactly (total_items)
// and returns one page, in one of four orders, each with its own index (tree):
//
//   - No text or exact filter: the page is found by rank in the index of its
//     order, counting only the classes (status x type) the filters keep, and
//     a created_at range is a range of ranks in a created_at order. The list
//     holds the account's read lock once, for O(log n + page).
//   - A created_at range with a name order: the range is counted in the
//     created_at index. A small range is read from there and sorted; a large
//     one is walked in the name index from the nearer end of the page, which
//     costs O(page / the share of customers in the range).
//   - email or external_id: the customers an exact lookup names. (Should an
//     email beyond ASCII be stored, where case folding and lower-casing
//     differ, an email filter reads every row instead.)
//   - name or search_text (substring filters): the lower-cased text stored
//     with each row is searched, one block of rows per lock, at the speed of
//     bytes.Index. Up to maxSorted matches are sorted; more are marked in a
//     bitmap, and the page is walked in the index of the order from the
//     nearer end.
//
// A list that reads more than a bounded number of rows takes the lock a chunk
// at a time, so writers and readers of the account wait for one chunk at
// most. Such a list, run while the account changes, sees each customer at
// most once, as it was when its chunk was read.
const (
	walkChunk = 4096 // entries an index walk visits per lock
	maxSorted = 4096 // matches a list sorts itself; beyond, it walks an index
)

// listResult is one page of a list, the number of matches, and the work it
// took: entries, rows and index nodes looked at. Tests bound work to catch a
// list whose cost grows with the store where it need not. The page's
// customers lack their metadata (see pageBuilder).
type listResult struct {
	page  []*customer
	total int
	work  int
}

// pageBuilder reads the customers of a page into room allocated at once for
// all of them, and without their metadata, which a list's summaries do not
// show and which would cost a map each.
type pageBuilder struct {
	account string
	rooms   []readCustomer
	page    []*customer
}

func newPageBuilder(account string, n int) pageBuilder {
	return pageBuilder{account: account, rooms: make([]readCustomer, 0, n), page: make([]*customer, 0, n)}
}

func (pb *pageBuilder) add(r *record) {
	if len(pb.rooms) == cap(pb.rooms) {
		pb.rooms = make([]readCustomer, 0, max(2*cap(pb.rooms), 8)) // earlier rooms stay where they are
	}
	pb.rooms = pb.rooms[:len(pb.rooms)+1]
	rc := &pb.rooms[len(pb.rooms)-1]
	r.fill(&rc.c, pb.account, rc, false)
	pb.page = append(pb.page, &rc.c)
}

// listPlan is a parsed list request readied for the indexes.
type listPlan struct {
	lq           *listQuery
	kind         sortKind
	mask         classMask
	name, search []byte // lower-cased substring filters; nil when absent
	from, to     ticks  // created_at bounds, inclusive, when lq has them
	start, end   int    // the page: positions [start, end) among the matches, before clamping to the total
}

func newListPlan(lq *listQuery) *listPlan {
	p := &listPlan{lq: lq, mask: maskFor(lq.statuses, lq.types)}
	switch {
	case lq.sortBy == "created_at" && lq.order == "desc":
		p.kind = byCreatedDesc
	case lq.sortBy == "created_at":
		p.kind = byCreatedAsc
	case lq.order == "desc":
		p.kind = byNameDesc
	default:
		p.kind = byNameAsc
	}
	if lq.name != "" {
		p.name = []byte(strings.ToLower(lq.name))
	}
	if lq.search != "" {
		p.search = []byte(strings.ToLower(lq.search))
	}
	p.from, p.to = ticksAtLeast(lq.from), ticksOf(lq.to)
	p.start = (lq.page - 1) * lq.size
	p.end = p.start + lq.size
	return p
}

func (p *listPlan) ranged() bool { return !p.lq.from.IsZero() || !p.lq.to.IsZero() }

// matches reports whether the customer in row i of block b passes every
// filter of the list.
func (p *listPlan) matches(b *rowBlock, i uint32) bool {
	lq, m, r := p.lq, &b.meta[i], &b.recs[i]
	switch {
	case !p.mask.has(m.cls),
		!lq.from.IsZero() && r.created < p.from,
		!lq.to.IsZero() && r.created > p.to,
		lq.externalID != "" && !r.externalIDIs(lq.externalID),
		lq.email != "" && !strings.EqualFold(r.field(textEmail), lq.email),
		p.name != nil && !bytes.Contains(b.segment(m, segName), p.name),
		p.search != nil && !b.containsAny(m, p.search):
		return false
	}
	return true
}

// candidate is a match a list sorts itself: the customer's slot, id and sort
// fields (its lower-cased name is text of a block, never overwritten).
type candidate struct {
	slot    uint32
	id      string
	created ticks
	name    []byte
}

func newCandidate(b *rowBlock, slot uint32) candidate {
	i := slot & (blockSize - 1)
	return candidate{slot: slot, id: b.recs[i].id(), created: b.recs[i].created, name: b.segment(&b.meta[i], segName)}
}

// compare orders two matches as the list asks: by the sort field and
// direction, ties by id ascending, names case-insensitively.
func (p *listPlan) compare(x, y candidate) int {
	var n int
	if p.kind.field() == sortByName {
		n = bytes.Compare(x.name, y.name)
	} else {
		n = cmp.Compare(x.created, y.created)
	}
	if p.kind.desc() {
		n = -n
	}
	if n == 0 {
		n = strings.Compare(x.id, y.id)
	}
	return n
}

// sortedPage sorts the matches and reads the page of them from the rows,
// skipping any that changed since (a list racing writes).
func (a *account) sortedPage(p *listPlan, matches []candidate, work int) listResult {
	slices.SortFunc(matches, p.compare)
	res := listResult{total: len(matches), work: work + len(matches)}
	if p.start >= len(matches) {
		return res
	}
	want := matches[p.start:min(p.end, len(matches))]
	pb := newPageBuilder(a.id, len(want))
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, m := range want {
		b, i := a.rows.block(m.slot), m.slot&(blockSize-1)
		if b.recs[i].id() == m.id && p.matches(b, i) {
			pb.add(&b.recs[i])
		}
	}
	res.page = pb.page
	return res
}

// list answers a list request for the account.
func (s *store) list(accountID string, lq *listQuery) listResult {
	a := s.lookup(accountID)
	if a == nil {
		return listResult{}
	}
	p := newListPlan(lq)
	a.mu.RLock()
	var slots []uint32
	exact := true
	switch {
	case lq.email != "" && a.emailIndexed(lq.email):
		if slot, ok := a.byEmail[emailKey(lq.email)]; ok {
			slots = []uint32{slot}
		}
	case lq.externalID != "":
		slots = a.externalIDSlots(lq.externalID)
	default:
		exact = false
	}
	a.mu.RUnlock()
	switch {
	case exact:
		return a.listSlots(p, slots, s.pause)
	case p.name != nil || p.search != nil || lq.email != "":
		return a.listScan(p, s.pause)
	}
	return a.listIndexed(p, s.pause)
}

// emailIndexed reports whether byEmail finds every customer whose email is
// equal to email under Unicode case folding (strings.EqualFold): true when
// email and every stored email are ASCII, where folding is lower-casing.
func (a *account) emailIndexed(email string) bool { return a.nonASCII == 0 && isASCII(email) }

// listSlots answers a list from the customers an exact lookup found, reading
// them a block at a time.
func (a *account) listSlots(p *listPlan, slots []uint32, pause func()) listResult {
	var matches []candidate
	for i := 0; i < len(slots); i += blockSize {
		if i > 0 && pause != nil {
			pause()
		}
		a.mu.RLock()
		for _, slot := range slots[i:min(i+blockSize, len(slots))] {
			if b := a.rows.block(slot); p.matches(b, slot&(blockSize-1)) {
				matches = append(matches, newCandidate(b, slot))
			}
		}
		a.mu.RUnlock()
	}
	return a.sortedPage(p, matches, len(slots))
}

// listScan answers a list by reading every row, a block per lock.
func (a *account) listScan(p *listPlan, pause func()) listResult {
	needle := p.search
	if len(p.name) > len(needle) {
		needle = p.name
	}
	var (
		total, work int
		matches     []candidate
		marked      []uint64 // bitmap of matching slots, once there are more than maxSorted
	)
	for bi := 0; ; bi++ {
		if bi > 0 && pause != nil {
			pause()
		}
		a.mu.RLock()
		if bi >= len(a.rows.blocks) {
			a.mu.RUnlock()
			break
		}
		b := a.rows.blocks[bi]
		work++
		visit := func(i uint32) {
			work++
			if !p.matches(b, i) {
				return
			}
			total++
			slot := uint32(bi)<<blockBits | i
			if marked == nil && len(matches) < maxSorted {
				matches = append(matches, newCandidate(b, slot))
				return
			}
			if marked == nil {
				marked = make([]uint64, (a.rows.used+63)/64)
				for _, m := range matches {
					marked[m.slot/64] |= 1 << (m.slot % 64)
				}
				matches = nil
			}
			for int(slot/64) >= len(marked) {
				marked = append(marked, 0)
			}
			marked[slot/64] |= 1 << (slot % 64)
		}
		if needle != nil {
			b.rowsWithText(needle, visit)
		} else {
			for i := range uint32(len(b.meta)) {
				visit(i)
			}
		}
		a.mu.RUnlock()
	}
	if marked == nil {
		return a.sortedPage(p, matches, work)
	}
	isMarked := func(slot uint32) bool {
		return int(slot/64) < len(marked) && marked[slot/64]&(1<<(slot%64)) != 0
	}
	res := listResult{total: total, work: work}
	res.page = a.walkPage(p, total, isMarked, &res.work, pause)
	return res
}

// listIndexed answers a list that only the classes and a created_at range
// filter, from the indexes.
func (a *account) listIndexed(p *listPlan, pause func()) listResult {
	var res listResult
	a.mu.RLock()
	if p.ranged() && p.kind.field() == sortByName {
		// Count the range in the created_at index; read it from there when
		// small, else walk the name index for the page.
		t := a.trees[sortByCreated]
		lo, hi := p.createdRange(t)
		res.total = max(hi-lo, 0)
		if res.total <= maxSorted {
			var matches []candidate
			if res.total > 0 {
				t.ascend(lo, p.mask, &res.work, func(slot uint32, _ class) bool {
					matches = append(matches, newCandidate(a.rows.block(slot), slot))
					return len(matches) < res.total
				})
			}
			a.mu.RUnlock()
			return a.sortedPage(p, matches, res.work)
		}
		a.mu.RUnlock()
		res.page = a.walkPage(p, res.total, nil, &res.work, pause)
		return res
	}
	defer a.mu.RUnlock()
	t := a.trees[p.kind.field()]
	lo, hi := 0, t.count(p.mask)
	if p.ranged() {
		lo, hi = p.createdRange(t)
	}
	res.total = max(hi-lo, 0)
	if p.start >= res.total {
		return res
	}
	want := min(p.end, res.total) - p.start
	pb := newPageBuilder(a.id, want)
	collect := func(slot uint32, _ class) bool {
		pb.add(a.rows.rec(slot))
		return len(pb.page) < want
	}
	if p.kind.desc() {
		t.descending(lo, hi, p.start, p.mask, &res.work, collect)
	} else {
		t.ascend(lo+p.start, p.mask, &res.work, collect)
	}
	res.page = pb.page
	return res
}

// createdRange is the range of ranks [lo, hi) in t, the created_at index, of
// the customers of the list's classes created within its bounds.
func (p *listPlan) createdRange(t *tree) (lo, hi int) {
	lo, hi = 0, t.count(p.mask)
	if !p.lq.from.IsZero() {
		k := createdBound(p.from, -1)
		lo = t.rank(&k, p.mask)
	}
	if !p.lq.to.IsZero() {
		k := createdBound(p.to, +1)
		hi = t.rank(&k, p.mask)
	}
	return lo, hi
}

// walkPage returns the page [p.start, p.end) of the customers in p's order
// that pass the list's filters and keep (when not nil), of which there are
// total, walking the index from the nearer end of the page. A descending
// order is walked by group of equal field, each group reversed.
func (a *account) walkPage(p *listPlan, total int, keep func(slot uint32) bool, work *int, pause func()) []*customer {
	end := min(p.end, total)
	if p.start >= end {
		return nil
	}
	fromStart := p.start <= total-end
	skip, want := p.start, end-p.start
	if !fromStart {
		skip = total - end
	}
	pb := newPageBuilder(a.id, want)
	passes := func(slot uint32) (*rowBlock, uint32, bool) {
		b, i := a.rows.block(slot), slot&(blockSize-1)
		return b, i, (keep == nil || keep(slot)) && p.matches(b, i)
	}
	take := func(b *rowBlock, i uint32) bool {
		if skip > 0 {
			skip--
			return true
		}
		pb.add(&b.recs[i])
		return len(pb.page) < want
	}
	t := a.trees[p.kind.field()]
	backward := fromStart == p.kind.desc() // in the index's own order
	if !p.kind.desc() {
		a.walk(t, p.mask, backward, work, pause, func(slot uint32) bool {
			b, i, ok := passes(slot)
			return !ok || take(b, i)
		})
	} else {
		type entry struct {
			slot uint32
			id   string
			key  treeKey
		}
		var group []entry // a group of equal field, in the walk's order
		full := false
		flush := func() bool {
			for j := len(group) - 1; j >= 0; j-- {
				e := group[j]
				b, i, ok := passes(e.slot)
				if ok && b.recs[i].id() == e.id && !take(b, i) {
					full = true
					return false
				}
			}
			group = group[:0]
			return true
		}
		a.walk(t, p.mask, backward, work, pause, func(slot uint32) bool {
			b, i, ok := passes(slot)
			if !ok {
				return true
			}
			k := t.keyOf(slot)
			if len(group) > 0 && !t.sameField(&group[0].key, &k) && !flush() {
				return false
			}
			group = append(group, entry{slot, b.recs[i].id(), k})
			return true
		})
		if !full {
			a.mu.RLock()
			flush()
			a.mu.RUnlock()
		}
	}
	if !fromStart {
		slices.Reverse(pb.page)
	}
	return pb.page
}

// walk visits the entries of the classes in m in index t, forward or in
// reverse, until fn returns false. It holds the read lock for
// walkChunk entries at a time, and resumes after the last entry it visited.
func (a *account) walk(t *tree, m classMask, reverse bool, work *int, pause func(), fn func(slot uint32) bool) {
	var resume *treeKey
	for {
		a.mu.RLock()
		visited, paused := 0, false
		var last uint32
		visit := func(slot uint32, _ class) bool {
			if visited == walkChunk {
				paused = true
				return false
			}
			visited++
			last = slot
			return fn(slot)
		}
		if reverse {
			before := t.count(m)
			if resume != nil {
				before = t.rank(resume, m)
			}
			t.descend(before, m, work, visit)
		} else {
			from := 0
			if resume != nil {
				from = t.rank(resume, m)
			}
			t.ascend(from, m, work, visit)
		}
		if paused {
			k := t.keyOf(last)
			k.after = !reverse
			resume = &k
		}
		a.mu.RUnlock()
		if !paused {
			return
		}
		if pause != nil {
			pause()
		}
	}
}
