package workflow

// Kinds are the document kinds, each with its spec.
var Kinds = map[string]*Spec{
	"workflow": WorkflowSpec,
	"routing": {Name: "routing", Doc: "A routing ruleset: ordered rules, the first match wins, each naming an owner or a pool.",
		Example: "kind: routing\nname: inbound-sales\nrules:\n  - name: enterprise\n    when: lead.employees >= 1000\n    pool: { team: Account Executives, method: round_robin }\nfallback: { queue: unassigned-inbound }",
		Fields: []Field{req("kind", enum("routing"), ""), req("name", str(), ""), opt("description", str(), ""),
			opt("object", enum("lead", "contact", "account", "deal"), "what it routes; default lead"),
			req("rules", listOf(object(routingRule)), "in order; the first whose `when` holds decides"),
			opt("pool_rules", object(poolRules), "how pools pick a person"),
			opt("fallback", object(&Spec{Name: "fallback", Fields: []Field{req("queue", str(), "the queue unassigned records wait in"), opt("notify", email(), "told when a record falls back")}}), "when no rule or nobody in the pool can take it")}},
	"scoring": {Name: "scoring", Doc: "A scoring model: fit rules on fields, engagement rules on activities with time decay, grades and thresholds.",
		Example: "kind: scoring\nname: inbound-fit\nfit:\n  - { when: lead.employees >= 200, points: 15 }\ngrades: { A: 70, B: 50, C: 30 }\nthresholds: [{ name: mql, at: 60 }]",
		Fields: []Field{req("kind", enum("scoring"), ""), req("name", str(), ""), opt("description", str(), ""),
			opt("fit", listOf(object(&Spec{Name: "fit", Fields: []Field{req("when", expression("bool"), "on the lead"), req("points", integer(), "may be negative"), opt("group", str(), "for caps")}})), ""),
			opt("engagement", object(&Spec{Name: "engagement", Fields: []Field{opt("half_life", dur(), "points halve after this long"),
				req("rules", listOf(object(&Spec{Name: "engagement.rule", Fields: []Field{req("on", expression("bool"), "on each `activity` of the lead"), req("points", integer(), ""), opt("max", integer(), "cap for this rule"), opt("group", str(), "")}})), "")}}), ""),
			opt("caps", mapOf(integer()), "maximum points per group"),
			opt("grades", mapOf(integer()), "grade → minimum score, e.g. { A: 70, B: 50 }"),
			opt("thresholds", listOf(object(&Spec{Name: "threshold", Fields: []Field{req("name", str(), ""), req("at", integer(), "the score; rising through it emits lead.score_crossed")}})), "")}},
	"policy": {Name: "policy", Doc: "A contact policy: frequency caps, quiet hours and budgets that every outbound action passes through.",
		Example: "kind: policy\nname: default\ncontact:\n  max_emails: { per_contact: 2, per: 1d }\nquiet_hours: { from: \"19:00\", to: \"08:00\", timezone: recipient }\non_blocked: defer",
		Fields: []Field{req("kind", enum("policy"), ""), req("name", str(), ""), opt("description", str(), ""),
			opt("applies_to", oneOf(enum("all_workflows"), listOf(ref("workflow"))), "all_workflows, or a list of workflows"),
			opt("contact", object(&Spec{Name: "contact", Fields: []Field{
				opt("max_emails", object(capSpec("per_contact")), "emails per contact"),
				opt("max_touches", object(capSpec("per_contact")), "touches (emails, tasks, calls) per contact"),
				opt("max_per_account", object(capSpec("touches")), "touches per account")}}), "frequency caps"),
			opt("quiet_hours", object(&Spec{Name: "quiet_hours", Fields: []Field{req("from", clock(), ""), req("to", clock(), ""), opt("timezone", zone(), "default recipient")}}), "no outbound touches in this window"),
			opt("calendar", ref("calendar"), "holidays on which nothing goes out"),
			opt("automation_budget", object(&Spec{Name: "automation_budget", Fields: []Field{req("per_rep_daily", integer(), "automated tasks and notifications per rep per day")}}), ""),
			opt("on_blocked", enum("defer", "skip"), "defer to the next allowed time (default) or skip; both are logged")}},
	"calendar": {Name: "calendar", Doc: "A business calendar: working hours in a time zone and holidays.",
		Example: "kind: calendar\nname: sales-hours\ntimezone: owner\nhours: { mon-fri: \"09:00-17:30\" }\nholidays: [2026-12-25]",
		Fields: []Field{req("kind", enum("calendar"), ""), req("name", str(), ""), opt("description", str(), ""),
			req("timezone", zone(), "an IANA zone, or owner / recipient: each person's own"),
			req("hours", mapOf(str()), "days (mon-fri, sat, mon,wed) → hours (09:00-17:30, or 09:00-12:00,13:00-17:30)"),
			opt("holidays", listOf(date()), "no working time on these dates")}},
	"template": {Name: "template", Doc: "An email template; {{ expressions }} over the object's record.",
		Example: "kind: template\nname: missed-you\nobject: lead\nsubject: \"Sorry we missed you, {{ lead.first_name }}\"\nbody: |\n  Hi {{ lead.first_name }}, …",
		Fields: []Field{req("kind", enum("template"), ""), req("name", str(), ""), opt("description", str(), ""),
			req("object", enum("lead", "contact"), "whose fields the text reads"), req("subject", template(), ""), req("body", template(), ""),
			opt("format", enum("text", "html"), "default text")}},
}

var routingRule = &Spec{Name: "routing.rule", Exclusive: []string{"assign", "pool"}, OneRequired: true, Fields: []Field{
	req("name", str(), "shown in the assignment trace"),
	opt("when", expression("bool"), "default: always"),
	opt("assign", expression("user"), "a person, e.g. lead.matched_account.owner"),
	opt("pool", object(&Spec{Name: "pool", Fields: []Field{
		req("team", ref("team"), "the team whose members take turns"),
		opt("method", enum("round_robin", "weighted", "least_loaded"), "default round_robin"),
		opt("weights", mapOf(integer()), "with weighted: member email → weight"),
		opt("load", enum("open_leads", "open_tasks"), "with least_loaded: what counts as load")}}), ""),
}}

var poolRules = &Spec{Name: "pool_rules", Fields: []Field{
	opt("respect_working_hours", boolean(), "skip people outside their working hours"),
	opt("after_hours", enum("assign", "queue"), "with respect_working_hours, when nobody in the pool is working: assign (default) lets the pool's method pick among those otherwise available, hours set aside; queue: the pool takes nobody, so the next rule (and then the fallback) decides"),
	opt("skip_out_of_office", boolean(), "skip people out of office"),
	opt("daily_cap", counted(), "at most this many assignments per person per day"),
	opt("on_return_from_absence", enum("resume_rotation"), "the rule pools follow, stated: a returning person resumes their place in the rotation, no catch-up flood (the only behaviour)"),
	opt("calendar", ref("calendar"), "the working-hours calendar (default: each person's working_hours)"),
}}

func capSpec(countKey string) *Spec {
	return &Spec{Name: "cap", Fields: []Field{req(countKey, integer(), "the most allowed"), req("per", dur(), "in this window")}}
}
