package straddletest_test

import (
	"context"
	"fmt"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// A test of the branch that blocks a customer on a watch-list hit: the next
// review is scripted to find one, whatever the customer's data.
func ExampleServer_ScriptReview() {
	srv := straddletest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	srv.ScriptReview(straddletest.ReviewOutcome{
		Decision: straddle.RecommendationReject,
		WatchList: &straddle.WatchList{
			Decision: straddle.RecommendationReject,
			Codes:    []string{straddletest.CodeWatchListMatch},
			Matched:  []string{"OFAC SDN"},
			Matches: []straddle.WatchListMatch{{
				ListName: "OFAC SDN", URLs: []string{}, MatchFields: []string{"name", "dob"},
				Correlation: straddle.CorrelationHighConfidence,
			}},
		},
	})
	c, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name: "Leslie Knope", Type: straddle.CustomerTypeIndividual, Email: "leslie@example.com",
		Phone: "+13175550142", IPAddress: straddle.NewIPAddress("203.0.113.42"),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := client.Customers.Review.Get(ctx, c.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Status, r.Identity.Decision, r.Identity.WatchList.Matched)
	fmt.Println(r.Identity.Messages[straddletest.CodeWatchListMatch])
	// Output:
	// rejected reject [OFAC SDN]
	// Identity matches a sanctions or watch list.
}
