package straddle_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// One client, shared as the documentation says it may be, by many goroutines
// each running a customer's whole life. Run under -race, this finds shared
// state in the client that is not safe; the results show that no call sees
// another's data; the server's connection count shows the pool is reused.

const (
	workers = 50
	// poolSize bounds the client's connections to the host (open at once and
	// kept idle): every new connection the server counts beyond it would be
	// one dropped and dialled again.
	poolSize = 8
	// lifeRequests is how many requests one life sends: create, get, list,
	// edit (get, unmasked, the get that checks, update, the get that reads
	// it back), decide, refresh, delete, and a get that finds it gone.
	lifeRequests = 12
)

func TestOneClientManyGoroutines(t *testing.T) {
	leakcheck.Check(t)
	srv := straddletest.NewServer(straddletest.WithT(t))
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost, tr.MaxIdleConnsPerHost = poolSize, poolSize
	client := emulatorClient(t, srv, tr)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() { live(ctx, t, client, i) })
	}
	wg.Wait()

	if n := srv.RequestCount(""); n != workers*lifeRequests {
		t.Errorf("%d requests, want %d: a call was retried or lost", n, workers*lifeRequests)
	}
	if n := srv.ConnectionCount(); n > poolSize {
		t.Errorf("%d connections for %d requests, want at most %d: connections were not reused", n, srv.RequestCount(""), poolSize)
	}
	if n := srv.CustomerCount(""); n != 0 {
		t.Errorf("%d customers left, want every one deleted by its own goroutine", n)
	}
}

// live runs worker i's customer through its life, checking at each step that
// the answer is about that customer.
func live(ctx context.Context, t *testing.T, client *straddle.Client, i int) {
	name, email, ext := fmt.Sprintf("Worker %d", i), fmt.Sprintf("worker%d@example.com", i), fmt.Sprintf("worker-%d", i)
	fail := func(step string, err error) { t.Errorf("worker %d: %s: %v", i, step, err) }

	p := person(name, email)
	p.ExternalID = ext
	p.Config = &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeReview}
	created, err := client.Customers.Create(ctx, p)
	if err != nil {
		fail("create", err)
		return
	}
	id := created.ID
	if created.Email != email || created.ExternalID != ext || created.Status != straddle.CustomerStatusReview {
		t.Errorf("worker %d: created %s %s %s", i, created.Email, created.ExternalID, created.Status)
	}

	got, err := client.Customers.Get(ctx, id)
	if err != nil || got.ID != id || got.Email != email {
		fail("get", fmt.Errorf("%v, got %v", err, got))
		return
	}

	var listed []string
	for c, err := range client.Customers.All(ctx, &straddle.ListParams{ExternalID: ext}) {
		if err != nil {
			fail("list", err)
			return
		}
		listed = append(listed, c.ID)
	}
	if len(listed) != 1 || listed[0] != id {
		t.Errorf("worker %d: listing its external id gave %v, want only %s", i, listed, id)
	}

	edited, err := client.Customers.Edit(ctx, id, func(u *straddle.UpdateCustomerParams) error {
		u.Name = name + " (edited)"
		u.Metadata = map[string]string{"worker": fmt.Sprint(i)}
		return nil
	})
	if err != nil || edited.ID != id || edited.Name != name+" (edited)" || edited.Metadata["worker"] != fmt.Sprint(i) {
		fail("edit", fmt.Errorf("%v, got %v", err, edited))
		return
	}

	decided, err := client.Customers.Review.Decide(ctx, id, straddle.CustomerStatusVerified)
	if err != nil || decided.ID != id || decided.Status != straddle.CustomerStatusVerified {
		fail("decide", fmt.Errorf("%v, got %v", err, decided))
		return
	}

	refreshed, err := client.Customers.Review.Refresh(ctx, id)
	if err != nil || refreshed.ID != id || refreshed.Status != straddle.CustomerStatusPending {
		fail("refresh", fmt.Errorf("%v, got %v", err, refreshed))
		return
	}

	deleted, err := client.Customers.Delete(ctx, id)
	if err != nil || deleted.ID != id || deleted.Email != email {
		fail("delete", fmt.Errorf("%v, got %v", err, deleted))
		return
	}
	if _, err := client.Customers.Get(ctx, id); !straddle.IsNotFound(err) {
		fail("get after delete", fmt.Errorf("%v, want 404", err))
	}
}
