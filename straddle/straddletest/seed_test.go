package straddletest_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

const connectedAccount = "019f3b40-7e5a-7078-9536-b70e4ca90ac5"

func seededIndividual(email string) straddle.UnmaskedCustomer {
	return straddle.UnmaskedCustomer{
		Name: "Tom Haverford", Type: straddle.CustomerTypeIndividual, Email: email, Phone: "+13175550150",
		Device:            &straddle.UnmaskedDevice{IPAddress: straddle.NewIPAddress("203.0.113.9")},
		ComplianceProfile: &straddle.UnmaskedComplianceProfile{Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1985-04-01")}},
	}
}

func TestSeedCustomersReadBackAsTheClientReadsThem(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithPlatform(straddletest.DefaultAPIKey, connectedAccount))
	client := srv.Client()
	ctx := context.Background()
	created := time.Date(2024, 3, 1, 9, 30, 0, 123456700, time.UTC)
	srv.ScriptReview(straddletest.ReviewOutcome{Decision: straddle.RecommendationAccept})

	rejected := seededIndividual("tom@example.com")
	rejected.ID = "019F3B3D-5816-77FB-8A9C-AD05F1654B01" // ids are case-insensitive
	rejected.Status = straddle.CustomerStatusRejected
	rejected.CreatedAt, rejected.UpdatedAt = created, created.Add(48*time.Hour)
	rejected.ExternalID = "crm-77"
	rejected.Metadata = map[string]string{"plan": "gold"}
	rejected.Address = &straddle.Address{Address1: "1 Main St", Address2: "Apt 2", City: "Pawnee", State: "IN", Zip: "47998"}
	bare := straddle.UnmaskedCustomer{Name: "April Ludgate", Type: straddle.CustomerTypeIndividual, Email: "april@example.com", Phone: "+13175550151"}
	got, err := srv.SeedCustomers("", rejected, bare)
	if err != nil {
		t.Fatal(err)
	}
	biz := straddle.UnmaskedCustomer{
		Name: "Very Good Building Co", Type: straddle.CustomerTypeBusiness, Email: "vgb@example.com", Phone: "+13175550152",
		Status: straddle.CustomerStatusInactive, CreatedAt: created,
		ComplianceProfile: &straddle.UnmaskedComplianceProfile{Business: &straddle.BusinessIdentity{
			EIN: straddle.NewEIN("12-3456789"), LegalBusinessName: "Very Good Building & Development Co",
			Website: "https://vgb.example.com", Representatives: []straddle.Representative{{Name: "Ron Swanson", Email: "ron@example.com"}},
		}},
		Config: &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeReview, ProcessingMethod: straddle.ProcessingMethodSkip},
	}
	gotBiz, err := srv.SeedCustomers(connectedAccount, biz)
	if err != nil {
		t.Fatal(err)
	}
	if srv.CustomerCount("") != 2 || srv.CustomerCount(connectedAccount) != 1 {
		t.Fatalf("counts %d and %d", srv.CustomerCount(""), srv.CustomerCount(connectedAccount))
	}
	if n := srv.PendingReviewScripts(); n != 1 {
		t.Errorf("seeding took a review script (%d left)", n)
	}

	r := got[0]
	if r.ID != strings.ToLower(rejected.ID) || r.Status != straddle.CustomerStatusRejected || !r.CreatedAt.Equal(created) ||
		!r.UpdatedAt.Equal(created.Add(48*time.Hour)) || r.ComplianceProfile.Individual.SSN.Reveal() != "123-45-6789" ||
		r.Device.IPAddress.Reveal() != "203.0.113.9" || r.Address.Address2 != "Apt 2" || r.ExternalID != "crm-77" {
		t.Errorf("seeded %+v", r)
	}
	if b := got[1]; b.ID == "" || b.Status != straddle.CustomerStatusReview || !b.CreatedAt.Equal(b.UpdatedAt) ||
		b.Config.SandboxOutcome != straddle.SandboxOutcomeStandard || b.Config.ProcessingMethod != straddle.ProcessingMethodInline {
		t.Errorf("defaults of a bare customer: %+v", b)
	}
	if b := gotBiz[0]; b.Status != straddle.CustomerStatusInactive || b.ComplianceProfile.Business.EIN.Reveal() != "12-3456789" ||
		b.Config.ProcessingMethod != straddle.ProcessingMethodSkip {
		t.Errorf("seeded business %+v", b)
	}

	// What SeedCustomers returns and what inspection shows is what the client reads.
	for _, tc := range []struct {
		account string
		want    *straddle.UnmaskedCustomer
		opts    []straddle.RequestOption
	}{
		{"", got[0], nil}, {"", got[1], nil},
		{connectedAccount, gotBiz[0], []straddle.RequestOption{straddle.WithAccountID(connectedAccount)}},
	} {
		unmasked, err := client.Customers.Unmasked(ctx, tc.want.ID, tc.opts...)
		if err != nil || !reflect.DeepEqual(unmasked, tc.want) {
			t.Errorf("client's unmasked read %+v (%v), want %+v", unmasked, err, tc.want)
		}
		if held, ok := srv.UnmaskedCustomer(tc.account, tc.want.ID); !ok || !reflect.DeepEqual(held, unmasked) {
			t.Errorf("UnmaskedCustomer %+v, want the client's read", held)
		}
		masked, err := client.Customers.Get(ctx, tc.want.ID, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if held, ok := srv.Customer(tc.account, strings.ToUpper(tc.want.ID)); !ok || !reflect.DeepEqual(held, masked) {
			t.Errorf("Customer %+v, want the client's read %+v", held, masked)
		}
		review, err := client.Customers.Review.Get(ctx, tc.want.ID, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if held, ok := srv.CustomerReview(tc.account, tc.want.ID); !ok || !reflect.DeepEqual(held, review) {
			t.Errorf("CustomerReview %+v, want the client's read %+v", held, review)
		}
	}
	if rv, _ := srv.CustomerReview("", got[0].ID); rv.Identity == nil || rv.Identity.Decision != straddle.RecommendationReject {
		t.Errorf("a seeded rejected customer's review: %+v", rv.Identity)
	}
	if rv, _ := srv.CustomerReview(connectedAccount, gotBiz[0].ID); rv.Identity != nil {
		t.Errorf("a customer seeded with processing_method skip has a review: %+v", rv.Identity)
	}
	if _, ok := srv.Customer("", gotBiz[0].ID); ok {
		t.Error("Customer found a customer of another account")
	}
	if _, ok := srv.UnmaskedCustomer(connectedAccount, got[0].ID); ok {
		t.Error("UnmaskedCustomer found a customer of another account")
	}

	// The timestamps are the ones the list filters on.
	page, err := client.Customers.List(ctx, &straddle.ListParams{CreatedTo: created.Add(time.Hour)})
	if err != nil || len(page.Customers) != 1 || page.Customers[0].ID != got[0].ID {
		t.Errorf("customers created before %v: %+v, %v", created.Add(time.Hour), page, err)
	}
}

func TestInspectionFollowsZonelessReads(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithZonelessTimestamps(true))
	got, err := srv.SeedCustomers("", seededIndividual("zone@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	read, err := srv.Client().Customers.Get(context.Background(), got[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	held, _ := srv.Customer("", got[0].ID)
	if !reflect.DeepEqual(held, read) || held.CreatedAt.Nanosecond() != 0 {
		t.Errorf("Customer %v, the client read %v: want the same zoneless instant", held.CreatedAt, read.CreatedAt)
	}
}

// TestSeedCustomersErrors: a bad customer adds none of the batch, and the
// error names the customer and the field, never a value.
func TestSeedCustomersErrors(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	if _, err := srv.SeedCustomers("", seededIndividual("taken@example.com")); err != nil {
		t.Fatal(err)
	}
	withProfile := func(p *straddle.UnmaskedComplianceProfile) straddle.UnmaskedCustomer {
		c := seededIndividual("p@example.com")
		c.ComplianceProfile = p
		return c
	}
	badSSN := withProfile(&straddle.UnmaskedComplianceProfile{Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("12-345-6789X"), DOB: straddle.NewDOB("1985-04-01")}})
	badDOB := withProfile(&straddle.UnmaskedComplianceProfile{Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("04/01/1985")}})
	both := withProfile(&straddle.UnmaskedComplianceProfile{
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789")}, Business: &straddle.BusinessIdentity{EIN: straddle.NewEIN("12-3456789")}})
	business := withProfile(&straddle.UnmaskedComplianceProfile{Business: &straddle.BusinessIdentity{EIN: straddle.NewEIN("12-3456789"), LegalBusinessName: "X"}})
	badIP := seededIndividual("ip@example.com")
	badIP.Device = &straddle.UnmaskedDevice{IPAddress: straddle.NewIPAddress("999.1.1.1")}
	noName := seededIndividual("n@example.com")
	noName.Name = ""
	badStatus := seededIndividual("s@example.com")
	badStatus.Status = "approved"
	badType := seededIndividual("t@example.com")
	badType.Type = "person"
	badID := seededIndividual("id@example.com")
	badID.ID = "cus_1"
	badZip := seededIndividual("z@example.com")
	badZip.Address = &straddle.Address{Address1: "1 Main St", City: "Pawnee", State: "Indiana", Zip: "47998"}

	for _, tc := range []struct {
		name      string
		account   string
		customers []straddle.UnmaskedCustomer
		want      string
	}{
		{"no name", "", []straddle.UnmaskedCustomer{noName}, "customer 0: name is required"},
		{"bad ssn", "", []straddle.UnmaskedCustomer{seededIndividual("ok@example.com"), badSSN}, "customer 1: compliance_profile"},
		{"bad dob", "", []straddle.UnmaskedCustomer{badDOB}, "compliance_profile"},
		{"both profiles", "", []straddle.UnmaskedCustomer{both}, "not both"},
		{"profile of the other type", "", []straddle.UnmaskedCustomer{business}, "compliance_profile: does not match the customer type"},
		{"bad ip", "", []straddle.UnmaskedCustomer{badIP}, "ip_address"},
		{"bad status", "", []straddle.UnmaskedCustomer{badStatus}, "status"},
		{"bad type", "", []straddle.UnmaskedCustomer{badType}, "type"},
		{"bad id", "", []straddle.UnmaskedCustomer{badID}, "id"},
		{"bad state", "", []straddle.UnmaskedCustomer{badZip}, "address.state"},
		{"account no key may act for", connectedAccount, []straddle.UnmaskedCustomer{seededIndividual("a@example.com")}, "account_id: is neither"},
		{"account not a uuid", "acct_1", []straddle.UnmaskedCustomer{seededIndividual("a@example.com")}, "account_id: must be a valid uuid"},
		{"email taken", "", []straddle.UnmaskedCustomer{seededIndividual("new@example.com"), seededIndividual("TAKEN@example.com")}, "customer 1: email already exists"},
		{"duplicate in the batch", "", []straddle.UnmaskedCustomer{seededIndividual("d@example.com"), seededIndividual("d@example.com")}, "customer 1: email already exists"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := srv.SeedCustomers(tc.account, tc.customers...)
			if err == nil || got != nil || !strings.HasPrefix(err.Error(), "straddletest: SeedCustomers: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v (seeded %v), want one naming %q", err, got, tc.want)
			}
			for _, secret := range []string{"12-345-6789X", "123-45-6789", "04/01/1985", "1985-04-01", "999.1.1.1", "203.0.113.9", "12-3456789"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes a value: %v", err)
				}
			}
			if n := srv.CustomerCount(""); n != 1 {
				t.Errorf("%d customers after a refused batch, want the 1 seeded before", n)
			}
		})
	}
}

// TestSeededPIIStaysRedacted: what inspection returns prints no personal data.
func TestSeededPIIStaysRedacted(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	got, err := srv.SeedCustomers("", seededIndividual("pii@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	held, _ := srv.UnmaskedCustomer("", got[0].ID)
	masked, _ := srv.Customer("", got[0].ID)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v", got, held, held), fmt.Sprintf("%+v", masked)} {
		for _, secret := range []string{"123-45-6789", "1985-04-01", "203.0.113.9"} {
			if strings.Contains(s, secret) {
				t.Errorf("printed inspection leaks %s: %s", secret, s)
			}
		}
	}
}
