package straddletest

import (
	"reflect"
	"testing"
	"time"
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
		reviewID:      "019f3b3d-5816-77fb-8a9c-0000000000ff",
		reviewCreated: time.Date(1960, 5, 6, 7, 8, 9, 100, time.UTC), reviewUpdated: time.Date(9999, 12, 31, 23, 59, 59, 999999900, time.UTC),
		changes: map[string]time.Time{fieldName: time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC)},
	}
	for name, change := range map[string]func(c *customer){
		"usual":                  func(*customer) {},
		"a status not listed":    func(c *customer) { c.status = "archived" },
		"a type not listed":      func(c *customer) { c.typ = "trust" },
		"other config values":    func(c *customer) { c.sandboxOutcome, c.processingMethod = "chaos", "batch" },
		"a review id not a UUID": func(c *customer) { c.reviewID = "review-1" },
		"an upper-case review":   func(c *customer) { c.reviewID = "019F3B3D-5816-77FB-8A9C-0000000000FF" },
		"no review, zero times":  func(c *customer) { c.reviewID, c.reviewCreated, c.reviewUpdated = "", time.Time{}, time.Time{} },
		"a business":             func(c *customer) { c.typ, c.individual, c.business = typeBusiness, nil, &businessProfile{} },
		"empty strings":          func(c *customer) { c.name, c.email, c.phone, c.ip, c.externalID = "", "", "", "", nil },
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
