package straddle

import (
	"fmt"
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// packageDoc parses the package's own sources (no tests) as go doc reads them.
func packageDoc(t *testing.T) *doc.Package {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") {
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	p, err := doc.NewFromFiles(fset, files, "github.com/straddlekit/straddle-go/straddle")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDocsStateTheRetryAfterCap: the cap on Retry-After is in the package
// documentation and in WithMaxRetries, with the value the code uses, so a
// change to one cannot leave the other behind.
func TestDocsStateTheRetryAfterCap(t *testing.T) {
	p := packageDoc(t)
	want := fmt.Sprintf("capped at %d s", int(retryAfterCap.Seconds()))
	if !strings.Contains(p.Doc, want) || !strings.Contains(p.Doc, "Retry-After") {
		t.Errorf("the package doc does not say Retry-After is %s", want)
	}
	funcs := p.Funcs
	for _, typ := range p.Types {
		funcs = append(funcs, typ.Funcs...) // constructors, such as those of options
	}
	var found bool
	for _, f := range funcs {
		if f.Name == "WithMaxRetries" {
			found = true
			if !strings.Contains(strings.Join(strings.Fields(f.Doc), " "), "Retry-After when the response has one, "+want) {
				t.Errorf("WithMaxRetries's doc does not say Retry-After is %s:\n%s", want, f.Doc)
			}
		}
	}
	if !found {
		t.Error("no WithMaxRetries in the package doc")
	}
}
