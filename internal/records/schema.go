// Package records describes the CRM objects (lead, contact, account, deal, task, activity, user, team,
// pipeline): their fields, types and write rules. It does no I/O, so the store, the API, the importer and
// (later) the workflow linter all read one description of what a record is.
package records

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Type is a field's value type. Custom fields may use every type but Ref and JSON.
type Type string

// The field types. Values travel as: string for String/Text/Email/Phone/URL/Enum/Ref/Date (YYYY-MM-DD),
// float64 for Number, bool for Bool, time.Time (UTC) for DateTime, and decoded JSON for JSON (numbers as
// float64, see coerceJSON).
const (
	String   Type = "string"
	Text     Type = "text"
	Number   Type = "number"
	Bool     Type = "bool"
	Date     Type = "date"
	DateTime Type = "datetime"
	Enum     Type = "enum"
	Email    Type = "email"
	Phone    Type = "phone"
	URL      Type = "url"
	Ref      Type = "ref"
	JSON     Type = "json"
)

// CustomTypes are the types an admin may give a custom field (R2).
var CustomTypes = []Type{String, Text, Number, Bool, Date, DateTime, Enum, Email, Phone, URL}

// Field is one attribute of an object.
type Field struct {
	Name     string
	Type     Type
	Required bool     // must be present and non-empty on create
	Options  []string // allowed values of an Enum
	Default  any      // value used on create when absent
	Ref      string   // object name a Ref points at
	ReadOnly bool     // set by the system only (id, timestamps, derived values)
	Custom   bool     // defined through the API; stored in the record's custom JSON column
	Label    string
	MaxLen   int // for strings; 0 means the type's default
}

// Object is the description of one record type.
type Object struct {
	Name   string // singular, as in record_type: "lead"
	Plural string // the API collection: "leads"
	Table  string
	Fields []Field
	// Search lists the fields the `q` list parameter matches.
	Search []string
	// AdminOnly objects can be written by admins only (users, teams, pipelines).
	AdminOnly bool
	// Customizable objects accept custom fields.
	Customizable bool
}

// Field returns the named field and whether it exists.
func (o *Object) Field(name string) (Field, bool) {
	for _, f := range o.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Owned reports whether the object has an owner_id, which the role rules use.
func (o *Object) Owned() bool { _, ok := o.Field("owner_id"); return ok }

// WithCustom returns a copy of o with the custom field definitions appended.
func (o *Object) WithCustom(custom []Field) *Object {
	c := *o
	c.Fields = append(slices.Clip(o.Fields), custom...)
	return &c
}

// Columns are the built-in fields, each stored in a column of the same name. Every read and write of
// a record asks, so in the usual layout (built-in fields first, custom ones after, as WithCustom makes
// it) it is a view of Fields, not a copy: copying was a sixth of the server's allocations. Callers
// must not change it.
func (o *Object) Columns() []Field {
	n := 0
	for n < len(o.Fields) && !o.Fields[n].Custom {
		n++
	}
	mixed := false
	for i := n; i < len(o.Fields); i++ {
		mixed = mixed || !o.Fields[i].Custom
	}
	if !mixed {
		return slices.Clip(o.Fields[:n])
	}
	cols := make([]Field, 0, len(o.Fields))
	for i := range o.Fields {
		if !o.Fields[i].Custom {
			cols = append(cols, o.Fields[i])
		}
	}
	return cols
}

// reservedNames cannot be custom fields: "custom" is the storage column, the rest name related
// records in expressions (lead.owner, deal.account, …).
var reservedNames = []string{"custom", "owner", "account", "contact", "lead", "deal", "manager", "team", "matched_account"}

var customName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// ValidateCustomField checks a custom field definition against the object it extends.
func ValidateCustomField(o *Object, f Field) []FieldError {
	var errs []FieldError
	if !o.Customizable {
		errs = append(errs, FieldError{"object", fmt.Sprintf("%s does not take custom fields", o.Name)})
	}
	if !customName.MatchString(f.Name) {
		errs = append(errs, FieldError{"name", "must be lower snake_case: a letter, then letters, digits or _ (at most 63)"})
	} else if _, clash := o.Field(f.Name); clash {
		errs = append(errs, FieldError{"name", fmt.Sprintf("%s already has a field %q", o.Name, f.Name)})
	} else if slices.Contains(reservedNames, f.Name) {
		errs = append(errs, FieldError{"name", fmt.Sprintf("%q is reserved: expressions use it for a related record", f.Name)})
	}
	if !slices.Contains(CustomTypes, f.Type) {
		errs = append(errs, FieldError{"type", fmt.Sprintf("unknown type %q; one of %v", f.Type, CustomTypes)})
	}
	if f.Type == Enum && len(f.Options) == 0 {
		errs = append(errs, FieldError{"options", "an enum needs at least one option"})
	}
	if f.Type != Enum && len(f.Options) > 0 {
		errs = append(errs, FieldError{"options", "only an enum takes options"})
	}
	// Input is trimmed and "" clears a field, so a blank or space-padded option could never be chosen.
	for i, opt := range f.Options {
		switch {
		case opt == "" || strings.TrimSpace(opt) != opt:
			errs = append(errs, FieldError{"options", fmt.Sprintf("option %q must be non-empty, without spaces around it", opt)})
		case slices.Contains(f.Options[:i], opt):
			errs = append(errs, FieldError{"options", fmt.Sprintf("option %q is listed twice", opt)})
		}
	}
	return errs
}
