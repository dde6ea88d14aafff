package straddletest

// Result codes the emulator writes in identity reviews, for tests to script
// reviews with (ReviewOutcome) and to assert on them. Each check has an I
// code for accept and R codes for review and reject. A review's messages
// explain every code of this list that it carries; a scripted review may use
// any other code too, explained by its Messages.
const (
	CodeAddressMatched   = "I708" // address: matches known records
	CodeAddressUnmatched = "R708" // address: could not be matched
	CodeAddressFraud     = "R709" // address: linked to fraud

	CodeEmailLinked   = "I520" // email: valid and linked to the identity
	CodeEmailUnlinked = "R520" // email: not linked to the identity
	CodeEmailFraud    = "R521" // email: linked to fraud

	CodePhoneLinked   = "I618" // phone: valid and linked to the identity
	CodePhoneUnlinked = "R618" // phone: not linked to the identity
	CodePhoneFraud    = "R619" // phone: linked to fraud

	CodeFraudNone      = "I186" // fraud: no risk signals
	CodeFraudElevated  = "R186" // fraud: elevated risk
	CodeFraudConfirmed = "R187" // fraud: linked to confirmed fraud

	CodeSyntheticNone      = "I911" // synthetic: consistent with a real person
	CodeSyntheticPossible  = "R911" // synthetic: may be synthetic
	CodeSyntheticConfirmed = "R912" // synthetic: synthetic

	CodeBusinessIdentified   = "I801" // business_identification: found in registries
	CodeBusinessUnidentified = "R801" // business_identification: not found
	CodeBusinessInvalid      = "R802" // business_identification: registration invalid

	CodeBusinessValidated   = "I811" // business_validation: EIN and legal name match
	CodeBusinessUnvalidated = "R811" // business_validation: could not be validated
	CodeBusinessEINMismatch = "R812" // business_validation: EIN belongs to another business

	CodeBusinessNormal      = "I821" // business_evaluation: normal activity
	CodeBusinessNeedsReview = "R821" // business_evaluation: needs a manual review
	CodeBusinessFraud       = "R822" // business_evaluation: signs of fraud

	CodeKYCMatched      = "I910" // kyc: every field matches authoritative records
	CodeKYCIncomplete   = "R910" // kyc: some fields could not be validated
	CodeKYCContradicted = "R913" // kyc: fields contradict authoritative records

	CodeNetworkClear          = "I030" // network_alerts: none
	CodeNetworkFraudReported  = "R030" // network_alerts: reported for fraud by a member
	CodeNetworkAlertsToReview = "R031" // network_alerts: alerts that need a review

	CodeWatchListClear         = "I000" // watch_list: no matches
	CodeWatchListPossibleMatch = "R901" // watch_list: a possible match to review
	CodeWatchListMatch         = "R902" // watch_list: matches a sanctions or watch list

	CodeReputationClean    = "I1001" // reputation: no adverse history
	CodeReputationReturns  = "R1002" // reputation: returned ACH payments
	CodeReputationACHFraud = "R1003" // reputation: ACH fraud
)

// codeMessages explains each code the emulator knows, as a review's messages
// do.
var codeMessages = map[string]string{
	CodeAddressMatched:   "Address matches known records.",
	CodeAddressUnmatched: "Address could not be matched to known records.",
	CodeAddressFraud:     "Address is linked to fraudulent activity.",

	CodeEmailLinked:   "Email address is valid and linked to the identity.",
	CodeEmailUnlinked: "Email address is not linked to the identity.",
	CodeEmailFraud:    "Email address is linked to fraudulent activity.",

	CodePhoneLinked:   "Phone number is valid and linked to the identity.",
	CodePhoneUnlinked: "Phone number is not linked to the identity.",
	CodePhoneFraud:    "Phone number is linked to fraudulent activity.",

	CodeFraudNone:      "No fraud risk signals found.",
	CodeFraudElevated:  "Identity shows elevated fraud risk signals.",
	CodeFraudConfirmed: "Identity is linked to confirmed fraud.",

	CodeSyntheticNone:      "Identity is consistent with a real person.",
	CodeSyntheticPossible:  "Identity may be synthetic.",
	CodeSyntheticConfirmed: "Identity is synthetic.",

	CodeBusinessIdentified:   "Business identified in registries.",
	CodeBusinessUnidentified: "Business could not be identified in registries.",
	CodeBusinessInvalid:      "Business registration is invalid.",

	CodeBusinessValidated:   "EIN and legal name match IRS records.",
	CodeBusinessUnvalidated: "EIN or legal name could not be validated.",
	CodeBusinessEINMismatch: "EIN does not belong to the business.",

	CodeBusinessNormal:      "Business shows normal activity.",
	CodeBusinessNeedsReview: "Business activity needs a manual review.",
	CodeBusinessFraud:       "Business shows signs of fraud.",

	CodeKYCMatched:      "Identity fields match authoritative records.",
	CodeKYCIncomplete:   "Some identity fields could not be validated.",
	CodeKYCContradicted: "Identity fields contradict authoritative records.",

	CodeNetworkClear:          "No network alerts.",
	CodeNetworkFraudReported:  "Identity reported for fraud by a network member.",
	CodeNetworkAlertsToReview: "Identity has network alerts that need a review.",

	CodeWatchListClear:         "No matches found.",
	CodeWatchListPossibleMatch: "Identity may match a watch list.",
	CodeWatchListMatch:         "Identity matches a sanctions or watch list.",

	CodeReputationClean:    "No adverse history in the network.",
	CodeReputationReturns:  "Identity has returned ACH payments.",
	CodeReputationACHFraud: "Identity has a history of ACH fraud.",
}
