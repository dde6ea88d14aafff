package straddletest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"time"
)

// Layouts of the timestamps the emulator writes: the service's usual form with
// seven fractional digits and Z, and the zoneless form its reads sometimes use.
const (
	timeLayout     = "2006-01-02T15:04:05.0000000Z"
	zonelessLayout = "2006-01-02T15:04:05"
)

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseTime reads the timestamps fixtures and list filters carry: RFC 3339 with
// any fraction, or the zoneless form meaning UTC.
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, time.UTC); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// newID returns a UUIDv7 for the given instant: 48 bits of Unix milliseconds,
// then random bits, as the service's ids look.
func newID(now time.Time) string { return formatUUID(newUUID(now)) }

// newUUID is newID's UUID as bytes.
func newUUID(now time.Time) [16]byte {
	var b [16]byte
	_, _ = rand.Read(b[6:])
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint16(b[0:2], uint16(ms>>32))
	binary.BigEndian.PutUint32(b[2:6], uint32(ms))
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return b
}

// accountFor derives a key's default account id (a UUIDv8 of its hash), so the
// same key always maps to the same account.
func accountFor(apiKey string) string {
	sum := sha256.Sum256([]byte("straddletest account\x00" + apiKey))
	var b [16]byte
	copy(b[:], sum[:16])
	b[6] = b[6]&0x0f | 0x80
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	var buf [36]byte
	hex.Encode(buf[0:8], b[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], b[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], b[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], b[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], b[10:])
	return string(buf[:])
}

// isUUID reports whether s has the 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}
