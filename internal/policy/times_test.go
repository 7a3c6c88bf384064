package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// checkCase is a Check on one policy at one instant, for the time-of-day rules.
type checkCase struct {
	name      string
	channel   string // default email
	recipient string // the recipient's zone; "" for none (UTC)
	now       time.Time
	rule      string    // "" when allowed
	reason    string    // a part of Reason
	notBefore time.Time // when blocked
}

// runChecks runs the cases and checks that a deferral is exact: allowed at NotBefore, and
// blocked a nanosecond earlier.
func runChecks(t *testing.T, p *Policy, history []Touch, rep *time.Location, tests []checkCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := Request{Channel: tt.channel, Contact: "lead:1", Rep: "rep:1", RepZone: rep, Now: tt.now}
			if req.Channel == "" {
				req.Channel = ChannelEmail
			}
			if tt.recipient != "" {
				req.RecipientZone = zone(t, tt.recipient)
			}
			got := p.Check(req, history)
			if tt.rule == "" {
				require.True(t, got.Allowed, "%+v", got)
				return
			}
			require.False(t, got.Allowed)
			require.Equal(t, tt.rule, got.Rule)
			require.Contains(t, got.Reason, tt.reason)
			require.Equal(t, Defer, got.Action)
			require.True(t, tt.notBefore.Equal(got.NotBefore), "NotBefore %s, want %s", got.NotBefore.UTC(), tt.notBefore.UTC())
			req.Now = got.NotBefore
			require.True(t, p.Check(req, history).Allowed, "allowed at NotBefore")
			req.Now = got.NotBefore.Add(-time.Nanosecond)
			require.False(t, p.Check(req, history).Allowed, "not a moment before")
		})
	}
}

func TestQuietHours(t *testing.T) {
	t.Parallel()
	p := mustCompile(t, "kind: policy\nname: q\nquiet_hours: { from: \"19:00\", to: \"08:00\", timezone: recipient }\n", nil)
	const ny, berlin = "America/New_York", "Europe/Berlin"
	runChecks(t, p, nil, nil, []checkCase{
		{name: "New York evening", recipient: ny, now: local(t, ny, "2026-06-10 22:15"),
			rule: RuleQuietHours, reason: "it is 22:15 in America/New_York, within quiet hours 19:00-08:00", notBefore: local(t, ny, "2026-06-11 08:00")},
		{name: "New York early morning", recipient: ny, now: local(t, ny, "2026-06-11 06:00"),
			rule: RuleQuietHours, reason: "06:00", notBefore: local(t, ny, "2026-06-11 08:00")},
		{name: "New York at the window's start", recipient: ny, now: local(t, ny, "2026-06-10 19:00"),
			rule: RuleQuietHours, notBefore: local(t, ny, "2026-06-11 08:00")},
		{name: "New York just before the window", recipient: ny, now: local(t, ny, "2026-06-10 18:59")},
		{name: "New York at the window's end", recipient: ny, now: local(t, ny, "2026-06-11 08:00")},
		{name: "New York midday", recipient: ny, now: local(t, ny, "2026-06-11 13:00")},
		{name: "the same instant is midday in Berlin", recipient: berlin, now: local(t, ny, "2026-06-11 06:00")},
		{name: "Berlin evening", recipient: berlin, now: local(t, berlin, "2026-06-10 23:00"),
			rule: RuleQuietHours, reason: "in Europe/Berlin", notBefore: local(t, berlin, "2026-06-11 08:00")},
		{name: "no recipient zone means UTC", now: utc(t, "2026-06-10 20:00"),
			rule: RuleQuietHours, reason: "20:00 in UTC", notBefore: utc(t, "2026-06-11 08:00")},
		{name: "notifications go to reps, not recipients", channel: ChannelNotify, recipient: ny, now: local(t, ny, "2026-06-10 22:15")},
		{name: "tasks are not held back: a rep's to-do disturbs nobody", channel: ChannelTask, recipient: ny, now: local(t, ny, "2026-06-10 22:15"),
			rule: ""},
		// DST nights: the deferral is 08:00 on the new offset, so the night is an hour shorter or longer.
		{name: "New York spring-forward night", recipient: ny, now: utc(t, "2026-03-08 04:00"), // 23:00 EST
			rule: RuleQuietHours, reason: "23:00", notBefore: utc(t, "2026-03-08 12:00")}, // 08:00 EDT
		{name: "New York fall-back night, in the repeated hour", recipient: ny, now: utc(t, "2026-11-01 06:30"), // second 01:30
			rule: RuleQuietHours, reason: "01:30", notBefore: utc(t, "2026-11-01 13:00")}, // 08:00 EST
		{name: "Berlin spring-forward night", recipient: berlin, now: utc(t, "2026-03-28 21:00"), // 22:00 CET
			rule: RuleQuietHours, reason: "22:00", notBefore: utc(t, "2026-03-29 06:00")}, // 08:00 CEST
		{name: "Berlin fall-back night", recipient: berlin, now: utc(t, "2026-10-24 18:00"), // 20:00 CEST
			rule: RuleQuietHours, reason: "20:00", notBefore: utc(t, "2026-10-25 07:00")}, // 08:00 CET
	})
}

func TestQuietHoursEdges(t *testing.T) {
	t.Parallel()
	const ny, berlin = "America/New_York", "Europe/Berlin"
	fixed := mustCompile(t, "kind: policy\nname: q\nquiet_hours: { from: \"19:00\", to: \"08:00\", timezone: Europe/Berlin }\n", nil)
	runChecks(t, fixed, nil, nil, []checkCase{
		{name: "a named zone overrides the recipient's", recipient: ny, now: local(t, ny, "2026-06-10 14:00"),
			rule: RuleQuietHours, reason: "20:00 in Europe/Berlin", notBefore: local(t, berlin, "2026-06-11 08:00")},
	})
	owner := mustCompile(t, "kind: policy\nname: q\nquiet_hours: { from: \"19:00\", to: \"08:00\", timezone: owner }\n", nil)
	runChecks(t, owner, nil, zone(t, berlin), []checkCase{
		{name: "owner means the rep's zone", recipient: ny, now: local(t, ny, "2026-06-10 14:00"),
			rule: RuleQuietHours, reason: "in Europe/Berlin", notBefore: local(t, berlin, "2026-06-11 08:00")},
	})
	lunch := mustCompile(t, "kind: policy\nname: q\nquiet_hours: { from: \"12:00\", to: \"13:30\" }\n", nil)
	runChecks(t, lunch, nil, nil, []checkCase{
		{name: "a window within the day", recipient: ny, now: local(t, ny, "2026-06-10 12:10"),
			rule: RuleQuietHours, notBefore: local(t, ny, "2026-06-10 13:30")},
		{name: "after it", recipient: ny, now: local(t, ny, "2026-06-10 13:30")},
		{name: "before it", recipient: ny, now: local(t, ny, "2026-06-10 11:59")},
	})
	gap := mustCompile(t, "kind: policy\nname: q\nquiet_hours: { from: \"01:00\", to: \"02:30\" }\n", nil)
	runChecks(t, gap, nil, nil, []checkCase{
		{name: "a window ending in the spring-forward gap ends with the gap", recipient: ny, now: utc(t, "2026-03-08 06:30"), // 01:30 EST
			rule: RuleQuietHours, notBefore: utc(t, "2026-03-08 07:00")}, // 03:00 EDT
		{name: "from the first pass of the repeat, the first 02:30 ends it", recipient: berlin, now: utc(t, "2026-10-24 23:30"), // 01:30 CEST
			rule: RuleQuietHours, notBefore: utc(t, "2026-10-25 00:30")}, // 02:30 CEST
		{name: "from the second pass, the second", recipient: berlin, now: utc(t, "2026-10-25 01:10"), // 02:10 CET
			rule: RuleQuietHours, notBefore: utc(t, "2026-10-25 01:30")}, // 02:30 CET
	})
}

func TestCalendar(t *testing.T) {
	t.Parallel()
	const ny, berlin, tokyo = "America/New_York", "Europe/Berlin", "Asia/Tokyo"
	src := "kind: policy\nname: h\nquiet_hours: { from: \"19:00\", to: \"08:00\" }\ncalendar: sales-hours\n"
	p := mustCompile(t, src, calendar(t, "2026-12-25", "2027-01-01"))
	runChecks(t, p, nil, nil, []checkCase{
		{name: "a holiday, then quiet hours the next morning", recipient: berlin, now: local(t, berlin, "2026-12-25 14:00"),
			rule: RuleCalendar, reason: "2026-12-25 is a holiday in calendar sales-hours (the recipient's date in Europe/Berlin)",
			notBefore: local(t, berlin, "2026-12-26 08:00")},
		{name: "the same in New York", recipient: ny, now: local(t, ny, "2026-12-25 10:00"),
			rule: RuleCalendar, notBefore: local(t, ny, "2026-12-26 08:00")},
		{name: "a holiday night reports quiet hours first", recipient: ny, now: local(t, ny, "2026-12-25 06:00"),
			rule: RuleQuietHours, notBefore: local(t, ny, "2026-12-26 08:00")},
		{name: "Christmas Eve evening waits past Christmas", recipient: ny, now: local(t, ny, "2026-12-24 20:00"),
			rule: RuleQuietHours, notBefore: local(t, ny, "2026-12-26 08:00")},
		{name: "the day after", recipient: ny, now: local(t, ny, "2026-12-26 09:00")},
		{name: "the date is the recipient's: already Christmas in Tokyo", recipient: tokyo, now: utc(t, "2026-12-24 23:00"),
			rule: RuleCalendar, notBefore: local(t, tokyo, "2026-12-26 08:00")},
		{name: "while still Christmas Eve in New York", recipient: ny, now: utc(t, "2026-12-24 23:00")},
		{name: "weekends are allowed unless listed", recipient: ny, now: local(t, ny, "2026-12-19 11:00")},
		{name: "notifications go out on holidays", channel: ChannelNotify, recipient: ny, now: local(t, ny, "2026-12-25 10:00")},
	})
	run := mustCompile(t, "kind: policy\nname: h\ncalendar: sales-hours\n", calendar(t, "2026-12-24", "2026-12-25", "2026-12-26"))
	runChecks(t, run, nil, nil, []checkCase{
		{name: "a run of holidays ends at the next local midnight", recipient: berlin, now: local(t, berlin, "2026-12-24 10:00"),
			rule: RuleCalendar, reason: "2026-12-24", notBefore: local(t, berlin, "2026-12-27 00:00")},
	})
	spring := mustCompile(t, "kind: policy\nname: h\ncalendar: sales-hours\n", calendar(t, "2026-09-05"))
	runChecks(t, spring, nil, nil, []checkCase{
		{name: "a holiday ending on a day with no midnight", recipient: "America/Santiago", now: local(t, "America/Santiago", "2026-09-05 12:00"),
			rule: RuleCalendar, notBefore: utc(t, "2026-09-06 04:00")}, // 01:00 -03
	})
}
