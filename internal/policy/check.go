package policy

import (
	"fmt"
	"time"
)

// Touch is one touch already made, as history for Check.
type Touch struct {
	Channel string // ChannelEmail, ChannelTask or ChannelNotify
	Contact string // "lead:ID" or "contact:ID"
	Account string
	Rep     string
	At      time.Time
}

// Request is a touch a workflow proposes to make now.
type Request struct {
	Channel, Contact, Account, Rep string
	// RecipientZone is the recipient's time zone; nil means UTC.
	RecipientZone *time.Location
	// RepZone is the rep's time zone, for the budget's day; nil means UTC.
	RepZone *time.Location
	Now     time.Time
}

// Decision is Check's answer.
type Decision struct {
	Allowed bool
	// Rule names the first rule that blocked at Now (RuleMaxEmails, …); "" when allowed.
	Rule string
	// Reason says why, with numbers: "2 emails to this contact in the last 1d (cap 2)".
	Reason string
	// Action is Defer or Skip when blocked.
	Action string
	// NotBefore is the earliest instant at or after Now at which every rule allows the touch:
	// Now when allowed, the time to retry when deferred, zero when skipped.
	NotBefore time.Time
}

// maxRounds bounds the search for NotBefore. Caps and the budget settle in one round each, and
// quiet hours and holidays alternate at most a few times a day, so this is never reached with a
// valid policy; it only guards against looping forever.
const maxRounds = 64

// Check decides req against the touches already made. history may hold touches of any channel,
// contact, account and rep; those the rules do not count are ignored, as are touches after
// req.Now. It needs history back to req.Now-Window() to be exact.
func (p *Policy) Check(req Request, history []Touch) Decision {
	if !knownChannel(req.Channel) {
		return Decision{Rule: RuleChannel, Reason: fmt.Sprintf("unknown channel %q (want email, task or notify)", req.Channel), Action: Skip}
	}
	rules := p.rules(&req, history)
	var first rule
	var why verdict
	for _, r := range rules {
		if v := r.at(req.Now); !v.ok {
			first, why = r, v
			break
		}
	}
	if first.name == "" {
		return Decision{Allowed: true, NotBefore: req.Now}
	}
	d := Decision{Rule: first.name, Reason: why.reason, Action: p.OnBlocked}
	if d.Action != Skip {
		d.Action = Defer
		var ok bool
		if d.NotBefore, ok = settle(rules, req.Now); !ok {
			d.Action, d.NotBefore = Skip, time.Time{}
			d.Reason += fmt.Sprintf("; no time within %d steps satisfies every rule", maxRounds)
		}
	}
	return d
}

// settle returns the earliest instant at or after t that every rule allows: it moves t to each
// blocking rule's next allowed instant until a whole round finds none blocking. It reports
// false if that does not happen within maxRounds rounds.
func settle(rules []rule, t time.Time) (time.Time, bool) {
	for range maxRounds {
		moved := false
		for _, r := range rules {
			v := r.at(t)
			if v.ok {
				continue
			}
			if !v.next.After(t) { // a rule that cannot move on would loop forever
				return time.Time{}, false
			}
			t, moved = v.next, true
		}
		if !moved {
			return t, true
		}
	}
	return time.Time{}, false
}
