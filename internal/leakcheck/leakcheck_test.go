package leakcheck

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTB collects what Check registers and reports, so a test can run the
// cleanup itself and see whether it failed.
type fakeTB struct {
	testing.TB
	mu       sync.Mutex
	cleanups []func()
	errors   []string
}

func (f *fakeTB) Helper()           {}
func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) finish() []string {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	return f.errors
}

func shortGrace(t *testing.T, d time.Duration) {
	old := testGrace
	testGrace = d
	t.Cleanup(func() { testGrace = old })
}

// parked is where the leaked goroutine of a test waits, so its stack names it.
func parked(stop chan struct{}) { <-stop }

func TestCheckReportsALeftGoroutine(t *testing.T) {
	shortGrace(t, 100*time.Millisecond)
	stop := make(chan struct{})
	defer close(stop)
	fake := &fakeTB{TB: t}
	Check(fake)
	go parked(stop)
	errs := fake.finish()
	if len(errs) != 1 || !strings.Contains(errs[0], "1 goroutine(s) left running") || !strings.Contains(errs[0], "leakcheck.parked") {
		t.Errorf("reported %q, want the parked goroutine", errs)
	}
}

func TestCheckWaitsForGoroutinesThatAreEnding(t *testing.T) {
	shortGrace(t, 2*time.Second)
	fake := &fakeTB{TB: t}
	Check(fake)
	stop := make(chan struct{})
	go parked(stop)
	time.AfterFunc(50*time.Millisecond, func() { close(stop) })
	if errs := fake.finish(); len(errs) != 0 {
		t.Errorf("a goroutine ending within the grace period was reported: %q", errs)
	}
}

func TestCheckIgnoresGoroutinesThatWereAlreadyRunning(t *testing.T) {
	shortGrace(t, 50*time.Millisecond)
	stop := make(chan struct{})
	defer close(stop)
	go parked(stop)
	fake := &fakeTB{TB: t}
	Check(fake)
	if errs := fake.finish(); len(errs) != 0 {
		t.Errorf("a goroutine older than the check was reported: %q", errs)
	}
}

func TestCheckIgnoresSubtests(t *testing.T) {
	shortGrace(t, 50*time.Millisecond)
	fake := &fakeTB{TB: t}
	Check(fake)
	t.Run("parallel", func(t *testing.T) {
		for i := range 3 {
			t.Run(fmt.Sprint(i), func(t *testing.T) { t.Parallel(); time.Sleep(time.Millisecond) })
		}
	})
	if errs := fake.finish(); len(errs) != 0 {
		t.Errorf("subtests were reported: %q", errs)
	}
}

func TestGoroutinesListsTheCallerFirst(t *testing.T) {
	gs := goroutines()
	if len(gs) == 0 || !strings.Contains(gs[0].stack, "TestGoroutinesListsTheCallerFirst") {
		t.Fatalf("first goroutine is not the caller: %+v", gs)
	}
	seen := map[int]bool{}
	for _, g := range gs {
		if g.id <= 0 || seen[g.id] || !strings.HasPrefix(g.stack, "goroutine ") {
			t.Errorf("bad record %d: %q", g.id, g.stack)
		}
		seen[g.id] = true
	}
}

func TestGoroutinesGrowsItsBuffer(t *testing.T) {
	stop := make(chan struct{})
	defer close(stop)
	for range 500 {
		go parked(stop)
	}
	n := 0
	for _, g := range goroutines() {
		if strings.Contains(g.stack, "created by github.com/straddlekit/straddle-go/internal/leakcheck.TestGoroutinesGrowsItsBuffer") {
			n++ // parked, or not started yet
		}
	}
	if n != 500 {
		t.Errorf("found %d of 500 goroutines", n)
	}
}
