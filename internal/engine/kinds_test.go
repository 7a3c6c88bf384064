package engine_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/engine"
	"github.com/salesflow/salesflow/internal/store"
)

const triggerKinds = `kind: workflow
name: on-form
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: form.submitted, form: demo }
steps:
  - action: set
    with: { title: "form {{ event.form }}" }
---
kind: workflow
name: on-stage
owner: revops@example.com
review_every: 90d
object: deal
trigger: { on: deal.stage_changed, to: Won }
steps:
  - action: log_activity
    with: { type: note, subject: "won after {{ event.from }}" }
---
kind: workflow
name: on-done
owner: revops@example.com
review_every: 90d
object: task
trigger: { on: task.completed, when: event.outcome == "connected" }
steps:
  - action: log_activity
    with: { type: note, subject: "connected" }
---
kind: workflow
name: on-overdue
owner: revops@example.com
review_every: 90d
object: task
trigger: { on: task.overdue }
steps:
  - action: set
    with: { priority: urgent }
`

func TestFormStageTaskAndOverdueTriggers(t *testing.T) {
	h := newHarness(t, "sqlite")
	h.create("pipeline", map[string]any{"name": "New business", "stages": []any{"Discovery", "Won"}})
	h.apply(triggerKinds)
	form, err := h.a.Service.CreateForm(h.ctx, admin, "demo", "demo_request")
	require.NoError(t, err)
	body := []byte(`{"email":"f@acme.com","first_name":"Fay"}`)
	var fields map[string]any
	require.NoError(t, json.Unmarshal(body, &fields))
	lead, _, err := h.a.Service.SubmitForm(h.ctx, crm.FormSubmission{Form: "demo", Signature: crm.Sign(form.Secret, body), Body: body, Fields: fields})
	require.NoError(t, err)

	deal := h.create("deal", map[string]any{"name": "Acme", "stage": "Discovery"})
	open := h.create("task", map[string]any{"title": "call", "due_at": h.now().Add(time.Hour).Format(time.RFC3339), "owner_id": h.owner})
	closed := h.create("task", map[string]any{"title": "call 2", "due_at": h.now().Add(time.Hour).Format(time.RFC3339), "owner_id": h.owner})
	h.drain()
	h.update("deal", deal.ID(), map[string]any{"stage": "Won"})
	_, err = h.a.Service.CompleteTask(h.ctx, admin, closed.ID(), "connected")
	require.NoError(t, err)
	h.drain()

	require.Equal(t, "form demo", h.get("lead", lead.ID()).String("title"))
	require.Len(t, h.runs("on-stage"), 1)
	require.Equal(t, deal.ID(), h.runs("on-stage")[0].RecordID)
	require.Len(t, h.runs("on-done"), 1)
	require.Equal(t, closed.ID(), h.runs("on-done")[0].RecordID)
	require.Empty(t, h.runs("on-overdue"))

	h.advance(time.Hour + time.Second)
	overdue := h.runs("on-overdue")
	require.Len(t, overdue, 1, "only the open task became overdue")
	require.Equal(t, open.ID(), overdue[0].RecordID)
	require.Equal(t, "urgent", h.get("task", open.ID()).String("priority"))
}

const branchesFlow = `kind: workflow
name: ab
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.created }
reenroll: always
steps:
  - id: pick
    split:
      - { name: a, percent: 50, steps: [{ action: set, with: { title: a } }] }
      - { name: b, percent: 50, steps: [{ action: set, with: { title: b } }] }
  - enroll: { workflow: follow-up }
  - action: create_record
    with: { object: activity, fields: { type: note, subject: "branch {{ steps.pick.branch }}" } }
---
kind: workflow
name: follow-up
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: manual }
steps:
  - delay: { duration: 1d }
  - action: set
    with: { status: nurturing }
---
kind: workflow
name: stopper
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.updated, changed: status, to: disqualified }
steps:
  - unenroll: { workflow: follow-up }
`

func TestSplitEnrollUnenrollAndCreateRecord(t *testing.T) {
	h := newHarness(t, "sqlite")
	h.apply(branchesFlow)
	var leads []string
	for _, e := range []string{"a1@x.com", "a2@x.com", "a3@x.com", "a4@x.com", "a5@x.com", "a6@x.com", "a7@x.com", "a8@x.com"} {
		leads = append(leads, h.create("lead", map[string]any{"email": e}).ID())
	}
	h.drain()
	seen := map[string]int{}
	first := map[string]string{}
	for _, r := range h.runs("ab") {
		b := h.stepsByID(r.ID)["pick"].Output["branch"].(string)
		seen[b]++
		first[r.RecordID] = b
		require.Equal(t, b, h.get("lead", r.RecordID).String("title"))
	}
	require.Len(t, seen, 2, "eight leads fall in both halves: %v", seen)
	again, err := h.e.Enroll(h.ctx, admin, "ab", leads[0])
	require.NoError(t, err)
	require.Equal(t, true, again["enrolled"])
	h.drain()
	for _, r := range h.runs("ab") {
		if r.RecordID == leads[0] {
			require.Equal(t, first[leads[0]], h.stepsByID(r.ID)["pick"].Output["branch"], "the same record takes the same branch")
		}
	}
	require.Len(t, h.runs("follow-up"), 8, "one active run per record: the second enroll step was refused")
	notes, _, err := h.a.Service.List(h.ctx, "activity", store.ListQuery{Limit: 50, Sort: "created_at", Filters: []store.Filter{{Field: "record_id", Op: store.Eq, Value: leads[1]}}})
	require.NoError(t, err)
	require.Len(t, notes, 1)
	require.Contains(t, notes[0].String("subject"), "branch ")

	h.update("lead", leads[1], map[string]any{"status": "disqualified"})
	h.drain()
	h.advance(25 * time.Hour)
	for _, r := range h.runs("follow-up") {
		want := store.RunCompleted
		if r.RecordID == leads[1] {
			want = store.RunCancelled
		}
		require.Equal(t, want, r.Status, r.RecordID)
	}
	require.Equal(t, "disqualified", h.get("lead", leads[1]).String("status"))
	require.Equal(t, "nurturing", h.get("lead", leads[2]).String("status"))
}

const convertFlow = `kind: workflow
name: convert
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.updated, changed: status, to: qualified }
steps:
  - id: conv
    action: convert_lead
    with: { pipeline: New business, deal_name: "{{ lead.company }} — new business" }
  - action: notify
    with: { channel: slack, to: "#sales", text: "Converted {{ lead.email }}: {{ steps.conv.deal.name }}" }
`

func TestConvertLeadAndSlack(t *testing.T) {
	var mu sync.Mutex
	var posts []string
	slack := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posts = append(posts, string(b))
		mu.Unlock()
	}))
	defer slack.Close()
	h := newHarness(t, "sqlite", func(o *engine.Options) { o.Slack = map[string]string{"#sales": slack.URL} })
	h.create("pipeline", map[string]any{"name": "New business", "stages": []any{"Discovery", "Won"}})
	acct := h.create("account", map[string]any{"name": "Acme Corp", "domain": "acme.com"})
	h.apply(convertFlow)
	lead := h.create("lead", map[string]any{"email": "q@acme.com", "first_name": "Quinn", "company": "Acme"})
	h.update("lead", lead.ID(), map[string]any{"status": "qualified"})
	h.drain()
	run := h.only("convert")
	require.Equal(t, store.RunCompleted, run.Status, run.Error)
	out := h.stepsByID(run.ID)["conv"].Output
	require.Equal(t, acct.ID(), out["account"].(map[string]any)["id"], "matched by the email's domain")
	deal := out["deal"].(map[string]any)
	require.Equal(t, "Acme — new business", deal["name"])
	require.Equal(t, "Discovery", deal["stage"])
	require.Equal(t, "converted", h.get("lead", lead.ID()).String("status"))
	contact := h.get("contact", out["contact"].(map[string]any)["id"].(string))
	require.Equal(t, acct.ID(), contact.String("account_id"))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, posts, 1)
	require.JSONEq(t, `{"text": "Converted q@acme.com: Acme — new business"}`, posts[0])
}

const mqlFlow = `kind: workflow
name: mql
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.score_crossed, threshold: mql }
steps:
  - action: set
    with: { status: qualified }
`

// TestScoreCrossedTrigger feeds the event a scoring model writes when a lead's score crosses one of its
// thresholds upward (the models themselves arrive with the sales building blocks).
func TestScoreCrossedTrigger(t *testing.T) {
	h := newHarness(t, "sqlite")
	h.apply(mqlFlow)
	lead := h.create("lead", map[string]any{"email": "m@acme.com"})
	other := h.create("lead", map[string]any{"email": "n@acme.com"})
	for _, c := range []struct {
		id, threshold string
	}{{lead.ID(), "mql"}, {other.ID(), "sql"}} {
		require.NoError(t, h.a.Store.Write(h.ctx, func(tx *store.Tx) error {
			return tx.AppendEvent(h.ctx, store.Event{ID: "ev-" + c.id, RecordType: "lead", RecordID: c.id, Kind: "score_crossed",
				Payload: map[string]any{"threshold": c.threshold, "model": "inbound-fit", "score": 72.0}, ActorType: "system", OccurredAt: time.Now()})
		}))
	}
	h.drain()
	require.Len(t, h.runs("mql"), 1)
	require.Equal(t, "qualified", h.get("lead", lead.ID()).String("status"))
	require.Equal(t, "new", h.get("lead", other.ID()).String("status"))
}
