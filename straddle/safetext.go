package straddle

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Text the service (or whatever answered in its place) wrote reaches an
// error string or a log record only when it is known: an error type among
// the constants, a title among the status texts, field names of the API, or
// in a shape that cannot carry anything else (a UUID). Shape alone is not
// enough: a name or an API key can look like an error type or a field path.
// A proxy that echoes a request into an error body, or writes CR, LF or ESC
// into it, changes nothing in what Error() prints; the raw text stays on the
// error's fields for code to read.

// maxShownRefs bounds how many item references Error() lists.
const maxShownRefs = 8

// requestIDShape is a UUID, as meta.api_request_id is declared.
var requestIDShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// knownErrorTypes are the error types Error() prints: the constants.
var knownErrorTypes = []ErrorType{ErrorTypeBadRequest, ErrorTypeValidation, ErrorTypeFieldValidation, ErrorTypeNotFound, ErrorTypeConflict}

// specFieldNames are the names of the spec's schema properties and
// parameters (api/openapi.yaml; a test holds the two together), as they go
// on the wire.
var specFieldNames = []string{
	"Correlation-Id", "Idempotency-Key", "Request-Id", "Straddle-Account-Id", "account_id",
	"accounts_active_count", "accounts_closed_count", "accounts_closed_dates", "accounts_count",
	"accounts_fraud_count", "accounts_fraud_labeled_dates", "accounts_fraud_loss_total_amount",
	"ach_fraud_transactions_count", "ach_fraud_transactions_dates",
	"ach_fraud_transactions_total_amount", "ach_returned_transactions_count",
	"ach_returned_transactions_dates", "ach_returned_transactions_total_amount", "address",
	"address1", "address2", "alerts", "api_request_id", "api_request_timestamp",
	"applications_approved_count", "applications_count", "applications_dates",
	"applications_declined_count", "applications_fraud_count", "breakdown", "business_evaluation",
	"business_identification", "business_validation", "card_disputed_transactions_count",
	"card_disputed_transactions_dates", "card_disputed_transactions_total_amount",
	"card_fraud_transactions_count", "card_fraud_transactions_dates",
	"card_fraud_transactions_total_amount", "card_stopped_transactions_count",
	"card_stopped_transactions_dates", "city", "codes", "compliance_profile", "config", "correlation",
	"correlation_score", "created_at", "created_from", "created_to", "customer_details", "data",
	"decision", "detail", "device", "dob", "ein", "email", "error", "event_id", "event_type",
	"external_id", "first_name", "fraud", "id", "identity_details", "insights", "ip_address", "items",
	"kyc", "last_name", "legal_business_name", "list_name", "match_fields", "matched", "matches",
	"max_page_size", "messages", "meta", "metadata", "name", "network_alerts", "page_number",
	"page_size", "phone", "processing_method", "reference", "representatives", "reputation",
	"response_type", "review_id", "risk_score", "sandbox_outcome", "search_text", "sort_by",
	"sort_order", "ssn", "state", "status", "synthetic", "title", "total_items", "total_pages",
	"type", "types", "updated_at", "urls", "user_active_profile_count", "user_address_count",
	"user_closed_profile_count", "user_dob_count", "user_email_count", "user_institution_count",
	"user_mobile_count", "validations", "watch_list", "webhook-id", "webhook-signature",
	"webhook-timestamp", "website", "zip",
}

// otherFieldNames are references the spec does not name but a server gives
// about the request as a whole: its headers and body.
var otherFieldNames = []string{"Authorization", "Content-Type", "body", "request"}

// knownFields is every name a segment of a reference Error() prints may be:
// the spec's names as on the wire (snake_case, such as "ip_address") and in
// the PascalCase the live service writes ("IpAddress"), and the others.
var knownFields = func() map[string]bool {
	known := make(map[string]bool, 2*len(specFieldNames)+len(otherFieldNames))
	for _, name := range slices.Concat(specFieldNames, otherFieldNames) {
		known[name] = true
		known[pascalCase(name)] = true
	}
	return known
}()

// pascalCase turns a snake_case name into PascalCase: "ip_address" becomes
// "IpAddress", "address1" "Address1".
func pascalCase(name string) string {
	var b strings.Builder
	for word := range strings.SplitSeq(name, "_") {
		if word != "" {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String()
}

// maxReferenceLen bounds a reference Error() shows.
const maxReferenceLen = 80

// knownTitles maps each title the service is known to use, in lower case, to
// its usual spelling: the HTTP status texts and "Validation Failed".
var knownTitles = func() map[string]string {
	titles := map[string]string{"validation failed": "Validation Failed"}
	for code := 100; code < 600; code++ {
		if t := http.StatusText(code); t != "" {
			titles[strings.ToLower(t)] = t
		}
	}
	return titles
}()

// safeErrorType returns the constant t names, with or without the leading
// slash and in any case, else "": any other type may be text from the
// request (a name, the API key) that a proxy echoed.
func safeErrorType(t ErrorType) string {
	e := Error{Type: t}
	for _, known := range knownErrorTypes {
		if e.HasType(known) {
			return string(known)
		}
	}
	return ""
}

// safeTitle returns the known title t names, else "".
func safeTitle(t string) string { return knownTitles[strings.ToLower(t)] }

// safeRequestID returns id if it is a UUID, else "".
func safeRequestID(id string) string {
	if requestIDShape.MatchString(id) {
		return id
	}
	return ""
}

// safeReference returns ref if it is a path of known field names, such as
// "Device.IpAddress", "compliance_profile.ssn" or "representatives[0].name",
// else "". A reference of any other text, however field-like its shape
// ("Jane.Doe", "sk_test_key"), may be a value the request carried.
func safeReference(ref string) string {
	if len(ref) > maxReferenceLen {
		return ""
	}
	for seg := range strings.SplitSeq(strings.TrimPrefix(ref, "$."), ".") {
		name, index, indexed := strings.Cut(seg, "[")
		if !knownFields[name] || (indexed && !validIndexes(index)) {
			return ""
		}
	}
	return ref
}

// validIndexes reports whether s, what follows a field name after its first
// "[", is array indexes of up to three digits each: "0]", "12][3]".
func validIndexes(s string) bool {
	for {
		digits, rest, ok := strings.Cut(s, "]")
		if !ok || len(digits) < 1 || len(digits) > 3 || strings.Trim(digits, "0123456789") != "" {
			return false
		}
		if rest == "" {
			return true
		}
		if rest[0] != '[' {
			return false
		}
		s = rest[1:]
	}
}
