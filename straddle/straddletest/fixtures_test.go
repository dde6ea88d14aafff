package straddletest_test

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/straddlekit/straddle-go/straddle/straddletest"
)

// unmaskedFixture is the data of a testdata response of the unmasked endpoint.
func unmaskedFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "responses", name))
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		t.Fatal(err)
	}
	return env.Data
}

func seedJSON(t *testing.T, customers ...map[string]any) string {
	t.Helper()
	raw, err := json.Marshal(customers)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

func TestSeedFixtures(t *testing.T) {
	clock := newClock()
	ind := unmaskedFixture(t, "getUnmaskedCustomer.200.individual.json")
	biz := unmaskedFixture(t, "getUnmaskedCustomer.200.business.json")
	embedded := "019f3b40-7e5a-7078-9536-b70e4ca90ac5"
	biz["account_id"] = embedded
	bare := map[string]any{"name": "Ann Perkins", "type": "individual", "email": "ann@example.com", "phone": "+13175550177"}
	file := filepath.Join(t.TempDir(), "seed.json")
	if err := os.WriteFile(file, []byte(seedJSON(t, bare)), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, c := newEnv(t, straddletest.WithClock(clock.Now), straddletest.WithPlatform(straddletest.DefaultAPIKey, embedded),
		straddletest.WithFixtures(strings.NewReader(seedJSON(t, ind, biz))),
		straddletest.WithFixtureFile(file))

	if srv.CustomerCount("") != 2 || srv.CustomerCount(embedded) != 1 {
		t.Fatalf("counts %d and %d", srv.CustomerCount(""), srv.CustomerCount(embedded))
	}
	got := c.do("GET", "/v1/customers/"+ind["id"].(string), nil).want(t, http.StatusOK).customer(t)
	if got.Status != ind["status"] || got.CreatedAt != ind["created_at"] || got.ComplianceProfile["ssn"] != "***-**-****" || got.Name != ind["name"] {
		t.Errorf("seeded individual %+v", got)
	}
	unmasked := c.do("GET", "/v1/customers/"+ind["id"].(string)+"/unmasked", nil).want(t, http.StatusOK).customer(t)
	if unmasked.ComplianceProfile["ssn"] != ind["compliance_profile"].(map[string]any)["ssn"] {
		t.Errorf("unmasked seed %+v", unmasked.ComplianceProfile)
	}
	c.do("GET", "/v1/customers/"+biz["id"].(string), nil).want(t, http.StatusNotFound)
	c.do("GET", "/v1/customers/"+biz["id"].(string), nil, "Straddle-Account-Id", embedded).want(t, http.StatusOK)

	var seeded customer
	for _, s := range listIDs(t, c, "?email=ann@example.com") {
		seeded = c.do("GET", "/v1/customers/"+s, nil).want(t, http.StatusOK).customer(t)
	}
	if !uuidV7.MatchString(seeded.ID) || seeded.Status != "review" || seeded.CreatedAt != "2026-07-07T06:21:43.8306543Z" ||
		seeded.UpdatedAt != seeded.CreatedAt || seeded.Config["sandbox_outcome"] != "standard" {
		t.Errorf("defaults of a bare seed: %+v", seeded)
	}
	if r := getReview(t, c, seeded.ID); r.IdentityDetails == nil || r.IdentityDetails.Decision != "review" {
		t.Errorf("a seeded customer has no review: %+v", r)
	}
	// A seeded email is taken like any other.
	c.do("POST", "/v1/customers", minimal(t, "ann@example.com")).want(t, http.StatusUnprocessableEntity)
}

func TestSeedErrors(t *testing.T) {
	ind := func(kv ...any) map[string]any {
		return with(unmaskedFixture(t, "getUnmaskedCustomer.200.individual.json"), kv...)
	}
	cases := []struct {
		name, fixtures, want string
	}{
		{"not an array", `{"name":"x"}`, "not a JSON array"},
		{"not JSON", `[`, "not a JSON array"},
		{"unknown field", seedJSON(t, ind("nickname", "Les")), `unknown field "nickname"`},
		{"missing email", seedJSON(t, ind("email", nil)), "email is required"},
		{"bad ssn", seedJSON(t, ind("compliance_profile", map[string]any{"ssn": "12-345-6789", "dob": "1975-01-18"})), "compliance_profile"},
		{"bad ip", seedJSON(t, ind("device", map[string]any{"ip_address": "999.1.1.1"})), "ip_address"},
		{"bad status", seedJSON(t, ind("status", "approved")), "status"},
		{"bad id", seedJSON(t, ind("id", "cus_1")), "id"},
		{"bad account", seedJSON(t, ind("account_id", "acct_1")), "account_id"},
		{"account no key may act for", seedJSON(t, ind("account_id", "019f3b40-7e5a-7078-9536-b70e4ca90ac5")), "account_id: is neither"},
		{"bad created_at", seedJSON(t, ind("created_at", "yesterday")), "created_at"},
		{"bad updated_at", seedJSON(t, ind("updated_at", "07/07/2026")), "updated_at"},
		{"profile of the other type", seedJSON(t, ind("compliance_profile", map[string]any{"ein": "12-3456789", "legal_business_name": "X"})), "compliance_profile"},
		{"profile not an object", seedJSON(t, ind("compliance_profile", []any{1})), "compliance_profile"},
		{"duplicate email", seedJSON(t, ind(), ind("id", "019f3b3d-5816-77fb-8a9c-ad05f1654b01")), "fixture 1: email already exists"},
		{"duplicate id", seedJSON(t, ind(), ind("email", "other@example.com")), "fixture 1: id already exists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := straddletest.NewUnstartedServer()
			err := srv.Seed(strings.NewReader(tc.fixtures))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
			for _, secret := range []string{"12-345-6789", "999.1.1.1", "123-45-6789", "1975-01-18"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error quotes a value: %v", err)
				}
			}
		})
	}
	if err := straddletest.NewUnstartedServer().SeedFile(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Error("SeedFile of a missing file succeeded")
	}
}

// fakeTB records what a server reports to its test.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	fatal    bool
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, format)
}

func (f *fakeTB) Fatal(args ...any) {
	f.mu.Lock()
	f.fatal = true
	f.mu.Unlock()
	runtime.Goexit()
}

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

func TestBadFixturesFailTheTestOrPanic(t *testing.T) {
	fake := &fakeTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		straddletest.NewServer(straddletest.WithT(fake), straddletest.WithFixtures(strings.NewReader("[{}]")))
	}()
	<-done
	if !fake.fatal {
		t.Error("a bad fixture did not fail the test")
	}
	for _, fn := range fake.cleanups {
		fn()
	}

	func() {
		defer func() {
			if recover() == nil {
				t.Error("a bad fixture file did not panic without a test")
			}
		}()
		straddletest.NewUnstartedServer(straddletest.WithFixtureFile(filepath.Join(t.TempDir(), "none.json")))
	}()
	func() {
		defer func() {
			if recover() == nil {
				t.Error("a server without keys did not panic")
			}
		}()
		straddletest.NewUnstartedServer(straddletest.WithAPIKeys())
	}()
}

func TestStartTwicePanics(t *testing.T) {
	srv, _ := newEnv(t)
	defer func() {
		if recover() == nil {
			t.Error("a second Start did not panic")
		}
	}()
	srv.Start()
}
