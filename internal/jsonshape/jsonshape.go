// Package jsonshape bounds what decoding a JSON body can build. A size limit
// bounds what is read; decoding can build far more from it: an array of a
// million "{}" becomes a million structs, an object of a million keys a
// million map entries. Limits.Check looks at the body's shape in one pass
// over its bytes, allocating nothing, before anything decodes it.
package jsonshape

import "bytes"

// MaxDepth is the largest Limits.Depth can be.
const MaxDepth = 64

// Limits are the most a body may hold.
type Limits struct {
	Depth   int // arrays and objects nested in one another, at most MaxDepth
	Entries int // elements of one array, or members of one object
	Values  int // values of any kind, keys included
	Number  int // bytes of one number
}

// Breach names the limit a body breaks.
type Breach int

const (
	Within     Breach = iota // the body keeps to every limit
	TooDeep                  // more than Depth arrays and objects nested
	TooWide                  // more than Entries in one array or object
	TooMany                  // more than Values values
	LongNumber               // a number of more than Number bytes
)

// Check reports the first limit body breaks, or Within. It does not validate
// the JSON (decoding does): it counts what decoding would build.
func (l Limits) Check(body []byte) Breach {
	var entries [MaxDepth + 1]int // commas seen in each open array or object
	depth, values := 0, 0
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			i = stringEnd(body, i+1)
			values++
		case c == '{' || c == '[':
			if depth >= l.Depth {
				return TooDeep
			}
			depth++
			entries[depth] = 0
			values++
		case c == '}' || c == ']':
			depth = max(depth-1, 0)
		case c == ',':
			if entries[depth]++; entries[depth] >= l.Entries {
				return TooWide
			}
		case c == '-' || c >= '0' && c <= '9':
			start := i
			for i+1 < len(body) && isNumberByte(body[i+1]) {
				i++
			}
			if i+1-start > l.Number {
				return LongNumber
			}
			values++
		case c == 't' || c == 'f' || c == 'n':
			for i+1 < len(body) && body[i+1] >= 'a' && body[i+1] <= 'z' {
				i++
			}
			values++
		}
		if values > l.Values {
			return TooMany
		}
	}
	return Within
}

// stringEnd returns the index of the quote that closes the string whose
// contents start at i, or len(b) if it is not closed.
func stringEnd(b []byte, i int) int {
	for i < len(b) {
		q := bytes.IndexByte(b[i:], '"')
		if q < 0 {
			return len(b)
		}
		e := bytes.IndexByte(b[i:i+q], '\\')
		if e < 0 {
			return i + q
		}
		i += e + 2 // past the backslash and the byte it escapes
	}
	return len(b)
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}
