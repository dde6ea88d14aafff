package jsonshape

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	l := Limits{Depth: 3, Entries: 3, Values: 8, Number: 4}
	tests := []struct {
		body string
		want Breach
	}{
		{`{"a":[1,2,3]}`, Within},
		{`[[[]]]`, Within},
		{`[[[[]]]]`, TooDeep},
		{`[1,2,3]`, Within},
		{`[1,2,3,4]`, TooWide},
		{`{"a":1,"b":2,"c":3}`, Within}, // members count, not keys and values
		{`{"a":1,"b":2,"c":3,"d":4}`, TooWide},
		{`[[1,2],[3,4],5]`, Within},
		{`[1,2,[3,4],5,6]`, TooWide},
		{`["a","b",true]`, Within},
		{`[[null,false],[true,"x"],[1,2]]`, TooMany},
		{`[1234]`, Within},
		{`[12345]`, LongNumber},
		{`[-1.5e3]`, LongNumber},
		{`["[[[[,,,,,"]`, Within},       // brackets and commas inside a string
		{`["a\"[[[[,,,,", 1]`, Within},  // an escaped quote does not end it
		{`["a\\",[[[[]]]]]`, TooDeep},   // an escaped backslash does
		{`["unterminated [[[[`, Within}, // decoding refuses it, not the shape
		{``, Within},
	}
	for _, tt := range tests {
		if got := l.Check([]byte(tt.body)); got != tt.want {
			t.Errorf("Check(%s) = %d, want %d", tt.body, got, tt.want)
		}
	}
}

// TestCheckAtMaxDepth: the deepest limit the entries array allows is usable
// to its edge, and past it.
func TestCheckAtMaxDepth(t *testing.T) {
	l := Limits{Depth: MaxDepth, Entries: 10, Values: 1000, Number: 10}
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if got := l.Check([]byte(deep)); got != Within {
		t.Errorf("%d deep: %d", MaxDepth, got)
	}
	if got := l.Check([]byte("[" + deep + "]")); got != TooDeep {
		t.Errorf("%d deep: %d, want TooDeep", MaxDepth+1, got)
	}
}

func TestCheckAllocatesNothing(t *testing.T) {
	body := []byte(`{"data":[` + strings.Repeat(`{"id":"x","name":"a\"b","n":12},`, 50) + `{}]}`)
	l := Limits{Depth: 8, Entries: 100, Values: 1000, Number: 16}
	if n := testing.AllocsPerRun(100, func() { l.Check(body) }); n != 0 {
		t.Errorf("Check allocates %v times", n)
	}
}
