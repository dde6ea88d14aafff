package straddletest

import (
	"hash/fnv"
	"maps"
	"math"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/straddlekit/straddle-go/gen"
)

// module is one screening module of the identity review and its result code
// for each decision.
type module struct {
	name                   string
	accept, review, reject string
}

var (
	moduleAddress                = module{"address", CodeAddressMatched, CodeAddressUnmatched, CodeAddressFraud}
	moduleEmail                  = module{"email", CodeEmailLinked, CodeEmailUnlinked, CodeEmailFraud}
	modulePhone                  = module{"phone", CodePhoneLinked, CodePhoneUnlinked, CodePhoneFraud}
	moduleFraud                  = module{"fraud", CodeFraudNone, CodeFraudElevated, CodeFraudConfirmed}
	moduleSynthetic              = module{"synthetic", CodeSyntheticNone, CodeSyntheticPossible, CodeSyntheticConfirmed}
	moduleBusinessIdentification = module{"business_identification", CodeBusinessIdentified, CodeBusinessUnidentified, CodeBusinessInvalid}
	moduleBusinessValidation     = module{"business_validation", CodeBusinessValidated, CodeBusinessUnvalidated, CodeBusinessEINMismatch}
	moduleBusinessEvaluation     = module{"business_evaluation", CodeBusinessNormal, CodeBusinessNeedsReview, CodeBusinessFraud}
)

// review is the decision of one review, from which each check's follows.
type review struct {
	c        *customer
	reviewID string // c.reviewID, formatted
	decision gen.IdentityDecision
}

// reviewDecision is the review's overall recommendation, consistent with the
// customer's status (for inactive and pending customers, with the rules).
func reviewDecision(c *customer) gen.IdentityDecision {
	status := c.status
	if status == statusInactive || status == statusPending {
		status = outcome(c)
	}
	switch status {
	case statusVerified:
		return gen.IdentityDecisionAccept
	case statusRejected:
		return gen.IdentityDecisionReject
	}
	return gen.IdentityDecisionReview
}

// identityDetails derives a plausible, deterministic review from the customer's
// data: each check's decision follows the data and the overall decision, and
// each score is a hash of the review id and the check, within the band of its
// decision. A scripted review (sr, nil when there is none) gives the overall
// decision, and each part it scripts replaces the derived one. The messages
// explain every code of the catalogue the review carries, then the script's.
func identityDetails(c *customer, format func(time.Time) string, sr *scriptedReview) *gen.IdentityDetails {
	rv := &review{c: c, reviewID: c.reviewID.String(), decision: reviewDecision(c)}
	if sr != nil {
		rv.decision = sr.decision
	}
	var id openapi_types.UUID
	_ = id.UnmarshalText([]byte(rv.reviewID))
	d := &gen.IdentityDetails{
		ReviewID:  id,
		Decision:  rv.decision,
		CreatedAt: format(c.reviewCreated),
		UpdatedAt: format(c.reviewUpdated),
	}
	hasAddress := c.address != nil
	b := &d.Breakdown
	b.Address = rv.check(moduleAddress, rv.moduleDecision(moduleAddress, hasAddress))
	b.Email = rv.check(moduleEmail, rv.moduleDecision(moduleEmail, true))
	b.Phone = rv.check(modulePhone, rv.moduleDecision(modulePhone, true))
	b.Fraud = rv.check(moduleFraud, rv.moduleDecision(moduleFraud, true))
	if c.typ == typeBusiness {
		p := c.business
		complete := p != nil && p.EIN != nil && p.LegalBusinessName != nil
		b.BusinessIdentification = rv.check(moduleBusinessIdentification, rv.moduleDecision(moduleBusinessIdentification, p != nil && p.LegalBusinessName != nil))
		b.BusinessValidation = rv.check(moduleBusinessValidation, rv.moduleDecision(moduleBusinessValidation, complete))
		b.BusinessEvaluation = rv.check(moduleBusinessEvaluation, rv.moduleDecision(moduleBusinessEvaluation, true))
	} else {
		p := c.individual
		b.Synthetic = rv.check(moduleSynthetic, rv.moduleDecision(moduleSynthetic, p != nil && p.SSN != nil && p.DOB != nil))
	}
	d.Kyc = rv.kyc()
	d.NetworkAlerts = rv.networkAlerts()
	d.WatchList = &gen.WatchList{
		Decision: ptr(gen.IdentityDecisionAccept),
		Codes:    nullable.NewNullableWithValue(gen.ResultCodes{CodeWatchListClear}),
		Matched:  nullable.NewNullableWithValue([]string{}),
		Matches:  nullable.NewNullableWithValue([]gen.WatchListMatch{}),
	}
	d.Reputation = rv.reputation()
	if sr != nil {
		sr.apply(d)
	}
	d.Messages = nullable.NewNullableWithValue(messages(d, sr))
	return d
}

// messages explains each code of d found in the catalogue, then adds (or
// replaces) the scripted messages.
func messages(d *gen.IdentityDetails, sr *scriptedReview) map[string]string {
	out := map[string]string{}
	add := func(codes nullable.Nullable[gen.ResultCodes]) {
		list, err := codes.Get()
		if err != nil {
			return
		}
		for _, code := range list {
			if m, ok := codeMessages[code]; ok {
				out[code] = m
			}
		}
	}
	b := d.Breakdown
	for _, m := range []*gen.CheckResult{b.Address, b.Email, b.Phone, b.Fraud, b.Synthetic,
		b.BusinessIdentification, b.BusinessValidation, b.BusinessEvaluation} {
		if m != nil {
			add(m.Codes)
		}
	}
	if d.Kyc != nil {
		add(d.Kyc.Codes)
	}
	if d.NetworkAlerts != nil {
		add(d.NetworkAlerts.Codes)
	}
	if d.WatchList != nil {
		add(d.WatchList.Codes)
	}
	if d.Reputation != nil {
		add(d.Reputation.Codes)
	}
	if sr != nil {
		maps.Copy(out, sr.messages)
	}
	return out
}

// moduleDecision is a check's decision: the fraud check carries the overall
// decision (it is what rejects or holds a customer), the others accept when
// their data is there and ask for review when it is missing.
func (rv *review) moduleDecision(m module, dataOK bool) gen.IdentityDecision {
	switch {
	case m.name == moduleFraud.name:
		return rv.decision
	case !dataOK:
		return gen.IdentityDecisionReview
	}
	return gen.IdentityDecisionAccept
}

func (rv *review) check(m module, decision gen.IdentityDecision) *gen.CheckResult {
	code := m.accept
	risk, corr := rv.score(m.name+"/risk", 0.02, 0.25), rv.score(m.name+"/corr", 0.80, 0.99)
	switch decision {
	case gen.IdentityDecisionReview:
		code = m.review
		risk, corr = rv.score(m.name+"/risk", 0.45, 0.80), rv.score(m.name+"/corr", 0.40, 0.70)
	case gen.IdentityDecisionReject:
		code = m.reject
		risk, corr = rv.score(m.name+"/risk", 0.90, 0.99), rv.score(m.name+"/corr", 0.05, 0.30)
	}
	return &gen.CheckResult{
		Decision:         ptr(decision),
		Codes:            nullable.NewNullableWithValue(gen.ResultCodes{code}),
		RiskScore:        nullable.NewNullableWithValue(risk),
		CorrelationScore: nullable.NewNullableWithValue(corr),
		Correlation:      ptr(correlation(corr)),
	}
}

func correlation(score float64) gen.CorrelationLevel {
	switch {
	case score >= 0.9:
		return gen.CorrelationLevelHighConfidence
	case score >= 0.75:
		return gen.CorrelationLevelLikelyMatch
	case score >= 0.4:
		return gen.CorrelationLevelPotentialMatch
	}
	return gen.CorrelationLevelLowConfidence
}

// score is a deterministic number in [lo, hi], rounded to two decimals.
func (rv *review) score(salt string, lo, hi float64) float64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(rv.reviewID + "/" + salt))
	f := float64(h.Sum64()%10001) / 10000
	return math.Round((lo+f*(hi-lo))*100) / 100
}

func (rv *review) kyc() *gen.KYCCheck {
	c := rv.c
	words := len(strings.Fields(c.name))
	hasAddress := c.address != nil
	v := gen.KYCValidations{
		Address: ptr(hasAddress), City: ptr(hasAddress), State: ptr(hasAddress), Zip: ptr(hasAddress),
		Phone: ptr(true), Email: ptr(true),
	}
	all := hasAddress
	if c.typ == typeIndividual {
		p := c.individual
		ssn := p != nil && p.SSN != nil && ssnIssuable(*p.SSN)
		dob := p != nil && p.DOB != nil
		v.FirstName, v.LastName, v.Ssn, v.Dob = ptr(words >= 1), ptr(words >= 2), ptr(ssn), ptr(dob)
		all = all && words >= 2 && ssn && dob
	}
	decision, code := gen.IdentityDecisionAccept, CodeKYCMatched
	switch {
	case rv.decision == gen.IdentityDecisionReject:
		decision, code = gen.IdentityDecisionReject, CodeKYCContradicted
	case !all:
		decision, code = gen.IdentityDecisionReview, CodeKYCIncomplete
	}
	return &gen.KYCCheck{
		Decision:    ptr(decision),
		Codes:       nullable.NewNullableWithValue(gen.ResultCodes{code}),
		Validations: v,
	}
}

func (rv *review) networkAlerts() *gen.NetworkAlerts {
	if rv.decision == gen.IdentityDecisionReject {
		return &gen.NetworkAlerts{
			Decision: ptr(gen.IdentityDecisionReject),
			Codes:    nullable.NewNullableWithValue(gen.ResultCodes{CodeNetworkFraudReported}),
			Alerts:   nullable.NewNullableWithValue([]string{codeMessages[CodeNetworkFraudReported]}),
		}
	}
	return &gen.NetworkAlerts{
		Decision: ptr(gen.IdentityDecisionAccept),
		Codes:    nullable.NewNullableWithValue(gen.ResultCodes{CodeNetworkClear}),
		Alerts:   nullable.NewNullableWithValue([]string{}),
	}
}

func (rv *review) reputation() *gen.ReputationCheck {
	n := func(v int32) nullable.Nullable[int32] { return nullable.NewNullableWithValue(v) }
	amount := func(v float64) nullable.Nullable[float64] { return nullable.NewNullableWithValue(v) }
	dates := func(ts ...time.Time) nullable.Nullable[gen.InsightDates] {
		out := gen.InsightDates{}
		for _, t := range ts {
			out = append(out, openapi_types.Date{Time: t.UTC().Truncate(24 * time.Hour)})
		}
		return nullable.NewNullableWithValue(out)
	}
	accounts := int32(1 + rv.score("accounts", 0, 3))
	applications := accounts + 1
	created := rv.c.reviewCreated
	in := &gen.ReputationInsights{
		AccountsCount: n(accounts), AccountsActiveCount: n(accounts), AccountsClosedCount: n(0),
		AccountsClosedDates: dates(), AccountsFraudCount: n(0), AccountsFraudLabeledDates: dates(),
		AccountsFraudLossTotalAmount: amount(0),
		ApplicationsCount:            n(applications), ApplicationsApprovedCount: n(accounts),
		ApplicationsDeclinedCount: n(1), ApplicationsFraudCount: n(0), ApplicationsDates: dates(created),
		AchFraudTransactionsCount: n(0), AchFraudTransactionsTotalAmount: amount(0), AchFraudTransactionsDates: dates(),
		AchReturnedTransactionsCount: n(0), AchReturnedTransactionsTotalAmount: amount(0), AchReturnedTransactionsDates: dates(),
		CardFraudTransactionsCount: n(0), CardFraudTransactionsTotalAmount: amount(0), CardFraudTransactionsDates: dates(),
		CardDisputedTransactionsCount: n(0), CardDisputedTransactionsTotalAmount: amount(0), CardDisputedTransactionsDates: dates(),
		CardStoppedTransactionsCount: n(0), CardStoppedTransactionsDates: dates(),
		UserActiveProfileCount: n(1), UserClosedProfileCount: n(0), UserAddressCount: n(1),
		UserDobCount: n(1), UserEmailCount: n(1), UserMobileCount: n(1), UserInstitutionCount: n(accounts),
	}
	decision, code := gen.IdentityDecisionAccept, CodeReputationClean
	risk := rv.score("reputation", 0.02, 0.25)
	switch rv.decision {
	case gen.IdentityDecisionReject:
		decision, code = gen.IdentityDecisionReject, CodeReputationACHFraud
		risk = rv.score("reputation", 0.90, 0.99)
		fraudDay := created.AddDate(0, -2, 0)
		in.AchFraudTransactionsCount = n(1)
		in.AchFraudTransactionsTotalAmount = amount(1250.75)
		in.AchFraudTransactionsDates = dates(fraudDay)
		in.AccountsFraudCount = n(1)
		in.AccountsFraudLabeledDates = dates(fraudDay)
	case gen.IdentityDecisionReview:
		decision, code = gen.IdentityDecisionReview, CodeReputationReturns
		risk = rv.score("reputation", 0.45, 0.80)
		returned := created.AddDate(0, -1, 0)
		in.AchReturnedTransactionsCount = n(1)
		in.AchReturnedTransactionsTotalAmount = amount(89.99)
		in.AchReturnedTransactionsDates = dates(returned)
	}
	return &gen.ReputationCheck{
		Decision:  ptr(decision),
		Codes:     nullable.NewNullableWithValue(gen.ResultCodes{code}),
		RiskScore: nullable.NewNullableWithValue(risk),
		Insights:  in,
	}
}

func ptr[T any](v T) *T { return &v }
