package webhook_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straddlekit/straddle-go/straddle/webhook"
)

// The sentinel proof for webhooks: a distinctive secret, the signatures it
// makes and personal values in events go in through every door the package
// has (secrets good and bad, headers, bodies, the handler's error func and
// answers), and none may come out through fmt, slog, JSON, an error string
// or a panic.
const (
	leakKeyText = "SENTINEL-WEBHOOK-KEY-0042" // the key bytes, as text
	leakSSN     = "987-65-4320"
	leakDOB     = "1961-07-04"
	leakEIN     = "98-7654321"
	leakIP      = "198.51.100.77"
)

var (
	leakKeyB64 = base64.StdEncoding.EncodeToString([]byte(leakKeyText))
	leakSecret = webhook.SecretPrefix + leakKeyB64
)

// leakNeedles are the sentinels as they may show up; leaks also looks for
// their hex and base64 forms. Signatures made with the secret join them.
func leakNeedles(signatures []string) []string {
	needles := []string{leakKeyText, "SENTINEL-WEBHOOK", leakKeyB64, leakSSN, "987654320", leakDOB, "19610704", leakEIN, "987654321", leakIP}
	for _, s := range signatures {
		needles = append(needles, strings.TrimPrefix(s, "v1,"))
	}
	return needles
}

func leaks(out string, needles []string) []string {
	lower := strings.ToLower(out)
	var found []string
	for _, n := range needles {
		if slices.ContainsFunc(byteForms(n), func(form string) bool { return strings.Contains(lower, form) }) ||
			strings.Contains(out, base64.StdEncoding.EncodeToString([]byte(n))) {
			found = append(found, n)
		}
	}
	return found
}

// byteForms are the lower-case ways fmt can print n's bytes: as text, hex,
// decimal bytes (%d, %v of a []byte) and Go syntax (%#v of a []byte).
func byteForms(n string) []string {
	b := []byte(n)
	return []string{
		strings.ToLower(n),
		hex.EncodeToString(b),
		strings.Trim(fmt.Sprintf("%d", b), "[]"),
		strings.TrimSuffix(strings.TrimPrefix(fmt.Sprintf("%#v", b), "[]byte{"), "}"),
	}
}

// leakEvent is a valid event carrying the personal sentinels where masked
// values belong, as some responses have been seen to.
func leakEvent(t *testing.T) []byte {
	t.Helper()
	return withField(t, withField(t, eventFixture(t, "customer.event.v1.verified"), true,
		"compliance_profile", map[string]any{"ssn": leakSSN, "dob": leakDOB, "ein": leakEIN, "legal_business_name": nil, "website": nil}),
		true, "device", map[string]any{"ip_address": leakIP})
}

type leakValue struct {
	name string
	v    any
}

// leakRun drives every door with the sentinels and gathers what came back.
func leakRun(t *testing.T, logger *slog.Logger) (values []leakValue, signatures []string, answers []string) {
	t.Helper()
	add := func(name string, v any) { values = append(values, leakValue{name, v}) }
	ctx := context.Background()

	v, err := webhook.NewVerifier(leakSecret)
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := webhook.NewVerifier(newSecret(t), leakSecret)
	if err != nil {
		t.Fatal(err)
	}
	add("*Verifier", v)
	add("Verifier", *v)
	add("*Verifier (two secrets)", rotated)
	add("[]*Verifier", []*webhook.Verifier{v, rotated})
	add("map of Verifier", map[string]webhook.Verifier{"v": *v})

	for name, secrets := range map[string][]string{
		"trailing newline": {leakSecret + "\n"},
		"not base64":       {leakSecret + "!"},
		"second bad":       {leakSecret, leakSecret + " "},
		"url-safe":         {webhook.SecretPrefix + strings.NewReplacer("+", "-", "/", "_").Replace(leakKeyB64) + "-_"},
		"prefix twice":     {webhook.SecretPrefix + leakSecret},
	} {
		_, err := webhook.NewVerifier(secrets...)
		if err == nil {
			t.Fatalf("NewVerifier accepted %s", name)
		}
		add("NewVerifier error ("+name+")", err)
	}

	body := leakEvent(t)
	now := time.Now()
	sign := func(id string, at time.Time, b []byte) string {
		s := libSign(t, leakSecret, id, at, b)
		signatures = append(signatures, s)
		return s
	}
	good := headers("msg_leak", now, sign("msg_leak", now, body))
	ev, err := v.VerifyEvent(good, body)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Customer.ComplianceProfile.Individual.SSN.IsMasked() || !bytes.Contains(ev.Raw, []byte(leakSSN)) {
		t.Fatal("the sentinels did not reach the event: the proof would be vacuous")
	}
	add("*Event", ev)
	add("Event", *ev)
	add("[]*Event", []*webhook.Event{ev})
	add("Customer", *ev.Customer)

	// Verification failures whose headers carry the signatures.
	stale := now.Add(-time.Hour)
	for name, h := range map[string]http.Header{
		"stale":            headers("msg_leak", stale, sign("msg_leak", stale, body)),
		"future":           headers("msg_leak", now.Add(time.Hour), sign("msg_leak", now.Add(time.Hour), body)),
		"other id":         headers("msg_other", now, sign("msg_leak", now, body)),
		"signature a key":  headers("msg_leak", now, "v1,"+leakKeyB64+" "+sign("msg_x", now, body)),
		"timestamp secret": {"Webhook-Id": {"m"}, "Webhook-Timestamp": {leakKeyB64}, "Webhook-Signature": {sign("m", now, body)}},
		"id secret":        {"Webhook-Id": {leakSecret}, "Webhook-Timestamp": {"1"}, "Webhook-Signature": {"v1"}},
		"missing":          {"Webhook-Signature": {sign("m", now, body)}},
	} {
		err := v.Verify(h, body)
		if err == nil {
			t.Fatalf("%s verified", name)
		}
		add("verify error ("+name+")", err)
	}
	// Bodies that verify but do not decode, carrying the sentinels.
	for name, b := range map[string]string{
		"ssn as a number":   `{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","compliance_profile":{"ssn":987654320,"dob":"` + leakDOB + `"}}}`,
		"ip as data":        `{"event_type":"customer.event.v1","event_id":"e","data":"` + leakIP + `"}`,
		"dob as created_at": `{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","created_at":"` + leakDOB + `"}}`,
		"ein as event id":   `{"event_type":"customer.event.v1","event_id":["` + leakEIN + `"]}`,
		"truncated":         `{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","compliance_profile":{"ssn":"` + leakSSN,
		"not JSON":          `ssn=` + leakSSN + `&key=` + leakSecret,
		"huge number":       `{"event_type":"customer.event.v1","event_id":"e","data":{"id":"c","metadata":{"` + leakSSN + `":1e999}}}`,
	} {
		_, err := v.VerifyEvent(headers("m", now, sign("m", now, []byte(b))), []byte(b))
		var de *webhook.DecodeError
		if !errors.As(err, &de) {
			t.Fatalf("%s: err = %v, want a *DecodeError", name, err)
		}
		add("decode error ("+name+")", err)
	}

	// The handler, over loopback, on every path; its error func logs.
	var mu sync.Mutex
	var delivered []*webhook.DeliveryError
	h, err := webhook.NewHandler(v, func(ctx context.Context, ev *webhook.Event) error {
		if ev.Customer != nil && ev.Customer.Status == "rejected" {
			return errors.New("could not store the customer")
		}
		return nil
	}, webhook.WithMaxBodyBytes(4096), webhook.WithErrorFunc(func(r *http.Request, err *webhook.DeliveryError) {
		logger.Error("webhook delivery failed", "err", err, "status", err.Status)
		mu.Lock()
		delivered = append(delivered, err)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	add("*Handler", h)
	srv := newLoopback(t, h)
	rejected := withField(t, body, true, "status", "rejected")
	big := append(bytes.Repeat([]byte(leakSSN+" "), 500), body...)
	for _, d := range []struct {
		header http.Header
		body   []byte
	}{
		{good, body}, // 200
		{headers("msg_leak2", now, sign("msg_leak2", now, body)), body}, // duplicate: 200
		{headers("msg_leak", stale, sign("msg_leak", stale, body)), body},
		{headers("msg_leak", now, sign("msg_leak", now, body)), rejected},
		{headers("msg_r", now, sign("msg_r", now, rejected)), rejected},
		{headers("m", now, sign("m", now, []byte(`{"event_id":"`+leakSSN+`"}`))), []byte(`{"event_id":"` + leakSSN + `"}`)},
		{headers("m", now, sign("m", now, big)), big},
	} {
		answers = append(answers, srv.postAnswer(ctx, t, d.header, d.body))
	}
	mu.Lock()
	for i, de := range delivered {
		add(fmt.Sprintf("*DeliveryError %d (status %d)", i, de.Status), de)
	}
	mu.Unlock()
	if len(delivered) < 4 {
		t.Fatalf("only %d failures reached the error func", len(delivered))
	}
	return values, signatures, answers
}

// loopback is an httptest server whose answers the proof reads.
type loopback struct{ srv *httptest.Server }

func newLoopback(t *testing.T, h http.Handler) *loopback {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &loopback{srv}
}

func (l *loopback) postAnswer(ctx context.Context, t *testing.T, h http.Header, body []byte) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.srv.URL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := l.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return fmt.Sprint(resp.StatusCode, " ", resp.Header, " ", string(b))
}

type leakChannel struct {
	name   string
	render func(t *testing.T, v any) []string
}

func slogChannel(name string, newHandler func(io.Writer) slog.Handler) leakChannel {
	return leakChannel{name, func(_ *testing.T, v any) []string {
		var buf bytes.Buffer
		logger := slog.New(newHandler(&buf))
		logger.Debug("value", "v", v)
		logger.Debug("group", slog.Group("g", slog.Any("v", v)))
		logger.With("with", v).Error("with")
		return []string{buf.String()}
	}}
}

func recovered(v any) (r any) {
	defer func() { r = recover() }()
	panic(v)
}

var leakVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T", "%10.4v", "%-30s"}

var leakChannels = []leakChannel{
	{"fmt", func(_ *testing.T, v any) []string {
		out := []string{fmt.Sprint(v), fmt.Sprintln(v), fmt.Sprint(&v)}
		for _, verb := range leakVerbs {
			out = append(out, fmt.Sprintf(verb, v))
		}
		return out
	}},
	slogChannel("slog text", func(w io.Writer) slog.Handler {
		return slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
	}),
	slogChannel("slog JSON", func(w io.Writer) slog.Handler {
		return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})
	}),
	{"JSON", func(t *testing.T, v any) []string {
		b, err := json.Marshal(v)
		var unsupported *json.UnsupportedTypeError
		if err != nil && !errors.As(err, &unsupported) {
			t.Errorf("JSON: %v", err)
		}
		return []string{string(b), fmt.Sprint(err)}
	}},
	{"error string", func(_ *testing.T, v any) []string {
		err, ok := v.(error)
		if !ok {
			return nil
		}
		out := []string{err.Error(), fmt.Errorf("caller: %w", err).Error(), errors.Join(err, io.EOF).Error()}
		for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
			out = append(out, e.Error())
		}
		return out
	}},
	{"panic", func(_ *testing.T, v any) []string {
		var out []string
		for _, r := range []any{recovered(v), recovered(fmt.Sprint(v))} {
			out = append(out, fmt.Sprint(r), fmt.Sprintf("%#v", r))
		}
		return out
	}},
}

func TestSentinelsNeverLeak(t *testing.T) {
	for _, h := range []struct {
		name string
		new  func(io.Writer) slog.Handler
	}{
		{"text", func(w io.Writer) slog.Handler { return slog.NewTextHandler(w, nil) }},
		{"JSON", func(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }},
	} {
		t.Run("error func logs "+h.name, func(t *testing.T) {
			var buf syncBuffer
			values, sigs, answers := leakRun(t, slog.New(h.new(&buf)))
			needles := leakNeedles(sigs)
			if strings.Count(buf.String(), "webhook delivery failed") < 4 {
				t.Fatalf("too little logged:\n%s", buf.String())
			}
			if found := leaks(buf.String(), needles); len(found) > 0 {
				t.Errorf("the log leaks %q:\n%s", found, buf.String())
			}
			for _, a := range answers {
				if found := leaks(a, needles); len(found) > 0 {
					t.Errorf("an answer to the sender leaks %q: %s", found, a)
				}
			}
			if len(values) < 20 {
				t.Fatalf("only %d values gathered", len(values))
			}
		})
	}
	values, sigs, _ := leakRun(t, slog.New(slog.DiscardHandler))
	needles := leakNeedles(sigs)
	for _, lv := range values {
		t.Run(lv.name, func(t *testing.T) {
			for _, ch := range leakChannels {
				for i, out := range ch.render(t, lv.v) {
					if found := leaks(out, needles); len(found) > 0 {
						t.Errorf("%s #%d leaks %q:\n%s", ch.name, i, found, out)
					}
				}
			}
		})
	}
}

// TestLeakDetectorSeesEveryForm: the detector finds each needle as given,
// in hex and in base64, and passes redacted output.
func TestLeakDetectorSeesEveryForm(t *testing.T) {
	needles := leakNeedles([]string{"v1,AAAAsentinelsig"})
	for _, n := range needles {
		for _, out := range []string{"a " + n + " b", fmt.Sprintf("%x", n), fmt.Sprintf("%X", n), base64.StdEncoding.EncodeToString([]byte(n)),
			fmt.Sprintf("%d", []byte("{"+n+"}")), fmt.Sprintf("%#v", []byte("{"+n+"}")), fmt.Sprintf("%v", []byte(n))} {
			if len(leaks(out, needles)) == 0 {
				t.Errorf("leaks misses %q", out)
			}
		}
	}
	if got := leaks("webhook.Verifier{secrets: 1 [REDACTED]} ***-**-****", needles); len(got) != 0 {
		t.Errorf("leaks flags clean output: %q", got)
	}
}

// TestSentinelsNeverInCrashOutput crashes a child process with each value
// and checks what the runtime printed: the panic value and every goroutine.
func TestSentinelsNeverInCrashOutput(t *testing.T) {
	if os.Getenv("WEBHOOK_LEAK_PANIC") != "" {
		v, err := webhook.NewVerifier(leakSecret)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := webhook.DecodeEvent(leakEvent(t))
		if err != nil {
			t.Fatal(err)
		}
		panic(map[string]any{"verifier": v, "*Verifier": *v, "event": ev, "Event": *ev}[os.Getenv("WEBHOOK_LEAK_PANIC")])
	}
	names := []string{"verifier", "*Verifier", "event", "Event"}
	slices.Sort(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSentinelsNeverInCrashOutput$", "-test.count=1")
			cmd.Env = append(os.Environ(), "WEBHOOK_LEAK_PANIC="+name, "GOTRACEBACK=all")
			out, err := cmd.CombinedOutput()
			if err == nil || !bytes.Contains(out, []byte("panic: ")) {
				t.Fatalf("the child did not crash (%v):\n%s", err, out)
			}
			if found := leaks(string(out), leakNeedles(nil)); len(found) > 0 {
				t.Errorf("crash output leaks %q:\n%s", found, out)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the handler's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
