package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salesflow/salesflow/internal/workflow"
)

// FieldError is a problem with one field of a policy document. Field is its path
// ("contact.max_emails.per", "applies_to[1]") and Pos where it is, so an editor or the linter can
// point at it.
type FieldError struct {
	Field string
	Pos   workflow.Pos
	Err   error
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("policy field %s (%s): %v", e.Field, e.Pos, e.Err)
}

func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, n *workflow.Node, format string, args ...any) error {
	var p workflow.Pos
	if n != nil {
		p = n.Pos
	}
	return &FieldError{Field: field, Pos: p, Err: fmt.Errorf(format, args...)}
}

// join builds a field path.
func join(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// mapNode checks that n is a map with only the allowed keys: a misspelt key would otherwise be a
// rule silently not applied.
func mapNode(n *workflow.Node, field string, allowed ...string) error {
	if n.Kind != workflow.MapNode {
		return fieldErr(field, n, "must be a map")
	}
	for _, p := range n.Pairs {
		if !slices.Contains(allowed, p.Key) {
			return &FieldError{Field: join(field, p.Key), Pos: p.KeyPos,
				Err: fmt.Errorf("unknown key (want one of %s)", strings.Join(allowed, ", "))}
		}
	}
	return nil
}

// required returns parent's key, or an error naming it when it is missing.
func required(parent *workflow.Node, field, key string) (*workflow.Node, error) {
	n := parent.Get(key)
	if n == nil || n.Kind == workflow.NullNode {
		return nil, fieldErr(join(field, key), parent, "is required")
	}
	return n, nil
}

// text reads a non-empty scalar.
func text(n *workflow.Node, field string) (string, error) {
	if n.Kind != workflow.ScalarNode || n.Str() == "" {
		return "", fieldErr(field, n, "must be a non-empty value")
	}
	return n.Str(), nil
}

// positive reads a whole number of at least 1: a cap or budget of 0 would block for ever, and a
// deferral would never end.
func positive(n *workflow.Node, field string) (int, error) {
	s, err := text(n, field)
	if err != nil {
		return 0, err
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, fieldErr(field, n, "%q is not a whole number of at least 1", s)
	}
	return v, nil
}

// duration reads a positive duration in the definition format (workflow.ParseDuration).
func duration(n *workflow.Node, field string) (time.Duration, string, error) {
	s, err := text(n, field)
	if err != nil {
		return 0, "", err
	}
	d, err := workflow.ParseDuration(s)
	if err != nil {
		return 0, "", &FieldError{Field: field, Pos: n.Pos, Err: err}
	}
	if d <= 0 {
		return 0, "", fieldErr(field, n, "%q must be longer than zero", s)
	}
	return d, s, nil
}

var clockRe = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)$`)

// clock reads a time of day, "HH:MM".
func clock(n *workflow.Node, field string) (Clock, error) {
	s, err := text(n, field)
	if err != nil {
		return 0, err
	}
	m := clockRe.FindStringSubmatch(s)
	if m == nil {
		return 0, fieldErr(field, n, "%q is not a time of day like 08:00", s)
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	return Clock(h*60 + mi), nil
}
