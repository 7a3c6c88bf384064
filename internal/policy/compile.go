package policy

import (
	"errors"
	"fmt"
	"time"

	"github.com/salesflow/salesflow/internal/bizcal"
	"github.com/salesflow/salesflow/internal/workflow"
)

// Compile reads a policy document. cal is the calendar the document's `calendar` field names,
// already loaded by the caller, or nil when it names none. Compile checks everything Check relies
// on, even what the linter already checks, because a policy that silently ignores a misspelt cap
// is worse than one that fails to load; errors are *FieldError naming the field.
func Compile(root *workflow.Node, cal *bizcal.Calendar) (*Policy, error) {
	if root == nil {
		return nil, errors.New("policy: no document")
	}
	if root.Kind != workflow.MapNode {
		return nil, fmt.Errorf("policy (%s): the document must be a map of fields", root.Pos)
	}
	if err := mapNode(root, "", "kind", "name", "description", "applies_to", "contact",
		"quiet_hours", "calendar", "automation_budget", "on_blocked"); err != nil {
		return nil, err
	}
	kind, err := required(root, "", "kind")
	if err != nil {
		return nil, err
	}
	if kind.Str() != "policy" {
		return nil, fieldErr("kind", kind, "%q is not policy", kind.Str())
	}
	p := &Policy{OnBlocked: Defer}
	if p.Name, err = requiredText(root, "name"); err != nil {
		return nil, err
	}
	steps := []func(*Policy, *workflow.Node) error{compileAppliesTo, compileContact, compileQuietHours, compileBudget, compileOnBlocked}
	for _, step := range steps {
		if err := step(p, root); err != nil {
			return nil, err
		}
	}
	if err := p.setCalendar(root, cal); err != nil {
		return nil, err
	}
	return p, nil
}

func requiredText(parent *workflow.Node, key string) (string, error) {
	n, err := required(parent, "", key)
	if err != nil {
		return "", err
	}
	return text(n, key)
}

// compileAppliesTo reads applies_to: all_workflows (the default) or a non-empty list of names.
func compileAppliesTo(p *Policy, root *workflow.Node) error {
	n := root.Get("applies_to")
	switch {
	case n == nil || n.Kind == workflow.NullNode || n.Kind == workflow.ScalarNode && n.Str() == "all_workflows":
		return nil
	case n.Kind != workflow.ListNode:
		return fieldErr("applies_to", n, "must be all_workflows or a list of workflow names")
	case len(n.Items) == 0:
		return fieldErr("applies_to", n, "an empty list applies to no workflow; write all_workflows or name some")
	}
	for i, item := range n.Items {
		name, err := text(item, fmt.Sprintf("applies_to[%d]", i))
		if err != nil {
			return err
		}
		p.AppliesTo = append(p.AppliesTo, name)
	}
	return nil
}

// compileContact reads the frequency caps under contact.
func compileContact(p *Policy, root *workflow.Node) error {
	n := root.Get("contact")
	if n == nil || n.Kind == workflow.NullNode {
		return nil
	}
	if err := mapNode(n, "contact", "max_emails", "max_touches", "max_per_account"); err != nil {
		return err
	}
	for _, c := range []struct {
		key, count string
		dst        **Cap
	}{
		{"max_emails", "per_contact", &p.MaxEmails},
		{"max_touches", "per_contact", &p.MaxTouches},
		{"max_per_account", "touches", &p.MaxPerAccount},
	} {
		cn := n.Get(c.key)
		if cn == nil || cn.Kind == workflow.NullNode {
			continue
		}
		cp, err := compileCap(cn, join("contact", c.key), c.count)
		if err != nil {
			return err
		}
		*c.dst = cp
	}
	return nil
}

// compileCap reads { <count>: N, per: duration }.
func compileCap(n *workflow.Node, field, countKey string) (*Cap, error) {
	if err := mapNode(n, field, countKey, "per"); err != nil {
		return nil, err
	}
	cn, err := required(n, field, countKey)
	if err != nil {
		return nil, err
	}
	limit, err := positive(cn, join(field, countKey))
	if err != nil {
		return nil, err
	}
	pn, err := required(n, field, "per")
	if err != nil {
		return nil, err
	}
	per, perText, err := duration(pn, join(field, "per"))
	if err != nil {
		return nil, err
	}
	return &Cap{Limit: limit, Per: per, PerText: perText}, nil
}

// compileQuietHours reads { from, to, timezone }. from == to is refused: it could mean no quiet
// time or all of it, and either is better said otherwise.
func compileQuietHours(p *Policy, root *workflow.Node) error {
	n := root.Get("quiet_hours")
	if n == nil || n.Kind == workflow.NullNode {
		return nil
	}
	if err := mapNode(n, "quiet_hours", "from", "to", "timezone"); err != nil {
		return err
	}
	q := &QuietHours{Zone: "recipient"}
	for _, f := range []struct {
		key string
		dst *Clock
	}{{"from", &q.From}, {"to", &q.To}} {
		cn, err := required(n, "quiet_hours", f.key)
		if err != nil {
			return err
		}
		if *f.dst, err = clock(cn, "quiet_hours."+f.key); err != nil {
			return err
		}
	}
	if q.From == q.To {
		return fieldErr("quiet_hours.to", n.Get("to"), "%s is the same as from: the window would be empty or the whole day", q.To)
	}
	if zn := n.Get("timezone"); zn != nil && zn.Kind != workflow.NullNode {
		zone, err := text(zn, "quiet_hours.timezone")
		if err != nil {
			return err
		}
		if q.Location, err = loadZone(zone); err != nil {
			return &FieldError{Field: "quiet_hours.timezone", Pos: zn.Pos, Err: err}
		}
		q.Zone = zone
	}
	p.QuietHours = q
	return nil
}

// loadZone returns nil for the per-person zones, else the IANA zone.
func loadZone(zone string) (*time.Location, error) {
	switch zone {
	case "recipient", "owner", "record":
		return nil, nil
	case "Local":
		// time.LoadLocation accepts it, but it is the server's zone: meaningless in a definition.
		return nil, fmt.Errorf("%q is not a time zone (an IANA name like Europe/Berlin, or recipient, owner)", zone)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("%q is not a time zone (an IANA name like Europe/Berlin, or recipient, owner): %w", zone, err)
	}
	return loc, nil
}

// compileBudget reads automation_budget: { per_rep_daily: N }.
func compileBudget(p *Policy, root *workflow.Node) error {
	n := root.Get("automation_budget")
	if n == nil || n.Kind == workflow.NullNode {
		return nil
	}
	if err := mapNode(n, "automation_budget", "per_rep_daily"); err != nil {
		return err
	}
	bn, err := required(n, "automation_budget", "per_rep_daily")
	if err != nil {
		return err
	}
	p.BudgetPerRepDaily, err = positive(bn, "automation_budget.per_rep_daily")
	return err
}

func compileOnBlocked(p *Policy, root *workflow.Node) error {
	n := root.Get("on_blocked")
	if n == nil || n.Kind == workflow.NullNode {
		return nil
	}
	switch s := n.Str(); s {
	case Defer, Skip:
		p.OnBlocked = s
		return nil
	}
	return fieldErr("on_blocked", n, "%q is not defer or skip", n.Str())
}

// setCalendar takes the holidays of cal, which must be the calendar the document names: a
// mismatch is the caller's mistake, and guessing would send mail on a holiday or hold it back
// for no reason.
func (p *Policy) setCalendar(root *workflow.Node, cal *bizcal.Calendar) error {
	n := root.Get("calendar")
	if n == nil || n.Kind == workflow.NullNode {
		if cal != nil {
			return errors.New("policy: a calendar was given, but the policy names none")
		}
		return nil
	}
	name, err := text(n, "calendar")
	if err != nil {
		return err
	}
	if cal == nil {
		return fieldErr("calendar", n, "names calendar %s, but it was not loaded", name)
	}
	p.CalendarName = name
	p.holidays = map[bizcal.Date]struct{}{}
	for _, d := range cal.Holidays() {
		p.holidays[d] = struct{}{}
	}
	return nil
}
