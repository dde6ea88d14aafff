package straddletest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// The list fixtures: ids in order 1..6, created a day apart from 2026-01-01.
// Customers 1 and 6 have the same name up to case, to exercise the tie-break.
var listSeeds = []struct{ name, typ, email, phone, status, external string }{
	{"Ann Perkins", "individual", "ann@example.com", "+13175550177", "verified", "crm-1"},
	{"april ludgate", "individual", "april@pawnee.gov", "+13175550101", "review", "crm-2"},
	{"Acme Anvils", "business", "billing@acme.example.com", "+15055550100", "pending", "biz-1"},
	{"Ben Wyatt", "individual", "ben@example.com", "+13175550199", "rejected", ""},
	{"Ron Swanson", "individual", "ron@example.com", "+12128675309", "inactive", ""},
	{"ann perkins", "individual", "ann2@example.com", "+13175550178", "verified", ""},
}

func seedID(n int) string { return fmt.Sprintf("0%d000000-0000-7000-8000-000000000000", n) }

func listFixtures(t *testing.T) string {
	t.Helper()
	var out []map[string]any
	for i, s := range listSeeds {
		c := map[string]any{
			"id": seedID(i + 1), "name": s.name, "type": s.typ, "email": s.email, "phone": s.phone,
			"status": s.status, "created_at": fmt.Sprintf("2026-01-0%dT00:00:00Z", i+1),
		}
		if s.external != "" {
			c["external_id"] = s.external
		}
		out = append(out, c)
	}
	raw, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestListFiltersAndSorts(t *testing.T) {
	srv, _ := newEnv(t, straddletest.WithFixtures(strings.NewReader(listFixtures(t))))
	// A lenient client: comma-joined arrays are what the official SDKs send, and
	// what the spec (repeated keys) does not describe.
	c := newClient(t, srv, false)
	ids := func(ns ...int) []string {
		out := []string{}
		for _, n := range ns {
			out = append(out, seedID(n))
		}
		return out
	}
	cases := []struct {
		query string
		want  []string
	}{
		{"", ids(3, 1, 6, 2, 4, 5)},
		{"?sort_by=name&sort_order=asc", ids(3, 1, 6, 2, 4, 5)},
		{"?sort_order=desc", ids(5, 4, 2, 1, 6, 3)},
		{"?sort_by=created_at", ids(1, 2, 3, 4, 5, 6)},
		{"?sort_by=created_at&sort_order=desc", ids(6, 5, 4, 3, 2, 1)},
		{"?status=verified&status=review", ids(1, 6, 2)},
		{"?status=verified,review", ids(1, 6, 2)},
		{"?status=pending,inactive&status=rejected", ids(3, 4, 5)},
		{"?types=business", ids(3)},
		{"?types=individual,business", ids(3, 1, 6, 2, 4, 5)},
		{"?types=individual&status=verified", ids(1, 6)},
		{"?name=ANN", ids(1, 6)},
		{"?name=per", ids(1, 6)},
		{"?name=zzz", ids()},
		{"?email=ben@example.com", ids(4)},
		{"?email=BEN@example.com", ids(4)},
		{"?email=ben", ids()},
		{"?external_id=crm-1", ids(1)},
		{"?external_id=crm", ids()},
		{"?search_text=pawnee", ids(2)},
		{"?search_text=%2B1212", ids(5)},
		{"?search_text=BIZ", ids(3)},
		{"?search_text=wyatt", ids(4)},
		{"?created_from=2026-01-02T00:00:00Z&created_to=2026-01-04T00:00:00Z", ids(3, 2, 4)},
		{"?created_from=2026-01-05T00:00:00.0000000Z", ids(6, 5)},
		{"?created_to=2026-01-01T00:00:00Z", ids(1)},
	}
	for _, tc := range cases {
		got := listIDs(t, c, tc.query)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.query, got, tc.want)
		}
		violations := c.takeViolations()
		if comma := strings.Contains(tc.query, ","); comma != (len(violations) > 0) {
			t.Errorf("%s: client-side violations %v (comma-joined arrays are the only spec break here)", tc.query, violations)
		}
	}
}

type pageMeta struct {
	PageNumber  int    `json:"page_number"`
	PageSize    int    `json:"page_size"`
	MaxPageSize int    `json:"max_page_size"`
	TotalItems  int    `json:"total_items"`
	TotalPages  int    `json:"total_pages"`
	SortBy      string `json:"sort_by"`
	SortOrder   string `json:"sort_order"`
}

func listMeta(t *testing.T, c *client, query string) (pageMeta, []string) {
	t.Helper()
	res := c.do("GET", "/v1/customers"+query, nil).want(t, http.StatusOK)
	var body struct {
		Meta pageMeta `json:"meta"`
	}
	if err := json.Unmarshal(res.body, &body); err != nil {
		t.Fatal(err)
	}
	if rt := res.envelope(t).ResponseType; rt != "array" {
		t.Errorf("response_type %q", rt)
	}
	return body.Meta, listIDs(t, c, query)
}

func TestListPaging(t *testing.T) {
	_, c := newEnv(t, straddletest.WithFixtures(strings.NewReader(listFixtures(t))))
	meta, _ := listMeta(t, c, "")
	if want := (pageMeta{1, 100, 1000, 6, 1, "name", "asc"}); meta != want {
		t.Errorf("default meta %+v, want %+v", meta, want)
	}
	var all []string
	for page := 1; page <= 3; page++ {
		meta, ids := listMeta(t, c, fmt.Sprintf("?page_size=2&page_number=%d&sort_by=created_at&sort_order=desc", page))
		if want := (pageMeta{page, 2, 1000, 6, 3, "created_at", "desc"}); meta != want {
			t.Errorf("page %d meta %+v, want %+v", page, meta, want)
		}
		if len(ids) != 2 {
			t.Errorf("page %d has %d items", page, len(ids))
		}
		all = append(all, ids...)
	}
	if want := []string{seedID(6), seedID(5), seedID(4), seedID(3), seedID(2), seedID(1)}; !slices.Equal(all, want) {
		t.Errorf("pages together %v, want %v", all, want)
	}
	meta, ids := listMeta(t, c, "?page_size=4&page_number=2")
	if meta.TotalPages != 2 || len(ids) != 2 {
		t.Errorf("last partial page: meta %+v, %d items", meta, len(ids))
	}
	meta, ids = listMeta(t, c, "?page_size=4&page_number=9")
	if want := (pageMeta{9, 4, 1000, 6, 2, "name", "asc"}); meta != want || len(ids) != 0 {
		t.Errorf("page past the end: meta %+v, %d items; want %+v and none", meta, len(ids), want)
	}
	meta, _ = listMeta(t, c, "?page_size=1000&status=inactive")
	if meta.TotalItems != 1 || meta.TotalPages != 1 || meta.PageSize != 1000 {
		t.Errorf("filtered meta %+v", meta)
	}
	_, empty := newEnv(t)
	meta, ids = listMeta(t, empty, "")
	if meta.TotalItems != 0 || meta.TotalPages != 0 || len(ids) != 0 {
		t.Errorf("empty account: meta %+v, items %v", meta, ids)
	}
}

// TestListPageSizeLimits: 0 means the default for page_number and page_size
// (generated SDKs send 0 for "not set"); negatives, sizes over 1000 and
// non-numbers get 400, with the spec validation on or off.
func TestListPageSizeLimits(t *testing.T) {
	for _, validate := range []bool{true, false} {
		t.Run(fmt.Sprintf("validation %v", validate), func(t *testing.T) {
			srv, _ := newEnv(t, straddletest.WithValidation(validate))
			c := newClient(t, srv, false)
			c.create(individual(t, "page@example.com"))
			for _, q := range []string{"page_size=1001", "page_size=-1", "page_number=-1", "page_size=abc"} {
				param, _, _ := strings.Cut(q, "=")
				e := c.do("GET", "/v1/customers?"+q, nil).want(t, http.StatusBadRequest).apiError(t)
				if e.Type != "/bad_request" || !slices.Equal(e.references(), []string{param}) {
					t.Errorf("%s: error %+v, want /bad_request naming %s", q, e, param)
				}
				if len(c.takeViolations()) == 0 {
					t.Errorf("%s: the client-side validator accepted it", q)
				}
			}
			strict := newClient(t, srv, true)
			meta, _ := listMeta(t, strict, "?page_size=1000")
			if meta.PageSize != 1000 {
				t.Errorf("page_size 1000 gave %+v", meta)
			}
			meta, ids := listMeta(t, strict, "?page_number=0&page_size=0")
			if meta.PageNumber != 1 || meta.PageSize != 100 || meta.TotalPages != 1 || len(ids) != 1 {
				t.Errorf("page_number=0&page_size=0 gave %+v %v, want the first page of 100", meta, ids)
			}
		})
	}
}

// TestListCreatedBoundsIncludeWhatTheyRead: a customer's created_at as the
// emulator writes it (seven fractional digits) is a bound that includes the
// customer, however precise the clock or the seeded time was.
func TestListCreatedBoundsIncludeWhatTheyRead(t *testing.T) {
	clock := &testClock{now: time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)} // nanoseconds beyond the written 7 digits
	seeded := `[{"id":"01000000-0000-7000-8000-000000000000","name":"Seeded","type":"individual","email":"seed@example.com",` +
		`"phone":"+13175550100","created_at":"2026-02-01T00:00:00.987654321Z"}]`
	_, c := newEnv(t, straddletest.WithClock(clock.Now), straddletest.WithFixtures(strings.NewReader(seeded)))
	created := c.create(individual(t, "exact@example.com"))
	clock.Advance(time.Second)
	for _, tc := range []struct{ id, createdAt string }{
		{created.ID, created.CreatedAt},
		{"01000000-0000-7000-8000-000000000000", c.do("GET", "/v1/customers/01000000-0000-7000-8000-000000000000", nil).want(t, http.StatusOK).customer(t).CreatedAt},
	} {
		for _, bound := range []string{"created_to", "created_from"} {
			for _, sort := range []string{"", "&sort_by=created_at", "&sort_by=created_at&sort_order=desc"} {
				q := "?" + bound + "=" + url.QueryEscape(tc.createdAt) + sort
				if ids := listIDs(t, c, q); !slices.Contains(ids, tc.id) {
					t.Errorf("%s: %v lacks the customer created at %s", q, ids, tc.createdAt)
				}
			}
		}
		q := "?created_from=" + url.QueryEscape(tc.createdAt) + "&created_to=" + url.QueryEscape(tc.createdAt)
		if ids := listIDs(t, c, q); !slices.Equal(ids, []string{tc.id}) {
			t.Errorf("%s: %v, want exactly the customer", q, ids)
		}
	}
}
