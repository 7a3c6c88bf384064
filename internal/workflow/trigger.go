package workflow

import (
	"slices"
	"strings"

	"github.com/salesflow/salesflow/internal/records"
)

// workflow checks a workflow document: the spec, then the trigger's rules that depend on the object.
func (c *checker) workflow(root *Node) {
	c.mapNode(root, WorkflowSpec, "workflow")
	c.stepCount(root)
	if t := root.Get("trigger"); t != nil && t.Kind == MapNode && c.object != nil {
		c.triggerRules(t)
	}
}

// triggerRules checks what the spec alone cannot: the event fits the object, and each narrowing key
// goes with its event.
func (c *checker) triggerRules(t *Node) {
	onNode := t.Get("on")
	on := onNode.Str()
	obj := c.object.Name
	if verb, ok := strings.CutPrefix(on, obj+"."); !ok {
		if want, special := specialEvents[on]; !special || (want != "" && want != obj) {
			if prefix, _, found := strings.Cut(on, "."); found && onNode != nil {
				c.errorf(onNode.Pos, "a workflow on %s records cannot start on %s events", obj, prefix)
			}
		}
	} else if _, special := specialEvents[on]; !special && verb != "created" && verb != "updated" && verb != "deleted" {
		c.errorf(onNode.Pos, "unknown event %q", on)
	}
	with := map[string][]string{
		"changed": {obj + ".updated", "deal.stage_changed"}, "from": {obj + ".updated", "deal.stage_changed"},
		"to": {obj + ".updated", "deal.stage_changed"}, "form": {"form.submitted"}, "threshold": {"lead.score_crossed"},
		"model": {"lead.score_crossed"}, "event": {"event"}, "date": {"date"}, "schedule": {"schedule"},
	}
	for key, events := range with {
		if n := t.Get(key); n != nil && !slices.Contains(events, on) {
			c.errorf(n.Pos, "trigger.%s goes with on: %s", key, strings.Join(events, " or "))
		}
	}
	need := map[string]string{"lead.score_crossed": "threshold", "event": "event", "date": "date", "schedule": "schedule"}
	if key, ok := need[on]; ok && !t.Has(key) {
		c.errorf(t.Pos, "on: %s needs trigger.%s", on, key)
	}
	if t.Has("match") && !t.Has("when") {
		c.errorf(t.Get("match").Pos, "trigger.match says how `when` is read; give a `when`")
	}
	field := t.Get("changed")
	if on == "deal.stage_changed" && field == nil {
		field = &Node{Kind: ScalarNode, Value: "stage", Pos: onNode.Pos}
	}
	if field != nil && field.Kind == ScalarNode {
		if f, ok := c.objectField(field.Value, field.Pos); ok {
			for _, k := range []string{"from", "to"} {
				if n := t.Get(k); n != nil && n.Kind == ScalarNode {
					c.literal(f, n)
					if obj == "deal" && f.Name == "stage" { // stages live in pipelines: checked with --server
						c.refs = append(c.refs, Ref{Kind: "stage", Name: "/" + n.Value, File: c.file, Pos: n.Pos})
					}
				}
			}
		}
	} else if (t.Has("from") || t.Has("to")) && on != "deal.stage_changed" {
		c.errorf(t.Pos, "trigger.from and trigger.to need trigger.changed")
	}
	if tz := t.Get("schedule").Get("timezone"); tz != nil && (tz.Value == "owner" || tz.Value == "recipient" || tz.Value == "record") {
		c.errorf(tz.Pos, "a schedule ticks for no one in particular: give an IANA zone such as Europe/Berlin, not %s", tz.Value)
	}
	if d := t.Get("date"); d != nil && d.Kind == MapNode {
		if fn := d.Get("field"); fn != nil {
			if f, ok := c.objectField(fn.Value, fn.Pos); ok && f.Type != records.Date && f.Type != records.DateTime {
				c.errorf(fn.Pos, "%s.%s is a %s, not a date or datetime", obj, f.Name, f.Type)
			}
		}
	}
}
