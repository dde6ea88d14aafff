package straddletest

import (
	"strings"
	"time"
)

// outcome is the status identity screening gives c: the sandbox outcome when
// one is forced, else the standard rule.
func outcome(c *customer) string {
	switch c.sandboxOutcome {
	case statusVerified, statusReview, statusRejected:
		return c.sandboxOutcome
	}
	return standardOutcome(c)
}

// standardOutcome is the deterministic rule documented in the package doc:
// complete identity data verifies, a number never issued is rejected, and
// anything missing goes to review.
func standardOutcome(c *customer) string {
	switch c.typ {
	case typeIndividual:
		p := c.individual
		if p == nil || p.SSN == nil || p.DOB == nil {
			return statusReview
		}
		if !ssnIssuable(*p.SSN) {
			return statusRejected
		}
	case typeBusiness:
		p := c.business
		if p == nil || p.EIN == nil || p.LegalBusinessName == nil {
			return statusReview
		}
		if strings.HasPrefix(*p.EIN, "00") {
			return statusRejected
		}
	}
	return statusVerified
}

// ssnIssuable reports whether an SSN (XXX-XX-XXXX) could have been issued:
// area 000, 666 and 900-999, group 00 and serial 0000 never are.
func ssnIssuable(ssn string) bool {
	if len(ssn) != 11 {
		return false
	}
	area, group, serial := ssn[0:3], ssn[4:6], ssn[7:11]
	return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000"
}

// Identity fields the 24-hour rule counts (metadata, external_id and status
// are not counted).
const (
	fieldName              = "name"
	fieldEmail             = "email"
	fieldPhone             = "phone"
	fieldDevice            = "device"
	fieldAddress           = "address"
	fieldComplianceProfile = "compliance_profile"
)

// rescoreWindow is how far back the 24-hour rule looks, and rescoreAfter how
// many distinct identity fields may change in that window without a rescore.
const (
	rescoreWindow = 24 * time.Hour
	rescoreAfter  = 2
)

// changedFields lists the identity fields that differ between old and next.
func changedFields(old, next *customer) []string {
	var fields []string
	if old.name != next.name {
		fields = append(fields, fieldName)
	}
	if !strings.EqualFold(old.email, next.email) {
		fields = append(fields, fieldEmail)
	}
	if old.phone != next.phone {
		fields = append(fields, fieldPhone)
	}
	if old.ip != next.ip {
		fields = append(fields, fieldDevice)
	}
	if !old.address.equal(next.address) {
		fields = append(fields, fieldAddress)
	}
	if !old.sameProfile(next) {
		fields = append(fields, fieldComplianceProfile)
	}
	return fields
}

// recordChanges returns the change log after an update at now that changed
// fields, keeping only changes inside the window, and whether the fields
// changed within the window now exceed the limit (which triggers a rescore).
func recordChanges(log map[string]time.Time, fields []string, now time.Time) (map[string]time.Time, bool) {
	next := make(map[string]time.Time, len(log)+len(fields))
	for f, at := range log {
		if now.Sub(at) < rescoreWindow {
			next[f] = at
		}
	}
	for _, f := range fields {
		next[f] = now
	}
	return next, len(next) > rescoreAfter
}
