package straddletest

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/straddlekit/straddle-go/gen"
	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle"
)

// ReviewOutcome is the outcome a test scripts for an identity review, with
// ScriptReview or ScriptCustomerReview, in the client's own types. Decision is
// required, and the customer's status follows it when the review runs:
// accept gives verified, review gives review, reject gives rejected (whatever
// config.sandbox_outcome says). Every other part is optional: a part left nil
// (or a Breakdown module left nil) is derived from the customer's data as
// usual, consistently with Decision, and a part that is set is returned
// exactly as given by GET /v1/customers/{id}/review. The review's messages
// explain each code of the Code constants it carries; Messages adds to them
// or replaces them.
//
// An outcome must be one the spec allows (scores from 0 to 1, known
// decisions and correlations, every field of a watch-list match); the
// methods that take one panic, naming the field and the rule, on one that is
// not.
type ReviewOutcome struct {
	Decision straddle.Recommendation

	Breakdown     straddle.Breakdown
	NetworkAlerts *straddle.NetworkAlerts
	WatchList     *straddle.WatchList
	KYC           *straddle.KYCCheck
	Reputation    *straddle.ReputationCheck
	Messages      map[string]string
}

// Ptr returns a pointer to v: for the optional fields of a ReviewOutcome
// (scores, KYC validations, insight counts).
func Ptr[T any](v T) *T { return &v }

// ScriptReview makes the next identity review that runs, for any customer in
// any account, end with the outcome o. Reviews run on create (unless
// config.processing_method is skip), on refresh_review, and on an update that
// triggers a rescore; seeding runs none. Scripts queue: each review takes the
// oldest, and PendingReviewScripts tells how many are left. A customer's own
// script (ScriptCustomerReview) comes first and leaves the queue alone. A
// request refused before it is stored (a duplicate email) gives its script
// back.
func (s *Server) ScriptReview(o ReviewOutcome) {
	sr := mustScript("ScriptReview", o)
	s.scripts.mu.Lock()
	defer s.scripts.mu.Unlock()
	s.scripts.next = append(s.scripts.next, sr)
	s.scripts.used.Store(true)
}

// ScriptCustomerReview makes the identity reviews of one customer of the
// account ("" for the account of APIKey) end with the outcome o: every
// review that runs from now on (a refresh_review, or an update that
// triggers a rescore), and the review the customer already has, unless it
// is still running (the customer pending). That review's details read as
// scripted from now on, so a test can seed a customer in review and script
// what its review found; the customer keeps its status, so seed the one
// o.Decision gives. It panics on an account no key may act for, or one that
// holds no such customer, so a mistyped id fails the test.
func (s *Server) ScriptCustomerReview(accountID, customerID string, o ReviewOutcome) {
	sr := mustScript("ScriptCustomerReview", o)
	account := s.inspected("ScriptCustomerReview", accountID)
	id := strings.ToLower(customerID)
	var cust *customer
	if isUUID(id) {
		cust, _ = s.store.get(account, id)
	}
	if cust == nil {
		panic("straddletest: ScriptCustomerReview: account " + account + " holds no customer with this id")
	}
	s.scripts.mu.Lock()
	defer s.scripts.mu.Unlock()
	if s.scripts.byCustomer == nil {
		s.scripts.byCustomer = map[customerKey]*scriptedReview{}
	}
	s.scripts.byCustomer[customerKey{account, id}] = sr
	if !cust.reviewID.isZero() && cust.status != statusPending {
		if s.scripts.byReview == nil {
			s.scripts.byReview = map[string]*scriptedReview{}
		}
		s.scripts.byReview[cust.reviewID.String()] = sr
	}
	s.scripts.used.Store(true)
}

// PendingReviewScripts returns how many ScriptReview outcomes no review has
// taken yet.
func (s *Server) PendingReviewScripts() int {
	s.scripts.mu.Lock()
	defer s.scripts.mu.Unlock()
	return len(s.scripts.next)
}

// ClearReviewScripts drops the queued outcomes and every customer's script.
// Reviews that already ran keep their details.
func (s *Server) ClearReviewScripts() {
	s.scripts.mu.Lock()
	defer s.scripts.mu.Unlock()
	s.scripts.next, s.scripts.byCustomer = nil, nil
}

// customerKey names a customer: ids are unique only within an account.
type customerKey struct{ account, id string }

// reviewScripts holds the scripted outcomes: those queued for the next
// reviews, those of given customers, and the one each scripted review ran
// with (by review id), which its reads return: a customer's script, once
// set, also becomes that of its completed review. Review ids are never reused,
// so an entry whose review was replaced is simply never read again; entries
// come only from scripts a test made. Until a test scripts something (used),
// reviews and their reads take no lock here.
type reviewScripts struct {
	used       atomic.Bool
	mu         sync.Mutex
	next       []*scriptedReview
	byCustomer map[customerKey]*scriptedReview
	byReview   map[string]*scriptedReview
}

// settleReview decides the outcome of n's review, just started (n.reviewID):
// the script of n's customer, else the next queued script, sets n's status
// and becomes the review's details; with neither, n's status becomes
// unscripted. It returns the queued script it took, which a caller whose
// store operation then fails gives back with s.scripts.giveBack.
//
// It is the one place where a review's outcome is decided: call it when the
// review completes.
func (s *Server) settleReview(n *customer, unscripted string) (taken *scriptedReview) {
	if !s.scripts.used.Load() {
		n.status = unscripted
		return nil
	}
	s.scripts.mu.Lock()
	defer s.scripts.mu.Unlock()
	sr := s.scripts.byCustomer[customerKey{n.account, n.id}]
	if sr == nil && len(s.scripts.next) > 0 {
		sr, taken = s.scripts.next[0], s.scripts.next[0]
		s.scripts.next = s.scripts.next[1:]
	}
	if sr == nil {
		n.status = unscripted
		return nil
	}
	n.status = sr.status
	if s.scripts.byReview == nil {
		s.scripts.byReview = map[string]*scriptedReview{}
	}
	s.scripts.byReview[n.reviewID.String()] = sr
	return taken
}

// giveBack returns a queued script taken by a review that was not stored to
// the front of the queue.
func (rs *reviewScripts) giveBack(sr *scriptedReview) {
	if sr == nil {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.next = slices.Insert(rs.next, 0, sr)
}

// forReview returns the script a review ran with, or nil.
func (rs *reviewScripts) forReview(reviewID string) *scriptedReview {
	if !rs.used.Load() {
		return nil
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.byReview[reviewID]
}

// scriptedReview is a ReviewOutcome checked against the spec and converted
// to the wire models. It is never modified once built.
type scriptedReview struct {
	decision      gen.IdentityDecision
	status        string
	breakdown     gen.ReviewBreakdown
	networkAlerts *gen.NetworkAlerts
	watchList     *gen.WatchList
	kyc           *gen.KYCCheck
	reputation    *gen.ReputationCheck
	messages      map[string]string
}

// apply replaces the derived parts of d by the scripted ones.
func (sr *scriptedReview) apply(d *gen.IdentityDetails) {
	b, sb := &d.Breakdown, sr.breakdown
	for _, m := range []struct{ dst, src **gen.CheckResult }{
		{&b.Address, &sb.Address}, {&b.Email, &sb.Email}, {&b.Phone, &sb.Phone}, {&b.Fraud, &sb.Fraud},
		{&b.Synthetic, &sb.Synthetic}, {&b.BusinessIdentification, &sb.BusinessIdentification},
		{&b.BusinessValidation, &sb.BusinessValidation}, {&b.BusinessEvaluation, &sb.BusinessEvaluation},
	} {
		if *m.src != nil {
			*m.dst = *m.src
		}
	}
	if sr.networkAlerts != nil {
		d.NetworkAlerts = sr.networkAlerts
	}
	if sr.watchList != nil {
		d.WatchList = sr.watchList
	}
	if sr.kyc != nil {
		d.Kyc = sr.kyc
	}
	if sr.reputation != nil {
		d.Reputation = sr.reputation
	}
}

// statusOf is the customer status a review decision gives.
var statusOf = map[straddle.Recommendation]string{
	straddle.RecommendationAccept: statusVerified,
	straddle.RecommendationReview: statusReview,
	straddle.RecommendationReject: statusRejected,
}

// mustScript checks o and converts it, or panics naming the method, the
// field and the rule.
func mustScript(method string, o ReviewOutcome) *scriptedReview {
	sr, err := newScriptedReview(o)
	if err != nil {
		panic("straddletest: " + method + ": " + err.Error())
	}
	return sr
}

// Placeholders for the parts of identity details the emulator sets itself,
// so that a script can be checked against the whole IdentityDetails schema.
const (
	placeholderReviewID = "00000000-0000-4000-8000-000000000000"
	placeholderTime     = "2026-01-01T00:00:00.0000000Z"
)

func newScriptedReview(o ReviewOutcome) (*scriptedReview, error) {
	status, ok := statusOf[o.Decision]
	if !ok {
		return nil, errors.New("decision: must be accept, review or reject (straddle.RecommendationAccept, RecommendationReview or RecommendationReject)")
	}
	wire := map[string]any{
		"review_id": placeholderReviewID, "decision": o.Decision,
		"created_at": placeholderTime, "updated_at": placeholderTime,
		"breakdown": o.Breakdown,
	}
	if o.NetworkAlerts != nil {
		wire["network_alerts"] = o.NetworkAlerts
	}
	if o.WatchList != nil {
		wire["watch_list"] = o.WatchList
	}
	if o.KYC != nil {
		wire["kyc"] = o.KYC
	}
	if o.Reputation != nil {
		wire["reputation"] = o.Reputation
	}
	if o.Messages != nil {
		wire["messages"] = o.Messages
	}
	raw, err := json.Marshal(wire)
	if err != nil {
		return nil, err
	}
	if err := validateIdentityDetails(raw); err != nil {
		return nil, err
	}
	var d gen.IdentityDetails
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, err
	}
	return &scriptedReview{
		decision: d.Decision, status: status, breakdown: d.Breakdown,
		networkAlerts: d.NetworkAlerts, watchList: d.WatchList, kyc: d.Kyc, reputation: d.Reputation,
		messages: maps.Clone(o.Messages),
	}, nil
}

// validateIdentityDetails holds raw to the spec's IdentityDetails; the error
// lists each offending field (in wire names) and its rule.
func validateIdentityDetails(raw []byte) error {
	schema, err := specSchema("IdentityDetails")
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
	if err := schema.VisitJSON(v, opts...); err != nil {
		return fmt.Errorf("the outcome breaks the spec: %w", err)
	}
	return nil
}

// specSchema returns a component schema of the spec.
func specSchema(name string) (*openapi3.Schema, error) {
	doc, err := contract.Load()
	if err != nil {
		return nil, err
	}
	ref := doc.Components.Schemas[name]
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("straddletest: the spec has no %s schema", name)
	}
	return ref.Value, nil
}
