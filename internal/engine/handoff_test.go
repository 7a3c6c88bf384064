package engine_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/store"
)

const handoffFlow = `kind: routing
name: aes
object: deal
rules:
  - name: all
    pool: { team: AE }
---
kind: workflow
name: to-ae
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.updated, changed: status, to: qualified }
steps:
  - id: convert
    action: convert_lead
  - id: handoff
    handoff:
      record: steps.convert.deal
      to: { routing: aes }
      note: "Qualified by {{ lead.owner.name }}: {{ lead.qualification_notes }}"
      accept_within: 4h
      cascade: [account]
      on_reject_or_expiry:
        reassign: { routing: aes }
        notify: lead.owner.manager
  - action: set
    with: { title: "handed to {{ steps.handoff.owner.name }}" }
`

func TestHandoffRejectedRoutesOnAndAcceptedGoesOn(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		mail, opt := withSMTP(t)
		h := newHarness(t, db, opt)
		mgr := h.create("user", map[string]any{"email": "mgr@example.com", "name": "Mia", "role": "manager"}).ID()
		sdrTeam := h.create("team", map[string]any{"name": "SDR", "manager_id": mgr}).ID()
		sdr := h.create("user", map[string]any{"email": "sam@example.com", "name": "Sam", "team_id": sdrTeam}).ID()
		aes := h.team("AE", "ada@example.com", "bob@example.com", "cal@example.com")
		h.create("pipeline", map[string]any{"name": "New business", "stages": []any{map[string]any{"name": "Discovery", "probability": 0.1}}})
		h.apply(handoffFlow)
		lead := h.create("lead", map[string]any{"email": "ann@acme.com", "company": "Acme", "owner_id": sdr, "qualification_notes": "needs SSO"})
		h.update("lead", lead.ID(), map[string]any{"status": "qualified"})
		h.drain()

		run := h.only("to-ae")
		require.Equal(t, store.RunWaiting, run.Status, run.Error)
		first := h.get("task", run.WaitKey)
		require.Equal(t, "approval", first["type"])
		require.Equal(t, aes[0], first["owner_id"])
		require.Contains(t, first["why"], "Qualified by Sam: needs SSO")
		deal := h.get("deal", first.String("record_id"))
		require.Equal(t, aes[0], deal["owner_id"], "the deal is the receiver's")
		require.Equal(t, aes[0], h.get("account", deal.String("account_id"))["owner_id"], "cascaded to the account")

		// Ada rejects: Sam and his manager hear of it, and the deal goes to Bob.
		ada := auth.Actor{Kind: auth.KindToken, UserID: aes[0], Role: auth.Rep, ID: "t"}
		_, err := h.a.Service.ChangeTask(h.ctx, ada, first.ID(), crm.TaskChange{Action: "decline", Reason: "wrong territory"})
		require.NoError(t, err)
		h.drain()
		run = h.only("to-ae")
		second := h.get("task", run.WaitKey)
		require.Equal(t, aes[1], second["owner_id"])
		require.Equal(t, aes[1], h.get("deal", deal.ID())["owner_id"])
		var to []string
		for _, m := range mail.Messages() {
			to = append(to, m.To...)
		}
		require.ElementsMatch(t, []string{"sam@example.com", "mgr@example.com"}, to)

		// Bob lets it expire (4h): rerouted again, to Cal — not back to Ada, who gave it back.
		h.advance(4*time.Hour + time.Minute)
		run = h.only("to-ae")
		third := h.get("task", run.WaitKey)
		require.Equal(t, "skipped", h.get("task", second.ID())["status"])
		require.Contains(t, h.get("task", second.ID())["status_reason"], "expired")
		require.Equal(t, aes[2], third["owner_id"], "ada %s bob %s cal %s", aes[0], aes[1], aes[2])

		// Cal accepts: the run goes on, with who accepted.
		cal := auth.Actor{Kind: auth.KindToken, UserID: aes[2], Role: auth.Rep, ID: "t"}
		_, err = h.a.Service.ChangeTask(h.ctx, cal, third.ID(), crm.TaskChange{Action: "complete", Outcome: "accepted"})
		require.NoError(t, err)
		h.drain()
		run = h.only("to-ae")
		require.Equal(t, store.RunCompleted, run.Status, run.Error)
		require.Equal(t, "handed to cal", h.get("lead", lead.ID())["title"])
	})
}

func TestHandoffToATeamsPoolGoesToWhoeverAccepts(t *testing.T) {
	eachDB(t, func(t *testing.T, db string) {
		h := newHarness(t, db)
		aes := h.team("AE", "ada@example.com", "bob@example.com")
		h.team("CSM", "cy@example.com")
		h.apply(`kind: workflow
name: to-pool
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.updated, changed: status, to: qualified }
steps:
  - id: handoff
    handoff: { to: { team: AE }, note: "Over to you: {{ lead.email }}", accept_within: 2h }
`)
		lead := h.create("lead", map[string]any{"email": "ann@acme.com"})
		h.update("lead", lead.ID(), map[string]any{"status": "qualified"})
		h.drain()
		run := h.only("to-pool")
		task := h.get("task", run.WaitKey)
		require.Nil(t, task["owner_id"])
		require.Equal(t, "AE", task["pool"])

		outsider := h.get("user", h.team("Ops", "oz@example.com")[0])
		oz := auth.Actor{Kind: auth.KindToken, UserID: outsider.ID(), Role: auth.Rep, ID: "t"}
		_, err := h.a.Service.ChangeTask(h.ctx, oz, task.ID(), crm.TaskChange{Action: "complete", Outcome: "accepted"})
		require.ErrorIs(t, err, crm.ErrForbidden, "only the pool's team takes its tasks")

		bob := auth.Actor{Kind: auth.KindToken, UserID: aes[1], Role: auth.Rep, ID: "t"}
		in, err := h.a.Service.Inbox(h.ctx, bob, "", "")
		require.NoError(t, err)
		require.Len(t, in.Items, 1, "the team's pool is in each member's inbox")
		_, err = h.a.Service.ChangeTask(h.ctx, bob, task.ID(), crm.TaskChange{Action: "decline", Reason: "not me"})
		require.ErrorIs(t, err, crm.ErrForbidden, "a pool task is taken before anything else: one rep cannot decline it for the team")
		done, err := h.a.Service.ChangeTask(h.ctx, bob, task.ID(), crm.TaskChange{Action: "complete", Outcome: "accepted"})
		require.NoError(t, err)
		require.Equal(t, aes[1], done["owner_id"], "taking it from the pool makes it Bob's")
		h.drain()
		require.Equal(t, store.RunCompleted, h.only("to-pool").Status)
		require.Equal(t, aes[1], h.get("lead", lead.ID())["owner_id"], "whoever accepted owns the record")
	})
}

// TestHandoffNobodyTakesGoesBackToThePreviousOwner: the only AE declines, so the record goes back to
// its owner before the handoff. Also when an apply moved the waiting run to a version where the
// handoff sits at another address, and when the run's handoff state was kept by an older build (by
// step address): the handoff's state (who was tried, whose it was) is kept by step id (found by
// review: kept by address, it was lost, and the run handed the lead over again).
func TestHandoffNobodyTakesGoesBackToThePreviousOwner(t *testing.T) {
	for _, c := range []string{"as applied", "moved", "older build"} {
		t.Run(c, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db string) {
				h := newHarness(t, db)
				sdr := h.create("user", map[string]any{"email": "sam@example.com", "name": "Sam"}).ID()
				aes := h.team("AE", "ada@example.com")
				h.apply(sprintf(giveBack, ""))
				lead := h.create("lead", map[string]any{"email": "ann@acme.com", "owner_id": sdr})
				h.update("lead", lead.ID(), map[string]any{"status": "qualified"})
				h.drain()
				run := h.only("give")
				task := h.get("task", run.WaitKey)
				require.Equal(t, aes[0], h.get("lead", lead.ID())["owner_id"])
				switch c {
				case "moved":
					require.Equal(t, 1, h.applyMoving(sprintf(giveBack, "- { id: hello, action: set, with: { title: hello } }"))["moved"])
				case "older build":
					h.asOlderBuild(run.ID, func(r *store.Run) {
						require.NotNil(t, r.State["handoff:handoff"])
						r.State["handoff:"+r.Cursor] = r.State["handoff:handoff"]
						delete(r.State, "handoff:handoff")
					})
				}
				ada := auth.Actor{Kind: auth.KindToken, UserID: aes[0], Role: auth.Rep, ID: "t"}
				_, err := h.a.Service.ChangeTask(h.ctx, ada, task.ID(), crm.TaskChange{Action: "decline", Reason: "busy"})
				require.NoError(t, err)
				h.drain()
				got := h.get("lead", lead.ID())
				require.Equal(t, store.RunCompleted, h.only("give").Status)
				require.Equal(t, sdr, got["owner_id"], "back to Sam: the only AE gave it back")
				require.Contains(t, got["title"], "nobody could take it")
			})
		})
	}
}

const giveBack = `kind: routing
name: aes
rules:
  - name: all
    pool: { team: AE }
---
kind: workflow
name: give
owner: revops@example.com
review_every: 90d
object: lead
trigger: { on: lead.updated, changed: status, to: qualified }
steps:
  %s
  - id: handoff
    handoff:
      to: { routing: aes }
      note: "Yours"
      on_reject_or_expiry: { reassign: { routing: aes } }
  - if: steps.handoff.accepted
    then: [{ action: set, with: { title: accepted } }]
    else: [{ action: set, with: { title: "{{ steps.handoff.reason }}" } }]
`
