package straddle_test

import (
	"os"
	"testing"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
)

// TestMain fails the package's tests if they leave goroutines running:
// connections never closed, timers never stopped, servers never shut. Started
// by a benchmark as its canned server (benchserver_test.go), the test binary
// serves instead.
func TestMain(m *testing.M) {
	if os.Getenv(benchServerEnv) != "" {
		os.Exit(serveCanned())
	}
	os.Exit(leakcheck.Main(m))
}
