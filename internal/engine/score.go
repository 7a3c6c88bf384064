package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/salesflow/salesflow/internal/auth"
	"github.com/salesflow/salesflow/internal/expr"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/scoring"
	"github.com/salesflow/salesflow/internal/store"
)

// scoreFields are the lead fields a score writes; a change to only these never calls for a rescore.
var scoreFields = []string{"score", "score_grade", "score_breakdown", "score_model", "scored_at", "updated_at"}

// scorer is the actor of automatic rescoring, as the timeline shows it.
var scorer = auth.Actor{Kind: auth.KindSystem, ID: "scoring", Role: auth.Admin}

// models caches compiled scoring models by name and version.
type models struct {
	mu sync.Mutex
	m  map[string]*compiledModel
}

type compiledModel struct {
	model *scoring.Model
	need  map[string]bool // the lead's relations its rules read
	reads []string        // the lead fields and relations its fit rules read
}

// scoreModel loads the current version of a scoring model.
func (e *Engine) scoreModel(ctx context.Context, tx *store.Tx, name string) (*compiledModel, error) {
	sd, err := tx.Definition(ctx, "scoring", name)
	if errors.Is(err, records.ErrNotFound) {
		return nil, permanent(&UnknownDefinitionError{Kind: "scoring", Name: name})
	}
	if err != nil {
		return nil, err
	}
	return built(tx, &e.models.mu, &e.models.m, fmt.Sprintf("model/%s/%d", name, sd.Version), func() (*compiledModel, error) {
		d, err := e.definition(ctx, tx, "scoring", name, sd.Version)
		if err != nil {
			return nil, err
		}
		m, err := scoring.Compile(d, sd.Version)
		if err != nil {
			return nil, permanent(err)
		}
		return &compiledModel{model: m, need: needs(definitionReads(d))["lead"], reads: m.Reads()}, nil
	})
}

// scoreLead scores a lead under a model and writes the score, grade and breakdown; each threshold the
// score rises through becomes a score_crossed event (which workflows can trigger on) in the same
// transaction.
func (e *Engine) scoreLead(ctx context.Context, tx *store.Tx, a auth.Actor, model, id string) (scoring.Result, error) {
	cm, err := e.scoreModel(ctx, tx, model)
	if err != nil {
		return scoring.Result{}, err
	}
	lead, err := (loader{e: e, tx: tx}).record(ctx, "lead", id, cm.need)
	if err != nil {
		return scoring.Result{}, err
	}
	acts, err := e.activitiesOf(ctx, tx, id)
	if err != nil {
		return scoring.Result{}, err
	}
	previous, _ := lead["score"].(float64)
	now := e.now()
	res, err := cm.model.Score(ctx, expr.Vars{"lead": map[string]any(lead)}, acts, previous, now)
	if err != nil {
		return res, permanent(err)
	}
	breakdown := map[string]any{"model": res.Model, "version": res.Version, "lines": anyList(res.Breakdown)}
	if len(res.Unscored) > 0 {
		breakdown["unscored"] = res.Unscored
	}
	if unchanged(lead, res.Score, res.Grade, model, breakdown) {
		return res, nil // the same score again: no write, no event (scored_at is when it last changed)
	}
	sys := records.Values{"score_grade": res.Grade, "score_breakdown": breakdown, "score_model": model, "scored_at": now}
	if _, err := e.crm.UpdateSystemTx(ctx, tx, a, "lead", id, map[string]any{"score": res.Score}, sys); err != nil {
		return res, err
	}
	for _, t := range res.Crossed {
		err := tx.AppendEvent(ctx, store.Event{ID: uuid.Must(uuid.NewV7()).String(), RecordType: "lead", RecordID: id, Kind: "score_crossed",
			ActorType: a.Kind, ActorID: a.ID, OccurredAt: e.crm.Now(),
			Payload: map[string]any{"threshold": t.Name, "model": model, "score": res.Score, "at": t.At, "previous": previous}})
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// activitiesOf lists a lead's activities with when each happened, for engagement rules.
func (e *Engine) activitiesOf(ctx context.Context, tx *store.Tx, leadID string) ([]scoring.Activity, error) {
	o, err := e.crm.Object(ctx, tx, "activity")
	if err != nil {
		return nil, err
	}
	recs, _, err := tx.List(ctx, o, store.ListQuery{Filters: []store.Filter{{Field: "record_type", Op: store.Eq, Value: "lead"},
		{Field: "record_id", Op: store.Eq, Value: leadID}}, Sort: "occurred_at", Desc: true, Limit: 1000})
	if err != nil {
		return nil, err
	}
	out := make([]scoring.Activity, 0, len(recs))
	for _, r := range recs {
		at, _ := r["occurred_at"].(time.Time)
		out = append(out, scoring.Activity{Values: map[string]any(r), At: at})
	}
	return out, nil
}

func anyList[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// rescore scores a lead again when an event changes what its model reads: a fit field of the lead, or
// one of its activities. Only leads already scored (score_model set) are rescored, under that model.
func (e *Engine) rescore(ctx context.Context, tx *store.Tx, ev store.Event) error {
	leadID := ""
	switch {
	case ev.RecordType == "lead" && ev.Kind == "updated":
		leadID = ev.RecordID
	case ev.RecordType == "activity" && ev.Kind == "updated":
		if act, err := (loader{e: e, tx: tx}).record(ctx, "activity", ev.RecordID, nil); err == nil && act.String("record_type") == "lead" {
			leadID = act.String("record_id")
		}
	case ev.RecordType == "activity":
		leadID = activityLead(ev)
	}
	if leadID == "" {
		return nil
	}
	lead, err := (loader{e: e, tx: tx}).record(ctx, "lead", leadID, nil)
	if err != nil {
		return nil // deleted since: nothing to score
	}
	model := lead.String("score_model")
	if model == "" {
		return nil
	}
	cm, err := e.scoreModel(ctx, tx, model)
	if err != nil {
		e.log.Warn("rescore: the lead's scoring model is gone", "lead", leadID, "model", model, "err", err)
		return nil
	}
	if ev.RecordType == "lead" && !readsChanged(cm.reads, ev.Changes) {
		return nil
	}
	if ev.RecordType == "activity" && len(cm.model.Engagement) == 0 {
		return nil
	}
	_, err = e.scoreLead(ctx, tx, scorer, model, leadID)
	return err
}

// activityLead is the lead an activity event is about (from its changes: new values, or old ones on
// delete).
func activityLead(ev store.Event) string {
	rt, rid := ev.Changes["record_type"], ev.Changes["record_id"]
	pick := func(c records.Change) any {
		if ev.Kind == "deleted" {
			return c.Old
		}
		return c.New
	}
	if pick(rt) != "lead" {
		return ""
	}
	s, _ := pick(rid).(string)
	return s
}

// readsChanged reports whether a change touches a field (or a relation's reference) a model reads.
func readsChanged(reads []string, changes map[string]records.Change) bool {
	for f := range changes {
		if slices.Contains(scoreFields, f) {
			continue
		}
		for _, r := range reads {
			if f == r || f == r+"_id" {
				return true
			}
		}
	}
	return false
}

// unchanged reports whether a lead already carries this score, grade, model and breakdown.
func unchanged(lead records.Values, score float64, grade, model string, breakdown map[string]any) bool {
	if lead["score"] != score || lead.String("score_grade") != grade || lead.String("score_model") != model {
		return false
	}
	// Compare as stored: through JSON and back, so struct field order and number types do not differ.
	var fresh any
	b, err := json.Marshal(breakdown)
	if err != nil || json.Unmarshal(b, &fresh) != nil {
		return false
	}
	a, err1 := json.Marshal(lead["score_breakdown"])
	b, err2 := json.Marshal(fresh)
	return err1 == nil && err2 == nil && string(a) == string(b)
}
