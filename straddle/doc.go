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
//		log.Fatal(err) // straddle.IsDuplicateEmail(err) when the email is taken
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
//		log.Print(err) // status, type, title, field names, request id: safe to log
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
// # Pages, changes and calls the package does not model
//
// List returns one page; its Next fetches the following one with the same
// filters and options, and All walks every page lazily. A walk stops at an
// empty page and at the page count the first page promised, and returns a
// *PagingError for a page that does not advance.
//
// Update replaces the whole customer. Edit reads it, lets a function change
// it, and writes it back, refusing with an *EditConflictError when the
// customer changed in between (WithConflictRetries starts over instead); see
// Edit for the window the API leaves open.
//
// Client.Do calls an endpoint or sends a field this package does not model
// yet, with the same credentials, idempotency keys, retries, errors and
// logging as every other call.
//
// # Connections
//
// Clients without WithHTTPClient share one transport from NewTransport, with
// a pool sized for concurrent calls and HTTP/2 where the server offers it. No
// redirect is followed (*RedirectError): Straddle's API does not redirect, so
// a request and its personal data go to the base URL and nowhere else. Plain
// http is refused except to a loopback host, or anywhere with
// WithInsecurePlainHTTP, for test networks such as a docker-compose
// straddle-mock.
//
// Webhooks (customer events) are received with the straddle/webhook package.
//
// # Retries and idempotency
//
// Failed requests are retried (twice by default, WithMaxRetries): connection
// errors, attempts that ran out of time (WithAttemptTimeout), 408, 429, 5xx, and the
// 409 that says an identical request is still in progress. Other 4xx are not.
// Waits grow exponentially with full jitter (0.5 s doubling, capped at 8 s),
// or follow a Retry-After header (seconds or an HTTP date) capped at 30 s, so
// a server cannot park a call for longer. They end when the context ends, and
// are not started when they would outlast its deadline.
// Every write (POST, PUT, PATCH, DELETE) carries an Idempotency-Key, made once
// per call and sent on every retry, so a retried write is never applied twice.
//
// # Errors
//
// Each way a call can be refused has its own predicate; use the one that
// names what you will do about it:
//
//   - IsLocalValidation: this package refused the call before sending
//     anything, because a param, id or option broke a rule. Fix the input.
//     errors.As gives the first *ValidationError, or, for params, the whole
//     ValidationErrors list (field and rule of each). To check form input up
//     front, call Validate on CreateCustomerParams, UpdateCustomerParams or
//     ListParams, and ParseSSN, ParseDOB, ParseEIN or ParseIPAddress on
//     single values: the same checks, nothing sent.
//   - IsBadRequest: the service found the request malformed (400): a field
//     or header in a form it refuses. Error.Items name the fields. Usually a
//     value local validation cannot judge, or a bug.
//   - IsUnprocessable: the request was well formed but a business rule
//     refused it (422). IsDuplicateEmail is the commonest: another customer
//     of the account has the email. Another is a review decision on a
//     customer not in review. Tell the user.
//   - IsNotFound: the service's 404, with its error envelope: no such
//     customer. A bare 404 is not IsNotFound: it comes from a wrong base URL
//     or a proxy, and its message says so.
//   - IsIdempotencyKeyReused: the service's 409, with its conflict envelope,
//     for a key already used with a different request: a bug in the
//     caller's keys. Not retried; do not retry it. A bare 409 is not.
//   - IsRequestInProgress: a 409 while the first request with the key is
//     still running. Retried already; repeat later with the same key
//     (WithIdempotencyKey) to get the first request's answer.
//   - IsAuth (401, 403) and IsRateLimited (429, after the retries).
//
// Any other non-2xx response is an *Error too, whatever its body (empty,
// HTML or JSON), with the status, the service's Type (compare with HasType and
// the ErrorType constants), Title, Detail, Items and RequestID as received. A
// 2xx response whose body cannot be decoded gives a *DecodeError. Context and
// transport errors are returned so that errors.Is(err,
// context.DeadlineExceeded) works.
//
// Error strings are safe to log. They never contain a request or response
// body, Detail or an item's detail (which may quote personal data), the API
// key, or personal data. Text from the response appears only when it is
// known: a type that is one of the ErrorType constants, a title among the
// HTTP status texts, a request id that is a UUID, item references made of the
// API's field names (others are counted). A proxy that echoes a request or
// injects log lines changes nothing in them.
//
// # Personal data
//
// SSN, DOB, EIN and IPAddress print, log and marshal as "[REDACTED]" under
// every fmt verb, slog and encoding/json; Reveal returns the value. Because
// json.Marshal never writes the values, JSON of an UnmaskedCustomer or of
// params is no way to keep them: decoding "[REDACTED]" (or a masked value
// such as "***-**-****") into these types fails with a *PlaceholderError
// rather than hand back the placeholder as if it were the SSN.
//
// To store personal data on purpose, copy the values out with Reveal into
// storage you control and protect (encrypted at rest, access-logged), and
// build the types again with NewSSN or ParseSSN (and the like) when you need
// them. Or store only the customer id and read the values again from
// Customers.Unmasked when needed.
//
// # Logging
//
// WithLogger logs one record per attempt: method, path template, status,
// request id (when it is a UUID), attempt and duration. Never bodies, query
// strings or the API key. The level says what happened: Debug for a success;
// Warn for an attempt that will be retried, for a request the service refused
// (a 3xx or a 4xx that is not retried) and for a call whose context deadline
// passed; Error for the last attempt of a call that failed on the service's
// or the network's side (5xx, 408, 429 or an in-progress 409 after the
// retries, a connection error, a success body that broke off, was too large
// or did not decode); Info for a call its caller cancelled.
package straddle
