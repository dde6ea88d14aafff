// Package straddle is a client for the customers API of Straddle, a US
// pay-by-bank payments platform: create customers (which starts their
// identity and fraud screening), read, change, list and delete them, and
// read and settle their identity reviews.
//
// # Usage
//
//	client, err := straddle.NewClient(
//		straddle.WithAPIKeyFromEnv(),              // or WithAPIKey(key)
//		straddle.WithEnvironment(straddle.Sandbox), // the default
//	)
//	if err != nil {
//		log.Fatal(err)
//	}
//	ctx := context.Background()
//
//	// Create a customer. Personal data goes in through NewSSN, NewDOB,
//	// NewEIN and NewIPAddress; it prints and logs as "[REDACTED]".
//	c, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
//		Name:       "Ron Swanson",
//		Type:       straddle.CustomerTypeIndividual,
//		Email:      "ron.swanson@example.com",
//		Phone:      "+12128675309",
//		IPAddress:  straddle.NewIPAddress("192.168.1.1"),
//		Individual: &straddle.IndividualIdentity{SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1969-04-20")},
//		Config:     &straddle.Config{SandboxOutcome: straddle.SandboxOutcomeReview},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//
//	// Settle its manual review.
//	if c.Status == straddle.CustomerStatusReview {
//		c, err = client.Customers.Review.Decide(ctx, c.ID, straddle.CustomerStatusVerified)
//		if err != nil {
//			log.Fatal(err)
//		}
//	}
//
//	// Change it safely: Update replaces the whole customer, Edit keeps
//	// what the change does not touch.
//	c, err = client.Customers.Edit(ctx, c.ID, func(p *straddle.UpdateCustomerParams) error {
//		p.Phone = "+12128675310"
//		return nil
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//
//	// Every customer in review, page after page.
//	for s, err := range client.Customers.All(ctx, &straddle.ListParams{
//		Statuses: []straddle.CustomerStatus{straddle.CustomerStatusReview},
//	}) {
//		if err != nil {
//			log.Fatal(err)
//		}
//		fmt.Println(s.ID, s.Name)
//	}
//
//	// Errors from the service are *Error.
//	_, err = client.Customers.Get(ctx, "0197e3c1-5a2b-7d4e-9f10-2a3b4c5d6e7f")
//	var apiErr *straddle.Error
//	switch {
//	case straddle.IsNotFound(err):
//		// gone
//	case errors.As(err, &apiErr):
//		log.Printf("status %d, request %s", apiErr.StatusCode, apiErr.RequestID)
//	}
//
// # Options
//
// NewClient takes Options; every method takes RequestOptions. Four options
// work at both levels (CommonOption): WithMaxRetries, WithAttemptTimeout,
// WithAccountID (for platforms) and WithHeader. On NewClient they set the
// default for every call; on a call they override it for that call. Calls
// also take WithIdempotencyKey, WithRequestID and WithCorrelationID
// (tracing), and WithResponseInto, which reports the status, headers,
// Straddle's request id and time, the idempotency key sent, whether the
// response was an idempotent replay, and the number of attempts.
//
// # Retries and idempotency
//
// Failed requests are retried (twice by default, WithMaxRetries): connection
// errors, attempts that ran out of time (WithAttemptTimeout), 408, 429, 5xx, and the
// 409 that says an identical request is still in progress. Other 4xx are not.
// Waits grow exponentially with full jitter, honour Retry-After, end when the
// context ends, and are not started when they would outlast its deadline.
// Every write (POST, PUT, PATCH, DELETE) carries an Idempotency-Key, made once
// per call and sent on every retry, so a retried write is never applied twice.
//
// # Errors
//
// Invalid input is refused before any request with a *ValidationError naming
// the field and the rule. A non-2xx response gives an *Error, whatever its
// body (empty, HTML or JSON), with helpers IsNotFound, IsConflict,
// IsValidation, IsAuth and IsRateLimited. A 2xx response whose body cannot
// be decoded gives a *DecodeError. Context and transport errors are returned
// so that errors.Is(err, context.DeadlineExceeded) works. No error message
// contains a request or response body, personal data or the API key.
//
// # Logging
//
// WithLogger logs one record per attempt: method, path template, status,
// request id, attempt and duration. Never bodies, query strings or the API key.
package straddle
