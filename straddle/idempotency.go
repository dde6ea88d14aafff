package straddle

import (
	"crypto/rand"
	"encoding/hex"
)

// Idempotency-Key length limits the service enforces.
const (
	minIdempotencyKey = 10
	maxIdempotencyKey = 40
)

// newIdempotencyKey returns a random UUIDv4 (36 characters). A write call
// makes one before its first attempt and sends it on every retry, so the
// service can replay instead of repeating the write.
func newIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on Go 1.24 and later.
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// checkIdempotencyKey checks a caller's key the way the service does (10 to
// 40 characters), and that it is printable ASCII, so it can travel in a header.
func checkIdempotencyKey(key string) error {
	if len(key) < minIdempotencyKey || len(key) > maxIdempotencyKey {
		return &ValidationError{Field: "Idempotency-Key", Rule: "must be 10 to 40 characters"}
	}
	if !printableASCII(key) {
		return &ValidationError{Field: "Idempotency-Key", Rule: "must be printable ASCII"}
	}
	return nil
}

// printableASCII reports whether s has only visible ASCII characters and spaces.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
