package policy

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// capRule binds a frequency cap: the touches that count are those in (t-Per, t] for which
// counts holds. Only history up to req.Now counts, so the count only falls as t moves on, and
// the cap next allows when the Limit-th newest counted touch leaves the window.
func capRule(name string, c *Cap, what, whom string, req *Request, history []Touch, counts func(Touch) bool) rule {
	ts := pastTouches(history, req.Now.Add(-c.Per), req.Now, counts)
	return rule{name: name, at: func(t time.Time) verdict {
		cut := t.Add(-c.Per)
		n := len(ts) - sort.Search(len(ts), func(i int) bool { return ts[i].After(cut) })
		if n < c.Limit {
			return verdict{ok: true}
		}
		return verdict{
			reason: fmt.Sprintf("%s to this %s in the last %s (cap %d)", count(n, what), whom, c.perText(), c.Limit),
			next:   ts[len(ts)-c.Limit].Add(c.Per),
		}
	}}
}

// budgetRule binds the automation budget: the rep's tasks and notifications since the start of
// the rep's local day. The count resets at the rep's local midnight, whatever its length.
func budgetRule(limit int, req *Request, history []Touch) rule {
	loc := orUTC(req.RepZone)
	ts := pastTouches(history, time.Time{}, req.Now, func(t Touch) bool {
		return isAutomated(t.Channel) && t.Rep == req.Rep
	})
	return rule{name: RuleBudget, at: func(t time.Time) verdict {
		d, _ := localDay(t, loc)
		start := wallTime(d, 0, loc, time.Time{})
		n := len(ts) - sort.Search(len(ts), func(i int) bool { return !ts[i].Before(start) })
		if n < limit {
			return verdict{ok: true}
		}
		return verdict{
			reason: fmt.Sprintf("%s by this rep today in %s (budget %d a day)",
				countWith(n, "automated task or notification", "automated tasks and notifications"), loc, limit),
			next: nextMidnight(t, loc),
		}
	}}
}

// pastTouches returns, sorted, the instants of the touches in (from, now] for which counts
// holds; a zero from means no lower bound.
func pastTouches(history []Touch, from, now time.Time, counts func(Touch) bool) []time.Time {
	var ts []time.Time
	for _, t := range history {
		if (from.IsZero() || t.At.After(from)) && !t.At.After(now) && counts(t) {
			ts = append(ts, t.At)
		}
	}
	slices.SortFunc(ts, time.Time.Compare)
	return ts
}

// count says "1 email", "2 emails", "3 touches".
func count(n int, noun string) string {
	many := noun + "s"
	if noun == "touch" {
		many = "touches"
	}
	return countWith(n, noun, many)
}

func countWith(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
