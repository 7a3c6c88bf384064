package policy

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/salesflow/salesflow/internal/workflow"
)

func TestCompileExample(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("../../examples/default.policy.yaml")
	require.NoError(t, err)
	docs, diags := workflow.ParseFile("default.policy.yaml", src)
	require.Empty(t, diags)
	p, err := Compile(docs[0].Root, nil)
	require.NoError(t, err)
	require.Equal(t, &Policy{
		Name:          "default",
		MaxEmails:     &Cap{Limit: 2, Per: 24 * time.Hour, PerText: "1d"},
		MaxTouches:    &Cap{Limit: 5, Per: 7 * 24 * time.Hour, PerText: "7d"},
		MaxPerAccount: &Cap{Limit: 10, Per: 7 * 24 * time.Hour, PerText: "7d"},
		QuietHours:    &QuietHours{From: 19 * 60, To: 8 * 60, Zone: "recipient"},
		OnBlocked:     Defer,
	}, p)
}

func TestCompileEverything(t *testing.T) {
	t.Parallel()
	p := mustCompile(t, `
kind: policy
name: strict
description: for the enterprise team
applies_to: [nurture, onboarding]
contact:
  max_emails: { per_contact: 1, per: 1d12h }
quiet_hours: { from: "12:00", to: "13:30", timezone: Europe/Berlin }
calendar: sales-hours
automation_budget: { per_rep_daily: 30 }
on_blocked: skip
`, calendar(t, "2026-12-25", "2027-01-01"))
	require.Equal(t, "strict", p.Name)
	require.Equal(t, []string{"nurture", "onboarding"}, p.AppliesTo)
	require.Equal(t, &Cap{Limit: 1, Per: 36 * time.Hour, PerText: "1d12h"}, p.MaxEmails)
	require.Nil(t, p.MaxTouches)
	require.Equal(t, Clock(12*60), p.QuietHours.From)
	require.Equal(t, "13:30", p.QuietHours.To.String())
	require.Equal(t, "Europe/Berlin", p.QuietHours.Location.String())
	require.Equal(t, "sales-hours", p.CalendarName)
	require.Len(t, p.holidays, 2)
	require.Equal(t, 30, p.BudgetPerRepDaily)
	require.Equal(t, Skip, p.OnBlocked)
}

func TestCompileErrors(t *testing.T) {
	t.Parallel()
	const head = "kind: policy\nname: p\n"
	tests := []struct {
		name, src string
		withCal   bool
		field     string // the FieldError's field
		msg       string // a part of the message
	}{
		{"wrong kind", "kind: workflow\nname: p\n", false, "kind", `"workflow" is not policy`},
		{"no kind", "name: p\n", false, "kind", "is required"},
		{"no name", "kind: policy\n", false, "name", "is required"},
		{"misspelt top-level key", head + "quiet_hour: { from: \"19:00\", to: \"08:00\" }\n", false, "quiet_hour", "unknown key"},
		{"applies_to a single name", head + "applies_to: nurture\n", false, "applies_to", "a list of workflow names"},
		{"applies_to empty", head + "applies_to: []\n", false, "applies_to", "applies to no workflow"},
		{"applies_to with a map in it", head + "applies_to: [nurture, { a: 1 }]\n", false, "applies_to[1]", "non-empty"},
		{"contact not a map", head + "contact: 3\n", false, "contact", "must be a map"},
		{"misspelt cap", head + "contact:\n  max_mails: { per_contact: 2, per: 1d }\n", false, "contact.max_mails", "unknown key"},
		{"zero cap", head + "contact:\n  max_emails: { per_contact: 0, per: 1d }\n", false, "contact.max_emails.per_contact", "at least 1"},
		{"fractional cap", head + "contact:\n  max_touches: { per_contact: 2.5, per: 1d }\n", false, "contact.max_touches.per_contact", `"2.5"`},
		{"bad duration", head + "contact:\n  max_emails: { per_contact: 2, per: 1x }\n", false, "contact.max_emails.per", "not a duration"},
		{"negative duration", head + "contact:\n  max_emails: { per_contact: 2, per: -1d }\n", false, "contact.max_emails.per", "longer than zero"},
		{"missing per", head + "contact:\n  max_touches: { per_contact: 5 }\n", false, "contact.max_touches.per", "is required"},
		{"account cap keyed wrongly", head + "contact:\n  max_per_account: { per_contact: 5, per: 7d }\n", false, "contact.max_per_account.per_contact", "unknown key"},
		{"bad clock", head + "quiet_hours: { from: 7pm, to: \"08:00\" }\n", false, "quiet_hours.from", "not a time of day"},
		{"24:00 is no clock", head + "quiet_hours: { from: \"19:00\", to: \"24:00\" }\n", false, "quiet_hours.to", "not a time of day"},
		{"missing to", head + "quiet_hours: { from: \"19:00\" }\n", false, "quiet_hours.to", "is required"},
		{"empty window", head + "quiet_hours: { from: \"19:00\", to: \"19:00\" }\n", false, "quiet_hours.to", "the same as from"},
		{"unknown zone", head + "quiet_hours: { from: \"19:00\", to: \"08:00\", timezone: Mars/Olympus }\n", false, "quiet_hours.timezone", "not a time zone"},
		{"the server's zone", head + "quiet_hours: { from: \"19:00\", to: \"08:00\", timezone: Local }\n", false, "quiet_hours.timezone", "not a time zone"},
		{"bad budget", head + "automation_budget: { per_rep_daily: lots }\n", false, "automation_budget.per_rep_daily", `"lots"`},
		{"misspelt budget key", head + "automation_budget: { per_rep: 3 }\n", false, "automation_budget.per_rep", "unknown key"},
		{"bad on_blocked", head + "on_blocked: drop\n", false, "on_blocked", `"drop" is not defer or skip`},
		{"calendar not loaded", head + "calendar: sales-hours\n", false, "calendar", "not loaded"},
		{"calendar not a name", head + "calendar: [a, b]\n", true, "calendar", "non-empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cal := calendar(t)
			if !tt.withCal {
				cal = nil
			}
			_, err := Compile(parse(t, tt.src), cal)
			var fe *FieldError
			require.True(t, errors.As(err, &fe), "want a FieldError, got %v", err)
			require.Equal(t, tt.field, fe.Field)
			require.NotZero(t, fe.Pos.Line, "the error points at a line")
			require.Contains(t, err.Error(), tt.msg)
			require.True(t, strings.HasPrefix(err.Error(), "policy field "+tt.field+" ("), err.Error())
		})
	}
}

func TestCompileRefusesDocuments(t *testing.T) {
	t.Parallel()
	_, err := Compile(nil, nil)
	require.ErrorContains(t, err, "no document")
	_, err = Compile(parse(t, "[kind, policy]"), nil)
	require.ErrorContains(t, err, "must be a map")
	_, err = Compile(parse(t, "kind: policy\nname: p\n"), calendar(t))
	require.ErrorContains(t, err, "names none")
}
