package readme_test

import (
	"os"
	"strings"
	"testing"
)

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestREADMEShowsUsage keeps the README's "Using the client" snippet identical
// to the body of Usage, which the build compiles.
func TestREADMEShowsUsage(t *testing.T) {
	checkSnippet(t, "usage.go", "Usage")
}

// TestREADMEShowsWebhooks keeps the README's "Receiving webhooks" snippet
// identical to the body of ReceiveWebhooks, which the build compiles.
func TestREADMEShowsWebhooks(t *testing.T) {
	checkSnippet(t, "webhooks.go", "ReceiveWebhooks")
}

// checkSnippet checks that the README shows, verbatim in a ```go block, the
// code of file between its README markers, one tab less indented.
func checkSnippet(t *testing.T, file, fn string) {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(src), "\t// README begin\n")
	body, _, _ = strings.Cut(body, "\t// README end\n")
	var snippet strings.Builder
	for _, line := range strings.SplitAfter(body, "\n") {
		snippet.WriteString(strings.TrimPrefix(line, "\t"))
	}
	if body == "" || !strings.Contains(readme(t), "```go\n"+snippet.String()+"```\n") {
		t.Errorf("README.md does not show the body of %s (examples/readme/%s) verbatim; copy it over", fn, file)
	}
}

// TestREADMEShowsTheseTests keeps the README's straddletest examples
// identical to signup_test.go, reviews_test.go and events_test.go, which the test suite
// compiles and runs.
func TestREADMEShowsTheseTests(t *testing.T) {
	for _, file := range []string{"signup_test.go", "reviews_test.go", "events_test.go"} {
		code, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(readme(t), "```go\n"+string(code)+"```\n") {
			t.Errorf("README.md does not show examples/readme/%s verbatim in a ```go block; copy it over", file)
		}
	}
}

// TestREADMEInstallsTheModule keeps the README's install line the client
// package under the module's path (go.mod): getting the module root would
// add its code generator (tools.go) to the user's module. It also keeps the
// CHANGELOG the README points to open for the next release.
func TestREADMEInstallsTheModule(t *testing.T) {
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(mod), "\n")
	module := strings.TrimSpace(strings.TrimPrefix(first, "module "))
	if !strings.Contains(readme(t), "```sh\ngo get "+module+"/straddle\n```\n") {
		t.Errorf("README.md has no install line for %s/straddle in a ```sh block", module)
	}
	changelog, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(changelog), "\n## [Unreleased]\n") {
		t.Error("CHANGELOG.md has no Unreleased section")
	}
}
