package straddle

import (
	"bytes"
	"errors"
)

// Limits on the shape of a response body, checked in one pass over its bytes
// before it is decoded. The size limit bounds what is read; these bound what
// decoding builds from it, which can be far more: a page's data of a million
// "{}" would become a million 200-byte summaries, a metadata object of a
// million keys a million map entries. No answer of the API comes near them:
// a page holds at most 1,000 customers of about ten values each, a customer
// about a hundred values, nested a few levels deep.
const (
	maxBodyDepth   = 64      // arrays and objects nested in one another
	maxBodyEntries = 1000    // elements of one array, or members of one object
	maxBodyValues  = 100_000 // values of any kind in the body, keys included
	maxBodyNumber  = 64      // bytes of one number
)

// Why a body's shape is refused: the cause of a *DecodeError for a 2xx.
var (
	errBodyTooDeep    = errors.New("response body nests arrays and objects more than 64 deep")
	errBodyTooWide    = errors.New("response body has an array or object of more than 1000 entries")
	errBodyTooMany    = errors.New("response body has more than 100000 values")
	errBodyLongNumber = errors.New("response body has a number longer than 64 bytes")
)

// checkShape reports whether body stays within the shape limits. It does not
// validate the JSON (decoding does), and it allocates nothing.
func checkShape(body []byte) error {
	var entries [maxBodyDepth + 1]int // commas seen in each open array or object
	depth, values := 0, 0
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			i = stringEnd(body, i+1)
			values++
		case c == '{' || c == '[':
			if depth == maxBodyDepth {
				return errBodyTooDeep
			}
			depth++
			entries[depth] = 0
			values++
		case c == '}' || c == ']':
			depth = max(depth-1, 0)
		case c == ',':
			if entries[depth]++; entries[depth] >= maxBodyEntries {
				return errBodyTooWide
			}
		case c == '-' || c >= '0' && c <= '9':
			start := i
			for i+1 < len(body) && isNumberByte(body[i+1]) {
				i++
			}
			if i+1-start > maxBodyNumber {
				return errBodyLongNumber
			}
			values++
		case c == 't' || c == 'f' || c == 'n':
			for i+1 < len(body) && body[i+1] >= 'a' && body[i+1] <= 'z' {
				i++
			}
			values++
		}
		if values > maxBodyValues {
			return errBodyTooMany
		}
	}
	return nil
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
