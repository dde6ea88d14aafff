package straddle_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle"
)

func ExampleCustomersService_Create() {
	srv := newExampleServer() // stands in for https://sandbox.straddle.com
	defer srv.Close()
	client, err := straddle.NewClient(straddle.WithAPIKey("sk_sandbox_example"), straddle.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	var resp straddle.Response
	c, err := client.Customers.Create(context.Background(), &straddle.CreateCustomerParams{
		Name:      "Leslie Knope",
		Type:      straddle.CustomerTypeIndividual,
		Email:     "leslie.knope@example.com",
		Phone:     "+13175550142",
		IPAddress: straddle.NewIPAddress("203.0.113.42"),
		Individual: &straddle.IndividualIdentity{
			SSN: straddle.NewSSN("123-45-6789"),
			DOB: straddle.NewDOB("1975-01-18"),
		},
		Config: &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeVerified},
	}, straddle.WithResponseInto(&resp))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.ID, c.Status)
	fmt.Println("ssn:", c.ComplianceProfile.Individual.SSN)
	fmt.Println("request:", resp.RequestID, "attempts:", resp.Attempts)
	// Output:
	// 019f3b3d-5816-77fb-8a9c-ad05f1654b00 verified
	// ssn: ***-**-****
	// request: 019f3b3d-585d-76f4-9956-7f3cfb8f0b70 attempts: 1
}

func ExampleCustomersService_All() {
	srv := newExampleServer()
	defer srv.Close()
	client, err := straddle.NewClient(straddle.WithAPIKey("sk_sandbox_example"), straddle.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// All fetches page after page as the loop needs them.
	params := &straddle.ListParams{PageSize: 2, SortBy: straddle.SortByName}
	for c, err := range client.Customers.All(context.Background(), params) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Name, c.Type, c.Status)
	}
	// Output:
	// Acme Anvils business review
	// Ann Perkins individual pending
	// Leslie Knope individual verified
}

func ExampleCustomersService_Unmasked() {
	srv := newExampleServer()
	defer srv.Close()
	client, err := straddle.NewClient(straddle.WithAPIKey("sk_sandbox_example"), straddle.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	u, err := client.Customers.Unmasked(context.Background(), "019f3b3d-5816-77fb-8a9c-ad05f1654b00")
	if straddle.IsAuth(err) {
		log.Fatal("unmasking is not enabled for this account")
	}
	if err != nil {
		log.Fatal(err)
	}
	ind := u.ComplianceProfile.Individual
	// Real values print redacted; Reveal reads them.
	fmt.Println(ind.SSN, ind.DOB)
	fmt.Println(ind.SSN.Reveal(), ind.DOB.Reveal())
	// Output:
	// [REDACTED] [REDACTED]
	// 123-45-6789 1975-01-18
}

func ExampleReviewService_Decide() {
	srv := newExampleServer()
	defer srv.Close()
	client, err := straddle.NewClient(straddle.WithAPIKey("sk_sandbox_example"), straddle.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	const id = "019f3ba0-8e45-7538-a52d-f37959c3a0bf"
	c, err := client.Customers.Review.Decide(ctx, id, straddle.CustomerStatusVerified,
		straddle.WithIdempotencyKey("review-"+id[:8]))
	var apiErr *straddle.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusUnprocessableEntity:
		log.Fatal("the customer is not in review")
	case err != nil:
		log.Fatal(err)
	}
	fmt.Println(c.Name, c.Status)
	// Output:
	// Ben Wyatt verified
}

// newExampleServer serves recorded Straddle responses for the examples, and
// checks every request and response against the API's OpenAPI document: a
// violation is printed, which fails the example.
func newExampleServer() *httptest.Server {
	v, err := contract.NewValidator()
	if err != nil {
		panic(err)
	}
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "responses", name))
		if err != nil {
			panic(err)
		}
		return b
	}
	route := func(r *http.Request) (int, []byte) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v1/customers":
			return 201, fixture("createCustomer.201.individual.json")
		case r.Method == http.MethodGet && r.URL.Path == "/v1/customers" && r.URL.Query().Get("page_number") == "2":
			return 200, fixture("listCustomers.200.page2-of-2.json")
		case r.Method == http.MethodGet && r.URL.Path == "/v1/customers":
			return 200, fixture("listCustomers.200.page1-of-2.json")
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/unmasked"):
			return 200, fixture("getUnmaskedCustomer.200.individual.json")
		case r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/review"):
			return 200, fixture("decideCustomerReview.200.verified.json")
		}
		return 404, fixture("getCustomer.404.not-found.json")
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ex, err := v.ValidateRequest(r.Context(), r)
		if err != nil {
			fmt.Println("contract violation:", err)
		}
		status, body := route(r)
		w.Header().Set("Content-Type", "application/json")
		if ex != nil {
			if err := v.ValidateResponse(r.Context(), ex, status, w.Header(), body); err != nil {
				fmt.Println("contract violation:", err)
			}
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	}))
}
