package straddle

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestReviewFullFixture(t *testing.T) {
	var r CustomerReview
	decodeFixtureData(t, "getCustomerReview.200.full.json", &r)

	assert.Equal(t, "019f3ba0-8e45-7538-a52d-f37959c3a0bf", r.Customer.ID)
	assert.Equal(t, CustomerStatusReview, r.Customer.Status)
	require.NotNil(t, r.Customer.ComplianceProfile.Individual)

	id := r.Identity
	require.NotNil(t, id)
	assert.Equal(t, "019f3ba0-8f30-7af2-95ac-e4b4be386952", id.ReviewID)
	assert.Equal(t, RecommendationReview, id.Decision)
	assert.Equal(t, time.Date(2026, 7, 7, 8, 10, 6, 123400, time.UTC), id.CreatedAt)
	assert.Equal(t, time.Date(2026, 7, 7, 8, 10, 9, 432100000, time.UTC), id.UpdatedAt)
	assert.Equal(t, "Identity shows elevated fraud risk signals.", id.Messages["R186"])
	assert.Len(t, id.Messages, 3)

	b := id.Breakdown
	assert.Equal(t, &CheckResult{Decision: RecommendationAccept, Codes: []string{"I708"},
		RiskScore: ptr(0.12), CorrelationScore: ptr(0.94), Correlation: CorrelationHighConfidence}, b.Address)
	assert.Equal(t, []string{"I520", "I553"}, b.Email.Codes)
	assert.Equal(t, RecommendationReview, b.Fraud.Decision)
	assert.Nil(t, b.Fraud.CorrelationScore, "null score stays nil")
	assert.Equal(t, ptr(0.73), b.Fraud.RiskScore)
	assert.Equal(t, CorrelationPotentialMatch, b.Fraud.Correlation)
	assert.Equal(t, CorrelationLikelyMatch, b.Phone.Correlation)
	assert.NotNil(t, b.Synthetic.Codes, "an empty code list is not null")
	assert.Empty(t, b.Synthetic.Codes)
	assert.Nil(t, b.BusinessIdentification, "business modules do not run for individuals")
	assert.Nil(t, b.BusinessValidation)
	assert.Nil(t, b.BusinessEvaluation)

	require.NotNil(t, id.NetworkAlerts)
	assert.Equal(t, []string{"I000"}, id.NetworkAlerts.Codes)
	assert.Equal(t, []string{}, id.NetworkAlerts.Alerts)

	require.NotNil(t, id.WatchList)
	assert.Equal(t, RecommendationReview, id.WatchList.Decision)
	assert.Equal(t, []string{"OFAC SDN"}, id.WatchList.Matched)
	assert.Equal(t, []WatchListMatch{{
		ListName:    "OFAC SDN",
		URLs:        []string{"https://watchlists.example.com/ofac-sdn/entries/36512"},
		MatchFields: []string{"name"},
		Correlation: CorrelationLowConfidence,
	}}, id.WatchList.Matches)

	require.NotNil(t, id.KYC)
	assert.Equal(t, []string{"I901", "I902"}, id.KYC.Codes)
	yes, no := ptr(true), ptr(false)
	assert.Equal(t, KYCValidations{FirstName: yes, LastName: yes, Address: yes, City: yes, State: yes,
		Zip: yes, Phone: yes, DOB: yes, SSN: no, Email: yes}, id.KYC.Validations)

	rep := id.Reputation
	require.NotNil(t, rep)
	assert.Equal(t, ptr(0.21), rep.RiskScore)
	in := rep.Insights
	require.NotNil(t, in)
	assert.Equal(t, ptr(0), in.ACHFraudTransactionsCount, "zero count is not nil")
	assert.Equal(t, ptr(2), in.ACHReturnedTransactionsCount)
	assert.Equal(t, ptr(1250.75), in.ACHReturnedTransactionsTotalAmount)
	assert.Equal(t, ptr(0.0), in.ACHFraudTransactionsTotalAmount)
	assert.Nil(t, in.CardFraudTransactionsTotalAmount, "null amount is nil")
	assert.Nil(t, in.CardFraudTransactionsDates, "null dates are nil")
	assert.Equal(t, []string{}, in.ACHFraudTransactionsDates, "empty dates are empty, not nil")
	assert.Equal(t, []string{"2025-11-03", "2026-02-17"}, in.ACHReturnedTransactionsDates)
	assert.Equal(t, []string{"2026-03-21"}, in.CardDisputedTransactionsDates)
	assert.Equal(t, []string{"2024-08-30"}, in.AccountsClosedDates)
	assert.Equal(t, []string{"2025-01-12", "2025-06-02", "2026-07-07"}, in.ApplicationsDates)
	assert.Equal(t, ptr(89.99), in.CardDisputedTransactionsTotalAmount)
	assert.Equal(t, ptr(0.0), in.AccountsFraudLossTotalAmount)
	assert.Equal(t, ptr(4), in.AccountsCount)
	assert.Equal(t, ptr(3), in.AccountsActiveCount)
	assert.Equal(t, ptr(1), in.AccountsClosedCount)
	assert.Equal(t, ptr(5), in.ApplicationsCount)
	assert.Equal(t, ptr(4), in.ApplicationsApprovedCount)
	assert.Equal(t, ptr(1), in.ApplicationsDeclinedCount)
	assert.Equal(t, ptr(2), in.UserInstitutionCount)
	assert.Equal(t, ptr(3), in.UserAddressCount)
	assert.Equal(t, ptr(0), in.UserClosedProfileCount)
	for _, d := range in.ApplicationsDates {
		_, err := time.Parse(time.DateOnly, d)
		assert.NoError(t, err, "dates are YYYY-MM-DD")
	}
}

func TestReviewBusinessFixture(t *testing.T) {
	var r CustomerReview
	decodeFixtureData(t, "getCustomerReview.200.seed004.json", &r)
	require.NotNil(t, r.Customer.ComplianceProfile.Business)
	b := r.Identity.Breakdown
	require.NotNil(t, b.BusinessIdentification)
	require.NotNil(t, b.BusinessValidation)
	require.NotNil(t, b.BusinessEvaluation)
	assert.Equal(t, RecommendationReview, b.BusinessValidation.Decision)
	assert.Nil(t, b.BusinessEvaluation.Codes, "null codes are nil")
	assert.Equal(t, ptr(0.8), b.BusinessEvaluation.CorrelationScore)
}

func TestReviewWithoutIdentity(t *testing.T) {
	var r CustomerReview
	decodeFixtureData(t, "getCustomerReview.200.no-identity-details.json", &r)
	assert.Nil(t, r.Identity)
	assert.Equal(t, CustomerStatusPending, r.Customer.Status)

	require.NoError(t, json.Unmarshal([]byte(`{"customer_details":{"id":"x","created_at":"2026-07-07T06:21:44"},"identity_details":null}`), &r))
	assert.Nil(t, r.Identity)
}

func TestIdentityDetailsTolerance(t *testing.T) {
	body := `{"review_id":"r","decision":"escalate","created_at":"2026-07-07T06:21:44","updated_at":"2026-07-07T06:21:44.5",
		"breakdown":{"address":{"decision":"accept","correlation":"exact","new_score":1},"biometric":{"decision":"accept"}},
		"kyc":{"validations":{"first_name":true,"passport":true}},"brand_new_module":{"x":1},
		"reputation":{"insights":{"ach_fraud_transactions_count":null,"crypto_count":3}}}`
	var d IdentityDetails
	require.NoError(t, json.Unmarshal([]byte(body), &d))
	assert.Equal(t, Recommendation("escalate"), d.Decision)
	assert.False(t, d.Decision.Valid())
	assert.Equal(t, Correlation("exact"), d.Breakdown.Address.Correlation)
	assert.Equal(t, time.Date(2026, 7, 7, 6, 21, 44, 0, time.UTC), d.CreatedAt)
	assert.Equal(t, time.Date(2026, 7, 7, 6, 21, 44, 500000000, time.UTC), d.UpdatedAt)
	assert.Equal(t, ptr(true), d.KYC.Validations.FirstName)
	assert.Nil(t, d.KYC.Validations.SSN, "absent validation is nil, not false")
	assert.Nil(t, d.Reputation.Insights.ACHFraudTransactionsCount)
	assert.Nil(t, d.NetworkAlerts)
	assert.Nil(t, d.Messages)

	require.Error(t, json.Unmarshal([]byte(`{"created_at":"07/07/2026"}`), &d))
	require.Error(t, json.Unmarshal([]byte(`{"review_id":1}`), &d))
}
