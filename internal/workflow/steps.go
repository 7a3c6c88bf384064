package workflow

import (
	"fmt"
	"maps"
	"strings"
)

// Complexity limits past which lint warns: deeper or wider flows are hard to review.
const (
	maxDepth    = 4
	maxBranches = 8
	maxSteps    = 60
)

// stepCount warns once when a workflow has more steps than a reviewer can follow.
func (c *checker) stepCount(root *Node) {
	n := 0
	var count func(v *Node)
	count = func(v *Node) {
		if v == nil {
			return
		}
		if v.Kind == MapNode && len(stepKind(v)) == 1 {
			n++
		}
		for _, it := range v.Items {
			count(it)
		}
		for _, p := range v.Pairs {
			count(p.Value)
		}
	}
	count(root.Get("steps"))
	if n > maxSteps {
		c.warnf(root.Get("steps").Pos, "%d steps are more than a reviewer can follow (%d); split the workflow", n, maxSteps)
	}
}

// steps checks a list of steps and reports whether it always ends the run (so anything after the list
// in its parent is unreachable).
func (c *checker) steps(n *Node) bool {
	if len(n.Items) == 0 {
		c.warnf(n.Pos, "an empty list of steps does nothing")
	}
	c.depth++
	defer func() { c.depth-- }()
	if c.depth > 1 {
		// A branch: the ids it declares are not visible in its sibling branches, only after the step
		// that holds them (where they read as null when the branch did not run).
		outer, outerPending := maps.Clone(c.scope.Steps), c.pending
		c.pending = nil
		defer func() {
			declared := map[string]map[string]string{}
			for id, outs := range c.scope.Steps {
				if _, ok := outer[id]; !ok {
					declared[id] = outs
				}
			}
			maps.Copy(declared, c.pending)
			c.scope.Steps, c.pending = outer, outerPending
			if c.pending == nil {
				c.pending = map[string]map[string]string{}
			}
			maps.Copy(c.pending, declared)
		}()
	}
	if c.depth == maxDepth+1 {
		c.warnf(n.Pos, "steps nested %d levels deep are hard to follow; split the workflow or flatten the branches", c.depth)
	}
	ends, reported := false, false
	for _, it := range n.Items {
		if ends && !reported {
			c.errorf(it.Pos, "this step is unreachable: the steps before it always end the run")
			reported = true // once per list; the later steps are still checked
		}
		if c.step(it) {
			ends = true
		}
	}
	return ends
}

// step checks one step and reports whether it always ends the run.
func (c *checker) step(n *Node) bool {
	if n.Kind != MapNode {
		c.errorf(n.Pos, "a step must be a map with one of %s", strings.Join(StepKinds, ", "))
		return false
	}
	kinds := stepKind(n)
	switch {
	case len(kinds) == 0:
		msg := "a step needs one of " + strings.Join(StepKinds, ", ")
		for _, k := range keysOf(n) {
			if near := closest(k, StepKinds); near != "" && k != "id" {
				msg = fmt.Sprintf("unknown step type %q (did you mean %s?)", k, near)
			}
		}
		c.errorf(n.Pos, "%s", msg)
		return false
	case len(kinds) > 1:
		c.errorf(n.Pos, "a step is one thing, not %s", strings.Join(kinds, " and "))
		return false
	}
	kind := kinds[0]
	id := n.Get("id")
	if id != nil {
		c.stepID(id)
	}
	spec := StepSpecs[kind]
	switch kind {
	case "action":
		c.action(n)
	case "if":
		c.mapNode(n, spec, "")
		c.branches(n, 2+len(n.Get("else_if").ItemsOrNil()))
	case "switch":
		c.switchStep(n, spec)
	case "split":
		c.split(n, spec)
	case "wait_for":
		c.waitFor(n, id, spec)
	case "task":
		c.task(n, id, spec)
	default:
		c.mapNode(n, spec, "")
		if kind == "enroll" {
			if w := n.Get("enroll").Get("workflow").Str(); w != "" {
				c.enrolls = append(c.enrolls, w)
			}
		}
		if kind == "delay" {
			c.delayRules(n.Get("delay"))
		}
	}
	if len(c.pending) > 0 { // ids declared in this step's branches are visible from here on
		if c.scope.Steps == nil {
			c.scope.Steps = map[string]map[string]string{}
		}
		maps.Copy(c.scope.Steps, c.pending)
		c.pending = nil
	}
	c.declare(n, id, kind)
	return alwaysEnds(n)
}

// declare makes a step's outputs readable as steps.<id>.<output> by the steps after it.
func (c *checker) declare(n, id *Node, kind string) {
	if id == nil || id.Kind != ScalarNode || c.ids[id.Value] != id.Pos {
		return
	}
	if outs := n.Get("task").Get("outcomes"); outs != nil && outs.Kind == ListNode && c.outcomes[id.Value] == nil {
		if c.outcomes == nil {
			c.outcomes = map[string][]string{}
		}
		for _, o := range outs.Items {
			c.outcomes[id.Value] = append(c.outcomes[id.Value], o.Value)
		}
	}
	if c.scope.Steps == nil {
		c.scope.Steps = map[string]map[string]string{}
	}
	c.scope.Steps[id.Value] = stepOutputs(kind, n.Get("action").Str())
}

// task checks a task step; its own outputs are readable in its on_skip and on_decline paths, which
// run after it ended.
func (c *checker) task(n, id *Node, spec *Spec) {
	rest := *n
	rest.Pairs = nil
	var paths []Pair
	for _, p := range n.Pairs {
		if p.Key == "on_skip" || p.Key == "on_decline" {
			paths = append(paths, p)
		} else {
			rest.Pairs = append(rest.Pairs, p)
		}
	}
	c.mapNode(&rest, spec, "")
	c.declare(n, id, "task")
	for _, p := range paths {
		c.value(p.Value, steps(), p.Key)
	}
}

func (c *checker) stepID(id *Node) {
	if id.Kind != ScalarNode || !stepIDRe.MatchString(id.Value) {
		c.errorf(id.Pos, "a step id is a lower-case name (letters, digits, - and _), like first-call")
		return
	}
	if prev, dup := c.ids[id.Value]; dup {
		c.errorf(id.Pos, "step id %q is used twice (first at line %d)", id.Value, prev.Line)
		return
	}
	c.ids[id.Value] = id.Pos
}

// alwaysEnds reports whether a step always ends the run: a stop, or a branch whose every way ends.
func alwaysEnds(n *Node) bool {
	if n == nil || n.Kind != MapNode {
		return false
	}
	listEnds := func(l *Node) bool {
		if l == nil || l.Kind != ListNode {
			return false
		}
		for _, it := range l.Items {
			if alwaysEnds(it) {
				return true
			}
		}
		return false
	}
	switch {
	case n.Has("stop"):
		return true
	case n.Has("if"):
		if !listEnds(n.Get("then")) || !listEnds(n.Get("else")) {
			return false
		}
		if ei := n.Get("else_if"); ei != nil {
			for _, it := range ei.Items {
				if !listEnds(it.Get("then")) {
					return false
				}
			}
		}
		return true
	case n.Has("switch"):
		cases := n.Get("cases")
		if cases == nil || cases.Kind != MapNode || !listEnds(n.Get("default")) {
			return false
		}
		for _, p := range cases.Pairs {
			if !listEnds(p.Value) {
				return false
			}
		}
		return true
	case n.Has("split"):
		list := n.Get("split")
		if list == nil || list.Kind != ListNode || len(list.Items) == 0 {
			return false
		}
		for _, b := range list.Items {
			if !listEnds(b.Get("steps")) {
				return false
			}
		}
		return true
	}
	return false
}

func (c *checker) branches(n *Node, count int) {
	if count > maxBranches {
		c.warnf(n.Pos, "%d branches in one step are hard to follow; consider fewer, a switch, or a routing ruleset", count)
	}
}

func (c *checker) split(n *Node, spec *Spec) {
	c.mapNode(n, spec, "")
	list := n.Get("split")
	if list == nil || list.Kind != ListNode {
		return
	}
	total, names := 0, map[string]bool{}
	for _, b := range list.Items {
		if p := b.Get("percent"); p != nil {
			var v int
			if _, err := fmt.Sscanf(p.Value, "%d", &v); err == nil {
				total += v
				if v < 0 || v > 100 {
					c.errorf(p.Pos, "a percentage is from 0 to 100")
				}
			}
		}
		if name := b.Get("name").Str(); names[name] {
			c.errorf(b.Pos, "split branch %q appears twice", name)
		} else {
			names[name] = true
		}
	}
	if total != 100 {
		c.errorf(list.Pos, "the split's percentages add up to %d, not 100", total)
	}
	c.branches(n, len(list.Items))
}

func (c *checker) waitFor(n, id *Node, spec *Spec) {
	for _, p := range n.Pairs {
		switch p.Key {
		case "wait_for", "id", "on_timeout":
		default:
			c.errorf(p.KeyPos, "unknown key %q in wait_for", p.Key)
		}
	}
	w := n.Get("wait_for")
	if w == nil || w.Kind != MapNode {
		c.mapNode(n, spec, "wait_for")
		return
	}
	// `event` in wait_for.when is the awaited event; everywhere else it stays the triggering one.
	outer, event := c.scope, w.Get("event")
	if event != nil {
		c.scope = c.scope.withEvent(event.Str())
	}
	c.mapNode(w, c.waitEventRules(w), "wait_for")
	c.scope = outer
	if w.Has("when") && event == nil {
		c.errorf(w.Get("when").Pos, "wait_for.when filters an event: give `event`, or use `condition`")
	}
	if t := n.Get("on_timeout"); t != nil {
		c.declare(n, id, "wait_for") // on_timeout runs after the wait ended: its outputs are set
		c.value(t, steps(), "on_timeout")
	}
}

func (c *checker) delayRules(d *Node) {
	if d == nil || d.Kind != MapNode {
		return
	}
	only := map[string][]string{"offset": {"until"}, "timezone": {"time"}, "days": {"time"}, "calendar": {"business_hours", "business_days"}}
	for key, with := range only {
		if !d.Has(key) {
			continue
		}
		ok := false
		for _, w := range with {
			ok = ok || d.Has(w)
		}
		if !ok {
			c.errorf(d.Get(key).Pos, "delay.%s goes with %s", key, strings.Join(with, " or "))
		}
	}
	if (d.Has("business_hours") || d.Has("business_days")) && !d.Has("calendar") {
		c.errorf(d.Pos, "a business-time delay needs a calendar")
	}
	for _, k := range []string{"business_hours", "business_days"} {
		if v := d.Get(k); v != nil && strings.HasPrefix(strings.TrimSpace(v.Value), "-") {
			c.errorf(v.Pos, "delay.%s cannot be negative", k)
		}
	}
}
