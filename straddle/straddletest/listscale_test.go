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

func TestIndexedListCostDoesNotGrowWithTheStore(t *testing.T) {
	small, large := 1_000, scaled(60_000)
	stores := map[int]*Server{small: syntheticServer(t, small), large: syntheticServer(t, large)}
	smallLists, largeLists := indexedLists(small), indexedLists(large)
	for i := range smallLists {
		cost := map[int]struct {
			work   int
			allocs float64
		}{}
		for _, n := range []int{small, large} {
			q := []string{smallLists[i], largeLists[i]}[min(n/large, 1)]
			s := stores[n]
			lq, e := parseListQuery(mustQuery(t, q+"&page_size=100"))
			if e != nil {
				t.Fatal(e)
			}
			account := s.accounts[s.APIKey()]
			res := s.store.list(account, lq)
			if len(res.page) == 0 || res.total == 0 {
				t.Fatalf("%q at %d: an empty page of %d", q, n, res.total)
			}
			// Through the handler, as a client would ask.
			req := httptest.NewRequest(http.MethodGet, "/v1/customers?page_size=100&"+q, nil)
			req.Header.Set("Authorization", "Bearer "+s.APIKey())
			allocs := testing.AllocsPerRun(5, func() {
				rec := httptest.NewRecorder()
				s.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					t.Fatalf("%q: %d %s", q, rec.Code, rec.Body)
				}
			})
			cost[n] = struct {
				work   int
				allocs float64
			}{res.work, allocs}
		}
		// Three levels of index instead of two: a few more nodes looked at.
		if s, l := cost[small], cost[large]; l.work > s.work+3*innerCap || l.allocs > s.allocs+20 {
			t.Errorf("list %q: work %d and %.0f allocations at %d customers, %d and %.0f at %d",
				smallLists[i], l.work, l.allocs, large, s.work, s.allocs, small)
		}
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
