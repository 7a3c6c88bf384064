package policy

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const capsPolicy = `
kind: policy
name: caps
contact:
  max_emails: { per_contact: 2, per: 1d }
  max_touches: { per_contact: 5, per: 7d }
  max_per_account: { touches: 3, per: 7d }
`

func TestCaps(t *testing.T) {
	t.Parallel()
	p := mustCompile(t, capsPolicy, nil)
	now := utc(t, "2026-06-10 12:00")
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	email := func(contact, account string, at time.Time) Touch {
		return Touch{Channel: ChannelEmail, Contact: contact, Account: account, Rep: "rep:1", At: at}
	}
	task := func(contact string, at time.Time) Touch {
		return Touch{Channel: ChannelTask, Contact: contact, Rep: "rep:1", At: at}
	}
	h, d := time.Hour, 24*time.Hour
	tests := []struct {
		name      string
		req       Request // Now is filled in
		history   []Touch
		rule      string // "" when allowed
		reason    string
		notBefore time.Time // when blocked
	}{
		{name: "no history", req: Request{Channel: ChannelEmail, Contact: "lead:1"}},
		{name: "one email under the cap", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{email("lead:1", "", ago(2*h))}},
		{name: "emails at the cap", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{email("lead:1", "", ago(20*h)), email("lead:1", "", ago(2*h))},
			rule:    RuleMaxEmails, reason: "2 emails to this contact in the last 1d (cap 2)", notBefore: now.Add(4 * h)},
		{name: "emails over the cap wait for two to leave the window", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{email("lead:1", "", ago(1*h)), email("lead:1", "", ago(23*h)), email("lead:1", "", ago(10*h))},
			rule:    RuleMaxEmails, reason: "3 emails to this contact in the last 1d (cap 2)", notBefore: now.Add(14 * h)},
		{name: "an email a whole window ago has left it", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{email("lead:1", "", ago(d)), email("lead:1", "", ago(h))}},
		{name: "an email just inside the window counts", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{email("lead:1", "", ago(d-time.Second)), email("lead:1", "", ago(h))},
			rule:    RuleMaxEmails, reason: "2 emails", notBefore: now.Add(time.Second)},
		{name: "other contacts' emails and tasks do not count as emails", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{email("lead:2", "", ago(h)), email("contact:1", "", ago(h)), task("lead:1", ago(h)), email("lead:1", "", ago(h))}},
		{name: "touches after now have not happened", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{email("lead:1", "", now.Add(h)), email("lead:1", "", ago(h))}},
		{name: "a touch at now has", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{email("lead:1", "", now), email("lead:1", "", ago(h))},
			rule:    RuleMaxEmails, reason: "2 emails", notBefore: now.Add(23 * h)},
		{name: "the email cap does not hold back tasks", req: Request{Channel: ChannelTask, Contact: "lead:1"},
			history: []Touch{email("lead:1", "", ago(h)), email("lead:1", "", ago(2*h))}},
		{name: "touches under the cap", req: Request{Channel: ChannelTask, Contact: "lead:1"},
			history: []Touch{task("lead:1", ago(6*d)), task("lead:1", ago(5*d)), email("lead:1", "", ago(4*d)), task("lead:1", ago(3*d))}},
		{name: "touches at the cap count emails and tasks, not notifications", req: Request{Channel: ChannelTask, Contact: "lead:1"},
			history: []Touch{task("lead:1", ago(6*d)), task("lead:1", ago(5*d)), email("lead:1", "", ago(4*d)), task("lead:1", ago(3*d)),
				email("lead:1", "", ago(2*d)), {Channel: ChannelNotify, Contact: "lead:1", At: ago(h)}},
			rule: RuleMaxTouches, reason: "5 touches to this contact in the last 7d (cap 5)", notBefore: now.Add(d)},
		{name: "touches over the cap", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{task("lead:1", ago(6*d)), task("lead:1", ago(5*d)), task("lead:1", ago(4*d)), task("lead:1", ago(3*d)),
				task("lead:1", ago(3*d)), task("lead:1", ago(2*d))},
			rule: RuleMaxTouches, reason: "6 touches to this contact in the last 7d (cap 5)", notBefore: now.Add(2 * d)},
		{name: "a touch older than the window", req: Request{Channel: ChannelTask, Contact: "lead:1"},
			history: []Touch{task("lead:1", ago(8*d)), task("lead:1", ago(5*d)), email("lead:1", "", ago(4*d)), task("lead:1", ago(3*d)), email("lead:1", "", ago(2*d))}},
		{name: "account at the cap", req: Request{Channel: ChannelEmail, Contact: "contact:9", Account: "acct:1"},
			history: []Touch{email("contact:1", "acct:1", ago(6*d)), email("contact:2", "acct:1", ago(2*d)), {Channel: ChannelTask, Contact: "contact:3", Account: "acct:1", At: ago(h)}},
			rule:    RuleMaxPerAccount, reason: "3 touches to this account in the last 7d (cap 3)", notBefore: now.Add(d)},
		{name: "account over the cap", req: Request{Channel: ChannelTask, Contact: "contact:9", Account: "acct:1"},
			history: []Touch{email("contact:1", "acct:1", ago(6*d)), email("contact:2", "acct:1", ago(5*d)), email("contact:3", "acct:1", ago(2*d)), email("contact:4", "acct:1", ago(h))},
			rule:    RuleMaxPerAccount, reason: "4 touches to this account", notBefore: now.Add(2 * d)},
		{name: "other accounts do not count", req: Request{Channel: ChannelEmail, Contact: "contact:9", Account: "acct:1"},
			history: []Touch{email("contact:1", "acct:2", ago(6*d)), email("contact:2", "acct:2", ago(2*d)), email("contact:3", "", ago(h))}},
		{name: "no account, no account cap", req: Request{Channel: ChannelEmail, Contact: "contact:9"},
			history: []Touch{email("contact:1", "", ago(6*d)), email("contact:2", "", ago(2*d)), email("contact:3", "", ago(h))}},
		{name: "notifications are not capped per contact", req: Request{Channel: ChannelNotify, Contact: "lead:1", Account: "acct:1"},
			history: []Touch{email("lead:1", "acct:1", ago(3*h)), email("lead:1", "acct:1", ago(2*h)), email("lead:1", "acct:1", ago(h))}},
		{name: "the first rule is reported, the last one to clear sets the time", req: Request{Channel: ChannelEmail, Contact: "lead:1"},
			history: []Touch{task("lead:1", ago(6*d)), task("lead:1", ago(5*d)), task("lead:1", ago(4*d)), email("lead:1", "", ago(3*h)), email("lead:1", "", ago(h))},
			rule:    RuleMaxEmails, reason: "2 emails", notBefore: now.Add(d)},
		{name: "an unknown channel is skipped", req: Request{Channel: "sms", Contact: "lead:1"},
			rule: RuleChannel, reason: `unknown channel "sms"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.req.Now = now
			got := p.Check(tt.req, tt.history)
			if tt.rule == "" {
				require.Equal(t, Decision{Allowed: true, NotBefore: now}, got)
				return
			}
			require.False(t, got.Allowed)
			require.Equal(t, tt.rule, got.Rule)
			require.Contains(t, got.Reason, tt.reason)
			if tt.rule == RuleChannel {
				require.Equal(t, Skip, got.Action)
				require.Zero(t, got.NotBefore)
				return
			}
			require.Equal(t, Defer, got.Action)
			require.Equal(t, tt.notBefore, got.NotBefore, "got %s", got.NotBefore)
			again := tt.req
			again.Now = got.NotBefore
			require.True(t, p.Check(again, tt.history).Allowed, "allowed at NotBefore")
			again.Now = got.NotBefore.Add(-time.Nanosecond)
			require.False(t, p.Check(again, tt.history).Allowed, "not a moment before")
		})
	}
}

func TestSkip(t *testing.T) {
	t.Parallel()
	p := mustCompile(t, capsPolicy+"on_blocked: skip\n", nil)
	now := utc(t, "2026-06-10 12:00")
	history := []Touch{
		{Channel: ChannelEmail, Contact: "lead:1", At: now.Add(-2 * time.Hour)},
		{Channel: ChannelEmail, Contact: "lead:1", At: now.Add(-time.Hour)},
	}
	got := p.Check(Request{Channel: ChannelEmail, Contact: "lead:1", Now: now}, history)
	require.Equal(t, Decision{Rule: RuleMaxEmails, Reason: "2 emails to this contact in the last 1d (cap 2)", Action: Skip}, got)
	require.True(t, p.Check(Request{Channel: ChannelEmail, Contact: "lead:2", Now: now}, history).Allowed)
}
