package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/crm"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// action runs an action step. Internal actions change records in the segment's transaction; outside
// calls (webhook, send_email, notify) stop the segment so the call is made after a commit.
func (s *segment) action(ctx context.Context, st *Step) (flow, error) {
	name, _ := st.Raw["action"].(string)
	with, _ := st.Raw["with"].(map[string]any)
	var out, in map[string]any
	var err error
	wrote := true // the run's record changed: check the goal
	switch name {
	case "set", "clear":
		in, err = s.set(ctx, name, with)
	case "create_record":
		in, out, err = s.createRecord(ctx, with)
		wrote = false
	case "log_activity":
		in, out, err = s.logActivity(ctx, with)
		wrote = false
	case "convert_lead":
		in, out, err = s.convertLead(ctx, with)
	case "assign":
		in, out, err = s.assignUser(ctx, with)
	case "score":
		in, out, err = s.score(ctx, with)
	case "match_account":
		in, out, err = s.matchAccount(ctx, with)
	case "enrich":
		return s.enrichStep(ctx, st, with)
	case "webhook", "send_email", "notify":
		if !s.resultFor(st) { // before the call: the contact policy decides
			if err := s.cutShort(ctx, st); err != nil { // after saying why the call may be repeated
				return flow{}, err
			}
			req, governed, err := s.touchFor(ctx, name, with, "")
			if err != nil {
				return flow{}, permanent(fmt.Errorf("step %s (%s): %w", st.ID, name, err))
			}
			if governed {
				if f, stop, err := s.gate(ctx, st, req); err != nil || stop {
					return f, err
				}
				// The touch is counted now, under the gate's lock and in its transaction, not after the
				// call: two runs checking the same contact at once must not both pass a cap of one.
				if dry, _ := s.p.Plan["dry_run"].(bool); !dry {
					if err := s.touched(ctx, st, req); err != nil {
						return flow{}, err
					}
				}
			}
		}
		return s.external(ctx, st, name, with)
	default:
		return flow{}, permanent(fmt.Errorf("step %s: the action %s is not available in this version of Salesflow", st.ID, name))
	}
	if err != nil {
		return flow{}, fmt.Errorf("step %s (%s): %w", st.ID, name, err)
	}
	if out != nil {
		s.steps[st.ID] = out
	}
	_, err = s.history(ctx, st, "done", in, out, nil, "")
	return flow{next: st.Next, wrote: wrote}, err
}

// fields evaluates a field → value map: literals as written, templates rendered.
func (s *segment) fields(ctx context.Context, m map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(m))
	vars := s.vars()
	for k, v := range m {
		r, err := s.e.eval(ctx, s.p, v, vars)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = r
	}
	return out, nil
}

func (s *segment) set(ctx context.Context, name string, with map[string]any) (map[string]any, error) {
	patch := map[string]any{}
	var err error
	if name == "clear" {
		for _, f := range asList(with["fields"]) {
			patch[fmt.Sprint(f)] = nil
		}
	} else if patch, err = s.fields(ctx, with); err != nil {
		return nil, permanent(err)
	}
	var rec records.Values
	if s.row != nil {
		rec, err = s.e.crm.UpdateReadTx(ctx, s.tx, s.actor, s.run.RecordType, s.row, patch)
	} else {
		rec, err = s.e.crm.UpdateTx(ctx, s.tx, s.actor, s.run.RecordType, s.run.RecordID, patch)
	}
	if err != nil {
		return patch, err
	}
	s.row = rec
	return patch, s.changed(ctx, rec, patch)
}

// changed brings the segment's copy of the record up to date after a write: the new field values,
// and the related records again only when a reference among them changed.
func (s *segment) changed(ctx context.Context, rec records.Values, patch map[string]any) error {
	for k := range patch {
		if strings.HasSuffix(k, "_id") {
			return s.reload(ctx)
		}
	}
	for k, v := range rec {
		s.rec[k] = v
	}
	return nil
}

// linkTo fills an activity's or task's record link with the run's record when none is given.
func (s *segment) linkTo(object string, in map[string]any) {
	if object != "activity" && object != "task" {
		return
	}
	if in["record_type"] == nil && in["record_id"] == nil {
		in["record_type"], in["record_id"] = s.run.RecordType, s.run.RecordID
	}
	if in["owner_id"] == nil && s.rec["owner_id"] != nil {
		in["owner_id"] = s.rec["owner_id"]
	}
}

func (s *segment) createRecord(ctx context.Context, with map[string]any) (map[string]any, map[string]any, error) {
	object, _ := with["object"].(string)
	raw, _ := with["fields"].(map[string]any)
	in, err := s.fields(ctx, raw)
	if err != nil {
		return nil, nil, permanent(err)
	}
	s.linkTo(object, in)
	res, err := s.e.crm.CreateTx(ctx, s.tx, s.actor, object, in)
	if err != nil {
		return in, nil, err
	}
	return in, map[string]any{"record": map[string]any(res.Record)}, nil
}

func (s *segment) logActivity(ctx context.Context, with map[string]any) (map[string]any, map[string]any, error) {
	in := map[string]any{"type": with["type"]}
	for _, k := range []string{"subject", "body"} {
		v, err := s.e.text(ctx, s.p, with[k], s.vars())
		if err != nil {
			return nil, nil, permanent(fmt.Errorf("%s: %w", k, err))
		}
		if v != "" {
			in[k] = v
		}
	}
	s.linkTo("activity", in)
	res, err := s.e.crm.CreateTx(ctx, s.tx, s.actor, "activity", in)
	if err != nil {
		return in, nil, err
	}
	return in, map[string]any{"record": map[string]any{"id": res.Record.ID()}}, nil
}

func (s *segment) assignUser(ctx context.Context, with map[string]any) (map[string]any, map[string]any, error) {
	if name, ok := with["routing"].(string); ok {
		return s.assignByRouting(ctx, name)
	}
	u, err := s.e.eval(ctx, s.p, with["user"], s.vars())
	if err != nil {
		return nil, nil, permanent(err)
	}
	id := idOf(u)
	if id == "" {
		return nil, nil, permanent(errors.New("the user expression gave no user"))
	}
	patch := map[string]any{"owner_id": id}
	if _, err := s.e.crm.UpdateTx(ctx, s.tx, s.actor, s.run.RecordType, s.run.RecordID, patch); err != nil {
		return patch, nil, err
	}
	if err := s.reload(ctx); err != nil {
		return patch, nil, err
	}
	return patch, map[string]any{"owner": u, "rule": "user"}, nil
}

// assignByRouting routes the run's record through a ruleset; the trace is kept with the assignment and
// in the step's output.
func (s *segment) assignByRouting(ctx context.Context, name string) (map[string]any, map[string]any, error) {
	r, err := s.e.route(ctx, s.tx, s.actor, name, s.run.RecordType, s.run.RecordID, s.runID, false)
	if err != nil {
		return map[string]any{"routing": name}, nil, err
	}
	if err := s.reload(ctx); err != nil {
		return nil, nil, err
	}
	var owner any
	if c := r.Trace.Chosen; c != nil {
		owner = map[string]any{"id": c.UserID, "email": c.Email, "name": c.Name}
	}
	out := map[string]any{"owner": owner, "rule": r.Rule, "queue": r.Queue, "why": r.Trace.Summary, "assignment": r.Assignment.ID}
	if r.UserID == "" && r.Trace.Notified != "" {
		if dry, _ := s.p.Plan["dry_run"].(bool); !dry {
			text := fmt.Sprintf("%s %s fell back to the %s queue: %s\n\n%s/api/v1/%ss/%s/assignment\n", s.run.RecordType, s.run.RecordID,
				r.Queue, r.Trace.Summary, strings.TrimRight(s.e.opts.BaseURL, "/"), s.run.RecordType, s.run.RecordID)
			if err := s.e.queueMail(ctx, s.tx, "fallback/"+r.Assignment.ID, r.Trace.Notified,
				fmt.Sprintf("Salesflow: a %s waits in the %s queue", s.run.RecordType, r.Queue), text); err != nil {
				return nil, nil, err
			}
		}
	}
	return map[string]any{"routing": name}, out, nil
}

// score scores the run's lead with a model; a threshold crossed becomes an event other workflows see.
func (s *segment) score(ctx context.Context, with map[string]any) (map[string]any, map[string]any, error) {
	model, _ := with["model"].(string)
	in := map[string]any{"model": model}
	res, err := s.e.scoreLead(ctx, s.tx, s.actor, model, s.run.RecordID)
	if err != nil {
		return in, nil, err
	}
	if err := s.reload(ctx); err != nil {
		return in, nil, err
	}
	var crossed []any
	for _, t := range res.Crossed {
		crossed = append(crossed, t.Name)
	}
	return in, map[string]any{"score": res.Score, "grade": res.Grade, "crossed": crossed, "breakdown": anyList(res.Breakdown)}, nil
}

// idOf returns the id of a record value (a map from an expression).
func idOf(v any) string {
	switch x := v.(type) {
	case map[string]any:
		id, _ := x["id"].(string)
		return id
	case records.Values:
		return x.ID()
	case string:
		return x
	}
	return ""
}

// convertLead matches or creates the account (by the lead's company domain, then its company name)
// and the contact (by email), creates a deal unless told not to, and marks the lead converted.
func (s *segment) convertLead(ctx context.Context, with map[string]any) (map[string]any, map[string]any, error) {
	lead := s.rec
	owner := lead["owner_id"]
	account, err := s.findOrCreate(ctx, "account", [][2]any{{"domain", lead["company_domain"]}, {"name", lead["company"]}}, map[string]any{
		"name": firstNonEmpty(lead["company"], lead["company_domain"], lead["email"]), "domain": lead["company_domain"], "website": lead["website"],
		"industry": lead["industry"], "employees": lead["employees"], "country": lead["country"], "owner_id": owner})
	if err != nil {
		return nil, nil, fmt.Errorf("account: %w", err)
	}
	contact, err := s.findOrCreate(ctx, "contact", [][2]any{{"email", lead["email"]}}, map[string]any{
		"first_name": lead["first_name"], "last_name": lead["last_name"], "email": lead["email"], "phone": lead["phone"],
		"title": lead["title"], "account_id": account.ID(), "owner_id": owner, "country": lead["country"], "timezone": lead["timezone"]})
	if err != nil {
		return nil, nil, fmt.Errorf("contact: %w", err)
	}
	out := map[string]any{"account": map[string]any(account), "contact": map[string]any(contact), "deal": nil}
	in := map[string]any{}
	if create, ok := with["create_deal"].(bool); !ok || create {
		deal, err := s.createDeal(ctx, with, account, contact, owner)
		if err != nil {
			return nil, nil, fmt.Errorf("deal: %w", err)
		}
		out["deal"], in["deal"] = map[string]any(deal), deal.String("name")
	}
	if _, err := s.e.crm.UpdateTx(ctx, s.tx, s.actor, "lead", s.run.RecordID, map[string]any{"status": "converted"}); err != nil {
		return nil, nil, err
	}
	return in, out, s.reload(ctx)
}

func firstNonEmpty(vs ...any) any {
	for _, v := range vs {
		if v != nil && v != "" {
			return v
		}
	}
	return nil
}

// findOrCreate returns the first record of object matching one of the keys (in order), or creates one.
func (s *segment) findOrCreate(ctx context.Context, object string, keys [][2]any, create map[string]any) (records.Values, error) {
	o, err := s.e.crm.Object(ctx, s.tx, object)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k[1] == nil || k[1] == "" {
			continue
		}
		// The same lock key as an upsert by this natural key: two conversions racing on PostgreSQL
		// create one account, not two.
		if err := s.tx.LockKey(ctx, fmt.Sprintf("%s/%s/%v", object, k[0], k[1])); err != nil {
			return nil, err
		}
		rec, err := s.tx.GetBy(ctx, o, k[0].(string), k[1])
		if err == nil {
			return rec, nil
		}
		if !errors.Is(err, records.ErrNotFound) {
			return nil, err
		}
	}
	in := map[string]any{}
	for k, v := range create {
		if v != nil && v != "" {
			in[k] = v
		}
	}
	res, err := s.e.crm.CreateTx(ctx, s.tx, s.actor, object, in)
	return res.Record, err
}

func (s *segment) createDeal(ctx context.Context, with map[string]any, account, contact records.Values, owner any) (records.Values, error) {
	po, err := s.e.crm.Object(ctx, s.tx, "pipeline")
	if err != nil {
		return nil, err
	}
	var pipe records.Values
	if name, _ := with["pipeline"].(string); name != "" {
		pipe, err = s.tx.GetBy(ctx, po, "name", name)
	} else {
		var list []records.Values
		list, _, err = s.tx.List(ctx, po, store.ListQuery{Limit: 1, Sort: "created_at"})
		if err == nil && len(list) == 0 {
			err = records.ErrNotFound
		}
		if err == nil {
			pipe = list[0]
		}
	}
	if err != nil {
		return nil, permanent(fmt.Errorf("pipeline %v: %w", with["pipeline"], err))
	}
	stage, _ := with["stage"].(string)
	if stage == "" {
		stages, _ := crm.ParseStages(pipe["stages"])
		if len(stages) > 0 {
			first, _ := stages[0].(map[string]any)
			stage, _ = first["name"].(string)
		}
	}
	name, err := s.e.text(ctx, s.p, with["deal_name"], s.vars())
	if err != nil {
		return nil, permanent(err)
	}
	if name == "" {
		name = account.String("name")
	}
	res, err := s.e.crm.CreateTx(ctx, s.tx, s.actor, "deal", map[string]any{"name": name, "account_id": account.ID(),
		"contact_id": contact.ID(), "pipeline_id": pipe.ID(), "stage": stage, "owner_id": owner})
	return res.Record, err
}

// task creates the step's task and waits for the rep; completion, skip and decline resume the run.
func (s *segment) task(ctx context.Context, st *Step) (flow, error) {
	// A task step waiting out the contact policy is resumed by the gate, not as a completed task.
	if s.run.State["deferred"] != st.ID {
		if res := s.resumed(st); res != nil {
			data, _ := res["task"].(map[string]any)
			out := map[string]any{"outcome": data["outcome"], "status": data["status"], "owner": s.userValue(ctx, data["owner"]), "completed_at": data["completed_at"], "reason": data["reason"]}
			next := st.Next
			switch data["status"] {
			case "skipped":
				next = st.Lists["on_skip"]
			case "declined":
				next = st.Lists["on_decline"]
			}
			return flow{next: next}, s.finishWait(ctx, st, out, map[string]any{"status": data["status"], "outcome": data["outcome"]})
		}
	}
	t, _ := st.Raw["task"].(map[string]any)
	in, err := s.taskInput(ctx, t)
	if err != nil {
		return flow{}, permanent(fmt.Errorf("step %s: %w", st.ID, err))
	}
	sla, _ := t["sla"].(map[string]any)
	cal, err := s.slaCalendar(ctx, sla)
	if err != nil {
		return flow{}, err
	}
	if d, isDuration := t["due"].(map[string]any); isDuration && cal != nil && d["seconds"] != nil {
		// An SLA on a business calendar measures the due time in working time too.
		in["due_at"] = cal.AddBusinessDuration(s.e.now(), durationOf(d)).UTC().Format(records.TimeLayout)
	}
	req, _, err := s.touchFor(ctx, "task", nil, text(in["owner_id"]))
	if err != nil {
		return flow{}, err
	}
	if f, stop, err := s.gate(ctx, st, req); err != nil || stop {
		return f, err
	}
	rec, err := s.e.crm.CreateSystemTx(ctx, s.tx, s.actor, "task", in, records.Values{"run_id": s.run.ID, "step_id": st.ID})
	if err != nil {
		return flow{}, fmt.Errorf("step %s: create the task: %w", st.ID, err)
	}
	if err := s.touched(ctx, st, req); err != nil {
		return flow{}, err
	}
	if due, ok := rec.Record["due_at"].(time.Time); ok && sla != nil {
		plan, err := s.scheduleSLA(ctx, st, rec.Record.ID(), due, sla, cal)
		if err != nil {
			return flow{}, err
		}
		in["sla"] = plan
	}
	in["id"] = rec.Record.ID()
	return flow{wait: &waitSpec{kind: "task", key: rec.Record.ID(), input: in}}, nil
}

func (s *segment) taskInput(ctx context.Context, t map[string]any) (map[string]any, error) {
	vars := s.vars()
	in := map[string]any{"type": t["type"]}
	if p, ok := t["priority"].(string); ok {
		in["priority"] = p
	}
	for _, k := range []string{"title", "why"} {
		v, err := s.e.text(ctx, s.p, t[k], vars)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		if v != "" {
			in[k] = v
		}
	}
	owner, err := s.e.eval(ctx, s.p, t["owner"], vars)
	if err != nil {
		return nil, fmt.Errorf("owner: %w", err)
	}
	if id := idOf(owner); id != "" {
		in["owner_id"] = id
	}
	if due := t["due"]; due != nil {
		at, err := s.moment(ctx, due, vars)
		if err != nil {
			return nil, fmt.Errorf("due: %w", err)
		}
		in["due_at"] = at.UTC().Format(records.TimeLayout)
	}
	if outs := asList(t["outcomes"]); len(outs) > 0 {
		in["outcomes"] = outs
	}
	if r := t["record"]; r != nil {
		v, err := s.e.eval(ctx, s.p, r, vars)
		if err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
		in["record_id"] = idOf(v)
	}
	s.linkTo("task", in)
	if in["record_type"] == nil && in["record_id"] != nil {
		in["record_type"] = s.run.RecordType
	}
	return in, nil
}

// moment is a duration from now ({seconds}) or a timestamp expression.
func (s *segment) moment(ctx context.Context, v any, vars map[string]any) (time.Time, error) {
	if m, ok := v.(map[string]any); ok && m["seconds"] != nil {
		return s.e.now().Add(durationOf(m)), nil
	}
	r, err := s.e.eval(ctx, s.p, v, vars)
	if err != nil {
		return time.Time{}, err
	}
	t, ok := r.(time.Time)
	if !ok {
		return time.Time{}, fmt.Errorf("gave %v, not a time", r)
	}
	return t, nil
}

// userValue is a user as expressions read one (steps.call.owner.name), from their id; nil when none.
func (s *segment) userValue(ctx context.Context, id any) any {
	uid, _ := id.(string)
	if uid == "" {
		return nil
	}
	u, err := (loader{e: s.e, tx: s.tx}).record(ctx, "user", uid, nil)
	if err != nil {
		return nil
	}
	return map[string]any(u)
}
