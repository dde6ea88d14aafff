package straddle

import (
	"errors"

	"github.com/straddlekit/straddle-go/internal/jsonshape"
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

// bodyLimits are the limits above, as checkShape applies them.
var bodyLimits = jsonshape.Limits{Depth: maxBodyDepth, Entries: maxBodyEntries, Values: maxBodyValues, Number: maxBodyNumber}

// checkShape reports whether body stays within the shape limits. It does not
// validate the JSON (decoding does), and it allocates nothing.
func checkShape(body []byte) error {
	switch bodyLimits.Check(body) {
	case jsonshape.TooDeep:
		return errBodyTooDeep
	case jsonshape.TooWide:
		return errBodyTooWide
	case jsonshape.TooMany:
		return errBodyTooMany
	case jsonshape.LongNumber:
		return errBodyLongNumber
	}
	return nil
}
