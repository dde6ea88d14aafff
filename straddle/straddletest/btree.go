package straddletest

import (
	"bytes"
	"math/bits"
	"slices"
	"strings"
)

// class is a customer's status and type as one small number, so that an index
// can count its entries by class and serve the status and types filters (and
// any union of them) by rank.
type class uint8

// classMask is a set of classes: the customers a status and types filter keeps.
type classMask uint32

var (
	statusOrder = [...]string{statusPending, statusReview, statusVerified, statusInactive, statusRejected}
	typeOrder   = [...]string{typeIndividual, typeBusiness}
)

const (
	numStatuses = len(statusOrder) + 1 // and one for a status the spec does not name
	numTypes    = len(typeOrder) + 1   // and one for a type the spec does not name
	numClasses  = numStatuses * numTypes
	allClasses  = classMask(1)<<numClasses - 1
)

func indexOf[T comparable](list []T, v T) int {
	for i, x := range list {
		if x == v {
			return i
		}
	}
	return len(list)
}

func classOf(status, typ string) class {
	return class(indexOf(statusOrder[:], status)*numTypes + indexOf(typeOrder[:], typ))
}

func (m classMask) has(c class) bool { return m&(1<<c) != 0 }

// maskFor returns the classes with one of statuses (any, when empty) and one
// of types (any, when empty). Values the spec does not name match nothing.
func maskFor(statuses, types []string) classMask {
	var m classMask
	for s := range numStatuses {
		for t := range numTypes {
			if (len(statuses) == 0 || (s < len(statusOrder) && indexOf(statuses, statusOrder[s]) < len(statuses))) &&
				(len(types) == 0 || (t < len(typeOrder) && indexOf(types, typeOrder[t]) < len(types))) {
				m |= 1 << (s*numTypes + t)
			}
		}
	}
	return m
}

// sortKind is one order a list can ask for. Ties are broken by id ascending
// in every order, so a descending order is not the reverse of its ascending
// one, and each has its own index.
type sortKind uint8

const (
	byNameAsc sortKind = iota
	byNameDesc
	byCreatedAsc
	byCreatedDesc
	numSortKinds
)

func (k sortKind) byName() bool { return k == byNameAsc || k == byNameDesc }
func (k sortKind) desc() bool   { return k == byNameDesc || k == byCreatedDesc }

// treeKey is a position in an index: a customer's sort field and id, or a
// bound before (bound -1) or after (bound +1) every id with a given field.
type treeKey struct {
	pre     uint64 // order-preserving prefix of the sort field; entries compare by it first
	name    []byte // lower-cased name, for the name orders
	created ticks
	id      string
	bound   int8 // nonzero: the key sorts before (-1) or after (+1) every id with its field
	after   bool // the key sorts just after the entry with its field and id
}

// namePrefix is the first 8 bytes of a lower-cased name, zero padded: a
// shorter name's prefix never exceeds a longer one it begins.
func namePrefix(lower []byte) uint64 {
	var b [8]byte
	copy(b[:], lower)
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

// newTreeKey is the key in order kind of the customer r with lower-cased name.
func newTreeKey(kind sortKind, r *record, name []byte) treeKey {
	k := treeKey{id: r.id}
	if kind.byName() {
		k.name, k.pre = name, namePrefix(name)
	} else {
		k.created, k.pre = r.created, uint64(r.created)^1<<63
	}
	if kind.desc() {
		k.pre = ^k.pre
	}
	return k
}

// createdBound is the key before (bound -1) or after (bound +1) every
// customer created at t, in a created_at order.
func createdBound(kind sortKind, t ticks, bound int8) treeKey {
	k := treeKey{created: t, pre: uint64(t) ^ 1<<63, bound: bound}
	if kind.desc() {
		k.pre = ^k.pre
	}
	return k
}

// Node capacities: a leaf holds up to leafCap entries, an inner node up to
// innerCap children. A million entries make a tree of four levels.
const (
	leafCap  = 128
	innerCap = 64
)

// leafNode holds entries in order: the prefix of each key, the customer's
// slot and its class. It holds no pointers the collector must follow beyond
// its three arrays, which grow to leafCap (a small account's tree is small).
type leafNode struct {
	pre  []uint64
	slot []uint32
	cls  []class
}

func (l *leafNode) len() int { return len(l.slot) }

func (l *leafNode) insertAt(i int, pre uint64, slot uint32, c class) {
	if n := len(l.slot); n == cap(l.slot) {
		size := min(max(2*n, 4), leafCap)
		l.pre = append(make([]uint64, 0, size), l.pre...)
		l.slot = append(make([]uint32, 0, size), l.slot...)
		l.cls = append(make([]class, 0, size), l.cls...)
	}
	l.pre = slices.Insert(l.pre, i, pre)
	l.slot = slices.Insert(l.slot, i, slot)
	l.cls = slices.Insert(l.cls, i, c)
}

func (l *leafNode) removeAt(i int) {
	l.pre = slices.Delete(l.pre, i, i+1)
	l.slot = slices.Delete(l.slot, i, i+1)
	l.cls = slices.Delete(l.cls, i, i+1)
}

// splitAt moves the entries from i on into a new leaf of full capacity.
func (l *leafNode) splitAt(i int) *leafNode {
	r := &leafNode{
		pre:  append(make([]uint64, 0, leafCap), l.pre[i:]...),
		slot: append(make([]uint32, 0, leafCap), l.slot[i:]...),
		cls:  append(make([]class, 0, leafCap), l.cls[i:]...),
	}
	l.pre, l.slot, l.cls = l.pre[:i], l.slot[:i], l.cls[:i]
	return r
}

// classCounts counts the entries of a subtree by class.
type classCounts [numClasses]uint32

func (cc *classCounts) masked(total uint32, m classMask) int {
	if m == allClasses {
		return int(total)
	}
	n := 0
	for m &= allClasses; m != 0; m &= m - 1 {
		n += int(cc[bits.TrailingZeros32(uint32(m))])
	}
	return n
}

// innerNode holds up to innerCap children (inner nodes, or leaves at the
// lowest inner level), each with its first key and its entry counts.
type innerNode struct {
	n       int
	inners  [innerCap]*innerNode
	leaves  [innerCap]*leafNode
	minPre  [innerCap]uint64
	minSlot [innerCap]uint32
	total   [innerCap]uint32
	counts  [innerCap]classCounts
}

// tree is an order-statistic B+tree of the customers of one account in one
// order. Entries are slots of the account's rows; keys beyond an entry's
// prefix are read from its row. Counts by class in the inner nodes give the
// rank of any key, and the entry at any rank, among the customers of any set
// of classes in O(log n).
type tree struct {
	kind   sortKind
	rows   *rowStore
	leaf   *leafNode  // the root while the tree fits one leaf (height 0)
	root   *innerNode // the root from height 1 on
	height int        // inner levels; children of level-1 nodes are leaves
}

func newTree(kind sortKind, rows *rowStore) *tree {
	return &tree{kind: kind, rows: rows, leaf: &leafNode{}}
}

// compare orders k against the entry with prefix pre in slot.
func (t *tree) compare(k *treeKey, pre uint64, slot uint32) int {
	if k.pre != pre {
		if k.pre < pre {
			return -1
		}
		return 1
	}
	var n int
	if t.kind.byName() {
		n = bytes.Compare(k.name, t.rows.name(slot))
		if t.kind.desc() {
			n = -n
		}
	} // a created_at prefix is the whole field
	switch {
	case n != 0:
		return n
	case k.bound != 0:
		return int(k.bound)
	}
	if n = strings.Compare(k.id, t.rows.rec(slot).id); n == 0 && k.after {
		n = 1
	}
	return n
}

// lowerBound is the index of the first entry of l not before k.
func (t *tree) lowerBound(l *leafNode, k *treeKey) int {
	lo, hi := 0, l.len()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if t.compare(k, l.pre[mid], l.slot[mid]) > 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// childFor is the index of the child of x whose range holds k: the last
// child whose first key is not after k, or the first child.
func (t *tree) childFor(x *innerNode, k *treeKey) int {
	lo, hi := 1, x.n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if t.compare(k, x.minPre[mid], x.minSlot[mid]) >= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// refresh recomputes x's first key and counts of child i from the child.
func (x *innerNode) refresh(i int, level int) {
	var cc classCounts
	var total uint32
	if level == 1 {
		l := x.leaves[i]
		for _, c := range l.cls {
			cc[c]++
		}
		total = uint32(l.len())
		x.minPre[i], x.minSlot[i] = l.pre[0], l.slot[0]
	} else {
		y := x.inners[i]
		for j := range y.n {
			for c := range cc {
				cc[c] += y.counts[j][c]
			}
			total += y.total[j]
		}
		x.minPre[i], x.minSlot[i] = y.minPre[0], y.minSlot[0]
	}
	x.counts[i], x.total[i] = cc, total
}

// insertChild makes room at i and puts a leaf or inner child there.
func (x *innerNode) insertChild(i int, l *leafNode, y *innerNode) {
	copy(x.inners[i+1:x.n+1], x.inners[i:x.n])
	copy(x.leaves[i+1:x.n+1], x.leaves[i:x.n])
	copy(x.minPre[i+1:x.n+1], x.minPre[i:x.n])
	copy(x.minSlot[i+1:x.n+1], x.minSlot[i:x.n])
	copy(x.total[i+1:x.n+1], x.total[i:x.n])
	copy(x.counts[i+1:x.n+1], x.counts[i:x.n])
	x.inners[i], x.leaves[i] = y, l
	x.n++
}

func (x *innerNode) removeChild(i int) {
	copy(x.inners[i:], x.inners[i+1:x.n])
	copy(x.leaves[i:], x.leaves[i+1:x.n])
	copy(x.minPre[i:], x.minPre[i+1:x.n])
	copy(x.minSlot[i:], x.minSlot[i+1:x.n])
	copy(x.total[i:], x.total[i+1:x.n])
	copy(x.counts[i:], x.counts[i+1:x.n])
	x.n--
	x.inners[x.n], x.leaves[x.n] = nil, nil
}

// splitAt moves the children of y from i on into a new inner node.
func (y *innerNode) splitAt(i int) *innerNode {
	r := &innerNode{n: y.n - i}
	copy(r.inners[:], y.inners[i:y.n])
	copy(r.leaves[:], y.leaves[i:y.n])
	copy(r.minPre[:], y.minPre[i:y.n])
	copy(r.minSlot[:], y.minSlot[i:y.n])
	copy(r.total[:], y.total[i:y.n])
	copy(r.counts[:], y.counts[i:y.n])
	for j := i; j < y.n; j++ {
		y.inners[j], y.leaves[j] = nil, nil
	}
	y.n = i
	return r
}

// splitPoint is where a full node of n entries splits for an insert at
// pos: at the end for an append and at the start for a prepend (so that
// ascending or descending inserts leave full nodes behind), else in the
// middle.
func splitPoint(n, pos int) int {
	switch {
	case pos >= n:
		return n
	case pos == 0:
		return 0
	}
	return n / 2
}

// insert adds the entry for slot, of class c, at key k.
func (t *tree) insert(k *treeKey, slot uint32, c class) {
	if t.height == 0 {
		l := t.leaf
		pos := t.lowerBound(l, k)
		if l.len() < leafCap {
			l.insertAt(pos, k.pre, slot, c)
			return
		}
		t.root = &innerNode{n: 1}
		t.root.leaves[0] = l
		t.root.refresh(0, 1)
		t.leaf, t.height = nil, 1
	}
	if t.root.n == innerCap {
		old := t.root
		t.root = &innerNode{n: 1}
		t.root.inners[0] = old
		t.height++
		t.root.refresh(0, t.height)
		t.splitChild(t.root, 0, t.height, t.childFor(old, k))
	}
	x, level := t.root, t.height
	for {
		i := t.childFor(x, k)
		if level == 1 {
			l := x.leaves[i]
			pos := t.lowerBound(l, k)
			if l.len() == leafCap {
				at := splitPoint(leafCap, pos)
				x.insertChild(i+1, l.splitAt(at), nil)
				if pos > at || (pos == at && at > 0) {
					l, pos = x.leaves[i+1], pos-at
				}
				l.insertAt(pos, k.pre, slot, c)
				x.refresh(i, 1)
				x.refresh(i+1, 1)
				return
			}
			l.insertAt(pos, k.pre, slot, c)
			x.counts[i][c]++
			x.total[i]++
			if pos == 0 {
				x.minPre[i], x.minSlot[i] = k.pre, slot
			}
			return
		}
		if y := x.inners[i]; y.n == innerCap {
			t.splitChild(x, i, level, t.childFor(y, k))
			if t.compare(k, x.minPre[i+1], x.minSlot[i+1]) >= 0 {
				i++
			}
		}
		if i == 0 && t.compare(k, x.minPre[0], x.minSlot[0]) < 0 {
			x.minPre[0], x.minSlot[0] = k.pre, slot
		}
		x.counts[i][c]++
		x.total[i]++
		x, level = x.inners[i], level-1
	}
}

// splitChild splits the full inner child i of x, a node at level, for an
// insert that goes to the child's child j.
func (t *tree) splitChild(x *innerNode, i, level, j int) {
	at := innerCap / 2
	switch j {
	case 0:
		at = 1 // inserts at the front: keep the rest full
	case innerCap - 1:
		at = innerCap - 1 // inserts at the end
	}
	x.insertChild(i+1, nil, x.inners[i].splitAt(at))
	x.refresh(i, level)
	x.refresh(i+1, level)
}

// remove deletes the entry at key k and reports whether there was one.
func (t *tree) remove(k *treeKey) bool {
	if t.height == 0 {
		l := t.leaf
		pos := t.lowerBound(l, k)
		if pos == l.len() || t.compare(k, l.pre[pos], l.slot[pos]) != 0 {
			return false
		}
		l.removeAt(pos)
		return true
	}
	_, ok := t.removeFrom(t.root, t.height, k)
	for t.height > 1 && t.root.n == 1 {
		t.root, t.height = t.root.inners[0], t.height-1
	}
	switch {
	case t.root.n == 0:
		t.leaf, t.root, t.height = &leafNode{}, nil, 0
	case t.height == 1 && t.root.n == 1 && t.root.leaves[0].len() <= leafCap/2:
		t.leaf, t.root, t.height = t.root.leaves[0], nil, 0
	}
	return ok
}

// removeFrom deletes k from the subtree of x and returns the class of the
// entry it deleted.
func (t *tree) removeFrom(x *innerNode, level int, k *treeKey) (class, bool) {
	i := t.childFor(x, k)
	var c class
	if level == 1 {
		l := x.leaves[i]
		pos := t.lowerBound(l, k)
		if pos == l.len() || t.compare(k, l.pre[pos], l.slot[pos]) != 0 {
			return 0, false
		}
		c = l.cls[pos]
		l.removeAt(pos)
		if l.len() > 0 {
			x.minPre[i], x.minSlot[i] = l.pre[0], l.slot[0]
		}
	} else {
		var ok bool
		if c, ok = t.removeFrom(x.inners[i], level-1, k); !ok {
			return 0, false
		}
		if y := x.inners[i]; y.n > 0 {
			x.minPre[i], x.minSlot[i] = y.minPre[0], y.minSlot[0]
		}
	}
	x.counts[i][c]--
	x.total[i]--
	t.rebalance(x, i, level)
	return c, true
}

// rebalance drops child i of x when it is empty, and merges it with a
// neighbour when both are small, so that removals cannot leave a tree of
// nearly empty nodes.
func (t *tree) rebalance(x *innerNode, i, level int) {
	size := func(j int) int {
		if level == 1 {
			return x.leaves[j].len()
		}
		return x.inners[j].n
	}
	limit := innerCap
	if level == 1 {
		limit = leafCap
	}
	n := size(i)
	if n == 0 {
		x.removeChild(i)
		return
	}
	if n > limit/4 {
		return
	}
	j := i + 1
	if j == x.n || (i > 0 && size(i-1) < size(j)) {
		j = i - 1
	}
	if j < 0 || n+size(j) > limit*3/4 {
		return
	}
	left, right := min(i, j), max(i, j)
	if level == 1 {
		l, r := x.leaves[left], x.leaves[right]
		merged := &leafNode{
			pre:  append(append(make([]uint64, 0, leafCap), l.pre...), r.pre...),
			slot: append(append(make([]uint32, 0, leafCap), l.slot...), r.slot...),
			cls:  append(append(make([]class, 0, leafCap), l.cls...), r.cls...),
		}
		x.leaves[left] = merged
	} else {
		l, r := x.inners[left], x.inners[right]
		copy(l.inners[l.n:], r.inners[:r.n])
		copy(l.leaves[l.n:], r.leaves[:r.n])
		copy(l.minPre[l.n:], r.minPre[:r.n])
		copy(l.minSlot[l.n:], r.minSlot[:r.n])
		copy(l.total[l.n:], r.total[:r.n])
		copy(l.counts[l.n:], r.counts[:r.n])
		l.n += r.n
	}
	x.removeChild(right)
	x.refresh(left, level)
}

// count is the number of entries of the classes in m.
func (t *tree) count(m classMask) int {
	if t.height == 0 {
		return leafCount(t.leaf, 0, t.leaf.len(), m)
	}
	n := 0
	for i := range t.root.n {
		n += t.root.counts[i].masked(t.root.total[i], m)
	}
	return n
}

func leafCount(l *leafNode, from, to int, m classMask) int {
	if m == allClasses {
		return to - from
	}
	n := 0
	for _, c := range l.cls[from:to] {
		if m.has(c) {
			n++
		}
	}
	return n
}

// rank is the number of entries of the classes in m before k.
func (t *tree) rank(k *treeKey, m classMask) int {
	if t.height == 0 {
		return leafCount(t.leaf, 0, t.lowerBound(t.leaf, k), m)
	}
	r := 0
	x, level := t.root, t.height
	for {
		i := t.childFor(x, k)
		for j := range i {
			r += x.counts[j].masked(x.total[j], m)
		}
		if level == 1 {
			l := x.leaves[i]
			return r + leafCount(l, 0, t.lowerBound(l, k), m)
		}
		x, level = x.inners[i], level-1
	}
}

// visitor gets each entry an iteration reaches, and returns false to stop it.
type visitor func(slot uint32, c class) bool

// ascend visits, in order, the entries of the classes in m from the one at
// rank from (among those classes) on. work counts the entries and children
// it looks at.
func (t *tree) ascend(from int, m classMask, work *int, fn visitor) {
	skip := from
	if t.height == 0 {
		ascendLeaf(t.leaf, &skip, m, work, fn)
		return
	}
	t.ascendNode(t.root, t.height, &skip, m, work, fn)
}

func ascendLeaf(l *leafNode, skip *int, m classMask, work *int, fn visitor) bool {
	start := 0
	if m == allClasses {
		start = min(*skip, l.len())
		*skip -= start
	}
	for j := start; j < l.len(); j++ {
		*work++
		if !m.has(l.cls[j]) {
			continue
		}
		if *skip > 0 {
			*skip--
			continue
		}
		if !fn(l.slot[j], l.cls[j]) {
			return false
		}
	}
	return true
}

func (t *tree) ascendNode(x *innerNode, level int, skip *int, m classMask, work *int, fn visitor) bool {
	for i := range x.n {
		*work++
		n := x.counts[i].masked(x.total[i], m)
		if n <= *skip {
			*skip -= n
			continue
		}
		var more bool
		if level == 1 {
			more = ascendLeaf(x.leaves[i], skip, m, work, fn)
		} else {
			more = t.ascendNode(x.inners[i], level-1, skip, m, work, fn)
		}
		if !more {
			return false
		}
	}
	return true
}

// descend visits, in reverse order, the entries of the classes in m before
// rank before (among those classes).
func (t *tree) descend(before int, m classMask, work *int, fn visitor) {
	skip := t.count(m) - before
	if skip < 0 {
		skip = 0
	}
	if t.height == 0 {
		descendLeaf(t.leaf, &skip, m, work, fn)
		return
	}
	t.descendNode(t.root, t.height, &skip, m, work, fn)
}

func descendLeaf(l *leafNode, skip *int, m classMask, work *int, fn visitor) bool {
	start := l.len() - 1
	if m == allClasses {
		n := min(*skip, l.len())
		start -= n
		*skip -= n
	}
	for j := start; j >= 0; j-- {
		*work++
		if !m.has(l.cls[j]) {
			continue
		}
		if *skip > 0 {
			*skip--
			continue
		}
		if !fn(l.slot[j], l.cls[j]) {
			return false
		}
	}
	return true
}

func (t *tree) descendNode(x *innerNode, level int, skip *int, m classMask, work *int, fn visitor) bool {
	for i := x.n - 1; i >= 0; i-- {
		*work++
		n := x.counts[i].masked(x.total[i], m)
		if n <= *skip {
			*skip -= n
			continue
		}
		var more bool
		if level == 1 {
			more = descendLeaf(x.leaves[i], skip, m, work, fn)
		} else {
			more = t.descendNode(x.inners[i], level-1, skip, m, work, fn)
		}
		if !more {
			return false
		}
	}
	return true
}
