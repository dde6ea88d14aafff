package webhook

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The envelope's usual form decodes without encoding/json's reflection: a
// scan of the top-level object finds the three strings and data, and data
// goes straight to the client's customer decoder. encoding/json would scan
// data once more to skip it and then hand the customer decoder the same
// bytes; this pass leaves that scan, and the reflection over the envelope,
// out. Anything unusual (escapes in a key or a value, a key in another
// case, a key twice, a value of another kind) makes decodeUsual report
// false, and DecodeEvent takes the long way through json.Unmarshal, which
// decides the result and the error exactly. FuzzDecodeEvent holds the two
// ways to the same results.

// envelopeKeys are the keys the envelope decodes.
var envelopeKeys = [...]string{"event_type", "event_id", "account_id", "data"}

// decodeUsual decodes body into env when it is a valid JSON object of the
// usual form, reporting whether it did; when it did not, env is to be
// discarded.
func (env *envelope) decodeUsual(body []byte) bool {
	if !json.Valid(body) {
		return false
	}
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return false
	}
	var seen [len(envelopeKeys)]bool
	for i = skipSpace(body, i+1); body[i] != '}'; {
		// A key: the body is valid JSON, so a string, then ':' and a value.
		end := bytes.IndexByte(body[i+1:], '"') + i + 1
		key := body[i+1 : end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		start := skipSpace(body, skipSpace(body, end+1)+1)
		stop := valueEnd(body, start)
		value := body[start:stop]
		k := keyIndex(key)
		switch {
		case k == -2 || k >= 0 && seen[k]:
			return false
		case k == -1:
			// Not the envelope's: ignored, as encoding/json ignores it.
		case envelopeKeys[k] == "data":
			seen[k] = true
			_ = env.Data.UnmarshalJSON(value) // it never fails
		default:
			seen[k] = true
			s, ok := plainString(value)
			if !ok {
				return false
			}
			switch k {
			case 0:
				env.EventType = s
			case 1:
				env.EventID = s
			case 2:
				env.AccountID = s
			}
		}
		if i = skipSpace(body, stop); body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return true
}

// keyIndex returns the index of key in envelopeKeys, -1 for another key,
// and -2 for one encoding/json would match in another case.
func keyIndex(key []byte) int {
	for i, k := range envelopeKeys {
		if string(key) == k {
			return i
		}
	}
	for _, k := range envelopeKeys {
		if bytes.EqualFold(key, []byte(k)) {
			return -2
		}
	}
	return -1
}

// plainString returns the JSON string value as a Go string when it needs
// no unescaping and is valid UTF-8 (so encoding/json would return the same
// bytes).
func plainString(value []byte) (string, bool) {
	if len(value) < 2 || value[0] != '"' {
		return "", false
	}
	s := value[1 : len(value)-1]
	if bytes.IndexByte(s, '\\') >= 0 || !utf8.Valid(s) {
		return "", false
	}
	return string(s), true
}

// skipSpace returns the index of the first byte of b from i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the index just past the JSON value starting at b[i], in
// a body already known to be valid JSON.
func valueEnd(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			for j++; b[j] != '"'; j++ {
				if b[j] == '\\' {
					j++
				}
			}
			if depth == 0 {
				return j + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return j // the end of a number or a literal before it
			}
			if depth--; depth == 0 {
				return j + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return j
			}
		}
	}
	return len(b)
}
