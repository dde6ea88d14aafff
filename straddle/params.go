package straddle

import (
	"encoding/json"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

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

	SandboxOutcome   SandboxOutcome   // sandbox only: forces the verification result
	ProcessingMethod ProcessingMethod // how the identity checks run
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

// LogValue logs what kind of customer is being created, never its data.
func (p CreateCustomerParams) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("type", string(p.Type))}
	if p.ExternalID != "" {
		attrs = append(attrs, slog.String("external_id", p.ExternalID))
	}
	if p.SandboxOutcome != "" {
		attrs = append(attrs, slog.String("sandbox_outcome", string(p.SandboxOutcome)))
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

// toGen builds the request body. Call validate first: toGen trusts the formats.
func (p *CreateCustomerParams) toGen() gen.CreateCustomerRequest {
	r := gen.CreateCustomerRequest{
		Name:   p.Name,
		Type:   gen.CustomerType(p.Type),
		Email:  openapi_types.Email(p.Email),
		Phone:  p.Phone,
		Device: gen.Device{IPAddress: p.IPAddress.Reveal()},
	}
	r.Address = addressToGen(p.Address)
	r.ComplianceProfile = profileToGen(p.Individual, p.Business)
	r.ExternalID = optionalString(p.ExternalID)
	r.Metadata = metadataToGen(p.Metadata)
	if p.SandboxOutcome != "" || p.ProcessingMethod != "" {
		r.Config = &gen.CustomerConfig{}
		if p.SandboxOutcome != "" {
			v := gen.SandboxOutcome(p.SandboxOutcome)
			r.Config.SandboxOutcome = &v
		}
		if p.ProcessingMethod != "" {
			v := gen.ProcessingMethod(p.ProcessingMethod)
			r.Config.ProcessingMethod = &v
		}
	}
	return r
}

// toGen builds the request body. Optional fields left empty are omitted,
// which the service treats as cleared. Call validate first.
func (p *UpdateCustomerParams) toGen() gen.UpdateCustomerRequest {
	return gen.UpdateCustomerRequest{
		Name:              p.Name,
		Email:             openapi_types.Email(p.Email),
		Phone:             p.Phone,
		Device:            gen.Device{IPAddress: p.IPAddress.Reveal()},
		Status:            gen.CustomerStatus(p.Status),
		Address:           addressToGen(p.Address),
		ComplianceProfile: profileToGen(p.Individual, p.Business),
		ExternalID:        optionalString(p.ExternalID),
		Metadata:          metadataToGen(p.Metadata),
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
func decisionBody(d ReviewDecision) gen.ReviewDecisionRequest {
	return gen.ReviewDecisionRequest{Status: gen.ReviewDecisionStatus(d)}
}

func optionalPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// optionalString leaves an empty optional field out of the body.
func optionalString(s string) nullable.Nullable[string] {
	if s == "" {
		return nil
	}
	return nullable.NewNullableWithValue(s)
}

// requiredNullable sends an empty value of a required-but-nullable key as null.
func requiredNullable(s string) nullable.Nullable[string] {
	if s == "" {
		return nullable.NewNullNullable[string]()
	}
	return nullable.NewNullableWithValue(s)
}

func addressToGen(a *Address) nullable.Nullable[gen.Address] {
	if a == nil {
		return nil
	}
	return nullable.NewNullableWithValue(gen.Address{
		Address1: a.Address1,
		Address2: optionalString(a.Address2),
		City:     a.City,
		State:    a.State,
		Zip:      a.Zip,
	})
}

func metadataToGen(m map[string]string) nullable.Nullable[gen.Metadata] {
	if len(m) == 0 {
		return nil
	}
	return nullable.NewNullableWithValue(gen.Metadata(maps.Clone(m)))
}

// profileToGen builds the compliance profile union from whichever identity is
// set (validation allows at most one).
func profileToGen(ind *IndividualIdentity, bus *BusinessIdentity) nullable.Nullable[gen.ComplianceProfile] {
	var cp gen.ComplianceProfile
	switch {
	case ind != nil:
		individualToGen(&cp, ind)
	case bus != nil:
		businessToGen(&cp, bus)
	default:
		return nil
	}
	return nullable.NewNullableWithValue(cp)
}

func individualToGen(cp *gen.ComplianceProfile, ind *IndividualIdentity) {
	dob := ind.DOB.Reveal()
	prof := gen.IndividualProfile{Ssn: requiredNullable(ind.SSN.Reveal()), Dob: nullable.NewNullNullable[openapi_types.Date]()}
	if dob != "" {
		d, err := time.Parse(time.DateOnly, dob)
		if err != nil {
			// Unreachable after validate; send the value as given rather than
			// dropping or altering it, and let the service refuse it.
			raw, _ := json.Marshal(map[string]any{"ssn": prof.Ssn, "dob": dob})
			_ = cp.UnmarshalJSON(raw)
			return
		}
		prof.Dob = nullable.NewNullableWithValue(openapi_types.Date{Time: d})
	}
	// Marshalling strings and a date cannot fail.
	_ = cp.FromIndividualProfile(prof)
}

func businessToGen(cp *gen.ComplianceProfile, bus *BusinessIdentity) {
	prof := gen.BusinessProfile{
		Ein:               requiredNullable(bus.EIN.Reveal()),
		LegalBusinessName: requiredNullable(bus.LegalBusinessName),
		Website:           optionalString(bus.Website),
	}
	if bus.Representatives != nil {
		reps := make([]gen.Representative, len(bus.Representatives))
		for i, r := range bus.Representatives {
			reps[i] = gen.Representative{Name: r.Name, Email: optionalString(r.Email), Phone: optionalString(r.Phone)}
		}
		prof.Representatives = nullable.NewNullableWithValue(reps)
	}
	// Marshalling strings cannot fail.
	_ = cp.FromBusinessProfile(prof)
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
