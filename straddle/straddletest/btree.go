package straddletest

import (
	"bytes"
	"encoding/binary"
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

// sortKind is one order a list can ask for: by name or created_at, up or
// down, ties always by id ascending. A descending order is therefore not the
// reverse of its ascending one: it is the reverse by groups of equal field,
// each group kept ascending (see tree.descending).
type sortKind uint8

const (
	byNameAsc sortKind = iota
	byNameDesc
	byCreatedAsc
	byCreatedDesc
)

// sortField is what an order sorts by; each has one index (tree).
type sortField uint8

const (
	sortByName sortField = iota
	sortByCreated
	numSortFields
)

func (k sortKind) field() sortField {
	if k == byNameAsc || k == byNameDesc {
		return sortByName
	}
	return sortByCreated
}

func (k sortKind) desc() bool { return k == byNameDesc || k == byCreatedDesc }

// Keys are compared first by words held in the index's leaves, so that most
// comparisons read no row. In the name index the words are (name bytes 0-7;
// name bytes 8-14 and the name's length, up to 16; id), in the created_at
// index (ticks; id). An id word is the first 64 bits of the UUID.
const (
	maxWords    = 3
	nameWords   = 3
	createdWord = 2
)

func (f sortField) words() int {
	if f == sortByName {
		return nameWords
	}
	return createdWord
}

// treeKey is a position in an index: a customer's sort field and id, or a
// bound before (bound -1) or after (bound +1) every id with a given field.
type treeKey struct {
	w     [maxWords]uint64
	name  []byte // lower-cased name, in the name index
	id    string
	bound int8 // nonzero: the key sorts before (-1) or after (+1) every id with its field
	after bool // the key sorts just after the entry with its field and id
}

// nameKeyWords returns the leading words of a lower-cased name: its first 15
// bytes, zero padded, big-endian, and its length (16 for anything longer) in
// the lowest byte. Two names differing in their first 15 bytes, or of which
// one is shorter than 16 bytes, compare as their words do.
func nameKeyWords(lower []byte) (uint64, uint64) {
	var b [16]byte
	copy(b[:15], lower)
	b[15] = byte(min(len(lower), 16))
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

// idWord is the first 64 bits of a UUID in canonical form (which every
// stored id has: see store.add), which order as the id strings do.
func idWord(id string) uint64 {
	b, _ := parseCanonicalUUID(id)
	return idWordOf(b)
}

func idWordOf(b [16]byte) uint64 { return binary.BigEndian.Uint64(b[:8]) }

func createdWord0(t ticks) uint64 { return uint64(t) ^ 1<<63 }

// newTreeKey is the key in the index of field f of the customer r with
// lower-cased name and id word idw.
func newTreeKey(f sortField, r *record, name []byte, idw uint64) treeKey {
	k := treeKey{id: r.id()}
	if f == sortByName {
		k.name = name
		k.w[0], k.w[1] = nameKeyWords(name)
		k.w[2] = idw
	} else {
		k.w[0], k.w[1] = createdWord0(r.created), idw
	}
	return k
}

// createdBound is the key before (bound -1) or after (bound +1) every
// customer created at t.
func createdBound(t ticks, bound int8) treeKey {
	return treeKey{w: [maxWords]uint64{createdWord0(t)}, bound: bound}
}

// Node capacities: a leaf holds up to leafCap entries, an inner node up to
// innerCap children. A million entries make a tree of four levels.
const (
	leafCap  = 128
	innerCap = 64
)

// leafNode holds entries in order: the key words of each (stride words an
// entry), the customer's slot and its class. It holds no pointers the
// collector must follow beyond its arrays, which grow to leafCap (a small
// account's tree is small).
type leafNode struct {
	words []uint64
	slot  []uint32
	cls   []class
}

func newLeaf(stride, size int) *leafNode {
	return &leafNode{words: make([]uint64, 0, size*stride), slot: make([]uint32, 0, size), cls: make([]class, 0, size)}
}

func (l *leafNode) len() int { return len(l.slot) }

// key is the key words of entry i.
func (l *leafNode) key(i, stride int) []uint64 { return l.words[i*stride : i*stride+stride] }

func (l *leafNode) insertAt(i, stride int, k *treeKey, slot uint32, c class) {
	if n := len(l.slot); n == cap(l.slot) {
		grown := newLeaf(stride, min(max(2*n, 4), leafCap))
		grown.append(l, stride, 0, n)
		*l = *grown
	}
	l.words = slices.Insert(l.words, i*stride, k.w[:stride]...)
	l.slot = slices.Insert(l.slot, i, slot)
	l.cls = slices.Insert(l.cls, i, c)
}

// append adds the entries [from, to) of src.
func (l *leafNode) append(src *leafNode, stride, from, to int) {
	l.words = append(l.words, src.words[from*stride:to*stride]...)
	l.slot = append(l.slot, src.slot[from:to]...)
	l.cls = append(l.cls, src.cls[from:to]...)
}

func (l *leafNode) removeAt(i, stride int) {
	l.words = slices.Delete(l.words, i*stride, i*stride+stride)
	l.slot = slices.Delete(l.slot, i, i+1)
	l.cls = slices.Delete(l.cls, i, i+1)
}

// splitAt moves the entries from i on into a new leaf of full capacity.
func (l *leafNode) splitAt(i, stride int) *leafNode {
	r := newLeaf(stride, leafCap)
	r.append(l, stride, i, l.len())
	l.words, l.slot, l.cls = l.words[:i*stride], l.slot[:i], l.cls[:i]
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
	minKey  [innerCap][maxWords]uint64
	minSlot [innerCap]uint32
	total   [innerCap]uint32
	counts  [innerCap]classCounts
}

// tree is an order-statistic B+tree of the customers of one account, by one
// field ascending, ties by id ascending. Entries are slots of the account's
// rows; what a comparison needs beyond an entry's key words is read from its
// row. Counts by class in the inner nodes give the rank of any key, and the
// entry at any rank, among the customers of any set of classes in O(log n).
type tree struct {
	field  sortField
	stride int // key words an entry
	rows   *rowStore
	leaf   *leafNode  // the root while the tree fits one leaf (height 0)
	root   *innerNode // the root from height 1 on
	height int        // inner levels; children of level-1 nodes are leaves
}

func newTree(f sortField, rows *rowStore) *tree {
	return &tree{field: f, stride: f.words(), rows: rows, leaf: newLeaf(f.words(), 0)}
}

func cmpWord(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareField orders k's field against that of the entry with key words e
// in slot.
func (t *tree) compareField(k *treeKey, e []uint64, slot uint32) int {
	if n := cmpWord(k.w[0], e[0]); n != 0 || t.field == sortByCreated {
		return n
	}
	if n := cmpWord(k.w[1]>>8, e[1]>>8); n != 0 {
		return n
	}
	kl, el := k.w[1]&0xff, e[1]&0xff
	if kl < 16 || el < 16 {
		return cmpWord(kl, el)
	}
	return bytes.Compare(k.name, t.rows.name(slot))
}

// compare orders k against the entry with key words e in slot.
func (t *tree) compare(k *treeKey, e []uint64, slot uint32) int {
	if n := t.compareField(k, e, slot); n != 0 {
		return n
	}
	if k.bound != 0 {
		return int(k.bound)
	}
	last := t.stride - 1
	if n := cmpWord(k.w[last], e[last]); n != 0 {
		return n
	}
	n := strings.Compare(k.id, t.rows.rec(slot).id())
	if n == 0 && k.after {
		n = 1
	}
	return n
}

// lowerBound is the index of the first entry of l not before k.
func (t *tree) lowerBound(l *leafNode, k *treeKey) int {
	lo, hi := 0, l.len()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if t.compare(k, l.key(mid, t.stride), l.slot[mid]) > 0 {
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
		if t.compare(k, x.minKey[mid][:t.stride], x.minSlot[mid]) >= 0 {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// setMin records k (of slot) as the first key of child i of x.
func (x *innerNode) setMin(i int, k []uint64, slot uint32) {
	copy(x.minKey[i][:], k)
	x.minSlot[i] = slot
}

// refresh recomputes x's first key and counts of child i from the child.
func (t *tree) refresh(x *innerNode, i, level int) {
	var cc classCounts
	var total uint32
	if level == 1 {
		l := x.leaves[i]
		for _, c := range l.cls {
			cc[c]++
		}
		total = uint32(l.len())
		x.setMin(i, l.key(0, t.stride), l.slot[0])
	} else {
		y := x.inners[i]
		for j := range y.n {
			for c := range cc {
				cc[c] += y.counts[j][c]
			}
			total += y.total[j]
		}
		x.minKey[i], x.minSlot[i] = y.minKey[0], y.minSlot[0]
	}
	x.counts[i], x.total[i] = cc, total
}

// insertChild makes room at i and puts a leaf or inner child there.
func (x *innerNode) insertChild(i int, l *leafNode, y *innerNode) {
	copy(x.inners[i+1:x.n+1], x.inners[i:x.n])
	copy(x.leaves[i+1:x.n+1], x.leaves[i:x.n])
	copy(x.minKey[i+1:x.n+1], x.minKey[i:x.n])
	copy(x.minSlot[i+1:x.n+1], x.minSlot[i:x.n])
	copy(x.total[i+1:x.n+1], x.total[i:x.n])
	copy(x.counts[i+1:x.n+1], x.counts[i:x.n])
	x.inners[i], x.leaves[i] = y, l
	x.n++
}

func (x *innerNode) removeChild(i int) {
	copy(x.inners[i:], x.inners[i+1:x.n])
	copy(x.leaves[i:], x.leaves[i+1:x.n])
	copy(x.minKey[i:], x.minKey[i+1:x.n])
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
	copy(r.minKey[:], y.minKey[i:y.n])
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
	s := t.stride
	if t.height == 0 {
		l := t.leaf
		pos := t.lowerBound(l, k)
		if l.len() < leafCap {
			l.insertAt(pos, s, k, slot, c)
			return
		}
		t.root = &innerNode{n: 1}
		t.root.leaves[0] = l
		t.refresh(t.root, 0, 1)
		t.leaf, t.height = nil, 1
	}
	if t.root.n == innerCap {
		old := t.root
		t.root = &innerNode{n: 1}
		t.root.inners[0] = old
		t.height++
		t.refresh(t.root, 0, t.height)
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
				x.insertChild(i+1, l.splitAt(at, s), nil)
				if pos > at || (pos == at && at > 0) {
					l, pos = x.leaves[i+1], pos-at
				}
				l.insertAt(pos, s, k, slot, c)
				t.refresh(x, i, 1)
				t.refresh(x, i+1, 1)
				return
			}
			l.insertAt(pos, s, k, slot, c)
			x.counts[i][c]++
			x.total[i]++
			if pos == 0 {
				x.setMin(i, k.w[:s], slot)
			}
			return
		}
		if y := x.inners[i]; y.n == innerCap {
			t.splitChild(x, i, level, t.childFor(y, k))
			if t.compare(k, x.minKey[i+1][:s], x.minSlot[i+1]) >= 0 {
				i++
			}
		}
		if i == 0 && t.compare(k, x.minKey[0][:s], x.minSlot[0]) < 0 {
			x.setMin(0, k.w[:s], slot)
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
	t.refresh(x, i, level)
	t.refresh(x, i+1, level)
}

// holds reports whether entry pos of l is the one at key k.
func (t *tree) holds(l *leafNode, pos int, k *treeKey) bool {
	return pos < l.len() && t.compare(k, l.key(pos, t.stride), l.slot[pos]) == 0
}

// remove deletes the entry at key k and reports whether there was one.
func (t *tree) remove(k *treeKey) bool {
	if t.height == 0 {
		l := t.leaf
		pos := t.lowerBound(l, k)
		if !t.holds(l, pos, k) {
			return false
		}
		l.removeAt(pos, t.stride)
		return true
	}
	_, ok := t.removeFrom(t.root, t.height, k)
	for t.height > 1 && t.root.n == 1 {
		t.root, t.height = t.root.inners[0], t.height-1
	}
	switch {
	case t.root.n == 0:
		t.leaf, t.root, t.height = newLeaf(t.stride, 0), nil, 0
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
		if !t.holds(l, pos, k) {
			return 0, false
		}
		c = l.cls[pos]
		l.removeAt(pos, t.stride)
		if l.len() > 0 {
			x.setMin(i, l.key(0, t.stride), l.slot[0])
		}
	} else {
		var ok bool
		if c, ok = t.removeFrom(x.inners[i], level-1, k); !ok {
			return 0, false
		}
		if y := x.inners[i]; y.n > 0 {
			x.minKey[i], x.minSlot[i] = y.minKey[0], y.minSlot[0]
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
		merged := newLeaf(t.stride, leafCap)
		merged.append(l, t.stride, 0, l.len())
		merged.append(r, t.stride, 0, r.len())
		x.leaves[left] = merged
	} else {
		l, r := x.inners[left], x.inners[right]
		copy(l.inners[l.n:], r.inners[:r.n])
		copy(l.leaves[l.n:], r.leaves[:r.n])
		copy(l.minKey[l.n:], r.minKey[:r.n])
		copy(l.minSlot[l.n:], r.minSlot[:r.n])
		copy(l.total[l.n:], r.total[:r.n])
		copy(l.counts[l.n:], r.counts[:r.n])
		l.n += r.n
	}
	x.removeChild(right)
	t.refresh(x, left, level)
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

// keyOf is the key of the customer in slot.
func (t *tree) keyOf(slot uint32) treeKey {
	r := t.rows.rec(slot)
	return newTreeKey(t.field, r, t.rows.name(slot), idWord(r.id()))
}

// keyWith is the key of the customer in slot, whose id word is idw.
func (t *tree) keyWith(slot uint32, idw uint64) treeKey {
	return newTreeKey(t.field, t.rows.rec(slot), t.rows.name(slot), idw)
}

// sameField reports whether two keys have the same field.
func (t *tree) sameField(a, b *treeKey) bool {
	switch {
	case a.w[0] != b.w[0]:
		return false
	case t.field == sortByCreated:
		return true
	case a.w[1] != b.w[1]:
		return false
	}
	return a.w[1]&0xff < 16 || bytes.Equal(a.name, b.name)
}

// descending visits the entries of the classes in m at ranks [lo, hi), in
// the descending order (field descending, ties by id ascending), from
// position from of that order on: the groups of equal field from the last,
// each group in index order.
func (t *tree) descending(lo, hi, from int, m classMask, work *int, fn visitor) {
	if from >= hi-lo {
		return
	}
	// The entry at position from of the plain reverse is in the group the
	// order resumes in; the group's ranks tell where in it.
	var first uint32
	t.ascend(hi-1-from, m, work, func(s uint32, _ class) bool {
		first = s
		return false
	})
	k := t.keyOf(first)
	k.bound = -1
	gs := max(t.rank(&k, m), lo)
	k.bound = 1
	ge := min(t.rank(&k, m), hi)
	n, more := ge-(gs+from-(hi-ge)), true
	t.ascend(gs+from-(hi-ge), m, work, func(s uint32, c class) bool {
		more = fn(s, c)
		n--
		return more && n > 0
	})
	if more {
		t.reverseGroups(lo, gs, m, work, fn)
	}
}

// maxGroupBuffer is the most entries of one group reverseGroups holds; a
// larger group is found by rank instead.
const maxGroupBuffer = 256

// reverseGroups visits the entries of the classes in m at ranks [lo,
// before) by group of equal field, from the last group, each group in index
// order.
func (t *tree) reverseGroups(lo, before int, m classMask, work *int, fn visitor) {
	type entry struct {
		slot uint32
		cls  class
	}
	var (
		group    []entry
		groupKey treeKey
		next     = before // the rank of the entry descend visits next, plus one
	)
	flush := func() bool {
		for i := len(group) - 1; i >= 0; i-- {
			if !fn(group[i].slot, group[i].cls) {
				return false
			}
		}
		group = group[:0]
		return true
	}
	for next > lo {
		stopped, giant := false, false
		t.descend(next, m, work, func(s uint32, c class) bool {
			if next == lo {
				return false
			}
			k := t.keyOf(s)
			if len(group) > 0 && !t.sameField(&groupKey, &k) && !flush() {
				stopped = true
				return false
			}
			if len(group) == maxGroupBuffer {
				giant = true
				return false
			}
			if len(group) == 0 {
				groupKey = k
			}
			group = append(group, entry{s, c})
			next--
			return true
		})
		if stopped {
			return
		}
		if !giant {
			break
		}
		// A group too large to hold: visit it forward from its first rank.
		top := next + len(group)
		groupKey.bound = -1
		gs := max(t.rank(&groupKey, m), lo)
		n, more := top-gs, true
		group = group[:0]
		t.ascend(gs, m, work, func(s uint32, c class) bool {
			more = fn(s, c)
			n--
			return more && n > 0
		})
		if !more {
			return
		}
		next = gs
	}
	flush()
}
