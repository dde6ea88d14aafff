package straddle

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// timestamp decodes the service's instants: RFC 3339 with 0 to 9 fractional
// digits, or no zone at all (meaning UTC), as in "2026-07-07T06:21:44". The
// result is always in UTC.
type timestamp time.Time

// Layouts tried in order; time.Parse accepts any fraction after the seconds.
var timestampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05"}

func (t *timestamp) UnmarshalJSON(b []byte) error {
	// The usual form, RFC 3339 with a zone, parses without allocating.
	var v time.Time
	if v.UnmarshalJSON(b) == nil && inYearRange(v) {
		*t = timestamp(v.UTC())
		return nil
	}
	var s *string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("straddle: timestamp: %w", errWithoutValue(err))
	}
	if s == nil {
		*t = timestamp{}
		return nil
	}
	v, err := parseTimestamp(*s)
	if err != nil {
		return err
	}
	*t = timestamp(v)
	return nil
}

// parseTimestamp parses one of the service's instant forms. An instant that
// a zone offset puts outside the years 0000 to 9999 in UTC is refused: RFC
// 3339 and JSON could not write it back.
func parseTimestamp(s string) (time.Time, error) {
	for _, layout := range timestampLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			if v = v.UTC(); !inYearRange(v) {
				return time.Time{}, errors.New("straddle: timestamp is outside the years 0000 to 9999")
			}
			return v, nil
		}
	}
	return time.Time{}, errors.New("straddle: timestamp is not in RFC 3339 form")
}

// The first instant of the year 0000 and the first after 9999, in UTC.
var (
	firstInstant = time.Date(0, time.January, 1, 0, 0, 0, 0, time.UTC)
	pastInstant  = time.Date(10000, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// inYearRange reports whether RFC 3339 and JSON can write v in UTC: years
// 0000 to 9999. It compares instants, which costs a page of 1,000 summaries
// less than working out 2,000 calendar years.
func inYearRange(v time.Time) bool { return !v.Before(firstInstant) && v.Before(pastInstant) }
