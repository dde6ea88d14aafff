package straddle

import (
	"context"
	"iter"
	"net/http"
	"slices"

	"github.com/straddlekit/straddle-go/gen"
)

// CustomerPage is one page of a customer list, with where it sits in the
// whole result.
type CustomerPage struct {
	Customers []CustomerSummary
	Meta      PageMeta
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

// HasNext reports whether pages follow this one.
func (p *CustomerPage) HasNext() bool {
	return p.Meta.PageNumber < p.Meta.TotalPages
}

// List returns one page of customer summaries, filtered, searched and
// sorted by p (nil for the first page with the service's defaults). For
// every customer across pages, use All.
func (s *CustomersService) List(ctx context.Context, p *ListParams, opts ...RequestOption) (*CustomerPage, error) {
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
	return page, nil
}

// All iterates over every customer matching p, page after page, starting at
// p.PageNumber (or the first page). Pages are fetched lazily, with ctx, p's
// filters and opts, as the loop reaches them; fetching stops after the last
// page (meta.total_pages) or when the loop breaks. An error ends the
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
	return func(yield func(*CustomerSummary, error) bool) {
		q := params
		if q.PageNumber == 0 {
			q.PageNumber = 1
		}
		for {
			page, err := s.List(ctx, &q, opts...)
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range page.Customers {
				if !yield(&page.Customers[i], nil) {
					return
				}
			}
			if q.PageNumber >= page.Meta.TotalPages {
				return
			}
			q.PageNumber++
		}
	}
}
