package routing

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// fromPool picks a member of the rule's team, or returns nil when nobody can take it (the next rule,
// and finally the fallback, is tried).
func (rs *Ruleset) fromPool(ctx context.Context, r Rule, people People, st State, now time.Time, tr *Trace) (*Decision, error) {
	team, err := people.Team(ctx, r.Pool.Team, r.Pool.Load)
	if err != nil {
		return nil, err
	}
	ms := members(team)
	rst := st[r.Name]
	if rst == nil {
		rst = &RuleState{}
		st[r.Name] = rst
	}
	tr.Method, tr.Team = r.Pool.Method, r.Pool.Team
	ok := rs.eligible(ms, r, now, true, tr)
	afterHours := ""
	if len(ok) == 0 && rs.Pool.WorkingHours && rs.Pool.AfterHours == "assign" {
		// Nobody is within their hours: share the record among those otherwise available, so the
		// night's leads are spread and each is first in its owner's queue when they start.
		if ok = rs.eligible(ms, r, now, false, tr); len(ok) > 0 {
			afterHours = " (nobody was within their working hours, so hours were set aside)"
		}
	}
	if len(ok) == 0 {
		tr.Note = fmt.Sprintf("nobody in %s can take it now", r.Pool.Team)
		return nil, nil
	}
	var pick int
	var why string
	switch r.Pool.Method {
	case "weighted":
		pick, why = weighted(ms, ok, r.Pool, rst)
	case "least_loaded":
		pick, why = leastLoaded(ms, ok, rst, r.Pool.Load, now)
	default:
		pick = nextAfter(ms, ok, rst.Last)
		why = fmt.Sprintf("next in the rotation after %s", orFirst(rst.Last))
	}
	return rs.chose(ms[pick], why+afterHours, rst, tr), nil
}

// eligible fills the trace's candidates and returns who may take the record, in rotation order;
// hours false sets working hours aside.
func (rs *Ruleset) eligible(ms []Person, r Rule, now time.Time, hours bool, tr *Trace) []int {
	tr.Candidates = tr.Candidates[:0]
	var ok []int
	for i, p := range ms {
		c := Candidate{UserID: p.ID, Email: p.Email, Name: p.Name, AssignedToday: p.AssignedToday}
		if r.Pool.Method == "least_loaded" {
			load := p.Load
			c.Load = &load
		}
		if r.Pool.Method == "weighted" {
			c.Weight = r.Pool.weight(p.Email)
		}
		if reason := rs.unavailable(p, now, true, hours); reason != "" {
			c.Skipped = reason
		} else {
			c.Eligible = true
			ok = append(ok, i)
		}
		tr.Candidates = append(tr.Candidates, c)
	}
	return ok
}

// chose records the pick and moves the rotation to them.
func (rs *Ruleset) chose(p Person, why string, rst *RuleState, tr *Trace) *Decision {
	rst.Last = strings.ToLower(p.Email)
	tr.Chosen = &Chosen{UserID: p.ID, Email: p.Email, Name: p.Name, Why: why}
	return &Decision{UserID: p.ID}
}

// weight is a member's weight: listed (lint keeps weights positive), else 1.
func (p *Pool) weight(email string) int {
	if w, ok := p.Weights[strings.ToLower(email)]; ok {
		return w
	}
	return 1
}

// nextAfter is the first eligible member after last in the rotation order, wrapping around: a member
// who was skipped (away, at the cap) simply loses those turns and resumes their place on return.
func nextAfter(ms []Person, ok []int, last string) int {
	start := -1
	for i, p := range ms {
		if strings.ToLower(p.Email) == last {
			start = i
		}
	}
	if start < 0 && last != "" {
		// last left the team: continue from where they would sort
		for i, p := range ms {
			if strings.ToLower(p.Email) < last {
				start = i
			}
		}
	}
	for _, i := range ok {
		if i > start {
			return i
		}
	}
	return ok[0]
}

// weighted is smooth weighted round robin (as nginx does it): each eligible member's current weight
// grows by their weight, the largest is chosen and loses the eligible total. Over a cycle each member
// gets turns in proportion to weight, interleaved. Members not eligible keep their current weight
// unchanged, so a returning member does not cash in the turns they missed.
func weighted(ms []Person, ok []int, pool *Pool, st *RuleState) (int, string) {
	if st.Current == nil {
		st.Current = map[string]int{}
	}
	total, best := 0, -1
	for _, i := range ok {
		e := strings.ToLower(ms[i].Email)
		w := pool.weight(e)
		total += w
		st.Current[e] += w
		if best < 0 || st.Current[e] > st.Current[strings.ToLower(ms[best].Email)] {
			best = i
		}
	}
	e := strings.ToLower(ms[best].Email)
	cur := st.Current[e]
	st.Current[e] -= total
	return best, fmt.Sprintf("weighted round robin: weight %d of %d among those available, highest current weight (%d)", pool.weight(e), total, cur)
}

// leastLoaded picks the lowest load; ties go to the next in the rotation. A member back from an
// absence within the last day counts at least the lowest load among the others, so they rejoin the
// rotation at its pace instead of taking every record until their load catches up.
func leastLoaded(ms []Person, ok []int, st *RuleState, load string, now time.Time) (int, string) {
	eff := map[int]float64{}
	for _, i := range ok {
		eff[i] = ms[i].Load
	}
	for _, i := range ok {
		back := ms[i].AwayUntil
		if back.IsZero() || back.After(now) || now.Sub(back) > 24*time.Hour {
			continue
		}
		floor := -1.0
		for _, j := range ok {
			if j != i && (floor < 0 || ms[j].Load < floor) {
				floor = ms[j].Load
			}
		}
		if floor > eff[i] {
			eff[i] = floor
		}
	}
	min := -1.0
	for _, i := range ok {
		if min < 0 || eff[i] < min {
			min = eff[i]
		}
	}
	var tied []int
	for _, i := range ok {
		if eff[i] == min {
			tied = append(tied, i)
		}
	}
	pick := nextAfter(ms, tied, st.Last)
	why := fmt.Sprintf("least loaded: %g %s", ms[pick].Load, strings.ReplaceAll(load, "_", " "))
	if eff[pick] != ms[pick].Load {
		why += fmt.Sprintf(" (counted as %g: back from an absence, rejoining at the rotation's pace)", eff[pick])
	}
	if len(tied) > 1 {
		why += fmt.Sprintf("; %d tied, next in the rotation", len(tied))
	}
	return pick, why
}

func orFirst(last string) string {
	if last == "" {
		return "nobody (the first turn)"
	}
	return last
}
