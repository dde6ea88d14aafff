package straddletest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/internal/jsonshape"
)

// validating bounds how many request bodies the process validates at once.
// Validation decodes a body into generic JSON, several times its size, and
// is CPU-bound: more at once than there are processors only adds memory.
var validating = make(chan struct{}, max(4, runtime.GOMAXPROCS(0)))

// checkRequest holds the request to the spec (when validation is on) and
// returns the API's 400 naming each offending field. Without validation only
// the path id is checked (the headers were, by scope and checkWire); the
// operations check what they use.
func (s *Server) checkRequest(c *call) *apiError {
	if !s.cfg.validate {
		if _, ok := c.ex.PathParams()["id"]; ok && !isUUID(c.id) {
			return badRequest(item("id", "must be a valid uuid."))
		}
		return nil
	}
	c.r.Body = io.NopCloser(bytes.NewReader(c.body))
	if len(c.body) > 0 {
		validating <- struct{}{}
		defer func() { <-validating }()
	}
	_, err := s.validator.ValidateRequest(context.Background(), c.r)
	if err == nil {
		return nil
	}
	return badRequest(requestErrorItems(err)...)
}

// checkWire holds a request's body, query and headers to what the service
// parses, whatever the validation setting: a body, where the operation takes
// one, of media type application/json (charset utf-8 if any, one
// Content-Type header) in valid UTF-8, JSON escapes included; query names
// and values valid UTF-8 once decoded; an Idempotency-Key of 10 to 40
// printable ASCII characters, sent once. A body must also keep within the
// shape limits (see checkShape) before anything decodes it.
func (s *Server) checkWire(c *call) *apiError {
	if isWrite(c.r.Method) {
		if vals := c.r.Header.Values("Idempotency-Key"); len(vals) > 1 || len(vals) == 1 && !validIdempotencyKey(vals[0]) {
			return invalidIdempotencyKey()
		}
	}
	if e := checkQueryUTF8(c.r.URL.RawQuery); e != nil {
		return e
	}
	if !s.bodied[c.op] || len(c.body) == 0 {
		return nil
	}
	if !isJSONMediaType(c.r.Header.Values("Content-Type")) {
		return badRequest(item("Content-Type", "The request body must be application/json, with charset=utf-8 if a charset is given."))
	}
	if !validUTF8JSON(c.body) {
		return badRequest(item("body", "The request body must be valid UTF-8."))
	}
	if rule := checkShape(c.body); rule != "" {
		return badRequest(item("body", rule))
	}
	return nil
}

// Limits on the shape of a request body, checked in one pass over its bytes
// before anything decodes it. The size limit bounds what is read; these bound
// what decoding builds from it, which can be many times more: a 1 MiB array
// of zeros is half a million values. No request of the API comes near them:
// a customer body has well under 200 values, nested four deep.
const (
	maxShapeDepth   = 16   // arrays and objects nested in one another
	maxShapeEntries = 100  // elements of one array, or members of one object
	maxShapeValues  = 2000 // values of any kind in the body, keys included
	maxShapeNumber  = 64   // bytes of one number
)

// The rules checkShape names, as error item details.
const (
	ruleTooDeep    = "The request body nests arrays and objects more than 16 deep."
	ruleTooWide    = "The request body has an array or object of more than 100 entries."
	ruleTooMany    = "The request body has more than 2000 values."
	ruleLongNumber = "The request body has a number longer than 64 bytes."
)

// shapeLimits are the limits above, as checkShape applies them.
var shapeLimits = jsonshape.Limits{Depth: maxShapeDepth, Entries: maxShapeEntries, Values: maxShapeValues, Number: maxShapeNumber}

// checkShape returns the rule body breaks, or "". It does not validate the
// JSON (decoding does), and it allocates nothing.
func checkShape(body []byte) string {
	switch shapeLimits.Check(body) {
	case jsonshape.TooDeep:
		return ruleTooDeep
	case jsonshape.TooWide:
		return ruleTooWide
	case jsonshape.TooMany:
		return ruleTooMany
	case jsonshape.LongNumber:
		return ruleLongNumber
	}
	return ""
}

// validIdempotencyKey reports whether k is 10 to 40 printable ASCII
// characters (space included), as the client sends: a key is compared byte
// for byte, so bytes that are not text would make keys that look alike differ.
func validIdempotencyKey(k string) bool {
	if len(k) < 10 || len(k) > 40 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// checkQueryUTF8 returns the service's 400 for a query whose names or values,
// once percent-decoded, are not valid UTF-8, naming the parameter (or
// "query" when the name itself is not). A query of plain ASCII without
// escapes, the common case, is not decoded.
func checkQueryUTF8(raw string) *apiError {
	plain := true
	for i := 0; i < len(raw) && plain; i++ {
		plain = raw[i] != '%' && raw[i] < utf8.RuneSelf
	}
	if plain {
		return nil
	}
	q, _ := url.ParseQuery(raw) // what does not parse is left to the spec check
	for name, vals := range q {
		if !utf8.ValidString(name) {
			return badRequest(item("query", "Query parameter names must be valid UTF-8."))
		}
		for _, v := range vals {
			if !utf8.ValidString(v) {
				return badRequest(item(name, "must be valid UTF-8."))
			}
		}
	}
	return nil
}

// isJSONMediaType reports whether a request's Content-Type values are one
// application/json media type with no parameter but charset=utf-8.
func isJSONMediaType(vals []string) bool {
	if len(vals) != 1 {
		return false
	}
	mt, params, err := mime.ParseMediaType(vals[0])
	if err != nil || mt != "application/json" {
		return false
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return false
		}
	}
	return true
}

// validUTF8JSON reports whether body is valid UTF-8 and its string escapes
// name valid UTF-16: no lone surrogate (\ud800 alone), which a JSON decoder
// would quietly turn into U+FFFD. It does not check that body is JSON.
func validUTF8JSON(body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	inString := false
	for i := 0; i < len(body); i++ {
		switch b := body[i]; {
		case b == '"':
			inString = !inString
		case b == '\\' && inString:
			if i+1 < len(body) && body[i+1] == 'u' {
				r, ok := hex4(body, i+2)
				switch {
				case !ok:
					return true // not JSON: the decoder says so
				case utf16.IsSurrogate(r):
					low, ok := rune(0), false
					if r < 0xdc00 && i+7 < len(body) && body[i+6] == '\\' && body[i+7] == 'u' {
						low, ok = hex4(body, i+8)
					}
					if !ok || low < 0xdc00 || low > 0xdfff {
						return false
					}
					i += 6
				}
				i += 5
			} else {
				i++
			}
		}
	}
	return true
}

// hex4 reads the four hex digits at body[i:].
func hex4(body []byte, i int) (rune, bool) {
	if i+4 > len(body) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(body[i:i+4]), 16, 16)
	return rune(v), err == nil
}

// operationsWithBody returns the operations whose request has a body in the spec.
func operationsWithBody() (map[Operation]bool, error) {
	doc, err := contract.Load()
	if err != nil {
		return nil, err
	}
	bodied := map[Operation]bool{}
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			if op.RequestBody != nil {
				bodied[Operation(op.OperationID)] = true
			}
		}
	}
	return bodied, nil
}

// normalizeListQuery splits comma-joined status and types values into
// repeated keys, so that both forms clients send mean the same.
func normalizeListQuery(r *http.Request) {
	q := r.URL.Query()
	changed := false
	for _, key := range []string{"status", "types"} {
		vals, ok := q[key]
		if !ok {
			continue
		}
		var split []string
		for _, v := range vals {
			split = append(split, strings.Split(v, ",")...)
		}
		if len(split) != len(vals) {
			q[key] = split
			changed = true
		}
	}
	if changed {
		r.URL.RawQuery = q.Encode()
	}
}

// requestErrorItems turns kin-openapi's request errors into error items: the
// field as reference, the rule as detail, and never the offending value.
func requestErrorItems(err error) []errorItem {
	var items []errorItem
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, x := range e {
			items = append(items, requestErrorItems(x)...)
		}
	case *openapi3filter.RequestError:
		switch {
		case e.Parameter != nil:
			items = parameterItems(e.Parameter.Name, e.Err)
		case e.RequestBody != nil:
			items = bodyItems(e)
		}
	}
	if len(items) == 0 {
		items = append(items, item("request", "The request is not valid."))
	}
	return items
}

func parameterItems(name string, err error) []errorItem {
	var parse *openapi3filter.ParseError
	if errors.As(err, &parse) {
		return []errorItem{item(name, "The value could not be parsed.")}
	}
	var out []errorItem
	for _, se := range schemaErrors(err) {
		for _, it := range schemaItems(se) {
			out = append(out, item(name, it.Detail))
		}
	}
	if len(out) == 0 {
		out = append(out, item(name, "The value is not valid."))
	}
	return out
}

func bodyItems(e *openapi3filter.RequestError) []errorItem {
	var parse *openapi3filter.ParseError
	switch {
	case e.Err == nil && strings.Contains(e.Reason, "Content-Type"):
		return []errorItem{item("Content-Type", "The request body must be application/json.")}
	case errors.As(e.Err, &parse):
		return []errorItem{item("body", "The request body is not valid JSON.")}
	}
	var out []errorItem
	for _, se := range schemaErrors(e.Err) {
		out = append(out, schemaItems(se)...)
	}
	if len(out) == 0 {
		out = append(out, item("body", "The request body is required."))
	}
	return out
}

// schemaErrors flattens err into its schema errors.
func schemaErrors(err error) []*openapi3.SchemaError {
	switch e := err.(type) {
	case nil:
		return nil
	case *openapi3.SchemaError:
		return []*openapi3.SchemaError{e}
	case openapi3.MultiError:
		var out []*openapi3.SchemaError
		for _, x := range e {
			out = append(out, schemaErrors(x)...)
		}
		return out
	}
	return schemaErrors(errors.Unwrap(err))
}

// schemaItems names the field a schema error is about (a dotted wire path) and
// the rule it breaks. A oneOf failure (the compliance profile) reports the
// errors of the member the value most looks like.
func schemaItems(se *openapi3.SchemaError) []errorItem {
	path := se.JSONPointer()
	ref := strings.Join(path, ".")
	var detail string
	switch se.SchemaField {
	case "oneOf":
		if member := likeliestMember(se.Origin); len(member) > 0 {
			var out []errorItem
			for _, m := range member {
				out = append(out, schemaItems(m)...)
			}
			return out
		}
		detail = "does not match any of the allowed forms."
	case "properties":
		if name, ok := quoted(se.Reason); ok && strings.Contains(se.Reason, "unsupported") {
			ref = strings.Join(append(slices.Clone(path), name), ".")
			detail = "is not a known field."
		} else {
			detail = "is not valid."
		}
	case "required":
		detail = "is required."
	case "enum":
		vals := make([]string, 0, len(se.Schema.Enum))
		for _, v := range se.Schema.Enum {
			vals = append(vals, fmt.Sprint(v))
		}
		detail = "must be one of: " + strings.Join(vals, ", ") + "."
	case "format":
		detail = "must be a valid " + se.Schema.Format + "."
	case "pattern":
		detail = "must match the pattern " + se.Schema.Pattern + "."
	default:
		detail, _, _ = strings.Cut(se.Reason, " (")
		detail += "."
	}
	if ref == "" {
		ref = "body"
	}
	return []errorItem{item(ref, detail)}
}

// likeliestMember picks, from the errors of each oneOf member, those of the
// member with the fewest structural errors (missing or unknown properties):
// the one the value was meant to be.
func likeliestMember(origin error) []*openapi3.SchemaError {
	var members openapi3.MultiError
	for err := origin; err != nil; err = errors.Unwrap(err) {
		if me, ok := err.(openapi3.MultiError); ok {
			members = me
			break
		}
	}
	var best []*openapi3.SchemaError
	bestScore := -1
	for _, m := range members {
		errs := schemaErrors(m)
		score := 0
		for _, e := range errs {
			if e.SchemaField == "required" || e.SchemaField == "properties" {
				score++
			}
		}
		if bestScore < 0 || score < bestScore {
			best, bestScore = errs, score
		}
	}
	return best
}

// quoted returns the first double-quoted string in s.
func quoted(s string) (string, bool) {
	i := strings.IndexByte(s, '"')
	if i < 0 {
		return "", false
	}
	v, err := strconv.QuotedPrefix(s[i:])
	if err != nil {
		return "", false
	}
	name, err := strconv.Unquote(v)
	return name, err == nil
}

// decodeBody reads a JSON object body into v.
func decodeBody(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest(item("body", "The request body is not valid JSON."))
	}
	return nil
}

// Metadata limits: the spec states the pair count and value length; key length
// is a rule the service enforces that OpenAPI 3.0 cannot express.
const (
	maxMetadataPairs = 20
	maxMetadataLen   = 40
)

// checkInput enforces what the operations rely on, whether or not spec
// validation ran: required fields, enum values and the metadata limits.
func checkInput(in *customerInput, create bool) *apiError {
	var items []errorItem
	required := func(ref string, ok bool) {
		if !ok {
			items = append(items, item(ref, "is required."))
		}
	}
	required("name", in.Name != nil)
	required("email", in.Email != nil)
	required("phone", in.Phone != nil)
	required("device", in.Device != nil)
	if create {
		required("type", in.Type != nil)
		if in.Type != nil && *in.Type != typeIndividual && *in.Type != typeBusiness {
			items = append(items, item("type", "must be one of: individual, business."))
		}
		if cfg := in.Config; cfg != nil {
			if !slices.Contains([]string{"", outcomeStandard, statusVerified, statusRejected, statusReview}, cfg.SandboxOutcome) {
				items = append(items, item("config.sandbox_outcome", "must be one of: standard, verified, rejected, review."))
			}
			if !slices.Contains([]string{"", processingInline, processingBackground, processingSkip}, cfg.ProcessingMethod) {
				items = append(items, item("config.processing_method", "must be one of: inline, background, skip."))
			}
		}
	} else {
		required("status", in.Status != nil)
		if in.Status != nil && !slices.Contains([]string{statusPending, statusReview, statusVerified, statusInactive, statusRejected}, *in.Status) {
			items = append(items, item("status", "must be one of: pending, review, verified, inactive, rejected."))
		}
	}
	if len(in.Metadata) > maxMetadataPairs {
		items = append(items, item("metadata", "must have at most 20 pairs."))
	}
	for k, v := range in.Metadata {
		if utf8.RuneCountInString(k) > maxMetadataLen || utf8.RuneCountInString(v) > maxMetadataLen {
			items = append(items, item("metadata", "keys and values must be at most 40 characters."))
			break
		}
	}
	if len(items) > 0 {
		return badRequest(items...)
	}
	return nil
}
