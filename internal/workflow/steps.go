package workflow

import (
	"fmt"
	"strings"
)

// Complexity limits past which lint warns: deeper or wider flows are hard to review.
const (
	maxDepth    = 4
	maxBranches = 8
	maxSteps    = 60
)

// steps checks a list of steps and reports whether it always ends the run (so anything after the list
// in its parent is unreachable).
func (c *checker) steps(n *Node) bool {
	if len(n.Items) == 0 {
		c.warnf(n.Pos, "an empty list of steps does nothing")
	}
	c.depth++
	defer func() { c.depth-- }()
	if c.depth == maxDepth+1 {
		c.warnf(n.Pos, "steps nested %d levels deep are hard to follow; split the workflow or flatten the branches", c.depth)
	}
	ends := false
	for _, it := range n.Items {
		if ends {
			c.errorf(it.Pos, "this step is unreachable: the steps before it always end the run")
			ends = false // report the first unreachable step of a list once
			c.step(it)
			return true
		}
		ends = c.step(it)
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
	var ends bool
	switch kind {
	case "action":
		c.action(n)
	case "if":
		ends = c.ifStep(n, spec)
	case "switch":
		ends = c.switchStep(n, spec)
	case "split":
		ends = c.split(n, spec)
	case "wait_for":
		c.waitFor(n, spec)
	case "stop":
		c.mapNode(n, spec, "stop")
		ends = true
	default:
		c.mapNode(n, spec, kind)
		if kind == "delay" {
			c.delayRules(n.Get("delay"))
		}
	}
	if id != nil && id.Kind == ScalarNode && c.ids[id.Value] == id.Pos {
		action := n.Get("action").Str()
		if c.scope.Steps == nil {
			c.scope.Steps = map[string]map[string]string{}
		}
		c.scope.Steps[id.Value] = stepOutputs(kind, action)
	}
	return ends
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

func (c *checker) ifStep(n *Node, spec *Spec) bool {
	c.mapNode(n, spec, "if")
	then, els := n.Get("then"), n.Get("else")
	branches := 1
	allEnd := then != nil && then.Kind == ListNode
	if allEnd {
		allEnd = c.steps(then)
	}
	if ei := n.Get("else_if"); ei != nil && ei.Kind == ListNode {
		for _, it := range ei.Items {
			branches++
			if t := it.Get("then"); t != nil && t.Kind == ListNode {
				allEnd = c.steps(t) && allEnd
			}
		}
	}
	if els != nil && els.Kind == ListNode {
		branches++
		allEnd = c.steps(els) && allEnd
	} else {
		allEnd = false
	}
	if branches > maxBranches {
		c.warnf(n.Pos, "%d branches in one if are hard to follow; consider a switch or a routing ruleset", branches)
	}
	return allEnd
}

func (c *checker) switchStep(n *Node, spec *Spec) bool {
	c.mapNode(n, spec, "switch")
	cases := n.Get("cases")
	allEnd := cases != nil && cases.Kind == MapNode && len(cases.Pairs) > 0
	if cases != nil && cases.Kind == MapNode {
		if len(cases.Pairs) > maxBranches {
			c.warnf(cases.Pos, "%d cases in one switch are hard to follow", len(cases.Pairs))
		}
		for _, p := range cases.Pairs {
			if p.Value.Kind == ListNode {
				allEnd = c.steps(p.Value) && allEnd
			}
		}
	}
	if d := n.Get("default"); d != nil && d.Kind == ListNode {
		allEnd = c.steps(d) && allEnd
	} else {
		allEnd = false
	}
	return allEnd
}

func (c *checker) split(n *Node, spec *Spec) bool {
	for _, p := range n.Pairs {
		if p.Key != "split" && p.Key != "id" {
			c.errorf(p.KeyPos, "unknown key %q in split", p.Key)
		}
	}
	list := n.Get("split")
	if list == nil || list.Kind != ListNode {
		c.mapNode(n, spec, "split")
		return false
	}
	total, names, allEnd := 0, map[string]bool{}, len(list.Items) > 0
	for i, b := range list.Items {
		c.mapNode(b, splitBranch, fmt.Sprintf("split[%d]", i+1))
		if p := b.Get("percent"); p != nil {
			var v int
			if _, err := fmt.Sscanf(p.Value, "%d", &v); err == nil {
				total += v
			}
		}
		if name := b.Get("name").Str(); names[name] {
			c.errorf(b.Pos, "split branch %q appears twice", name)
		} else {
			names[name] = true
		}
		if s := b.Get("steps"); s != nil && s.Kind == ListNode {
			allEnd = c.steps(s) && allEnd
		}
	}
	if total != 100 {
		c.errorf(list.Pos, "the split's percentages add up to %d, not 100", total)
	}
	return allEnd
}

func (c *checker) waitFor(n *Node, spec *Spec) {
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
	outer := c.scope
	c.scope = c.scope.withEvent(w.Get("event").Str())
	c.mapNode(w, waitSpec, "wait_for")
	c.scope = outer
	if w.Has("when") && !w.Has("event") {
		c.errorf(w.Get("when").Pos, "wait_for.when filters an event: give `event`, or use `condition`")
	}
	if t := n.Get("on_timeout"); t != nil {
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
}
