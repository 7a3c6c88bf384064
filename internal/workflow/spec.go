package workflow

// Kind is how a value is read and checked.
type Kind int

// The value kinds of the definition format.
const (
	KString    Kind = iota // any text
	KInt                   // a whole number
	KNumber                // a number
	KBool                  // true or false
	KDuration              // 90s, 15m, 4h, 2d, 1w, or combinations like 1h30m
	KCron                  // a five-field cron spec
	KClock                 // a time of day, "09:00"
	KZone                  // an IANA time zone, or owner / recipient / record
	KDate                  // 2026-12-25
	KEnum                  // one of Options
	KEmail                 // an email address (users are checked with --server)
	KExpr                  // a CEL expression yielding Want
	KTemplate              // text with {{ expr }}
	KRef                   // the name of a definition of RefKind (routing, scoring, calendar, template, workflow, policy), a team or a user
	KFields                // a map of the workflow object's fields to values
	KFieldList             // a list of the workflow object's field names
	KObject                // a map described by Spec
	KList                  // a list of Elem
	KMap                   // a map of names to Elem
	KSteps                 // a list of steps
	KOneOf                 // the first of Alts whose shape fits
)

// Value describes what a key holds.
type Value struct {
	Kind    Kind
	Want    string   // KExpr: bool, string, number, timestamp, duration, user, record, any
	Options []string // KEnum
	RefKind string   // KRef
	Spec    *Spec    // KObject
	Elem    *Value   // KList, KMap
	Alts    []*Value // KOneOf
	Signed  bool     // KDuration: may be negative (an offset)
	Counted bool     // KInt: at least 1 (a cap)
}

// Field is one key of a map.
type Field struct {
	Key      string
	Value    *Value
	Required bool
	Doc      string
}

// Spec describes a map: its keys, its documentation and an example. One Spec drives the checker,
// docs/workflows.md and the JSON Schema, so they cannot disagree.
type Spec struct {
	Name    string
	Doc     string
	Example string
	Fields  []Field
	// Exclusive lists keys of which at most one may be given; OneRequired says one of them must be.
	Exclusive   []string
	OneRequired bool
	// Objects lists the workflow objects an action runs on (empty: any).
	Objects []string
}

// Field returns the field for key.
func (s *Spec) Field(key string) (Field, bool) {
	for _, f := range s.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Keys lists the spec's keys, for "did you mean" and docs.
func (s *Spec) Keys() []string {
	keys := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		keys[i] = f.Key
	}
	return keys
}

// Value constructors, to keep the catalog readable.
func str() *Value                   { return &Value{Kind: KString} }
func integer() *Value               { return &Value{Kind: KInt} }
func counted() *Value               { return &Value{Kind: KInt, Counted: true} }
func number() *Value                { return &Value{Kind: KNumber} }
func boolean() *Value               { return &Value{Kind: KBool} }
func dur() *Value                   { return &Value{Kind: KDuration} }
func clock() *Value                 { return &Value{Kind: KClock} }
func zone() *Value                  { return &Value{Kind: KZone} }
func date() *Value                  { return &Value{Kind: KDate} }
func email() *Value                 { return &Value{Kind: KEmail} }
func enum(opts ...string) *Value    { return &Value{Kind: KEnum, Options: opts} }
func expression(want string) *Value { return &Value{Kind: KExpr, Want: want} }
func template() *Value              { return &Value{Kind: KTemplate} }
func ref(kind string) *Value        { return &Value{Kind: KRef, RefKind: kind} }
func object(s *Spec) *Value         { return &Value{Kind: KObject, Spec: s} }
func listOf(v *Value) *Value        { return &Value{Kind: KList, Elem: v} }
func mapOf(v *Value) *Value         { return &Value{Kind: KMap, Elem: v} }
func steps() *Value                 { return &Value{Kind: KSteps} }
func oneOf(alts ...*Value) *Value   { return &Value{Kind: KOneOf, Alts: alts} }
func req(key string, v *Value, doc string) Field {
	return Field{Key: key, Value: v, Required: true, Doc: doc}
}
func opt(key string, v *Value, doc string) Field { return Field{Key: key, Value: v, Doc: doc} }
