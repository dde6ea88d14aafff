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

// profileKeys records which keys a compliance profile object has, null
// values included, without decoding or copying them.
type profileKeys struct {
	SSN               present `json:"ssn"`
	DOB               present `json:"dob"`
	EIN               present `json:"ein"`
	LegalBusinessName present `json:"legal_business_name"`
	Website           present `json:"website"`
	Representatives   present `json:"representatives"`
}

// present is set when its key is in the object, whatever the value.
type present bool

func (p *present) UnmarshalJSON([]byte) error {
	*p = true
	return nil
}

// errProfileAmbiguous reports a compliance profile whose member cannot be told.
var errProfileAmbiguous = errors.New("straddle: compliance_profile has both individual and business keys and the customer type does not tell them apart")

// decodeProfile decodes a compliance profile into exactly one member. The
// customer's type decides; when the type is missing or unknown, or the object
// only has the other member's keys, the keys decide. null or absent gives
// neither; so does an empty object with no usable type.
func decodeProfile[I, B any](raw json.RawMessage, t CustomerType) (*I, *B, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil, nil
	}
	var keys profileKeys
	if err := json.Unmarshal(raw, &keys); err != nil {
		return nil, nil, fmt.Errorf("straddle: compliance_profile: %w", errWithoutValue(err))
	}
	hasInd := bool(keys.SSN || keys.DOB)
	hasBus := bool(keys.EIN || keys.LegalBusinessName || keys.Website || keys.Representatives)
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
	if hasInd && hasBus {
		return nil, nil, errProfileAmbiguous
	}
	return nil, nil, nil
}
