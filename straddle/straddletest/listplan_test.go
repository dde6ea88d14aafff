package straddletest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// The list engine against the plain definition of a list: filter every
// customer, sort them all, slice the page. Random stores and random queries
// cover every path (index, range, exact lookups, text scans sorted or walked,
// chunked walks from either end) at sizes that build trees of three levels.

// naiveMatches is the definition of the list filters.
func naiveMatches(lq *listQuery, c *customer) bool {
	containsFold := func(s, sub string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(sub)) }
	switch {
	case len(lq.statuses) > 0 && !slices.Contains(lq.statuses, c.status),
		len(lq.types) > 0 && !slices.Contains(lq.types, c.typ),
		!lq.from.IsZero() && c.createdAt.Before(lq.from),
		!lq.to.IsZero() && c.createdAt.After(lq.to),
		lq.name != "" && !containsFold(c.name, lq.name),
		lq.externalID != "" && (c.externalID == nil || *c.externalID != lq.externalID),
		lq.email != "" && !strings.EqualFold(c.email, lq.email):
		return false
	}
	if lq.search != "" {
		return containsFold(c.name, lq.search) || containsFold(c.email, lq.search) ||
			containsFold(c.phone, lq.search) || (c.externalID != nil && containsFold(*c.externalID, lq.search))
	}
	return true
}

// naiveCompare is the definition of the list order.
func naiveCompare(lq *listQuery, a, b *customer) int {
	var n int
	if lq.sortBy == "created_at" {
		n = a.createdAt.Compare(b.createdAt)
	} else {
		n = cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	}
	if lq.order == "desc" {
		n = -n
	}
	if n == 0 {
		n = cmp.Compare(a.id, b.id)
	}
	return n
}

// naiveSorted returns the ids of every match of lq, in lq's order.
func naiveSorted(all map[string]*customer, lq *listQuery) []string {
	type hit struct {
		c     *customer
		lower string // strings.ToLower(c.name), computed once, for speed
	}
	var hits []hit
	for _, c := range all {
		if naiveMatches(lq, c) {
			hits = append(hits, hit{c, strings.ToLower(c.name)})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if lq.sortBy != "created_at" {
			n := cmp.Compare(a.lower, b.lower)
			if lq.order == "desc" {
				n = -n
			}
			if n != 0 {
				return n
			}
		}
		return naiveCompare(lq, a.c, b.c)
	})
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.c.id
	}
	return ids
}

// storeModel drives a store and a plain map of what it should hold.
type storeModel struct {
	t       testing.TB
	rng     *rand.Rand
	s       *store
	account string
	all     map[string]*customer
	ids     []string
	base    time.Time
	seq     int
	unicode bool // some emails beyond ASCII (which turns the email index off)
	few     bool // three names only: groups of equal name far larger than a page
}

func newStoreModel(t testing.TB, seed uint64) *storeModel {
	return &storeModel{t: t, rng: rand.New(rand.NewPCG(seed, 1)), s: newStore(), account: "acct",
		all: map[string]*customer{}, base: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

var (
	modelFirst = []string{"Ann", "ann", "APRIL", "Ben", "Ron", "Leslie", "Tom", "Éclair", "ÉCLAIR", "Zoë", "andy", "Donna"}
	modelLast  = []string{"Perkins", "Ludgate", "Wyatt", "Swanson", "Knope", "Haverford", "Dwyer", "Meagle", "perkins", ""}
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (m *storeModel) pick(list []string) string { return list[m.rng.IntN(len(list))] }

func (m *storeModel) newCustomer() *customer {
	m.seq++
	rng := m.rng
	created := m.base.Add(time.Duration(rng.IntN(m.seq/3+2)) * time.Minute) // many ties
	switch rng.IntN(50) {
	case 0:
		created = created.Add(time.Duration(rng.IntN(1000)) * time.Nanosecond) // below the stored precision
	case 1:
		created = created.AddDate(-60, 0, 0).Add(time.Duration(rng.IntN(1000)) * time.Nanosecond) // before 1970
	case 2:
		created = created.AddDate(-2000, 0, 0) // before the index's nanosecond range
	case 3:
		created = created.AddDate(500, 0, 0) // after it
	}
	c := &customer{
		id:     fmt.Sprintf("019f3b3d-5816-77fb-8a9c-%012x", rng.Uint64()>>16),
		name:   strings.TrimSpace(m.pick(modelFirst) + " " + m.pick(modelLast)),
		typ:    []string{typeIndividual, typeIndividual, typeBusiness}[rng.IntN(3)],
		email:  fmt.Sprintf("%s%d@%s", []string{"user", "User", "ü"}[rng.IntN(2+b2i(m.unicode))], m.seq, []string{"example.com", "Pawnee.gov"}[rng.IntN(2)]),
		phone:  fmt.Sprintf("+1317555%04d", rng.IntN(10000)),
		status: statusOrder[rng.IntN(len(statusOrder))], createdAt: created, updatedAt: created,
		account: m.account,
	}
	if m.few {
		c.name = []string{"Ann Perkins", "ANN PERKINS", "Ron Swanson", "Ann Perkins, the longer name",
			"Ann Perkins, the other name", "Ann Perkins, th", "Ann Perkins\x00"}[rng.IntN(7)]
	}
	if rng.IntN(2) == 0 {
		ext := fmt.Sprintf("crm-%d", rng.IntN(m.seq/4+1)) // shared by several customers
		c.externalID = &ext
	}
	return c
}

func (m *storeModel) add() {
	c := m.newCustomer()
	if err := m.s.add(c); err != nil {
		m.t.Fatalf("add: %v", err)
	}
	m.all[c.id] = c
	m.ids = append(m.ids, c.id)
}

func (m *storeModel) modify() {
	if len(m.ids) == 0 {
		return
	}
	id := m.ids[m.rng.IntN(len(m.ids))]
	repl := m.newCustomer()
	next, err := m.s.modify(m.account, id, func(cur *customer) (*customer, error) {
		n := cur.clone()
		switch m.rng.IntN(4) {
		case 0:
			n.name = repl.name
		case 1:
			n.status = repl.status
		case 2:
			n.externalID, n.phone = repl.externalID, repl.phone
		default:
			n.email, n.name, n.status = repl.email, repl.name, repl.status
		}
		return n, nil
	})
	if err != nil {
		m.t.Fatalf("modify: %v", err)
	}
	m.all[id] = next
}

func (m *storeModel) remove() {
	if len(m.ids) == 0 {
		return
	}
	i := m.rng.IntN(len(m.ids))
	id := m.ids[i]
	if _, ok := m.s.remove(m.account, id); !ok {
		m.t.Fatalf("remove %s: not found", id)
	}
	delete(m.all, id)
	m.ids[i] = m.ids[len(m.ids)-1]
	m.ids = m.ids[:len(m.ids)-1]
}

// randomQuery builds a list query string as a client would send it.
func (m *storeModel) randomQuery() url.Values {
	rng := m.rng
	q := url.Values{}
	if rng.IntN(2) == 0 {
		q.Set("sort_by", []string{"name", "created_at"}[rng.IntN(2)])
	}
	if rng.IntN(2) == 0 {
		q.Set("sort_order", []string{"asc", "desc"}[rng.IntN(2)])
	}
	q.Set("page_size", fmt.Sprint([]int{1, 7, 100, 1000}[rng.IntN(4)]))
	for range rng.IntN(3) {
		q.Add("status", statusOrder[rng.IntN(len(statusOrder))])
	}
	if rng.IntN(4) == 0 {
		q.Add("types", []string{typeIndividual, typeBusiness}[rng.IntN(2)])
	}
	span := time.Duration(m.seq/3+2) * time.Minute
	bound := func() string {
		if len(m.ids) > 0 && rng.IntN(2) == 0 {
			at := m.all[m.ids[rng.IntN(len(m.ids))]].createdAt
			if rng.IntN(2) == 0 {
				return formatTime(at) // as a client read it
			}
			return at.Add(time.Duration(rng.IntN(199)-99) * time.Nanosecond).Format(time.RFC3339Nano) // between stored ticks
		}
		return m.base.Add(time.Duration(rng.Int64N(int64(span)))).Format(time.RFC3339Nano)
	}
	if rng.IntN(3) == 0 {
		q.Set("created_from", bound())
	}
	if rng.IntN(3) == 0 {
		q.Set("created_to", bound())
	}
	switch rng.IntN(8) {
	case 0:
		q.Set("name", []string{"ann", "PERK", "éc", "zoë", "n p", "xyz"}[rng.IntN(6)])
	case 1:
		q.Set("search_text", []string{"example", "PAWNEE", "555", "crm-1", "ü", "n p", "gov", "ron"}[rng.IntN(8)])
	case 2:
		if len(m.ids) > 0 {
			e := m.all[m.ids[rng.IntN(len(m.ids))]].email
			q.Set("email", []string{e, strings.ToUpper(e), "nobody@example.com"}[rng.IntN(3)])
		}
	case 3:
		q.Set("external_id", fmt.Sprintf("crm-%d", rng.IntN(m.seq/4+1)))
	}
	return q
}

// check lists q, at a page near either end or in the middle unless q names
// one, and compares the result with naiveList.
func (m *storeModel) check(q url.Values) listResult {
	m.t.Helper()
	lq, e := parseListQuery(q)
	if e != nil {
		m.t.Fatalf("%s: %v", q.Encode(), e)
	}
	sorted := naiveSorted(m.all, lq)
	total := len(sorted)
	if !q.Has("page_number") {
		last := max((total+lq.size-1)/lq.size, 1)
		lq.page = []int{1, 2, last - 1, last, last + 1, 1 + m.rng.IntN(last)}[m.rng.IntN(6)]
		lq.page = max(lq.page, 1)
		q.Set("page_number", fmt.Sprint(lq.page))
	}
	res := m.s.list(m.account, lq)
	var got []string
	for _, c := range res.page {
		got = append(got, c.id)
	}
	var want []string
	if start := (lq.page - 1) * lq.size; start < total {
		want = sorted[start:min(start+lq.size, total)]
	}
	if res.total != total || !slices.Equal(got, want) {
		m.t.Fatalf("%s (store of %d): got total %d, %d ids %v\nwant total %d, %d ids %v",
			q.Encode(), len(m.all), res.total, len(got), head(got), total, len(want), head(want))
	}
	return res
}

func head(ids []string) []string { return ids[:min(len(ids), 5)] }

// scaled is n, or less under the race detector.
func scaled(n int) int {
	if raceEnabled {
		return n * 2 / 5
	}
	return n
}

func TestListMatchesItsDefinition(t *testing.T) {
	for _, tc := range []struct {
		size         int
		unicode, few bool
	}{{0, false, false}, {1, false, false}, {130, true, false}, {3000, false, false}, {3000, true, false},
		{3000, false, true}, {scaled(20000), false, false}} {
		size := tc.size
		t.Run(fmt.Sprint(size, "/unicode=", tc.unicode, "/few=", tc.few), func(t *testing.T) {
			m := newStoreModel(t, uint64(size))
			m.unicode, m.few = tc.unicode, tc.few
			for len(m.all) < size {
				m.add()
			}
			for i := range scaled(150) {
				switch m.rng.IntN(6) {
				case 0:
					m.add()
				case 1:
					m.remove()
				case 2:
					m.modify()
				}
				m.check(m.randomQuery())
				if i%50 == 0 {
					m.checkTrees()
				}
			}
			m.checkTrees()
		})
	}
}

// TestListAfterChurn removes and changes most of a large store, so that
// trees shrink, merge and lose levels, and slots and text are reused.
func TestListAfterChurn(t *testing.T) {
	m := newStoreModel(t, 7)
	for range scaled(12000) {
		m.add()
	}
	for len(m.all) > 300 {
		m.remove()
		if m.rng.IntN(3) == 0 {
			m.modify()
		}
		if len(m.all)%2000 == 0 {
			m.check(m.randomQuery())
			m.checkTrees()
		}
	}
	for range 3000 {
		m.add()
	}
	m.checkTrees()
	for range 100 {
		m.check(m.randomQuery())
	}
}

// checkTrees verifies every index against the rows: each holds every
// customer once, in order, with right counts and first keys in inner nodes.
func (m *storeModel) checkTrees() {
	m.t.Helper()
	a := m.s.lookup(m.account)
	if a == nil {
		return
	}
	for kind, t := range a.trees {
		var slots []uint32
		work := 0
		t.ascend(0, allClasses, &work, func(slot uint32, c class) bool {
			if r, meta := a.rows.rec(slot), a.rows.meta(slot); m.all[r.id()] == nil || meta.cls != c {
				m.t.Fatalf("tree %d: slot %d holds %q, class %d vs %d", kind, slot, r.id(), meta.cls, c)
			}
			slots = append(slots, slot)
			return true
		})
		if len(slots) != len(m.all) || t.count(allClasses) != len(m.all) {
			m.t.Fatalf("tree %d holds %d entries (counts %d), the store %d", kind, len(slots), t.count(allClasses), len(m.all))
		}
		for i := 1; i < len(slots); i++ {
			k, next := t.keyOf(slots[i-1]), t.keyOf(slots[i])
			if t.compare(&k, next.w[:t.stride], slots[i]) >= 0 {
				m.t.Fatalf("tree %d out of order at %d", kind, i)
			}
		}
		if t.height > 0 {
			checkNode(m.t, t, t.root, t.height)
		}
	}
}

func checkNode(tb testing.TB, t *tree, x *innerNode, level int) (classCounts, uint32) {
	var sum classCounts
	var total uint32
	if x.n == 0 {
		tb.Fatal("empty inner node")
	}
	for i := range x.n {
		var cc classCounts
		var n uint32
		var first [maxWords]uint64
		var slot uint32
		if level == 1 {
			l := x.leaves[i]
			if l.len() == 0 {
				tb.Fatal("empty leaf")
			}
			if len(l.words) != l.len()*t.stride || len(l.cls) != l.len() {
				tb.Fatalf("leaf arrays out of step: %d %d %d", len(l.words), len(l.slot), len(l.cls))
			}
			for j := range l.len() {
				if k := t.keyOf(l.slot[j]); !slices.Equal(k.w[:t.stride], l.key(j, t.stride)) {
					tb.Fatalf("entry %d of a leaf has words %x, its row %x", j, l.key(j, t.stride), k.w)
				}
			}
			for _, c := range l.cls {
				cc[c]++
			}
			copy(first[:], l.key(0, t.stride))
			n, slot = uint32(l.len()), l.slot[0]
		} else {
			cc, n = checkNode(tb, t, x.inners[i], level-1)
			first, slot = x.inners[i].minKey[0], x.inners[i].minSlot[0]
		}
		if cc != x.counts[i] || n != x.total[i] || first != x.minKey[i] || slot != x.minSlot[i] {
			tb.Fatalf("level %d child %d: counts %v/%d first %x/%d, node says %v/%d first %x/%d",
				level, i, cc, n, first, slot, x.counts[i], x.total[i], x.minKey[i], x.minSlot[i])
		}
		for c := range sum {
			sum[c] += cc[c]
		}
		total += n
	}
	return sum, total
}

// TestTreeOrderedInsertsFillNodes: customers created in order (every
// created_at index) and in reverse fill the index's nodes, so that a million
// customers cost little memory; and the trees stay right.
func TestTreeOrderedInsertsFillNodes(t *testing.T) {
	n := scaled(20000)
	for _, order := range []string{"ascending", "descending"} {
		t.Run(order, func(t *testing.T) {
			m := newStoreModel(t, 3)
			for i := range n {
				c := m.newCustomer()
				at := i
				if order == "descending" {
					at = n - i
				}
				c.createdAt = m.base.Add(time.Duration(at) * time.Second)
				if err := m.s.add(c); err != nil {
					t.Fatal(err)
				}
				m.all[c.id] = c
				m.ids = append(m.ids, c.id)
			}
			m.checkTrees()
			a := m.s.lookup(m.account)
			for _, field := range []sortField{sortByCreated} {
				leaves := 0
				tr := a.trees[field]
				var walkLeaves func(x *innerNode, level int)
				walkLeaves = func(x *innerNode, level int) {
					for i := range x.n {
						if level == 1 {
							leaves++
						} else {
							walkLeaves(x.inners[i], level-1)
						}
					}
				}
				walkLeaves(tr.root, tr.height)
				if fill := float64(n) / float64(leaves*leafCap); fill < 0.95 {
					t.Errorf("index %d: %d leaves for %d entries, %.0f%% full", field, leaves, n, 100*fill)
				}
			}
			for range 20 {
				m.check(m.randomQuery())
			}
		})
	}
}
