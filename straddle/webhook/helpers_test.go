package webhook_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/straddlekit/straddle-go/internal/contract"
	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// The Standard Webhooks test vector, published in the standard's reference
// libraries' tests (Go, Python, JavaScript, Ruby, C#, Java, PHP alike): this
// secret, message id, timestamp and body sign to vectorSignature.
const (
	vectorSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	vectorMsgID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	vectorTimestamp = 1614265330
	vectorBody      = `{"test": 2432232314}`
	vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	// vectorTampered is the Python library's invalid signature: the vector's
	// with its last character changed.
	vectorTampered = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="
	// vectorDecoy is the libraries' decoy, a well-formed signature of nothing.
	vectorDecoy = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
)

// newSecret returns a fresh whsec_ secret with a 24-byte key, as Svix makes.
func newSecret(t testing.TB) string {
	t.Helper()
	key := make([]byte, 24)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	return webhook.SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// libSign signs with the reference library itself: signatures our code did
// not make.
func libSign(t testing.TB, secret, msgID string, at time.Time, body []byte) string {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := wh.Sign(msgID, at, body)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// headers builds the signature headers in the webhook-* spelling.
func headers(msgID string, at time.Time, signature string) http.Header {
	return http.Header{
		"Webhook-Id":        {msgID},
		"Webhook-Timestamp": {strconv.FormatInt(at.Unix(), 10)},
		"Webhook-Signature": {signature},
	}
}

// svixHeaders builds them in the svix-* spelling.
func svixHeaders(msgID string, at time.Time, signature string) http.Header {
	return http.Header{
		"Svix-Id":        {msgID},
		"Svix-Timestamp": {strconv.FormatInt(at.Unix(), 10)},
		"Svix-Signature": {signature},
	}
}

// eventFixture returns testdata/events/<name>.json.
func eventFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "events", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// eventFixtures returns every event fixture by name.
func eventFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "..", "testdata", "events", "*.json"))
	if err != nil || len(paths) < 4 {
		t.Fatalf("event fixtures: %d, %v", len(paths), err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

// specEvent checks body against the spec's schema for its event type and
// returns it: every payload a test sends as a valid event goes through here.
func specEvent(t testing.TB, body []byte) []byte {
	t.Helper()
	if err := contract.ValidateEvent(body); err != nil {
		t.Fatalf("test payload breaks the spec: %v", err)
	}
	return body
}

// withField returns body with data[key] (or the envelope's key, when data
// is false) set to value, checked against the spec.
func withField(t testing.TB, body []byte, inData bool, key string, value any) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	target := m
	if inData {
		target = m["data"].(map[string]any)
	}
	if value == nil {
		delete(target, key)
	} else {
		target[key] = value
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// fixedClock returns a clock stopped at unix seconds plus offset.
func fixedClock(unix int64, offset time.Duration) func() time.Time {
	return func() time.Time { return time.Unix(unix, 0).Add(offset) }
}
