package straddletest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// TestRecordKeepsEveryField: a customer stored as a record reads back the
// same, unusual values included.
func TestRecordKeepsEveryField(t *testing.T) {
	ext, ssn, dob := "crm-1", "123-45-6789", "1980-01-01"
	base := &customer{
		id: "019f3b3d-5816-77fb-8a9c-000000000042", account: "acct", name: "Ann Perkins", typ: typeIndividual,
		email: "ann@example.com", phone: "+13175550177", status: statusVerified, ip: "203.0.113.7",
		createdAt: time.Date(2026, 1, 2, 3, 4, 5, 123456700, time.UTC), updatedAt: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC),
		externalID: &ext, address: &address{Address1: "1 Main St", City: "Pawnee", State: "IN", Zip: "46001"},
		individual: &individualProfile{SSN: &ssn, DOB: &dob}, metadata: map[string]string{"k": "v"},
		sandboxOutcome: outcomeStandard, processingMethod: processingBackground,
		reviewID:      newReviewRef("019f3b3d-5816-77fb-8a9c-0000000000ff"),
		reviewCreated: time.Date(1960, 5, 6, 7, 8, 9, 100, time.UTC), reviewUpdated: time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC),
		changes: map[string]time.Time{fieldName: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)},
	}
	for name, change := range map[string]func(c *customer){
		"usual":                  func(*customer) {},
		"a status not listed":    func(c *customer) { c.status = "archived" },
		"a type not listed":      func(c *customer) { c.typ = "trust" },
		"other config values":    func(c *customer) { c.sandboxOutcome, c.processingMethod = "chaos", "batch" },
		"a review id not a UUID": func(c *customer) { c.reviewID = newReviewRef("review-1") },
		"an upper-case review":   func(c *customer) { c.reviewID = newReviewRef("019F3B3D-5816-77FB-8A9C-0000000000FF") },
		"no review, zero times": func(c *customer) {
			c.reviewID, c.reviewCreated, c.reviewUpdated = reviewRef{}, time.Time{}, time.Time{}
		},
		"a business":           func(c *customer) { c.typ, c.individual, c.business = typeBusiness, nil, &businessProfile{} },
		"empty strings":        func(c *customer) { c.name, c.email, c.phone, c.ip, c.externalID = "", "", "", "", nil },
		"an empty external id": func(c *customer) { c.externalID = new(string) },
		"no address":           func(c *customer) { c.address = nil },
		"an empty address":     func(c *customer) { c.address = &address{} },
		"address2": func(c *customer) {
			c.address = &address{Address1: "1 Main St", Address2: &ext, City: "Pawnee", Zip: "46001"}
		},
		"an empty address2": func(c *customer) { c.address = &address{Address2: new(string)} },
		"no metadata":       func(c *customer) { c.metadata = nil },
		"empty metadata":    func(c *customer) { c.metadata = map[string]string{} },
		"long metadata": func(c *customer) {
			c.metadata = map[string]string{"": "", "é": strings.Repeat("x", 300), strings.Repeat("k", 200): "v", "crm": "42"}
		},
	} {
		want := base.clone()
		change(want)
		var r record
		r.set(want)
		got := r.customer(want.account)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read back\n%+v\nstored\n%+v", name, got, want)
		}
	}
}

func TestParseCanonicalUUID(t *testing.T) {
	for range 100 {
		id := newID(time.Now())
		b, ok := parseCanonicalUUID(id)
		if !ok || formatUUID(b) != id {
			t.Fatalf("%s: parsed %x, %v", id, b, ok)
		}
	}
	for _, bad := range []string{"", "019f3b3d-5816-77fb-8a9c-00000000004", "019F3B3D-5816-77FB-8A9C-000000000042",
		"019f3b3d_5816-77fb-8a9c-000000000042", "019f3b3d-5816-77fb-8a9c-00000000004g", "{019f3b3d-5816-77fb-8a9c-0000000000}"} {
		if _, ok := parseCanonicalUUID(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	// Stored ids must have the form: the indexes order ids by their bits.
	s := newStore()
	if err := s.add(&customer{id: "019F3B3D-5816-77FB-8A9C-000000000042", account: "a", email: "x@example.com"}); err != errInvalidID {
		t.Errorf("an upper-case id was stored: %v", err)
	}
}

// TestIndexKeysKeepNoOldText: the string keys of the exact-match indexes are
// parts of the text of a record they find, never of text a change or removal
// replaced, which they would keep alive.
func TestIndexKeysKeepNoOldText(t *testing.T) {
	s := newStore()
	var ids []string
	for i := range 40 {
		c := syntheticCustomer(i)
		c.account = "a"
		ext := fmt.Sprintf("crm-%d", i%7) // shared by several customers
		c.externalID = &ext
		if err := s.add(c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.id)
	}
	for i, id := range ids {
		switch i % 4 {
		case 0:
			s.remove("a", id)
		default:
			if _, err := s.modify("a", id, func(cur *customer) (*customer, error) {
				n := cur.clone()
				n.name = "Renamed " + cur.name
				if i%4 == 3 {
					ext := fmt.Sprintf("crm-%d", i%5)
					n.externalID = &ext
				}
				return n, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	a := s.lookup("a")
	inText := func(key string, slots ...uint32) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(key)))
		for _, slot := range slots {
			text := a.rows.rec(slot).text
			start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
			if start <= p && p+uintptr(len(key)) <= start+uintptr(len(text)) {
				return true
			}
		}
		return false
	}
	for key, slot := range a.byEmail {
		if !inText(key, slot) {
			t.Errorf("email key %q is not the text of its customer", key)
		}
	}
	for key, first := range a.byExternalID {
		all := append([]uint32{first}, a.moreExternalID[key]...)
		if !inText(key, all...) {
			t.Errorf("external id key %q is not the text of a customer with it", key)
		}
	}
	for key, more := range a.moreExternalID {
		if !inText(key, append([]uint32{a.byExternalID[key]}, more...)...) {
			t.Errorf("external id key %q (more) is not the text of a customer with it", key)
		}
	}
}

// TestGetAllocatesOnce: a get builds its customer, and what the customer
// points at, in one allocation; the review id, which a get does not show, is
// not formatted.
func TestGetAllocatesOnce(t *testing.T) {
	s := newStore()
	c := syntheticCustomer(8) // an external id, an address with address2, a review
	c.account, c.metadata = "a", nil
	if err := s.add(c); err != nil {
		t.Fatal(err)
	}
	var got *customer
	if allocs := testing.AllocsPerRun(100, func() { got, _ = s.get("a", c.id) }); allocs != 1 {
		t.Errorf("a get allocates %.0f times, want 1", allocs)
	}
	if got.reviewID.String() != c.reviewID.String() || got.address.Address2 == nil || *got.externalID != *c.externalID {
		t.Errorf("got %+v", got)
	}
}

// TestIDsNotCanonicalFindNothing: ids are looked up by their 16 bytes, and an
// id that does not parse as a canonical UUID finds no customer, not the one
// whose bytes its parse left behind (all zero, or a prefix).
func TestIDsNotCanonicalFindNothing(t *testing.T) {
	s := newStore()
	for _, id := range []string{"00000000-0000-0000-0000-000000000000", "019f3b3d-5816-77fb-8a9c-000000000000"} {
		if err := s.add(&customer{id: id, account: "a", email: id + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"", "nope", "019f3b3d-5816-77fb-8a9c-00000000000g", "019F3B3D-5816-77FB-8A9C-000000000000",
		"019f3b3d-5816-77fb-8a9c-0000000000000", "{019f3b3d-5816-77fb-8a9c-00000000000}"} {
		if c, ok := s.get("a", id); ok {
			t.Errorf("get %q found %s", id, c.id)
		}
		if _, err := s.modify("a", id, func(cur *customer) (*customer, error) { return cur.clone(), nil }); err != errNotFound {
			t.Errorf("modify %q: %v", id, err)
		}
		if c, ok := s.remove("a", id); ok {
			t.Errorf("remove %q removed %s", id, c.id)
		}
	}
	if s.count("a") != 2 {
		t.Errorf("%d customers left, want 2", s.count("a"))
	}
}

// TestRecordTextAllocatesOnce: storing a customer allocates its record's
// text once, metadata and address included, not a buffer and then a copy.
func TestRecordTextAllocatesOnce(t *testing.T) {
	c := syntheticCustomer(8)
	var r record
	if allocs := testing.AllocsPerRun(100, func() { r.set(c) }); allocs != 1 {
		t.Errorf("storing a customer allocates %.0f times, want 1", allocs)
	}
}
