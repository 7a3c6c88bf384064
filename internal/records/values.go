package records

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Values is a record's fields by name, in canonical Go types (see Type).
type Values map[string]any

// ID returns the record's id.
func (v Values) ID() string { s, _ := v["id"].(string); return s }

// String returns a string field, or "" when unset.
func (v Values) String(name string) string { s, _ := v[name].(string); return s }

// FieldError names one invalid field and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError lists every invalid field of one write; nothing is written when it is returned.
type ValidationError struct{ Errors []FieldError }

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, fe := range e.Errors {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Invalid builds a ValidationError for one field.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Errors: []FieldError{{field, fmt.Sprintf(format, args...)}}}
}

const (
	maxString = 1000
	maxText   = 100_000
)

// TimeLayout is how datetimes are written in JSON and in SQLite: fixed width, so text order is time order.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Prepare checks an API input document against o and returns its values in canonical types. On create,
// missing or empty (null, "") fields take their defaults, so that a CSV import with an empty status column
// still makes a "new" lead; on patch only the given fields are returned. Every problem is reported, not
// just the first; with the error come the values that were valid, so that a caller can run its later
// checks (Finish) on them and answer with all problems at once.
func (o *Object) Prepare(input map[string]any, create bool) (Values, error) {
	out := Values{}
	var errs []FieldError
	for name, raw := range input {
		f, ok := o.Field(name)
		switch {
		case name == "":
			errs = append(errs, FieldError{`""`, "an empty name is not a field"})
			continue
		case !ok:
			errs = append(errs, FieldError{name, fmt.Sprintf("unknown field for %s", o.Name)})
			continue
		case f.ReadOnly:
			errs = append(errs, FieldError{name, "is read-only"})
			continue
		}
		v, msg := Coerce(f, raw)
		if msg != "" {
			errs = append(errs, FieldError{name, msg})
			continue
		}
		out[name] = v
	}
	if create {
		bad := map[string]bool{}
		for _, fe := range errs {
			bad[fe.Field] = true
		}
		for _, f := range o.Fields {
			if out[f.Name] == nil && f.Default != nil && !bad[f.Name] {
				out[f.Name] = f.Default
			}
		}
	}
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
		return out, &ValidationError{Errors: errs}
	}
	return out, nil
}

// JoinErrors merges validation errors into one, keeping the first message per field; any other error
// is returned as it is.
func JoinErrors(errs ...error) error {
	var out []FieldError
	seen := map[string]bool{}
	for _, err := range errs {
		if err == nil {
			continue
		}
		ve, ok := err.(*ValidationError)
		if !ok {
			return err
		}
		for _, fe := range ve.Errors {
			if !seen[fe.Field] {
				seen[fe.Field] = true
				out = append(out, fe)
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	slices.SortStableFunc(out, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return &ValidationError{Errors: out}
}

// Coerce converts one JSON-decoded value (numbers as json.Number or float64) to field f's canonical type.
// It returns a message saying what is wrong, or "". A null or empty string clears the field.
func Coerce(f Field, raw any) (any, string) {
	if raw == nil {
		return nil, ""
	}
	if s, ok := raw.(string); ok && strings.TrimSpace(s) == "" && f.Type != JSON {
		return nil, ""
	}
	switch f.Type {
	case Number:
		return coerceNumber(raw)
	case Bool:
		b, ok := raw.(bool)
		if !ok {
			return nil, "must be true or false"
		}
		return b, ""
	case JSON:
		return coerceJSON(raw)
	}
	s, ok := raw.(string)
	if !ok {
		return nil, fmt.Sprintf("must be a string (%s)", f.Type)
	}
	return CoerceString(f, s)
}

func coerceNumber(raw any) (any, string) {
	var x float64
	switch n := raw.(type) {
	case json.Number:
		var err error
		if x, err = n.Float64(); err != nil {
			return nil, "must be a number"
		}
	case float64:
		x = n
	case int:
		x = float64(n)
	case int64:
		x = float64(n)
	default:
		return nil, "must be a number"
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, "must be a finite number"
	}
	return x, ""
}

// CoerceString converts text (an API string or a CSV cell) to field f's canonical type.
func CoerceString(f Field, s string) (any, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, ""
	}
	if !cleanText(s) {
		return nil, "must be valid UTF-8 text without NUL bytes"
	}
	limit := maxString
	if f.Type == Text {
		limit = maxText
	}
	if len(s) > limit {
		return nil, fmt.Sprintf("is longer than %d bytes", limit)
	}
	if f.MaxLen > 0 && utf8.RuneCountInString(s) > f.MaxLen {
		return nil, fmt.Sprintf("is longer than %d characters", f.MaxLen)
	}
	switch f.Type {
	case Number:
		x, msg := ParseNumber(s)
		if msg != "" {
			return nil, msg
		}
		return x, ""
	case Bool:
		switch strings.ToLower(s) {
		case "true", "yes", "1", "y":
			return true, ""
		case "false", "no", "0", "n":
			return false, ""
		}
		return nil, fmt.Sprintf("%q is not true or false", s)
	case Date:
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			return nil, fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)
		}
		if !yearInRange(d) {
			return nil, fmt.Sprintf("%q is outside the years 0001 to 9999", s)
		}
		return s, ""
	case DateTime:
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return nil, fmt.Sprintf("%q is not an RFC 3339 datetime (2026-01-31T09:00:00Z)", s)
		}
		// Stored as fixed-width text (TimeLayout) and as timestamptz: a five-digit or zero year would be
		// written, then fail every read of the record.
		if !yearInRange(t.UTC()) {
			return nil, fmt.Sprintf("%q is outside the years 0001 to 9999 (in UTC)", s)
		}
		return t.UTC().Truncate(time.Microsecond), ""
	case Enum:
		// Case is forgiven ("Qualified" from a spreadsheet), the stored value is the option's own.
		if i := slices.IndexFunc(f.Options, func(o string) bool { return strings.EqualFold(o, s) }); i >= 0 {
			return f.Options[i], ""
		}
		return nil, fmt.Sprintf("%q is not one of %s", s, strings.Join(f.Options, ", "))
	case Email:
		e, err := NormalizeEmail(s)
		if err != nil {
			return nil, err.Error()
		}
		return e, ""
	case URL:
		u, err := NormalizeURL(s)
		if err != nil {
			return nil, err.Error()
		}
		return u, ""
	case Phone:
		// Phones become E.164 in Finish, once the record's country is known.
		return s, ""
	}
	return s, ""
}

func yearInRange(t time.Time) bool { return t.Year() >= 1 && t.Year() <= 9999 }

// NormalizeURL accepts "acme.com" or "https://Acme.com/x" and returns an absolute http(s) URL with a
// lower-case host. Addresses with a user or password ("https://ann:pw@acme.com", or an email address
// typed into a website field) are refused: they would show credentials to every reader of the record.
func NormalizeURL(s string) (string, error) {
	abs := s
	if !strings.Contains(abs, "://") {
		abs = "https://" + abs
	}
	u, err := url.Parse(abs)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.Contains(u.Hostname(), ".") ||
		strings.ContainsAny(u.Hostname(), " _") || u.User != nil {
		return "", fmt.Errorf("%q is not a web address", s)
	}
	u.Host = strings.ToLower(u.Host)
	return u.String(), nil
}

// Equal reports whether two canonical values are the same, so that unchanged fields make no diff.
func Equal(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb)
	}
	return reflect.DeepEqual(a, b)
}

// Change is one field's old and new value in an event.
type Change struct {
	Old any `json:"old"`
	New any `json:"new"`
}

// Diff returns the fields whose values differ between before and after (nil before = created,
// nil after = deleted). Timestamps maintained by the store are left out.
func Diff(before, after Values) map[string]Change {
	d := map[string]Change{}
	for k, nv := range after {
		if k == "updated_at" || k == "created_at" {
			continue
		}
		if ov := before[k]; !Equal(ov, nv) {
			d[k] = Change{Old: ov, New: nv}
		}
	}
	for k, ov := range before {
		if _, ok := after[k]; !ok && ov != nil && k != "updated_at" && k != "created_at" {
			d[k] = Change{Old: ov, New: nil}
		}
	}
	return d
}

// JSON returns v with datetimes formatted, ready for encoding/json.
func (v Values) JSON() map[string]any {
	out := make(map[string]any, len(v))
	for k, x := range v {
		if t, ok := x.(time.Time); ok {
			out[k] = t.UTC().Format(TimeLayout)
			continue
		}
		out[k] = x
	}
	return out
}
