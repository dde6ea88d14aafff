package straddle

import (
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/straddlekit/straddle-go/gen"
)

// CreateCustomerParams describe a new customer. Name, Type, Email, Phone and
// IPAddress are required; everything else is optional and left out of the
// request when empty. Personal data goes in through NewSSN, NewDOB, NewEIN and
// NewIPAddress, so masked values read from a customer cannot be sent back.
type CreateCustomerParams struct {
	Name      string       // a person's full name or a business's name
	Type      CustomerType // individual or business
	Email     string       // unique within the account
	Phone     string       // E.164, such as +12128675309
	IPAddress IPAddress    // IPv4 the customer registered from; 0.0.0.0 for offline registrations
	Address   *Address

	// Individual is the identity of an individual customer; Business that of a
	// business customer. Set at most one, matching Type.
	Individual *IndividualIdentity
	Business   *BusinessIdentity

	ExternalID string            // your own identifier
	Metadata   map[string]string // at most 20 pairs; keys and values at most 40 characters

	// Config sets how the identity checks run (ProcessingMethod) and, in the
	// sandbox, forces their result (SandboxOutcome). Nil for the service's
	// defaults. Reads return it as Customer.Config.
	Config *Config
}

// UpdateCustomerParams are a customer's complete new state (PUT, full
// replacement).
//
// Every optional field left empty here is CLEARED on the customer: an update
// without Address removes the address, one without Individual or Business
// removes the compliance profile, one without Metadata removes the metadata.
// Start from the current customer (CustomersService.Edit does this, including
// the real SSN, DOB, EIN and IP address from the unmasked endpoint) rather than
// from an empty struct.
//
// Changing more than two fields (metadata aside) within 24 hours triggers a
// new identity score, which may change the customer's status.
//
// Name, Email, Phone, IPAddress and Status are required. The type and config
// of a customer cannot be changed.
type UpdateCustomerParams struct {
	Name      string
	Email     string
	Phone     string
	IPAddress IPAddress
	Status    CustomerStatus
	Address   *Address

	// Individual or Business: at most one, matching the customer's type.
	Individual *IndividualIdentity
	Business   *BusinessIdentity

	ExternalID string
	Metadata   map[string]string
}

// ListParams filter, sort and page a customer list. The zero value (or nil)
// asks for the first page with the service's defaults.
type ListParams struct {
	PageNumber int // from 1; 0 means the first page
	PageSize   int // 1 to 1000; 0 means the service's default (100)

	SortBy    SortBy    // name when empty
	SortOrder SortOrder // ascending when empty

	CreatedFrom time.Time // only customers created at or after this instant; zero means no bound
	CreatedTo   time.Time // only customers created at or before this instant; zero means no bound

	Name       string // part of the name
	ExternalID string // exact match
	Email      string // exact match
	SearchText string // free text over name, email, phone and external id

	Statuses []CustomerStatus // any of these statuses
	Types    []CustomerType   // any of these types
}

// The request bodies of writes, in the shape of the spec's
// CreateCustomerRequest and UpdateCustomerRequest (and of gen's models of
// them, field for field and in the same order). They are plain structs so
// that encoding one is a single json.Marshal: gen's models hold nullable
// fields as maps that marshal themselves, and re-marshal the profile union.
// Optional fields are omitted when empty; the profile's required-but-nullable
// keys are pointers, sent as null when empty.

// createBody is the body of POST /v1/customers.
type createBody struct {
	Address           *addressBody      `json:"address,omitempty"`
	ComplianceProfile profileBody       `json:"compliance_profile,omitempty"`
	Config            *configBody       `json:"config,omitempty"`
	Device            deviceBody        `json:"device"`
	Email             string            `json:"email"`
	ExternalID        string            `json:"external_id,omitempty"`
	Metadata          map[string]string `json:"metadata,omitempty"`
	Name              string            `json:"name"`
	Phone             string            `json:"phone"`
	Type              string            `json:"type"`
}

// updateBody is the body of PUT /v1/customers/{id}.
type updateBody struct {
	Address           *addressBody      `json:"address,omitempty"`
	ComplianceProfile profileBody       `json:"compliance_profile,omitempty"`
	Device            deviceBody        `json:"device"`
	Email             string            `json:"email"`
	ExternalID        string            `json:"external_id,omitempty"`
	Metadata          map[string]string `json:"metadata,omitempty"`
	Name              string            `json:"name"`
	Phone             string            `json:"phone"`
	Status            string            `json:"status"`
}

type addressBody struct {
	Address1 string `json:"address1"`
	Address2 string `json:"address2,omitempty"`
	City     string `json:"city"`
	State    string `json:"state"`
	Zip      string `json:"zip"`
}

type configBody struct {
	ProcessingMethod string `json:"processing_method,omitempty"`
	SandboxOutcome   string `json:"sandbox_outcome,omitempty"`
}

type deviceBody struct {
	IPAddress string `json:"ip_address"`
}

// profileBody is the compliance profile: *individualBody or *businessBody.
// The wire has no discriminator; the member is known by its keys.
type profileBody interface{ profileMember() }

// individualBody is the spec's IndividualProfile: both keys always present.
type individualBody struct {
	DOB *string `json:"dob"`
	SSN *string `json:"ssn"`
}

// businessBody is the spec's BusinessProfile: ein and legal_business_name
// always present. Representatives is a pointer so that an empty, non-nil list
// goes out as [] and a nil one not at all.
type businessBody struct {
	EIN               *string               `json:"ein"`
	LegalBusinessName *string               `json:"legal_business_name"`
	Representatives   *[]representativeBody `json:"representatives,omitempty"`
	Website           string                `json:"website,omitempty"`
}

type representativeBody struct {
	Email string `json:"email,omitempty"`
	Name  string `json:"name"`
	Phone string `json:"phone,omitempty"`
}

func (*individualBody) profileMember() {}
func (*businessBody) profileMember()   {}

// LogValue logs what kind of customer is being created, never its data.
func (p CreateCustomerParams) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("type", string(p.Type))}
	if p.ExternalID != "" {
		attrs = append(attrs, slog.String("external_id", p.ExternalID))
	}
	if p.Config != nil && p.Config.SandboxOutcome != "" {
		attrs = append(attrs, slog.String("sandbox_outcome", string(p.Config.SandboxOutcome)))
	}
	return slog.GroupValue(attrs...)
}

// LogValue logs the requested status, never the customer's data.
func (p UpdateCustomerParams) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("status", string(p.Status))}
	if p.ExternalID != "" {
		attrs = append(attrs, slog.String("external_id", p.ExternalID))
	}
	return slog.GroupValue(attrs...)
}

// toBody builds the request body. Call validate first: toBody trusts the
// formats. The body shares p's metadata map, which it only reads: Create
// marshals it at once and keeps only the bytes, so the caller's map is
// neither kept nor changed, and what is sent is the metadata at the call.
func (p *CreateCustomerParams) toBody() createBody {
	b := createBody{
		Address:           addressToBody(p.Address),
		ComplianceProfile: profileToBody(p.Individual, p.Business),
		Device:            deviceBody{IPAddress: p.IPAddress.Reveal()},
		Email:             p.Email,
		ExternalID:        p.ExternalID,
		Metadata:          p.Metadata,
		Name:              p.Name,
		Phone:             p.Phone,
		Type:              string(p.Type),
	}
	if cfg := p.Config; cfg != nil && (cfg.SandboxOutcome != "" || cfg.ProcessingMethod != "") {
		b.Config = &configBody{ProcessingMethod: string(cfg.ProcessingMethod), SandboxOutcome: string(cfg.SandboxOutcome)}
	}
	return b
}

// toBody builds the request body. Optional fields left empty are omitted,
// which the service treats as cleared. Call validate first. Like
// CreateCustomerParams.toBody, it shares p's metadata: marshal it at once.
func (p *UpdateCustomerParams) toBody() updateBody {
	return updateBody{
		Address:           addressToBody(p.Address),
		ComplianceProfile: profileToBody(p.Individual, p.Business),
		Device:            deviceBody{IPAddress: p.IPAddress.Reveal()},
		Email:             p.Email,
		ExternalID:        p.ExternalID,
		Metadata:          p.Metadata,
		Name:              p.Name,
		Phone:             p.Phone,
		Status:            string(p.Status),
	}
}

// toGen builds the query parameters; a nil *ListParams gives none.
func (p *ListParams) toGen() gen.ListCustomersParams {
	var r gen.ListCustomersParams
	if p == nil {
		return r
	}
	if p.PageNumber != 0 {
		v := int32(p.PageNumber)
		r.PageNumber = &v
	}
	if p.PageSize != 0 {
		v := int32(p.PageSize)
		r.PageSize = &v
	}
	if p.SortBy != "" {
		v := gen.CustomerSortBy(p.SortBy)
		r.SortBy = &v
	}
	if p.SortOrder != "" {
		v := gen.SortOrder(p.SortOrder)
		r.SortOrder = &v
	}
	if !p.CreatedFrom.IsZero() {
		v := p.CreatedFrom
		r.CreatedFrom = &v
	}
	if !p.CreatedTo.IsZero() {
		v := p.CreatedTo
		r.CreatedTo = &v
	}
	r.Name = optionalPtr(p.Name)
	r.ExternalID = optionalPtr(p.ExternalID)
	r.Email = optionalPtr(p.Email)
	r.SearchText = optionalPtr(p.SearchText)
	for _, s := range p.Statuses {
		r.Status = append(r.Status, gen.CustomerStatus(s))
	}
	for _, t := range p.Types {
		r.Types = append(r.Types, gen.CustomerType(t))
	}
	return r
}

// decisionBody builds the review decision request body.
func decisionBody(s CustomerStatus) gen.ReviewDecisionRequest {
	return gen.ReviewDecisionRequest{Status: gen.ReviewDecisionStatus(s)}
}

func optionalPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func addressToBody(a *Address) *addressBody {
	if a == nil {
		return nil
	}
	return &addressBody{Address1: a.Address1, Address2: a.Address2, City: a.City, State: a.State, Zip: a.Zip}
}

// profileToBody builds the compliance profile from whichever identity is set
// (validation allows at most one); nil when neither is.
func profileToBody(ind *IndividualIdentity, bus *BusinessIdentity) profileBody {
	switch {
	case ind != nil:
		return &individualBody{DOB: optionalPtr(normalDOB(ind.DOB.Reveal())), SSN: optionalPtr(ind.SSN.Reveal())}
	case bus != nil:
		b := &businessBody{EIN: optionalPtr(bus.EIN.Reveal()), LegalBusinessName: optionalPtr(bus.LegalBusinessName), Website: bus.Website}
		if bus.Representatives != nil {
			reps := make([]representativeBody, len(bus.Representatives))
			for i, r := range bus.Representatives {
				reps[i] = representativeBody{Email: r.Email, Name: r.Name, Phone: r.Phone}
			}
			b.Representatives = &reps
		}
		return b
	}
	return nil
}

// normalDOB writes a date of birth as YYYY-MM-DD. A value that does not parse
// (unreachable after validate) goes out as given, neither dropped nor
// altered, for the service to refuse.
func normalDOB(dob string) string {
	d, err := time.Parse(time.DateOnly, dob)
	if err != nil {
		return dob
	}
	return d.Format(time.DateOnly)
}

// updateParamsFrom builds a full replacement that keeps everything c shows,
// with the real SSN, DOB, EIN and IP address taken from u when u is not nil.
// Without u, those masked fields stay empty: see missingMasked.
func updateParamsFrom(c *Customer, u *UnmaskedCustomer) *UpdateCustomerParams {
	p := &UpdateCustomerParams{}
	if c == nil {
		return p
	}
	p.Name, p.Email, p.Phone, p.Status = c.Name, c.Email, c.Phone, c.Status
	p.ExternalID = c.ExternalID
	p.Metadata = maps.Clone(c.Metadata)
	if c.Address != nil {
		a := *c.Address
		p.Address = &a
	}
	var real *UnmaskedComplianceProfile
	if u != nil {
		real = u.ComplianceProfile
		if u.Device != nil {
			p.IPAddress = u.Device.IPAddress
		}
	}
	if cp := c.ComplianceProfile; cp != nil {
		switch {
		case cp.Individual != nil:
			p.Individual = &IndividualIdentity{}
			if real != nil && real.Individual != nil {
				*p.Individual = *real.Individual
			}
		case cp.Business != nil:
			p.Business = &BusinessIdentity{
				LegalBusinessName: cp.Business.LegalBusinessName,
				Website:           cp.Business.Website,
				Representatives:   slices.Clone(cp.Business.Representatives),
			}
			if real != nil && real.Business != nil {
				p.Business.EIN = real.Business.EIN
			}
		}
	}
	return p
}

// missingMasked lists, by wire name, the masked fields c has a value for that
// p lacks: sending p as it is would clear them.
func (p *UpdateCustomerParams) missingMasked(c *Customer) []string {
	var missing []string
	if c == nil {
		return nil
	}
	if cp := c.ComplianceProfile; cp != nil {
		if ind := cp.Individual; ind != nil {
			have := p.Individual
			if !ind.SSN.IsZero() && (have == nil || have.SSN.IsZero()) {
				missing = append(missing, "compliance_profile.ssn")
			}
			if !ind.DOB.IsZero() && (have == nil || have.DOB.IsZero()) {
				missing = append(missing, "compliance_profile.dob")
			}
		}
		if bus := cp.Business; bus != nil && !bus.EIN.IsZero() && (p.Business == nil || p.Business.EIN.IsZero()) {
			missing = append(missing, "compliance_profile.ein")
		}
	}
	if c.Device != nil && !c.Device.IPAddress.IsZero() && p.IPAddress.IsZero() {
		missing = append(missing, "device.ip_address")
	}
	return missing
}
