package straddletest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

func newCustomer(email string) *straddle.CreateCustomerParams {
	return &straddle.CreateCustomerParams{
		Name: "Leslie Knope", Type: straddle.CustomerTypeIndividual, Email: email, Phone: "+13175550142",
		IPAddress:  straddle.NewIPAddress("203.0.113.42"),
		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18")},
	}
}

func TestClientTalksToTheServer(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := srv.Client()
	ctx := context.Background()
	created, err := client.Customers.Create(ctx, newCustomer("leslie@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if created.Status != straddle.CustomerStatusVerified {
		t.Errorf("status %q", created.Status)
	}
	got, err := client.Customers.Get(ctx, created.ID)
	if err != nil || got.ID != created.ID {
		t.Fatalf("get: %v %+v", err, got)
	}
	unmasked, err := client.Customers.Unmasked(ctx, created.ID)
	if err != nil || unmasked.ComplianceProfile == nil || unmasked.ComplianceProfile.Individual == nil ||
		unmasked.ComplianceProfile.Individual.SSN.Reveal() != "123-45-6789" {
		t.Fatalf("unmasked: %v", err)
	}
	n := 0
	for c, err := range client.Customers.All(ctx, &straddle.ListParams{PageSize: 1}) {
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != created.ID {
			t.Errorf("listed %s", c.ID)
		}
		n++
	}
	if n != 1 {
		t.Errorf("All yielded %d customers", n)
	}
	if _, err := client.Customers.Create(ctx, newCustomer("leslie@example.com")); !straddle.IsDuplicateEmail(err) {
		t.Errorf("duplicate email: %v, want IsDuplicateEmail", err)
	}

	other := srv.Client(straddle.WithAPIKey("sk_test_wrong"))
	if _, err := other.Customers.Get(ctx, created.ID); !straddle.IsAuth(err) {
		t.Errorf("wrong key: %v, want an auth error", err)
	}
}

// The fault matrix in miniature: a client's retries against injected faults
// end with exactly one customer.
func TestClientRetriesFaultsWithExactlyOneEffect(t *testing.T) {
	for _, f := range []straddletest.Fault{
		{Kind: straddletest.FaultStatus, Status: 503, RetryAfter: "0"},
		{Kind: straddletest.FaultStatus, Status: 502, Body: []byte("<html>bad gateway</html>")},
		{Kind: straddletest.FaultInProgress},
		{Kind: straddletest.FaultReset},
		{Kind: straddletest.FaultDropAfter},
	} {
		t.Run(f.Kind.String(), func(t *testing.T) {
			srv := straddletest.NewServer(straddletest.WithT(t))
			f.Match = straddletest.OpCreateCustomer
			srv.Inject(f)
			var resp straddle.Response
			_, err := srv.Client().Customers.Create(context.Background(), newCustomer("once@example.com"), straddle.WithResponseInto(&resp))
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if srv.CustomerCount("") != 1 || srv.PendingFaults() != 0 {
				t.Errorf("%d customers, %d faults left", srv.CustomerCount(""), srv.PendingFaults())
			}
			keys := map[string]bool{}
			for _, r := range srv.Requests() {
				keys[r.IdempotencyKey()] = true
			}
			if len(keys) != 1 || srv.RequestCount(straddletest.OpCreateCustomer) < 2 {
				t.Errorf("%d attempts with keys %v: want retries under one key", srv.RequestCount(straddletest.OpCreateCustomer), keys)
			}
		})
	}
}

func TestClientDoesNotRetryAKeyReused409(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultKeyReused})
	_, err := srv.Client().Customers.Create(context.Background(), newCustomer("x@example.com"))
	var apiErr *straddle.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusConflict || srv.RequestCount("") != 1 {
		t.Errorf("err %v after %d requests", err, srv.RequestCount(""))
	}
}

func TestClientAttemptTimeoutAgainstADelay(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	srv.Inject(straddletest.Fault{Kind: straddletest.FaultDelay, Delay: 300 * time.Millisecond, Match: straddletest.OpGetCustomer})
	client := srv.Client(straddle.WithAttemptTimeout(50 * time.Millisecond))
	created, err := client.Customers.Create(context.Background(), newCustomer("d@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Customers.Get(context.Background(), created.ID); err != nil {
		t.Errorf("get after a slow first attempt: %v", err)
	}
	if n := srv.RequestCount(straddletest.OpGetCustomer); n != 2 {
		t.Errorf("%d get attempts, want 2", n)
	}
}

func TestClientReusesConnections(t *testing.T) {
	srv := straddletest.NewServer(straddletest.WithT(t))
	client := srv.Client()
	for range 10 {
		if _, err := client.Customers.List(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.ConnectionCount(); n != 1 {
		t.Errorf("%d connections for 10 sequential requests, want 1", n)
	}
}

func TestClientOfAnUnstartedServerFails(t *testing.T) {
	fake := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		straddletest.NewUnstartedServer(straddletest.WithT(fake)).Client()
	}()
	<-done
	if !fake.fatal {
		t.Error("Client of an unstarted server did not fail the test")
	}
}
