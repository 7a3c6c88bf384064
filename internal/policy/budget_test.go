package policy

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBudget(t *testing.T) {
	t.Parallel()
	const ny = "America/New_York"
	p := mustCompile(t, "kind: policy\nname: b\nautomation_budget: { per_rep_daily: 3 }\n", nil)
	rep := func(channel, rep, at string) Touch {
		return Touch{Channel: channel, Contact: "lead:2", Rep: rep, At: local(t, ny, at)}
	}
	history := []Touch{
		rep(ChannelTask, "rep:1", "2026-06-09 23:50"), // yesterday
		rep(ChannelTask, "rep:1", "2026-06-10 09:00"),
		rep(ChannelNotify, "rep:1", "2026-06-10 10:00"),
		rep(ChannelEmail, "rep:1", "2026-06-10 10:30"), // emails are not automated tasks
		rep(ChannelTask, "rep:2", "2026-06-10 10:45"),  // another rep's
		rep(ChannelTask, "rep:1", "2026-06-10 11:00"),
	}
	runChecks(t, p, history, zone(t, ny), []checkCase{
		{name: "at the budget", channel: ChannelTask, now: local(t, ny, "2026-06-10 21:00"),
			rule: RuleBudget, reason: "3 automated tasks and notifications by this rep today in America/New_York (budget 3 a day)",
			notBefore: local(t, ny, "2026-06-11 00:00")},
		{name: "notifications count against it too", channel: ChannelNotify, now: local(t, ny, "2026-06-10 12:00"),
			rule: RuleBudget, notBefore: local(t, ny, "2026-06-11 00:00")},
		{name: "it resets at the rep's midnight", channel: ChannelTask, now: local(t, ny, "2026-06-11 00:00")},
		{name: "emails do not spend it", channel: ChannelEmail, now: local(t, ny, "2026-06-10 21:00")},
		{name: "under the budget earlier in the day", channel: ChannelTask, now: local(t, ny, "2026-06-10 10:50")},
	})
	// 21:00 in New York is already the next day in UTC: the rep's day, not UTC's, counts.
	require.True(t, p.Check(Request{Channel: ChannelTask, Rep: "rep:1", Now: local(t, ny, "2026-06-10 21:00")}, history).Allowed)
	require.True(t, p.Check(Request{Channel: ChannelTask, Now: local(t, ny, "2026-06-10 21:00"), RepZone: zone(t, ny)}, history).Allowed,
		"no rep, no budget")

	// The fall-back day is 25 hours long; its first touch, 24 hours before its last minute, still counts.
	fall := []Touch{
		{Channel: ChannelTask, Rep: "rep:1", At: utc(t, "2026-11-01 04:30")}, // 00:30 EDT
		{Channel: ChannelTask, Rep: "rep:1", At: utc(t, "2026-11-01 12:00")},
		{Channel: ChannelTask, Rep: "rep:1", At: utc(t, "2026-11-01 20:00")},
	}
	runChecks(t, p, fall, zone(t, ny), []checkCase{
		{name: "a 25-hour day", channel: ChannelTask, now: utc(t, "2026-11-02 04:30"), // 23:30 EST
			rule: RuleBudget, notBefore: utc(t, "2026-11-02 05:00")}, // 00:00 EST
	})
	require.Less(t, utc(t, "2026-11-02 04:30").Sub(fall[0].At), p.Window(), "Window reaches it")
}

func TestBudgetThenQuietHours(t *testing.T) {
	t.Parallel()
	const ny, berlin = "America/New_York", "Europe/Berlin"
	p := mustCompile(t, "kind: policy\nname: b\nquiet_hours: { from: \"19:00\", to: \"08:00\" }\nautomation_budget: { per_rep_daily: 1 }\n", nil)
	history := []Touch{{Channel: ChannelTask, Rep: "rep:1", At: local(t, ny, "2026-06-10 09:00")}}
	runChecks(t, p, history, zone(t, ny), []checkCase{
		// The rep's midnight in New York is 06:00 in Berlin, inside the recipient's quiet hours.
		// Quiet hours do not hold a task back (it disturbs nobody): the rep's midnight is the answer,
		// though it falls in the recipient's night.
		{name: "budget: the rep's midnight, whatever the recipient's hour", channel: ChannelTask, recipient: berlin, now: local(t, ny, "2026-06-10 12:00"),
			rule: RuleBudget, notBefore: local(t, ny, "2026-06-11 00:00")},
		{name: "budget, recipient further west", channel: ChannelTask, recipient: "America/Los_Angeles", now: local(t, ny, "2026-06-10 12:00"),
			rule: RuleBudget, notBefore: local(t, ny, "2026-06-11 00:00")},
	})
}
