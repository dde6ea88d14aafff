package webhook_test

import (
	"os"
	"testing"

	"github.com/straddlekit/straddle-go/internal/leakcheck"
)

// TestMain fails the package's tests if they leave goroutines running.
func TestMain(m *testing.M) { os.Exit(leakcheck.Main(m)) }
