package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/notify/smtptest"
	"github.com/salesflow/salesflow/internal/store"
)

// helloTemplate is the email template the policy tests' workflows send.
const helloTemplate = `kind: template
name: hello
object: lead
subject: "Hello {{ lead.first_name }}"
body: "Hi"
`

const twoEmails = `kind: workflow
name: twice
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: first
    action: send_email
    with: { to: lead, template: hello }
  - id: second
    action: send_email
    with: { to: lead, template: hello }
---
` + helloTemplate

func TestPolicyCapDefersTheSecondEmailByADay(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, opt := withSMTP(t)
		h := newHarness(t, db, opt)
		h.apply("kind: policy\nname: default\ncontact:\n  max_emails: { per_contact: 1, per: 1d }\non_blocked: defer\n")
		h.apply(twoEmails)
		h.create("lead", map[string]any{"email": "ann@acme.com", "first_name": "Ann"})
		h.drain()
		require.Len(t, mail.Messages(), 1)
		run := h.only("twice")
		require.Equal(t, store.RunWaiting, run.Status)
		st := h.stepsByID(run.ID)["second"]
		require.Equal(t, "deferred", st.Status)
		require.Equal(t, "default", st.Decision["policy"])
		require.Equal(t, "contact.max_emails", st.Decision["rule"])
		require.Contains(t, st.Decision["reason"], "1d")
		require.WithinDuration(t, h.now().Add(24*time.Hour), *run.WaitUntil, time.Second)

		h.advance(23 * time.Hour)
		require.Len(t, mail.Messages(), 1, "still inside the window")
		h.advance(2 * time.Hour)
		require.Len(t, mail.Messages(), 2)
		require.Equal(t, store.RunCompleted, h.only("twice").Status)
		require.Equal(t, []string{"deferred", "done"}, h.statuses(run.ID, "second"), "the deferral stays in the history")
	})
}

func TestPolicyQuietHoursAndHolidayDeferToTheNextMorning(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, opt := withSMTP(t)
		h := newHarness(t, db, opt)
		h.mu.Lock()
		h.clock = time.Date(2026, 12, 24, 19, 30, 0, 0, time.UTC) // 20:30 in Berlin, Christmas Eve
		h.mu.Unlock()
		h.apply("kind: calendar\nname: holidays\ntimezone: Europe/Berlin\nhours: { mon-fri: \"09:00-17:00\" }\nholidays: [2026-12-25]\n")
		h.apply("kind: policy\nname: default\nquiet_hours: { from: \"19:00\", to: \"08:00\", timezone: recipient }\ncalendar: holidays\n")
		h.apply(twoEmails)
		h.create("lead", map[string]any{"email": "ann@acme.de", "first_name": "Ann", "timezone": "Europe/Berlin"})
		h.drain()
		require.Empty(t, mail.Messages())
		run := h.only("twice")
		require.Equal(t, time.Date(2026, 12, 26, 7, 0, 0, 0, time.UTC), run.WaitUntil.UTC(), "08:00 in Berlin the day after the holiday")
		require.Equal(t, "deferred", h.stepsByID(run.ID)["first"].Status)
		h.advance(36 * time.Hour)
		require.Len(t, mail.Messages(), 2)
	})
}

func TestPolicyBudgetSkipsTheNotificationAndSaysWhy(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		_, opt := withSMTP(t)
		h := newHarness(t, db, opt)
		rep := h.create("user", map[string]any{"email": "sam@example.com", "name": "Sam"}).ID()
		h.apply("kind: policy\nname: budget\nautomation_budget: { per_rep_daily: 1 }\non_blocked: skip\n")
		h.apply(`kind: workflow
name: pings
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: one
    action: notify
    with: { channel: email, to: lead.owner, text: "one" }
  - id: two
    action: notify
    with: { channel: email, to: lead.owner, text: "two" }
  - action: set
    with: { status: working }
`)
		h.create("lead", map[string]any{"email": "ann@acme.com", "owner_id": rep})
		h.drain()
		run := h.only("pings")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		two := h.stepsByID(run.ID)["two"]
		require.Equal(t, "skipped", two.Status)
		require.Equal(t, "automation_budget", two.Decision["rule"])
		require.Equal(t, "done", h.stepsByID(run.ID)["one"].Status)
	})
}

// A step that fails inside a segment rolls the segment back; a retry must run the segment's earlier
// steps again, not start at the failed step and skip them.
func TestRetryRerunsTheStepsTheFailedSegmentRolledBack(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		h.apply(`kind: workflow
name: two-sets
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - action: set
    with: { status: working }
  - id: title
    action: set
    with: { title: "{{ lead.employees * 2.0 }}" }
`)
		l := h.create("lead", map[string]any{"email": "ann@acme.com"})
		h.drain()
		run := h.only("two-sets")
		require.Equal(t, store.RunFailed, run.Status)
		require.Equal(t, "new", h.get("lead", l.ID()).String("status"), "the failed segment rolled back")
		h.update("lead", l.ID(), map[string]any{"employees": 10.0})
		_, err := h.e.Retry(h.ctx, admin, run.ID, engine.OnOriginal)
		require.NoError(t, err)
		h.drain()
		got := h.get("lead", l.ID())
		require.Equal(t, "working", got.String("status"), "the rolled-back step ran again")
		require.Equal(t, "20", got.String("title"))
		require.Equal(t, store.RunCompleted, h.only("two-sets").Status)
	})
}

const emailOnCreate = `kind: workflow
name: %s
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: hello
    action: send_email
    with: { to: lead, template: hello }
`

// TestPolicyCapCountsASendBeingRetried: two workflows email the same new lead under a cap of one
// email a day, and the relay refuses the first attempt. The touch is counted when the gate lets the
// step through — not after the send — so the other workflow's email waits a day rather than going out
// beside the retried one, and the retry is not blocked by its own touch.
func TestPolicyCapCountsASendBeingRetried(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, opt := withSMTP(t)
		h := newHarness(t, db, opt)
		h.apply("kind: policy\nname: default\ncontact:\n  max_emails: { per_contact: 1, per: 1d }\non_blocked: defer\n")
		h.apply(strings.SplitN(twoEmails, "---\n", 2)[1])
		h.apply(fmt.Sprintf(emailOnCreate, "welcome-a") + "---\n" + fmt.Sprintf(emailOnCreate, "welcome-b"))
		mail.FailNext(1)
		h.create("lead", map[string]any{"email": "ann@acme.com", "first_name": "Ann"})
		h.drain()
		require.Empty(t, mail.Messages(), "the first send was refused; the other may not go out meanwhile")
		status := map[string]string{}
		for _, wf := range []string{"welcome-a", "welcome-b"} {
			status[wf] = h.stepsByID(h.only(wf).ID)["hello"].Status
		}
		require.ElementsMatch(t, []string{"deferred", "retrying"}, []string{status["welcome-a"], status["welcome-b"]}, "%v", status)

		h.advance(10 * time.Minute) // the retry's backoff
		require.Len(t, mail.Messages(), 1, "the retry goes out: its own touch does not block it")
		h.advance(24 * time.Hour)
		require.Len(t, mail.Messages(), 2, "the other one a day later")
	})
}

// TestARefusedEmailDoesNotCountAgainstTheCap: the gate counts a touch before the email goes out; when
// the mail server refuses it for good (550), the touch is taken back, so the next email to the
// contact within the cap's window is sent, not deferred.
func TestARefusedEmailDoesNotCountAgainstTheCap(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, opt := withSMTP(t)
		h := newHarness(t, db, opt)
		h.apply("kind: policy\nname: default\ncontact:\n  max_emails: { per_contact: 1, per: 1d }\non_blocked: defer\n")
		h.apply(welcomeAndNudge)
		mail.RejectNext(1)
		l := h.create("lead", map[string]any{"email": "ann@acme.com", "first_name": "Ann"})
		h.drain()
		welcome := h.only("welcome")
		require.Equal(t, store.RunFailed, welcome.Status)
		require.Contains(t, welcome.Error, "550")

		h.update("lead", l.ID(), map[string]any{"status": "working"})
		h.drain()
		nudge := h.only("nudge")
		require.Equal(t, store.RunCompleted, nudge.Status, "the refused email took no place under the cap: %s", nudge.Error)
		require.Equal(t, 1, messagesTo(mail, "ann@acme.com"))
	})
}

// TestATimedOutThenRefusedEmailStillCounts: the first attempt timed out after the server had kept the
// message (so it went out), and the retry was refused for good. The touch stays: the contact did get
// an email, and a cap of one a day holds the next one back.
func TestATimedOutThenRefusedEmailStillCounts(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail := smtptest.Start(t)
		m, err := notify.NewMailer(notify.SMTPConfig{Host: mail.Host, Port: mail.Port, TLS: "none", From: "salesflow@example.com", Timeout: 500 * time.Millisecond})
		require.NoError(t, err)
		h := newHarness(t, db, func(o *engine.Options) { o.Mailer = m })
		h.apply("kind: policy\nname: default\ncontact:\n  max_emails: { per_contact: 1, per: 1d }\non_blocked: defer\n")
		h.apply(welcomeAndNudge)
		mail.StallNext(1, 2*time.Second) // kept, but answered after the mailer gave up
		l := h.create("lead", map[string]any{"email": "ann@acme.com", "first_name": "Ann"})
		h.drain()
		require.Equal(t, "retrying", h.stepsByID(h.only("welcome").ID)["hello"].Status)
		mail.RejectNext(1)
		h.advance(10 * time.Minute) // the retry: refused for good
		welcome := h.only("welcome")
		require.Equal(t, store.RunFailed, welcome.Status)
		require.Contains(t, welcome.Error, "550")

		h.update("lead", l.ID(), map[string]any{"status": "working"})
		h.drain()
		require.Equal(t, store.RunWaiting, h.only("nudge").Status, "the cap holds the nudge back")
		require.Equal(t, 1, messagesTo(mail, "ann@acme.com"))
	})
}

func messagesTo(mail *smtptest.Server, addr string) int {
	n := 0
	for _, m := range mail.Messages() {
		if strings.Contains(strings.Join(m.To, ","), addr) {
			n++
		}
	}
	return n
}

// welcomeAndNudge: an email on creation, another when the status changes, both to the lead.
var welcomeAndNudge = fmt.Sprintf(emailOnCreate, "welcome") + `---
kind: workflow
name: nudge
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.updated, changed: status }
steps:
  - id: again
    action: send_email
    with: { to: lead, template: hello }
---
` + helloTemplate

// TestADeferredTaskIsCreatedWhenItsDeferralEnds: the contact policy deferred a task step by a day;
// when the deferral ends the task is created and the run waits on it. Also when an apply moved the run
// meanwhile to a version where the task sits at another address, and when the deferral was kept by an
// older build, by address (found by reading and by review: the run took the deferral's end for the
// task's completion and went on without creating it).
func TestADeferredTaskIsCreatedWhenItsDeferralEnds(t *testing.T) {
	for _, c := range []struct{ older, moved bool }{{false, false}, {false, true}, {true, false}, {true, true}} {
		t.Run(fmt.Sprintf("older=%v,moved=%v", c.older, c.moved), func(t *testing.T) {
			eachDB(t, func(t *testing.T, db string) {
				mail, opt := withSMTP(t)
				h := newHarness(t, db, opt)
				h.apply("kind: policy\nname: default\ncontact:\n  max_touches: { per_contact: 1, per: 1d }\non_blocked: defer\n")
				h.apply(fmt.Sprintf(emailThenTask, ""))
				lead := h.create("lead", map[string]any{"email": "ann@acme.com", "first_name": "Ann", "owner_id": h.owner})
				h.drain()
				require.Len(t, mail.Messages(), 1)
				run := h.only("touches")
				require.Equal(t, "deferred", h.stepsByID(run.ID)["call"].Status)
				if c.older {
					h.asOlderBuild(run.ID, func(r *store.Run) { r.State["deferred"] = r.Cursor })
				}
				if c.moved { // to a version where the task's old address is the email's
					v2 := fmt.Sprintf(emailThenTask, "- { id: hello, action: set, with: { title: moved } }")
					require.Equal(t, 1, h.applyMoving(v2)["moved"])
				}
				h.advance(25 * time.Hour)
				run = h.only("touches")
				require.Equal(t, store.RunWaiting, run.Status, run.Error)
				require.Equal(t, "task", run.WaitKind)
				task := h.get("task", run.WaitKey)
				require.Equal(t, "Call Ann", task.String("title"))
				require.Equal(t, lead.ID(), task.String("record_id"))
			})
		})
	}
}

var emailThenTask = leadFlow("touches", "{ on: lead.created }", `  %s
  - id: first
    action: send_email
    with: { to: lead, template: hello }
  - id: call
    task: { type: call, owner: lead.owner, title: "Call {{ lead.first_name }}", due: 1h }
---
`) + helloTemplate
