package engine_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/definitions"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
	"github.com/salesflow/salesflow/internal/workflow"
)

const versioned = `kind: workflow
name: nurture
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  %s
  - id: wait
    delay: { duration: 1d }
  - id: stamp
    action: set
    with: { title: "%s" }
`

func TestWaitingRunsFinishMoveOrCancelOnApply(t *testing.T) {
	for _, policy := range []string{definitions.WaitingFinish, definitions.WaitingMove, definitions.WaitingCancel} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "sqlite")
			h.a.Definitions.SetRuntime(h.e)
			h.apply(sprintf(versioned, "", "v1"))
			lead := h.create("lead", map[string]any{"email": "v@acme.com"})
			h.drain()
			preview, err := h.e.Waiting(h.ctx, "nurture")
			require.NoError(t, err)
			require.Equal(t, []int{1, 1}, []int{len(preview), preview[0].Runs})
			require.Equal(t, "wait", preview[0].StepID)

			// version 2 adds a step before the wait: the wait moves from address 1 to 2, its id stays
			v2 := sprintf(versioned, "- { id: hello, action: set, with: { status: working } }", "v2")
			res, _, err := h.a.Definitions.ApplyWith(h.ctx, admin, []workflow.Source{{File: "v2.yaml", Content: []byte(v2)}},
				definitions.ApplyOptions{Waiting: policy})
			require.NoError(t, err)
			require.Equal(t, policy, res.Applied[0].Waiting["policy"])
			h.advance(25 * time.Hour)
			run := h.only("nurture")
			title := h.get("lead", lead.ID()).String("title")
			switch policy {
			case definitions.WaitingFinish:
				require.Equal(t, 1, run.Version)
				require.Equal(t, "v1", title)
			case definitions.WaitingMove:
				require.Equal(t, 1, res.Applied[0].Waiting["moved"])
				require.Equal(t, 2, run.Version)
				require.Equal(t, "v2", title)
				require.Equal(t, "new", h.get("lead", lead.ID()).String("status"), "a moved run goes on from its step, not from the start")
			case definitions.WaitingCancel:
				require.Equal(t, store.RunCancelled, run.Status)
				require.Empty(t, title)
			}
		})
	}
}

// TestARunMovedDuringItsCallKeepsTheCallsResult: a run is in its webhook call when an apply moves it to
// a version where the webhook's step sits at another address (a step was put before it). The call's
// answer belongs to the step with the same id in the new version: a success is recorded there once and
// the run goes on (before, the answer was dropped and the call made again), and a failure counts as that
// step's first attempt (before, it was recorded against whatever step sat at the old address).
func TestARunMovedDuringItsCallKeepsTheCallsResult(t *testing.T) {
	for _, answer := range []int{http.StatusOK, http.StatusServiceUnavailable} {
		t.Run(fmt.Sprint(answer), func(t *testing.T) {
			eachDB(t, func(t *testing.T, db string) {
				rc, srv, arrived, release := heldCall(t, answer)
				h := newHarness(t, db)
				flow := func(before, title string) string {
					return fmt.Sprintf(movedCall, before, srv.URL, title)
				}
				h.apply(flow("", "v1"))
				lead := h.create("lead", map[string]any{"email": "mo@acme.com"})
				_, stop := startEngine(t, h, engine.Options{Workers: 2, MaxAttempts: 3, Poll: 10 * time.Millisecond})
				t.Cleanup(stop)
				arrived()
				require.Equal(t, 1, h.applyMoving(flow("- { id: hello, action: set, with: { status: working } }", "v2"))["moved"])
				release()
				if answer != http.StatusOK {
					require.Eventually(t, func() bool { return len(h.stepsOf(h.only("moved").ID, "push")) == 1 }, 20*time.Second, 10*time.Millisecond)
					h.mu.Lock()
					h.clock = h.clock.Add(10 * time.Minute) // past the retry's backoff
					h.mu.Unlock()
				}
				h.settled("moved", 1)
				run := h.only("moved")
				require.Equal(t, store.RunCompleted, run.Status, run.Error)
				require.Equal(t, 2, run.Version)
				require.Equal(t, "v2", h.get("lead", lead.ID()).String("title"))
				require.Equal(t, "new", h.get("lead", lead.ID()).String("status"), "the moved run went on from its step")
				got := h.tries(run.ID, "push")
				require.Empty(t, h.stepsOf(run.ID, "hello"), "nothing is recorded against the step at the call's old address")
				if answer == http.StatusOK {
					require.Equal(t, 1, len(rc.deliveries()), "the call is not made again")
					require.Equal(t, []string{"done 1"}, got)
				} else {
					require.Equal(t, 2, len(rc.deliveries()))
					require.Equal(t, []string{"retrying 1", "done 2"}, got)
				}
			})
		})
	}
}

// heldCall starts a receiver whose first call is answered with status once release is called (at the
// latest when the test ends); arrived waits until that call has come.
func heldCall(t *testing.T, status int) (rc *receiver, srv *httptest.Server, arrived, release func()) {
	came, held := make(chan struct{}, 1), make(chan struct{})
	rc = &receiver{script: []func(http.ResponseWriter){func(w http.ResponseWriter) {
		came <- struct{}{}
		<-held
		w.WriteHeader(status)
	}}}
	srv = httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	var once sync.Once
	release = func() { once.Do(func() { close(held) }) }
	t.Cleanup(release) // before Close, which waits for the handler
	arrived = func() {
		select {
		case <-came:
		case <-time.After(20 * time.Second):
			t.Fatal("the call was not made")
		}
	}
	return rc, srv, arrived, release
}

// firstCallAnswered applies movedCall (version 1), whose webhook's first call is answered with code,
// and runs a lead's run as far as it goes. It returns version 2's text, with a step put before the call.
func firstCallAnswered(t *testing.T, db string, code int) (h *harness, v2 string) {
	t.Helper()
	_, url := startReceiver(t, status(code))
	h = newHarness(t, db)
	h.apply(fmt.Sprintf(movedCall, "", url, "v1"))
	h.create("lead", map[string]any{"email": "mo@acme.com"})
	h.drain()
	return h, fmt.Sprintf(movedCall, "- { id: hello, action: set, with: { status: working } }", url, "v2")
}

var movedCall = leadFlow("moved", "{ on: lead.created }", `  %s
  - id: push
    action: webhook
    with: { url: "%s/leads" }
  - id: stamp
    action: set
    with: { title: "%s" }
`)

// TestARetryCountsTheStepsEarlierAttempts: a webhook failed once, and while its retry waits, an apply
// moves the run to a version where the step sits at another address, or the attempts were counted by
// an older build (by address). The retry is the step's second attempt, not its first: attempts are
// counted by step id, which the move keeps.
func TestARetryCountsTheStepsEarlierAttempts(t *testing.T) {
	for _, c := range []string{"moved", "older build"} {
		t.Run(c, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db string) {
				h, v2 := firstCallAnswered(t, db, 503)
				run := h.only("moved")
				if c == "moved" {
					require.Equal(t, 1, h.applyMoving(v2)["moved"])
				} else {
					h.asOlderBuild(run.ID, func(r *store.Run) {
						tries := r.State["tries"].(map[string]any)
						require.NotNil(t, tries["push"])
						tries[r.Cursor] = tries["push"]
						delete(tries, "push")
					})
				}
				h.advance(10 * time.Minute) // past the retry's backoff
				run = h.only("moved")
				require.Equal(t, store.RunCompleted, run.Status, run.Error)
				got := h.tries(run.ID, "push")
				require.Equal(t, []string{"retrying 1", "done 2"}, got)
			})
		})
	}
}

// TestAMoveLeavesARunWhoseStepBecameAnotherAction: a run is in its webhook call when an apply would
// move it to a version where the step with the same id sends an email instead. The move leaves it on
// its version, where the webhook's answer is recorded; it is not taken as the email's (found by review:
// the email step recorded the webhook's answer as done, and the email was never sent).
func TestAMoveLeavesARunWhoseStepBecameAnotherAction(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		rc, srv, arrived, release := heldCall(t, http.StatusOK)
		mail, withMail := withSMTP(t)
		h := newHarness(t, db)
		h.apply(fmt.Sprintf(oneStep, `action: webhook
    with: { url: "`+srv.URL+`/leads" }`))
		h.create("lead", map[string]any{"email": "mo@acme.com", "first_name": "Mo"})
		opts := engine.Options{Workers: 2, MaxAttempts: 3, Poll: 10 * time.Millisecond}
		withMail(&opts)
		_, stop := startEngine(t, h, opts)
		t.Cleanup(stop)
		arrived()
		waiting := h.applyMoving(fmt.Sprintf(oneStep, "action: send_email\n    with: { to: lead, template: hello }"))
		require.Equal(t, 1, waiting["stayed"], "%+v", waiting)
		preview, err := h.e.Waiting(h.ctx, "kinds")
		require.NoError(t, err)
		require.Len(t, preview, 1)
		require.Equal(t, "push", preview[0].StepID)
		require.Equal(t, "action:webhook", preview[0].Type)
		require.False(t, preview[0].InCurrent, "the preview says the run would not move")
		release()
		h.settled("kinds", 1)
		run := h.only("kinds")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		require.Equal(t, 1, run.Version)
		require.Equal(t, []string{"done"}, h.statuses(run.ID, "push"))
		require.Equal(t, 1, len(rc.deliveries()))
		require.Empty(t, mail.Messages())
	})
}

var oneStep = leadFlow("kinds", "{ on: lead.created }", "  - id: push\n    %s\n---\n") + helloTemplate

// TestAMovedRunsPastAttemptsStayWithTheirStep: a webhook without an id of its own (its address is its
// id) failed once before it went through, and the run waits at a later step when an apply moves it to a
// version where another webhook sits at that address. That webhook's first call is its first attempt
// (found by review: the old step's count was renamed to the new step's id, which lost it a retry).
func TestAMovedRunsPastAttemptsStayWithTheirStep(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		_, url := startReceiver(t, status(503))
		h := newHarness(t, db)
		h.apply(fmt.Sprintf(pastAttempts, `  - { id: first, action: set, with: { title: v1 } }
  - { action: webhook, with: { url: "`+url+`/one" } }
  - { id: pause, delay: { duration: 1h } }`))
		h.create("lead", map[string]any{"email": "pa@acme.com"})
		h.drain()
		h.advance(10 * time.Minute) // the webhook's retry goes through; the run waits at pause
		run := h.only("past")
		require.Equal(t, store.RunWaiting, run.Status, run.Error)
		require.Equal(t, 1, h.applyMoving(fmt.Sprintf(pastAttempts, `  - { id: pause, delay: { duration: 1h } }
  - { id: ping, action: webhook, with: { url: "`+url+`/two" } }`))["moved"])
		h.advance(2 * time.Hour)
		run = h.only("past")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		ping := h.stepsOf(run.ID, "ping")
		require.Len(t, ping, 1)
		require.Equal(t, 1, ping[0].Attempts)
	})
}

var pastAttempts = leadFlow("past", "{ on: lead.created }", "%s\n")

// TestARetryOnTheCurrentVersionUpgradesAnOlderBuildsState: a failed run whose state an older build kept
// by step address is retried on the current version, where another step sits at that address. Its keys
// are renamed against the version it failed on, before it changes version (found by review: else the
// next step read the old addresses in the new version).
func TestARetryOnTheCurrentVersionUpgradesAnOlderBuildsState(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h, v2 := firstCallAnswered(t, db, 400)
		run := h.only("moved")
		require.Equal(t, store.RunFailed, run.Status)
		h.asOlderBuild(run.ID, func(r *store.Run) {
			r.State["handoff:"+r.State["failed_at"].(string)] = map[string]any{"attempt": 1.0}
		})
		h.apply(v2)
		retried, err := h.e.Retry(h.ctx, admin, run.ID, engine.OnCurrent)
		require.NoError(t, err)
		require.Equal(t, 2, retried.Version)
		require.NotNil(t, h.only("moved").State["handoff:push"], "%v", h.only("moved").State)
	})
}
