package records

// Catalog holds the built-in objects, by singular and plural name.
type Catalog struct {
	byName map[string]*Object
	order  []*Object
}

// Get returns an object by singular ("lead") or plural ("leads") name.
func (c *Catalog) Get(name string) (*Object, bool) {
	o, ok := c.byName[name]
	return o, ok
}

// All returns the objects in a stable order.
func (c *Catalog) All() []*Object { return c.order }

// Statuses and enums used by more than one place.
var (
	LeadStatuses   = []string{"new", "working", "nurturing", "qualified", "disqualified", "converted"}
	Roles          = []string{"admin", "manager", "rep"}
	TeamKinds      = []string{"sdr", "ae", "csm", "other"}
	TaskTypes      = []string{"call", "email", "meeting_prep", "todo", "approval"}
	TaskStatuses   = []string{"open", "done", "skipped", "snoozed", "declined"}
	TaskPriorities = []string{"low", "normal", "high", "urgent"}
	ActivityTypes  = []string{"email_sent", "email_received", "call_logged", "meeting_booked", "meeting_held",
		"meeting_no_show", "note", "form_submitted", "owner_change", "field_change"}
	RecordTypes = []string{"lead", "contact", "account", "deal"}
)

func base(fields ...Field) []Field {
	head := []Field{{Name: "id", Type: String, ReadOnly: true}}
	tail := []Field{
		{Name: "created_at", Type: DateTime, ReadOnly: true},
		{Name: "updated_at", Type: DateTime, ReadOnly: true},
	}
	return append(append(head, fields...), tail...)
}

func owner() Field { return Field{Name: "owner_id", Type: Ref, Ref: "user"} }

// NewCatalog builds the built-in object descriptions.
func NewCatalog() *Catalog {
	objs := []*Object{
		{Name: "lead", Plural: "leads", Table: "leads", Customizable: true,
			Search: []string{"first_name", "last_name", "email", "company"},
			Fields: base(
				Field{Name: "first_name", Type: String},
				Field{Name: "last_name", Type: String},
				Field{Name: "email", Type: Email},
				Field{Name: "phone", Type: Phone},
				Field{Name: "company", Type: String},
				Field{Name: "company_domain", Type: String, ReadOnly: true},
				Field{Name: "website", Type: URL},
				Field{Name: "title", Type: String},
				Field{Name: "source", Type: String},
				Field{Name: "status", Type: Enum, Options: LeadStatuses, Default: "new"},
				owner(),
				Field{Name: "country", Type: String, MaxLen: 2},
				Field{Name: "industry", Type: String},
				Field{Name: "employees", Type: Number},
				Field{Name: "timezone", Type: String},
				Field{Name: "score", Type: Number, Default: 0.0},
				Field{Name: "score_grade", Type: String, ReadOnly: true},
				Field{Name: "matched_account_id", Type: Ref, Ref: "account", ReadOnly: true},
				Field{Name: "matched_account_confidence", Type: Number, ReadOnly: true},
				Field{Name: "score_breakdown", Type: JSON, ReadOnly: true},
				Field{Name: "score_model", Type: String, ReadOnly: true},
				Field{Name: "scored_at", Type: DateTime, ReadOnly: true},
				Field{Name: "enrichment", Type: JSON, ReadOnly: true},
				Field{Name: "routing_queue", Type: String, ReadOnly: true},
				Field{Name: "merged_into_id", Type: String, ReadOnly: true},
				Field{Name: "qualification_notes", Type: Text},
				Field{Name: "budget", Type: Number},
				Field{Name: "timeline", Type: String},
				Field{Name: "disqualify_reason", Type: String},
			)},
		{Name: "contact", Plural: "contacts", Table: "contacts", Customizable: true,
			Search: []string{"first_name", "last_name", "email"},
			Fields: base(
				Field{Name: "first_name", Type: String},
				Field{Name: "last_name", Type: String},
				Field{Name: "email", Type: Email},
				Field{Name: "phone", Type: Phone},
				Field{Name: "title", Type: String},
				Field{Name: "account_id", Type: Ref, Ref: "account"},
				owner(),
				Field{Name: "country", Type: String, MaxLen: 2},
				Field{Name: "timezone", Type: String},
				Field{Name: "routing_queue", Type: String, ReadOnly: true},
			)},
		{Name: "account", Plural: "accounts", Table: "accounts", Customizable: true,
			Search: []string{"name", "domain"},
			Fields: base(
				Field{Name: "name", Type: String, Required: true},
				Field{Name: "domain", Type: String},
				Field{Name: "website", Type: URL},
				Field{Name: "industry", Type: String},
				Field{Name: "employees", Type: Number},
				Field{Name: "annual_revenue", Type: Number},
				Field{Name: "country", Type: String, MaxLen: 2},
				Field{Name: "phone", Type: Phone},
				owner(),
				Field{Name: "routing_queue", Type: String, ReadOnly: true},
			)},
		{Name: "deal", Plural: "deals", Table: "deals", Customizable: true,
			Search: []string{"name"},
			Fields: base(
				Field{Name: "name", Type: String, Required: true},
				Field{Name: "account_id", Type: Ref, Ref: "account"},
				Field{Name: "contact_id", Type: Ref, Ref: "contact"},
				Field{Name: "pipeline_id", Type: Ref, Ref: "pipeline"},
				Field{Name: "stage", Type: String},
				Field{Name: "amount", Type: Number},
				Field{Name: "currency", Type: String, Default: "USD", MaxLen: 3},
				Field{Name: "close_date", Type: Date},
				owner(),
				Field{Name: "routing_queue", Type: String, ReadOnly: true},
			)},
		{Name: "task", Plural: "tasks", Table: "tasks", Customizable: true,
			Search: []string{"title"},
			Fields: base(
				Field{Name: "type", Type: Enum, Options: TaskTypes, Default: "todo"},
				Field{Name: "title", Type: String, Required: true},
				Field{Name: "why", Type: Text},
				owner(),
				Field{Name: "due_at", Type: DateTime},
				Field{Name: "priority", Type: Enum, Options: TaskPriorities, Default: "normal"},
				Field{Name: "status", Type: Enum, Options: TaskStatuses, Default: "open"},
				Field{Name: "outcome", Type: String},
				Field{Name: "record_type", Type: Enum, Options: RecordTypes},
				Field{Name: "record_id", Type: String},
				Field{Name: "completed_at", Type: DateTime},
				Field{Name: "outcomes", Type: JSON},
				Field{Name: "run_id", Type: String, ReadOnly: true},
				Field{Name: "step_id", Type: String, ReadOnly: true},
				Field{Name: "pool", Type: String, ReadOnly: true},
				Field{Name: "snoozed_until", Type: DateTime, ReadOnly: true},
				Field{Name: "status_reason", Type: Text, ReadOnly: true},
			)},
		{Name: "activity", Plural: "activities", Table: "activities", Customizable: true,
			Search: []string{"subject"},
			Fields: base(
				Field{Name: "type", Type: Enum, Options: ActivityTypes, Required: true},
				Field{Name: "subject", Type: String},
				Field{Name: "body", Type: Text},
				Field{Name: "record_type", Type: Enum, Options: RecordTypes, Required: true},
				Field{Name: "record_id", Type: String, Required: true},
				owner(),
				Field{Name: "occurred_at", Type: DateTime},
				Field{Name: "form", Type: String},
				Field{Name: "meeting_id", Type: String},
				Field{Name: "meeting_start", Type: DateTime},
				Field{Name: "data", Type: JSON},
			)},
		{Name: "user", Plural: "users", Table: "users", AdminOnly: true, Customizable: true,
			Search: []string{"name", "email"},
			Fields: base(
				Field{Name: "email", Type: Email, Required: true},
				Field{Name: "name", Type: String, Required: true},
				Field{Name: "role", Type: Enum, Options: Roles, Default: "rep"},
				Field{Name: "team_id", Type: Ref, Ref: "team"},
				Field{Name: "timezone", Type: String, Default: "UTC"},
				Field{Name: "working_hours", Type: String, Default: "mon-fri 09:00-17:00"},
				Field{Name: "capacity", Type: Number, Default: 50.0},
				Field{Name: "active", Type: Bool, Default: true},
				Field{Name: "out_of_office_until", Type: DateTime},
			)},
		{Name: "team", Plural: "teams", Table: "teams", AdminOnly: true, Customizable: true,
			Search: []string{"name"},
			Fields: base(
				Field{Name: "name", Type: String, Required: true},
				Field{Name: "kind", Type: Enum, Options: TeamKinds, Default: "other"},
				Field{Name: "manager_id", Type: Ref, Ref: "user"},
			)},
		{Name: "pipeline", Plural: "pipelines", Table: "pipelines", AdminOnly: true,
			Search: []string{"name"},
			Fields: base(
				Field{Name: "name", Type: String, Required: true},
				Field{Name: "stages", Type: JSON, Required: true},
			)},
	}
	c := &Catalog{byName: map[string]*Object{}, order: objs}
	for _, o := range objs {
		c.byName[o.Name] = o
		c.byName[o.Plural] = o
	}
	return c
}
