package readme_test

import (
	"context"
	"testing"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// signUp is the code under test: what your application does when someone
// signs up.
func signUp(ctx context.Context, client *straddle.Client, email string) (string, error) {
	c, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name:      "Leslie Knope",
		Type:      straddle.CustomerTypeIndividual,
		Email:     email,
		Phone:     "+13175550142",
		IPAddress: straddle.NewIPAddress("203.0.113.42"),
	})
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

func TestSignUpSurvivesAnOutage(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t)) // closed when the test ends
	ctx := context.Background()

	// Straddle answers 503 twice, then recovers: the client retries with the
	// same idempotency key, and exactly one customer is created.
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultStatus, Status: 503, Times: 2, Match: straddletest.OpCreateCustomer})
	id, err := signUp(ctx, srv.Client(), "leslie@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.RequestCount(straddletest.OpCreateCustomer); got != 3 {
		t.Errorf("%d create attempts, want 3", got)
	}
	if n := srv.CustomerCount(""); n != 1 {
		t.Errorf("%d customers, want exactly 1", n)
	}
	if c, err := srv.Client().Customers.Get(ctx, id); err != nil || c.Email != "leslie@example.com" {
		t.Errorf("get %s: %v, %v", id, c, err)
	}

	// The same email again is refused by Straddle's rules: IsDuplicateEmail
	// tells exactly that refusal from any other.
	if _, err := signUp(ctx, srv.Client(), "leslie@example.com"); !straddle.IsDuplicateEmail(err) {
		t.Errorf("duplicate email: %v, want IsDuplicateEmail", err)
	}
}
