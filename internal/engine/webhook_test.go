package engine_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/store"
)

// receiver is a real HTTP endpoint that answers from a script, then 200, and keeps what it got.
type receiver struct {
	mu     sync.Mutex
	script []func(w http.ResponseWriter)
	got    []delivery
}

type delivery struct {
	key, signature string
	body           []byte
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	rc.got = append(rc.got, delivery{key: r.Header.Get("Idempotency-Key"), signature: r.Header.Get(notify.SignatureHeader), body: body})
	var f func(http.ResponseWriter)
	if len(rc.script) > 0 {
		f, rc.script = rc.script[0], rc.script[1:]
	}
	rc.mu.Unlock()
	if f != nil {
		f(w)
		return
	}
	fmt.Fprint(w, `{"ok": true, "crm_id": 42}`)
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

func status(code int, header ...string) func(http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
	}
}

const hookFlow = `kind: workflow
name: push
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: mark
    action: set
    with: { status: working }
  - id: push
    action: webhook
    with:
      url: "%s/leads"
      body: '{"email": "{{ lead.email }}", "status": "{{ lead.status }}"}'
      secret_env: HOOK_SECRET
  - id: after
    if: steps.push.status == 200.0 && steps.push.body.ok == true
    then:
      - action: set
        with: { title: "pushed" }
`

func secretEnv(name string) string {
	if name == "HOOK_SECRET" {
		return "s3cret"
	}
	return ""
}

func TestWebhookRetriesWithOneKeyAndHonoursRetryAfter(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		rc := &receiver{script: []func(http.ResponseWriter){status(503), status(429, "Retry-After", "30")}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		h := newHarness(t, db, func(o *engine.Options) { o.Secret = secretEnv; o.MaxAttempts = 5 })
		h.apply(fmt.Sprintf(hookFlow, srv.URL))
		lead := h.create("lead", map[string]any{"email": "ann@acme.com"})
		h.drain()
		require.Len(t, rc.deliveries(), 1, "the first attempt, answered 503")
		run := h.only("push")
		require.Equal(t, store.RunRunning, run.Status, "still running, retrying")
		require.Equal(t, "retrying", h.stepsByID(run.ID)["push"].Status)

		h.advance(10 * time.Minute) // past any backoff of a second attempt
		require.Len(t, rc.deliveries(), 2, "the second attempt, answered 429 Retry-After: 30")
		h.advance(20 * time.Second)
		require.Len(t, rc.deliveries(), 2, "Retry-After is honoured: not before 30 s")
		h.advance(11 * time.Second)
		got := rc.deliveries()
		require.Len(t, got, 3)
		for _, d := range got {
			require.Equal(t, got[0].key, d.key, "one idempotency key across retries")
			require.NoError(t, notify.Verify("s3cret", d.signature, d.body, h.now(), time.Hour))
			require.JSONEq(t, `{"email": "ann@acme.com", "status": "working"}`, string(d.body))
		}
		require.NotEmpty(t, got[0].key)
		run = h.only("push")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		push := h.stepsByID(run.ID)["push"]
		require.Equal(t, "done", push.Status)
		require.Equal(t, 3, push.Attempts)
		require.Equal(t, "pushed", h.get("lead", lead.ID()).String("title"), "the response body is the step's output")
		var tries int
		for _, st := range h.steps(run.ID) { // every attempt's entry says what was sent, and with which key
			if st.StepID == "push" {
				tries++
				require.Equal(t, map[string]any{"url": srv.URL + "/leads", "method": "POST", "idempotency_key": got[0].key}, st.Input, st.Status)
			}
		}
		require.Equal(t, 3, tries, "two retrying entries and the done one")
	})
}

func TestWebhookFailsRunAfterRetriesAndRetryResumesIt(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		rc := &receiver{script: []func(http.ResponseWriter){status(500), status(500), status(500)}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		h := newHarness(t, db, func(o *engine.Options) { o.Secret = secretEnv; o.MaxAttempts = 3 })
		h.apply(fmt.Sprintf(hookFlow, srv.URL))
		h.create("lead", map[string]any{"email": "bob@acme.com"})
		h.drain()
		h.advance(time.Hour)
		h.advance(time.Hour)
		run := h.only("push")
		require.Equal(t, store.RunFailed, run.Status)
		require.Contains(t, run.Error, "500")
		require.Equal(t, "failed", h.stepsByID(run.ID)["push"].Status)
		require.Len(t, rc.deliveries(), 3)

		_, err := h.e.Retry(h.ctx, admin, run.ID, engine.OnOriginal)
		require.NoError(t, err)
		h.drain()
		run = h.only("push")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		got := rc.deliveries()
		require.Len(t, got, 4)
		require.Equal(t, got[0].key, got[3].key, "a retried step keeps its idempotency key")
	})
}

func TestWebhookSSRFGuardFailsTheStepWithoutRetry(t *testing.T) {
	h := newHarness(t, "sqlite", func(o *engine.Options) {
		guard, err := notify.NewGuard("")
		require.NoError(t, err)
		o.Webhooks, o.Secret = notify.NewSender(guard, time.Second, nil), secretEnv
	})
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	h.apply(fmt.Sprintf(hookFlow, srv.URL))
	h.create("lead", map[string]any{"email": "eve@acme.com"})
	h.drain()
	run := h.only("push")
	require.Equal(t, store.RunFailed, run.Status, "a refused address is permanent")
	require.Contains(t, run.Error, notify.AllowlistSetting)
	require.Empty(t, rc.deliveries())
}

const twoHooks = `kind: workflow
name: hooks
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: one
    action: webhook
    with: { url: "%[1]s/one", body: '{"email": "{{ lead.email }}"}' }
  - id: two
    action: webhook
    with: { url: "%[1]s/two", body: '{"email": "{{ lead.email }}"}' }
  - id: three
    action: webhook
    with: { url: "%[1]s/three", body: '{"email": "{{ lead.email }}"}' }
  - id: bad
    action: set
    with: { status: "{{ lead.title }}" }
`

// TestAttemptsArePerStepAndCallsAreNotRepeated: each webhook fails once and succeeds (3 failures in
// all, with a limit of 2 attempts per step, the run must not fail on them), and a later step's failure
// does not send any webhook again. A retry's note keeps its own history entry.
func TestAttemptsArePerStepAndCallsAreNotRepeated(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		rc := &receiver{script: []func(http.ResponseWriter){status(503), nil, status(503), nil, status(503)}}
		srv := httptest.NewServer(rc)
		defer srv.Close()
		h := newHarness(t, db, func(o *engine.Options) { o.MaxAttempts = 2 })
		h.apply(fmt.Sprintf(twoHooks, srv.URL))
		h.create("lead", map[string]any{"email": "p@acme.com", "title": "bogus"})
		for range 5 {
			h.advance(time.Hour)
		}
		run := h.only("hooks")
		require.Equal(t, store.RunFailed, run.Status)
		require.Contains(t, run.Error, "status", "it failed at the bad set, not at a webhook")
		require.Len(t, rc.deliveries(), 6, "each webhook twice (a 503, then 200), none again after the set failed")
		steps := h.stepsByID(run.ID)
		require.Equal(t, 2, steps["three"].Attempts)

		_, err := h.e.Retry(h.ctx, admin, run.ID, engine.OnOriginal)
		require.NoError(t, err)
		h.drain()
		var retryNote, badEntries int
		for _, s := range h.steps(run.ID) {
			switch s.StepID {
			case "retry":
				retryNote++
			case "bad":
				badEntries++
			}
		}
		require.Equal(t, 1, retryNote, "the retry's note is an entry of its own")
		require.Equal(t, 2, badEntries, "the bad step failed once before the retry and once after")
		require.Len(t, rc.deliveries(), 6, "a retry from the failed step sends no webhook again")
	})
}

// newLeadFlow starts a webhook receiver and an engine, applies a workflow named name that runs steps
// (YAML, %[1]s standing for the receiver's address) on every new lead, creates one lead and drains.
func newLeadFlow(t *testing.T, db, name, steps string, opts ...func(*engine.Options)) (*harness, *receiver, string, store.Run) {
	t.Helper()
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	h := newHarness(t, db, opts...)
	h.apply(fmt.Sprintf(leadFlow(name, "{ on: lead.created }", steps), srv.URL))
	l := h.create("lead", map[string]any{"email": "ann@acme.com"})
	h.drain()
	return h, rc, l.ID(), h.only(name)
}

// secretPanics is a secret lookup that panics for BOOM, as a bug would.
func secretPanics(o *engine.Options) {
	o.Secret = func(name string) string {
		if name == "BOOM" {
			panic("secret store unreachable")
		}
		return ""
	}
}

// TestStepsAfterACallFailAloneAndTheCallStands: the steps after a webhook run in the transaction that
// records the webhook's answer, behind a savepoint. When one of them fails, what they did is undone,
// the answer stays, and a retry runs them again without calling the webhook a second time.
func TestStepsAfterACallFailAloneAndTheCallStands(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h, rc, lead, run := newLeadFlow(t, db, "call-then-sets", `  - id: push
    action: webhook
    with: { url: "%[1]s/leads", body: '{"email": "{{ lead.email }}"}' }
  - id: mark
    action: set
    with: { status: working }
  - id: note
    action: log_activity
    with: { type: note, subject: "pushed" }
  - id: title
    action: set
    with: { title: "{{ lead.employees * 2.0 }}" }
`)
		require.Equal(t, store.RunFailed, run.Status)
		require.Len(t, rc.deliveries(), 1)
		steps := h.stepsByID(run.ID)
		require.Equal(t, "done", steps["push"].Status, "the webhook's answer is kept")
		require.EqualValues(t, 42, steps["push"].Output["body"].(map[string]any)["crm_id"])
		require.Equal(t, "failed", steps["title"].Status)
		require.NotContains(t, steps, "mark", "the set before the failure was undone with its history")
		require.Equal(t, "new", h.get("lead", lead).String("status"))
		outputs, _ := run.State["steps"].(map[string]any)
		require.Contains(t, outputs, "push", "the run's state as it stood with the answer")
		require.NotContains(t, outputs, "note", "without what the undone steps put in it")

		h.update("lead", lead, map[string]any{"employees": 10.0})
		_, err := h.e.Retry(h.ctx, admin, run.ID, engine.OnOriginal)
		require.NoError(t, err)
		h.drain()
		got := h.get("lead", lead)
		require.Equal(t, "working", got.String("status"))
		require.Equal(t, "20", got.String("title"))
		require.Equal(t, store.RunCompleted, h.only("call-then-sets").Status)
		require.Len(t, rc.deliveries(), 1, "the retry did not call the webhook again")
	})
}

// TestAPanicAfterACallFailsTheStepAndKeepsTheAnswer: a step after a webhook's answer panics (here the
// secret lookup of a second webhook). The panic fails that step for good instead of taking the process
// down with the answer unrecorded, which would repeat the first webhook after every restart.
func TestAPanicAfterACallFailsTheStepAndKeepsTheAnswer(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h, rc, lead, run := newLeadFlow(t, db, "call-then-panic", `  - id: push
    action: webhook
    with: { url: "%[1]s/one", body: '{"email": "{{ lead.email }}"}' }
  - id: mark
    action: set
    with: { status: working }
  - id: again
    action: webhook
    with: { url: "%[1]s/two", body: '{}', secret_env: BOOM }
`, secretPanics)
		require.Equal(t, store.RunFailed, run.Status)
		require.Contains(t, run.Error, "panicked: secret store unreachable")
		require.Len(t, rc.deliveries(), 1)
		steps := h.stepsByID(run.ID)
		require.Equal(t, "done", steps["push"].Status, "the first webhook's answer is kept")
		require.Equal(t, "failed", steps["again"].Status)
		require.Equal(t, "new", h.get("lead", lead).String("status"), "the steps after the answer were undone")
	})
}

// TestAPanicInAStepFailsTheRunNotTheProcess: a step that panics (here the secret lookup of a webhook)
// fails its run for good; the engine goes on with other work.
func TestAPanicInAStepFailsTheRunNotTheProcess(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h, rc, lead, run := newLeadFlow(t, db, "panics", `  - id: mark
    action: set
    with: { status: working }
  - id: push
    action: webhook
    with: { url: "%[1]s/x", body: '{}', secret_env: BOOM }
`, secretPanics)
		require.Equal(t, store.RunFailed, run.Status)
		require.Contains(t, run.Error, "panicked: secret store unreachable")
		require.Empty(t, rc.deliveries())
		require.Equal(t, "new", h.get("lead", lead).String("status"), "the segment was rolled back")
	})
}
