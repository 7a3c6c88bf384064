package expr

import (
	"fmt"
	"slices"
	"strings"

	"github.com/salesflow/salesflow/internal/records"
)

// Relation is a related record an expression can reach from a record (lead.owner). The engine resolves
// relations when it loads a record and passes each related record as a nested map under the relation's
// name; a relation with nothing behind it is null.
type Relation struct {
	From string // object the relation starts at ("lead")
	Name string // how expressions name it ("owner")
	To   string // object it reaches ("user")
	Via  string // how the engine finds it, for the docs
}

// Relations lists every relation, in the order the docs show them. It is the one place relations are
// declared: the schema, the docs and the engine's loader all read it.
func Relations() []Relation {
	return []Relation{
		{"lead", "owner", "user", "owner_id"},
		{"lead", "matched_account", "account", "matched_account_id (set when the lead is matched to an account)"},
		{"contact", "owner", "user", "owner_id"},
		{"contact", "account", "account", "account_id"},
		{"account", "owner", "user", "owner_id"},
		{"deal", "owner", "user", "owner_id"},
		{"deal", "account", "account", "account_id"},
		{"deal", "contact", "contact", "contact_id"},
		{"task", "owner", "user", "owner_id"},
		{"task", "contact", "contact", "record_id when record_type is contact"},
		{"task", "lead", "lead", "record_id when record_type is lead"},
		{"task", "deal", "deal", "record_id when record_type is deal"},
		{"task", "account", "account", "record_id when record_type is account, else the contact's or deal's account"},
		{"activity", "owner", "user", "owner_id"},
		{"activity", "contact", "contact", "record_id when record_type is contact"},
		{"activity", "lead", "lead", "record_id when record_type is lead"},
		{"activity", "deal", "deal", "record_id when record_type is deal"},
		{"activity", "account", "account", "record_id when record_type is account, else the contact's or deal's account"},
		{"user", "manager", "user", "the manager of the user's team (team_id → team.manager_id)"},
		{"user", "team", "team", "team_id"},
		{"team", "manager", "user", "manager_id"},
	}
}

// Member is one field or relation of an object as expressions see it.
type Member struct {
	Name     string
	Type     Type
	Field    records.Type // the record field's type; "" for a relation
	Relation bool
	Custom   bool
	Options  []string // the values an enum field can hold, exactly as stored; nil for other members
}

// objectSchema is one object's members by name, in declaration order for did-you-mean and docs.
type objectSchema struct {
	name    string
	members []Member
	byName  map[string]int
}

func (o *objectSchema) member(name string) (Member, bool) {
	i, ok := o.byName[name]
	if !ok {
		return Member{}, false
	}
	return o.members[i], true
}

func (o *objectSchema) names() []string {
	out := make([]string, len(o.members))
	for i, m := range o.members {
		out[i] = m.Name
	}
	return out
}

// Schema is the objects as expressions see them: built-in fields, custom fields and relations, each
// typed. It is immutable once built and safe to share.
type Schema struct {
	objects map[string]*objectSchema
	order   []string
}

// NewSchema builds the schema from the catalog and the custom fields of each object (object name →
// fields). A relation hides a custom field of the same name, since relations are what workflows
// navigate; the custom-field API should refuse such names.
func NewSchema(cat *records.Catalog, custom map[string][]records.Field) *Schema {
	s := &Schema{objects: map[string]*objectSchema{}}
	for _, obj := range cat.All() {
		o := &objectSchema{name: obj.Name, byName: map[string]int{}}
		add := func(m Member) {
			if _, dup := o.byName[m.Name]; dup {
				return
			}
			o.byName[m.Name] = len(o.members)
			o.members = append(o.members, m)
		}
		for _, r := range Relations() {
			if r.From == obj.Name {
				add(Member{Name: r.Name, Type: Object(r.To), Relation: true})
			}
		}
		for _, f := range obj.Fields {
			add(Member{Name: f.Name, Type: fieldType(f.Type), Field: f.Type, Custom: f.Custom, Options: slices.Clone(f.Options)})
		}
		for _, f := range custom[obj.Name] {
			add(Member{Name: f.Name, Type: fieldType(f.Type), Field: f.Type, Custom: true, Options: slices.Clone(f.Options)})
		}
		s.objects[obj.Name] = o
		s.order = append(s.order, obj.Name)
	}
	return s
}

// fieldType is how an expression sees a record field type. Dates become timestamps at midnight UTC so
// that date arithmetic (deal.close_date - days(3)) and comparisons with now() work.
func fieldType(t records.Type) Type {
	switch t {
	case records.Number:
		return Number()
	case records.Bool:
		return Bool()
	case records.Date, records.DateTime:
		return Timestamp()
	case records.JSON:
		return Any()
	}
	return String()
}

// Objects returns the object names in the catalog's order.
func (s *Schema) Objects() []string { return slices.Clone(s.order) }

// Members returns an object's relations and fields (relations first), or false if there is no such
// object.
func (s *Schema) Members(object string) ([]Member, bool) {
	o, ok := s.objects[object]
	if !ok {
		return nil, false
	}
	out := slices.Clone(o.members)
	for i := range out {
		out[i].Options = slices.Clone(out[i].Options) // callers must not reach the shared schema
	}
	return out, true
}

// Resolve returns the type of a dotted path that starts at an object ("lead.owner.email"), for the
// linter's field comparisons and set-field actions.
func (s *Schema) Resolve(path string) (Type, error) {
	parts := strings.Split(path, ".")
	o, ok := s.objects[parts[0]]
	if !ok {
		return Type{}, fmt.Errorf("unknown object %s%s", parts[0], suggest(parts[0], s.order))
	}
	t := Object(o.name)
	for _, p := range parts[1:] {
		name, isObj := t.IsObject()
		if !isObj {
			return Type{}, fmt.Errorf("%s is a %s and has no field %s", path, t, p)
		}
		o = s.objects[name]
		m, ok := o.member(p)
		if !ok {
			return Type{}, fmt.Errorf("unknown field %s of %s%s", p, o.name, suggest(p, o.names()))
		}
		t = m.Type
	}
	return t, nil
}
