package api_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLintSpecReportsTheParitySkip runs the Makefile's lint-spec target with
// a stand-in for the go command that answers the parity test as skipped,
// passed or failed: a skip must print a SKIPPED line (a plain clone has no
// ../shared, and a silent skip would read as a pass) without failing the
// target; a failure must fail it.
func TestLintSpecReportsTheParitySkip(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	fakeGo := filepath.Join(t.TempDir(), "go")
	script := "#!/bin/sh\ncase \"$*\" in *TestParityWithOfficialSpec*) printf '%s\\n' \"$PARITY_OUT\"; exit \"$PARITY_RC\";; esac\n"
	if err := os.WriteFile(fakeGo, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, out, rc string
		want          string
		fails         bool
	}{
		{"skipped", "--- SKIP: TestParityWithOfficialSpec (0.00s)\nPASS", "0", "SKIPPED: parity with Straddle's published schemas", false},
		{"passed", "--- PASS: TestParityWithOfficialSpec (0.01s)\nPASS", "0", "ok: parity with Straddle's published schemas", false},
		{"failed", "--- FAIL: TestParityWithOfficialSpec (0.01s)\n    parity_test.go:90: Customer lacks email\nFAIL", "1", "Customer lacks email", true},
	}
	for _, tt := range tests {
		// sh reads the script rather than the kernel executing it: a file
		// written a moment ago can still be open in a child another test
		// forked, and executing it would then fail with "text file busy".
		cmd := exec.Command("make", "-s", "lint-spec", "GO=sh "+fakeGo)
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "PARITY_OUT="+tt.out, "PARITY_RC="+tt.rc)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if failed := errors.As(err, &exit); failed != tt.fails || (err != nil && !failed) {
			t.Errorf("%s: make lint-spec: %v, want failure %v\n%s", tt.name, err, tt.fails, out)
		}
		if !strings.Contains(string(out), tt.want) {
			t.Errorf("%s: output does not say %q:\n%s", tt.name, tt.want, out)
		}
	}
}
