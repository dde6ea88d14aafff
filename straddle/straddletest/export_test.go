package straddletest

import (
	"fmt"
	"strings"
	"time"
)

// Test-only hooks for the benchmarks (straddletest_test), which need stores of
// a million customers: seeding those through HTTP or Seed would take minutes.

// LoadSynthetic adds customers first, ..., first+n-1 of a fixed synthetic
// population straight into s's store, in the default account of s.APIKey. The
// population is deterministic (see SyntheticCustomer), spec-valid, and varied
// as lists need: five statuses, both types, tied names and creation times,
// external ids on half of the customers. Every customer has an address (one
// in four with address2) and two metadata keys, as stored customers commonly
// do: the heap each takes is measured with them.
func LoadSynthetic(s *Server, first, n int) {
	account := s.accounts[s.APIKey()]
	for i := first; i < first+n; i++ {
		c := syntheticCustomer(i)
		c.account = account
		if err := s.store.add(c); err != nil {
			panic(fmt.Sprintf("synthetic customer %d: %v", i, err))
		}
	}
}

// ShareStore makes dst, not yet started, serve src's customers.
func ShareStore(dst, src *Server) { dst.store = src.store }

// SyntheticCustomer describes customer i of the synthetic population.
type SyntheticCustomer struct {
	ID, Name, Email, Phone, Status, Type string
	ExternalID                           string // "" for none
	CreatedAt                            time.Time
}

var (
	syntheticFirst = []string{"Ann", "April", "Andy", "Ben", "Chris", "Craig", "Donna", "Ethel", "Garry", "Jean-Ralphio",
		"Jerry", "Joan", "Larry", "Leslie", "Mark", "Marlene", "Mona-Lisa", "Orin", "Perd", "Ron", "Shauna", "Tammy",
		"Tom", "Tynnyfer", "Wendy", "Zoë", "Éclair", "Bobby", "Dennis", "Duke", "Ingrid", "Jamm", "Jessica", "Kyle",
		"Lucy", "Mike", "Nadia", "Ralph", "Sewage Joe", "Ken"}
	syntheticLast = []string{"Perkins", "Ludgate", "Dwyer", "Wyatt", "Traeger", "Middleton", "Meagle", "Beavers",
		"Gergich", "Saperstein", "Knope", "Griggs", "Brendanawicz", "Haverford", "Swanson", "Hapley", "Baskin",
		"Gryzzl", "Newport", "Silver", "Hitchens", "Barnes", "Sampson", "Kernston", "Anderson", "Moss", "Lindsay",
		"Wicker", "Feinstein", "Halfpenny", "Calamari", "Nygard", "Pawnee", "Eagleton", "Roscoe", "Blum"}
	syntheticMiddle   = strings.Split("|A. |B. |C. |D. |E. |F. |G. |H. |J. |K. |L. |M. |N. |P. |R. |S. |T. |W. ", "|")
	syntheticStatuses = []string{statusVerified, statusVerified, statusVerified, statusVerified, statusVerified,
		statusVerified, statusVerified, statusVerified, statusVerified, statusVerified, statusVerified, statusVerified,
		statusReview, statusReview, statusReview, statusPending, statusPending, statusRejected, statusRejected, statusInactive}
	syntheticEpoch   = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	syntheticStreets = []string{"Main St", "Kennedy Rd", "Washington Ave", "Lincoln Blvd", "Maple Dr", "Oak Ln"}
	syntheticCities  = []string{"Pawnee", "Eagleton", "Indianapolis", "Snerling", "Boraqua"}
	syntheticTiers   = []string{"gold", "silver", "bronze"}
)

// Synthetic returns customer i of the synthetic population: 60% verified,
// 15% review, 10% pending, 10% rejected, 5% inactive; one in five a
// business; 27,360 distinct names; created a second apart from 2025-01-01,
// every tenth at the same second as the one before.
func Synthetic(i int) SyntheticCustomer {
	h := uint32(i) * 2654435761 // spreads i's bits, so that status and type do not follow each other
	sc := SyntheticCustomer{
		ID: fmt.Sprintf("019f%04x-%04x-7000-8000-%012x", i>>16&0xffff, i&0xffff, uint64(h)*40503),
		Name: syntheticFirst[i%len(syntheticFirst)] + " " + syntheticMiddle[(i/len(syntheticFirst))%len(syntheticMiddle)] +
			syntheticLast[(i/len(syntheticFirst)/len(syntheticMiddle))%len(syntheticLast)],
		Phone:     fmt.Sprintf("+1317555%04d", i%10000),
		Status:    syntheticStatuses[h>>8%uint32(len(syntheticStatuses))],
		Type:      typeIndividual,
		CreatedAt: syntheticEpoch.Add(time.Duration(i-i%10/9) * time.Second),
	}
	if h>>16%5 == 0 {
		sc.Type = typeBusiness
	}
	sc.Email = fmt.Sprintf("customer%d@example.com", i)
	if i%2 == 0 {
		sc.ExternalID = fmt.Sprintf("crm-%d", i)
	}
	return sc
}

func syntheticCustomer(i int) *customer {
	sc := Synthetic(i)
	c := &customer{
		id: sc.ID, name: sc.Name, typ: sc.Type, email: sc.Email, phone: sc.Phone, status: sc.Status,
		createdAt: sc.CreatedAt, updatedAt: sc.CreatedAt, ip: fmt.Sprintf("203.0.113.%d", i%256),
		sandboxOutcome: outcomeStandard, processingMethod: processingInline,
	}
	if sc.ExternalID != "" {
		c.externalID = &sc.ExternalID
	}
	if sc.Type == typeBusiness {
		ein, legal := fmt.Sprintf("12-%07d", i%10000000), sc.Name+" LLC"
		c.business = &businessProfile{EIN: &ein, LegalBusinessName: &legal, Representatives: []representative{}}
	} else {
		ssn, dob := fmt.Sprintf("123-45-%04d", 1+i%9999), "1980-01-01"
		c.individual = &individualProfile{SSN: &ssn, DOB: &dob}
	}
	c.address = &address{Address1: fmt.Sprintf("%d %s", 100+i%9900, syntheticStreets[i%len(syntheticStreets)]),
		City: syntheticCities[i%len(syntheticCities)], State: "IN", Zip: fmt.Sprintf("46%03d", i%1000)}
	if i%4 == 0 {
		unit := fmt.Sprintf("Apt %d", 1+i%300)
		c.address.Address2 = &unit
	}
	c.metadata = map[string]string{"crm_tier": syntheticTiers[i%len(syntheticTiers)], "signup_source": fmt.Sprintf("campaign-%d", i%50)}
	c.startReview(sc.CreatedAt)
	return c
}
