// Package leakcheck finds goroutines that a test leaves running: a
// connection's read loop, a timer's waiter, a server that was never closed.
//
// Check compares the goroutines running when a test starts with those still
// running when it ends; Main does the same around a whole package's tests, in
// TestMain. Goroutines can take a moment to notice that their work is over (a
// closed connection, a cancelled context), so both poll for a grace period
// before they report.
//
// Check counts every goroutine started during the test, so it must not be
// used in a test that runs in parallel with others (t.Parallel at the top
// level): their goroutines would count as leaks. Parallel subtests of the
// checked test are fine.
package leakcheck

import (
	"bytes"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Grace periods: how long a check waits for goroutines to finish (variables
// so that this package's tests can shorten them).
var (
	testGrace = 5 * time.Second
	mainGrace = 10 * time.Second
)

// pollEvery is how often a check looks again during its grace period.
const pollEvery = 10 * time.Millisecond

// Check records the goroutines running now and registers a cleanup that fails
// t if goroutines started since are still running once t and its subtests
// have finished (after a grace period). Call it first in the test, so that its
// cleanup runs after every other (servers closed, idle connections dropped).
func Check(t testing.TB) {
	t.Helper()
	base := snapshot()
	t.Cleanup(func() {
		if left := wait(base, testGrace); len(left) > 0 {
			t.Errorf("leakcheck: %d goroutine(s) left running:\n\n%s", len(left), format(left))
		}
	})
}

// Main runs m's tests and then checks that every goroutine they started has
// finished (after a grace period). It returns the exit code for os.Exit: m's,
// or 1 if the tests passed but left goroutines running, which it prints.
//
//	func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }
func Main(m *testing.M) int {
	base := snapshot()
	code := m.Run()
	if code != 0 {
		return code
	}
	if left := wait(base, mainGrace); len(left) > 0 {
		fmt.Printf("leakcheck: the tests passed but left %d goroutine(s) running:\n\n%s\n", len(left), format(left))
		return 1
	}
	return 0
}

// goroutine is one goroutine of a runtime.Stack dump.
type goroutine struct {
	id    int
	stack string // the whole record, header line included
}

// wait polls until no goroutine outside base is running, or the grace period
// ends, and returns those still running.
func wait(base map[int]bool, grace time.Duration) []goroutine {
	deadline := time.Now().Add(grace)
	for {
		left := since(base)
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(pollEvery)
	}
}

// snapshot returns the ids of the goroutines running now.
func snapshot() map[int]bool {
	ids := map[int]bool{}
	for _, g := range goroutines() {
		ids[g.id] = true
	}
	return ids
}

// since returns the goroutines running now that are not in base, leaving out
// the caller and the testing package's own.
func since(base map[int]bool) []goroutine {
	var left []goroutine
	for i, g := range goroutines() {
		if i == 0 || base[g.id] || ignored(g.stack) {
			continue // the first is the caller
		}
		left = append(left, g)
	}
	return left
}

// ignored reports whether a goroutine belongs to the test runner rather than
// to the code under test: a test's own goroutine (running, or parked while its
// parallel subtests run) and the runner's alarms and signal handling.
func ignored(stack string) bool {
	for _, frame := range []string{
		"testing.tRunner(",
		"testing.(*T).Run(",
		"testing.(*M).",
		"testing.runTests(",
		"testing.runFuzzing(",
		"testing.(*F).Fuzz",
		"os/signal.signal_recv(",
		"os/signal.loop(",
		"runtime.ensureSigM",
	} {
		if strings.Contains(stack, frame) {
			return true
		}
	}
	return false
}

// goroutines parses runtime.Stack for every goroutine, the caller first.
func goroutines() []goroutine {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []goroutine
	for _, rec := range bytes.Split(buf, []byte("\n\n")) {
		s := strings.TrimSpace(string(rec))
		header, _, _ := strings.Cut(s, "\n")
		idText, ok := strings.CutPrefix(header, "goroutine ")
		if !ok {
			continue
		}
		idText, _, _ = strings.Cut(idText, " ")
		id, err := strconv.Atoi(idText)
		if err != nil {
			continue
		}
		out = append(out, goroutine{id: id, stack: s})
	}
	return out
}

// format prints the stacks of gs, oldest first.
func format(gs []goroutine) string {
	gs = slices.Clone(gs)
	slices.SortFunc(gs, func(a, b goroutine) int { return a.id - b.id })
	stacks := make([]string, len(gs))
	for i, g := range gs {
		stacks[i] = g.stack
	}
	return strings.Join(stacks, "\n\n")
}
