package httpapi_test

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// taskFlow waits on a call task and takes a path for each way it can end.
var taskFlow = map[string]any{
	"kind": "workflow", "name": "call-paths", "owner": "ops@example.com", "review_every": "90d", "object": "lead",
	"trigger": map[string]any{"on": "lead.created"},
	"steps": []any{
		map[string]any{"id": "call", "task": map[string]any{"type": "call", "owner": "lead.owner", "title": "Call {{ lead.email }}",
			"why": "new lead", "due": "1h", "outcomes": []any{"connected", "voicemail"}},
			"on_skip":    []any{map[string]any{"action": "set", "with": map[string]any{"status": "nurturing"}}, map[string]any{"stop": "skipped"}},
			"on_decline": []any{map[string]any{"action": "set", "with": map[string]any{"disqualify_reason": "{{ steps.call.reason }}"}}, map[string]any{"stop": "declined"}}},
		map[string]any{"action": "set", "with": map[string]any{"status": "working"}},
	},
}

func TestTaskMovesAndTheirPaths(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		h.must(http.StatusCreated, "POST", "/api/v1/users", adminToken, map[string]any{"email": "ops@example.com", "name": "Ops", "role": "admin"})
		team := h.must(http.StatusCreated, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "SDR"}).Body["id"].(string)
		other := h.must(http.StatusCreated, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "AE"}).Body["id"].(string)
		mgrID, mgrTok := h.user("mgr@example.com", "manager", "")
		h.must(http.StatusOK, "PATCH", "/api/v1/teams/"+team, adminToken, map[string]any{"manager_id": mgrID})
		repID, repTok := h.user("rep@example.com", "rep", team)
		mateID, mateTok := h.user("mate@example.com", "rep", team)
		aeID, _ := h.user("ae@example.com", "rep", other)
		h.drain()
		h.must(http.StatusOK, "POST", "/api/v1/definitions", adminToken, taskFlow)
		lead := func(email string) (string, string) {
			id := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": email, "owner_id": repID}).Body["id"].(string)
			h.drain()
			tasks := h.must(http.StatusOK, "GET", "/api/v1/tasks?record="+id, repTok, nil).Items()
			require.Len(t, tasks, 1)
			return id, tasks[0]["id"].(string)
		}
		status := func(id string) any {
			return h.must(http.StatusOK, "GET", "/api/v1/leads/"+id, adminToken, nil).Body["status"]
		}

		// Snooze keeps the run waiting; then done resumes it on the main path.
		l1, t1 := lead("a@acme.com")
		bad := h.call("POST", "/api/v1/tasks/"+t1+"/snooze", repTok, map[string]any{"until": "yesterday"})
		require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
		require.Contains(t, bad.FieldErrors(), "until")
		until := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
		sn := h.must(http.StatusOK, "POST", "/api/v1/tasks/"+t1+"/snooze", repTok, map[string]any{"until": until})
		require.Equal(t, "snoozed", sn.Body["status"])
		h.drain()
		require.Equal(t, "new", status(l1))
		require.Equal(t, http.StatusForbidden, h.call("POST", "/api/v1/tasks/"+t1+"/complete", mateTok, map[string]any{"outcome": "connected"}).Status, "a rep completes only their own")
		h.must(http.StatusOK, "POST", "/api/v1/tasks/"+t1+"/complete", mgrTok, map[string]any{"outcome": "connected"}) // a manager, their team's
		h.drain()
		require.Equal(t, "working", status(l1))

		// Skip takes on_skip.
		l2, t2 := lead("b@acme.com")
		h.must(http.StatusOK, "POST", "/api/v1/tasks/"+t2+"/skip", repTok, map[string]any{"reason": "duplicate"})
		h.drain()
		require.Equal(t, "nurturing", status(l2))
		require.Equal(t, http.StatusConflict, h.call("POST", "/api/v1/tasks/"+t2+"/complete", repTok, nil).Status, "settled once")

		// Decline needs a reason and takes on_decline with it.
		l3, t3 := lead("c@acme.com")
		require.Contains(t, h.call("POST", "/api/v1/tasks/"+t3+"/decline", repTok, map[string]any{}).FieldErrors(), "reason")
		h.must(http.StatusOK, "POST", "/api/v1/tasks/"+t3+"/decline", repTok, map[string]any{"reason": "not my territory"})
		h.drain()
		require.Equal(t, "not my territory", h.must(http.StatusOK, "GET", "/api/v1/leads/"+l3, adminToken, nil).Body["disqualify_reason"])

		// Reassign: to a teammate yes, across teams no; the run keeps waiting, the new owner completes.
		l4, t4 := lead("d@acme.com")
		require.Equal(t, http.StatusForbidden, h.call("POST", "/api/v1/tasks/"+t4+"/reassign", repTok, map[string]any{"owner_id": aeID}).Status)
		require.Contains(t, h.call("POST", "/api/v1/tasks/"+t4+"/reassign", repTok, map[string]any{"owner_id": "nobody"}).FieldErrors(), "owner_id")
		re := h.must(http.StatusOK, "POST", "/api/v1/tasks/"+t4+"/reassign", repTok, map[string]any{"owner_id": mateID})
		require.Equal(t, mateID, re.Body["owner_id"])
		h.drain()
		require.Equal(t, "new", status(l4), "still waiting for the task")
		require.Len(t, h.must(http.StatusOK, "GET", "/api/v1/tasks?owner=me&status=open", mateTok, nil).Items(), 1)
		require.Len(t, h.must(http.StatusOK, "GET", "/api/v1/tasks?team="+team+"&record="+l4, mgrTok, nil).Items(), 1)
		require.Empty(t, h.must(http.StatusOK, "GET", "/api/v1/tasks?team="+other, mgrTok, nil).Items())
		require.Equal(t, http.StatusBadRequest, h.call("GET", "/api/v1/tasks?overdue=maybe", mgrTok, nil).Status)
		require.Empty(t, h.must(http.StatusOK, "GET", "/api/v1/tasks?overdue=true", adminToken, nil).Items(), "nothing is due yet")
		// A cursor belongs to its list, the task list's own parameters included.
		page := h.must(http.StatusOK, "GET", "/api/v1/tasks?limit=1&team="+team, mgrTok, nil).Body["next_cursor"].(string)
		require.NotEmpty(t, page)
		h.must(http.StatusOK, "GET", "/api/v1/tasks?limit=1&team="+team+"&cursor="+page, mgrTok, nil)
		require.Contains(t, h.call("GET", "/api/v1/tasks?limit=1&team="+other+"&cursor="+page, mgrTok, nil).FieldErrors(), "cursor")

		// Two completions race: one wins, the other is a conflict, and the run resumes once.
		h.must(http.StatusOK, "POST", "/api/v1/tasks/"+t4+"/reassign", mateTok, map[string]any{"owner_id": repID})
		var wg sync.WaitGroup
		codes := make(chan int, 2)
		for _, tok := range []string{repTok, mgrTok} {
			wg.Go(func() {
				codes <- h.call("POST", "/api/v1/tasks/"+t4+"/complete", tok, map[string]any{"outcome": "voicemail"}).Status
			})
		}
		wg.Wait()
		close(codes)
		var got []int
		for c := range codes {
			got = append(got, c)
		}
		require.ElementsMatch(t, []int{http.StatusOK, http.StatusConflict}, got)
		h.drain()
		runs := h.must(http.StatusOK, "GET", "/api/v1/runs?workflow=call-paths&record="+l4, adminToken, nil).Items()
		require.Len(t, runs, 1)
		require.Equal(t, "completed", runs[0]["status"])
		detail := h.must(http.StatusOK, "GET", "/api/v1/runs/"+runs[0]["id"].(string), adminToken, nil)
		done := 0
		for _, s := range detail.Body["steps"].([]any) {
			if s.(map[string]any)["step_id"] == "call" && s.(map[string]any)["status"] == "done" {
				done++
			}
		}
		require.Equal(t, 1, done, "the task resumed the run exactly once")
		_ = aeID
	})
}

func TestInboxOrdersByUrgency(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		team := h.must(http.StatusCreated, "POST", "/api/v1/teams", adminToken, map[string]any{"name": "SDR"}).Body["id"].(string)
		mgrID, mgrTok := h.user("mgr@example.com", "manager", "")
		h.must(http.StatusOK, "PATCH", "/api/v1/teams/"+team, adminToken, map[string]any{"manager_id": mgrID})
		repID, repTok := h.user("rep@example.com", "rep", team)
		mateID, mateTok := h.user("mate@example.com", "rep", team)
		lead := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "ann@acme.com", "first_name": "Ann", "company": "Acme", "owner_id": repID}).Body["id"].(string)
		now := time.Now().UTC()
		at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
		task := func(title, owner string, fields map[string]any) string {
			in := map[string]any{"title": title, "owner_id": owner, "record_type": "lead", "record_id": lead}
			for k, v := range fields {
				in[k] = v
			}
			return h.must(http.StatusCreated, "POST", "/api/v1/tasks", adminToken, in).Body["id"].(string)
		}
		task("later, high", repID, map[string]any{"due_at": at(24 * time.Hour), "priority": "high"})
		task("due soon", repID, map[string]any{"due_at": at(30 * time.Minute)})
		task("late by an hour", repID, map[string]any{"due_at": at(-time.Hour)})
		task("late by three hours", repID, map[string]any{"due_at": at(-3 * time.Hour)})
		task("no due, urgent", repID, map[string]any{"priority": "urgent"})
		snoozed := task("snoozed", repID, map[string]any{"due_at": at(-2 * time.Hour)})
		h.must(http.StatusOK, "POST", "/api/v1/tasks/"+snoozed+"/snooze", repTok, map[string]any{"until": at(time.Hour)})
		task("mate's", mateID, map[string]any{"due_at": at(-time.Minute)})

		in := h.must(http.StatusOK, "GET", "/api/v1/inbox", repTok, nil)
		var titles, urgencies []string
		for _, it := range in.Body["items"].([]any) {
			m := it.(map[string]any)
			titles = append(titles, m["task"].(map[string]any)["title"].(string))
			urgencies = append(urgencies, m["urgency"].(string))
		}
		require.Equal(t, []string{"late by three hours", "late by an hour", "due soon", "no due, urgent", "later, high"}, titles)
		require.Equal(t, []string{"breached", "breached", "due_soon", "open", "open"}, urgencies)
		first := in.Body["items"].([]any)[0].(map[string]any)
		require.Equal(t, "Acme", first["record"].(map[string]any)["company"], "the record's key facts")
		require.InDelta(t, 3*3600, first["overdue_by"], 60)

		require.Equal(t, http.StatusForbidden, h.call("GET", "/api/v1/inbox?owner="+mateID, repTok, nil).Status, "a rep reads only their own inbox")
		require.Equal(t, http.StatusForbidden, h.call("GET", "/api/v1/inbox?team="+team, mateTok, nil).Status)
		q := h.must(http.StatusOK, "GET", "/api/v1/inbox?team="+team, mgrTok, nil)
		require.Len(t, q.Body["items"].([]any), 6, "the team's queue: both reps' open tasks, not the snoozed one")
		require.Equal(t, map[string]any{repID: 2.0, mateID: 1.0}, q.Body["breaches"])
		h.must(http.StatusOK, "GET", "/api/v1/inbox?owner="+repID, mgrTok, nil)
		require.Equal(t, http.StatusBadRequest, h.call("GET", "/api/v1/inbox?owner=me&team="+team, mgrTok, nil).Status)
	})
}

func TestSpeedToLeadAPI(t *testing.T) {
	eachDB(t, func(t *testing.T, h *harness) {
		_, mgrTok := h.user("mgr@example.com", "manager", "")
		repID, repTok := h.user("rep@example.com", "rep", "")
		lead := h.must(http.StatusCreated, "POST", "/api/v1/leads", adminToken, map[string]any{"email": "a@acme.com", "source": "web_form", "owner_id": repID}).Body["id"].(string)
		h.must(http.StatusCreated, "POST", "/api/v1/tasks", adminToken, map[string]any{"title": "Call", "type": "call", "owner_id": repID, "record_type": "lead", "record_id": lead})
		require.Equal(t, http.StatusForbidden, h.call("GET", "/api/v1/analytics/speed-to-lead", repTok, nil).Status)
		require.Equal(t, http.StatusBadRequest, h.call("GET", "/api/v1/analytics/speed-to-lead?from=yesterday", mgrTok, nil).Status)
		require.Contains(t, h.call("GET", "/api/v1/analytics/speed-to-lead?by=rep", mgrTok, nil).FieldErrors(), "by", "an unknown parameter is named, not ignored")
		r := h.must(http.StatusOK, "GET", "/api/v1/analytics/speed-to-lead", mgrTok, nil)
		overall := r.Body["overall"].(map[string]any)
		require.Equal(t, 1.0, overall["leads"])
		require.Equal(t, 1.0, overall["first_attempt_bands"].(map[string]any)["none_yet"])
		byRep := r.Body["tasks"].(map[string]any)["by_rep"].(map[string]any)
		require.Equal(t, 1.0, byRep["rep@example.com"].(map[string]any)["open_rate"])
	})
}
