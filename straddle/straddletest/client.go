package straddletest

import (
	"github.com/straddlekit/straddle-go/straddle"
)

// Client returns a straddle.Client for the started server: its URL, APIKey,
// and an HTTP client whose connections close with the server. opts are applied
// after those and may override them (WithMaxRetries, WithAttemptTimeout, another
// WithAPIKey...). A client that cannot be built fails the test of WithT, or
// panics without one.
func (s *Server) Client(opts ...straddle.Option) *straddle.Client {
	base := []straddle.Option{straddle.WithAPIKey(s.APIKey()), straddle.WithBaseURL(s.URL)}
	if s.ts != nil {
		base = append(base, straddle.WithHTTPClient(s.ts.Client()))
	}
	c, err := straddle.NewClient(append(base, opts...)...)
	if err != nil {
		s.fail(err)
	}
	return c
}
