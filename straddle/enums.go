package straddle

// CustomerType says whether a customer is a person or a business.
type CustomerType string

// Customer types.
const (
	CustomerTypeIndividual CustomerType = "individual"
	CustomerTypeBusiness   CustomerType = "business"
)

// Valid reports whether t is a type this package knows. Responses may carry
// newer values; they decode as they are.
func (t CustomerType) Valid() bool {
	return t == CustomerTypeIndividual || t == CustomerTypeBusiness
}

// CustomerStatus is where a customer is in verification: pending while checks
// run, then review, verified or rejected; inactive is set by an update.
type CustomerStatus string

// Customer statuses.
const (
	CustomerStatusPending  CustomerStatus = "pending"
	CustomerStatusReview   CustomerStatus = "review"
	CustomerStatusVerified CustomerStatus = "verified"
	CustomerStatusInactive CustomerStatus = "inactive"
	CustomerStatusRejected CustomerStatus = "rejected"
)

// Valid reports whether s is a status this package knows.
func (s CustomerStatus) Valid() bool {
	switch s {
	case CustomerStatusPending, CustomerStatusReview, CustomerStatusVerified,
		CustomerStatusInactive, CustomerStatusRejected:
		return true
	}
	return false
}

// SandboxOutcome forces the verification result of a customer created in the
// sandbox. Standard runs the usual checks; the others set that status at once.
type SandboxOutcome string

// Sandbox outcomes.
const (
	SandboxOutcomeStandard SandboxOutcome = "standard"
	SandboxOutcomeVerified SandboxOutcome = "verified"
	SandboxOutcomeRejected SandboxOutcome = "rejected"
	SandboxOutcomeReview   SandboxOutcome = "review"
)

// Valid reports whether o is an outcome this package knows.
func (o SandboxOutcome) Valid() bool {
	switch o {
	case SandboxOutcomeStandard, SandboxOutcomeVerified, SandboxOutcomeRejected, SandboxOutcomeReview:
		return true
	}
	return false
}

// ProcessingMethod says how a new customer's identity checks run.
type ProcessingMethod string

// Processing methods.
const (
	ProcessingMethodInline     ProcessingMethod = "inline"
	ProcessingMethodBackground ProcessingMethod = "background"
	ProcessingMethodSkip       ProcessingMethod = "skip"
)

// Valid reports whether m is a method this package knows.
func (m ProcessingMethod) Valid() bool {
	return m == ProcessingMethodInline || m == ProcessingMethodBackground || m == ProcessingMethodSkip
}

// SortBy is the field a customer list is sorted on.
type SortBy string

// Sort fields.
const (
	SortByName      SortBy = "name"
	SortByCreatedAt SortBy = "created_at"
)

// Valid reports whether s is a sort field this package knows.
func (s SortBy) Valid() bool { return s == SortByName || s == SortByCreatedAt }

// SortOrder is a sort direction.
type SortOrder string

// Sort directions.
const (
	SortAsc  SortOrder = "asc"
	SortDesc SortOrder = "desc"
)

// Valid reports whether o is a direction this package knows.
func (o SortOrder) Valid() bool { return o == SortAsc || o == SortDesc }

// Recommendation is what an identity screening check advises: accept,
// reject or review. It is advisory; the customer's Status is the
// authoritative outcome, and Review.Decide sets a Status, not this.
type Recommendation string

// Recommendations.
const (
	RecommendationAccept Recommendation = "accept"
	RecommendationReject Recommendation = "reject"
	RecommendationReview Recommendation = "review"
)

// Valid reports whether r is a recommendation this package knows.
func (r Recommendation) Valid() bool {
	return r == RecommendationAccept || r == RecommendationReject || r == RecommendationReview
}

// Correlation is how confidently supplied data matches known records.
type Correlation string

// Correlation levels, weakest first.
const (
	CorrelationLowConfidence  Correlation = "low_confidence"
	CorrelationPotentialMatch Correlation = "potential_match"
	CorrelationLikelyMatch    Correlation = "likely_match"
	CorrelationHighConfidence Correlation = "high_confidence"
)

// Valid reports whether c is a level this package knows.
func (c Correlation) Valid() bool {
	switch c {
	case CorrelationLowConfidence, CorrelationPotentialMatch, CorrelationLikelyMatch, CorrelationHighConfidence:
		return true
	}
	return false
}
