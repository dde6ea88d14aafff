package straddle

import (
	"encoding/json"
	"log/slog"
	"time"
)

// CustomerReview is a customer with the results of its identity screening.
// Identity is nil while no review has run. The customer's Status is the
// authoritative outcome; Identity explains it.
type CustomerReview struct {
	Customer Customer         `json:"customer_details"`
	Identity *IdentityDetails `json:"identity_details,omitempty"`
}

// LogValue logs the customer's identifiers and the review's decision.
func (r CustomerReview) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Any("customer", r.Customer)}
	if r.Identity != nil {
		attrs = append(attrs, slog.String("review_id", r.Identity.ReviewID),
			slog.String("decision", string(r.Identity.Decision)))
	}
	return slog.GroupValue(attrs...)
}

// IdentityDetails are the results of one identity review. They are advisory:
// the customer's Status is the authoritative outcome. Modules that did not run
// are nil.
type IdentityDetails struct {
	ReviewID      string            `json:"review_id"`
	Decision      Recommendation    `json:"decision"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	Breakdown     Breakdown         `json:"breakdown"`
	Messages      map[string]string `json:"messages,omitempty"` // explanations keyed by result code
	NetworkAlerts *NetworkAlerts    `json:"network_alerts,omitempty"`
	WatchList     *WatchList        `json:"watch_list,omitempty"`
	KYC           *KYCCheck         `json:"kyc,omitempty"`
	Reputation    *ReputationCheck  `json:"reputation,omitempty"`
}

// UnmarshalJSON decodes identity details, accepting the service's timestamp forms.
func (d *IdentityDetails) UnmarshalJSON(b []byte) error {
	type plain IdentityDetails
	var w struct {
		plain
		CreatedAt timestamp `json:"created_at"`
		UpdatedAt timestamp `json:"updated_at"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*d = IdentityDetails(w.plain)
	d.CreatedAt, d.UpdatedAt = time.Time(w.CreatedAt), time.Time(w.UpdatedAt)
	return nil
}

// Breakdown holds the result of each screening module. The Business modules
// apply to business customers only; modules that did not run are nil.
type Breakdown struct {
	Address                *CheckResult `json:"address,omitempty"`
	Email                  *CheckResult `json:"email,omitempty"`
	Fraud                  *CheckResult `json:"fraud,omitempty"`
	Phone                  *CheckResult `json:"phone,omitempty"`
	Synthetic              *CheckResult `json:"synthetic,omitempty"`
	BusinessIdentification *CheckResult `json:"business_identification,omitempty"`
	BusinessValidation     *CheckResult `json:"business_validation,omitempty"`
	BusinessEvaluation     *CheckResult `json:"business_evaluation,omitempty"`
}

// CheckResult is one screening module's recommendation and scores. Scores run
// from 0 to 1 and are nil when the module gave none: a higher RiskScore means
// more likely fraud, a higher CorrelationScore a closer match.
type CheckResult struct {
	Decision         Recommendation `json:"decision,omitempty"`
	Codes            []string       `json:"codes"`
	RiskScore        *float64       `json:"risk_score,omitempty"`
	CorrelationScore *float64       `json:"correlation_score,omitempty"`
	Correlation      Correlation    `json:"correlation,omitempty"`
}

// NetworkAlerts are alerts shared by Straddle's consortium network.
type NetworkAlerts struct {
	Decision Recommendation `json:"decision,omitempty"`
	Codes    []string       `json:"codes"`
	Alerts   []string       `json:"alerts"`
}

// WatchList is the result of screening against sanctions and watch lists.
type WatchList struct {
	Decision Recommendation   `json:"decision,omitempty"`
	Codes    []string         `json:"codes"`
	Matched  []string         `json:"matched"` // names of the lists that matched
	Matches  []WatchListMatch `json:"matches"`
}

// WatchListMatch is one watch-list hit.
type WatchListMatch struct {
	ListName    string      `json:"list_name"`
	URLs        []string    `json:"urls"`         // sources to review
	MatchFields []string    `json:"match_fields"` // which customer fields matched
	Correlation Correlation `json:"correlation"`
}

// KYCCheck is the know-your-customer validation of each identity field.
type KYCCheck struct {
	Decision    Recommendation `json:"decision,omitempty"`
	Codes       []string       `json:"codes"`
	Validations KYCValidations `json:"validations"`
}

// KYCValidations say whether each field matched authoritative records. A nil
// field was not checked, which is different from false (checked, no match).
type KYCValidations struct {
	FirstName *bool `json:"first_name,omitempty"`
	LastName  *bool `json:"last_name,omitempty"`
	Address   *bool `json:"address,omitempty"`
	City      *bool `json:"city,omitempty"`
	State     *bool `json:"state,omitempty"`
	Zip       *bool `json:"zip,omitempty"`
	Phone     *bool `json:"phone,omitempty"`
	DOB       *bool `json:"dob,omitempty"`
	SSN       *bool `json:"ssn,omitempty"`
	Email     *bool `json:"email,omitempty"`
}

// ReputationCheck is the customer's history in Straddle's network.
type ReputationCheck struct {
	Decision  Recommendation      `json:"decision,omitempty"`
	Codes     []string            `json:"codes"`
	RiskScore *float64            `json:"risk_score,omitempty"` // 0 to 1; nil when not scored
	Insights  *ReputationInsights `json:"insights,omitempty"`
}

// ReputationInsights are counts, dollar amounts and dates of past events tied
// to the identity. Every field is nil when the service gave no value, so an
// unknown count is not mistaken for zero. Dates are calendar dates as the
// service writes them (YYYY-MM-DD), kept as strings so an unexpected form
// never breaks decoding; parse them with time.Parse(time.DateOnly, s).
type ReputationInsights struct {
	ACHFraudTransactionsCount     *int `json:"ach_fraud_transactions_count,omitempty"`
	ACHReturnedTransactionsCount  *int `json:"ach_returned_transactions_count,omitempty"`
	CardFraudTransactionsCount    *int `json:"card_fraud_transactions_count,omitempty"`
	CardDisputedTransactionsCount *int `json:"card_disputed_transactions_count,omitempty"`
	CardStoppedTransactionsCount  *int `json:"card_stopped_transactions_count,omitempty"`
	AccountsCount                 *int `json:"accounts_count,omitempty"`
	AccountsActiveCount           *int `json:"accounts_active_count,omitempty"`
	AccountsClosedCount           *int `json:"accounts_closed_count,omitempty"`
	AccountsFraudCount            *int `json:"accounts_fraud_count,omitempty"`
	ApplicationsCount             *int `json:"applications_count,omitempty"`
	ApplicationsApprovedCount     *int `json:"applications_approved_count,omitempty"`
	ApplicationsDeclinedCount     *int `json:"applications_declined_count,omitempty"`
	ApplicationsFraudCount        *int `json:"applications_fraud_count,omitempty"`
	UserInstitutionCount          *int `json:"user_institution_count,omitempty"`
	UserDOBCount                  *int `json:"user_dob_count,omitempty"`
	UserMobileCount               *int `json:"user_mobile_count,omitempty"`
	UserEmailCount                *int `json:"user_email_count,omitempty"`
	UserAddressCount              *int `json:"user_address_count,omitempty"`
	UserActiveProfileCount        *int `json:"user_active_profile_count,omitempty"`
	UserClosedProfileCount        *int `json:"user_closed_profile_count,omitempty"`

	ACHFraudTransactionsTotalAmount     *float64 `json:"ach_fraud_transactions_total_amount,omitempty"`
	ACHReturnedTransactionsTotalAmount  *float64 `json:"ach_returned_transactions_total_amount,omitempty"`
	CardFraudTransactionsTotalAmount    *float64 `json:"card_fraud_transactions_total_amount,omitempty"`
	CardDisputedTransactionsTotalAmount *float64 `json:"card_disputed_transactions_total_amount,omitempty"`
	AccountsFraudLossTotalAmount        *float64 `json:"accounts_fraud_loss_total_amount,omitempty"`

	ACHFraudTransactionsDates     []string `json:"ach_fraud_transactions_dates"`
	ACHReturnedTransactionsDates  []string `json:"ach_returned_transactions_dates"`
	CardFraudTransactionsDates    []string `json:"card_fraud_transactions_dates"`
	CardDisputedTransactionsDates []string `json:"card_disputed_transactions_dates"`
	CardStoppedTransactionsDates  []string `json:"card_stopped_transactions_dates"`
	AccountsClosedDates           []string `json:"accounts_closed_dates"`
	AccountsFraudLabeledDates     []string `json:"accounts_fraud_labeled_dates"`
	ApplicationsDates             []string `json:"applications_dates"`
}
