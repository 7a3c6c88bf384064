package workflow

import (
	"maps"
	"slices"
	"strings"
)

// notWaitable are the triggers that are not events: nothing happens to the record that a run could
// wait for (a date or a cron tick is a delay; manual enrollment starts runs only).
var notWaitable = []string{"date", "schedule", "manual"}

// waitEvents are the events a wait_for may name: every trigger event but the non-events.
func waitEvents() []string {
	return slices.DeleteFunc(triggerEvents(), func(e string) bool { return slices.Contains(notWaitable, e) })
}

// mapOfAny is the type name of a map whose values may be anything (changes, form fields, payloads).
const mapOfAny = "map(any)"

// EventFields returns the fields of the event `on` (a trigger.on value, like lead.updated) as
// expressions see them under `event`: field → type name, where a type name is string, number,
// timestamp, map(any) or an object (lead, task, …). It returns nil for an unknown event.
//
// Every event has `type` (the event, as in trigger.on) and `at` (when it happened). Besides:
//
//   - <object>.created|updated|deleted: `<object>` (the record), `changes` (field → {old, new}),
//     `actor` (who made the change: a user, a workflow run, the API or the system);
//   - deal.stage_changed: as deal.updated, plus `from` and `to` (the stages);
//   - form.submitted: `form` (the form's name), `fields` (the submitted fields), `lead`;
//   - task.completed, task.overdue: `task`, `outcome` (the outcome the rep picked, "" if none);
//   - lead.score_crossed: `lead`, `threshold` and `model` (names), `score` (the new score);
//   - date: `field` (the date field that came due); schedule: no more; manual: `actor`;
//   - event (a custom event posted to the API): `name`, `payload` (its JSON body's fields),
//     `record_type` and `record_id` (the record it is about).
func EventFields(on string) map[string]string {
	f := map[string]string{"type": "string", "at": "timestamp"}
	add := func(kv ...string) map[string]string {
		for i := 0; i+1 < len(kv); i += 2 {
			f[kv[i]] = kv[i+1]
		}
		return f
	}
	switch on {
	case "deal.stage_changed":
		maps.Copy(f, EventFields("deal.updated"))
		return add("from", "string", "to", "string")
	case "form.submitted":
		return add("form", "string", "fields", mapOfAny, "lead", "lead")
	case "task.completed", "task.overdue":
		return add("task", "task", "outcome", "string")
	case "lead.score_crossed":
		return add("lead", "lead", "threshold", "string", "model", "string", "score", "number")
	case "date":
		return add("field", "string")
	case "schedule":
		return f
	case "manual":
		return add("actor", "string")
	case "event":
		return add("name", "string", "payload", mapOfAny, "record_type", "string", "record_id", "string")
	}
	obj, verb, ok := strings.Cut(on, ".")
	if ok && slices.Contains(workflowObjects, obj) && slices.Contains([]string{"created", "updated", "deleted"}, verb) {
		return add(obj, obj, "changes", mapOfAny, "actor", "string")
	}
	return nil
}

// waitEventRules checks what wait_for's spec alone cannot — `name` goes with event: event, and the
// event is one a run can wait for — and returns the spec to check the map against: one that lets a
// non-event through its enum, so that it is reported once, with the reason, not twice.
func (c *checker) waitEventRules(w *Node) *Spec {
	event := w.Get("event")
	if name := w.Get("name"); name != nil && event.Str() != "event" {
		c.errorf(name.Pos, "wait_for.name names a custom event: it goes with event: event")
	}
	if !slices.Contains(notWaitable, event.Str()) {
		return waitSpec
	}
	c.errorf(event.Pos, "wait_for.event cannot be %s: it starts runs, it is not an event a run can wait for (use a delay)", event.Value)
	s := *waitSpec
	s.Fields = slices.Clone(waitSpec.Fields)
	for i, f := range s.Fields {
		if f.Key == "event" {
			s.Fields[i].Value = enum(triggerEvents()...)
		}
	}
	return &s
}
