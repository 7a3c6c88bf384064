package policy

import (
	"fmt"
	"slices"
	"time"

	"github.com/salesflow/salesflow/internal/bizcal"
)

// Rule names, as Decision.Rule reports them: each is the rule's path in the policy document, so
// a log line leads straight to the line of the definition to change.
const (
	RuleMaxEmails     = "contact.max_emails"
	RuleMaxTouches    = "contact.max_touches"
	RuleMaxPerAccount = "contact.max_per_account"
	RuleQuietHours    = "quiet_hours"
	RuleCalendar      = "calendar"
	RuleBudget        = "automation_budget"
	// RuleChannel is reported for a request on a channel the policy does not know: failing closed
	// keeps a new channel from slipping past every cap unnoticed.
	RuleChannel = "channel"
)

// The channels of a touch.
const (
	ChannelEmail  = "email"
	ChannelTask   = "task"
	ChannelNotify = "notify"
)

// What happens to a blocked touch (on_blocked).
const (
	Defer = "defer"
	Skip  = "skip"
)

// Policy is a compiled contact policy. Compile builds it; Check reads it and never changes it,
// so one Policy may serve many goroutines.
type Policy struct {
	Name string
	// AppliesTo lists the workflows the policy governs; nil means every workflow.
	AppliesTo []string
	// The frequency caps; nil when the policy sets none.
	MaxEmails, MaxTouches, MaxPerAccount *Cap
	// QuietHours is nil when the policy sets none.
	QuietHours *QuietHours
	// CalendarName names the calendar whose holidays block touches; "" for none.
	CalendarName string
	// BudgetPerRepDaily bounds automated tasks and notifications per rep per local day; 0 for none.
	BudgetPerRepDaily int
	// OnBlocked is Defer or Skip.
	OnBlocked string

	holidays map[bizcal.Date]struct{} // the calendar's holidays, for constant-time lookups
}

// Cap is a frequency cap: at most Limit touches within Per.
type Cap struct {
	Limit int
	Per   time.Duration
	// PerText is Per as written in the policy ("7d"), so reasons quote the definition.
	PerText string
}

func (c *Cap) perText() string {
	if c.PerText != "" {
		return c.PerText
	}
	return c.Per.String()
}

// QuietHours is a daily window of wall-clock time, [From, To), in which no touch goes out. From
// after To means the window crosses midnight.
type QuietHours struct {
	From, To Clock
	// Zone is "recipient" (the default), "owner" (the rep), "record" (the same as recipient: the
	// record touched is the recipient) or an IANA name, which Location then holds.
	Zone     string
	Location *time.Location
}

// zone returns the location quiet hours are read in for req.
func (q *QuietHours) zone(req *Request) *time.Location {
	switch {
	case q.Location != nil:
		return q.Location
	case q.Zone == "owner":
		return orUTC(req.RepZone)
	}
	return orUTC(req.RecipientZone)
}

// Clock is a wall-clock time of day in minutes after midnight.
type Clock int

// String formats c as "HH:MM", the form policies use.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// sinceMidnight returns c as a duration after midnight.
func (c Clock) sinceMidnight() time.Duration { return time.Duration(c) * time.Minute }

// Applies reports whether the policy governs the named workflow.
func (p *Policy) Applies(workflow string) bool {
	return p.AppliesTo == nil || slices.Contains(p.AppliesTo, workflow)
}

// longestDay bounds the length of a local day: 24 hours, plus the hour a fall-back repeats. A
// budget counts from the start of the rep's local day, which can be this long ago.
const longestDay = 25 * time.Hour

// Window returns how far back history must reach for Check to be exact: the longest cap window,
// and a (long) day when there is a budget. Quiet hours and holidays need no history. Callers load
// touches made in (Now-Window, Now].
func (p *Policy) Window() time.Duration {
	var w time.Duration
	for _, c := range []*Cap{p.MaxEmails, p.MaxTouches, p.MaxPerAccount} {
		if c != nil {
			w = max(w, c.Per)
		}
	}
	if p.BudgetPerRepDaily > 0 {
		w = max(w, longestDay)
	}
	return w
}

func (p *Policy) isHoliday(d bizcal.Date) bool {
	_, ok := p.holidays[d]
	return ok
}

func orUTC(loc *time.Location) *time.Location {
	if loc == nil {
		return time.UTC
	}
	return loc
}
