package engine_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

// TestACallCutShortSaysSoWhenMadeAgain: the engine stops while a webhook call is in flight (a crash
// or a shutdown), so the call's result is never recorded. The next engine makes the call again, with
// the same idempotency key, and the run's history says why the receiver may have it twice: an
// "interrupted" entry (attempt 1), then the call (attempt 2). Before, the history showed one call.
func TestACallCutShortSaysSoWhenMadeAgain(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h, keys := cutShortCall(t, db, 5)
		require.Len(t, keys(), 2)
		require.Equal(t, keys()[0], keys()[1], "the same idempotency key")
		run := h.only("push")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		require.Equal(t, []string{"interrupted 1", "done 2"}, h.tries(run.ID, "push"))
		require.Contains(t, h.stepsOf(run.ID, "push")[0].Error, "the same idempotency key")
	})
}

// TestACallCutShortOnItsLastAttemptIsNotMadeAgain: an interrupted attempt counts, so a call that
// brings the server down every time is not made for ever: cut short on its last attempt, the run fails,
// saying why, and the call is not made again.
func TestACallCutShortOnItsLastAttemptIsNotMadeAgain(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h, keys := cutShortCall(t, db, 1)
		require.Len(t, keys(), 1)
		run := h.only("push")
		require.Equal(t, store.RunFailed, run.Status)
		require.Contains(t, run.Error, "whether it arrived is unknown, and it is not made again")
	})
}

// cutShortCall makes a lead's webhook call, stops the engine during it, starts another and waits until
// the run settles. It returns the idempotency keys of the calls the receiver got.
func cutShortCall(t *testing.T, db string, maxAttempts int) (*harness, func() []string) {
	h := newHarness(t, db)
	var mu sync.Mutex
	var keys []string
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("Idempotency-Key"))
		first := len(keys) == 1
		mu.Unlock()
		if first { // never answers: the engine stops during the call
			arrived <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-release:
			}
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before Close, which waits for the handlers
	h.apply(fmt.Sprintf(pushFlow, srv.URL))
	h.create("lead", map[string]any{"email": "jo@acme.com"})
	start := func() func() {
		_, stop := startEngine(t, h, engine.Options{Workers: 2, MaxAttempts: maxAttempts, Poll: 10 * time.Millisecond})
		return stop
	}
	stop := start()
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the call was not made")
	}
	stop()
	if db == "postgres" { // another process takes the job once its lease has run out
		h.mu.Lock()
		h.clock = h.clock.Add(3 * time.Minute)
		h.mu.Unlock()
	} // on SQLite the next start ends the stopped process's leases
	t.Cleanup(start())
	h.settled("push", 1)
	return h, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), keys...)
	}
}

// TestAFailedAttemptIsNotTakenAsCutShort: a call answered 503 is recorded as a retry; then a process
// claims the job and stops before running it (its lease not given back). The next claim finds the lease
// ended, but the failed attempt's record cleared the run's mark, so nothing is said to be cut short: the
// history is retrying, done (found by review: it said retrying, interrupted, done for two deliveries).
func TestAFailedAttemptIsNotTakenAsCutShort(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		rc, url := startReceiver(t, status(503))
		h := newHarness(t, db)
		h.apply(fmt.Sprintf(pushFlow, url))
		h.create("lead", map[string]any{"email": "ann@acme.com"})
		h.drain()
		require.Len(t, rc.deliveries(), 1)
		h.mu.Lock()
		h.clock = h.clock.Add(10 * time.Minute) // past the retry's backoff
		h.mu.Unlock()
		h.claimAndStop()
		h.advance(3 * time.Minute) // its lease runs out; the job runs again
		require.Len(t, rc.deliveries(), 2)
		require.Equal(t, []string{"retrying", "done"}, h.statuses(h.only("push").ID, "push"))
	})
}

// TestCallsNotMadeAtShutdownAreNotTakenAsCutShort: one worker is in a slow call when the engine stops,
// and a second lead's call waits for it: held by the feed, or (after the feed's wait ran out) given back
// and claimed again by the claim loop. Either way that call was not made, so after the restart its
// history shows one call, not one cut short (both found by review, the second 3 runs in 3).
func TestCallsNotMadeAtShutdownAreNotTakenAsCutShort(t *testing.T) {
	for _, c := range []struct {
		name       string
		poll, wait time.Duration // the feed's wait for a worker is at most poll
	}{{"held by the feed", 3 * time.Second, 100 * time.Millisecond}, {"claimed again", 200 * time.Millisecond, 1500 * time.Millisecond}} {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, "sqlite")
			arrived, release := make(chan string, 8), make(chan struct{})
			var slow atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var body struct{ Email string }
				_ = json.NewDecoder(r.Body).Decode(&body)
				arrived <- body.Email
				if body.Email == "slow@acme.com" && slow.Add(1) == 1 { // the first call is still running at the stop
					select {
					case <-r.Context().Done():
					case <-release:
					}
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			h.apply(fmt.Sprintf(pushFlow, srv.URL))
			start := func() func() {
				_, stop := startEngine(t, h, engine.Options{Workers: 1, Poll: c.poll})
				return stop
			}
			stop := start()
			h.create("lead", map[string]any{"email": "slow@acme.com"})
			require.Equal(t, "slow@acme.com", <-arrived)
			h.create("lead", map[string]any{"email": "held@acme.com"}) // its call waits: no free worker
			require.Eventually(t, func() bool { return len(h.runs("push")) == 2 }, 10*time.Second, 10*time.Millisecond)
			time.Sleep(c.wait)
			stop()
			t.Cleanup(start())
			h.settled("push", 2)
			for _, r := range h.runs("push") {
				for _, s := range h.steps(r.ID) {
					if s.StepID == "push" && s.Status == "interrupted" {
						require.Equal(t, "slow@acme.com", h.get("lead", r.RecordID).String("email"), "only the call in flight was cut short")
					}
				}
			}
		})
	}
}

// TestAnEmailCutShortOnItsLastAttemptKeepsItsTouch: the relay has kept the welcome email but not yet
// answered when the send's lease runs out (a process that outlived it), and the step has no attempt
// left. The claim after the lease finds the call cut short: the run fails, but the contact may have
// the email, so the touch stays and a cap of one email a day holds the next one back (the failure
// took the touch back, as for a send refused for good; found by review).
func TestAnEmailCutShortOnItsLastAttemptKeepsItsTouch(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, withMail := withSMTP(t)
		h := newHarness(t, db, withMail, func(o *engine.Options) { o.MaxAttempts = 1 })
		h.apply("kind: policy\nname: default\ncontact:\n  max_emails: { per_contact: 1, per: 1d }\non_blocked: defer\n")
		h.apply(welcomeAndNudge)
		mail.StallNext(1, 3*time.Second) // kept, answered late
		opts := engine.Options{Workers: 2, MaxAttempts: 1, Poll: 10 * time.Millisecond}
		withMail(&opts)
		_, stop := startEngine(t, h, opts)
		l := h.create("lead", map[string]any{"email": "ann@acme.com", "first_name": "Ann"})
		require.Eventually(t, func() bool { return len(mail.Messages()) == 1 }, 20*time.Second, 10*time.Millisecond)
		h.mu.Lock()
		h.clock = h.clock.Add(3 * time.Minute) // the send's lease runs out while the relay has not answered
		h.mu.Unlock()
		require.Eventually(t, func() bool { return h.only("welcome").Status == store.RunFailed }, 20*time.Second, 10*time.Millisecond)
		stop() // the late answer finds the run moved on
		require.Contains(t, h.only("welcome").Error, "whether it arrived is unknown")

		h.update("lead", l.ID(), map[string]any{"status": "working"})
		h.drain()
		require.Equal(t, store.RunWaiting, h.only("nudge").Status, "the cap holds the nudge back")
		require.Equal(t, 1, messagesTo(mail, "ann@acme.com"))
	})
}

// TestACutShortEmailDeferredByThePolicyIsNotCutShortTwice: the relay has kept a welcome email but not
// answered when the send's lease runs out, at 19:01 in the recipient's zone. The next claim records the
// interrupted attempt, and the contact policy's quiet hours then defer the repeat to 08:00. In the
// morning a process claims the deferred job and stops before anything is sent; the claim after it must
// not report a second cut-short call: none was made (the first report cleared the run's mark; left in
// place, it made a false report on PostgreSQL, where the claim counts line up: the deferral's new job
// counts its claims from zero, like the first one, which a worker claimed; on SQLite the feed ran that).
func TestACutShortEmailDeferredByThePolicyIsNotCutShortTwice(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, withMail := withSMTP(t)
		h := newHarness(t, db, withMail)
		h.mu.Lock()
		h.clock = time.Date(2026, 12, 7, 17, 58, 0, 0, time.UTC) // 18:58 in Berlin
		h.mu.Unlock()
		h.apply("kind: policy\nname: default\nquiet_hours: { from: \"19:00\", to: \"08:00\", timezone: recipient }\n")
		h.apply(fmt.Sprintf(emailOnCreate, "welcome") + "---\n" + helloTemplate)
		mail.StallNext(1, 2*time.Second) // kept, answered late
		opts := engine.Options{Workers: 2, MaxAttempts: 3, Poll: 10 * time.Millisecond}
		withMail(&opts)
		_, stop := startEngine(t, h, opts)
		h.create("lead", map[string]any{"email": "ann@acme.de", "first_name": "Ann", "timezone": "Europe/Berlin"})
		require.Eventually(t, func() bool { return len(mail.Messages()) == 1 }, 20*time.Second, 10*time.Millisecond)
		h.mu.Lock()
		h.clock = h.clock.Add(3 * time.Minute) // the lease runs out, now in quiet hours
		h.mu.Unlock()
		require.Eventually(t, func() bool { return h.only("welcome").Status == store.RunWaiting }, 20*time.Second, 10*time.Millisecond)
		stop() // the late answer finds the run moved on
		run := h.only("welcome")
		require.Equal(t, []string{"interrupted", "deferred"}, h.statuses(run.ID, "hello"))
		require.Equal(t, time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC), run.WaitUntil.UTC())

		h.mu.Lock()
		h.clock = time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
		h.mu.Unlock()
		h.claimAndStop()
		h.advance(3 * time.Minute) // its lease runs out; the job runs again
		require.Equal(t, store.RunCompleted, h.only("welcome").Status)
		require.Equal(t, []string{"interrupted", "deferred", "done"}, h.statuses(run.ID, "hello"))
		require.Len(t, mail.Messages(), 2)
	})
}

// claimAndStop is a process that claims the one due job and stops without giving it back: its lease
// runs out (2 minutes).
func (h *harness) claimAndStop() {
	h.t.Helper()
	require.NoError(h.t, h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
		jobs, err := tx.ClaimJobs(h.ctx, h.now(), 2*time.Minute, 10)
		require.Len(h.t, jobs, 1)
		return err
	}))
}
