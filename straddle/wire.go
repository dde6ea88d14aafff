package straddle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// The wire forms below decode in one pass over a response: they have no
// UnmarshalJSON of their own, so encoding/json fills them directly, with
// timestamps in the service's forms and the compliance profile kept raw until
// finish can choose its member by the customer's type. The models'
// UnmarshalJSON methods use them too, so both paths decode alike.

// plainCustomer, plainUnmasked and plainSummary are the models without their
// methods, so that decoding them does not call their UnmarshalJSON.
type (
	plainCustomer Customer
	plainUnmasked UnmaskedCustomer
	plainSummary  CustomerSummary
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

// summaryWire is a CustomerSummary as the wire carries it.
type summaryWire struct {
	plainSummary
	CreatedAt timestamp `json:"created_at"`
	UpdatedAt timestamp `json:"updated_at"`
}

func (w *summaryWire) summary() CustomerSummary {
	s := CustomerSummary(w.plainSummary)
	s.CreatedAt, s.UpdatedAt = time.Time(w.CreatedAt), time.Time(w.UpdatedAt)
	return s
}

// summaries converts a decoded page; the result is never nil.
func summaries(ws []summaryWire) []CustomerSummary {
	out := make([]CustomerSummary, len(ws))
	for i := range ws {
		out[i] = ws[i].summary()
	}
	return out
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
