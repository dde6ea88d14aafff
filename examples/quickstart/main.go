// Command quickstart walks a customer's whole lifecycle with straddle-go and
// prints what happens at each step.
//
// With no STRADDLE_API_KEY in the environment it starts the straddletest
// emulator in-process, so it runs anywhere in seconds with no network, and
// a webhook endpoint on loopback to which the emulator delivers its events.
// With a key it talks to the real Straddle sandbox (and skips the webhook
// step: Straddle cannot reach this machine).
//
//	go run ./examples/quickstart
//
// It exits 0 only if every step did what it should.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/straddlekit/straddle-go/straddle"
	"github.com/straddlekit/straddle-go/straddle/straddletest"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	var (
		client *straddle.Client
		events *eventLog
		err    error
	)
	if os.Getenv("STRADDLE_API_KEY") != "" {
		fmt.Println("STRADDLE_API_KEY is set: using the Straddle sandbox")
		client, err = straddle.NewClient(straddle.WithAPIKeyFromEnv(), straddle.WithAppInfo(straddle.AppInfo{Name: "straddle-go-quickstart"}))
	} else if events, err = listenForEvents(); err == nil {
		defer events.Close()
		srv := straddletest.NewServer(straddletest.WithWebhook(events.URL, events.Secret))
		defer srv.Close()
		fmt.Printf("no STRADDLE_API_KEY: using the built-in emulator at %s, delivering webhooks to %s\n", srv.URL, events.URL)
		client = srv.Client()
	}
	if err == nil {
		err = run(ctx, os.Stdout, client, events)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart failed:", err)
		os.Exit(1)
	}
	fmt.Println("all steps succeeded")
}

// stepError names the step that did not do what it should.
type stepError struct {
	step string
	err  error
}

func (e *stepError) Error() string { return e.step + ": " + e.err.Error() }
func (e *stepError) Unwrap() error { return e.err }

// run performs the lifecycle with client, printing one line per step to w.
// events is the webhook endpoint the emulator delivers to, or nil.
func run(ctx context.Context, w io.Writer, client *straddle.Client, events *eventLog) (err error) {
	tag := runTag()
	step := func(name string) func(error) error {
		return func(e error) error {
			if e != nil {
				return &stepError{step: name, err: e}
			}
			return nil
		}
	}
	expect := func(what string, got, want any) error {
		if got != want {
			return fmt.Errorf("%s is %v, want %v", what, got, want)
		}
		return nil
	}

	// Everything created is deleted at the end, whatever happens.
	var created []string
	defer func() {
		for _, id := range created {
			if _, derr := client.Customers.Delete(ctx, id); derr != nil && !straddle.IsNotFound(derr) && err == nil {
				err = &stepError{step: "clean up", err: derr}
			}
		}
	}()

	// 1. An individual, verified at once (a sandbox outcome).
	done := step("create an individual")
	ssn, dob, ip := straddle.NewSSN("123-45-6789"), straddle.NewDOB("1969-04-20"), straddle.NewIPAddress("192.0.2.10")
	ron, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name:       "Ron Swanson " + tag,
		Type:       straddle.CustomerTypeIndividual,
		Email:      "ron." + tag + "@example.com",
		Phone:      "+12128675309",
		IPAddress:  ip,
		Address:    &straddle.Address{Address1: "123 Main St", City: "Pawnee", State: "IN", Zip: "46001"},
		Individual: &straddle.IndividualIdentity{SSN: ssn, DOB: dob},
		ExternalID: "qs-ron-" + tag,
		Config:     &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeVerified},
	})
	if err != nil {
		return done(err)
	}
	created = append(created, ron.ID)
	if err := expect("status", ron.Status, straddle.CustomerStatusVerified); err != nil {
		return done(err)
	}
	fmt.Fprintf(w, "1. created individual %s: status %s\n", ron.ID, ron.Status)

	// 2. A business, with its representatives.
	done = step("create a business")
	biz, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name:      "Very Good Building Co " + tag,
		Type:      straddle.CustomerTypeBusiness,
		Email:     "billing." + tag + "@example.com",
		Phone:     "+13175550100",
		IPAddress: straddle.NewIPAddress("192.0.2.20"),
		Business: &straddle.BusinessIdentity{
			EIN:               straddle.NewEIN("12-3456789"),
			LegalBusinessName: "Very Good Building & Development Co",
			Website:           "https://example.com",
			Representatives:   []straddle.Representative{{Name: "Ron Swanson " + tag}},
		},
		Config: &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeVerified},
	})
	if err != nil {
		return done(err)
	}
	created = append(created, biz.ID)
	fmt.Fprintf(w, "2. created business %s: status %s\n", biz.ID, biz.Status)

	// 3. Every customer of this run, one per page, fetched page by page.
	done = step("list with auto-paging")
	seen := map[string]bool{}
	for c, err := range client.Customers.All(ctx, &straddle.ListParams{Name: tag, PageSize: 1}) {
		if err != nil {
			return done(err)
		}
		seen[c.ID] = true
	}
	if !seen[ron.ID] || !seen[biz.ID] {
		return done(fmt.Errorf("listed %d customers, and not both of this run's", len(seen)))
	}
	fmt.Fprintf(w, "3. listed %d customers named *%s*, one page each\n", len(seen), tag)

	// 4. Reads are masked: the SSN comes back as ***-**-****.
	done = step("get (masked)")
	got, err := client.Customers.Get(ctx, ron.ID)
	if err != nil {
		return done(err)
	}
	if got.ComplianceProfile == nil || got.ComplianceProfile.Individual == nil || got.Device == nil {
		return done(errors.New("no individual compliance profile or device"))
	}
	fmt.Fprintf(w, "4. got %s: ssn %s, dob %s, ip %s\n", got.ID,
		got.ComplianceProfile.Individual.SSN, got.ComplianceProfile.Individual.DOB, got.Device.IPAddress)

	// 5. The unmasked view has the real values, which still print redacted.
	done = step("unmasked")
	unmasked, err := client.Customers.Unmasked(ctx, ron.ID)
	switch {
	case straddle.IsAuth(err):
		fmt.Fprintln(w, "5. unmasking is not enabled for this account (403): skipped")
	case err != nil:
		return done(err)
	case unmasked.ComplianceProfile == nil || unmasked.ComplianceProfile.Individual == nil:
		return done(errors.New("no individual compliance profile"))
	case unmasked.ComplianceProfile.Individual.SSN.Reveal() != ssn.Reveal():
		return done(errors.New("the unmasked SSN is not the one sent"))
	default:
		fmt.Fprintf(w, "5. unmasked %s: ssn %v (Reveal() matches what was sent)\n", unmasked.ID, unmasked.ComplianceProfile.Individual.SSN)
	}

	// 6. A customer the checks send to manual review.
	done = step("create a customer in review")
	april, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
		Name:      "April Ludgate " + tag,
		Type:      straddle.CustomerTypeIndividual,
		Email:     "april." + tag + "@example.com",
		Phone:     "+12125550199",
		IPAddress: straddle.NewIPAddress("192.0.2.30"),
		Config:    &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeReview},
	})
	if err != nil {
		return done(err)
	}
	created = append(created, april.ID)
	if err := expect("status", april.Status, straddle.CustomerStatusReview); err != nil {
		return done(err)
	}
	fmt.Fprintf(w, "6. created %s: status %s\n", april.ID, april.Status)

	// 7. What the identity checks found.
	done = step("review details")
	review, err := client.Customers.Review.Get(ctx, april.ID)
	if err != nil {
		return done(err)
	}
	if review.Identity != nil {
		fmt.Fprintf(w, "7. review %s: decision %s\n", review.Identity.ReviewID, review.Identity.Decision)
	} else {
		fmt.Fprintln(w, "7. review: identity checks have not reported yet")
	}

	// 8. A person looked at it and approves.
	done = step("decide the review")
	decided, err := client.Customers.Review.Decide(ctx, april.ID, straddle.CustomerStatusVerified)
	if err != nil {
		return done(err)
	}
	if err := expect("status", decided.Status, straddle.CustomerStatusVerified); err != nil {
		return done(err)
	}
	fmt.Fprintf(w, "8. decided: status %s\n", decided.Status)

	// 9. Run the identity checks again (asynchronous: 202).
	done = step("refresh the review")
	refreshed, err := client.Customers.Review.Refresh(ctx, april.ID)
	if err != nil {
		return done(err)
	}
	fmt.Fprintf(w, "9. refresh started: status %s\n", refreshed.Status)

	// 10. Change one field; Edit carries everything else over (a PUT replaces
	// all). Without unmasking, Edit cannot read the real SSN, DOB and IP
	// address, so the values this run sent fill any gap.
	done = step("update with Edit")
	edited, err := client.Customers.Edit(ctx, ron.ID, func(p *straddle.UpdateCustomerParams) error {
		p.Phone = "+12128675310"
		if p.IPAddress.IsZero() {
			p.IPAddress = ip
		}
		if p.Individual == nil {
			p.Individual = &straddle.IndividualIdentity{}
		}
		if p.Individual.SSN.IsZero() {
			p.Individual.SSN = ssn
		}
		if p.Individual.DOB.IsZero() {
			p.Individual.DOB = dob
		}
		return nil
	})
	if err != nil {
		return done(err)
	}
	if err := expect("phone", edited.Phone, "+12128675310"); err != nil {
		return done(err)
	}
	if edited.Address == nil || edited.ComplianceProfile == nil {
		return done(errors.New("the update lost the address or the compliance profile"))
	}
	fmt.Fprintf(w, "10. edited %s: phone %s, address and profile kept\n", edited.ID, edited.Phone)

	// 11. Delete is permanent: afterwards the customer is not found.
	done = step("delete")
	if _, err := client.Customers.Delete(ctx, biz.ID); err != nil {
		return done(err)
	}
	if _, err := client.Customers.Get(ctx, biz.ID); !straddle.IsNotFound(err) {
		return done(fmt.Errorf("get after delete: %v, want not found", err))
	}
	fmt.Fprintf(w, "11. deleted %s: get now says not found\n", biz.ID)

	// 12. Straddle announced each change by webhook: the creation twice
	// (customer.created.v1 and customer.event.v1), then every later change.
	done = step("receive webhooks")
	if events == nil {
		fmt.Fprintln(w, "12. webhooks: skipped (Straddle cannot reach an endpoint on this machine; see examples/webhooks)")
		return nil
	}
	evs, err := events.await(ctx, ron.ID,
		func(ev *webhook.Event) bool { return ev.Type == webhook.CustomerCreatedV1 },
		func(ev *webhook.Event) bool {
			return ev.Type == webhook.CustomerEventV1 && ev.Customer.Phone == edited.Phone
		})
	if err != nil {
		return done(err)
	}
	if err := expect("the announced status", evs[0].Customer.Status, straddle.CustomerStatusVerified); err != nil {
		return done(err)
	}
	fmt.Fprintf(w, "12. webhook handler received %s for %s (status %s) and %s with the edited phone %s\n",
		evs[0].Type, ron.ID, evs[0].Customer.Status, evs[1].Type, evs[1].Customer.Phone)
	return nil
}

// runTag makes this run's names and emails unique, so it can run repeatedly
// against a real sandbox where emails must be unique.
func runTag() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "qs" + hex.EncodeToString(b)
}
