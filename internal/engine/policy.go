package engine

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/policy"
	"github.com/salesflow/salesflow/internal/store"
)

// policies caches compiled contact policies by name and version.
type policies struct {
	mu sync.Mutex
	m  map[string]*policy.Policy
}

// touchReq is an outbound step's touch, as the contact policy sees it.
type touchReq struct {
	channel, contact, account, rep string
	recipientZone, repZone         *time.Location
}

// activePolicies are the active contact policies that govern a workflow: those whose applies_to
// includes it, and the one it names with `policy:`.
func (e *Engine) activePolicies(ctx context.Context, tx *store.Tx, workflow, named string) ([]*policy.Policy, error) {
	defs, err := tx.Definitions(ctx, "policy")
	if err != nil {
		return nil, err
	}
	var out []*policy.Policy
	for _, d := range defs {
		if d.State != store.StateActive {
			continue
		}
		p, err := built(tx, &e.pols.mu, &e.pols.m, fmt.Sprintf("policy/%s/%d", d.Name, d.Version), func() (*policy.Policy, error) {
			def, err := e.definition(ctx, tx, "policy", d.Name, d.Version)
			if err != nil {
				return nil, err
			}
			var cal *bizcal.Calendar
			if name := def.Root.Get("calendar").Str(); name != "" {
				cd, err := e.cals.load(ctx, tx, name)
				if err != nil {
					return nil, err
				}
				cal = cd.cal
			}
			p, err := policy.Compile(def.Root, cal)
			if err != nil {
				return nil, permanent(fmt.Errorf("contact policy %s: %w", d.Name, err))
			}
			return p, nil
		})
		if err != nil {
			return nil, err
		}
		if p.Applies(workflow) || p.Name == named {
			out = append(out, p)
		}
	}
	return out, nil
}

// gate applies the contact policies to an outbound step before it acts (G1, G2). It returns stop
// true when the step must not act now: deferred (the run waits until every rule allows it, then the
// step is checked again) or skipped (the run goes on without it); either is in the run's history with
// the policy and rule that stopped it.
func (s *segment) gate(ctx context.Context, st *Step, req touchReq) (f flow, stop bool, err error) {
	if s.run.State["deferred"] == st.ID {
		if res := s.resumed(st); res != nil {
			// The deferral's history entry stays as it was written; the step writes its own.
			delete(s.run.State, "deferred")
			delete(s.run.State, "wait_seq")
		}
	}
	named, _ := s.p.Plan["policy"].(string)
	pols, err := s.e.activePolicies(ctx, s.tx, s.run.Workflow, named)
	if err != nil || len(pols) == 0 {
		return flow{}, false, err
	}
	if err := s.tx.LockKey(ctx, "touch/"+req.contact+"/"+req.rep); err != nil {
		return flow{}, true, err
	}
	now := s.e.now()
	var window time.Duration
	for _, p := range pols {
		window = max(window, p.Window())
	}
	hist, err := s.tx.Touches(ctx, req.contact, req.account, req.rep, now.Add(-window))
	if err != nil {
		return flow{}, true, err
	}
	touches := make([]policy.Touch, 0, len(hist))
	for _, h := range hist {
		if h.RunID == s.run.ID && h.StepID == st.ID {
			continue // this step's own touch, counted when it first passed: a retry is not a second message
		}
		touches = append(touches, policy.Touch{Channel: h.Channel, Contact: h.Contact, Account: h.Account, Rep: h.Rep, At: h.At})
	}
	preq := policy.Request{Channel: req.channel, Contact: req.contact, Account: req.account, Rep: req.rep,
		RecipientZone: req.recipientZone, RepZone: req.repZone, Now: now}
	var blocked *policy.Decision
	var by string
	for _, p := range pols {
		d := p.Check(preq, touches)
		if d.Allowed {
			continue
		}
		if blocked == nil || d.Action == policy.Skip || (blocked.Action == policy.Defer && d.NotBefore.After(blocked.NotBefore)) {
			blocked, by = &d, p.Name
		}
	}
	if blocked == nil {
		return flow{}, false, nil
	}
	decision := map[string]any{"policy": by, "rule": blocked.Rule, "reason": blocked.Reason, "action": blocked.Action}
	if blocked.Action == policy.Skip {
		_, err := s.history(ctx, st, "skipped", nil, nil, decision, "")
		return flow{next: st.Next}, true, err
	}
	until := blocked.NotBefore
	decision["until"] = until
	s.run.State["deferred"] = st.ID // by id, which a move to a new version keeps
	return flow{wait: &waitSpec{kind: "delay", until: &until, status: "deferred", decision: decision,
		input: map[string]any{"channel": req.channel, "contact": req.contact}}}, true, nil
}

// touched records a touch the gate let through, for the caps of the steps after it (and of other
// runs): once per step, so a retry of the step does not count twice.
func (s *segment) touched(ctx context.Context, st *Step, req touchReq) error {
	return s.tx.InsertTouch(ctx, uuid.Must(uuid.NewV7()).String(), store.Touch{Channel: req.channel, Contact: req.contact, Account: req.account,
		Rep: req.rep, Workflow: s.run.Workflow, RunID: s.run.ID, StepID: st.ID, At: s.e.now()})
}

// touchFor works out who an outbound step touches; ok is false for steps the policy does not govern
// (a Slack channel message, a webhook).
func (s *segment) touchFor(ctx context.Context, name string, with map[string]any, taskOwner string) (touchReq, bool, error) {
	req := touchReq{}
	var rep string
	switch name {
	case "send_email":
		to, err := s.e.eval(ctx, s.p, with["to"], s.vars())
		if err != nil {
			return req, false, err
		}
		rec, _ := to.(map[string]any)
		if rec == nil {
			return req, false, nil
		}
		typ := "lead"
		if idOf(rec) == s.run.RecordID {
			typ = s.run.RecordType
		} else if _, isContact := rec["account_id"]; isContact {
			typ = "contact"
		}
		req = touchReq{channel: policy.ChannelEmail, contact: typ + ":" + idOf(rec), account: firstText(rec["matched_account_id"], rec["account_id"])}
		req.recipientZone = zoneOf(rec["timezone"])
		rep = text(rec["owner_id"])
		if with["from"] != nil {
			if u, err := s.e.eval(ctx, s.p, with["from"], s.vars()); err == nil && idOf(u) != "" {
				rep = idOf(u)
			}
		}
	case "notify":
		if with["channel"] != "email" {
			return req, false, nil
		}
		u, err := s.e.eval(ctx, s.p, with["to"], s.vars())
		if err != nil {
			return req, false, err
		}
		req.channel, rep = policy.ChannelNotify, idOf(u)
	case "task":
		req.channel, rep = policy.ChannelTask, taskOwner
		if s.run.RecordType == "lead" || s.run.RecordType == "contact" {
			req.contact = s.run.RecordType + ":" + s.run.RecordID
			req.account = firstText(s.rec["matched_account_id"], s.rec["account_id"])
			req.recipientZone = zoneOf(s.rec["timezone"])
		}
	default:
		return req, false, nil
	}
	req.rep = rep
	if rep != "" {
		if u, err := (loader{e: s.e, tx: s.tx}).record(ctx, "user", rep, nil); err == nil {
			req.repZone = zoneOf(u["timezone"])
		}
	}
	return req, true, nil
}

func firstText(vs ...any) string {
	for _, v := range vs {
		if s, _ := v.(string); s != "" {
			return s
		}
	}
	return ""
}

// zoneOf loads a time zone field; nil (UTC to the policy) when empty or unknown.
func zoneOf(v any) *time.Location {
	name, _ := v.(string)
	if name == "" {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}
