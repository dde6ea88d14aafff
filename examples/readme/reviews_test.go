package readme_test

import (
	"context"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// mayPay is the code under test: a customer may pay once verified, unless
// their identity review found them on a watch list.
func mayPay(ctx context.Context, client *straddle.Client, id string) (bool, error) {
	r, err := client.Customers.Review.Get(ctx, id)
	if err != nil {
		return false, err
	}
	if r.Identity != nil && r.Identity.WatchList != nil && len(r.Identity.WatchList.Matches) > 0 {
		return false, nil
	}
	return r.Customer.Status == straddle.CustomerStatusVerified, nil
}

func TestWatchListHitStopsPayments(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := srv.Client()
	ctx := context.Background()

	// A customer verified last year, seeded in the client's own type.
	seeded, err := srv.SeedCustomers("", straddle.UnmaskedCustomer{
		Name: "Tom Haverford", Type: straddle.CustomerTypeIndividual,
		Email: "tom@example.com", Phone: "+13175550150",
		Status: straddle.CustomerStatusVerified, CreatedAt: time.Now().AddDate(-1, 0, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	id := seeded[0].ID
	if ok, err := mayPay(ctx, client, id); err != nil || !ok {
		t.Fatalf("verified customer: %v, %v; want allowed", ok, err)
	}

	// Their next review finds them on a sanctions list.
	srv.ScriptCustomerReview("", id, straddletest.ReviewOutcome{
		Decision: straddle.RecommendationReject,
		WatchList: &straddle.WatchList{
			Decision: straddle.RecommendationReject,
			Codes:    []string{straddletest.CodeWatchListMatch},
			Matched:  []string{"OFAC SDN"},
			Matches: []straddle.WatchListMatch{{ListName: "OFAC SDN", URLs: []string{},
				MatchFields: []string{"name", "dob"}, Correlation: straddle.CorrelationHighConfidence}},
		},
	})
	if _, err := client.Customers.Review.Refresh(ctx, id); err != nil {
		t.Fatal(err)
	}
	if ok, err := mayPay(ctx, client, id); err != nil || ok {
		t.Errorf("after a watch-list hit: %v, %v; want refused", ok, err)
	}

	// What the emulator now holds, as the client would read it.
	if c, _ := srv.Customer("", id); c.Status != straddle.CustomerStatusRejected {
		t.Errorf("status %s, want rejected", c.Status)
	}
}
