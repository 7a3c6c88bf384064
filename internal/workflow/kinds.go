package workflow

import (
	"fmt"
	"strconv"
)

// kindRules checks what the specs of routing, calendar and policy documents cannot say alone.
func (c *checker) kindRules(kind string, root *Node) {
	switch kind {
	case "routing":
		c.routingRules(root)
	case "calendar":
		if h := root.Get("hours"); h != nil && h.Kind == MapNode {
			for _, p := range h.Pairs {
				if msg := checkHours(p.Key, p.Value.Str()); msg != "" {
					c.errorf(p.Value.Pos, "hours.%s: %s", p.Key, msg)
				}
			}
		}
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

// checkHours checks one calendar line: days ("mon-fri", "sat", "mon,wed") and intervals
// ("09:00-17:30" or "09:00-12:00,13:00-17:30").
func checkHours(days, hours string) string {
	if _, err := parseDays(days); err != nil {
		return err.Error()
	}
	for _, iv := range splitComma(hours) {
		from, to, ok := cut(iv, "-")
		if !ok || !clockRe.MatchString(from) || !(clockRe.MatchString(to) || to == "24:00") || from >= to {
			return fmt.Sprintf("%q is not a working interval like 09:00-17:30", iv)
		}
	}
	return ""
}
