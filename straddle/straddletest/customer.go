package straddletest

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// Customer types, statuses and config values as the wire spells them.
const (
	typeIndividual = "individual"
	typeBusiness   = "business"

	statusPending  = "pending"
	statusReview   = "review"
	statusVerified = "verified"
	statusInactive = "inactive"
	statusRejected = "rejected"

	outcomeStandard = "standard"

	processingInline     = "inline"
	processingBackground = "background"
	processingSkip       = "skip"
)

// customer is one stored customer. Stored values are never modified: a change
// stores a modified copy, so a reader holding one needs no lock.
type customer struct {
	id, account      string
	name, typ        string
	email, phone     string
	status           string
	createdAt        time.Time
	updatedAt        time.Time
	externalID       *string
	address          *address
	individual       *individualProfile
	business         *businessProfile
	ip               string
	metadata         map[string]string
	sandboxOutcome   string
	processingMethod string

	reviewID      reviewRef
	reviewCreated time.Time
	reviewUpdated time.Time
	// changes holds when each identity field last changed, for the 24-hour rule.
	changes map[string]time.Time
}

func (c *customer) clone() *customer {
	cp := *c
	return &cp
}

// reviewRef is a customer's review id: the 16 bytes of a UUID in canonical
// form (as newID writes every review id), formatted only when asked for, since
// most reads (a get, a list) never show it; or another id as given.
type reviewRef struct {
	uuid  [16]byte
	other string // an id not in canonical form
	set   bool   // uuid holds the id
}

func newReviewRef(id string) reviewRef {
	if b, ok := parseCanonicalUUID(id); ok {
		return reviewRef{uuid: b, set: true}
	}
	return reviewRef{other: id}
}

// String is the review id, "" for none.
func (r reviewRef) String() string {
	if r.set {
		return formatUUID(r.uuid)
	}
	return r.other
}

func (r reviewRef) isZero() bool { return !r.set && r.other == "" }

type address struct {
	Address1 string  `json:"address1"`
	Address2 *string `json:"address2"`
	City     string  `json:"city"`
	State    string  `json:"state"`
	Zip      string  `json:"zip"`
}

func (a *address) equal(b *address) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Address1 == b.Address1 && equalPtr(a.Address2, b.Address2) &&
		a.City == b.City && a.State == b.State && a.Zip == b.Zip
}

type individualProfile struct {
	SSN *string `json:"ssn"`
	DOB *string `json:"dob"`
}

type businessProfile struct {
	EIN               *string          `json:"ein"`
	LegalBusinessName *string          `json:"legal_business_name"`
	Website           *string          `json:"website"`
	Representatives   []representative `json:"representatives"`
}

type representative struct {
	Name  string  `json:"name"`
	Email *string `json:"email"`
	Phone *string `json:"phone"`
}

func equalPtr(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (c *customer) sameProfile(o *customer) bool {
	switch {
	case c.individual != nil || o.individual != nil:
		return c.individual != nil && o.individual != nil &&
			equalPtr(c.individual.SSN, o.individual.SSN) && equalPtr(c.individual.DOB, o.individual.DOB)
	case c.business != nil || o.business != nil:
		a, b := c.business, o.business
		return a != nil && b != nil && equalPtr(a.EIN, b.EIN) &&
			equalPtr(a.LegalBusinessName, b.LegalBusinessName) && equalPtr(a.Website, b.Website) &&
			slices.EqualFunc(a.Representatives, b.Representatives, func(x, y representative) bool {
				return x.Name == y.Name && equalPtr(x.Email, y.Email) && equalPtr(x.Phone, y.Phone)
			})
	}
	return true
}

// customerInput is the body of a create or an update, and one seed fixture
// (which adds the stored fields). Every field is optional here; the spec
// validation and checkInput enforce what each operation requires.
type customerInput struct {
	ID                string            `json:"id"`
	AccountID         string            `json:"account_id"`
	Name              *string           `json:"name"`
	Type              *string           `json:"type"`
	Email             *string           `json:"email"`
	Phone             *string           `json:"phone"`
	Status            *string           `json:"status"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	Device            *deviceInput      `json:"device"`
	Address           *address          `json:"address"`
	ComplianceProfile json.RawMessage   `json:"compliance_profile"`
	ExternalID        *string           `json:"external_id"`
	Metadata          map[string]string `json:"metadata"`
	Config            *configInput      `json:"config"`
}

type deviceInput struct {
	IPAddress string `json:"ip_address"`
}

type configInput struct {
	SandboxOutcome   string `json:"sandbox_outcome"`
	ProcessingMethod string `json:"processing_method"`
}

// profileKind tells which compliance profile a raw value is by its keys: the
// wire has no discriminator. It returns "" for an absent or null profile and
// "mixed" when keys of both members appear.
func profileKind(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return "", nil
	}
	var ind, biz bool
	see := func(key []byte) {
		switch string(key) {
		case "ssn", "dob":
			ind = true
		case "ein", "legal_business_name", "website", "representatives":
			biz = true
		}
	}
	if !scanObjectKeys(raw, see) {
		// Not a plain object (or a key with an escape): decode it.
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(raw, &keys); err != nil {
			return "", err
		}
		ind, biz = false, false
		for k := range keys {
			see([]byte(k))
		}
	}
	switch {
	case ind && biz:
		return "mixed", nil
	case ind:
		return typeIndividual, nil
	case biz:
		return typeBusiness, nil
	}
	return "mixed", nil
}

// scanObjectKeys calls see with each key of raw, a JSON object, without
// decoding it: the profile's keys are all a create needs to tell its kind,
// and decoding them into a map cost a create 3 µs. It reports false, having
// perhaps seen some keys, when raw is not an object of plain keys (one with
// an escape, or not valid JSON); the caller then decodes raw.
func scanObjectKeys(raw []byte, see func(key []byte)) bool {
	i := skipSpace(raw, 0)
	if i == len(raw) || raw[i] != '{' {
		return false
	}
	i = skipSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return skipSpace(raw, i+1) == len(raw)
	}
	for {
		if i == len(raw) || raw[i] != '"' {
			return false
		}
		end := i + 1
		for end < len(raw) && raw[end] != '"' && raw[end] != '\\' {
			end++
		}
		if end == len(raw) || raw[end] != '"' {
			return false
		}
		see(raw[i+1 : end])
		i = skipSpace(raw, end+1)
		if i == len(raw) || raw[i] != ':' {
			return false
		}
		if i = skipValue(raw, skipSpace(raw, i+1)); i < 0 {
			return false
		}
		switch i = skipSpace(raw, i); {
		case i < len(raw) && raw[i] == ',':
			i = skipSpace(raw, i+1)
		case i < len(raw) && raw[i] == '}':
			return skipSpace(raw, i+1) == len(raw)
		default:
			return false
		}
	}
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value at i, or -1 when
// there is none there. It checks only enough to find the value's end.
func skipValue(raw []byte, i int) int {
	if i >= len(raw) {
		return -1
	}
	switch raw[i] {
	case '"':
		for i++; i < len(raw); i++ {
			switch raw[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for ; i < len(raw); i++ {
			switch raw[i] {
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			case '"':
				j := skipValue(raw, i)
				if j < 0 {
					return -1
				}
				i = j - 1
			}
		}
		return -1
	}
	start := i
	for ; i < len(raw); i++ {
		if c := raw[i]; c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
	}
	if i == start {
		return -1
	}
	return i
}

// applyProfile decodes raw as the member kind into c.
func (c *customer) applyProfile(raw json.RawMessage, kind string) error {
	c.individual, c.business = nil, nil
	switch kind {
	case typeIndividual:
		var p individualProfile
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		c.individual = &p
	case typeBusiness:
		var p businessProfile
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		c.business = &p
	}
	return nil
}

// applyWritable sets the fields a create and an update both carry. A field the
// input leaves out is cleared, as the update's full replacement requires.
func (c *customer) applyWritable(in *customerInput) {
	c.name = deref(in.Name)
	c.email = deref(in.Email)
	c.phone = deref(in.Phone)
	c.ip = ""
	if in.Device != nil {
		c.ip = in.Device.IPAddress
	}
	c.address = in.Address
	c.externalID = in.ExternalID
	c.metadata = maps.Clone(in.Metadata)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
