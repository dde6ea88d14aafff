package straddletest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests that the cost of a list the indexes serve does not grow with the
// store, by counting (work and allocations, never time), and that lists which
// must read every customer let writers in between chunks.

// syntheticServer returns an unstarted server holding customers 0..n-1 of the
// synthetic population (export_test.go).
func syntheticServer(t testing.TB, n int) *Server {
	s := NewUnstartedServer(WithValidation(false))
	LoadSynthetic(s, 0, n)
	return s
}

// indexedLists are the lists an index serves: their cost is O(log n + page).
func indexedLists(n int) []string {
	from, to := Synthetic(n*4/10).CreatedAt.Format(time.RFC3339), Synthetic(n*5/10).CreatedAt.Format(time.RFC3339)
	return []string{
		"",
		"page_number=" + fmt.Sprint(n/100),
		"sort_order=desc",
		"sort_by=created_at",
		"sort_by=created_at&sort_order=desc&page_number=" + fmt.Sprint(n/100),
		"status=review",
		"status=pending&status=rejected&page_number=" + fmt.Sprint(n/100/5),
		"types=business&page_number=2",
		"status=review&types=individual&sort_order=desc",
		"sort_by=created_at&created_from=" + from + "&created_to=" + to,
		"sort_by=created_at&sort_order=desc&created_from=" + from,
		"email=" + url.QueryEscape(Synthetic(n/3).Email),
		"external_id=" + Synthetic(n/3*2).ExternalID,
	}
}

// listCost runs the list q (page size 100) on s: its result, as the store
// answers it, and the allocations of the request through the handler.
func listCost(t *testing.T, s *Server, q string) (listResult, float64) {
	t.Helper()
	lq, e := parseListQuery(mustQuery(t, q+"&page_size=100"))
	if e != nil {
		t.Fatal(e)
	}
	res := s.store.list(s.accounts[s.APIKey()], lq)
	req := httptest.NewRequest(http.MethodGet, "/v1/customers?page_size=100&"+q, nil)
	req.Header.Set("Authorization", "Bearer "+s.APIKey())
	allocs := testing.AllocsPerRun(5, func() {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%q: %d %s", q, rec.Code, rec.Body)
		}
	})
	return res, allocs
}

// allocSlack is how many allocations more a request may make in a large
// store than in a small one: n, or five times n under the race detector, with
// which sync.Pool drops items at random (so that the encoders' buffers are
// allocated anew now and then). A cost per customer is thousands.
func allocSlack(n float64) float64 {
	if raceEnabled {
		return 5 * n
	}
	return n
}

// treeShape is the height of s's name index, the children of its root and
// its leaves.
func treeShape(s *Server) (height, rootChildren, leaves int) {
	t := s.store.lookup(s.accounts[s.APIKey()]).trees[sortByName]
	if t.height == 0 {
		return 0, 0, 1
	}
	var count func(x *innerNode, level int) int
	count = func(x *innerNode, level int) int {
		if level == 1 {
			return x.n
		}
		n := 0
		for _, y := range x.inners[:x.n] {
			n += count(y, level-1)
		}
		return n
	}
	return t.height, t.root.n, count(t.root, t.height)
}

// indexAllowance is the work an index walk may do in the large store beyond
// what it does in the small one: the children of one more inner node for
// each level more, those of the large root, and one leaf's entries more
// (where a page starts in a leaf, and so how many entries of other classes
// or of a group of ties a walk passes, differs). The large store must have
// enough leaves that a walk past every leaf exceeds it twice over, or the
// test could not catch one.
func indexAllowance(t *testing.T, small, large *Server) int {
	hs, _, _ := treeShape(small)
	hl, root, leaves := treeShape(large)
	allowance := (hl-hs)*innerCap + root + leafCap
	t.Logf("%d leaves, allowance %d", leaves, allowance)
	if leaves < 2*allowance {
		t.Fatalf("the large store has %d leaves, too few to tell a walk of every leaf from the allowance of %d", leaves, allowance)
	}
	return allowance
}

// largeStore is the store of the list cost tests, which only read it, loaded
// once: it is not scaled down under the race detector, since it must have
// enough leaves for indexAllowance.
var largeStore = sync.OnceValue(func() *Server { return syntheticServer(nil, 60_000) })

func TestIndexedListCostDoesNotGrowWithTheStore(t *testing.T) {
	small, large := 1_000, 60_000
	stores := map[int]*Server{small: syntheticServer(t, small), large: largeStore()}
	allowance := indexAllowance(t, stores[small], stores[large])
	lists := map[int][]string{small: indexedLists(small), large: indexedLists(large)}
	for i := range lists[small] {
		s, sAllocs := listCost(t, stores[small], lists[small][i])
		l, lAllocs := listCost(t, stores[large], lists[large][i])
		if len(s.page) == 0 || len(l.page) == 0 {
			t.Fatalf("%q: an empty page", lists[small][i])
		}
		if l.work > s.work+allowance || lAllocs > sAllocs+allocSlack(20) {
			t.Errorf("list %q: work %d and %.0f allocations at %d customers, %d and %.0f at %d (allowance %d)",
				lists[small][i], l.work, lAllocs, large, s.work, sAllocs, small, allowance)
		}
	}
}

// TestScanAndRangeListCost covers the lists no single index serves: the
// substring filters, which read every row's stored text, must allocate no
// more in a large store (lower-casing each customer's fields per request
// would cost an allocation a row) and look at no row their needle is not in;
// a created_at range in name order, page 1 and the last, walks the name index
// for O(page / share of the store in range), whatever the store's size.
func TestScanAndRangeListCost(t *testing.T) {
	small, large := 1_000, 60_000
	stores := map[int]*Server{small: syntheticServer(t, small), large: largeStore()}
	allowance := indexAllowance(t, stores[small], stores[large])
	window := func(n int) string { // 40 % of the store: more than maxSorted in the large one
		return "created_from=" + Synthetic(n*3/10).CreatedAt.Format(time.RFC3339) +
			"&created_to=" + Synthetic(n*7/10).CreatedAt.Format(time.RFC3339)
	}
	for _, tc := range []struct {
		query func(n int) string
		rare  bool // few rows hold the needle: the scan looks at those only
		walk  bool // the large store walks the name index
	}{
		{query: func(int) string { return "search_text=perkins" }},
		{query: func(int) string { return "search_text=PERKINS&sort_order=desc&page_number=3" }},
		{query: func(n int) string { return "search_text=customer" + fmt.Sprint(n/2) + "%40" }, rare: true},
		{query: func(int) string { return "search_text=e&page_number=4" }}, // every customer: a bitmap and a walk
		{query: func(int) string { return "name=perkins&status=verified" }},
		{query: func(int) string { return "name=Jean-Ralphio%20B.%20Ludgate" }, rare: true},
		{query: func(int) string { return "name=a&sort_by=created_at&sort_order=desc" }},
		{query: window, walk: true},
		{query: func(n int) string { return window(n) + "&page_number=" + fmt.Sprint((n*4/10+99)/100) }, walk: true},
		{query: func(n int) string { return window(n) + "&sort_order=desc&page_number=2" }, walk: true},
	} {
		qs, ql := tc.query(small), tc.query(large)
		s, sAllocs := listCost(t, stores[small], qs)
		l, lAllocs := listCost(t, stores[large], ql)
		if len(s.page) == 0 || len(l.page) == 0 {
			t.Fatalf("%q: an empty page", ql)
		}
		if lAllocs > sAllocs+allocSlack(20) {
			t.Errorf("%q: %.0f allocations at %d customers, %.0f at %d", ql, lAllocs, large, sAllocs, small)
		}
		if blocks := (large + blockSize - 1) / blockSize; tc.rare && l.work > blocks+2*l.total+4 {
			t.Errorf("%q: work %d for %d matches in %d blocks: it looked at rows without the needle", ql, l.work, l.total, blocks)
		}
		if tc.walk && l.work > s.work+allowance {
			t.Errorf("%q: work %d at %d customers, %d at %d (allowance %d)", ql, l.work, large, s.work, small, allowance)
		}
	}
}

// TestWriteAndGetCostDoesNotGrowWithTheStore: a get, create, update and
// delete allocate no more in a large store than in a small one.
func TestWriteAndGetCostDoesNotGrowWithTheStore(t *testing.T) {
	small, large := 1_000, scaled(60_000)
	allocs := map[string][2]float64{}
	for k, n := range []int{small, large} {
		s := syntheticServer(t, n)
		seq, victim := 0, n/3
		do := func(method, path, body string, want int) {
			req := httptest.NewRequest(method, path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+s.APIKey())
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != want {
				t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
			}
		}
		for _, op := range []struct {
			name string
			run  func()
		}{
			{"get", func() { do(http.MethodGet, "/v1/customers/"+Synthetic(n/2).ID, "", http.StatusOK) }},
			{"create", func() {
				seq++
				do(http.MethodPost, "/v1/customers", fmt.Sprintf(`{"name":"Ann Perkins","type":"individual",`+
					`"email":"scale%d@example.com","phone":"+13175550177","device":{"ip_address":"203.0.113.7"},`+
					`"address":{"address1":"1 Main St","city":"Pawnee","state":"IN","zip":"46001"},"metadata":{"k":"v"}}`, seq), http.StatusCreated)
			}},
			{"update", func() {
				victim++
				sc := Synthetic(victim)
				do(http.MethodPut, "/v1/customers/"+sc.ID, fmt.Sprintf(`{"name":"Renamed %d","email":%q,"phone":%q,`+
					`"device":{"ip_address":"203.0.113.8"},"status":"verified"}`, victim, sc.Email, sc.Phone), http.StatusOK)
			}},
			{"delete", func() {
				victim++
				do(http.MethodDelete, "/v1/customers/"+Synthetic(victim).ID, "", http.StatusOK)
			}},
		} {
			a := allocs[op.name]
			a[k] = testing.AllocsPerRun(20, op.run)
			allocs[op.name] = a
		}
	}
	for name, a := range allocs {
		if a[1] > a[0]+allocSlack(3) {
			t.Errorf("%s: %.1f allocations at %d customers, %.1f at %d", name, a[1], large, a[0], small)
		}
		t.Logf("%s: %.1f allocations at %d customers, %.1f at %d", name, a[1], large, a[0], small)
	}
}

func mustQuery(t testing.TB, q string) url.Values {
	v, err := url.ParseQuery(strings.TrimPrefix(q, "&"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestLongListsLetWritersIn runs lists that read every customer, or walk an
// index far, and at each pause between chunks checks that the lock is free
// and changes the account: the lists must stay correct for what did not
// change, and never list a customer twice.
func TestLongListsLetWritersIn(t *testing.T) {
	const n = 20_000
	s := syntheticServer(t, n)
	account := s.accounts[s.APIKey()]
	a := s.store.lookup(account)
	pauses, next := 0, n
	s.store.pause = func() {
		if !a.mu.TryLock() {
			t.Fatal("a list holds the lock between chunks")
		}
		a.mu.Unlock()
		pauses++
		// A writer gets in: a new customer, a changed one, a removed one.
		LoadSynthetic(s, next, 1)
		next++
		victim := Synthetic(pauses * 7).ID
		if _, err := s.store.modify(account, victim, func(cur *customer) (*customer, error) {
			c := cur.clone()
			c.name, c.status = "Changed "+c.name, statusInactive
			return c, nil
		}); err != nil {
			t.Fatal(err)
		}
		s.store.remove(account, Synthetic(pauses*7+3).ID)
	}
	from := Synthetic(n / 10).CreatedAt.Format(time.RFC3339)
	for _, tc := range []struct {
		query     string
		minPauses int
		keep      func(c *customer) bool
	}{
		// A text scan: a block of rows per lock.
		{"search_text=perkins&page_size=1000", n / blockSize, func(c *customer) bool { return strings.Contains(strings.ToLower(c.name), "perkins") }},
		{"name=a&page_number=40", n / blockSize, func(c *customer) bool { return strings.Contains(strings.ToLower(c.name), "a") }},
		// A walk of the name index for a wide created_at range, mid-list.
		{"created_from=" + from + "&page_size=1000&page_number=8", 1, func(c *customer) bool { return !c.createdAt.Before(Synthetic(n / 10).CreatedAt) }},
	} {
		pauses = 0
		lq, e := parseListQuery(mustQuery(t, tc.query))
		if e != nil {
			t.Fatal(e)
		}
		res := s.store.list(account, lq)
		if pauses < tc.minPauses {
			t.Errorf("%s: %d pauses, want at least %d", tc.query, pauses, tc.minPauses)
		}
		if len(res.page) == 0 {
			t.Errorf("%s: an empty page", tc.query)
		}
		seen := map[string]bool{}
		for _, c := range res.page {
			if seen[c.id] || !tc.keep(c) {
				t.Errorf("%s: listed %s %q (twice: %v)", tc.query, c.id, c.name, seen[c.id])
			}
			seen[c.id] = true
		}
	}
}

// TestListsRaceWrites lists, gets and writes one account from several
// goroutines at once, for the race detector.
func TestListsRaceWrites(t *testing.T) {
	const n = 5_000
	s := syntheticServer(t, n)
	account := s.accounts[s.APIKey()]
	queries := []string{"", "search_text=perkins", "name=ann&sort_order=desc", "sort_by=created_at&status=review",
		"created_from=" + Synthetic(n/2).CreatedAt.Format(time.RFC3339) + "&page_number=3", "external_id=crm-10"}
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := range 300 {
				id := n + w*1000 + i
				LoadSynthetic(s, id, 1)
				if _, err := s.store.modify(account, Synthetic(id-n).ID, func(cur *customer) (*customer, error) {
					c := cur.clone()
					c.name, c.email = strings.ToUpper(c.name), fmt.Sprintf("moved%d@example.com", id)
					return c, nil
				}); err != nil {
					t.Error(err)
				}
				s.store.remove(account, Synthetic(id-n+2500).ID)
			}
		})
	}
	for r := range 3 {
		wg.Go(func() {
			for i := range 60 {
				lq, e := parseListQuery(mustQuery(t, queries[(r+i)%len(queries)]))
				if e != nil {
					t.Error(e)
					return
				}
				res := s.store.list(account, lq)
				ids := make([]string, 0, len(res.page))
				for _, c := range res.page {
					ids = append(ids, c.id)
				}
				slices.Sort(ids)
				if len(slices.Compact(ids)) != len(res.page) {
					t.Errorf("%s: a customer listed twice", queries[(r+i)%len(queries)])
				}
				s.store.get(account, Synthetic(i).ID)
			}
		})
	}
	wg.Wait()
}

// TestStoredCustomerHeap bounds the live heap a stored customer takes, on the
// synthetic population (every customer with an address and metadata), to
// the 1 KiB a store of a million needs to stay near 1 GiB.
func TestStoredCustomerHeap(t *testing.T) {
	n := scaled(100_000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s := syntheticServer(t, n)
	runtime.GC()
	runtime.ReadMemStats(&after)
	perCustomer := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
	runtime.KeepAlive(s)
	if perCustomer > 1024 {
		t.Errorf("%.0f bytes of heap per stored customer, want at most 1,024", perCustomer)
	}
	t.Logf("%.0f bytes per customer at %d", perCustomer, n)
}
