package straddle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// CustomerType says whether a customer is a person or a business.
type CustomerType string

// Customer types.
const (
	CustomerTypeIndividual CustomerType = "individual"
	CustomerTypeBusiness   CustomerType = "business"
)

// Valid reports whether t is a type this package knows. Responses may carry
// newer values; they decode as they are.
func (t CustomerType) Valid() bool {
	return t == CustomerTypeIndividual || t == CustomerTypeBusiness
}

// CustomerStatus is where a customer is in verification: pending while checks
// run, then review, verified or rejected; inactive is set by an update.
type CustomerStatus string

// Customer statuses.
const (
	CustomerStatusPending  CustomerStatus = "pending"
	CustomerStatusReview   CustomerStatus = "review"
	CustomerStatusVerified CustomerStatus = "verified"
	CustomerStatusInactive CustomerStatus = "inactive"
	CustomerStatusRejected CustomerStatus = "rejected"
)

// Valid reports whether s is a status this package knows.
func (s CustomerStatus) Valid() bool {
	switch s {
	case CustomerStatusPending, CustomerStatusReview, CustomerStatusVerified,
		CustomerStatusInactive, CustomerStatusRejected:
		return true
	}
	return false
}

// SandboxOutcome forces the verification result of a customer created in the
// sandbox. Standard runs the usual checks; the others set that status at once.
type SandboxOutcome string

// Sandbox outcomes.
const (
	SandboxOutcomeStandard SandboxOutcome = "standard"
	SandboxOutcomeVerified SandboxOutcome = "verified"
	SandboxOutcomeRejected SandboxOutcome = "rejected"
	SandboxOutcomeReview   SandboxOutcome = "review"
)

// Valid reports whether o is an outcome this package knows.
func (o SandboxOutcome) Valid() bool {
	switch o {
	case SandboxOutcomeStandard, SandboxOutcomeVerified, SandboxOutcomeRejected, SandboxOutcomeReview:
		return true
	}
	return false
}

// ProcessingMethod says how a new customer's identity checks run.
type ProcessingMethod string

// Processing methods.
const (
	ProcessingMethodInline     ProcessingMethod = "inline"
	ProcessingMethodBackground ProcessingMethod = "background"
	ProcessingMethodSkip       ProcessingMethod = "skip"
)

// Valid reports whether m is a method this package knows.
func (m ProcessingMethod) Valid() bool {
	return m == ProcessingMethodInline || m == ProcessingMethodBackground || m == ProcessingMethodSkip
}

// ReviewDecision is the outcome of a manual review of a customer in review.
type ReviewDecision string

// Review decisions.
const (
	ReviewDecisionVerified ReviewDecision = "verified"
	ReviewDecisionRejected ReviewDecision = "rejected"
)

// Valid reports whether d is a decision the API accepts.
func (d ReviewDecision) Valid() bool {
	return d == ReviewDecisionVerified || d == ReviewDecisionRejected
}

// SortBy is the field a customer list is sorted on.
type SortBy string

// Sort fields.
const (
	SortByName      SortBy = "name"
	SortByCreatedAt SortBy = "created_at"
)

// Valid reports whether s is a sort field this package knows.
func (s SortBy) Valid() bool { return s == SortByName || s == SortByCreatedAt }

// SortOrder is a sort direction.
type SortOrder string

// Sort directions.
const (
	SortAsc  SortOrder = "asc"
	SortDesc SortOrder = "desc"
)

// Valid reports whether o is a direction this package knows.
func (o SortOrder) Valid() bool { return o == SortAsc || o == SortDesc }

// IdentityDecision is the recommendation of one identity screening check.
// The customer's Status, not this, is the authoritative outcome.
type IdentityDecision string

// Identity decisions.
const (
	IdentityDecisionAccept IdentityDecision = "accept"
	IdentityDecisionReject IdentityDecision = "reject"
	IdentityDecisionReview IdentityDecision = "review"
)

// Valid reports whether d is a decision this package knows.
func (d IdentityDecision) Valid() bool {
	return d == IdentityDecisionAccept || d == IdentityDecisionReject || d == IdentityDecisionReview
}

// Correlation is how confidently supplied data matches known records.
type Correlation string

// Correlation levels, weakest first.
const (
	CorrelationLowConfidence  Correlation = "low_confidence"
	CorrelationPotentialMatch Correlation = "potential_match"
	CorrelationLikelyMatch    Correlation = "likely_match"
	CorrelationHighConfidence Correlation = "high_confidence"
)

// Valid reports whether c is a level this package knows.
func (c Correlation) Valid() bool {
	switch c {
	case CorrelationLowConfidence, CorrelationPotentialMatch, CorrelationLikelyMatch, CorrelationHighConfidence:
		return true
	}
	return false
}

// Address is a US postal address.
type Address struct {
	Address1 string `json:"address1"`           // street address or PO box, at most 100 characters
	Address2 string `json:"address2,omitempty"` // apartment, suite or unit; optional
	City     string `json:"city"`               // at most 100 characters
	State    string `json:"state"`              // two upper-case letters, such as "IN"
	Zip      string `json:"zip"`                // 12345 or 12345-6789
}

// Device is where a customer registered from, as reads return it: the IP
// address is masked.
type Device struct {
	IPAddress Masked `json:"ip_address"`
}

// UnmaskedDevice is where a customer registered from, with the real IP address.
type UnmaskedDevice struct {
	IPAddress IPAddress `json:"ip_address"`
}

// Config holds a customer's processing options, set on create.
type Config struct {
	SandboxOutcome   SandboxOutcome   `json:"sandbox_outcome,omitempty"`
	ProcessingMethod ProcessingMethod `json:"processing_method,omitempty"`
}

// Representative is a person who acts for a business customer.
type Representative struct {
	Name  string `json:"name"`            // required
	Email string `json:"email,omitempty"` // optional
	Phone string `json:"phone,omitempty"` // optional
}

// IndividualProfile is a person's identity data as masked reads return it.
type IndividualProfile struct {
	SSN Masked `json:"ssn"`
	DOB Masked `json:"dob"`
}

// BusinessProfile is a business's registration data as masked reads return it.
type BusinessProfile struct {
	EIN               Masked           `json:"ein"`
	LegalBusinessName string           `json:"legal_business_name"`
	Website           string           `json:"website,omitempty"`
	Representatives   []Representative `json:"representatives,omitempty"`
}

// ComplianceProfile is a customer's masked identity data. Exactly one of
// Individual and Business is set, chosen by the customer's type (or, when the
// type is missing, unknown or contradicted by the data, by the keys present).
type ComplianceProfile struct {
	Individual *IndividualProfile
	Business   *BusinessProfile
}

// MarshalJSON writes the member that is set, in its wire form.
func (p ComplianceProfile) MarshalJSON() ([]byte, error) {
	return marshalMember(p.Individual, p.Business)
}

// IndividualIdentity is a person's real identity data: on create and update,
// and as the unmasked endpoint returns it.
type IndividualIdentity struct {
	SSN SSN `json:"ssn"` // XXX-XX-XXXX
	DOB DOB `json:"dob"` // YYYY-MM-DD, not in the future
}

// BusinessIdentity is a business's real registration data: on create and
// update, and as the unmasked endpoint returns it.
type BusinessIdentity struct {
	EIN               EIN              `json:"ein"` // XX-XXXXXXX
	LegalBusinessName string           `json:"legal_business_name"`
	Website           string           `json:"website,omitempty"` // an absolute URL
	Representatives   []Representative `json:"representatives,omitempty"`
}

// UnmaskedComplianceProfile is a customer's real identity data. Exactly one of
// Individual and Business is set, chosen as for ComplianceProfile.
type UnmaskedComplianceProfile struct {
	Individual *IndividualIdentity
	Business   *BusinessIdentity
}

// MarshalJSON writes the member that is set, in its wire form (personal values
// redacted).
func (p UnmaskedComplianceProfile) MarshalJSON() ([]byte, error) {
	return marshalMember(p.Individual, p.Business)
}

func marshalMember[I, B any](ind *I, bus *B) ([]byte, error) {
	switch {
	case ind != nil:
		return json.Marshal(ind)
	case bus != nil:
		return json.Marshal(bus)
	}
	return []byte("null"), nil
}

// Customer is a customer as reads return it, with personal data masked.
type Customer struct {
	ID                string             `json:"id"`
	Name              string             `json:"name"`
	Type              CustomerType       `json:"type"`
	Email             string             `json:"email"`
	Phone             string             `json:"phone"`
	Status            CustomerStatus     `json:"status"`
	CreatedAt         time.Time          `json:"created_at"`
	UpdatedAt         time.Time          `json:"updated_at"`
	ExternalID        string             `json:"external_id,omitempty"`
	Address           *Address           `json:"address,omitempty"`
	ComplianceProfile *ComplianceProfile `json:"compliance_profile,omitempty"`
	Device            *Device            `json:"device,omitempty"`
	Metadata          map[string]string  `json:"metadata,omitempty"`
	Config            *Config            `json:"config,omitempty"`
}

// UnmarshalJSON decodes a customer from the wire, accepting the service's
// timestamp forms and choosing the compliance profile member.
func (c *Customer) UnmarshalJSON(b []byte) error {
	var w customerWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	err := w.finish()
	*c = *w.customer()
	return err
}

// LogValue logs the customer's identifiers and status, not its contact or
// identity data.
func (c Customer) LogValue() slog.Value {
	return customerLogValue(c.ID, c.Type, c.Status, c.ExternalID)
}

// UnmaskedCustomer is a customer with real SSN, date of birth, EIN and IP
// address, from the unmasked endpoint. Those values print, log and marshal as
// "[REDACTED]"; read them with Reveal.
type UnmaskedCustomer struct {
	ID                string                     `json:"id"`
	Name              string                     `json:"name"`
	Type              CustomerType               `json:"type"`
	Email             string                     `json:"email"`
	Phone             string                     `json:"phone"`
	Status            CustomerStatus             `json:"status"`
	CreatedAt         time.Time                  `json:"created_at"`
	UpdatedAt         time.Time                  `json:"updated_at"`
	ExternalID        string                     `json:"external_id,omitempty"`
	Address           *Address                   `json:"address,omitempty"`
	ComplianceProfile *UnmaskedComplianceProfile `json:"compliance_profile,omitempty"`
	Device            *UnmaskedDevice            `json:"device,omitempty"`
	Metadata          map[string]string          `json:"metadata,omitempty"`
	Config            *Config                    `json:"config,omitempty"`
}

// UnmarshalJSON decodes an unmasked customer from the wire, like Customer's.
func (c *UnmaskedCustomer) UnmarshalJSON(b []byte) error {
	var w unmaskedWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	err := w.finish()
	*c = *w.customer()
	return err
}

// LogValue logs the customer's identifiers and status, never its identity data.
func (c UnmaskedCustomer) LogValue() slog.Value {
	return customerLogValue(c.ID, c.Type, c.Status, c.ExternalID)
}

// CustomerSummary is a customer as lists return it: no address, profile or device.
type CustomerSummary struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Type       CustomerType   `json:"type"`
	Email      string         `json:"email"`
	Phone      string         `json:"phone"`
	Status     CustomerStatus `json:"status"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	ExternalID string         `json:"external_id,omitempty"`
}

// UnmarshalJSON decodes a list item, accepting the service's timestamp forms.
func (s *CustomerSummary) UnmarshalJSON(b []byte) error {
	var w summaryWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*s = w.summary()
	return nil
}

// LogValue logs the customer's identifiers and status, not its contact data.
func (s CustomerSummary) LogValue() slog.Value {
	return customerLogValue(s.ID, s.Type, s.Status, s.ExternalID)
}

func customerLogValue(id string, t CustomerType, s CustomerStatus, externalID string) slog.Value {
	attrs := []slog.Attr{slog.String("id", id), slog.String("type", string(t)), slog.String("status", string(s))}
	if externalID != "" {
		attrs = append(attrs, slog.String("external_id", externalID))
	}
	return slog.GroupValue(attrs...)
}

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
	ind, bus, err := decodeProfile[IndividualProfile, BusinessProfile](w.ComplianceProfile, c.Type)
	w.ComplianceProfile = nil
	if err != nil || (ind == nil && bus == nil) {
		return err
	}
	c.ComplianceProfile = &ComplianceProfile{Individual: ind, Business: bus}
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

// timestamp decodes the service's instants: RFC 3339 with 0 to 9 fractional
// digits, or no zone at all (meaning UTC), as in "2026-07-07T06:21:44". The
// result is always in UTC.
type timestamp time.Time

// Layouts tried in order; time.Parse accepts any fraction after the seconds.
var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05"}

func (t *timestamp) UnmarshalJSON(b []byte) error {
	// The usual form, RFC 3339 with a zone, parses without allocating.
	var v time.Time
	if v.UnmarshalJSON(b) == nil && inYearRange(v.UTC()) {
		*t = timestamp(v.UTC())
		return nil
	}
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("straddle: timestamp: %w", errWithoutValue(err))
	}
	if s == nil {
		*t = timestamp{}
		return nil
	}
	v, err := parseTimestamp(*s)
	if err != nil {
		return err
	}
	*t = timestamp(v)
	return nil
}

// parseTimestamp parses one of the service's instant forms. An instant that
// a zone offset puts outside the years 0000 to 9999 in UTC is refused: RFC
// 3339 and JSON could not write it back.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range timestampLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			if v = v.UTC(); !inYearRange(v) {
				return time.Time{}, errors.New("straddle: timestamp is outside the years 0000 to 9999")
			}
			return v, nil
		}
	}
	return time.Time{}, errors.New("straddle: timestamp is not in RFC 3339 form")
}

// inYearRange reports whether RFC 3339 and JSON can write v: years 0000 to 9999.
func inYearRange(v time.Time) bool { return v.Year() >= 0 && v.Year() <= 9999 }
