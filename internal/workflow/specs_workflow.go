package workflow

import "github.com/salesflow/salesflow/internal/records"

// Objects a workflow can run on.
var workflowObjects = []string{"lead", "contact", "account", "deal", "task", "activity"}

// Trigger events. "<object>.created|updated|deleted" exist for every workflow object.
var specialEvents = map[string]string{
	"deal.stage_changed": "deal",
	"form.submitted":     "lead",
	"task.completed":     "task",
	"task.overdue":       "task",
	"lead.score_crossed": "lead",
	"date":               "",
	"schedule":           "",
	"manual":             "",
	"event":              "",
}

func triggerEvents() []string {
	var out []string
	for _, o := range workflowObjects {
		out = append(out, o+".created", o+".updated", o+".deleted")
	}
	return append(out, "deal.stage_changed", "form.submitted", "task.completed", "task.overdue",
		"lead.score_crossed", "date", "schedule", "manual", "event")
}

var dateSpec = &Spec{Name: "trigger.date", Doc: "A moment relative to a date field of the record, rescheduled when the field changes.",
	Example: "date: { field: close_date, offset: -3d, at: \"09:00\", timezone: owner }",
	Fields: []Field{
		req("field", str(), "a date or datetime field of the workflow's object"),
		opt("offset", &Value{Kind: KDuration, Signed: true}, "before (-3d) or after (2h) the field's value; default 0"),
		opt("at", clock(), "the time of day, on the day the offset lands on"),
		opt("timezone", zone(), "the zone of `at`: an IANA zone, `owner` (the record owner's) or `record` (the record's timezone field); default owner"),
	}}

var scheduleSpec = &Spec{Name: "trigger.schedule", Doc: "A cron schedule; at each tick every record matching `when` enrolls.",
	Example: "schedule: { cron: \"0 9 * * mon\", timezone: Europe/Berlin }",
	Fields: []Field{
		req("cron", &Value{Kind: KCron}, "five fields: minute hour day-of-month month day-of-week"),
		opt("timezone", zone(), "an IANA zone; DST-correct; default UTC"),
	}}

var triggerSpec = &Spec{Name: "trigger", Doc: "What starts a run. `on` names the event; the other keys narrow it.",
	Example: "trigger:\n  on: lead.updated\n  changed: status\n  to: qualified\n  when: lead.employees >= 50\n  match: edge",
	Fields: []Field{
		req("on", enum(triggerEvents()...), "the event"),
		opt("when", expression("bool"), "the enrollment filter, on the record after the event"),
		opt("match", enum("level", "edge"), "`level` (default): enroll whenever the event happens and `when` is true; `edge`: only when `when` became true with this change (it was false before)"),
		opt("changed", str(), "with <object>.updated: only when this field changed"),
		opt("from", str(), "with `changed`: only when the field changed from this value"),
		opt("to", str(), "with `changed`: only when the field changed to this value"),
		opt("form", str(), "with form.submitted: only this form"),
		opt("threshold", str(), "with lead.score_crossed: the threshold's name in the scoring model"),
		opt("model", ref("scoring"), "with lead.score_crossed: the scoring model (default: any)"),
		opt("event", str(), "with on: event — the custom event's name, as posted to /api/v1/events"),
		opt("date", object(dateSpec), "with on: date"),
		opt("schedule", object(scheduleSpec), "with on: schedule"),
	}}

// WorkflowSpec is the workflow document.
var WorkflowSpec = &Spec{Name: "workflow", Doc: "Steps that run for a record when a trigger fires.",
	Example: "kind: workflow\nname: welcome\nowner: revops@example.com\nreview_every: 90d\nobject: lead\ntrigger: { on: lead.created }\nsteps:\n  - action: set\n    with: { status: working }",
	Fields: []Field{
		req("kind", enum("workflow"), ""),
		req("name", str(), "unique among workflows; lower case, digits, - and _"),
		opt("description", str(), "what it is for"),
		req("owner", email(), "an existing user's email (apply checks it; lint only with --server): the person alerted on failures and asked to review"),
		req("review_every", dur(), "how often the owner reviews it; the health report flags overdue reviews"),
		req("object", enum(workflowObjects...), "the kind of record a run is about; bound in expressions by its name (`lead`)"),
		req("trigger", object(triggerSpec), "what starts a run"),
		opt("reenroll", enum("never", "after_exit", "always"), "may a record enroll again: `never` (default), `after_exit` (once its previous run ended), `always` (each trigger starts a run; still one active run per record)"),
		opt("goal", expression("bool"), "the run ends as a success the moment this becomes true"),
		opt("exit", expression("bool"), "the run is unenrolled the moment this becomes true"),
		opt("policy", ref("policy"), "a contact policy that governs its outbound actions, besides every active policy whose applies_to covers it"),
		opt("dry_run", boolean(), "evaluate and log everything, send nothing (G3)"),
		req("steps", steps(), "the steps, in order"),
	}}

// StepKinds are the keys that say what a step is; each step has exactly one.
var StepKinds = []string{"action", "if", "switch", "split", "delay", "wait_for", "task", "handoff", "enroll", "unenroll", "stop"}

var idField = opt("id", str(), "a name for the step, unique in the workflow; later steps read its outputs as steps.<id>.<output>")

var delaySpec = &Spec{Name: "delay", Doc: "Wait. Exactly one of duration, until, time, business_hours or business_days.",
	Example:   "delay: { business_days: 2, calendar: sales-hours }",
	Exclusive: []string{"duration", "until", "time", "business_hours", "business_days"}, OneRequired: true,
	Fields: []Field{
		opt("duration", dur(), "a fixed time: 2h, 3d"),
		opt("until", expression("timestamp"), "a moment from an expression, e.g. activity.meeting_start - duration(\"24h\")"),
		opt("offset", &Value{Kind: KDuration, Signed: true}, "with until: add or subtract (-1h)"),
		opt("time", clock(), "the next time of day, 09:00"),
		opt("timezone", zone(), "with time: whose clock (IANA zone, owner, record); default owner"),
		opt("days", listOf(enum("mon", "tue", "wed", "thu", "fri", "sat", "sun")), "with time: only on these weekdays"),
		opt("business_hours", integer(), "working hours on a calendar"),
		opt("business_days", integer(), "working days on a calendar, same time of day"),
		opt("calendar", ref("calendar"), "with business_hours/business_days: the calendar"),
	}}

var waitSpec = &Spec{Name: "wait_for", Doc: "Wait for an event or a condition, at most `timeout`; then `on_timeout` runs.",
	Example:   "wait_for: { event: activity.created, when: event.activity.type == \"meeting_held\", timeout: 3h }",
	Exclusive: []string{"event", "condition"}, OneRequired: true,
	Fields: []Field{
		opt("event", enum(waitEvents()...), "an event about the run's record, as in a trigger (not date, schedule or manual)"),
		opt("name", str(), "with event: event — only the custom event of this name"),
		opt("when", expression("bool"), "with event: a filter; `event` is the awaited event (elsewhere it is the triggering one)"),
		opt("condition", expression("bool"), "wait until this is true of the record"),
		req("timeout", dur(), "give up after this long"),
	}}

var escalateSpec = &Spec{Name: "sla.escalate", Doc: "One rung of the escalation ladder, `after` the due time.",
	Exclusive: []string{"notify", "reassign", "move_to_pool"}, OneRequired: true,
	Fields: []Field{
		req("after", dur(), "time after the due time (on the SLA calendar)"),
		opt("notify", expression("user"), "tell this user (e.g. lead.owner.manager)"),
		opt("reassign", object(&Spec{Name: "reassign", Fields: []Field{req("routing", ref("routing"), "the ruleset that picks the new owner")}}), "give the task to someone else"),
		opt("move_to_pool", object(&Spec{Name: "move_to_pool", Fields: []Field{req("team", ref("team"), "the team whose pool takes it")}}), "put it in a team's pool"),
	}}

var slaSpec = &Spec{Name: "sla", Doc: "A service level on a task: reminders before the due time, escalations after.",
	Fields: []Field{
		opt("calendar", ref("calendar"), "measure on this business calendar"),
		opt("remind_before", dur(), "remind the owner this long before the due time"),
		opt("escalate", listOf(object(escalateSpec)), "the ladder"),
	}}

var taskSpec = &Spec{Name: "task", Doc: "A human step: a task for a rep; the run waits for it and branches on its outcome.",
	Example: "task:\n  type: call\n  owner: lead.owner\n  title: \"Call {{ lead.first_name }}\"\n  why: \"Demo request; first touch within 15 minutes.\"\n  due: 15m\n  outcomes: [connected, voicemail]",
	Fields: []Field{
		req("type", enum(records.TaskTypes...), "what kind of task"),
		req("owner", expression("user"), "who does it"),
		req("title", template(), "what to do"),
		opt("why", template(), "the reason, shown to the rep"),
		opt("due", oneOf(dur(), expression("timestamp")), "a duration from now, or a moment"),
		opt("priority", enum(records.TaskPriorities...), "default normal"),
		opt("outcomes", listOf(str()), "the outcomes the rep picks from; steps.<id>.outcome holds the choice"),
		opt("sla", object(slaSpec), "reminders and escalations"),
		opt("record", expression("record"), "the record the task is about (default: the run's record)"),
	}}

var handoffSpec = &Spec{Name: "handoff", Doc: "Give a record to another person with context and an acceptance task.",
	Fields: []Field{
		opt("record", expression("record"), "the record handed off (default: the run's)"),
		req("to", object(&Spec{Name: "handoff.to", Exclusive: []string{"user", "routing", "team"}, OneRequired: true, Fields: []Field{
			opt("user", expression("user"), "a person"), opt("routing", ref("routing"), "a routing ruleset"), opt("team", ref("team"), "a team's pool")}}), "the receiver"),
		req("note", template(), "the handoff note"),
		opt("accept_within", oneOf(dur(), object(&Spec{Name: "accept_within", Fields: []Field{
			req("business_hours", integer(), "working hours"), opt("calendar", ref("calendar"), "on this calendar")}})), "the acceptance SLA"),
		opt("on_reject_or_expiry", object(&Spec{Name: "on_reject_or_expiry", Fields: []Field{
			opt("reassign", object(&Spec{Name: "reassign", Fields: []Field{req("routing", ref("routing"), "")}}), "route again"),
			opt("notify", expression("user"), "tell this person")}}), "what happens when the receiver rejects or lets it expire"),
		opt("cascade", listOf(enum("contact", "account", "deal")), "related records whose owner changes too"),
	}}

var splitBranch = &Spec{Name: "split.branch", Fields: []Field{
	req("name", str(), "the branch's name; steps.<id>.branch"),
	req("percent", integer(), "share of records; all branches add up to 100"),
	req("steps", steps(), "the branch's steps"),
}}

var elseIf = &Spec{Name: "else_if", Fields: []Field{req("if", expression("bool"), ""), req("then", steps(), "")}}

// StepSpecs describe each step kind; the kind key is the step's first field.
var StepSpecs = map[string]*Spec{
	"action": {Name: "action", Doc: "Do something: set fields, send, notify, enrich, score, assign …", Example: "- action: set\n  with: { status: working }",
		Fields: []Field{req("action", enum(actionNames()...), "the action"), idField, opt("with", &Value{Kind: KObject}, "the action's parameters")}},
	"if": {Name: "if", Doc: "Branch on conditions, in order; the first true one runs.",
		Example: "- if: lead.score >= 60\n  then: [{ action: set, with: { status: working } }]\n  else_if: [{ if: lead.score >= 30, then: [{ stop: lukewarm }] }]\n  else: [{ stop: cold }]",
		Fields:  []Field{req("if", expression("bool"), "the condition"), idField, req("then", steps(), ""), opt("else_if", listOf(object(elseIf)), ""), opt("else", steps(), "")}},
	"switch": {Name: "switch", Doc: "Run the case whose key equals the value; `default` otherwise.",
		Example: "- switch: steps.first-call.outcome\n  cases:\n    connected: [{ action: set, with: { status: working } }]\n  default: [{ stop: no-connect }]",
		Fields:  []Field{req("switch", expression("scalar"), "the value: text, a number or true/false"), idField, req("cases", mapOf(steps()), ""), opt("default", steps(), "")}},
	"split": {Name: "split", Doc: "A/B split by percentage, stable per record (the same record always takes the same branch).",
		Example: "- split:\n    - { name: a, percent: 50, steps: [{ action: send_email, with: { to: lead, template: intro-a } }] }\n    - { name: b, percent: 50, steps: [{ action: send_email, with: { to: lead, template: intro-b } }] }",
		Fields:  []Field{req("split", listOf(object(splitBranch)), "the branches"), idField}},
	"delay":    {Name: "delay", Doc: delaySpec.Doc, Example: "- " + delaySpec.Example, Fields: []Field{req("delay", object(delaySpec), ""), idField}},
	"wait_for": {Name: "wait_for", Doc: waitSpec.Doc, Example: "- id: held\n  " + waitSpec.Example + "\n  on_timeout: [{ stop: no-outcome }]", Fields: []Field{req("wait_for", object(waitSpec), ""), idField, opt("on_timeout", steps(), "")}},
	"task": {Name: "task", Doc: taskSpec.Doc, Example: "- id: first-call\n  task: { type: call, owner: lead.owner, title: \"Call {{ lead.first_name }}\", due: 15m }",
		Fields: []Field{req("task", object(taskSpec), ""), idField, opt("on_skip", steps(), "runs when the rep skips the task"), opt("on_decline", steps(), "runs when the rep declines it")}},
	"handoff": {Name: "handoff", Doc: handoffSpec.Doc, Example: "- handoff: { to: { routing: ae-by-territory }, note: \"Qualified by {{ lead.owner.name }}\", accept_within: 4h }",
		Fields: []Field{req("handoff", object(handoffSpec), ""), idField}},
	"enroll": {Name: "enroll", Doc: "Start another workflow for a record.", Example: "- enroll: { workflow: nurture }",
		Fields: []Field{req("enroll", object(&Spec{Name: "enroll", Fields: []Field{req("workflow", ref("workflow"), ""), opt("record", expression("record"), "default: the run's record")}}), ""), idField}},
	"unenroll": {Name: "unenroll", Doc: "Stop the record's run of another workflow.", Example: "- unenroll: { workflow: nurture }",
		Fields: []Field{req("unenroll", object(&Spec{Name: "unenroll", Fields: []Field{req("workflow", ref("workflow"), "")}}), ""), idField}},
	"stop": {Name: "stop", Doc: "End the run here, with a reason.", Example: "- stop: not a fit", Fields: []Field{req("stop", str(), "the reason, kept in the run's history"), idField}},
}
