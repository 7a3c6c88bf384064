package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

const feedName = "triggers"

// feedBatch is how many events one feed transaction handles: the runs they start, the runs they
// resume or end and the feed's new position commit together, so a crash repeats none and loses none.
const feedBatch = 200

// initCursor starts a new installation's feed after the events written before the engine existed
// (the demo seed, an import), so that applying a workflow does not enroll the past.
func (e *Engine) initCursor(tx *store.Tx) error {
	ctx := context.Background()
	_, ok, err := tx.FeedCursor(ctx, feedName)
	if err != nil || ok {
		return err
	}
	p, err := tx.LatestFeedPosition(ctx)
	if err != nil {
		return err
	}
	return tx.SetFeedCursor(ctx, feedName, p)
}

// feedLoop reads the event feed until ctx ends. The outside calls of the runs it started go to the
// workers.
func (e *Engine) feedLoop(ctx context.Context, calls chan<- *segment) {
	t := time.NewTicker(e.opts.Poll)
	defer t.Stop()
	var synced time.Time
	for ctx.Err() == nil {
		if time.Since(synced) > 30*time.Second { // schedule triggers of workflows applied or resumed since
			if err := e.syncCron(ctx); err != nil && ctx.Err() == nil {
				e.log.Error("schedule triggers", "err", err)
			}
			synced = time.Now()
		}
		n, held, err := e.feed(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Error("trigger feed", "err", err)
		}
		e.handOver(ctx, held, calls)
		if n == feedBatch && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-e.wakeF:
		}
	}
}

// FeedOnce handles the next batch of events and returns how many it read. The outside calls of the
// runs it started are made before it returns, in this goroutine, with the steps after them.
func (e *Engine) FeedOnce(ctx context.Context) (int, error) {
	n, calls, err := e.feed(ctx)
	for _, c := range calls {
		e.execute(ctx, c.job, c)
	}
	return n, err
}

// feed handles the next batch of events: it enrolls records, runs the new runs' first segments (on
// SQLite) and moves the runs the events concern, in one transaction. It returns how many events it
// read and the new runs stopped before an outside call, whose calls are to be made now.
func (e *Engine) feed(ctx context.Context) (int, []*segment, error) {
	var n, started int
	var calls []*segment
	var ended []string
	err := e.write(ctx, func(ctx context.Context, tx *store.Tx) error {
		pos, err := tx.LockFeedCursor(ctx, feedName)
		if err != nil {
			return err
		}
		evs, next, err := tx.Feed(ctx, pos, feedBatch)
		if err != nil || len(evs) == 0 {
			return err
		}
		n = len(evs)
		defs, err := tx.Definitions(ctx, "workflow", "scoring") // one read for both, on every batch
		if err != nil {
			return err
		}
		wfs := e.activeWorkflows(ctx, tx, defs)
		scoring := slices.ContainsFunc(defs, func(d store.Definition) bool { return d.Kind == "scoring" })
		idx, err := e.runIndex(ctx, tx, evs)
		if err != nil {
			return err
		}
		var logs []store.EnrollmentCheck
		var fresh []enrolled
		for _, ev := range evs {
			s, err := e.handleEvent(ctx, tx, wfs, ev, idx, &logs, &fresh)
			if err == nil && scoring {
				err = e.rescore(ctx, tx, ev)
			}
			if err != nil {
				return fmt.Errorf("event %s (%s %s %s): %w", ev.ID, ev.Kind, ev.RecordType, ev.RecordID, err)
			}
			started += s
		}
		if err := tx.LogEnrollments(ctx, logs); err != nil {
			return err
		}
		if err := tx.SetFeedCursor(ctx, feedName, next); err != nil {
			return err
		}
		calls, ended = nil, nil // set afresh: a group commit runs this function once, but be plain about it
		if tx.LocksRows() {
			return nil
		}
		calls, ended, err = e.firstSegments(ctx, tx, fresh)
		return err
	})
	if err != nil {
		return n, nil, err
	}
	if started > 0 {
		e.m.started.Add(float64(started))
		e.Changed(store.Changes{Jobs: true}) // the new runs' jobs, for an engine whose store does not call it
	}
	for _, status := range ended {
		e.m.finished.WithLabelValues(status).Inc()
	}
	return n, calls, nil
}

// active is a workflow that may enroll records: its current program and since when it is active.
type active struct {
	p     *Program
	since time.Time
}

// activeWorkflows compiles (from cache) the active workflows among defs.
func (e *Engine) activeWorkflows(ctx context.Context, tx *store.Tx, defs []store.Definition) []active {
	var out []active
	for _, d := range defs {
		if d.Kind != "workflow" || d.State != store.StateActive {
			continue
		}
		p, err := e.program(ctx, tx, d.Name, d.Version)
		if err != nil {
			e.log.Error("workflow does not compile; it enrolls nothing", "workflow", d.Name, "err", err)
			continue
		}
		out = append(out, active{p: p, since: d.CreatedAt}) // a new version keeps the events of the old one's time
	}
	return out
}

// handleEvent enrolls the event's record where a trigger matches, and moves the record's active runs:
// goals and exits, waits for events and conditions, task completions. It returns the runs started.
func (e *Engine) handleEvent(ctx context.Context, tx *store.Tx, wfs []active, ev store.Event, idx runIndex, logs *[]store.EnrollmentCheck, fresh *[]enrolled) (int, error) {
	if !slices.Contains([]string{"lead", "contact", "account", "deal", "task", "activity"}, ev.RecordType) {
		return 0, nil
	}
	if idx.concerned(ev) {
		if err := e.advanceRuns(ctx, tx, ev); err != nil {
			return 0, err
		}
	}
	if err := e.scheduleDates(ctx, tx, wfs, ev); err != nil {
		return 0, err
	}
	started := 0
	for _, w := range wfs {
		on, _ := w.p.Trigger["on"].(string)
		tr, ok := matchTrigger(w.p, on, ev)
		if !ok || ev.OccurredAt.Before(w.since) {
			continue
		}
		tr.onRun, tr.logs, tr.enrolled = idx.add, logs, fresh
		ok, err := e.enroll(ctx, tx, w.p, tr)
		if err != nil {
			return started, err
		}
		if ok {
			started++
		}
	}
	return started, nil
}

// triggered is a matched trigger: the record to enroll and the `event` its expressions see.
type triggered struct {
	recordType, recordID string
	event                map[string]any
	ev                   *store.Event // nil for timers (date, schedule) and manual enrollment
	parentRun            string
	manual               bool // enrolled by request: the filter applies only to a manual trigger
	onRun                func(store.ActiveRunRef)
	logs                 *[]store.EnrollmentCheck // where to put the decision (nil: write it now)
	enrolled             *[]enrolled              // where to put a run started, for its first segment (nil: a worker runs it)
}

// matchTrigger tells whether ev is the event the program's trigger names, with its narrowing keys.
func matchTrigger(p *Program, on string, ev store.Event) (triggered, bool) {
	t := p.Trigger
	tr := triggered{recordType: ev.RecordType, recordID: ev.RecordID, ev: &ev}
	if ev.ActorType == "workflow_run" {
		tr.parentRun = ev.ActorID
	}
	str := func(k string) string { s, _ := t[k].(string); return s }
	base := map[string]any{"type": on, "at": ev.OccurredAt, "actor": ev.ActorType + ":" + ev.ActorID, "changes": changesMap(ev.Changes)}
	switch on {
	case "deal.stage_changed":
		ch, ok := ev.Changes["stage"]
		if ev.RecordType != "deal" || ev.Kind != "updated" || !ok || !sameText(ch.Old, str("from")) || !sameText(ch.New, str("to")) {
			return tr, false
		}
		base["from"], base["to"] = ch.Old, ch.New
	case "form.submitted":
		if ev.RecordType != "activity" || ev.Kind != "created" || newValue(ev, "type") != "form_submitted" || newValue(ev, "record_type") != "lead" {
			return tr, false
		}
		if f := str("form"); f != "" && newValue(ev, "form") != f {
			return tr, false
		}
		tr.recordType, tr.recordID = "lead", fmt.Sprint(newValue(ev, "record_id"))
		base = map[string]any{"type": on, "at": ev.OccurredAt, "form": newValue(ev, "form"), "fields": ev.Changes["data"].New}
	case "task.completed":
		ch, ok := ev.Changes["status"]
		if ev.RecordType != "task" || ev.Kind != "updated" || !ok || ch.New != "done" {
			return tr, false
		}
	case "lead.score_crossed":
		if ev.RecordType != "lead" || ev.Kind != "score_crossed" || !sameText(ev.Payload["threshold"], str("threshold")) || !sameText(ev.Payload["model"], str("model")) {
			return tr, false
		}
		base = map[string]any{"type": on, "at": ev.OccurredAt, "threshold": ev.Payload["threshold"], "model": ev.Payload["model"], "score": ev.Payload["score"]}
	case "event":
		if ev.Kind != "event" || ev.Name != str("event") || ev.RecordType != p.Object {
			return tr, false
		}
		base = map[string]any{"type": on, "at": ev.OccurredAt, "name": ev.Name, "payload": ev.Payload, "record_type": ev.RecordType, "record_id": ev.RecordID}
	default:
		obj, verb, _ := strings.Cut(on, ".")
		if ev.RecordType != obj || ev.Kind != verb {
			return tr, false
		}
		if f := str("changed"); f != "" {
			ch, ok := ev.Changes[f]
			if !ok || !sameText(ch.Old, str("from")) || !sameText(ch.New, str("to")) {
				return tr, false
			}
		}
	}
	tr.event = base
	return tr, true
}

// sameText compares a stored value with a trigger's from/to text; an empty want matches anything.
func sameText(v any, want string) bool {
	if want == "" {
		return true
	}
	if v == nil {
		return false
	}
	return strings.EqualFold(fmt.Sprint(v), want)
}

func newValue(ev store.Event, field string) any {
	if ch, ok := ev.Changes[field]; ok {
		return ch.New
	}
	return nil
}

func changesMap(c map[string]records.Change) map[string]any {
	out := make(map[string]any, len(c))
	for k, ch := range c {
		out[k] = map[string]any{"old": ch.Old, "new": ch.New}
	}
	return out
}

// recordBefore rebuilds the record as it was before the event, for edge-triggered filters.
func recordBefore(after map[string]any, changes map[string]records.Change) map[string]any {
	before := make(map[string]any, len(after))
	for k, v := range after {
		before[k] = v
	}
	for k, ch := range changes {
		before[k] = ch.Old
	}
	return before
}

// runIndex is the active runs a batch of events may concern, by record id and by wait key, read in
// one query: an event that no active run is about or waits on (a new lead, most of a run's own
// writes) costs no further reads. On SQLite the transaction also learns which workflows the batch's
// records have ever run, so that enrolling a record that never ran the workflow (every new lead)
// needs no read of its previous run.
type runIndex map[string][]store.ActiveRunRef

func (e *Engine) runIndex(ctx context.Context, tx *store.Tx, evs []store.Event) (runIndex, error) {
	seen := map[string]bool{}
	var keys []string
	for _, ev := range evs {
		for _, k := range eventKeys(ev) {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	if err := tx.PrefetchRuns(ctx, keys); err != nil {
		return nil, err
	}
	refs, err := tx.ActiveRunRefs(ctx, keys)
	idx := runIndex{}
	for _, r := range refs {
		idx.add(r)
	}
	return idx, err
}

func (idx runIndex) add(r store.ActiveRunRef) {
	idx[r.RecordID] = append(idx[r.RecordID], r)
	if r.WaitKey != "" && r.WaitKey != r.RecordID {
		idx[r.WaitKey] = append(idx[r.WaitKey], r)
	}
}

// eventKeys are the ids an event can concern runs by: its record, and the record an activity or
// task is about (from the event when it says, else the record's own link is read by advanceRuns).
func eventKeys(ev store.Event) []string {
	keys := []string{ev.RecordID}
	if ch, ok := ev.Changes["record_id"]; ok {
		for _, v := range []any{ch.Old, ch.New} {
			if s, _ := v.(string); s != "" {
				keys = append(keys, s)
			}
		}
	}
	return keys
}

// concerned reports whether some active run other than the one that caused the event may care.
// An activity or task event that does not name its record is let through (its link is read then).
func (idx runIndex) concerned(ev store.Event) bool {
	if (ev.RecordType == "activity" || ev.RecordType == "task") && ev.Kind != "created" {
		if _, named := ev.Changes["record_id"]; !named {
			return true
		}
	}
	for _, k := range eventKeys(ev) {
		for _, r := range idx[k] {
			if ev.ActorType != "workflow_run" || ev.ActorID != r.ID || r.WaitKind == "condition" {
				return true
			}
		}
	}
	return false
}
