package workflow

import (
	"errors"
	"strconv"

	"github.com/salesflow/salesflow/internal/bizcal"
)

// kindRules checks what the specs of routing, calendar and policy documents cannot say alone.
func (c *checker) kindRules(kind string, root *Node) {
	switch kind {
	case "routing":
		c.routingRules(root)
	case "calendar":
		if h := root.Get("hours"); h != nil && h.Kind == MapNode {
			c.calendarHours(h)
		}
	}
}

// calendarHours checks a calendar's hours with the parser the engine will use, so lint accepts
// exactly the calendars that run; each problem is reported at its line.
func (c *checker) calendarHours(h *Node) {
	spec, at := map[string]string{}, map[string]Pos{}
	for _, p := range h.Pairs {
		spec[p.Key], at[p.Key] = p.Value.Str(), p.Value.Pos
	}
	_, err := bizcal.ParseHours(spec)
	if err == nil {
		return
	}
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	for _, e := range errs {
		var he *bizcal.HoursError
		if errors.As(e, &he) {
			p, ok := at[he.Key]
			if !ok {
				p = h.Pos
			}
			c.errorf(p, "hours.%s: %s", he.Key, he.Reason)
			continue
		}
		c.errorf(h.Pos, "hours: %v", e)
	}
}

func (c *checker) routingRules(root *Node) {
	rules := root.Get("rules")
	if rules == nil || rules.Kind != ListNode {
		return
	}
	names := map[string]bool{}
	for i, r := range rules.Items {
		name := r.Get("name").Str()
		if names[name] && name != "" {
			c.errorf(r.Pos, "rule name %q is used twice", name)
		}
		names[name] = true
		if !r.Has("when") && i < len(rules.Items)-1 {
			c.errorf(rules.Items[i+1].Pos, "this rule is unreachable: rule %q before it has no `when` and matches everything", name)
		}
		pool := r.Get("pool")
		if pool == nil || pool.Kind != MapNode {
			continue
		}
		method := pool.Get("method").Str()
		if pool.Has("weights") && method != "weighted" {
			c.errorf(pool.Get("weights").Pos, "weights go with method: weighted")
		}
		if method == "weighted" && !pool.Has("weights") {
			c.errorf(pool.Pos, "method: weighted needs weights (member email → weight)")
		}
		if w := pool.Get("weights"); w != nil && w.Kind == MapNode {
			for _, p := range w.Pairs {
				c.refs = append(c.refs, Ref{Kind: "user", Name: p.Key, File: c.file, Pos: p.KeyPos})
				if n, err := strconv.Atoi(p.Value.Str()); err == nil && n <= 0 {
					c.errorf(p.Value.Pos, "a weight is a positive whole number")
				}
			}
		}
		if pool.Has("load") && method != "least_loaded" {
			c.errorf(pool.Get("load").Pos, "load goes with method: least_loaded")
		}
	}
}
