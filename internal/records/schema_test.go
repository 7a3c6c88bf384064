package records

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidateCustomField(t *testing.T) {
	t.Parallel()
	lead := object(t, "lead")
	withRegion := lead.WithCustom([]Field{{Name: "region", Type: String, Custom: true}})
	tests := []struct {
		name    string
		object  *Object
		field   Field
		want    []string // fields with errors, in order
		message string   // part of the first error's message
	}{
		{name: "string", object: lead, field: Field{Name: "region", Type: String}},
		{name: "every custom type", object: lead, field: Field{Name: "x9_y", Type: DateTime}},
		{name: "enum with options", object: lead, field: Field{Name: "tier", Type: Enum, Options: []string{"gold", "silver"}}},
		{name: "63 characters", object: lead, field: Field{Name: "a" + strings.Repeat("b", 62), Type: Number}},
		{name: "64 characters", object: lead, field: Field{Name: "a" + strings.Repeat("b", 63), Type: Number},
			want: []string{"name"}, message: "lower snake_case"},
		{name: "capitals", object: lead, field: Field{Name: "Region", Type: String}, want: []string{"name"}},
		{name: "leading digit", object: lead, field: Field{Name: "1st_touch", Type: Date}, want: []string{"name"}},
		{name: "leading underscore", object: lead, field: Field{Name: "_x", Type: String}, want: []string{"name"}},
		{name: "dash", object: lead, field: Field{Name: "lead-source", Type: String}, want: []string{"name"}},
		{name: "space", object: lead, field: Field{Name: "lead source", Type: String}, want: []string{"name"}},
		{name: "empty name", object: lead, field: Field{Name: "", Type: String}, want: []string{"name"}},
		{name: "non-ASCII", object: lead, field: Field{Name: "größe", Type: String}, want: []string{"name"}},
		{name: "clash with built-in", object: lead, field: Field{Name: "email", Type: String},
			want: []string{"name"}, message: `lead already has a field "email"`},
		{name: "clash with read-only built-in", object: lead, field: Field{Name: "company_domain", Type: String},
			want: []string{"name"}},
		{name: "clash with base field", object: object(t, "deal"), field: Field{Name: "created_at", Type: DateTime},
			want: []string{"name"}, message: `deal already has a field "created_at"`},
		{name: "clash with custom field", object: withRegion, field: Field{Name: "region", Type: Text},
			want: []string{"name"}},
		{name: "reserved", object: lead, field: Field{Name: "custom", Type: String},
			want: []string{"name"}, message: `"custom" is reserved`},
		{name: "ref type", object: lead, field: Field{Name: "partner_id", Type: Ref, Ref: "account"},
			want: []string{"type"}, message: `unknown type "ref"`},
		{name: "json type", object: lead, field: Field{Name: "blob", Type: JSON}, want: []string{"type"}},
		{name: "unknown type", object: lead, field: Field{Name: "price", Type: "money"}, want: []string{"type"}},
		{name: "empty type", object: lead, field: Field{Name: "price"}, want: []string{"type"}},
		{name: "enum without options", object: lead, field: Field{Name: "tier", Type: Enum},
			want: []string{"options"}, message: "an enum needs at least one option"},
		{name: "options on a string", object: lead, field: Field{Name: "tier", Type: String, Options: []string{"a"}},
			want: []string{"options"}, message: "only an enum takes options"},
		{name: "blank option", object: lead, field: Field{Name: "tier", Type: Enum, Options: []string{"gold", ""}},
			want: []string{"options"}, message: `option "" must be non-empty`},
		{name: "padded option", object: lead, field: Field{Name: "tier", Type: Enum, Options: []string{" gold"}},
			want: []string{"options"}, message: `option " gold" must be non-empty, without spaces around it`},
		{name: "duplicate option", object: lead, field: Field{Name: "tier", Type: Enum, Options: []string{"gold", "silver", "gold"}},
			want: []string{"options"}, message: `option "gold" is listed twice`},
		{name: "users take custom fields", object: object(t, "user"), field: Field{Name: "shoe_size", Type: Number}},
		{name: "pipelines take none", object: object(t, "pipeline"), field: Field{Name: "x", Type: String},
			want: []string{"object"}, message: "pipeline does not take custom fields"},
		{name: "pipeline takes no custom fields", object: object(t, "pipeline"), field: Field{Name: "x", Type: String},
			want: []string{"object"}},
		{name: "every problem at once", object: object(t, "pipeline"), field: Field{Name: "Bad Name", Type: Enum},
			want: []string{"object", "name", "options"}},
		{name: "clash and bad type", object: lead, field: Field{Name: "status", Type: Ref},
			want: []string{"name", "type"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errs := ValidateCustomField(tt.object, tt.field)
			var fields []string
			for _, fe := range errs {
				fields = append(fields, fe.Field)
			}
			require.Equal(t, tt.want, fields, "errors: %v", errs)
			if tt.message != "" {
				require.Contains(t, errs[0].Message, tt.message)
			}
		})
	}
}

func TestCatalogGet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, want string
		ok         bool
	}{
		{"lead", "lead", true},
		{"leads", "lead", true},
		{"activities", "activity", true},
		{"activity", "activity", true},
		{"pipelines", "pipeline", true},
		{"Lead", "", false},
		{"opportunity", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, ok := catalog.Get(tt.name)
			require.Equal(t, tt.ok, ok)
			if ok {
				require.Equal(t, tt.want, o.Name)
			}
		})
	}
}

func TestCatalogAll(t *testing.T) {
	t.Parallel()
	var names []string
	for _, o := range NewCatalog().All() {
		names = append(names, o.Name)
	}
	require.Equal(t, []string{"lead", "contact", "account", "deal", "task", "activity", "user", "team", "pipeline"}, names)
}

// TestCatalogInvariants checks rules every object description must keep, so that a new field cannot
// break Prepare or the store silently.
func TestCatalogInvariants(t *testing.T) {
	t.Parallel()
	for _, o := range catalog.All() {
		t.Run(o.Name, func(t *testing.T) {
			t.Parallel()
			require.True(t, o.Name != "" && o.Plural != "" && o.Table != "")
			seen := map[string]bool{}
			for _, f := range o.Fields {
				require.False(t, seen[f.Name], "duplicate field %s", f.Name)
				seen[f.Name] = true
				require.False(t, f.Custom, "built-in field %s marked custom", f.Name)
				require.True(t, (f.Type == Enum) == (len(f.Options) > 0), "%s: options iff enum", f.Name)
				require.True(t, (f.Type == Ref) == (f.Ref != ""), "%s: ref target iff ref", f.Name)
				if f.Ref != "" {
					_, ok := catalog.Get(f.Ref)
					require.True(t, ok, "%s refers to unknown object %q", f.Name, f.Ref)
				}
				if f.Default != nil {
					require.False(t, f.ReadOnly || f.Required, "%s: a default on a read-only or required field", f.Name)
					got, msg := Coerce(f, f.Default)
					require.Equal(t, "", msg, "default of %s is invalid", f.Name)
					require.Equal(t, f.Default, got, "default of %s is not canonical", f.Name)
				}
			}
			for _, name := range []string{"id", "created_at", "updated_at"} {
				f, ok := o.Field(name)
				require.True(t, ok && f.ReadOnly, "%s must be a read-only field", name)
			}
			for _, name := range o.Search {
				_, ok := o.Field(name)
				require.True(t, ok, "search field %s does not exist", name)
			}
			require.Equal(t, len(o.Fields), len(o.Columns()))
		})
	}
}

func TestObjectOwned(t *testing.T) {
	t.Parallel()
	var owned []string
	for _, o := range catalog.All() {
		if o.Owned() {
			owned = append(owned, o.Name)
		}
	}
	require.Equal(t, []string{"lead", "contact", "account", "deal", "task", "activity"}, owned)
}

func TestWithCustom(t *testing.T) {
	t.Parallel()
	lead := object(t, "lead")
	n := len(lead.Fields)
	a := lead.WithCustom([]Field{{Name: "region", Type: String, Custom: true}})
	b := lead.WithCustom([]Field{{Name: "tier", Type: Enum, Options: []string{"gold"}, Custom: true}})

	require.Equal(t, n, len(lead.Fields), "the built-in object is unchanged")
	_, ok := lead.Field("region")
	require.False(t, ok)

	_, ok = a.Field("region")
	require.True(t, ok)
	_, ok = a.Field("tier")
	require.False(t, ok, "custom fields of one copy must not leak into another")
	_, ok = b.Field("tier")
	require.True(t, ok)
	_, ok = b.Field("region")
	require.False(t, ok)

	require.Equal(t, n, len(a.Columns()), "custom fields are not columns")
	require.True(t, slices.ContainsFunc(a.Fields, func(f Field) bool { return f.Name == "email" }))

	got, err := a.Prepare(map[string]any{"region": " EMEA "}, false)
	require.NoError(t, err)
	require.Equal(t, Values{"region": "EMEA"}, got)
}

// TestColumnsLeaveFieldsAlone: Columns is a view of Fields in the usual layout; appending to it must
// not overwrite the custom field behind it, and a layout with built-in fields after custom ones still
// gives every built-in field and no custom one.
func TestColumnsLeaveFieldsAlone(t *testing.T) {
	t.Parallel()
	o := &Object{Name: "thing", Fields: []Field{{Name: "id"}, {Name: "name"}}}
	a := o.WithCustom([]Field{{Name: "region", Custom: true}})
	cols := a.Columns()
	require.Equal(t, []string{"id", "name"}, fieldNames(cols))
	_ = append(cols, Field{Name: "oops"})
	require.Equal(t, "region", a.Fields[2].Name, "appending to Columns must not write into Fields")

	mixed := &Object{Name: "mixed", Fields: []Field{{Name: "id"}, {Name: "region", Custom: true}, {Name: "name"}}}
	require.Equal(t, []string{"id", "name"}, fieldNames(mixed.Columns()))
}

func fieldNames(fs []Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Name
	}
	return out
}
