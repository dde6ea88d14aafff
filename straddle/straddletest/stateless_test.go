package straddletest_test

import (
	"context"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// TestStatelessServerKeepsTheSeededState: every write is answered as usual
// and then undone, and idempotency keys are not remembered.
func TestStatelessServerKeepsTheSeededState(t *testing.T) {
	srv, _ := newEnv(t, straddletest.WithStateless(true))
	seeded, err := srv.SeedCustomers("", seededIndividual("kept@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	id := seeded[0].ID
	before, _ := srv.UnmaskedCustomer("", id)
	client := srv.Client()
	ctx := context.Background()

	created, err := client.Customers.Create(ctx, newCustomer("new@example.com"))
	if err != nil || created.Status != straddle.CustomerStatusVerified {
		t.Fatalf("create: %v %+v", err, created)
	}
	if _, err := client.Customers.Get(ctx, created.ID); !straddle.IsNotFound(err) {
		t.Errorf("the created customer was kept: %v", err)
	}
	if _, err := client.Customers.Create(ctx, newCustomer("new@example.com")); err != nil {
		t.Errorf("the same email again: %v, want another 201", err)
	}
	if _, err := client.Customers.Create(ctx, newCustomer("kept@example.com")); !straddle.IsDuplicateEmail(err) {
		t.Errorf("a seeded email: %v, want the duplicate 422", err)
	}

	u := &straddle.UpdateCustomerParams{Name: "Someone Else", Email: "else@example.com", Phone: "+13175550100",
		IPAddress: straddle.NewIPAddress("198.51.100.1"), Status: straddle.CustomerStatusInactive}
	if got, err := client.Customers.Update(ctx, id, u); err != nil || got.Status != straddle.CustomerStatusReview || got.Email != "else@example.com" {
		t.Errorf("update answered %v %+v, want the rescored customer", err, got)
	}
	if _, err := client.Customers.Delete(ctx, id); err != nil {
		t.Errorf("delete: %v", err)
	}
	if _, err := client.Customers.Review.Refresh(ctx, id); err != nil {
		t.Errorf("refresh: %v", err)
	}
	if after, ok := srv.UnmaskedCustomer("", id); !ok || !reflect.DeepEqual(after, before) {
		t.Errorf("after update, delete and refresh: %+v, want the seeded %+v", after, before)
	}
	if srv.CustomerCount("") != 1 {
		t.Errorf("%d customers, want the 1 seeded", srv.CustomerCount(""))
	}
	// The email the undone update took is free again.
	if _, err := client.Customers.Create(ctx, newCustomer("else@example.com")); err != nil {
		t.Errorf("the email an undone update used: %v", err)
	}

	// One idempotency key for different requests: no 409, as a stateless mock has none.
	key := straddle.WithIdempotencyKey("xxxxxxxxxx")
	if _, err := client.Customers.Create(ctx, newCustomer("k1@example.com"), key); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Customers.Create(ctx, newCustomer("k2@example.com"), key); err != nil {
		t.Errorf("a key reused for another request: %v", err)
	}
	// The key's form is still checked.
	e := newClient(t, srv, false).do("POST", "/v1/customers", minimal(t, "short@example.com"), "Idempotency-Key", "short").
		want(t, http.StatusBadRequest).apiError(t)
	if len(e.references()) != 1 || e.references()[0] != "Idempotency-Key" {
		t.Errorf("a short key: %+v", e)
	}
}

// TestStatelessReviewDecisions: a seeded customer in review can be decided
// again and again, and scripts still decide reviews.
func TestStatelessReviewDecisions(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithStateless(true))
	held := seededIndividual("held@example.com")
	held.Status = straddle.CustomerStatusReview
	seeded, err := srv.SeedCustomers("", held)
	if err != nil {
		t.Fatal(err)
	}
	client := srv.Client()
	ctx := context.Background()
	for range 2 {
		if got, err := client.Customers.Review.Decide(ctx, seeded[0].ID, straddle.CustomerStatusVerified); err != nil || got.Status != straddle.CustomerStatusVerified {
			t.Errorf("decide: %v %+v", err, got)
		}
	}
	srv.ScriptReview(straddletest.ReviewOutcome{Decision: straddle.RecommendationReject})
	if c, err := client.Customers.Create(ctx, newCustomer("scripted@example.com")); err != nil || c.Status != straddle.CustomerStatusRejected {
		t.Errorf("scripted create: %v %+v", err, c)
	}
	if n := srv.PendingReviewScripts(); n != 0 {
		t.Errorf("%d scripts left", n)
	}
}

// TestStatelessWritesNeverShowHalfUndone: reads running beside writes always
// see the seeded customer (run with -race).
func TestStatelessWritesNeverShowHalfUndone(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t), straddletest.WithStateless(true))
	seeded, err := srv.SeedCustomers("", seededIndividual("busy@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	id := seeded[0].ID
	client := srv.Client()
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for range 10 {
				var err error
				if w%2 == 0 {
					_, err = client.Customers.Delete(ctx, id)
				} else {
					_, err = client.Customers.Review.Refresh(ctx, id)
				}
				if err != nil {
					t.Errorf("write: %v", err)
					return
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for range 10 {
				c, err := client.Customers.Get(ctx, id)
				if err != nil || c.Status != straddle.CustomerStatusVerified {
					t.Errorf("read beside writes: %v %+v", err, c)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := srv.CustomerCount(""); n != 1 {
		t.Errorf("%d customers", n)
	}
}
