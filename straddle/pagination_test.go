package straddle

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// listServer answers list requests with pages over total generated
// customers, honouring page_number and page_size (default 100). Pages listed
// in fail get a 500 instead.
func listServer(t *testing.T, total int, fail ...int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		num, size := atoiOr(q.Get("page_number"), 1), atoiOr(q.Get("page_size"), 100)
		if slices.Contains(fail, num) {
			writeJSON(w, 500, respFixture(t, "getCustomer.500.server-error.json"))
			return
		}
		pages := (total + size - 1) / size
		items := []map[string]any{}
		for i := (num - 1) * size; i < min(num*size, total); i++ {
			items = append(items, map[string]any{
				"id":         fmt.Sprintf("019f3b3d-5816-77fb-8a9c-%012d", i),
				"name":       fmt.Sprintf("Customer %d", i),
				"type":       "individual",
				"email":      fmt.Sprintf("c%d@example.com", i),
				"phone":      "+13175550142",
				"status":     "verified",
				"created_at": "2026-07-07T06:21:43.8306543Z",
				"updated_at": "2026-07-07T06:21:44",
			})
		}
		body, _ := json.Marshal(map[string]any{
			"meta": map[string]any{
				"api_request_id":        "019f423e-31ef-71b8-a30e-a1d47b2c4929",
				"api_request_timestamp": "2026-07-08T15:00:00.1111111Z",
				"page_number":           num, "page_size": size, "max_page_size": 1000,
				"total_items": total, "total_pages": pages, "sort_by": "name", "sort_order": "asc",
			},
			"response_type": "array",
			"data":          items,
		})
		writeJSON(w, 200, body)
	}
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

func TestListQuery(t *testing.T) {
	h := newHarness(t, serve(t, 200, "listCustomers.200.page1-of-2.json"))
	from := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 7, 8, 12, 30, 0, 0, time.UTC)
	p := &ListParams{
		PageNumber: 1, PageSize: 2, SortBy: SortByCreatedAt, SortOrder: SortDesc,
		CreatedFrom: from, CreatedTo: to,
		Name: "Ann Perkins", ExternalID: "biz_7781", Email: "a+b@example.com", SearchText: "acme & co",
		Statuses: []CustomerStatus{CustomerStatusPending, CustomerStatusReview},
		Types:    []CustomerType{CustomerTypeIndividual, CustomerTypeBusiness},
	}
	page, err := h.client.Customers.List(context.Background(), p, WithAccountID(testAccountID))
	if err != nil {
		t.Fatal(err)
	}
	r := h.only()
	checkRead(t, r, "/v1/customers")
	if r.Header.Get("Straddle-Account-Id") != testAccountID {
		t.Error("Straddle-Account-Id not sent")
	}
	q, err := url.ParseQuery(r.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{
		"page_number": {"1"}, "page_size": {"2"}, "sort_by": {"created_at"}, "sort_order": {"desc"},
		"created_from": {"2026-07-01T00:00:00Z"}, "created_to": {"2026-07-08T12:30:00Z"},
		"name": {"Ann Perkins"}, "external_id": {"biz_7781"}, "email": {"a+b@example.com"}, "search_text": {"acme & co"},
		"status": {"pending", "review"}, "types": {"individual", "business"},
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("query %v\nwant  %v", q, want)
	}
	if page.Meta != (PageMeta{PageNumber: 1, PageSize: 2, MaxPageSize: 1000, TotalItems: 3, TotalPages: 2,
		SortBy: "name", SortOrder: SortAsc, RequestID: "019f423e-31ef-71b8-a30e-a1d47b2c4929"}) {
		t.Errorf("meta %+v", page.Meta)
	}
	if len(page.Customers) != 2 || page.Customers[0].Name != "Acme Anvils" || page.Customers[1].ExternalID != "" {
		t.Errorf("customers %+v", page.Customers)
	}
	if !page.HasNext() {
		t.Error("page 1 of 2 has no next")
	}
}

func TestListDefaults(t *testing.T) {
	h := newHarness(t, serve(t, 200, "listCustomers.200.empty.json"))
	page, err := h.client.Customers.List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if q := h.only().RawQuery; q != "" {
		t.Errorf("nil params sent query %q", q)
	}
	if page.Customers == nil || len(page.Customers) != 0 || page.HasNext() {
		t.Errorf("empty page %+v", page)
	}
}

func TestAll(t *testing.T) {
	tests := []struct {
		name      string
		total     int
		params    *ListParams
		fail      []int
		stopAfter int // break after this many customers; 0 to run to the end
		wantIDs   int
		wantPages []string // page_number of each request
		wantErr   bool
	}{
		{name: "empty", total: 0, wantPages: []string{"1"}},
		{name: "nil params, one page", total: 3, wantIDs: 3, wantPages: []string{"1"}},
		{name: "exactly full pages", total: 4, params: &ListParams{PageSize: 2}, wantIDs: 4, wantPages: []string{"1", "2"}},
		{name: "partial last page", total: 5, params: &ListParams{PageSize: 2}, wantIDs: 5, wantPages: []string{"1", "2", "3"}},
		{name: "starts at the page asked", total: 5, params: &ListParams{PageSize: 2, PageNumber: 2}, wantIDs: 3, wantPages: []string{"2", "3"}},
		{name: "error in the middle", total: 5, params: &ListParams{PageSize: 2}, fail: []int{2}, wantIDs: 2, wantPages: []string{"1", "2"}, wantErr: true},
		{name: "error on the first page", total: 5, params: &ListParams{PageSize: 2}, fail: []int{1}, wantPages: []string{"1"}, wantErr: true},
		{name: "break early", total: 5, params: &ListParams{PageSize: 2}, stopAfter: 1, wantIDs: 1, wantPages: []string{"1"}},
		{name: "break at a page end", total: 5, params: &ListParams{PageSize: 2}, stopAfter: 2, wantIDs: 2, wantPages: []string{"1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, listServer(t, tt.total, tt.fail...), WithMaxRetries(0))
			var ids []string
			var errs []error
			for c, err := range h.client.Customers.All(context.Background(), tt.params) {
				if err != nil {
					if c != nil {
						t.Error("an error came with a customer")
					}
					errs = append(errs, err)
					continue
				}
				ids = append(ids, c.ID)
				if tt.stopAfter > 0 && len(ids) == tt.stopAfter {
					break
				}
			}
			if len(ids) != tt.wantIDs {
				t.Errorf("got %d customers, want %d", len(ids), tt.wantIDs)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
				t.Errorf("customers repeated: %v", ids)
			}
			if tt.wantErr != (len(errs) == 1) || len(errs) > 1 {
				t.Errorf("errors %v, want one: %v", errs, tt.wantErr)
			}
			if tt.wantErr && len(errs) == 1 {
				var e *Error
				if !errors.As(errs[0], &e) || e.StatusCode != 500 {
					t.Errorf("err = %v, want a 500 *Error", errs[0])
				}
			}
			var pages []string
			for _, r := range h.reqs() {
				pages = append(pages, url.Values(mustQuery(t, r.RawQuery)).Get("page_number"))
			}
			if !slices.Equal(pages, tt.wantPages) {
				t.Errorf("requested pages %v, want %v", pages, tt.wantPages)
			}
		})
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestAllKeepsFiltersAndLeavesParamsAlone(t *testing.T) {
	h := newHarness(t, listServer(t, 5))
	p := &ListParams{
		PageSize: 2, SortBy: SortByName, Email: "x@example.com",
		Statuses: []CustomerStatus{CustomerStatusVerified, CustomerStatusReview},
		Types:    []CustomerType{CustomerTypeIndividual},
	}
	snapshot := *p
	snapshot.Statuses = slices.Clone(p.Statuses)
	snapshot.Types = slices.Clone(p.Types)
	seq := h.client.Customers.All(context.Background(), p, WithCorrelationID("walk-1"))
	// Changing the params after All must not change the walk.
	p.Statuses[0] = CustomerStatusRejected
	p.Email = "other@example.com"
	n := 0
	for _, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 5 {
		t.Errorf("got %d customers, want 5", n)
	}
	for i, r := range h.reqs() {
		q := mustQuery(t, r.RawQuery)
		if q.Get("page_number") != strconv.Itoa(i+1) || q.Get("page_size") != "2" || q.Get("email") != "x@example.com" ||
			!slices.Equal(q["status"], []string{"verified", "review"}) || !slices.Equal(q["types"], []string{"individual"}) {
			t.Errorf("request %d query %s lost the filters", i+1, r.RawQuery)
		}
		if r.Header.Get("Correlation-Id") != "walk-1" {
			t.Errorf("request %d lost the request options", i+1)
		}
	}
	p.Statuses[0] = CustomerStatusVerified
	p.Email = "x@example.com"
	if !reflect.DeepEqual(*p, snapshot) {
		t.Errorf("params changed: %+v, want %+v", *p, snapshot)
	}
}

func TestAllKeepsContext(t *testing.T) {
	h := newHarness(t, listServer(t, 5))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errs []error
	n := 0
	for _, err := range h.client.Customers.All(ctx, &ListParams{PageSize: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		n++
		cancel() // the next page must not be fetched
	}
	if n != 2 || len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("got %d customers and errors %v; want 2 and one context.Canceled", n, errs)
	}
	if len(h.reqs()) != 1 {
		t.Errorf("%d requests after cancel, want 1", len(h.reqs()))
	}
}

func TestAllValidatesFirst(t *testing.T) {
	h := newHarness(t, listServer(t, 5))
	for _, err := range h.client.Customers.All(context.Background(), &ListParams{PageSize: -1}) {
		if !IsLocalValidation(err) {
			t.Errorf("err = %v, want a local validation error", err)
		}
	}
	if len(h.reqs()) != 0 {
		t.Error("a request was sent")
	}
}

// hostilePage describes the answer of a hostile list server to a request
// for page asked: the page number its meta claims, total_pages, and the
// customers (by index) it holds.
type hostilePage func(asked int) (number, totalPages int, items []int)

// hostileListServer answers list requests as page describes, with
// total_items of totalItems (twice total_pages when 0), and cancels the walk
// (through cancel) once it has answered more than a walk may ask, so that a
// client that pages forever fails the test instead of hanging it.
func hostileListServer(t *testing.T, page hostilePage, totalItems int, cancel func()) (http.HandlerFunc, func() int) {
	var mu sync.Mutex
	requests := 0
	return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			requests++
			if requests > 50 {
				cancel()
			}
			mu.Unlock()
			number, total, idx := page(atoiOr(r.URL.Query().Get("page_number"), 1))
			items := []map[string]any{}
			for _, i := range idx {
				items = append(items, map[string]any{
					"id": fmt.Sprintf("019f3b3d-5816-77fb-8a9c-%012d", i), "name": fmt.Sprintf("Customer %d", i),
					"type": "individual", "email": fmt.Sprintf("c%d@example.com", i), "phone": "+13175550142",
					"status": "verified", "created_at": "2026-07-07T06:21:43.8306543Z", "updated_at": "2026-07-07T06:21:44",
				})
			}
			body, _ := json.Marshal(map[string]any{
				"meta": map[string]any{
					"api_request_id": "019f423e-31ef-71b8-a30e-a1d47b2c4929", "api_request_timestamp": "2026-07-08T15:00:00.1111111Z",
					"page_number": number, "page_size": 2, "max_page_size": 1000,
					"total_items": cmp.Or(totalItems, total*2), "total_pages": total, "sort_by": "name", "sort_order": "asc",
				},
				"response_type": "array",
				"data":          items,
			})
			writeJSON(w, 200, body)
		}, func() int {
			mu.Lock()
			defer mu.Unlock()
			return requests
		}
}

// TestAllStopsOnHostilePages: a server that answers empty pages under a huge
// total_pages, ignores page_number, repeats a page, promises one more page
// with every page, or cycles through pages that never repeat the one before
// cannot make All ask for pages forever; the walk ends after a bounded number
// of requests (at most total_items over the page size), with a *PagingError
// where the server broke the paging contract. On main the two cycles under
// total_items 3 and total_pages 5,000 cost 5,000 and 3,000 requests.
func TestAllStopsOnHostilePages(t *testing.T) {
	pair := func(n int) []int { return []int{2*n - 2, 2*n - 1} }
	tests := []struct {
		name     string
		page     hostilePage
		items    int // total_items; 0 for twice total_pages
		start    int
		wantIDs  int
		requests int
		wantErr  *PagingError
	}{
		{name: "empty pages under a million total_pages", page: func(n int) (int, int, []int) { return n, 1_000_000, nil },
			requests: 1},
		{name: "an empty page after full ones", page: func(n int) (int, int, []int) {
			if n > 2 {
				return n, 1_000_000, nil
			}
			return n, 1_000_000, pair(n)
		}, wantIDs: 4, requests: 3},
		{name: "page_number ignored", page: func(int) (int, int, []int) { return 1, 50, pair(1) },
			wantIDs: 2, requests: 2, wantErr: &PagingError{Asked: 2, Got: 1}},
		{name: "the first page answered as another", page: func(int) (int, int, []int) { return 7, 50, pair(7) },
			start: 3, wantIDs: 2, requests: 2, wantErr: &PagingError{Asked: 4, Got: 7}},
		{name: "the same page again", page: func(n int) (int, int, []int) { return n, 50, pair(1) },
			wantIDs: 2, requests: 2, wantErr: &PagingError{Asked: 2, Got: 2, Repeated: true}},
		{name: "one more page promised by every page", page: func(n int) (int, int, []int) { return n, n + 1, pair(n) },
			wantIDs: 4, requests: 2},
		{name: "a promise grown tenfold after the first page", page: func(n int) (int, int, []int) {
			if n == 1 {
				return n, 3, pair(n)
			}
			return n, 30, pair(n)
		}, wantIDs: 6, requests: 3},
		{name: "a promise that shrinks", page: func(n int) (int, int, []int) {
			if n == 1 {
				return n, 5, pair(n)
			}
			return n, 2, pair(n)
		}, wantIDs: 4, requests: 2},
		{name: "a full page and a short one in turn", page: func(n int) (int, int, []int) {
			if n%2 == 1 {
				return n, 5000, []int{0, 1}
			}
			return n, 5000, []int{2}
		}, items: 3, wantIDs: 3, requests: 2},
		{name: "two full pages in turn", page: func(n int) (int, int, []int) {
			if n%2 == 1 {
				return n, 5000, []int{0, 1}
			}
			return n, 5000, []int{1, 0}
		}, items: 3, wantIDs: 2, requests: 2, wantErr: &PagingError{Asked: 2, Got: 2, Overrun: true}},
		{name: "full pages of new customers past total_items", page: func(n int) (int, int, []int) { return n, 5000, pair(n) },
			items: 3, wantIDs: 2, requests: 2, wantErr: &PagingError{Asked: 2, Got: 2, Overrun: true}},
		{name: "full pages of new customers under a small total_pages", page: func(n int) (int, int, []int) { return n, 3, pair(n) },
			items: 5000, wantIDs: 6, requests: 3},
		{name: "a short page under a large total", page: func(n int) (int, int, []int) { return n, 5000, []int{n} },
			items: 10000, wantIDs: 1, requests: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			handler, requests := hostileListServer(t, tt.page, tt.items, cancel)
			h := newHarness(t, handler, WithMaxRetries(0))
			var ids []string
			var errs []error
			for c, err := range h.client.Customers.All(ctx, &ListParams{PageSize: 2, PageNumber: tt.start}) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				ids = append(ids, c.ID)
			}
			if requests() != tt.requests || len(ids) != tt.wantIDs {
				t.Errorf("%d requests, %d customers; want %d and %d", requests(), len(ids), tt.requests, tt.wantIDs)
			}
			if tt.wantErr == nil {
				if len(errs) != 0 {
					t.Errorf("errors %v, want none", errs)
				}
				return
			}
			var pe *PagingError
			if len(errs) != 1 || !errors.As(errs[0], &pe) {
				t.Fatalf("errors %v, want one *PagingError", errs)
			}
			want := *tt.wantErr
			want.RequestID = "019f423e-31ef-71b8-a30e-a1d47b2c4929"
			if *pe != want {
				t.Errorf("%+v, want %+v", *pe, want)
			}
			if msg := pe.Error(); !strings.Contains(msg, "page "+strconv.Itoa(want.Asked)) || !strings.Contains(msg, "paging stops") {
				t.Errorf("Error() = %q", msg)
			}
			if msg := pe.Error(); want.Got != want.Asked && strings.Contains(msg, strconv.Itoa(want.Got)) {
				t.Errorf("Error() = %q shows the page number the server chose", msg)
			}
		})
	}
}

// TestNextWalksLikeAll: Next continues a List with its filters and options,
// ends with nil after the last page, and stops on the same hostile pages
// All does.
func TestNextWalksLikeAll(t *testing.T) {
	h := newHarness(t, listServer(t, 5))
	p := &ListParams{PageSize: 2, Email: "x@example.com", Statuses: []CustomerStatus{CustomerStatusVerified}}
	page, err := h.client.Customers.List(context.Background(), p, WithCorrelationID("walk-2"))
	if err != nil {
		t.Fatal(err)
	}
	p.Email, p.Statuses[0] = "other@example.com", CustomerStatusRejected // must not change the walk
	var ids []string
	pages := 0
	for ; err == nil && page != nil; page, err = page.Next(context.Background()) {
		pages++
		for _, c := range page.Customers {
			ids = append(ids, c.ID)
		}
	}
	if err != nil || pages != 3 || len(ids) != 5 || len(slices.Compact(slices.Sorted(slices.Values(ids)))) != 5 {
		t.Errorf("%d pages, customers %v, err %v; want 3 pages of 5 distinct customers", pages, ids, err)
	}
	for i, r := range h.reqs() {
		q := mustQuery(t, r.RawQuery)
		if q.Get("email") != "x@example.com" || !slices.Equal(q["status"], []string{"verified"}) || q.Get("page_size") != "2" ||
			r.Header.Get("Correlation-Id") != "walk-2" {
			t.Errorf("request %d (%s) lost the filters or options", i+1, r.RawQuery)
		}
		if want := strconv.Itoa(i + 1); i > 0 && q.Get("page_number") != want {
			t.Errorf("request %d asked for page %s, want %s", i+1, q.Get("page_number"), want)
		}
	}

	// A page starting from page 2 continues from there.
	h = newHarness(t, listServer(t, 5))
	page, err = h.client.Customers.List(context.Background(), &ListParams{PageSize: 2, PageNumber: 2})
	if err != nil {
		t.Fatal(err)
	}
	if next, err := page.Next(context.Background()); err != nil || next == nil || next.Meta.PageNumber != 3 || next.HasNext() {
		t.Fatalf("Next from page 2: %+v, %v", next, err)
	}

	// A hostile server that ignores page_number.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	handler, _ := hostileListServer(t, func(int) (int, int, []int) { return 1, 50, []int{0, 1} }, 0, cancel)
	h = newHarness(t, handler)
	page, err = h.client.Customers.List(ctx, &ListParams{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	var pe *PagingError
	if next, err := page.Next(ctx); next != nil || !errors.As(err, &pe) || pe.Asked != 2 || pe.Got != 1 {
		t.Errorf("Next on a server ignoring page_number: %v, %v", next, err)
	}

	// A page that did not come from List has no list to continue.
	orphan := &CustomerPage{Customers: []CustomerSummary{{ID: knopeID}}, Meta: PageMeta{PageNumber: 1, TotalPages: 2}}
	if next, err := orphan.Next(context.Background()); next != nil || err == nil {
		t.Errorf("Next on a page not from List: %v, %v", next, err)
	}
}
