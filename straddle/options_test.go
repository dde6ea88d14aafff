package straddle

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const otherAccountID = "019f0000-1111-7222-8333-777788889999"

func TestClientDefaultsApplyToEveryCallAndCallsOverrideThem(t *testing.T) {
	h := newHarness(t, serve(t, 200, "getCustomer.200.individual.json"),
		WithAccountID(testAccountID), WithHeader("X-Team", "onboarding"), WithHeader("X-Trace", "a"))
	ctx := context.Background()

	_, err := h.client.Customers.Get(ctx, knopeID)
	require.NoError(t, err)
	_, err = h.client.Customers.Get(ctx, knopeID, WithAccountID(otherAccountID), WithHeader("X-Trace", "b"))
	require.NoError(t, err)
	_, err = h.client.Customers.Get(ctx, knopeID)
	require.NoError(t, err)

	rs := h.reqs()
	require.Len(t, rs, 3)
	assert.Equal(t, testAccountID, rs[0].Header.Get("Straddle-Account-Id"))
	assert.Equal(t, []string{"onboarding"}, rs[0].Header.Values("X-Team"))
	assert.Equal(t, []string{"a"}, rs[0].Header.Values("X-Trace"))

	assert.Equal(t, otherAccountID, rs[1].Header.Get("Straddle-Account-Id"), "the call's account overrides the client's")
	assert.Equal(t, []string{"b"}, rs[1].Header.Values("X-Trace"), "the call's header replaces the client's values")
	assert.Equal(t, []string{"onboarding"}, rs[1].Header.Values("X-Team"), "other client headers stay")

	assert.Equal(t, testAccountID, rs[2].Header.Get("Straddle-Account-Id"), "an override lasts one call")
	assert.Equal(t, []string{"a"}, rs[2].Header.Values("X-Trace"))
}

func TestMaxRetriesAndAttemptTimeoutAtBothLevels(t *testing.T) {
	h := newHarness(t, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 503, respFixture(t, "getCustomer.500.server-error.json"))
	}, WithMaxRetries(1))
	h.skip = func(*http.Response) bool { return true }
	ctx := context.Background()

	var resp Response
	_, err := h.client.Customers.Get(ctx, knopeID, WithResponseInto(&resp))
	require.Error(t, err)
	assert.Equal(t, 2, resp.Attempts, "client default: 1 retry")

	_, err = h.client.Customers.Get(ctx, knopeID, WithMaxRetries(3), WithResponseInto(&resp))
	require.Error(t, err)
	assert.Equal(t, 4, resp.Attempts, "per call: 3 retries")

	_, err = h.client.Customers.Get(ctx, knopeID, WithMaxRetries(0), WithResponseInto(&resp))
	require.Error(t, err)
	assert.Equal(t, 1, resp.Attempts, "per call: none")

	c, err := NewClient(WithAPIKey(testAPIKey), WithAttemptTimeout(5*time.Second))
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, *c.defaults.attemptTimeout)
}

func TestBadCommonOptionsFailNewClientAndTheCall(t *testing.T) {
	for _, opt := range []CommonOption{
		WithAccountID("not-a-uuid"), WithHeader("Authorization", "x"), WithHeader("X-A", "line\nbreak"),
		WithMaxRetries(-1), WithAttemptTimeout(-time.Second),
	} {
		_, err := NewClient(WithAPIKey(testAPIKey), opt)
		var ve *ValidationError
		assert.True(t, errors.As(err, &ve), "NewClient: %v", err)

		h := newHarness(t, func(http.ResponseWriter, *http.Request) { t.Error("a request was sent") })
		_, err = h.client.Customers.Get(context.Background(), knopeID, opt)
		assert.True(t, errors.As(err, &ve), "call: %v", err)
	}
}
