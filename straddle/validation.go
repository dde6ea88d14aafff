package straddle

import (
	"fmt"
	"math"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ValidationError is a problem found in a request before it is sent. Field is
// the wire name (such as "compliance_profile.ssn") and Rule says what is
// expected; neither ever contains the offending value.
type ValidationError struct {
	Field string
	Rule  string
}

// Error names the field and the rule it breaks, never the value.
func (e *ValidationError) Error() string {
	return "straddle: invalid " + e.Field + ": " + e.Rule
}

// ValidationErrors are all the problems Validate found in a set of params, in
// the order of the fields. errors.As reaches it to list them, or a
// *ValidationError to get the first:
//
//	if err := p.Validate(); err != nil {
//		var problems straddle.ValidationErrors
//		if errors.As(err, &problems) {
//			for _, v := range problems {
//				form.SetError(v.Field, v.Rule)
//			}
//		}
//	}
type ValidationErrors []*ValidationError

// Error lists every field and its rule on one line, never a value.
func (es ValidationErrors) Error() string {
	switch len(es) {
	case 0:
		return "straddle: no validation problems"
	case 1:
		return es[0].Error()
	}
	var b strings.Builder
	b.WriteString("straddle: invalid ")
	for i, e := range es {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(e.Field + ": " + e.Rule)
	}
	return b.String()
}

// Unwrap returns the problems, so that errors.As finds the first
// *ValidationError and errors.Is looks at each.
func (es ValidationErrors) Unwrap() []error {
	errs := make([]error, len(es))
	for i, e := range es {
		errs[i] = e
	}
	return errs
}

// add records a problem.
func (es *ValidationErrors) add(field, rule string) {
	*es = append(*es, &ValidationError{Field: field, Rule: rule})
}

// err returns the problems as an error, or nil when there are none.
func (es ValidationErrors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Rules shared by several fields.
const (
	ruleRequired = "is required"
	ruleMasked   = "masked value cannot be sent back; supply the real value"
	ruleRedacted = "the redaction placeholder is not a value; supply the real value"
	maxTextLen   = 100
	maxMetaPairs = 20
	maxMetaLen   = 40
	maxEmailLen  = 254
	maxPageSize  = 1000
)

var (
	phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)
	statePattern = regexp.MustCompile(`^[A-Z]{2}$`)
	zipPattern   = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)
	ssnPattern   = regexp.MustCompile(`^[0-9]{3}-[0-9]{2}-[0-9]{4}$`)
	einPattern   = regexp.MustCompile(`^[0-9]{2}-[0-9]{7}$`)
	// uuidPattern is RFC 9562, as the spec's uuid format is checked: version
	// 1 to 8 with the standard variant, or the nil or max UUID.
	uuidPattern = regexp.MustCompile(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}|0{8}-0{4}-0{4}-0{4}-0{12}|[fF]{8}-[fF]{4}-[fF]{4}-[fF]{4}-[fF]{12})$`)
)

// now is the clock for the date-of-birth check.
var now = time.Now

// latestZoneOffset is how far ahead of UTC a local date can be (UTC+14), so a
// birth "today" anywhere on Earth is not refused as future.
const latestZoneOffset = 14 * time.Hour

// Validate checks p as Create will, without sending anything: every field
// against its rule, all problems at once. It returns nil or ValidationErrors,
// which never quote a value. Use it to check form input up front.
func (p *CreateCustomerParams) Validate() error {
	if p == nil {
		return ValidationErrors{{Field: "params", Rule: ruleRequired}}
	}
	var ps ValidationErrors
	checkName(&ps, p.Name)
	switch {
	case p.Type == "":
		ps.add("type", ruleRequired)
	case !p.Type.Valid():
		ps.add("type", "must be individual or business")
	}
	checkContact(&ps, p.Email, p.Phone, p.IPAddress)
	checkAddress(&ps, p.Address)
	checkIdentity(&ps, p.Type, p.Individual, p.Business)
	checkMetadata(&ps, p.Metadata)
	if cfg := p.Config; cfg != nil {
		if cfg.SandboxOutcome != "" && !cfg.SandboxOutcome.Valid() {
			ps.add("config.sandbox_outcome", "must be standard, verified, rejected or review")
		}
		if cfg.ProcessingMethod != "" && !cfg.ProcessingMethod.Valid() {
			ps.add("config.processing_method", "must be inline, background or skip")
		}
	}
	return ps.err()
}

// Validate checks p as Update will, without sending anything. It returns nil
// or ValidationErrors, which never quote a value. Masked fields it cannot
// judge against the customer: Edit reports those (*MaskedFieldsError).
func (p *UpdateCustomerParams) Validate() error {
	if p == nil {
		return ValidationErrors{{Field: "params", Rule: ruleRequired}}
	}
	var ps ValidationErrors
	checkName(&ps, p.Name)
	checkContact(&ps, p.Email, p.Phone, p.IPAddress)
	switch {
	case p.Status == "":
		ps.add("status", ruleRequired)
	case !p.Status.Valid():
		ps.add("status", "must be pending, review, verified, inactive or rejected")
	}
	checkAddress(&ps, p.Address)
	checkIdentity(&ps, "", p.Individual, p.Business)
	checkMetadata(&ps, p.Metadata)
	return ps.err()
}

// Validate checks p as List and All will, without sending anything. A nil
// *ListParams is valid. It returns nil or ValidationErrors naming the query
// parameters.
func (p *ListParams) Validate() error {
	if p == nil {
		return nil
	}
	var ps ValidationErrors
	if p.PageNumber < 0 || p.PageNumber > math.MaxInt32 {
		ps.add("page_number", "must be at least 1")
	}
	if p.PageSize < 0 || p.PageSize > maxPageSize {
		ps.add("page_size", "must be between 1 and 1000")
	}
	if p.SortBy != "" && !p.SortBy.Valid() {
		ps.add("sort_by", "must be name or created_at")
	}
	if p.SortOrder != "" && !p.SortOrder.Valid() {
		ps.add("sort_order", "must be asc or desc")
	}
	checkInstant(&ps, "created_from", p.CreatedFrom)
	checkInstant(&ps, "created_to", p.CreatedTo)
	if !p.CreatedFrom.IsZero() && !p.CreatedTo.IsZero() && p.CreatedFrom.After(p.CreatedTo) {
		ps.add("created_from", "must not be after created_to")
	}
	for _, s := range p.Statuses {
		if !s.Valid() {
			ps.add("status", "must be pending, review, verified, inactive or rejected")
			break
		}
	}
	for _, t := range p.Types {
		if !t.Valid() {
			ps.add("types", "must be individual or business")
			break
		}
	}
	return ps.err()
}

// checkInstant refuses a filter instant RFC 3339 cannot write: one whose
// year, in its own zone (as it is sent), is outside 0000 to 9999.
func checkInstant(ps *ValidationErrors, field string, t time.Time) {
	if !t.IsZero() && (t.Year() < 0 || t.Year() > 9999) {
		ps.add(field, "must be between the years 0000 and 9999")
	}
}

// validateID checks a customer id before it goes into a path.
func validateID(id string) error {
	switch {
	case id == "":
		return &ValidationError{Field: "id", Rule: ruleRequired}
	case !uuidPattern.MatchString(id):
		return &ValidationError{Field: "id", Rule: "must be a UUID"}
	}
	return nil
}

// checkDecision accepts the two statuses a review can be settled with.
func checkDecision(s CustomerStatus) error {
	if s != CustomerStatusVerified && s != CustomerStatusRejected {
		return &ValidationError{Field: "status", Rule: "must be verified or rejected"}
	}
	return nil
}

func checkName(ps *ValidationErrors, name string) {
	if strings.TrimSpace(name) == "" {
		ps.add("name", ruleRequired)
	}
}

// checkContact checks the fields every write requires.
func checkContact(ps *ValidationErrors, email, phone string, ip IPAddress) {
	checkEmail(ps, "email", email, true)
	switch {
	case phone == "":
		ps.add("phone", ruleRequired)
	case !phonePattern.MatchString(phone):
		ps.add("phone", "must be in E.164 form, such as +12128675309")
	}
	checkIP(ps, ip)
}

func checkIP(ps *ValidationErrors, ip IPAddress) {
	v := ip.Reveal()
	switch {
	case v == "":
		ps.add("device.ip_address", ruleRequired)
	case placeholderRule(v) != "":
		ps.add("device.ip_address", placeholderRule(v))
	case !isIPv4(v):
		ps.add("device.ip_address", "must be an IPv4 address")
	}
}

func isIPv4(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is4()
}

// checkEmail accepts a bare address: one @, a non-empty local part, a dotted
// domain, no spaces, at most 254 characters, and nothing net/mail would rewrite.
func checkEmail(ps *ValidationErrors, field, email string, required bool) {
	if email == "" {
		if required {
			ps.add(field, ruleRequired)
		}
		return
	}
	if !isEmail(email) {
		ps.add(field, "must be an email address such as name@example.com")
	}
}

func isEmail(s string) bool {
	if len(s) > maxEmailLen || strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.Contains(domain, "@") || strings.ContainsAny(domain, `<>",`) {
		return false
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return false
	}
	if isDotAtom(local) && isDotAtom(domain) {
		return true // what net/mail would accept as written, without its parse
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// isDotAtom reports whether s is a dot-atom of ASCII atext as net/mail reads
// it (RFC 5322, 3.2.3): printable ASCII but for the specials, in runs joined
// by single dots. An address of two dot-atoms is one net/mail accepts and
// gives back unchanged (FuzzEmailDotAtomAgreesWithNetMail), so the usual
// address skips that parse and its allocations.
func isDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if s[i-1] == '.' {
				return false
			}
		case c < '!' || c > '~' || strings.IndexByte(`()<>[]:;@\,"`, c) >= 0:
			return false
		}
	}
	return true
}

func checkAddress(ps *ValidationErrors, a *Address) {
	if a == nil {
		return
	}
	checkText(ps, "address.address1", a.Address1, true)
	checkText(ps, "address.address2", a.Address2, false)
	checkText(ps, "address.city", a.City, true)
	switch {
	case a.State == "":
		ps.add("address.state", ruleRequired)
	case !statePattern.MatchString(a.State):
		ps.add("address.state", "must be a two-letter upper-case state code")
	}
	switch {
	case a.Zip == "":
		ps.add("address.zip", ruleRequired)
	case !zipPattern.MatchString(a.Zip):
		ps.add("address.zip", "must be 5 digits, optionally followed by - and 4 digits")
	}
}

func checkText(ps *ValidationErrors, field, s string, required bool) {
	switch {
	case s == "" && required:
		ps.add(field, ruleRequired)
	case utf8.RuneCountInString(s) > maxTextLen:
		ps.add(field, fmt.Sprintf("must be at most %d characters", maxTextLen))
	}
}

// checkIdentity checks the compliance profile. t is the customer's type, or
// empty on update, where the type is not sent.
func checkIdentity(ps *ValidationErrors, t CustomerType, ind *IndividualIdentity, bus *BusinessIdentity) {
	if ind != nil && bus != nil {
		ps.add("compliance_profile", "set Individual or Business, not both")
	}
	if ind != nil {
		if t == CustomerTypeBusiness {
			ps.add("compliance_profile", "individual identity is for individual customers only")
		}
		checkSSN(ps, ind.SSN)
		checkDOB(ps, ind.DOB)
	}
	if bus != nil {
		if t == CustomerTypeIndividual {
			ps.add("compliance_profile", "business identity is for business customers only")
			if len(bus.Representatives) > 0 {
				ps.add("compliance_profile.representatives", "representatives are for business customers only")
			}
		}
		checkEIN(ps, bus.EIN)
		if bus.Website != "" && !isAbsoluteURL(bus.Website) {
			ps.add("compliance_profile.website", "must be an absolute URL such as https://example.com")
		}
		for i, r := range bus.Representatives {
			field := fmt.Sprintf("compliance_profile.representatives[%d]", i)
			if strings.TrimSpace(r.Name) == "" {
				ps.add(field+".name", ruleRequired)
			}
			checkEmail(ps, field+".email", r.Email, false)
		}
	}
}

func checkSSN(ps *ValidationErrors, s SSN) {
	v := s.Reveal()
	switch {
	case v == "":
	case placeholderRule(v) != "":
		ps.add("compliance_profile.ssn", placeholderRule(v))
	case !ssnPattern.MatchString(v):
		ps.add("compliance_profile.ssn", "must be in the form XXX-XX-XXXX")
	}
}

func checkEIN(ps *ValidationErrors, e EIN) {
	v := e.Reveal()
	switch {
	case v == "":
	case placeholderRule(v) != "":
		ps.add("compliance_profile.ein", placeholderRule(v))
	case !einPattern.MatchString(v):
		ps.add("compliance_profile.ein", "must be in the form XX-XXXXXXX")
	}
}

func checkDOB(ps *ValidationErrors, d DOB) {
	v := d.Reveal()
	if v == "" {
		return
	}
	if rule := placeholderRule(v); rule != "" {
		ps.add("compliance_profile.dob", rule)
		return
	}
	date, err := time.Parse(time.DateOnly, v)
	switch {
	case err != nil:
		ps.add("compliance_profile.dob", "must be a real date in the form YYYY-MM-DD")
	case date.After(now().UTC().Add(latestZoneOffset)):
		ps.add("compliance_profile.dob", "must not be in the future")
	}
}

func isAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && u.Host != ""
}

// isMaskedInput reports a value copied from a masked read.
func isMaskedInput(s string) bool { return strings.Contains(s, "*") }

// placeholderRule is the rule a stand-in for a personal value breaks: a
// masked value or the redaction placeholder; "" for anything else.
func placeholderRule(s string) string {
	switch {
	case isMaskedInput(s):
		return ruleMasked
	case isRedactionPlaceholder(s):
		return ruleRedacted
	}
	return ""
}

func checkMetadata(ps *ValidationErrors, m map[string]string) {
	if len(m) > maxMetaPairs {
		ps.add("metadata", fmt.Sprintf("must have at most %d pairs", maxMetaPairs))
	}
	var emptyKey, longKey, longValue bool
	for k, v := range m {
		emptyKey = emptyKey || k == ""
		longKey = longKey || utf8.RuneCountInString(k) > maxMetaLen
		longValue = longValue || utf8.RuneCountInString(v) > maxMetaLen
	}
	if emptyKey {
		ps.add("metadata", "keys must not be empty")
	}
	if longKey {
		ps.add("metadata", fmt.Sprintf("keys must be at most %d characters", maxMetaLen))
	}
	if longValue {
		ps.add("metadata", fmt.Sprintf("values must be at most %d characters", maxMetaLen))
	}
}
