package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/notify"
	"github.com/salesflow/salesflow/internal/notify/smtptest"
	"github.com/salesflow/salesflow/internal/store"
)

func withSMTP(t *testing.T) (*smtptest.Server, func(*engine.Options)) {
	srv := smtptest.Start(t)
	m, err := notify.NewMailer(notify.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", From: "salesflow@example.com"})
	require.NoError(t, err)
	return srv, func(o *engine.Options) { o.Mailer = m }
}

const emailFlow = `kind: workflow
name: hello
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - action: send_email
    with: { to: lead, template: hello, from: lead.owner }
  - action: notify
    with: { channel: email, to: lead.owner, text: "New lead {{ lead.email }}" }
---
kind: template
name: hello
object: lead
subject: "Hello {{ lead.first_name }}"
body: |
  Hi {{ lead.first_name }}, {{ lead.owner.name }} here.
`

func TestEmailAndNotifyOverSMTP(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, opt := withSMTP(t)
		h := newHarness(t, db, opt)
		rep := h.create("user", map[string]any{"email": "sam@example.com", "name": "Sam Rep", "role": "rep"}).ID()
		h.apply(emailFlow)
		h.create("lead", map[string]any{"email": "ann@acme.com", "first_name": "Ann", "owner_id": rep})
		h.drain()
		run := h.only("hello")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		msgs := mail.Messages()
		require.Len(t, msgs, 2)
		require.Equal(t, []string{"ann@acme.com"}, msgs[0].To)
		require.Equal(t, "Hello Ann", msgs[0].Header.Get("Subject"))
		require.Contains(t, msgs[0].Body, "Hi Ann, Sam Rep here.")
		require.Equal(t, "sam@example.com", strings.Trim(msgs[0].Header.Get("Reply-To"), "<>"))
		require.NotEmpty(t, msgs[0].Header.Get(notify.IdempotencyMailHeader))
		require.Equal(t, []string{"sam@example.com"}, msgs[1].To)
		require.Contains(t, msgs[1].Body, "New lead ann@acme.com")
	})
}

const badSetFlow = `kind: workflow
name: bad
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: oops
    action: set
    with: { status: "{{ lead.title }}" }
`

func TestFailedRunsAlertTheOwnerWithAnHourlyDigest(t *testing.T) {
	mail, opt := withSMTP(t)
	h := newHarness(t, "sqlite", opt)
	h.apply(badSetFlow)
	h.create("lead", map[string]any{"email": "a@acme.com", "title": "bogus"})
	h.drain()
	run := h.only("bad")
	require.Equal(t, store.RunFailed, run.Status, "a bad value is not retried")
	require.Contains(t, run.Error, "status")
	require.Equal(t, "failed", h.stepsByID(run.ID)["oops"].Status)
	msgs := mail.Messages()
	require.Len(t, msgs, 1, "the first failure is told at once")
	require.Equal(t, []string{"revops@example.com"}, msgs[0].To)
	require.Contains(t, msgs[0].Body, run.ID)

	h.create("lead", map[string]any{"email": "b@acme.com", "title": "worse"})
	h.create("lead", map[string]any{"email": "c@acme.com", "title": "worst"})
	h.drain()
	require.Len(t, mail.Messages(), 1, "repeats within the hour wait for the digest")
	h.advance(time.Hour)
	msgs = mail.Messages()
	require.Len(t, msgs, 2)
	require.Contains(t, msgs[1].Header.Get("Subject"), "2 runs of bad failed")
}

func (h *harness) setClock(t time.Time) {
	h.mu.Lock()
	h.clock = t
	h.mu.Unlock()
}

const holidayFlow = `kind: workflow
name: follow
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
steps:
  - id: wait
    delay: { business_days: 1, calendar: office }
  - id: morning
    delay: { time: "08:30", timezone: America/New_York }
  - action: set
    with: { status: working }
---
kind: calendar
name: office
timezone: Europe/Berlin
hours: { mon-fri: "09:00-17:00" }
holidays: [2026-12-25]
`

func TestBusinessDaysSkipHolidaysAndTimeOfDayDelays(t *testing.T) {
	h := newHarness(t, "sqlite")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h.setClock(time.Date(2026, 12, 24, 10, 0, 0, 0, berlin)) // Thursday; Friday is a holiday
	h.apply(holidayFlow)
	h.create("lead", map[string]any{"email": "hol@acme.com"})
	h.drain()
	run := h.only("follow")
	require.Equal(t, time.Date(2026, 12, 28, 10, 0, 0, 0, berlin).UTC(), run.WaitUntil.UTC(), "one business day after Thursday 10:00 over a holiday and a weekend")
	h.setClock(time.Date(2026, 12, 28, 10, 0, 0, 0, berlin))
	h.drain()
	run = h.only("follow")
	ny, _ := time.LoadLocation("America/New_York")
	require.Equal(t, time.Date(2026, 12, 28, 8, 30, 0, 0, ny).UTC(), run.WaitUntil.UTC(), "10:00 in Berlin is 04:00 in New York: 08:30 the same day")
	h.setClock(time.Date(2026, 12, 28, 8, 30, 0, 0, ny))
	h.drain()
	require.Equal(t, store.RunCompleted, h.only("follow").Status)
}

const closeFlow = `kind: workflow
name: closing
owner: revops@example.com
review_every: 90d
object: deal
trigger:
  on: date
  date: { field: close_date, offset: -3d, at: "09:00", timezone: owner }
steps:
  - action: log_activity
    with: { type: note, subject: "closes in 3 days" }
`

func TestDateTriggerFollowsTheFieldInTheOwnersZone(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		berlin, _ := time.LoadLocation("Europe/Berlin")
		h.setClock(time.Date(2026, 3, 20, 12, 0, 0, 0, berlin))
		h.apply(closeFlow)
		h.create("pipeline", map[string]any{"name": "New business", "stages": []any{"Discovery", "Won"}})
		deal := h.create("deal", map[string]any{"name": "Acme", "close_date": "2026-04-10", "owner_id": h.owner})
		h.drain()
		require.Empty(t, h.runs("closing"))
		h.update("deal", deal.ID(), map[string]any{"close_date": "2026-04-02"}) // moved: across the DST change of 29 March
		h.setClock(time.Date(2026, 3, 30, 8, 59, 0, 0, berlin))
		h.drain()
		require.Empty(t, h.runs("closing"))
		h.setClock(time.Date(2026, 3, 30, 9, 0, 0, 0, berlin))
		h.drain()
		require.Len(t, h.runs("closing"), 1, "3 days before 2 April, 09:00 Berlin summer time")
		h.setClock(time.Date(2026, 4, 7, 9, 0, 0, 0, berlin))
		h.drain()
		require.Len(t, h.runs("closing"), 1, "the old date's timer was replaced, not kept")
	})
}

const weeklyFlow = `kind: workflow
name: weekly
owner: revops@example.com
review_every: 90d
object: lead
trigger:
  on: schedule
  schedule: { cron: "0 9 * * mon", timezone: Europe/Berlin }
  when: lead.status == "new"
reenroll: always
steps:
  - action: set
    with: { title: "weekly check" }
`

func TestCronScheduleEnrollsMatchingRecordsAtEachTick(t *testing.T) {
	h := newHarness(t, "sqlite")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h.setClock(time.Date(2026, 3, 27, 12, 0, 0, 0, berlin)) // a Friday before the DST change
	h.apply(weeklyFlow)
	fresh := h.create("lead", map[string]any{"email": "new@acme.com"})
	busy := h.create("lead", map[string]any{"email": "busy@acme.com", "status": "working"})
	h.drain()
	require.Empty(t, h.runs("weekly"))
	h.setClock(time.Date(2026, 3, 30, 8, 59, 0, 0, berlin))
	h.drain()
	require.Empty(t, h.runs("weekly"))
	h.setClock(time.Date(2026, 3, 30, 9, 0, 0, 0, berlin))
	h.drain()
	require.Len(t, h.runs("weekly"), 1)
	require.Equal(t, "weekly check", h.get("lead", fresh.ID()).String("title"))
	require.Empty(t, h.get("lead", busy.ID()).String("title"))
	h.setClock(time.Date(2026, 4, 6, 9, 0, 0, 0, berlin))
	h.drain()
	require.Len(t, h.runs("weekly"), 2, "the next Monday's tick")
}

const customFlow = `kind: workflow
name: trial
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: event, event: trial.started, when: event.payload.plan == "pro" }
steps:
  - action: set
    with: { title: "trial {{ event.payload.plan }}" }
`

func TestCustomEventsTriggerWorkflows(t *testing.T) {
	h := newHarness(t, "sqlite")
	h.apply(customFlow)
	lead := h.create("lead", map[string]any{"email": "t@acme.com"})
	_, err := h.a.Service.PostEvent(h.ctx, admin, "lead", lead.ID(), "trial.started", map[string]any{"plan": "free"})
	require.NoError(t, err)
	h.drain()
	require.Empty(t, h.runs("trial"))
	_, err = h.a.Service.PostEvent(h.ctx, admin, "lead", lead.ID(), "trial.started", map[string]any{"plan": "pro"})
	require.NoError(t, err)
	h.drain()
	require.Len(t, h.runs("trial"), 1)
	require.Equal(t, "trial pro", h.get("lead", lead.ID()).String("title"))
	_, err = h.a.Service.PostEvent(h.ctx, admin, "lead", "no-such-lead", "trial.started", nil)
	require.Error(t, err)
	items, _, err := h.a.Service.Timeline(h.ctx, "lead", lead.ID(), 50, "")
	require.NoError(t, err)
	var events int
	for _, it := range items {
		if it.Kind == "event" {
			events++
			require.Equal(t, "event trial.started", it.Summary)
		}
	}
	require.Equal(t, 2, events, "custom events are on the record's timeline")
}

// TestANewCalendarVersionAppliesToTheNextDelay: a calendar applied again with a holiday added counts
// it from then on, though its first version was built and cached before.
func TestANewCalendarVersionAppliesToTheNextDelay(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		berlin, _ := time.LoadLocation("Europe/Berlin")
		h.setClock(time.Date(2026, 12, 24, 10, 0, 0, 0, berlin)) // Thursday
		h.apply(strings.Replace(holidayFlow, "holidays: [2026-12-25]\n", "", 1))
		before := h.create("lead", map[string]any{"email": "before@acme.com"}).ID()
		h.drain()
		require.Equal(t, time.Date(2026, 12, 25, 10, 0, 0, 0, berlin).UTC(), runFor(h, "follow", before).WaitUntil.UTC(), "no holiday yet")
		h.apply(holidayFlow[strings.Index(holidayFlow, "kind: calendar"):]) // the calendar alone, with Friday a holiday
		after := h.create("lead", map[string]any{"email": "after@acme.com"}).ID()
		h.drain()
		require.Equal(t, time.Date(2026, 12, 28, 10, 0, 0, 0, berlin).UTC(), runFor(h, "follow", after).WaitUntil.UTC(), "over the new holiday and the weekend")
	})
}
