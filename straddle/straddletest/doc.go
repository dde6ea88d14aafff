// Package straddletest runs an emulator of the Straddle customers API for
// tests, in the manner of net/http/httptest: a real HTTP server on a loopback
// port that keeps state, holds every request and response to the project's
// OpenAPI spec, and can be told to fail.
//
// NewServer starts one; its URL and APIKey (DefaultAPIKey unless WithAPIKeys
// says otherwise) are all a client needs, and Client returns a ready
// straddle.Client. Nothing is ever sent to Straddle. A test:
//
//	func TestSignUp(t *testing.T) {
//		srv := straddletest.NewServer(straddletest.WithT(t)) // closed when t ends
//		client := srv.Client()
//		ctx := context.Background()
//
//		// The connection drops after the customer was created: the client
//		// retries with the same idempotency key and gets the replayed 201.
//		srv.Inject(straddletest.Fault{Kind: straddletest.FaultDropAfter, Match: straddletest.OpCreateCustomer})
//		c, err := client.Customers.Create(ctx, &straddle.CreateCustomerParams{
//			Name: "Leslie Knope", Type: straddle.CustomerTypeIndividual,
//			Email: "leslie@example.com", Phone: "+13175550142",
//			IPAddress: straddle.NewIPAddress("203.0.113.42"),
//			Individual: &straddle.IndividualIdentity{
//				SSN: straddle.NewSSN("123-45-6789"), DOB: straddle.NewDOB("1975-01-18"),
//			},
//		})
//		if err != nil {
//			t.Fatal(err)
//		}
//		if c.Status != straddle.CustomerStatusVerified {
//			t.Errorf("status %s, want verified", c.Status)
//		}
//		if n := srv.CustomerCount(""); n != 1 {
//			t.Errorf("%d customers, want exactly 1", n)
//		}
//	}
//
// # Behaviour
//
// All nine customer operations work as the service does: create answers 201,
// refresh 202, the rest 200, in the service's envelope ({meta, response_type,
// data}, with a UUID request id and a seven-digit timestamp). Errors use the
// service's error envelope ({meta, response_type: "error", error: {status,
// type, title, detail, items}}): a request that breaks the spec gets 400
// /bad_request with one item per offending field (reference = the field's
// wire name, such as device.ip_address or page_size); a broken business rule
// gets 422 /validation_error. Whether or not validation is on, a request body
// must be application/json (charset=utf-8 if a charset is given, in one
// Content-Type header, as mime.ParseMediaType reads it) and valid UTF-8, JSON
// escapes included (no lone surrogate such as \ud800), nesting no deeper than
// 16 with at most 100 entries in an array or object and 2,000 values in all
// (checked before anything decodes it); query names and values must be valid
// UTF-8 once decoded; and an Idempotency-Key must be 10 to 40 printable ASCII
// characters, sent once. Each gets the 400 naming Content-Type, body, the
// query parameter or Idempotency-Key. A missing or unknown API key gets 401 with an
// empty body and no content type, and two Authorization headers get a 400
// naming Authorization; either way the body is not read.
//
// # Accounts
//
// As on the service, every API key belongs to an account (Server.AccountID),
// and a request acts for that account. A platform's key (WithPlatform) may
// also act for the platform's connected accounts by naming one in
// Straddle-Account-Id. Each account's customers, emails and idempotency keys
// are its own. A Straddle-Account-Id naming any other account, another key's
// or another platform's, gets the service's 403 /forbidden (naming the
// header) on every operation, before the body is read; one that is not a
// single uuid gets 400. Fixtures may seed customers into any account some key
// may act for.
//
// # Seeding and inspection
//
// SeedCustomers adds customers in the client's own type, straddle.UnmaskedCustomer,
// to any account some key may act for, in any status and with the
// created_at and updated_at a test wants; Seed and WithFixtures read the
// same customers from JSON. Customer, UnmaskedCustomer and CustomerReview
// return what the emulator holds as straddle.Customer,
// straddle.UnmaskedCustomer and straddle.CustomerReview, built through the
// very responses the API gives, so they equal what the client reads:
//
//	got, err := srv.SeedCustomers("", straddle.UnmaskedCustomer{
//		Name: "Tom Haverford", Type: straddle.CustomerTypeIndividual,
//		Email: "tom@example.com", Phone: "+13175550150",
//		Status: straddle.CustomerStatusRejected, CreatedAt: lastYear,
//	})
//	...
//	c, _ := srv.Customer("", got[0].ID) // masked, as GET /v1/customers/{id}
//
// # Privacy
//
// Personal data is masked in every response but the unmasked endpoint's (ssn
// ***-**-****, dob ****-**-**, ein **-*******, ip_address **.**.**.**); the
// unmasked endpoint answers 403 when WithUnmasking(false) is set. Error details never quote request values, with
// one exception kept from the service: the duplicate email 422 ("Email '…'
// already exists and must be unique.") names the email.
//
// # Identity outcomes
//
// On create, config.sandbox_outcome verified, review or rejected sets that
// status. With standard (or none), the status follows this deterministic rule:
//
//   - An individual with both ssn and dob is verified, unless the SSN is one
//     never issued (area 000, 666 or 900-999, group 00 or serial 0000), which
//     is rejected.
//   - A business with both ein and legal_business_name is verified, unless the
//     EIN starts with 00, which is rejected.
//   - Anything else (no compliance profile, or part of it null) goes to review.
//
// With config.processing_method background, the 201 shows pending and the
// outcome is there from the next read on (or once the review settles, with
// WithAsyncReviews); with skip, no review is recorded (the review endpoint
// has no identity_details until a refresh).
//
// An update replaces every writable field; optional fields left out are
// cleared. The identity fields are name, email, phone, device, address and
// compliance_profile (not metadata, external_id or status); when more than
// two of them have changed within 24 hours by the server's clock, the
// customer goes to review with a new review, whatever status the update asked
// for, and the count starts again.
//
// A review decision moves a customer in review to verified or rejected; any
// other status gets 422 ("Customers with status Verified cannot be changed.").
// A refresh answers 202 with the customer pending and a new review, which
// completes at once (or once it settles, with WithAsyncReviews): the next
// read shows the outcome of the rules above.
// The review endpoint derives identity_details from the customer's data:
// breakdown modules for individuals (address, email, phone, fraud, synthetic)
// or businesses (address, email, phone, fraud and the three business
// modules), KYC validations of each field, network alerts, watch list and
// reputation, with a decision consistent with the status and scores in [0, 1]
// that are stable for a given review. Each code is one of the Code constants,
// explained in the review's messages.
//
// # Scripted reviews
//
// A test forces a review's outcome, in the client's own types, with
// ScriptReview (the next review that runs, for any customer) or
// ScriptCustomerReview (one customer's completed review, seeded or not, and
// every later one):
//
//	srv.ScriptReview(straddletest.ReviewOutcome{
//		Decision: straddle.RecommendationReject,
//		WatchList: &straddle.WatchList{
//			Decision: straddle.RecommendationReject,
//			Codes:    []string{straddletest.CodeWatchListMatch},
//			Matched:  []string{"OFAC SDN"},
//			Matches: []straddle.WatchListMatch{{ListName: "OFAC SDN", URLs: []string{},
//				MatchFields: []string{"name"}, Correlation: straddle.CorrelationHighConfidence}},
//		},
//	})
//
// The outcome applies when a review runs: on create (not with
// processing_method skip), on refresh_review and on a rescoring update, not
// on seeding. The customer's status follows the decision (accept: verified,
// review: review, reject: rejected), over the data and config.sandbox_outcome,
// and the review endpoint returns every part the script sets exactly as set;
// the rest is derived as above, consistently with the decision. A later
// manual decision changes the status, not the review. An outcome the spec
// does not allow panics at once, naming the field.
//
// The list operation filters by status and types (repeated keys or
// comma-joined values), name (partial, case-insensitive), email and
// external_id (exact), search_text (name, email, phone or external id),
// created_from and created_to (inclusive); sorts by name or created_at either
// way, ties broken by id; and pages with page_number and page_size (at most
// 1000), meta giving the totals. 0 for either means its default (page 1, 100
// a page), as generated SDKs send it; a negative value gets 400. A page past
// the end is empty. Times are kept as they are written (seven fractional
// digits), so a created_at read back is a bound that includes its customer.
// Lists scale to millions of customers: one the indexes serve (every filter
// but name and search_text) holds the account for O(log n + page_size); name
// and search_text read every customer's stored lower-cased text a block of
// 1,024 customers at a time, so no write or read waits for a whole list.
//
// # Idempotency
//
// Writes (POST, PUT, PATCH, DELETE) honour Idempotency-Key as the service
// does, per API key and account: a key of fewer than 10 or more than 40
// characters, or not printable ASCII, gets 400; a retry with the same key,
// method, path and body gets the first response again (status, headers and
// body) plus Idempotent-Replayed: true; the same key with another request gets 409
// "Idempotency key already used for a different request."; the same key while
// the first request runs gets 409 "Previous identical request currently in
// progress.". Keys expire after 24 hours by the server's clock. Each API key
// acting for an account keeps at most 100,000 keys and 64 MiB of their
// responses: beyond either, its own oldest finished keys are forgotten first
// (a retry with one runs again, as after expiry; the logger warns the first
// time), never another's. All together keep at most 400,000 keys and 256 MiB:
// past either, a request with a new key gets 503 with Retry-After. A key
// whose request is still running is never forgotten. A request the spec
// refuses is not stored under its key. A request whose body ends before
// its Content-Length (or last chunk) is never acted on or stored, whatever
// the validation setting: the connection is closed without an answer, and a
// retry of the whole request runs as the first.
//
// # Faults and inspection
//
// Inject makes the next matching requests fail in one of the ways a network or
// the service fails (see FaultKind): an error status (with Retry-After, or an
// HTML body), a reset connection, a connection dropped after the work was
// done, a delay, a truncated body, a 200 that is not JSON, either idempotency
// 409, or a 401. Requests, RequestCount, CustomerCount and ConnectionCount
// tell a test what reached the server and what it did. Operations are named
// by the Operation constants (OpCreateCustomer and the eight others, the
// spec's operationIds) or by method and path template ("POST /v1/customers");
// Inject and RequestCount panic on any other name, so a typo fails the test
// instead of matching nothing. AccountID panics on a key the server does not
// accept, and CustomerCount, Customer, UnmaskedCustomer and CustomerReview on
// an account no key may act for ("" is the account of APIKey). Recorded bodies hold
// the personal data the client sent: do not log them.
//
// # Events and webhooks
//
// Every change raises the events the service would (see Event): a create
// customer.created.v1 and customer.event.v1, an update, a review decision
// and a refresh customer.event.v1, and a background review settling
// customer.event.v1 with its outcome; a delete raises none. Events returns
// them in the order raised, each payload checked against the spec's
// x-webhooks entry like every response. That is the order of the writes,
// except between writes to one customer at once: as with Straddle, whose
// order is best-effort, a receiver must not take the last event it got for
// the customer's state (see Event).
//
// WithWebhook registers an endpoint (a test's httptest.Server running
// straddle/webhook's Handler, say), to which every event is POSTed with
// Standard Webhooks signatures made by the standard's reference library,
// and retried until answered 2xx on the sender's schedule (5 s, 5 min,
// 30 min, 2 h, 5 h, 10 h, 10 h; WithWebhookRetries and ScaleRetries shorten
// it). Deliveries never hold up a request: each endpoint has a bounded queue
// and its own workers. Deliveries shows each attempt, and WaitForDeliveries
// waits for them to finish. InjectWebhook makes deliveries go wrong as they
// do on the way: a duplicate, an event out of order, a bad signature, an
// endpoint that fails n times (see WebhookFaultKind).
//
// By default, background reviews (processing_method background, and every
// refresh_review) settle within the request, as they always have. With
// WithAsyncReviews, the customer stays pending until the test calls Settle
// or SettleCustomer, or a delay passes:
//
//	srv := straddletest.NewServer(straddletest.WithT(t),
//		straddletest.WithWebhook(receiver.URL, secret), straddletest.WithAsyncReviews(0))
//	// create with processing_method background: the customer is pending
//	srv.Settle()                  // now verified, and customer.event.v1 raised
//	srv.WaitForDeliveries(ctx)    // and delivered to the receiver
//
// # Validation
//
// Every request is checked against api/openapi.yaml before it is served, and
// every response of the emulator (not those of injected faults) after it is
// built: with WithT a response that breaks the spec fails the test, without
// it the violation is logged at error level. A panic in the emulator answers
// 500 and is reported the same way. WithValidation(false) turns both checks
// off, for benchmarks.
//
// # Stateless mode
//
// WithStateless(true) answers like a stateless mock, for test suites
// generated for other SDKs that send unrelated requests with one customer id
// and one idempotency key: every request sees the customers as seeded,
// each write is answered and then undone, and idempotency keys are checked
// but not remembered. straddle-mock's -sdk-suite flag sets it up for the
// suites of Straddle's own SDKs (see the README).
//
// The command cmd/straddle-mock serves the same emulator standalone.
package straddletest
