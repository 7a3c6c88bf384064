package routing

import (
	"fmt"
	"strings"
	"time"
)

// Trace is the "why this rep" record kept with every assignment.
type Trace struct {
	Ruleset    string      `json:"ruleset"`
	Version    int         `json:"version"`
	At         time.Time   `json:"at"`
	Summary    string      `json:"summary"`
	Rules      []RuleCheck `json:"rules"`          // in order, up to the one that decided
	Rule       string      `json:"rule,omitempty"` // the rule that decided
	Method     string      `json:"method,omitempty"`
	Team       string      `json:"team,omitempty"`
	Candidates []Candidate `json:"candidates,omitempty"`
	Chosen     *Chosen     `json:"chosen,omitempty"`
	Note       string      `json:"note,omitempty"`
	Queue      string      `json:"queue,omitempty"`    // the fallback queue, when nobody was chosen
	Notified   string      `json:"notified,omitempty"` // who was told about the fallback
	DryRun     bool        `json:"dry_run,omitempty"`
}

// RuleCheck is one rule as evaluated.
type RuleCheck struct {
	Name string `json:"name"`
	When string `json:"when,omitempty"`
	Held bool   `json:"held"`
	Note string `json:"note,omitempty"`
}

// Candidate is one person considered, eligible or skipped with the reason.
type Candidate struct {
	UserID        string   `json:"user_id"`
	Email         string   `json:"email"`
	Name          string   `json:"name"`
	Eligible      bool     `json:"eligible"`
	Skipped       string   `json:"skipped,omitempty"`
	Load          *float64 `json:"load,omitempty"`
	Weight        int      `json:"weight,omitempty"`
	AssignedToday int      `json:"assigned_today"`
}

// Chosen is who got it and why.
type Chosen struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Why    string `json:"why"`
}

// summary is the trace in one paragraph.
func summary(t Trace) string {
	var b strings.Builder
	var skipped []string
	for _, r := range t.Rules {
		if !r.Held {
			skipped = append(skipped, r.Name)
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "Rules %s did not match. ", strings.Join(skipped, ", "))
	}
	if t.Chosen == nil {
		fmt.Fprintf(&b, "Nobody could take it")
		for _, c := range t.Candidates {
			if c.Skipped != "" {
				fmt.Fprintf(&b, "; %s %s", c.Name, c.Skipped)
			}
		}
		if t.Queue != "" {
			fmt.Fprintf(&b, "; it waits in the %s queue", t.Queue)
		}
		if t.Notified != "" {
			fmt.Fprintf(&b, " and %s was told", t.Notified)
		}
		b.WriteString(".")
		return b.String()
	}
	fmt.Fprintf(&b, "Rule %s matched", t.Rule)
	if t.Team != "" {
		n := 0
		for _, c := range t.Candidates {
			if c.Eligible {
				n++
			}
		}
		fmt.Fprintf(&b, "; %d of %d in %s were available", n, len(t.Candidates), t.Team)
		for _, c := range t.Candidates {
			if c.Skipped != "" {
				fmt.Fprintf(&b, "; %s %s", c.Name, c.Skipped)
			}
		}
	}
	fmt.Fprintf(&b, ". Chose %s: %s.", t.Chosen.Name, t.Chosen.Why)
	return b.String()
}
