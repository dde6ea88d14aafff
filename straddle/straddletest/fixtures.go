package straddletest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/straddlekit/straddle-go/internal/contract"
)

// Seed adds customers from r: a JSON array of customers as the unmasked
// endpoint returns them (real ssn, dob, ein and ip_address), each with an
// optional "account_id": an account some key may act for, an API key's own
// or a platform's connected account (default: the account of APIKey). Required: name,
// type, email and phone. Left out, id is generated, created_at is now,
// updated_at is created_at, status follows the rules in the package doc, and
// config is standard and inline. Each customer must validate against the
// spec's UnmaskedCustomer, and emails and ids must be unique in their
// account. Customers before a bad one stay added; errors never quote values.
// SeedCustomers does the same from Go values, all or none.
func (s *Server) Seed(r io.Reader) error {
	var raws []json.RawMessage
	dec := json.NewDecoder(r)
	if err := dec.Decode(&raws); err != nil {
		return fmt.Errorf("straddletest: fixtures: not a JSON array of customers: %w", err)
	}
	schema, err := specSchema("UnmaskedCustomer")
	if err != nil {
		return err
	}
	for i, raw := range raws {
		c, err := s.seedCustomer(raw, schema)
		if err == nil {
			err = s.store.add(c)
		}
		if err != nil {
			return fmt.Errorf("straddletest: fixture %d: %w", i, err)
		}
	}
	return nil
}

// SeedFile adds the customers in the JSON file at path, as Seed.
func (s *Server) SeedFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("straddletest: fixtures: %w", err)
	}
	defer f.Close()
	return s.Seed(f)
}

func (s *Server) seedCustomer(raw json.RawMessage, schema *openapi3.Schema) (*customer, error) {
	var in customerInput
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, err
	}
	return s.buildSeed(&in, schema)
}

// buildSeed makes the customer a seed describes, with the defaults Seed
// documents, and holds it to schema (the spec's UnmaskedCustomer).
func (s *Server) buildSeed(in *customerInput, schema *openapi3.Schema) (*customer, error) {
	for name, v := range map[string]*string{"name": in.Name, "type": in.Type, "email": in.Email, "phone": in.Phone} {
		if v == nil {
			return nil, fmt.Errorf("%s is required", name)
		}
	}
	now := s.cfg.clock()
	c := &customer{
		id: strings.ToLower(in.ID), account: s.accounts[s.APIKey()], typ: *in.Type,
		createdAt: now, sandboxOutcome: outcomeStandard, processingMethod: processingInline,
	}
	if in.AccountID != "" {
		if !isUUID(in.AccountID) {
			return nil, errors.New("account_id: must be a valid uuid")
		}
		c.account = strings.ToLower(in.AccountID)
		if !s.accountExists(c.account) {
			return nil, errors.New("account_id: is neither an API key's account nor a connected account of a platform (WithPlatform)")
		}
	}
	if c.id == "" {
		c.id = newID(now)
	}
	var ok bool
	if in.CreatedAt != "" {
		if c.createdAt, ok = parseTime(in.CreatedAt); !ok {
			return nil, errors.New("created_at: must be a date-time")
		}
	}
	c.updatedAt = c.createdAt
	if in.UpdatedAt != "" {
		if c.updatedAt, ok = parseTime(in.UpdatedAt); !ok {
			return nil, errors.New("updated_at: must be a date-time")
		}
	}
	c.applyWritable(in)
	kind, err := profileKind(in.ComplianceProfile)
	if err != nil || (kind != "" && kind != c.typ) {
		return nil, errors.New("compliance_profile: does not match the customer type")
	}
	if err := c.applyProfile(in.ComplianceProfile, kind); err != nil {
		return nil, errors.New("compliance_profile: is not valid")
	}
	if cfg := in.Config; cfg != nil {
		c.sandboxOutcome = cmp.Or(cfg.SandboxOutcome, c.sandboxOutcome)
		c.processingMethod = cmp.Or(cfg.ProcessingMethod, c.processingMethod)
	}
	c.status = outcome(c)
	if in.Status != nil {
		c.status = *in.Status
	}
	if c.processingMethod != processingSkip {
		c.startReview(c.createdAt)
	}
	if err := validateSeed(c, schema); err != nil {
		return nil, err
	}
	return c, nil
}

// validateSeed holds the customer, as the unmasked endpoint would return it,
// to the spec; the error names fields and rules, never values.
func validateSeed(c *customer, schema *openapi3.Schema) error {
	raw, err := json.Marshal(view(c, true, formatTime))
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	opts := slices.Concat(contract.FormatOptions(), []openapi3.SchemaValidationOption{
		openapi3.MultiErrors(),
		openapi3.DisableSchemaErrorDetails(),
		openapi3.SetSchemaErrorMessageCustomizer(contract.SchemaErrorMessage),
		openapi3.VisitAsResponse(),
	})
	return schema.VisitJSON(v, opts...)
}
