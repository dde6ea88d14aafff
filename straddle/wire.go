package straddle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unsafe"
)

// The wire forms below decode in one pass over a response: they have no
// UnmarshalJSON of their own, so encoding/json fills them directly, with
// timestamps in the service's forms and the compliance profile kept raw until
// finish can choose its member by the customer's type. The models'
// UnmarshalJSON methods use them too, so both paths decode alike.

// plainCustomer and plainUnmasked are the models without their methods, so
// that decoding them does not call their UnmarshalJSON.
type (
	plainCustomer Customer
	plainUnmasked UnmaskedCustomer
)

// customerWire is a Customer as the wire carries it.
type customerWire struct {
	plainCustomer
	CreatedAt         timestamp       `json:"created_at"`
	UpdatedAt         timestamp       `json:"updated_at"`
	ComplianceProfile json.RawMessage `json:"compliance_profile"`
}

// finish sets the timestamps and chooses the compliance profile member.
func (w *customerWire) finish() error {
	c := &w.plainCustomer
	c.CreatedAt, c.UpdatedAt = time.Time(w.CreatedAt), time.Time(w.UpdatedAt)
	ind, bus, err := decodeProfile[MaskedIndividual, MaskedBusiness](w.ComplianceProfile, c.Type)
	w.ComplianceProfile = nil
	if err != nil || (ind == nil && bus == nil) {
		return err
	}
	c.ComplianceProfile = &MaskedComplianceProfile{Individual: ind, Business: bus}
	return nil
}

// customer returns the decoded customer, which shares w's memory.
func (w *customerWire) customer() *Customer { return (*Customer)(&w.plainCustomer) }

// unmaskedWire is an UnmaskedCustomer as the wire carries it.
type unmaskedWire struct {
	plainUnmasked
	CreatedAt         timestamp       `json:"created_at"`
	UpdatedAt         timestamp       `json:"updated_at"`
	ComplianceProfile json.RawMessage `json:"compliance_profile"`
}

// finish sets the timestamps and chooses the compliance profile member.
func (w *unmaskedWire) finish() error {
	c := &w.plainUnmasked
	c.CreatedAt, c.UpdatedAt = time.Time(w.CreatedAt), time.Time(w.UpdatedAt)
	ind, bus, err := decodeProfile[IndividualIdentity, BusinessIdentity](w.ComplianceProfile, c.Type)
	w.ComplianceProfile = nil
	if err != nil || (ind == nil && bus == nil) {
		return err
	}
	c.ComplianceProfile = &UnmaskedComplianceProfile{Individual: ind, Business: bus}
	return nil
}

// customer returns the decoded customer, which shares w's memory.
func (w *unmaskedWire) customer() *UnmaskedCustomer { return (*UnmaskedCustomer)(&w.plainUnmasked) }

// summaryWire is a CustomerSummary as the wire carries it: the same fields in
// the same order, with the service's timestamp type, so that it has the same
// memory layout (TestOnePassFormsHaveTheLayoutOfTheModels) and a decoded
// page becomes a []CustomerSummary without a copy (customerSummaries). The
// type and status are plain strings: encoding/json asks a named type with
// methods whether it unmarshals itself, two interface checks per value, 3 %
// of decoding a page.
type summaryWire struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Type       string    `json:"type"` // a CustomerType
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	Status     string    `json:"status"` // a CustomerStatus
	CreatedAt  timestamp `json:"created_at"`
	UpdatedAt  timestamp `json:"updated_at"`
	ExternalID string    `json:"external_id,omitempty"`
}

// The two layouts must have the same size (this fails to compile otherwise);
// the test checks them field by field.
var _ = [1]struct{}{}[unsafe.Sizeof(summaryWire{})-unsafe.Sizeof(CustomerSummary{})]

func (w *summaryWire) summary() CustomerSummary { return *(*CustomerSummary)(unsafe.Pointer(w)) }

// customerSummaries returns the decoded page as summaries, sharing its
// memory; the result is never nil.
func customerSummaries(ws []summaryWire) []CustomerSummary {
	if cap(ws) == 0 {
		return []CustomerSummary{}
	}
	return unsafe.Slice((*CustomerSummary)(unsafe.Pointer(unsafe.SliceData(ws))), cap(ws))[:len(ws)]
}

// defaultPageSize is the number of items a page has when the list does not
// ask for a number.
const defaultPageSize = 100

// pageRoom is the capacity to give a page's summaries before decoding: the
// number of items the list asks for, so that a full page decodes without
// growing its slice.
func pageRoom(p *ListParams) int {
	if p == nil || p.PageSize <= 0 {
		return defaultPageSize
	}
	return min(p.PageSize, maxPageSize)
}

// summaryWires returns the spare room of page (its capacity; page's length is
// ignored), as an empty slice of wire forms to decode into, so a page sized
// for the number of items asked for is decoded without growing.
func summaryWires(page []CustomerSummary) []summaryWire {
	if cap(page) == 0 {
		return nil
	}
	return unsafe.Slice((*summaryWire)(unsafe.Pointer(unsafe.SliceData(page))), cap(page))[:0]
}

// profileKeys records which keys a compliance profile object has, and which
// of them hold a value other than null, without decoding or copying them.
type profileKeys struct {
	SSN               keyState `json:"ssn"`
	DOB               keyState `json:"dob"`
	EIN               keyState `json:"ein"`
	LegalBusinessName keyState `json:"legal_business_name"`
	Website           keyState `json:"website"`
	Representatives   keyState `json:"representatives"`
}

// keyState is what an object says of one key: absent, null, or a value.
type keyState uint8

const (
	keyNull  keyState = 1
	keyValue keyState = 2
)

func (k *keyState) UnmarshalJSON(b []byte) error {
	*k = keyValue
	if string(b) == "null" {
		*k = keyNull
	}
	return nil
}

// members tells which members' keys an object has: those with values when
// any key has one (valued is then true), else those present at all. Events
// write every key of both members, the other member's null, so values speak
// before mere keys.
func (k profileKeys) members() (individual, business, valued bool) {
	for _, min := range []keyState{keyValue, keyNull} {
		individual = max(k.SSN, k.DOB) >= min
		business = max(k.EIN, k.LegalBusinessName, k.Website, k.Representatives) >= min
		if individual || business {
			return individual, business, min == keyValue
		}
	}
	return false, false, false
}

// errProfileAmbiguous reports a compliance profile whose member cannot be told.
var errProfileAmbiguous = errors.New("straddle: compliance_profile has both individual and business keys and the customer type does not tell them apart")

// decodeProfile decodes a compliance profile into exactly one member. The
// customer's type decides; when the type is missing or unknown, or the object
// only has the other member's keys, the keys decide (see members). null or
// absent gives neither; so does an object with no usable type whose keys are
// empty, or null for both members. Values for both members with no usable
// type are an error: they cannot be placed.
func decodeProfile[I, B any](raw json.RawMessage, t CustomerType) (*I, *B, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil, nil
	}
	var keys profileKeys
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, nil, fmt.Errorf("straddle: compliance_profile: %w", errWithoutValue(err))
	}
	hasInd, hasBus, valued := keys.members()
	switch {
	case hasInd && !hasBus:
		t = CustomerTypeIndividual
	case hasBus && !hasInd:
		t = CustomerTypeBusiness
	}
	switch t {
	case CustomerTypeIndividual:
		var ind I
		if err := json.Unmarshal(raw, &ind); err != nil {
			return nil, nil, fmt.Errorf("straddle: compliance_profile: %w", errWithoutValue(err))
		}
		return &ind, nil, nil
	case CustomerTypeBusiness:
		var bus B
		if err := json.Unmarshal(raw, &bus); err != nil {
			return nil, nil, fmt.Errorf("straddle: compliance_profile: %w", errWithoutValue(err))
		}
		return nil, &bus, nil
	}
	if hasInd && hasBus && valued {
		return nil, nil, errProfileAmbiguous
	}
	return nil, nil, nil
}

// ---- One pass: the common responses decoded straight into their results.
//
// decodeOnePass (request.go) decodes a customer, or a page of summaries with
// its meta, in a single pass over the body, meta included, with the
// compliance profile decoded in place (customerOnePass). It only answers when
// everything decoded as expected; anything unusual (a type error, a missing
// member, an ambiguous profile, an empty page) goes the long way, through the
// wire forms above, which decide exactly what the result or the error is.
// TestOnePassAgreesWithTheLongWay and FuzzOnePassAgreesWithTheLongWay hold
// the two to the same results.

// decodeOnePass decodes a customer (meta nil), or a page of summaries and
// its *PageMeta, in one pass, meta included, straight into data and meta. A
// page is decoded into the spare capacity of *data when it has room. It
// reports false, leaving data and meta as they were, unless everything
// decoded as expected; see wire.go.
func decodeOnePass(body []byte, data, meta any) (wireMeta, bool) {
	switch d := data.(type) {
	case *Customer:
		if meta != nil {
			return wireMeta{}, false
		}
		*d = Customer{}
		env := struct {
			Meta wireMeta         `json:"meta"`
			Data *customerOnePass `json:"data"`
		}{Data: onePassCustomer(d)}
		// A customer without an id goes the long way, which tells a
		// missing member from an empty object.
		if json.Unmarshal(body, &env) != nil || env.Data == nil || d.ID == "" || !finishCustomer(d) {
			*d = Customer{}
			return wireMeta{}, false
		}
		return env.Meta, true
	case *[]CustomerSummary:
		pm, ok := meta.(*PageMeta)
		if !ok {
			return wireMeta{}, false
		}
		page := summaryWires(*d)
		env := struct {
			Meta *pageMetaOnePass `json:"meta"`
			Data *[]summaryWire   `json:"data"`
		}{Data: &page}
		// An empty page goes the long way, which tells "data": [] from a
		// missing member.
		if json.Unmarshal(body, &env) != nil || env.Meta == nil || len(page) == 0 {
			return wireMeta{}, false
		}
		*d, *pm = customerSummaries(page), env.Meta.PageMeta
		return wireMeta{RequestID: pm.RequestID, RequestTimestamp: env.Meta.RequestTimestamp}, true
	}
	return wireMeta{}, false
}

// customerOnePass is a Customer as the wire carries it, with the same fields
// in the same order and the same memory layout
// (TestOnePassFormsHaveTheLayoutOfTheModels), so that a customer decodes
// straight into the Customer the caller gets: timestamps in the service's
// forms, masked values shared when they are the usual masks, and the
// compliance profile with the keys of both members, until customer chooses.
type customerOnePass struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Type              CustomerType      `json:"type"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Status            CustomerStatus    `json:"status"`
	CreatedAt         timestamp         `json:"created_at"`
	UpdatedAt         timestamp         `json:"updated_at"`
	ExternalID        string            `json:"external_id"`
	Address           *Address          `json:"address"`
	ComplianceProfile *profileOnePass   `json:"compliance_profile"`
	Device            *deviceOnePass    `json:"device"`
	Metadata          map[string]string `json:"metadata"`
	Config            *Config           `json:"config"`
}

// deviceOnePass is a MaskedDevice as the wire carries it (the same layout).
type deviceOnePass struct {
	IPAddress maskedOnePass `json:"ip_address"`
}

var (
	_ = [1]struct{}{}[unsafe.Sizeof(customerOnePass{})-unsafe.Sizeof(Customer{})]
	_ = [1]struct{}{}[unsafe.Sizeof(deviceOnePass{})-unsafe.Sizeof(MaskedDevice{})]
	_ = [1]struct{}{}[unsafe.Sizeof(maskedOnePass{})-unsafe.Sizeof(Masked{})]
)

// onePassCustomer returns c as the wire form to decode into.
func onePassCustomer(c *Customer) *customerOnePass { return (*customerOnePass)(unsafe.Pointer(c)) }

// finishCustomer completes a customer decoded into c through
// onePassCustomer: it chooses the compliance profile's member as
// customerWire.finish does, or reports false when the member cannot be told.
func finishCustomer(c *Customer) bool {
	p := onePassCustomer(c).ComplianceProfile
	c.ComplianceProfile = nil
	if p == nil {
		return true
	}
	profile, ok := p.profile(c.Type)
	c.ComplianceProfile = profile
	return ok
}

// maskedOnePass is a Masked as the wire carries it (the same layout): a
// value that is one of the usual masks is shared, not allocated.
type maskedOnePass Masked

func (m *maskedOnePass) UnmarshalJSON(b []byte) error {
	if ref, ok := usualMasks[string(b)]; ok {
		m.v = ref
		return nil
	}
	return (*Masked)(m).UnmarshalJSON(b)
}

// usualMasks are the masked values reads return for SSNs, dates of birth,
// EINs and IP addresses, by their JSON form. Masked values are never
// modified, so every customer can share these.
var usualMasks = func() map[string]piiRef {
	m := make(map[string]piiRef)
	for _, v := range []string{"***-**-****", "****-**-**", "**-*******", "**.**.**.**"} {
		m[`"`+v+`"`] = newPIIRef(v)
	}
	return m
}()

// profileOnePass is a masked compliance profile object with every member's
// keys, each knowing whether it was present (null included), and room for
// the result, so that one allocation holds the profile and its member.
type profileOnePass struct {
	SSN               seenMasked `json:"ssn"`
	DOB               seenMasked `json:"dob"`
	EIN               seenMasked `json:"ein"`
	LegalBusinessName seenString `json:"legal_business_name"`
	Website           seenString `json:"website"`
	Representatives   seenReps   `json:"representatives"`

	result     MaskedComplianceProfile
	individual MaskedIndividual
	business   MaskedBusiness
}

// profile chooses the member as decodeProfile does: the keys present decide
// when they belong to one member only, the customer's type otherwise. It
// reports false for a profile with both members' keys that the type does not
// settle.
func (p *profileOnePass) profile(t CustomerType) (*MaskedComplianceProfile, bool) {
	hasInd := p.SSN.seen || p.DOB.seen
	hasBus := p.EIN.seen || p.LegalBusinessName.seen || p.Website.seen || p.Representatives.seen
	switch {
	case hasInd && !hasBus:
		t = CustomerTypeIndividual
	case hasBus && !hasInd:
		t = CustomerTypeBusiness
	}
	switch t {
	case CustomerTypeIndividual:
		p.individual = MaskedIndividual{SSN: Masked(p.SSN.v), DOB: Masked(p.DOB.v)}
		p.result.Individual = &p.individual
	case CustomerTypeBusiness:
		p.business = MaskedBusiness{EIN: Masked(p.EIN.v), LegalBusinessName: p.LegalBusinessName.v, Website: p.Website.v, Representatives: p.Representatives.v}
		p.result.Business = &p.business
	default:
		return nil, !(hasInd && hasBus)
	}
	return &p.result, true
}

// seenMasked, seenString and seenReps decode a value and record that its key
// was present, even with null.
type (
	seenMasked struct {
		v    maskedOnePass
		seen bool
	}
	seenString struct {
		v    string
		seen bool
	}
	seenReps struct {
		v    []Representative
		seen bool
	}
)

func (s *seenMasked) UnmarshalJSON(b []byte) error {
	s.seen = true
	return s.v.UnmarshalJSON(b)
}

func (s *seenString) UnmarshalJSON(b []byte) error {
	s.seen = true
	if v, ok := plainJSONString(b); ok {
		s.v = v
		return nil
	}
	return json.Unmarshal(b, &s.v)
}

func (s *seenReps) UnmarshalJSON(b []byte) error {
	s.seen = true
	return json.Unmarshal(b, &s.v)
}

// pageMetaOnePass is a page's meta with the request's timestamp, which
// PageMeta does not keep.
type pageMetaOnePass struct {
	PageMeta
	RequestTimestamp string `json:"api_request_timestamp"`
}
