package straddletest

import (
	"hash/fnv"
	"math"
	"strings"
	"time"

	"github.com/oapi-codegen/nullable"
	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/straddlekit/straddle-go/gen"
)

// screening module of the identity review: its result codes and what they mean.
type module struct {
	name                   string
	accept, review, reject [2]string // code, message
}

var (
	moduleAddress = module{"address",
		[2]string{"I708", "Address matches known records."},
		[2]string{"R708", "Address could not be matched to known records."},
		[2]string{"R709", "Address is linked to fraudulent activity."}}
	moduleEmail = module{"email",
		[2]string{"I520", "Email address is valid and linked to the identity."},
		[2]string{"R520", "Email address is not linked to the identity."},
		[2]string{"R521", "Email address is linked to fraudulent activity."}}
	modulePhone = module{"phone",
		[2]string{"I618", "Phone number is valid and linked to the identity."},
		[2]string{"R618", "Phone number is not linked to the identity."},
		[2]string{"R619", "Phone number is linked to fraudulent activity."}}
	moduleFraud = module{"fraud",
		[2]string{"I186", "No fraud risk signals found."},
		[2]string{"R186", "Identity shows elevated fraud risk signals."},
		[2]string{"R187", "Identity is linked to confirmed fraud."}}
	moduleSynthetic = module{"synthetic",
		[2]string{"I911", "Identity is consistent with a real person."},
		[2]string{"R911", "Identity may be synthetic."},
		[2]string{"R912", "Identity is synthetic."}}
	moduleBusinessIdentification = module{"business_identification",
		[2]string{"I801", "Business identified in registries."},
		[2]string{"R801", "Business could not be identified in registries."},
		[2]string{"R802", "Business registration is invalid."}}
	moduleBusinessValidation = module{"business_validation",
		[2]string{"I811", "EIN and legal name match IRS records."},
		[2]string{"R811", "EIN or legal name could not be validated."},
		[2]string{"R812", "EIN does not belong to the business."}}
	moduleBusinessEvaluation = module{"business_evaluation",
		[2]string{"I821", "Business shows normal activity."},
		[2]string{"R821", "Business activity needs a manual review."},
		[2]string{"R822", "Business shows signs of fraud."}}
)

// review is the decision of one review, and of each of its checks.
type review struct {
	c        *customer
	decision gen.IdentityDecision
	messages map[string]string
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
// decision.
func identityDetails(c *customer, format func(time.Time) string) *gen.IdentityDetails {
	rv := &review{c: c, decision: reviewDecision(c), messages: map[string]string{}}
	var id openapi_types.UUID
	_ = id.UnmarshalText([]byte(c.reviewID))
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
		Codes:    nullable.NewNullableWithValue(gen.ResultCodes{"I000"}),
		Matched:  nullable.NewNullableWithValue([]string{}),
		Matches:  nullable.NewNullableWithValue([]gen.WatchListMatch{}),
	}
	rv.messages["I000"] = "No matches found."
	d.Reputation = rv.reputation()
	d.Messages = nullable.NewNullableWithValue(rv.messages)
	return d
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
	rv.messages[code[0]] = code[1]
	return &gen.CheckResult{
		Decision:         ptr(decision),
		Codes:            nullable.NewNullableWithValue(gen.ResultCodes{code[0]}),
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
	_, _ = h.Write([]byte(rv.c.reviewID + "/" + salt))
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
	decision, code := gen.IdentityDecisionAccept, [2]string{"I910", "Identity fields match authoritative records."}
	switch {
	case rv.decision == gen.IdentityDecisionReject:
		decision, code = gen.IdentityDecisionReject, [2]string{"R912", "Identity fields contradict authoritative records."}
	case !all:
		decision, code = gen.IdentityDecisionReview, [2]string{"R910", "Some identity fields could not be validated."}
	}
	rv.messages[code[0]] = code[1]
	return &gen.KYCCheck{
		Decision:    ptr(decision),
		Codes:       nullable.NewNullableWithValue(gen.ResultCodes{code[0]}),
		Validations: v,
	}
}

func (rv *review) networkAlerts() *gen.NetworkAlerts {
	if rv.decision == gen.IdentityDecisionReject {
		rv.messages["R030"] = "Identity reported for fraud by a network member."
		return &gen.NetworkAlerts{
			Decision: ptr(gen.IdentityDecisionReject),
			Codes:    nullable.NewNullableWithValue(gen.ResultCodes{"R030"}),
			Alerts:   nullable.NewNullableWithValue([]string{"Identity reported for fraud by a network member."}),
		}
	}
	rv.messages["I030"] = "No network alerts."
	return &gen.NetworkAlerts{
		Decision: ptr(gen.IdentityDecisionAccept),
		Codes:    nullable.NewNullableWithValue(gen.ResultCodes{"I030"}),
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
	decision, code := gen.IdentityDecisionAccept, [2]string{"I1001", "No adverse history in the network."}
	risk := rv.score("reputation", 0.02, 0.25)
	switch rv.decision {
	case gen.IdentityDecisionReject:
		decision, code = gen.IdentityDecisionReject, [2]string{"R1003", "Identity has a history of ACH fraud."}
		risk = rv.score("reputation", 0.90, 0.99)
		fraudDay := created.AddDate(0, -2, 0)
		in.AchFraudTransactionsCount = n(1)
		in.AchFraudTransactionsTotalAmount = amount(1250.75)
		in.AchFraudTransactionsDates = dates(fraudDay)
		in.AccountsFraudCount = n(1)
		in.AccountsFraudLabeledDates = dates(fraudDay)
	case gen.IdentityDecisionReview:
		decision, code = gen.IdentityDecisionReview, [2]string{"R1002", "Identity has returned ACH payments."}
		risk = rv.score("reputation", 0.45, 0.80)
		returned := created.AddDate(0, -1, 0)
		in.AchReturnedTransactionsCount = n(1)
		in.AchReturnedTransactionsTotalAmount = amount(89.99)
		in.AchReturnedTransactionsDates = dates(returned)
	}
	rv.messages[code[0]] = code[1]
	return &gen.ReputationCheck{
		Decision:  ptr(decision),
		Codes:     nullable.NewNullableWithValue(gen.ResultCodes{code[0]}),
		RiskScore: nullable.NewNullableWithValue(risk),
		Insights:  in,
	}
}

func ptr[T any](v T) *T { return &v }
