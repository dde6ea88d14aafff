package straddletest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
)

// SeedCustomers adds customers to an account, in the client's own type, and
// returns them as the unmasked endpoint now shows them (ids, timestamps,
// statuses and config filled in). accountID is an account some key may act
// for: an API key's own (Server.AccountID) or a platform's connected account;
// "" means the account of APIKey.
//
// Name, Type, Email and Phone are required; everything else is as a test
// wants it, including any Status and the CreatedAt and UpdatedAt instants.
// Left empty, ID is generated, CreatedAt is the server's now, UpdatedAt is
// CreatedAt, Status follows the rules in the package doc and Config is
// standard and inline. The compliance profile must match Type. Seeding runs
// no review: a queued ScriptReview is left for the next one. Each customer
// must validate against the spec's UnmaskedCustomer, and emails and ids must
// be unique in the account. Either all are added or, on an error, none; the
// error names the customer (from 0) and the field, never a value.
func (s *Server) SeedCustomers(accountID string, customers ...straddle.UnmaskedCustomer) ([]*straddle.UnmaskedCustomer, error) {
	schema, err := specSchema("UnmaskedCustomer")
	if err != nil {
		return nil, err
	}
	built := make([]*customer, 0, len(customers))
	for i := range customers {
		in, err := seedInput(accountID, &customers[i])
		var c *customer
		if err == nil {
			c, err = s.buildSeed(in, schema)
		}
		if err != nil {
			return nil, fmt.Errorf("straddletest: SeedCustomers: customer %d: %w", i, err)
		}
		built = append(built, c)
	}
	for i, c := range built {
		if err := s.store.add(c); err != nil {
			for _, added := range built[:i] {
				s.store.remove(added.account, added.id)
			}
			return nil, fmt.Errorf("straddletest: SeedCustomers: customer %d: %w", i, err)
		}
	}
	out := make([]*straddle.UnmaskedCustomer, len(built))
	for i, c := range built {
		out[i] = s.unmaskedView(c)
	}
	return out, nil
}

// seedInput turns a typed customer into the seed form Seed reads from JSON,
// with the real values of its personal data.
func seedInput(accountID string, u *straddle.UnmaskedCustomer) (*customerInput, error) {
	in := &customerInput{ID: u.ID, AccountID: accountID, Metadata: maps.Clone(u.Metadata)}
	for _, f := range []struct {
		name string
		v    string
		dst  **string
	}{
		{"name", u.Name, &in.Name}, {"type", string(u.Type), &in.Type},
		{"email", u.Email, &in.Email}, {"phone", u.Phone, &in.Phone},
	} {
		if f.v == "" {
			return nil, fmt.Errorf("%s is required", f.name)
		}
		*f.dst = &f.v
	}
	if u.Status != "" {
		in.Status = ptr(string(u.Status))
	}
	if !u.CreatedAt.IsZero() {
		in.CreatedAt = u.CreatedAt.Format(time.RFC3339Nano)
	}
	if !u.UpdatedAt.IsZero() {
		in.UpdatedAt = u.UpdatedAt.Format(time.RFC3339Nano)
	}
	if u.ExternalID != "" {
		in.ExternalID = ptr(u.ExternalID)
	}
	if d := u.Device; d != nil && !d.IPAddress.IsZero() {
		in.Device = &deviceInput{IPAddress: d.IPAddress.Reveal()}
	}
	if a := u.Address; a != nil {
		in.Address = &address{Address1: a.Address1, City: a.City, State: a.State, Zip: a.Zip}
		if a.Address2 != "" {
			in.Address.Address2 = ptr(a.Address2)
		}
	}
	if cfg := u.Config; cfg != nil {
		in.Config = &configInput{SandboxOutcome: string(cfg.SandboxOutcome), ProcessingMethod: string(cfg.ProcessingMethod)}
	}
	if p := u.ComplianceProfile; p != nil {
		raw, err := profileJSON(p)
		if err != nil {
			return nil, err
		}
		in.ComplianceProfile = raw
	}
	return in, nil
}

// profileJSON is the wire form of a real compliance profile (the one Seed
// reads), built from the revealed values; an empty value is null.
func profileJSON(p *straddle.UnmaskedComplianceProfile) (json.RawMessage, error) {
	orNull := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	switch {
	case p.Individual != nil && p.Business != nil:
		return nil, errors.New("compliance_profile: set Individual or Business, not both")
	case p.Individual != nil:
		return json.Marshal(individualProfile{SSN: orNull(p.Individual.SSN.Reveal()), DOB: orNull(p.Individual.DOB.Reveal())})
	case p.Business != nil:
		b := p.Business
		bp := businessProfile{EIN: orNull(b.EIN.Reveal()), LegalBusinessName: orNull(b.LegalBusinessName), Website: orNull(b.Website)}
		for _, r := range b.Representatives {
			bp.Representatives = append(bp.Representatives, representative{Name: r.Name, Email: orNull(r.Email), Phone: orNull(r.Phone)})
		}
		return json.Marshal(bp)
	}
	return nil, nil
}
