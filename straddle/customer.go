package straddle

import (
	"encoding/json"
	"log/slog"
	"time"
)

// Address is a US postal address.
type Address struct {
	Address1 string `json:"address1"`           // street address or PO box, at most 100 characters
	Address2 string `json:"address2,omitempty"` // apartment, suite or unit; optional
	City     string `json:"city"`               // at most 100 characters
	State    string `json:"state"`              // two upper-case letters, such as "IN"
	Zip      string `json:"zip"`                // 12345 or 12345-6789
}

// MaskedDevice is where a customer registered from, as reads return it: the IP
// address is masked.
type MaskedDevice struct {
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

// MaskedIndividual is a person's identity data as masked reads return it.
type MaskedIndividual struct {
	SSN Masked `json:"ssn"`
	DOB Masked `json:"dob"`
}

// MaskedBusiness is a business's registration data as masked reads return it.
type MaskedBusiness struct {
	EIN               Masked           `json:"ein"`
	LegalBusinessName string           `json:"legal_business_name"`
	Website           string           `json:"website,omitempty"`
	Representatives   []Representative `json:"representatives,omitempty"`
}

// MaskedComplianceProfile is a customer's masked identity data. Exactly one of
// Individual and Business is set, chosen by the customer's type (or, when the
// type is missing, unknown or contradicted by the data, by the keys present).
type MaskedComplianceProfile struct {
	Individual *MaskedIndividual
	Business   *MaskedBusiness
}

// MarshalJSON writes the member that is set, in its wire form.
func (p MaskedComplianceProfile) MarshalJSON() ([]byte, error) {
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
// Individual and Business is set, chosen as for MaskedComplianceProfile.
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
	ID                string                   `json:"id"`
	Name              string                   `json:"name"`
	Type              CustomerType             `json:"type"`
	Email             string                   `json:"email"`
	Phone             string                   `json:"phone"`
	Status            CustomerStatus           `json:"status"`
	CreatedAt         time.Time                `json:"created_at"`
	UpdatedAt         time.Time                `json:"updated_at"`
	ExternalID        string                   `json:"external_id,omitempty"`
	Address           *Address                 `json:"address,omitempty"`
	ComplianceProfile *MaskedComplianceProfile `json:"compliance_profile,omitempty"`
	Device            *MaskedDevice            `json:"device,omitempty"`
	Metadata          map[string]string        `json:"metadata,omitempty"`
	Config            *Config                  `json:"config,omitempty"`
}

// UnmarshalJSON decodes a customer from the wire, accepting the service's
// timestamp forms and choosing the compliance profile member.
func (c *Customer) UnmarshalJSON(b []byte) error {
	// The usual customer decodes in one pass, as responses do (wire.go);
	// anything else goes the long way.
	var fast Customer
	if json.Unmarshal(b, onePassCustomer(&fast)) == nil && fast.ID != "" && finishCustomer(&fast) {
		*c = fast
		return nil
	}
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
