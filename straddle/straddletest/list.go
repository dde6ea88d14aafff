package straddletest

import (
	"cmp"
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

// matches reports whether c passes every filter of the query.
func (lq *listQuery) matches(c *customer) bool {
	switch {
	case len(lq.statuses) > 0 && !slices.Contains(lq.statuses, c.status),
		len(lq.types) > 0 && !slices.Contains(lq.types, c.typ),
		!lq.from.IsZero() && c.createdAt.Before(lq.from),
		!lq.to.IsZero() && c.createdAt.After(lq.to),
		lq.name != "" && !containsFold(c.name, lq.name),
		lq.externalID != "" && (c.externalID == nil || *c.externalID != lq.externalID),
		lq.email != "" && !strings.EqualFold(c.email, lq.email):
		return false
	}
	if lq.search != "" {
		return containsFold(c.name, lq.search) || containsFold(c.email, lq.search) ||
			containsFold(c.phone, lq.search) || (c.externalID != nil && containsFold(*c.externalID, lq.search))
	}
	return true
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// compare orders two customers by the sort field and direction, breaking ties
// by id (ascending) so that pages are stable.
func (lq *listQuery) compare(a, b *customer) int {
	var n int
	if lq.sortBy == "created_at" {
		n = a.createdAt.Compare(b.createdAt)
	} else {
		n = cmp.Compare(strings.ToLower(a.name), strings.ToLower(b.name))
	}
	if lq.order == "desc" {
		n = -n
	}
	if n == 0 {
		n = cmp.Compare(a.id, b.id)
	}
	return n
}

// listCustomers filters, sorts and pages the account's customers. A page past
// the end is empty, with the totals still right.
func (s *Server) listCustomers(c *call) *response {
	lq, e := parseListQuery(c.r.URL.Query())
	if e != nil {
		return s.errorResponse(c, e)
	}
	var hits []*customer
	for _, cust := range s.store.all(c.account) {
		if lq.matches(cust) {
			hits = append(hits, cust)
		}
	}
	slices.SortFunc(hits, lq.compare)
	total := len(hits)
	data := []summaryOut{}
	if start := (lq.page - 1) * lq.size; start < total && start >= 0 {
		for _, cust := range hits[start:min(start+lq.size, total)] {
			data = append(data, summarize(cust))
		}
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
