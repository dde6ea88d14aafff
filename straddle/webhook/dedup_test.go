package webhook_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

func newMemory(t *testing.T, max int, remember time.Duration) (*webhook.MemoryDeduplicator, *time.Time) {
	t.Helper()
	d, err := webhook.NewMemoryDeduplicator(max, remember)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 7, 7, 6, 0, 0, 0, time.UTC)
	webhook.SetDeduplicatorNow(d, func() time.Time { return now })
	return d, &now
}

func claim(t *testing.T, d webhook.Deduplicator, id string) webhook.ClaimResult {
	t.Helper()
	r, err := d.Claim(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMemoryDeduplicatorStates(t *testing.T) {
	ctx := context.Background()
	d, _ := newMemory(t, 10, time.Hour)
	steps := []struct {
		do   string // claim, done, release
		id   string
		want webhook.ClaimResult
	}{
		{"claim", "a", webhook.Claimed},
		{"claim", "a", webhook.InProgress},
		{"claim", "b", webhook.Claimed},
		{"release", "a", 0},
		{"claim", "a", webhook.Claimed}, // released: a retry processes it
		{"done", "a", 0},
		{"claim", "a", webhook.AlreadyDone},
		{"release", "a", 0}, // releasing a done event changes nothing
		{"claim", "a", webhook.AlreadyDone},
		{"done", "c", 0}, // done without a claim (a store shared with another path)
		{"claim", "c", webhook.AlreadyDone},
		{"claim", "b", webhook.InProgress},
		{"release", "never-claimed", 0},
		{"claim", "never-claimed", webhook.Claimed},
	}
	for i, s := range steps {
		switch s.do {
		case "claim":
			if got := claim(t, d, s.id); got != s.want {
				t.Fatalf("step %d: claim %s = %v, want %v", i, s.id, got, s.want)
			}
		case "done":
			if err := d.Done(ctx, s.id); err != nil {
				t.Fatal(err)
			}
		case "release":
			if err := d.Release(ctx, s.id); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestMemoryDeduplicatorIsBounded: it remembers at most max done events,
// forgetting the oldest first, however many go through it, and never
// forgets an event in progress.
func TestMemoryDeduplicatorIsBounded(t *testing.T) {
	ctx := context.Background()
	d, now := newMemory(t, 100, time.Hour)
	if claim(t, d, "held") != webhook.Claimed {
		t.Fatal("claim")
	}
	for i := range 10_000 {
		id := fmt.Sprint("evt-", i)
		if claim(t, d, id) != webhook.Claimed {
			t.Fatalf("%s: not claimed", id)
		}
		*now = now.Add(time.Millisecond)
		if err := d.Done(ctx, id); err != nil {
			t.Fatal(err)
		}
		if inProgress, done := webhook.DeduplicatorSize(d); done > 100 || inProgress != 1 {
			t.Fatalf("after %d events: %d in progress, %d done", i+1, inProgress, done)
		}
	}
	if got := claim(t, d, "evt-9899"); got != webhook.Claimed {
		t.Errorf("the 101st newest event: %v, want forgotten", got)
	}
	if got := claim(t, d, "evt-9999"); got != webhook.AlreadyDone {
		t.Errorf("the newest event: %v, want remembered", got)
	}
	if got := claim(t, d, "evt-9900"); got != webhook.AlreadyDone {
		t.Errorf("the 100th newest: %v, want remembered", got)
	}
	if got := claim(t, d, "held"); got != webhook.InProgress {
		t.Errorf("the event in progress throughout: %v", got)
	}
}

// TestMemoryDeduplicatorForgets: a done event is remembered for exactly the
// time given, measured from Done.
func TestMemoryDeduplicatorForgets(t *testing.T) {
	ctx := context.Background()
	d, now := newMemory(t, 10, time.Hour)
	claim(t, d, "a")
	*now = now.Add(30 * time.Minute) // a slow function: the hour starts at Done
	if err := d.Done(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Hour - time.Nanosecond)
	if got := claim(t, d, "a"); got != webhook.AlreadyDone {
		t.Errorf("just under the hour: %v", got)
	}
	*now = now.Add(time.Nanosecond)
	if got := claim(t, d, "a"); got != webhook.Claimed {
		t.Errorf("at the hour: %v, want forgotten", got)
	}
	if inProgress, done := webhook.DeduplicatorSize(d); inProgress != 1 || done != 0 {
		t.Errorf("%d in progress, %d done", inProgress, done)
	}
	// Expired events go even when nobody asks for them again.
	for i := range 5 {
		if err := d.Done(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	*now = now.Add(2 * time.Hour)
	claim(t, d, "other")
	if _, done := webhook.DeduplicatorSize(d); done != 0 {
		t.Errorf("%d expired events still held", done)
	}
}

// TestMemoryDeduplicatorConcurrentClaims: of many concurrent claims of one
// id, exactly one wins; run with -race.
func TestMemoryDeduplicatorConcurrentClaims(t *testing.T) {
	d, err := webhook.NewMemoryDeduplicator(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 50 {
		id := fmt.Sprint("evt-", round)
		var claimed, inProgress atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 16 {
			wg.Go(func() {
				<-start
				switch r, _ := d.Claim(context.Background(), id); r {
				case webhook.Claimed:
					claimed.Add(1)
				case webhook.InProgress:
					inProgress.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if claimed.Load() != 1 || inProgress.Load() != 15 {
			t.Fatalf("round %d: %d claimed, %d in progress", round, claimed.Load(), inProgress.Load())
		}
	}
}

// TestMemoryDeduplicatorDefaultSize: the default's full memory, ids
// included, is what the documentation says: about 2 MB for 10,000 UUIDs.
func TestMemoryDeduplicatorDefaultSize(t *testing.T) {
	ctx := context.Background()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d, err := webhook.NewMemoryDeduplicator(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range webhook.DefaultMaxEvents {
		id := fmt.Sprintf("0197e3c1-%04x-7b3d-9e4f-5a6b7c8d9ea1", i) // as decoded: a string of its own
		if _, err := d.Claim(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := d.Done(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%d events held in %d KiB", webhook.DefaultMaxEvents, held>>10)
	if held > 5<<19 {
		t.Errorf("the default deduplicator holds %d KiB when full, want about 2 MB", held>>10)
	}
	if _, done := webhook.DeduplicatorSize(d); done != webhook.DefaultMaxEvents {
		t.Errorf("%d done", done)
	}
	runtime.KeepAlive(d)
}
