package straddletest_test

import (
	"context"
	"fmt"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// signUp is the code under test: it registers a person and tells whether they
// may pay at once.
func signUp(ctx context.Context, client *straddle.Client, name, email, ssn string) (bool, error) {
	p := &straddle.CreateCustomerParams{
		Name: name, Type: straddle.CustomerTypeIndividual, Email: email, Phone: "+13175550142",
		IPAddress: straddle.NewIPAddress("203.0.113.42"),
	}
	if ssn != "" {
		p.Individual = &straddle.IndividualIdentity{SSN: straddle.NewSSN(ssn), DOB: straddle.NewDOB("1975-01-18")}
	}
	c, err := client.Customers.Create(ctx, p)
	if err != nil {
		return false, err
	}
	return c.Status == straddle.CustomerStatusVerified, nil
}

// A test of signUp against the emulator. In a test function, pass
// straddletest.WithT(t) to NewServer: the server then closes when the test
// ends, and a response of the emulator that breaks the spec fails the test.
func Example() {
	srv := straddletest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	// The standard outcome follows the data: complete identity data verifies,
	// an SSN never issued is rejected, missing data goes to review.
	fmt.Println(signUp(ctx, client, "Leslie Knope", "leslie@example.com", "123-45-6789"))
	fmt.Println(signUp(ctx, client, "Ron Swanson", "ron@example.com", "666-12-3456"))
	fmt.Println(signUp(ctx, client, "Ann Perkins", "ann@example.com", ""))

	// The service fails once with a 503: the client retries under the same
	// idempotency key, and exactly one customer is created.
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 503, RetryAfter: "0", Match: straddletest.OpCreateCustomer})
	before := srv.RequestCount(straddletest.OpCreateCustomer)
	fmt.Println(signUp(ctx, client, "Ben Wyatt", "ben@example.com", "123-45-6780"))
	fmt.Println(srv.RequestCount(straddletest.OpCreateCustomer)-before, "attempts,", srv.CustomerCount(""), "customers")

	// A duplicate email is refused as the service refuses it.
	_, err := signUp(ctx, client, "Leslie Knope", "leslie@example.com", "123-45-6789")
	fmt.Println(straddle.IsDuplicateEmail(err))
	// Output:
	// true <nil>
	// false <nil>
	// false <nil>
	// true <nil>
	// 2 attempts, 4 customers
	// true
}
