package straddle

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// badInput is one input a validator must refuse: the call through the public
// API, the same check through the validator alone, and what the error must say.
type badInput struct {
	name   string
	fields []string // wire names of the *ValidationErrors, first one first
	value  string   // the offending value; no message may echo it
	call   func(context.Context, *Client) error
	check  func() error
}

// tourID is a valid customer id for the cases whose fault lies elsewhere.
const tourID = knopeID

// createCase refuses a change to valid individual create params.
func createCase(name, value string, mutate func(*CreateCustomerParams), fields ...string) badInput {
	build := func() *CreateCustomerParams { p := testCreateParams(); mutate(p); return p }
	return badInput{
		name: "create " + name, fields: fields, value: value,
		call: func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Create(ctx, build())
			return err
		},
		check: func() error { return build().Validate() },
	}
}

// businessCase refuses a change to valid business create params.
func businessCase(name, value string, mutate func(*CreateCustomerParams), fields ...string) badInput {
	build := func() *CreateCustomerParams { p := businessCreateParams(); mutate(p); return p }
	return badInput{
		name: "create business " + name, fields: fields, value: value,
		call: func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Create(ctx, build())
			return err
		},
		check: func() error { return build().Validate() },
	}
}

// updateCase refuses a change to valid update params.
func updateCase(name, value string, mutate func(*UpdateCustomerParams), fields ...string) badInput {
	build := func() *UpdateCustomerParams { p := testUpdateParams(); mutate(p); return p }
	return badInput{
		name: "update " + name, fields: fields, value: value,
		call: func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Update(ctx, tourID, build())
			return err
		},
		check: func() error { return build().Validate() },
	}
}

// parseCase refuses value through a checking constructor (ParseSSN and the
// like), which names the field the value is for.
func parseCase[T any](name, value, field string, parse func(string) (T, error)) badInput {
	check := func() error { _, err := parse(value); return err }
	return badInput{
		name: "parse " + name, fields: []string{field}, value: value,
		call:  func(context.Context, *Client) error { return check() },
		check: check,
	}
}

// listCases refuse p through List and through All.
func listCases(name, value string, p ListParams, fields ...string) []badInput {
	check := func() error { q := p; return q.Validate() }
	return []badInput{
		{name: "list " + name, fields: fields, value: value, check: check,
			call: func(ctx context.Context, c *Client) error {
				q := p
				_, err := c.Customers.List(ctx, &q)
				return err
			}},
		{name: "all " + name, fields: fields, value: value, check: check,
			call: func(ctx context.Context, c *Client) error {
				q := p
				for _, err := range c.Customers.All(ctx, &q) {
					return err
				}
				return errors.New("All yielded nothing")
			}},
	}
}

// idCases refuse id on every operation that takes one.
func idCases(name, id string) []badInput {
	noop := func(*UpdateCustomerParams) error { return nil }
	ops := []struct {
		op   string
		call func(context.Context, *Client) error
	}{
		{"get", func(ctx context.Context, c *Client) error { _, err := c.Customers.Get(ctx, id); return err }},
		{"update", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Update(ctx, id, testUpdateParams())
			return err
		}},
		{"delete", func(ctx context.Context, c *Client) error { _, err := c.Customers.Delete(ctx, id); return err }},
		{"unmasked", func(ctx context.Context, c *Client) error { _, err := c.Customers.Unmasked(ctx, id); return err }},
		{"edit", func(ctx context.Context, c *Client) error { _, err := c.Customers.Edit(ctx, id, noop); return err }},
		{"review get", func(ctx context.Context, c *Client) error { _, err := c.Customers.Review.Get(ctx, id); return err }},
		{"review decide", func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Review.Decide(ctx, id, CustomerStatusVerified)
			return err
		}},
		{"review refresh", func(ctx context.Context, c *Client) error { _, err := c.Customers.Review.Refresh(ctx, id); return err }},
	}
	cases := make([]badInput, 0, len(ops))
	for _, o := range ops {
		cases = append(cases, badInput{name: o.op + " id " + name, fields: []string{"id"}, value: id,
			call: o.call, check: func() error { return validateID(id) }})
	}
	return cases
}

// decisionCase refuses a review decision.
func decisionCase(name string, d CustomerStatus) badInput {
	return badInput{name: "decide " + name, fields: []string{"status"}, value: string(d),
		call: func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Review.Decide(ctx, tourID, d)
			return err
		},
		check: func() error { return checkDecision(d) }}
}

// optionCase refuses a per-call option on an otherwise valid create.
func optionCase(name, field, value string, opt RequestOption) badInput {
	return badInput{name: "option " + name, fields: []string{field}, value: value,
		call: func(ctx context.Context, c *Client) error {
			_, err := c.Customers.Create(ctx, testCreateParams(), opt)
			return err
		},
		check: func() error { _, err := newCallConfig(&callConfig{}, []RequestOption{opt}); return err }}
}

// withMetadata returns n pairs with keys and values of the given rune counts,
// built from r.
func withMetadata(n, keyRunes, valueRunes int, r string) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		k := fmt.Sprintf("%02d", i) + strings.Repeat(r, max(keyRunes-2, 0))
		m[k] = strings.Repeat(r, valueRunes)
	}
	return m
}

// badInputs is the tour: every validator with its edge cases. Each input is
// refused before anything is sent.
func badInputs() []badInput {
	future := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
	var cases []badInput
	add := func(c ...badInput) { cases = append(cases, c...) }

	// name: required, and blank is empty (every Unicode space counts).
	for _, v := range []string{"", "   ", "\t\r\n", "\u3000", "\u00a0\u2003"} {
		add(createCase(fmt.Sprintf("name %q", v), v, func(p *CreateCustomerParams) { p.Name = v }, "name"))
		add(updateCase(fmt.Sprintf("name %q", v), v, func(p *UpdateCustomerParams) { p.Name = v }, "name"))
	}
	for _, v := range []string{"", " \t"} {
		add(businessCase(fmt.Sprintf("representative name %q", v), v, func(p *CreateCustomerParams) {
			p.Business.Representatives[1].Name = v
		}, "compliance_profile.representatives[1].name"))
	}

	// type: one of two values, exactly.
	add(createCase("type empty", "", func(p *CreateCustomerParams) { p.Type = ""; p.Individual = nil }, "type"))
	for _, v := range []string{"Individual", "BUSINESS", "person", "individual\u200f", "ｉｎｄｉｖｉｄｕａｌ", "business\x00", "\u202ebusiness"} {
		add(createCase(fmt.Sprintf("type %q", v), v, func(p *CreateCustomerParams) {
			p.Type, p.Individual = CustomerType(v), nil
		}, "type"))
	}

	// email: a bare address, no spaces, at most 254 bytes.
	for _, v := range []string{
		"", "leslie", "leslie@", "@example.org", "leslie@example", "leslie@@example.com",
		" leslie@example.com", "leslie@example.com ", "les lie@example.com", "leslie@exa mple.com",
		"leslie@example.com\n", "Leslie <leslie@example.com>", "leslie@example..com", "leslie@.example.com",
		"leslie@example.com.", "leslie＠example.com", "leslie@example,com", strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".com",
		"leslie\u0000@example.com", "leslie@\u2028example.com",
	} {
		add(createCase(fmt.Sprintf("email %q", v), v, func(p *CreateCustomerParams) { p.Email = v }, "email"))
	}
	add(updateCase("email no domain", "leslie@", func(p *UpdateCustomerParams) { p.Email = "leslie@" }, "email"))
	add(businessCase("representative email", "wile.coyote@", func(p *CreateCustomerParams) {
		p.Business.Representatives[0].Email = "wile.coyote@"
	}, "compliance_profile.representatives[0].email"))
	add(businessCase("representative email spaces", " wile@example.com", func(p *CreateCustomerParams) {
		p.Business.Representatives[0].Email = " wile@example.com"
	}, "compliance_profile.representatives[0].email"))

	// phone: E.164.
	for _, v := range []string{
		"", "3175550142", "+1", "+0123456", "+1234567890123456", "+1 317 555 0142", "+1-317-555-0142",
		" +13175550142", "+13175550142 ", "+13175550142\n", "+１３１７５５５０１４２", "+1317555O142",
		"tel:+13175550142", "+1317555014😀", "\u200f+13175550142",
	} {
		add(createCase(fmt.Sprintf("phone %q", v), v, func(p *CreateCustomerParams) { p.Phone = v }, "phone"))
	}
	add(updateCase("phone national", "3175550143", func(p *UpdateCustomerParams) { p.Phone = "3175550143" }, "phone"))

	// device.ip_address: IPv4 only, never a masked value.
	for _, v := range []string{
		"", "2001:db8::1", "::ffff:198.51.100.7", "::1", "fe80::1%eth0", "198.51.100", "198.51.100.7.1",
		"198.51.100.256", "198.051.100.7", " 198.51.100.7", "198.51.100.7 ", "198.51.100.7/24",
		"198.51.100.7:443", "localhost", "１９８.51.100.7", "0x7f.0.0.1", "**.**.**.**", "198.51.*.*", "[REDACTED]",
	} {
		add(createCase(fmt.Sprintf("ip %q", v), v, func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress(v) }, "device.ip_address"))
		add(parseCase(fmt.Sprintf("ip %q", v), v, "device.ip_address", ParseIPAddress))
	}
	add(updateCase("ip v6", "2001:db8::2", func(p *UpdateCustomerParams) { p.IPAddress = NewIPAddress("2001:db8::2") }, "device.ip_address"))
	add(updateCase("ip masked", "**.**.**.**", func(p *UpdateCustomerParams) { p.IPAddress = NewIPAddress("**.**.**.**") }, "device.ip_address"))

	// address: lines and city at most 100 characters (runes, not bytes).
	long := map[string]string{
		"101 ascii": strings.Repeat("a", 101), "101 emoji": strings.Repeat("🏠", 101),
		"101 arabic": strings.Repeat("ب", 101), "101 rtl marks": strings.Repeat("\u200f", 101),
	}
	for name, v := range long {
		add(createCase("address1 "+name, v, func(p *CreateCustomerParams) { p.Address.Address1 = v }, "address.address1"))
		add(createCase("address2 "+name, v, func(p *CreateCustomerParams) { p.Address.Address2 = v }, "address.address2"))
		add(createCase("city "+name, v, func(p *CreateCustomerParams) { p.Address.City = v }, "address.city"))
	}
	add(createCase("address1 empty", "", func(p *CreateCustomerParams) { p.Address.Address1 = "" }, "address.address1"))
	add(createCase("city empty", "", func(p *CreateCustomerParams) { p.Address.City = "" }, "address.city"))
	add(updateCase("address1 101", strings.Repeat("b", 101), func(p *UpdateCustomerParams) {
		p.Address = &Address{Address1: strings.Repeat("b", 101), City: "Pawnee", State: "IN", Zip: "47998"}
	}, "address.address1"))
	for _, v := range []string{"", "in", "In", "IND", "I", " IN", "IN ", "Ｃ", "ＣＡ", "🇺🇸", "I\u200fN", "1N", "É"} {
		add(createCase(fmt.Sprintf("state %q", v), v, func(p *CreateCustomerParams) { p.Address.State = v }, "address.state"))
	}
	for _, v := range []string{"", "4799", "479980", "47998-", "47998-010", "47998-01000", "47998 0100", " 47998", "47998 ", "4799８", "K1A 0B1", "47998\n"} {
		add(createCase(fmt.Sprintf("zip %q", v), v, func(p *CreateCustomerParams) { p.Address.Zip = v }, "address.zip"))
	}

	// compliance_profile: formats, masked values refused, the member matching the type.
	for _, v := range []string{
		"***-**-****", "***-**-6789", "987654320", "987-65-432", "987-65-43200", " 987-65-4320",
		"987-65-4320 ", "９８７-６５-４３２０", "987 65 4320", "987-65-432O", "987-65-4320\n", "[REDACTED]",
	} {
		add(createCase(fmt.Sprintf("ssn %q", v), v, func(p *CreateCustomerParams) { p.Individual.SSN = NewSSN(v) }, "compliance_profile.ssn"))
		add(parseCase(fmt.Sprintf("ssn %q", v), v, "compliance_profile.ssn", ParseSSN))
	}
	add(parseCase("ssn empty", "", "compliance_profile.ssn", ParseSSN))
	add(updateCase("ssn masked", "***-**-****", func(p *UpdateCustomerParams) { p.Individual.SSN = NewSSN("***-**-****") }, "compliance_profile.ssn"))
	for _, v := range []string{
		"****-**-**", "1961-7-4", "07/04/1961", "1961-02-29", "2023-02-29", "1961-13-01", "1961-00-10",
		"1961-07-32", " 1961-07-04", "1961-07-04 ", "1961-07-04T00:00:00Z", "１９６１-07-04", future, "[REDACTED]",
	} {
		add(createCase(fmt.Sprintf("dob %q", v), v, func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB(v) }, "compliance_profile.dob"))
		add(parseCase(fmt.Sprintf("dob %q", v), v, "compliance_profile.dob", ParseDOB))
	}
	add(updateCase("dob masked", "****-**-**", func(p *UpdateCustomerParams) { p.Individual.DOB = NewDOB("****-**-**") }, "compliance_profile.dob"))
	for _, v := range []string{"**-*******", "987654321", "987-654321", "98-765432", "98-76543210", " 98-7654321", "98-7654321 ", "９８-7654321", "[REDACTED]"} {
		add(businessCase(fmt.Sprintf("ein %q", v), v, func(p *CreateCustomerParams) { p.Business.EIN = NewEIN(v) }, "compliance_profile.ein"))
		add(parseCase(fmt.Sprintf("ein %q", v), v, "compliance_profile.ein", ParseEIN))
	}
	add(updateCase("ein masked", "**-*******", func(p *UpdateCustomerParams) {
		p.Individual, p.Business = nil, &BusinessIdentity{EIN: NewEIN("**-*******"), LegalBusinessName: "Acme"}
	}, "compliance_profile.ein"))
	for _, v := range []string{"example.org", "/about", "ftp://", " https://example.org", "mailto:info@example.com", "http://exa mple.com", "https://example.com\x7f"} {
		add(businessCase(fmt.Sprintf("website %q", v), v, func(p *CreateCustomerParams) { p.Business.Website = v }, "compliance_profile.website"))
	}
	add(createCase("business identity on an individual", "", func(p *CreateCustomerParams) {
		p.Individual, p.Business = nil, &BusinessIdentity{EIN: NewEIN("12-3456789")}
	}, "compliance_profile"))
	add(createCase("representatives on an individual", "", func(p *CreateCustomerParams) {
		p.Individual, p.Business = nil, &BusinessIdentity{Representatives: []Representative{{Name: "Ann Perkins"}}}
	}, "compliance_profile", "compliance_profile.representatives"))
	add(businessCase("individual identity on a business", "", func(p *CreateCustomerParams) {
		p.Business, p.Individual = nil, &IndividualIdentity{SSN: NewSSN("123-45-6789")}
	}, "compliance_profile"))
	add(businessCase("both identities", "", func(p *CreateCustomerParams) {
		p.Individual = &IndividualIdentity{SSN: NewSSN("123-45-6789")}
	}, "compliance_profile", "compliance_profile"))
	add(updateCase("both identities", "", func(p *UpdateCustomerParams) {
		p.Business = &BusinessIdentity{EIN: NewEIN("12-3456789")}
	}, "compliance_profile"))

	// metadata: at most 20 pairs; keys non-empty; keys and values at most 40 runes.
	add(createCase("metadata 21 pairs", "", func(p *CreateCustomerParams) { p.Metadata = withMetadata(21, 4, 4, "m") }, "metadata"))
	add(createCase("metadata 41-char key", strings.Repeat("k", 41), func(p *CreateCustomerParams) {
		p.Metadata = map[string]string{strings.Repeat("k", 41): "v"}
	}, "metadata"))
	add(createCase("metadata 41-char value", strings.Repeat("v", 41), func(p *CreateCustomerParams) {
		p.Metadata = map[string]string{"k": strings.Repeat("v", 41)}
	}, "metadata"))
	add(createCase("metadata 41-emoji key", strings.Repeat("🔑", 41), func(p *CreateCustomerParams) {
		p.Metadata = map[string]string{strings.Repeat("🔑", 41): "v"}
	}, "metadata"))
	add(createCase("metadata 41-emoji value", strings.Repeat("💰", 41), func(p *CreateCustomerParams) {
		p.Metadata = map[string]string{"k": strings.Repeat("💰", 41)}
	}, "metadata"))
	add(createCase("metadata empty key", "", func(p *CreateCustomerParams) { p.Metadata = map[string]string{"": "v"} }, "metadata"))
	add(updateCase("metadata 21 pairs", "", func(p *UpdateCustomerParams) { p.Metadata = withMetadata(21, 40, 40, "é") }, "metadata"))

	// config and status: closed sets.
	for _, v := range []string{"pending", "Verified", "Standard ", "approve"} {
		add(createCase(fmt.Sprintf("sandbox outcome %q", v), v, func(p *CreateCustomerParams) {
			p.Config = &Config{SandboxOutcome: SandboxOutcome(v)}
		}, "config.sandbox_outcome"))
	}
	for _, v := range []string{"sync", "INLINE", "Skip\t"} {
		add(createCase(fmt.Sprintf("processing method %q", v), v, func(p *CreateCustomerParams) {
			p.Config = &Config{ProcessingMethod: ProcessingMethod(v)}
		}, "config.processing_method"))
	}
	for _, v := range []string{"", "activated", "Verified", "deleted", "\tVerified"} {
		add(updateCase(fmt.Sprintf("status %q", v), v, func(p *UpdateCustomerParams) { p.Status = CustomerStatus(v) }, "status"))
	}
	for _, v := range []CustomerStatus{"", "approved", "Verified", "review", "\tVerified", "Rejected\n"} {
		add(decisionCase(fmt.Sprintf("%q", v), v))
	}

	// list: page bounds, sort keys, the created range, status and type filters.
	instant := time.Date(2026, 7, 7, 6, 21, 44, 0, time.UTC)
	add(listCases("page size -1", "", ListParams{PageSize: -1}, "page_size")...)
	add(listCases("page size 1001", "", ListParams{PageSize: 1001}, "page_size")...)
	add(listCases("page size huge", "", ListParams{PageSize: math.MaxInt}, "page_size")...)
	add(listCases("page number -1", "", ListParams{PageNumber: -1}, "page_number")...)
	add(listCases("page number past int32", "", ListParams{PageNumber: math.MaxInt32 + 1}, "page_number")...)
	add(listCases("sort by email", "email", ListParams{SortBy: "email"}, "sort_by")...)
	add(listCases("sort by Name", "Name", ListParams{SortBy: "Name"}, "sort_by")...)
	add(listCases("sort order DESC", "DESC", ListParams{SortOrder: "DESC"}, "sort_order")...)
	add(listCases("sort order ascending", "ascending", ListParams{SortOrder: "ascending"}, "sort_order")...)
	add(listCases("created_from after created_to", "", ListParams{CreatedFrom: instant.Add(time.Nanosecond), CreatedTo: instant}, "created_from")...)
	add(listCases("created_from a day after created_to in another zone", "", ListParams{
		CreatedFrom: instant.AddDate(0, 0, 1).In(time.FixedZone("UTC-12", -12*3600)), CreatedTo: instant,
	}, "created_from")...)
	add(listCases("created_to in year 10000 in its zone", "", ListParams{
		CreatedTo: time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).In(time.FixedZone("UTC+14", 14*3600)),
	}, "created_to")...)
	add(listCases("created_from before year 0", "", ListParams{CreatedFrom: time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC)}, "created_from")...)
	add(listCases("status activated", "activated", ListParams{Statuses: []CustomerStatus{"activated"}}, "status")...)
	add(listCases("status Review", "Review", ListParams{Statuses: []CustomerStatus{CustomerStatusPending, "Review"}}, "status")...)
	add(listCases("type person", "person", ListParams{Types: []CustomerType{"person"}}, "types")...)
	add(listCases("type with a space", "Business ", ListParams{Types: []CustomerType{CustomerTypeIndividual, "Business "}}, "types")...)

	// ids: a UUID and nothing else, on every operation.
	for _, v := range []string{
		"", " ", "../x", "..%2Fx", "x", "cus_123", tourID + "/../x", "019f3b3d581677fb8a9cad05f1654b00",
		"{" + tourID + "}", "urn:uuid:" + tourID, " " + tourID, tourID + "\n", tourID[:35], tourID + "a",
		"０" + tourID[1:], "019g3b3d-5816-77fb-8a9c-ad05f1654b00", "019f3b3d-5816-07fb-8a9c-ad05f1654b00",
		"019f3b3d-5816-97fb-8a9c-ad05f1654b00", "019f3b3d-5816-77fb-ca9c-ad05f1654b00", "019f3b3d-5816-77fb-8a9c-ad05f1654b0😀",
	} {
		add(idCases(fmt.Sprintf("%q", v), v)...)
	}

	// per-call options: header values a request could not carry.
	add(
		optionCase("idempotency key empty", "Idempotency-Key", "", WithIdempotencyKey("")),
		optionCase("idempotency key 9", "Idempotency-Key", "123456789", WithIdempotencyKey("123456789")),
		optionCase("idempotency key 41", "Idempotency-Key", strings.Repeat("k", 41), WithIdempotencyKey(strings.Repeat("k", 41))),
		optionCase("idempotency key cyrillic", "Idempotency-Key", "ключ-ключ-ключ", WithIdempotencyKey("ключ-ключ-ключ")),
		optionCase("idempotency key newline", "Idempotency-Key", "0123456789\nX", WithIdempotencyKey("0123456789\nX")),
		optionCase("account id", "Straddle-Account-Id", "acct_123", WithAccountID("acct_123")),
		optionCase("account id traversal", "Straddle-Account-Id", "../x", WithAccountID("../x")),
		optionCase("request id empty", "Request-Id", "", WithRequestID("")),
		optionCase("request id unicode", "Request-Id", "trace-é-1", WithRequestID("trace-é-1")),
		optionCase("correlation id CRLF", "Correlation-Id", "corr\r\nX-Evil: 1", WithCorrelationID("corr\r\nX-Evil: 1")),
		optionCase("header Authorization", "Authorization", "", WithHeader("authorization", "Bearer other")),
		optionCase("header CRLF", "header X-Trace", "a\r\nb", WithHeader("X-Trace", "a\r\nb")),
		optionCase("max retries -1", "max retries", "", WithMaxRetries(-1)),
		optionCase("attempt timeout -1ns", "attempt timeout", "", WithAttemptTimeout(-1)),
	)
	return cases
}

// validationErrors returns every *ValidationError in err, in order, failing
// the test if err holds anything else.
func validationErrors(t *testing.T, err error) []*ValidationError {
	t.Helper()
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	out := make([]*ValidationError, 0, len(errs))
	for _, e := range errs {
		var v *ValidationError
		if !errors.As(e, &v) {
			t.Fatalf("%T %q is not a *ValidationError", e, e)
		}
		out = append(out, v)
	}
	return out
}

// echoes reports whether msg repeats value (or value without its surrounding
// spaces), for values long enough to mean something.
func echoes(msg, value string) bool {
	for _, v := range []string{value, strings.TrimSpace(value)} {
		if len([]rune(v)) >= 4 && strings.Contains(msg, v) {
			return true
		}
	}
	return false
}

func TestBadInputTour(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("a request was sent for invalid input: %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusTeapot)
	})
	h.skip = func(*http.Response) bool { return true }
	ctx := context.Background()
	cases := badInputs()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(ctx, h.client)
			if err == nil {
				t.Fatal("accepted")
			}
			var first *ValidationError
			if !errors.As(err, &first) || !IsLocalValidation(err) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if first.Field != tc.fields[0] {
				t.Errorf("first field %q, want %q", first.Field, tc.fields[0])
			}
			var got []string
			for _, v := range validationErrors(t, err) {
				got = append(got, v.Field)
				if v.Rule == "" {
					t.Errorf("field %s has no rule", v.Field)
				}
			}
			if !slices.Equal(got, tc.fields) {
				t.Errorf("fields %q, want %q", got, tc.fields)
			}
			if echoes(err.Error(), tc.value) {
				t.Errorf("the message echoes the value: %q", err)
			}
			direct := tc.check()
			if direct == nil || direct.Error() != err.Error() {
				t.Errorf("the validator alone says %v; the call says %v", direct, err)
			}
		})
	}
	if n := len(h.reqs()); n != 0 {
		t.Errorf("%d requests sent for invalid input", n)
	}
	t.Logf("%d bad inputs tried, none sent", len(cases))
}

// TestBadInputTourBoundaries sends the inputs just inside each limit: the
// validators refuse no more than the spec does, and the contract transport
// checks every request that goes out.
func TestBadInputTourBoundaries(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/v1/customers":
			writeJSON(w, 200, respFixture(t, "listCustomers.200.empty.json"))
		case r.Method == http.MethodPost:
			writeJSON(w, 201, respFixture(t, "createCustomer.201.individual.json"))
		default:
			writeJSON(w, 200, respFixture(t, "getCustomer.200.individual.json"))
		}
	})
	ctx := context.Background()
	create := func(mutate func(*CreateCustomerParams)) func() error {
		return func() error {
			p := testCreateParams()
			mutate(p)
			_, err := h.client.Customers.Create(ctx, p)
			return err
		}
	}
	list := func(p ListParams) func() error {
		return func() error { _, err := h.client.Customers.List(ctx, &p); return err }
	}
	instant := time.Date(2026, 7, 7, 6, 21, 44, 0, time.UTC)
	cases := map[string]func() error{
		"name with emoji":           create(func(p *CreateCustomerParams) { p.Name = "Leslie 🧇 Knope" }),
		"name with RTL marks":       create(func(p *CreateCustomerParams) { p.Name = "\u202eepnoK eilseL\u202c" }),
		"name with spaces around":   create(func(p *CreateCustomerParams) { p.Name = "  Leslie Knope  " }),
		"20 pairs of 40 emoji":      create(func(p *CreateCustomerParams) { p.Metadata = withMetadata(20, 40, 40, "🔑") }),
		"address1 of 100 emoji":     create(func(p *CreateCustomerParams) { p.Address.Address1 = strings.Repeat("🏠", 100) }),
		"city of 100 arabic":        create(func(p *CreateCustomerParams) { p.Address.City = strings.Repeat("ب", 100) }),
		"offline ip":                create(func(p *CreateCustomerParams) { p.IPAddress = NewIPAddress("0.0.0.0") }),
		"leap day dob":              create(func(p *CreateCustomerParams) { p.Individual.DOB = NewDOB("2000-02-29") }),
		"shortest phone":            create(func(p *CreateCustomerParams) { p.Phone = "+12" }),
		"longest phone":             create(func(p *CreateCustomerParams) { p.Phone = "+123456789012345" }),
		"unicode email":             create(func(p *CreateCustomerParams) { p.Email = "zoë@example.com" }),
		"no identity":               create(func(p *CreateCustomerParams) { p.Individual = nil }),
		"page size 0 (default)":     list(ListParams{PageSize: 0}),
		"page size 1":               list(ListParams{PageSize: 1}),
		"page size 1000":            list(ListParams{PageSize: 1000}),
		"page number 0 (first)":     list(ListParams{PageNumber: 0}),
		"created_from = created_to": list(ListParams{CreatedFrom: instant, CreatedTo: instant}),
		"created range at the year limits": list(ListParams{
			CreatedFrom: time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), CreatedTo: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		}),
		"nil UUID id": func() error {
			_, err := h.client.Customers.Get(ctx, "00000000-0000-0000-0000-000000000000")
			return err
		},
		"upper-case id": func() error {
			_, err := h.client.Customers.Get(ctx, strings.ToUpper(tourID))
			return err
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			if err := call(); err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
	if n := len(h.reqs()); n != len(cases) {
		t.Errorf("%d requests for %d accepted inputs", n, len(cases))
	}
}
