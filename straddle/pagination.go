package straddle

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"slices"
	"strconv"

	"github.com/straddlekit/straddle-go/gen"
)

// CustomerPage is one page of a customer list, with where it sits in the
// whole result. Next fetches the page after it.
type CustomerPage struct {
	Customers []CustomerSummary
	Meta      PageMeta

	// number is the page number asked for. The walk's first page fixes the
	// rest: size is its page size, total its total_items, and bound the last
	// page, the smaller of its total_pages and total_items over size. fetch
	// asks for another page of the same list. A page not made by List or
	// Next has none of them. fetch is a function so that printing a page
	// shows only its address, never the filters it holds (an email, a name).
	number, bound, size, total int
	fetch                      func(ctx context.Context, number int) (*CustomerPage, error)
}

// PageMeta describes a page: its number and size, and the totals across
// all pages.
type PageMeta struct {
	PageNumber  int       `json:"page_number"`   // from 1
	PageSize    int       `json:"page_size"`     // items per page asked for
	MaxPageSize int       `json:"max_page_size"` // the largest page size allowed
	TotalItems  int       `json:"total_items"`   // items across all pages
	TotalPages  int       `json:"total_pages"`   // pages in all
	SortBy      string    `json:"sort_by"`
	SortOrder   SortOrder `json:"sort_order"`
	RequestID   string    `json:"api_request_id"` // Straddle's id for the request
}

// PagingError reports a list page that breaks the paging contract, which
// would make a walk (All, Next) ask for pages forever or yield customers
// twice: its meta.page_number is not the page asked for (the server ignores
// page_number), it holds exactly the customers of the page before it, or it
// brings the walk past the total_items of its first page. The walk stops
// there.
type PagingError struct {
	// Asked is the page number asked for; Got is meta.page_number of the answer.
	Asked, Got int
	// Repeated is true when the page repeats the one before it.
	Repeated bool
	// Overrun is true when the page holds more customers than total_items
	// leaves room for.
	Overrun bool
	// RequestID is Straddle's id for the request of the page.
	RequestID string
}

// Error names the page asked for, and no number from the answer, which the
// server chose: those are on the fields.
func (e *PagingError) Error() string {
	msg := "straddle: list page " + strconv.Itoa(e.Asked)
	switch {
	case e.Repeated:
		msg += " repeats the page before it"
	case e.Overrun:
		msg += " holds more customers than the list's total_items"
	default:
		msg += " was answered as another page"
	}
	return msg + ": the listing does not advance, so paging stops"
}

// errNotFromList is Next's error for a page that List did not make.
var errNotFromList = errors.New("straddle: Next: the page did not come from List, so there is no list to continue")

// asked is the page number asked for, or meta's for a page not from List.
func (p *CustomerPage) asked() int {
	if p.fetch == nil {
		return p.Meta.PageNumber
	}
	return p.number
}

// HasNext reports whether pages follow this one, and so whether Next fetches
// one: the page is full, and it is before the last page by its meta and by
// the first page of the walk (the smaller of its total_pages and its
// total_items over its page size: customers added while paging do not extend
// the walk). An empty or short page ends the list, whatever its meta.
func (p *CustomerPage) HasNext() bool {
	n := p.asked()
	if len(p.Customers) == 0 || n >= p.Meta.TotalPages {
		return false
	}
	return p.fetch == nil || (n < p.bound && len(p.Customers) >= p.size)
}

// Next fetches the page after p, with the filters and request options of the
// List call that started the walk, and returns it; after the last page (when
// HasNext is false) it returns nil and no error. A page that does not
// advance is a *PagingError.
//
//	page, err := client.Customers.List(ctx, p)
//	for ; err == nil && page != nil; page, err = page.Next(ctx) {
//		for _, c := range page.Customers {
//			fmt.Println(c.ID, c.Name)
//		}
//	}
//	if err != nil {
//		return err
//	}
func (p *CustomerPage) Next(ctx context.Context) (*CustomerPage, error) {
	if !p.HasNext() {
		return nil, nil
	}
	if p.fetch == nil {
		return nil, errNotFromList
	}
	next, err := p.fetch(ctx, p.number+1)
	if err != nil {
		return nil, err
	}
	next.bound, next.size, next.total = p.bound, p.size, p.total
	var repeated, overrun bool
	switch {
	case next.Meta.PageNumber != next.number:
	case len(next.Customers) > 0 && slices.EqualFunc(next.Customers, p.Customers, func(a, b CustomerSummary) bool { return a.ID == b.ID }):
		repeated = true
	case len(next.Customers) > max(p.total, next.Meta.TotalItems)-(next.number-1)*p.size:
		// The pages before this one were full (a short one ends the walk),
		// so this one would take the walk past total_items: customers
		// repeated or made up. The larger total allows for customers added
		// since the first page.
		overrun = true
	default:
		return next, nil
	}
	return nil, &PagingError{Asked: next.number, Got: next.Meta.PageNumber, Repeated: repeated, Overrun: overrun, RequestID: next.Meta.RequestID}
}

// List returns one page of customer summaries, filtered, searched and
// sorted by p (nil for the first page with the service's defaults). Next
// fetches the page after it; All iterates over every customer across pages.
func (s *CustomersService) List(ctx context.Context, p *ListParams, opts ...RequestOption) (*CustomerPage, error) {
	var params ListParams
	if p != nil {
		params = *p
		params.Statuses = slices.Clone(p.Statuses)
		params.Types = slices.Clone(p.Types)
	}
	page, err := s.list(ctx, &params, slices.Clone(opts))
	if err != nil {
		return nil, err
	}
	return page, nil
}

// list fetches the page p asks for; p and opts become the page's own.
func (s *CustomersService) list(ctx context.Context, p *ListParams, opts []RequestOption) (*CustomerPage, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	query := p.toGen()
	page := &CustomerPage{Customers: make([]CustomerSummary, 0, pageRoom(p))}
	err := s.client.call(ctx, opListCustomers, opts, func(ctx context.Context, ed gen.RequestEditorFn) (*http.Response, error) {
		return s.client.gen.ListCustomers(ctx, &query, ed)
	}, &page.Customers, &page.Meta)
	if err != nil {
		return nil, err
	}
	page.number = max(p.PageNumber, 1)
	page.size = max(page.Meta.PageSize, len(page.Customers))
	page.total = max(page.Meta.TotalItems, 0)
	page.bound = page.Meta.TotalPages
	if page.size > 0 {
		page.bound = min(page.bound, page.total/page.size+min(page.total%page.size, 1))
	}
	params := *p
	page.fetch = func(ctx context.Context, number int) (*CustomerPage, error) {
		q := params
		q.PageNumber = number
		return s.list(ctx, &q, opts)
	}
	return page, nil
}

// All iterates over every customer matching p, page after page, starting at
// p.PageNumber (or the first page). Pages are fetched lazily, with ctx, p's
// filters and opts, as the loop reaches them, and only one is held at a
// time. Fetching stops when the loop breaks, after an empty or short page
// (fewer customers than the page size), or after the last page, which the
// first page fixes for the whole walk by the smaller of its total_pages and
// its total_items over its page size: customers added while paging cannot
// make it longer. A page that does not advance (answered as another page
// number, repeating the page before it, or holding more customers than
// total_items leaves room for) is a *PagingError. An error ends the
// iteration: it is yielded once, with a nil customer. p is not modified.
//
//	for c, err := range client.Customers.All(ctx, &straddle.ListParams{Statuses: []straddle.CustomerStatus{straddle.CustomerStatusReview}}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(c.ID, c.Name)
//	}
func (s *CustomersService) All(ctx context.Context, p *ListParams, opts ...RequestOption) iter.Seq2[*CustomerSummary, error] {
	var params ListParams
	if p != nil {
		params = *p
		params.Statuses = slices.Clone(p.Statuses)
		params.Types = slices.Clone(p.Types)
	}
	opts = slices.Clone(opts)
	return func(yield func(*CustomerSummary, error) bool) {
		q := params // each run of the iterator starts afresh
		if q.PageNumber == 0 {
			q.PageNumber = 1
		}
		page, err := s.list(ctx, &q, opts)
		for err == nil && page != nil {
			for i := range page.Customers {
				if !yield(&page.Customers[i], nil) {
					return
				}
			}
			page, err = page.Next(ctx)
		}
		if err != nil {
			yield(nil, err)
		}
	}
}
