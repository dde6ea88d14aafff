package readme

import (
	"context"
	"fmt"

	"github.com/straddlekit/straddle-go/straddle"
)

// Usage is the README's "Using the client" snippet, between the markers.
func Usage(ctx context.Context) error {
	// README begin
	client, err := straddle.NewClient(straddle.WithAPIKeyFromEnv()) // sandbox unless WithEnvironment(straddle.Production)
	if err != nil {
		return err
	}
	p := &straddle.CreateCustomerParams{
		Name:       "Ron Swanson",
		Type:       straddle.CustomerTypeIndividual,
		Email:      "ron@example.com",
		Phone:      "+12128675309",
		IPAddress:  straddle.NewIPAddress("203.0.113.10"),
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1969-04-20")},
	}
	if err := p.Validate(); err != nil {
		return err // straddle.ValidationErrors: each field and its rule, never a value; nothing sent
	}
	c, err := client.Customers.Create(ctx, p)
	if straddle.IsDuplicateEmail(err) {
		return fmt.Errorf("that email is already registered: %w", err)
	}
	if err != nil {
		return err // a *straddle.Error: its Error() is safe to log
	}
	fmt.Printf("customer %s is %s\n", c.ID, c.Status) // the SSN would print as [REDACTED]
	for s, err := range client.Customers.All(ctx, &straddle.ListParams{Statuses: []straddle.CustomerStatus{straddle.CustomerStatusReview}}) {
		if err != nil {
			return err
		}
		if _, err := client.Customers.Review.Decide(ctx, s.ID, straddle.CustomerStatusVerified); err != nil {
			return err
		}
	}
	// README end
	return nil
}
