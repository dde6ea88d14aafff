package straddletest

import (
	"bytes"
	"encoding/binary"
	"strings"
	"time"
	"unicode/utf8"
)

// Rows are held in blocks of blockSize slots; a list's text scan reads one
// block per lock, so writers wait for at most one block.
const (
	blockBits = 10
	blockSize = 1 << blockBits
)

// rowStore holds an account's customers by slot, compactly (see record), with
// what lists need of each precomputed: the lower-cased text the name and
// search_text filters look in, and the class the status and types filters
// test.
type rowStore struct {
	blocks []*rowBlock
	used   int      // slots handed out so far
	free   []uint32 // slots of removed customers, handed out again first
}

// rowBlock is up to blockSize rows: their records, what scans read of each
// (rowMeta, kept apart so that a scan reads little), and their text. Text is
// only ever appended, and is rebuilt into a new array (never in place) when
// mostly garbage, so a slice of it stays valid after the lock is released.
type rowBlock struct {
	recs    []record
	meta    []rowMeta
	text    []byte
	order   []uint16 // the rows with text, by where their text starts
	garbage int      // bytes of text no row points at
}

// rowMeta is a row's class and where its text is: the lower-cased name,
// email, phone and external id, back to back (text[off:end[0]] is the name).
type rowMeta struct {
	off uint32
	end [4]uint32
	cls class // freeSlot: no customer
}

// freeSlot is the class of an empty row; no class mask holds it.
const freeSlot class = 255

// Text segments of a row.
const (
	segName = iota
	segEmail
	segPhone
	segExternalID
)

// ticks is a time as the emulator stores it: 100 ns units since the Unix
// epoch, the precision it writes (seven fractional digits). It covers years
// -27,000 to 31,000, beyond anything a timestamp on the wire can say.
type ticks int64

const tickNanos = 100

func ticksOf(t time.Time) ticks {
	return ticks(t.Unix()*(1e9/tickNanos) + int64(t.Nanosecond()/tickNanos))
}

// ticksAtLeast is the first tick not before t (ticksOf rounds down).
func ticksAtLeast(t time.Time) ticks {
	n := ticksOf(t)
	if t.Nanosecond()%tickNanos != 0 {
		n++
	}
	return n
}

func (n ticks) time() time.Time {
	return time.Unix(int64(n)/(1e9/tickNanos), int64(n)%(1e9/tickNanos)*tickNanos).UTC() // Unix normalizes a negative remainder
}

// The values of a customer's enumerated fields a record stores as a number.
var (
	typeValues    = []string{"", typeIndividual, typeBusiness}
	statusValues  = []string{"", statusPending, statusReview, statusVerified, statusInactive, statusRejected}
	outcomeValues = []string{"", outcomeStandard, statusVerified, statusReview, statusRejected}
	methodValues  = []string{"", processingInline, processingBackground, processingSkip}
)

// otherValue marks an enumerated field whose value the record keeps in rare.
const otherValue = 255

// record is one stored customer, compactly: its strings (the address's too)
// back to back in one, text, its metadata encoded in that text (see
// writeMetadata) rather than a map, times as ticks, enumerated fields as
// numbers, the review id as bytes, and the account not at all (the store
// knows it). Anything unusual (a value the spec does not list, a review id
// not in canonical form) goes to rare.
type record struct {
	text             string          // the text fields (textID...), back to back
	ends             [numText]uint32 // where each text field ends in text
	individual       *individualProfile
	business         *businessProfile
	changes          map[string]time.Time
	rare             *rareFields
	created, updated ticks
	reviewCreated    ticks
	reviewUpdated    ticks
	reviewID         [16]byte
	hasReview        bool
	has              uint8 // which optional fields are set (hasExternalID...)
	typ, status      uint8
	outcome, method  uint8
}

// The text fields of a record, in the order text holds them.
const (
	textID = iota
	textName
	textEmail
	textPhone
	textIP
	textExternalID
	textAddress1
	textAddress2
	textCity
	textState
	textZip
	textMetadata
	numText
)

// Bits of record.has: the optional fields that are set, which an empty text
// field cannot tell from an absent one.
const (
	hasExternalID = 1 << iota
	hasAddress
	hasAddress2
	hasMetadata
)

type rareFields struct {
	typ, status, outcome, method string
	reviewID                     string
}

// field is text field f of r.
func (r *record) field(f int) string {
	start := uint32(0)
	if f > 0 {
		start = r.ends[f-1]
	}
	return r.text[start:r.ends[f]]
}

// id is the customer's id, a part of r.text.
func (r *record) id() string { return r.text[:r.ends[textID]] }

// externalIDIs reports whether the customer's external id is id.
func (r *record) externalIDIs(id string) bool {
	return r.has&hasExternalID != 0 && r.field(textExternalID) == id
}

func decodeValue(values []string, i uint8, rare string) string {
	if i == otherValue {
		return rare
	}
	return values[i]
}

// parseCanonicalUUID reads a UUID in the lower-case 8-4-4-4-12 form newID
// writes (every stored id has it).
func parseCanonicalUUID(s string) ([16]byte, bool) {
	var b [16]byte
	if len(s) != 36 {
		return b, false
	}
	for i, j := 0, 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if s[i] != '-' {
				return b, false
			}
			i++
			continue
		}
		hi, ok1 := lowerHexDigit(s[i])
		lo, ok2 := lowerHexDigit(s[i+1])
		if !ok1 || !ok2 {
			return b, false
		}
		b[j] = hi<<4 | lo
		i, j = i+2, j+1
	}
	return b, true
}

func lowerHexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// set stores c in r.
func (r *record) set(c *customer) {
	*r = record{
		individual: c.individual, business: c.business, changes: c.changes,
		created: ticksOf(c.createdAt), updated: ticksOf(c.updatedAt),
		reviewCreated: ticksOf(c.reviewCreated), reviewUpdated: ticksOf(c.reviewUpdated),
	}
	var fields [numText]string
	fields[textID], fields[textName], fields[textEmail], fields[textPhone], fields[textIP] = c.id, c.name, c.email, c.phone, c.ip
	if c.externalID != nil {
		fields[textExternalID] = *c.externalID
		r.has |= hasExternalID
	}
	if a := c.address; a != nil {
		fields[textAddress1], fields[textCity], fields[textState], fields[textZip] = a.Address1, a.City, a.State, a.Zip
		r.has |= hasAddress
		if a.Address2 != nil {
			fields[textAddress2] = *a.Address2
			r.has |= hasAddress2
		}
	}
	size := 0
	for _, f := range fields {
		size += len(f)
	}
	if c.metadata != nil {
		r.has |= hasMetadata
		for k, v := range c.metadata {
			size += uvarintLen(len(k)) + len(k) + uvarintLen(len(v)) + len(v)
		}
	}
	var text strings.Builder
	text.Grow(size)
	for i, f := range fields {
		if i == textMetadata {
			writeMetadata(&text, c.metadata)
		} else {
			text.WriteString(f)
		}
		r.ends[i] = uint32(text.Len())
	}
	r.text = text.String()
	rare := func() *rareFields {
		if r.rare == nil {
			r.rare = &rareFields{}
		}
		return r.rare
	}
	r.typ = valueIndex(typeValues, c.typ, func(v string) { rare().typ = v })
	r.status = valueIndex(statusValues, c.status, func(v string) { rare().status = v })
	r.outcome = valueIndex(outcomeValues, c.sandboxOutcome, func(v string) { rare().outcome = v })
	r.method = valueIndex(methodValues, c.processingMethod, func(v string) { rare().method = v })
	if c.reviewID.set {
		r.reviewID, r.hasReview = c.reviewID.uuid, true
	} else if c.reviewID.other != "" {
		rare().reviewID = c.reviewID.other
	}
}

// writeMetadata writes m to b as its entries, each key and value preceded by
// its length (a uvarint): one string instead of a map, which costs a stored
// customer hundreds of bytes.
func writeMetadata(b *strings.Builder, m map[string]string) {
	var n [binary.MaxVarintLen64]byte
	for k, v := range m {
		b.Write(binary.AppendUvarint(n[:0], uint64(len(k))))
		b.WriteString(k)
		b.Write(binary.AppendUvarint(n[:0], uint64(len(v))))
		b.WriteString(v)
	}
}

func uvarintLen(n int) int {
	w := 1
	for ; n >= 0x80; n >>= 7 {
		w++
	}
	return w
}

// decodeMetadata returns the map writeMetadata encoded as s; its keys and
// values are parts of s.
func decodeMetadata(s string) map[string]string {
	n := 0
	for i := 0; i < len(s); n++ {
		for range 2 {
			l, w := uvarint(s[i:])
			i += w + l
		}
	}
	m := make(map[string]string, n)
	for i := 0; i < len(s); {
		kl, w := uvarint(s[i:])
		k := s[i+w : i+w+kl]
		i += w + kl
		vl, w := uvarint(s[i:])
		m[k] = s[i+w : i+w+vl]
		i += w + vl
	}
	return m
}

// uvarint reads the uvarint at the start of s, which writeMetadata wrote: its
// value and its width.
func uvarint(s string) (int, int) {
	var v uint64
	for i := 0; ; i++ {
		c := s[i]
		v |= uint64(c&0x7f) << (7 * i)
		if c < 0x80 {
			return int(v), i + 1
		}
	}
}

// valueIndex is v's index in values, or otherValue after handing v to spill.
func valueIndex(values []string, v string, spill func(string)) uint8 {
	if i := indexOf(values, v); i < len(values) {
		return uint8(i)
	}
	spill(v)
	return otherValue
}

// readCustomer is a customer read from a record with what its pointers point
// at, so that a read allocates once (twice with metadata).
type readCustomer struct {
	c          customer
	externalID string
	address    address
	address2   string
}

// customer returns a new customer with r's content, in account. Its strings
// are parts of r.text, which is never modified.
func (r *record) customer(account string) *customer {
	rc := &readCustomer{}
	r.fill(&rc.c, account, rc, true)
	return &rc.c
}

// fill sets c to r's content, in account, with its pointers into room, and
// without its metadata unless metadata is set.
func (r *record) fill(c *customer, account string, room *readCustomer, metadata bool) {
	var rare rareFields
	if r.rare != nil {
		rare = *r.rare
	}
	*c = customer{
		id: r.id(), account: account, name: r.field(textName), email: r.field(textEmail),
		phone: r.field(textPhone), ip: r.field(textIP),
		individual: r.individual, business: r.business, changes: r.changes,
		typ:              decodeValue(typeValues, r.typ, rare.typ),
		status:           decodeValue(statusValues, r.status, rare.status),
		sandboxOutcome:   decodeValue(outcomeValues, r.outcome, rare.outcome),
		processingMethod: decodeValue(methodValues, r.method, rare.method),
		createdAt:        r.created.time(), updatedAt: r.updated.time(),
		reviewCreated: r.reviewCreated.time(), reviewUpdated: r.reviewUpdated.time(),
		reviewID: reviewRef{uuid: r.reviewID, set: r.hasReview, other: rare.reviewID},
	}
	if r.has&hasExternalID != 0 {
		room.externalID = r.field(textExternalID)
		c.externalID = &room.externalID
	}
	if r.has&hasAddress != 0 {
		room.address = address{Address1: r.field(textAddress1), City: r.field(textCity),
			State: r.field(textState), Zip: r.field(textZip)}
		if r.has&hasAddress2 != 0 {
			room.address2 = r.field(textAddress2)
			room.address.Address2 = &room.address2
		}
		c.address = &room.address
	}
	if metadata && r.has&hasMetadata != 0 {
		c.metadata = decodeMetadata(r.field(textMetadata))
	}
}

func (rs *rowStore) block(slot uint32) *rowBlock { return rs.blocks[slot>>blockBits] }

func (rs *rowStore) rec(slot uint32) *record {
	return &rs.blocks[slot>>blockBits].recs[slot&(blockSize-1)]
}

func (rs *rowStore) meta(slot uint32) *rowMeta {
	return &rs.blocks[slot>>blockBits].meta[slot&(blockSize-1)]
}

// name is the lower-cased name of the customer in slot.
func (rs *rowStore) name(slot uint32) []byte {
	b := rs.block(slot)
	m := &b.meta[slot&(blockSize-1)]
	return b.text[m.off:m.end[segName]]
}

// alloc returns an empty slot for a new customer.
func (rs *rowStore) alloc() uint32 {
	if n := len(rs.free); n > 0 {
		slot := rs.free[n-1]
		rs.free = rs.free[:n-1]
		return slot
	}
	slot := uint32(rs.used)
	rs.used++
	if int(slot>>blockBits) == len(rs.blocks) {
		b := &rowBlock{}
		if n := len(rs.blocks); n > 0 {
			// A large account: take the whole block at once, and room for
			// about as much text as the last block has.
			b.recs, b.meta = make([]record, 0, blockSize), make([]rowMeta, 0, blockSize)
			b.text = make([]byte, 0, len(rs.blocks[n-1].text)*17/16)
		}
		rs.blocks = append(rs.blocks, b)
	}
	b := rs.block(slot)
	if len(b.recs) == cap(b.recs) {
		// A small account's block grows, to exactly blockSize at most.
		size := min(max(2*cap(b.recs), 8), blockSize)
		b.recs = append(make([]record, 0, size), b.recs...)
		b.meta = append(make([]rowMeta, 0, size), b.meta...)
	}
	b.recs = append(b.recs, record{})
	b.meta = append(b.meta, rowMeta{cls: freeSlot})
	return slot
}

// set stores c in slot, with its text and class.
func (rs *rowStore) set(slot uint32, c *customer) {
	b := rs.block(slot)
	i := slot & (blockSize - 1)
	m := &b.meta[i]
	if m.cls != freeSlot {
		b.garbage += int(m.end[segExternalID] - m.off)
	}
	if m.cls != freeSlot {
		b.unorder(m.off)
	}
	b.recs[i].set(c)
	m.cls = classOf(c.status, c.typ)
	b.writeText(m, c)
	b.order = append(b.order, uint16(i))
	switch {
	case b.garbage > 4096 && b.garbage > len(b.text)/2:
		b.compact()
	case i == blockSize-1 && cap(b.text)-len(b.text) > len(b.text)/8:
		b.compact() // the block just filled up: drop the slack of its growth
	}
}

// clear empties slot and keeps it for reuse.
func (rs *rowStore) clear(slot uint32) {
	b := rs.block(slot)
	i := slot & (blockSize - 1)
	b.garbage += int(b.meta[i].end[segExternalID] - b.meta[i].off)
	b.unorder(b.meta[i].off)
	b.recs[i] = record{}
	b.meta[i] = rowMeta{cls: freeSlot}
	rs.free = append(rs.free, slot)
}

func (b *rowBlock) writeText(m *rowMeta, c *customer) {
	m.off = uint32(len(b.text))
	for i, s := range [4]string{c.name, c.email, c.phone, deref(c.externalID)} {
		b.text = appendLower(b.text, s)
		m.end[i] = uint32(len(b.text))
	}
}

// compact rebuilds the block's text into a new array of its live rows.
func (b *rowBlock) compact() {
	live := 0
	for i := range b.meta {
		if m := &b.meta[i]; m.cls != freeSlot {
			live += int(m.end[segExternalID] - m.off)
		}
	}
	text := make([]byte, 0, live)
	b.order = b.order[:0]
	for i := range b.meta {
		m := &b.meta[i]
		if m.cls == freeSlot {
			continue
		}
		b.order = append(b.order, uint16(i))
		start := uint32(len(text))
		text = append(text, b.text[m.off:m.end[segExternalID]]...)
		for j := range m.end {
			m.end[j] = m.end[j] - m.off + start
		}
		m.off = start
	}
	b.text, b.garbage = text, 0
}

// rowAt is the position in order of the row whose text starts last at or
// before offset at, or -1.
func (b *rowBlock) rowAt(at uint32) int {
	lo, hi := 0, len(b.order)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if b.meta[b.order[mid]].off <= at {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo - 1
}

// unorder removes the row whose text starts at off from order.
func (b *rowBlock) unorder(off uint32) {
	k := b.rowAt(off)
	b.order = append(b.order[:k], b.order[k+1:]...)
}

// rowsWithText calls fn, in text order, with each row of b whose text holds
// needle: the rows the substring filters can match, found by a search of the
// block's text (at the speed of bytes.Index) rather than row by row.
func (b *rowBlock) rowsWithText(needle []byte, fn func(i uint32)) {
	for pos := 0; pos < len(b.text); {
		j := bytes.Index(b.text[pos:], needle)
		if j < 0 {
			return
		}
		at := uint32(pos + j)
		k := b.rowAt(at)
		if k < 0 || at >= b.meta[b.order[k]].end[segExternalID] {
			// Garbage: go on at the next row's text.
			pos = int(at) + 1
			if k+1 < len(b.order) {
				pos = max(pos, int(b.meta[b.order[k+1]].off))
			}
			continue
		}
		i := b.order[k]
		fn(uint32(i))
		pos = int(b.meta[i].end[segExternalID])
	}
}

// appendLower appends strings.ToLower(s), without allocating for ASCII.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// segment is text segment i of the row with meta m.
func (b *rowBlock) segment(m *rowMeta, i int) []byte {
	start := m.off
	if i > 0 {
		start = m.end[i-1]
	}
	return b.text[start:m.end[i]]
}

// containsAny reports whether needle occurs inside one of the row's text
// segments (not across two): strings.Contains(strings.ToLower(field),
// needle) for some field, with needle already lower-cased.
func (b *rowBlock) containsAny(m *rowMeta, needle []byte) bool {
	pos := m.off
	for pos < m.end[segExternalID] {
		i := bytes.Index(b.text[pos:m.end[segExternalID]], needle)
		if i < 0 {
			return false
		}
		at := pos + uint32(i)
		seg := 0
		for m.end[seg] <= at {
			seg++
		}
		if at+uint32(len(needle)) <= m.end[seg] {
			return true
		}
		pos = m.end[seg] // a later match in this segment would cross its end too
	}
	return false
}
