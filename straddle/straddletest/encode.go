package straddletest

import (
	"time"

	"github.com/straddlekit/straddle-go/gen"
)

// The wire shapes of the emulator's responses. The spec validation checks
// every one of them; gen's models are used where the tree is large (reviews).

type meta struct {
	APIRequestID        string `json:"api_request_id"`
	APIRequestTimestamp string `json:"api_request_timestamp"`
}

type pageMeta struct {
	meta
	PageNumber  int    `json:"page_number"`
	PageSize    int    `json:"page_size"`
	MaxPageSize int    `json:"max_page_size"`
	TotalItems  int    `json:"total_items"`
	TotalPages  int    `json:"total_pages"`
	SortBy      string `json:"sort_by"`
	SortOrder   string `json:"sort_order"`
}

type envelope struct {
	Meta         any    `json:"meta"`
	ResponseType string `json:"response_type"`
	Data         any    `json:"data"`
}

type errorEnvelope struct {
	Meta         meta      `json:"meta"`
	ResponseType string    `json:"response_type"`
	Error        errorBody `json:"error"`
}

type errorBody struct {
	Status int         `json:"status"`
	Type   string      `json:"type"`
	Title  string      `json:"title"`
	Detail *string     `json:"detail"`
	Items  []errorItem `json:"items"`
}

type errorItem struct {
	Reference *string `json:"reference"`
	Detail    string  `json:"detail"`
}

type customerOut struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Status            string            `json:"status"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	ExternalID        *string           `json:"external_id"`
	Address           *address          `json:"address"`
	ComplianceProfile any               `json:"compliance_profile"`
	Device            deviceInput       `json:"device,omitzero"`
	Metadata          map[string]string `json:"metadata"`
	Config            configInput       `json:"config"`
}

type summaryOut struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Type       string  `json:"type"`
	Email      string  `json:"email"`
	Phone      string  `json:"phone"`
	Status     string  `json:"status"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
	ExternalID *string `json:"external_id"`
}

type reviewOut struct {
	CustomerDetails customerOut          `json:"customer_details"`
	IdentityDetails *gen.IdentityDetails `json:"identity_details,omitempty"`
}

// Masked forms of personal data, as every read but the unmasked one shows them.
const (
	maskedSSN = "***-**-****"
	maskedDOB = "****-**-**"
	maskedEIN = "**-*******"
	maskedIP  = "**.**.**.**"
)

// One copy of each masked form for every view to point at (views are only
// ever encoded, never changed), so that masking allocates nothing.
var maskedSSNValue, maskedDOBValue, maskedEINValue = maskedSSN, maskedDOB, maskedEIN

// mask returns a pointer to masked when v is set, nil when it is not.
func mask(v *string, masked string) *string {
	if v == nil {
		return nil
	}
	switch masked {
	case maskedSSN:
		return &maskedSSNValue
	case maskedDOB:
		return &maskedDOBValue
	case maskedEIN:
		return &maskedEINValue
	}
	return &masked
}

// view renders c for a response: masked unless unmasked is set, with times
// written by format.
func view(c *customer, unmasked bool, format func(time.Time) string) customerOut {
	out := customerOut{
		ID: c.id, Name: c.name, Type: c.typ, Email: c.email, Phone: c.phone, Status: c.status,
		CreatedAt: format(c.createdAt), UpdatedAt: format(c.updatedAt),
		ExternalID: c.externalID, Address: c.address, Metadata: c.metadata,
		Config: configInput{SandboxOutcome: c.sandboxOutcome, ProcessingMethod: c.processingMethod},
	}
	if c.ip != "" {
		ip := c.ip
		if !unmasked {
			ip = maskedIP
		}
		out.Device = deviceInput{IPAddress: ip}
	}
	switch {
	case c.individual != nil:
		p := *c.individual
		if !unmasked {
			p.SSN, p.DOB = mask(p.SSN, maskedSSN), mask(p.DOB, maskedDOB)
		}
		out.ComplianceProfile = &p
	case c.business != nil:
		p := *c.business
		if !unmasked {
			p.EIN = mask(p.EIN, maskedEIN)
		}
		out.ComplianceProfile = &p
	}
	return out
}

func summarize(c *customer) summaryOut {
	return summaryOut{
		ID: c.id, Name: c.name, Type: c.typ, Email: c.email, Phone: c.phone, Status: c.status,
		CreatedAt: formatTime(c.createdAt), UpdatedAt: formatTime(c.updatedAt), ExternalID: c.externalID,
	}
}
