package policy

import "time"

// verdict is one rule's answer at one instant.
type verdict struct {
	ok     bool
	reason string    // why it blocks, with numbers
	next   time.Time // when blocked: the earliest later instant at which the rule may allow
}

// rule is one rule bound to a request and its history. Binding filters the history once, so
// evaluating the rule at several instants, as deferring does, is cheap.
type rule struct {
	name string
	at   func(t time.Time) verdict
}

// rules binds the policy's rules that govern req, in the order Check reports them. A rule whose
// subject the request lacks (no contact, account or rep) does not govern it.
func (p *Policy) rules(req *Request, history []Touch) []rule {
	var rs []rule
	outbound := isOutbound(req.Channel)
	if c := p.MaxEmails; c != nil && req.Channel == ChannelEmail && req.Contact != "" {
		rs = append(rs, capRule(RuleMaxEmails, c, "email", "contact", req, history, func(t Touch) bool {
			return t.Channel == ChannelEmail && t.Contact == req.Contact
		}))
	}
	if c := p.MaxTouches; c != nil && outbound && req.Contact != "" {
		rs = append(rs, capRule(RuleMaxTouches, c, "touch", "contact", req, history, func(t Touch) bool {
			return isOutbound(t.Channel) && t.Contact == req.Contact
		}))
	}
	if c := p.MaxPerAccount; c != nil && outbound && req.Account != "" {
		rs = append(rs, capRule(RuleMaxPerAccount, c, "touch", "account", req, history, func(t Touch) bool {
			return isOutbound(t.Channel) && t.Account == req.Account
		}))
	}
	// Quiet hours and holidays hold back what reaches the recipient now (an email). A task is a
	// rep's to-do: it counts as a touch for the caps, but creating it at night disturbs nobody, and
	// holding it back would only make the first call later.
	if q := p.QuietHours; q != nil && req.Channel == ChannelEmail {
		rs = append(rs, quietRule(q, q.zone(req)))
	}
	if p.CalendarName != "" && req.Channel == ChannelEmail {
		rs = append(rs, p.holidayRule(orUTC(req.RecipientZone)))
	}
	if b := p.BudgetPerRepDaily; b > 0 && isAutomated(req.Channel) && req.Rep != "" {
		rs = append(rs, budgetRule(b, req, history))
	}
	return rs
}

// isOutbound reports whether a channel touches the recipient: these touches are capped.
func isOutbound(ch string) bool { return ch == ChannelEmail || ch == ChannelTask }

// isAutomated reports whether a channel lands on a rep's desk: the budget counts these.
func isAutomated(ch string) bool { return ch == ChannelTask || ch == ChannelNotify }

func knownChannel(ch string) bool { return isOutbound(ch) || isAutomated(ch) }
