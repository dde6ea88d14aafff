package webhook

import "time"

// SetNow replaces the clock v checks timestamps against, so that tests can
// verify deliveries signed at fixed instants (the published test vectors).
func SetNow(v *Verifier, now func() time.Time) { v.now = now }

// SetDeduplicatorNow replaces the clock d measures how long it remembers by.
func SetDeduplicatorNow(d *MemoryDeduplicator, now func() time.Time) { d.now = now }

// DeduplicatorSize reports how many events d holds: in progress and done.
func DeduplicatorSize(d *MemoryDeduplicator) (inProgress, done int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.events) - d.done.Len(), d.done.Len()
}

// DecodeEventLongWay is DecodeEvent through json.Unmarshal alone, without
// the envelope's usual-form decoding.
func DecodeEventLongWay(body []byte) (*Event, error) { return decodeEvent(body, false) }

// UsualForm reports whether DecodeEvent decodes body without the long way.
func UsualForm(body []byte) bool { return new(envelope).decodeUsual(body) }
