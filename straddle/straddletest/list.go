package straddletest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Paging limits of the list operation.
const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

// listQuery is a parsed list request.
type listQuery struct {
	page, size       int
	sortBy, order    string
	from, to         time.Time
	name, externalID string
	email, search    string
	statuses, types  []string
}

// parseListQuery reads the list parameters, refusing bad values with the 400
// that names each parameter (spec validation, when on, has refused them already).
func parseListQuery(q url.Values) (*listQuery, *apiError) {
	lq := &listQuery{page: 1, size: defaultPageSize, sortBy: "name", order: "asc",
		name: q.Get("name"), externalID: q.Get("external_id"), email: q.Get("email"), search: q.Get("search_text"),
		statuses: q["status"], types: q["types"]}
	var items []errorItem
	// 0 means the parameter's default, as if it were not given (generated
	// clients send page_number=0 and page_size=0 for "not set").
	intParam := func(key string, dst *int, hi int) {
		if !q.Has(key) {
			return
		}
		n, err := strconv.Atoi(q.Get(key))
		switch {
		case err != nil:
			items = append(items, item(key, "The value could not be parsed."))
		case n < 0 || n > hi:
			items = append(items, item(key, "must be between 0 (the default) and "+strconv.Itoa(hi)+"."))
		case n > 0:
			*dst = n
		}
	}
	intParam("page_number", &lq.page, 1<<31-1)
	intParam("page_size", &lq.size, maxPageSize)
	enumParam := func(key string, dst *string, allowed ...string) {
		if v := q.Get(key); q.Has(key) {
			if !slices.Contains(allowed, v) {
				items = append(items, item(key, "must be one of: "+strings.Join(allowed, ", ")+"."))
				return
			}
			*dst = v
		}
	}
	enumParam("sort_by", &lq.sortBy, "name", "created_at")
	enumParam("sort_order", &lq.order, "asc", "desc")
	timeParam := func(key string, dst *time.Time) {
		if v := q.Get(key); q.Has(key) {
			t, ok := parseTime(v)
			if !ok {
				items = append(items, item(key, "must be a valid date-time."))
				return
			}
			*dst = t
		}
	}
	timeParam("created_from", &lq.from)
	timeParam("created_to", &lq.to)
	for _, st := range lq.statuses {
		if !slices.Contains([]string{statusPending, statusReview, statusVerified, statusInactive, statusRejected}, st) {
			items = append(items, item("status", "must be one of: pending, review, verified, inactive, rejected."))
			break
		}
	}
	for _, t := range lq.types {
		if t != typeIndividual && t != typeBusiness {
			items = append(items, item("types", "must be one of: individual, business."))
			break
		}
	}
	if len(items) > 0 {
		return nil, badRequest(items...)
	}
	return lq, nil
}

// listCustomers filters, sorts and pages the account's customers (see listplan.go). A page past
// the end is empty, with the totals still right.
func (s *Server) listCustomers(c *call) *response {
	lq, e := parseListQuery(c.r.URL.Query())
	if e != nil {
		return s.errorResponse(c, e)
	}
	res := s.store.list(c.account, lq)
	total := res.total
	data := make([]summaryOut, 0, len(res.page))
	for _, cust := range res.page {
		data = append(data, summarize(cust))
	}
	return jsonResponse(http.StatusOK, envelope{
		Meta: pageMeta{
			meta:       s.newMeta(c.now),
			PageNumber: lq.page, PageSize: lq.size, MaxPageSize: maxPageSize,
			TotalItems: total, TotalPages: (total + lq.size - 1) / lq.size,
			SortBy: lq.sortBy, SortOrder: lq.order,
		},
		ResponseType: "array",
		Data:         data,
	})
}
