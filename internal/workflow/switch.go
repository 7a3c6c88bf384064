package workflow

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// switchStep checks a switch: it switches on a single value (text, number, true/false), and its case
// keys are values that value can take — an enum's options, or the outcomes of the task it reads.
func (c *checker) switchStep(n *Node, spec *Spec) {
	c.mapNode(n, spec, "")
	c.branches(n, 1+len(n.Get("cases").PairsOrNil()))
	on, cases := n.Get("switch"), n.Get("cases")
	if on == nil || on.Kind != ScalarNode || cases == nil || cases.Kind != MapNode {
		return
	}
	allowed, what := c.switchValues(on.Value)
	if allowed == nil {
		return
	}
	for _, p := range cases.Pairs {
		if !slices.Contains(allowed, p.Key) {
			msg := fmt.Sprintf("case %q can never match: %s is one of %s", p.Key, what, strings.Join(allowed, ", "))
			if near := closest(p.Key, allowed); near != "" {
				msg = fmt.Sprintf("case %q can never match (did you mean %s?)", p.Key, near)
			}
			c.errorf(p.KeyPos, "%s", msg)
		}
	}
}

var (
	fieldRef   = regexp.MustCompile(`^\s*([a-z_]+)\.([a-z0-9_]+)\s*$`)
	outcomeRef = regexp.MustCompile(`^\s*steps\.([a-z][a-z0-9_-]*)\.outcome\s*$`)
)

// switchValues returns the values a switch expression can take when lint can know them: an enum
// field of the record (lead.status) or a task's outcomes (steps.first-call.outcome).
func (c *checker) switchValues(src string) ([]string, string) {
	if m := fieldRef.FindStringSubmatch(src); m != nil && c.object != nil && m[1] == c.object.Name {
		if f, ok := c.object.Field(m[2]); ok && len(f.Options) > 0 {
			return f.Options, src
		}
	}
	if m := outcomeRef.FindStringSubmatch(src); m != nil {
		if outs, ok := c.outcomes[m[1]]; ok && len(outs) > 0 {
			return outs, src
		}
	}
	return nil, ""
}
