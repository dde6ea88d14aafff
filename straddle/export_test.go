package straddle

import (
	"context"
	"time"
)

// SetSleep replaces how c waits between attempts (by default a timer that the
// context cuts short), so that tests outside the package can record the waits
// the client asks for and shorten them.
func SetSleep(c *Client, sleep func(ctx context.Context, d time.Duration) error) {
	c.doer.sleep = sleep
}
