package straddle_test

// The floor each benchmark's "raw" row measures: the tightest plain code a
// careful engineer would write for the same work with net/http and
// encoding/json alone, on the same transport as the client. It reads the
// body into a buffer sized from Content-Length and decodes it with
// json.Unmarshal into plain structs with the fields of the client's models
// (a page into a slice sized for the page asked for), as the client does; writes carry an Idempotency-Key made as the client
// makes it, and every request the client's User-Agent.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"time"
)

type rawMeta struct {
	RequestID        string `json:"api_request_id"`
	RequestTimestamp string `json:"api_request_timestamp"`
}

type rawAddress struct {
	Address1 string `json:"address1"`
	Address2 string `json:"address2,omitempty"`
	City     string `json:"city"`
	State    string `json:"state"`
	Zip      string `json:"zip"`
}

type rawRepresentative struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

type rawProfile struct {
	SSN               string              `json:"ssn,omitempty"`
	DOB               string              `json:"dob,omitempty"`
	EIN               string              `json:"ein,omitempty"`
	LegalBusinessName string              `json:"legal_business_name,omitempty"`
	Website           string              `json:"website,omitempty"`
	Representatives   []rawRepresentative `json:"representatives,omitempty"`
}

type rawDevice struct {
	IPAddress string `json:"ip_address"`
}

type rawConfig struct {
	SandboxOutcome   string `json:"sandbox_outcome,omitempty"`
	ProcessingMethod string `json:"processing_method,omitempty"`
}

// rawCustomer has the fields of straddle.Customer.
type rawCustomer struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Status            string            `json:"status"`
	CreatedAt         time.Time         `json:"created_at"`
	UpdatedAt         time.Time         `json:"updated_at"`
	ExternalID        string            `json:"external_id"`
	Address           *rawAddress       `json:"address"`
	ComplianceProfile *rawProfile       `json:"compliance_profile"`
	Device            *rawDevice        `json:"device"`
	Metadata          map[string]string `json:"metadata"`
	Config            *rawConfig        `json:"config"`
}

type rawCustomerEnvelope struct {
	Meta rawMeta      `json:"meta"`
	Data *rawCustomer `json:"data"`
}

// rawCreateRequest is the create body a caller would marshal.
type rawCreateRequest struct {
	Name              string            `json:"name"`
	Type              string            `json:"type"`
	Email             string            `json:"email"`
	Phone             string            `json:"phone"`
	Device            rawDevice         `json:"device"`
	Address           *rawAddress       `json:"address,omitempty"`
	ComplianceProfile *rawProfile       `json:"compliance_profile,omitempty"`
	ExternalID        string            `json:"external_id,omitempty"`
	Metadata          map[string]string `json:"metadata,omitempty"`
	Config            *rawConfig        `json:"config,omitempty"`
}

// rawSummary has the fields of straddle.CustomerSummary.
type rawSummary struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Email      string    `json:"email"`
	Phone      string    `json:"phone"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	ExternalID string    `json:"external_id"`
}

type rawPageMeta struct {
	RequestID        string `json:"api_request_id"`
	RequestTimestamp string `json:"api_request_timestamp"`
	PageNumber       int    `json:"page_number"`
	PageSize         int    `json:"page_size"`
	MaxPageSize      int    `json:"max_page_size"`
	TotalItems       int    `json:"total_items"`
	TotalPages       int    `json:"total_pages"`
	SortBy           string `json:"sort_by"`
	SortOrder        string `json:"sort_order"`
}

type rawPage struct {
	Meta rawPageMeta  `json:"meta"`
	Data []rawSummary `json:"data"`
}

// rawIdempotencyKey makes a UUIDv4 the way the client does.
func rawIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// rawUserAgent is the client's User-Agent, so both send the same header.
var rawUserAgent = "straddle-go/0.1.0 (" + runtime.Version() + ")"

// rawDo sends req with the API key and decodes a want-status JSON body into v.
func rawDo(hc *http.Client, req *http.Request, want int, v any) error {
	req.Header.Set("Authorization", benchAuth)
	req.Header.Set("User-Agent", rawUserAgent)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	return rawDecode(resp, want, v)
}

// rawDecode reads resp's body whole into a buffer of its announced size
// (reading to its end hands the connection back to the pool), closes it, and
// decodes it into v if the status is want.
func rawDecode(resp *http.Response, want int, v any) error {
	defer resp.Body.Close()
	var body []byte
	var err error
	if resp.ContentLength >= 0 {
		body = make([]byte, resp.ContentLength)
		_, err = io.ReadFull(resp.Body, body)
	} else {
		body, err = io.ReadAll(resp.Body)
	}
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("status %d, want %d", resp.StatusCode, want)
	}
	return json.Unmarshal(body, v)
}

func rawGet(ctx context.Context, hc *http.Client, base, id string) (*rawCustomer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/customers/"+id, nil)
	if err != nil {
		return nil, err
	}
	var env rawCustomerEnvelope
	if err := rawDo(hc, req, http.StatusOK, &env); err != nil {
		return nil, err
	}
	return env.Data, nil
}

func rawCreate(ctx context.Context, hc *http.Client, base string, p *rawCreateRequest) (*rawCustomer, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/v1/customers", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", rawIdempotencyKey())
	var env rawCustomerEnvelope
	if err := rawDo(hc, req, http.StatusCreated, &env); err != nil {
		return nil, err
	}
	return env.Data, nil
}

func rawList(ctx context.Context, hc *http.Client, base string, page int) (*rawPage, error) {
	u := base + "/v1/customers?page_number=" + strconv.Itoa(page) + "&page_size=" + strconv.Itoa(benchPageSize)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	// Sized for the page asked for, as the client sizes its own: decoding
	// then never grows the slice.
	p := rawPage{Data: make([]rawSummary, 0, benchPageSize)}
	if err := rawDo(hc, req, http.StatusOK, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
