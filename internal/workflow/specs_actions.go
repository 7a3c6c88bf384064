package workflow

import (
	"sort"

	"github.com/salesflow/salesflow/internal/records"
)

// ActionSpecs describe each action's `with` parameters.
var ActionSpecs = map[string]*Spec{
	"set": {Name: "set", Doc: "Set fields of the run's record: `with` maps each field to its new value, a literal (checked against the field's type: an enum's options, a number, a date …) or a {{ template }}. Read-only fields (id, timestamps, derived values) cannot be set.",
		Example: "- action: set\n  with: { status: working, title: \"{{ lead.title }}\" }",
		Fields:  []Field{}},
	"clear": {Name: "clear", Doc: "Empty fields of the run's record.", Example: "- action: clear\n  with: { fields: [owner_id] }",
		Fields: []Field{req("fields", &Value{Kind: KFieldList}, "the fields")}},
	"create_record": {Name: "create_record", Doc: "Create a related record.",
		Example: "- action: create_record\n  with: { object: deal, fields: { name: \"{{ lead.company }} — new business\", amount: \"25000\" } }",
		Fields:  []Field{req("object", enum("contact", "account", "deal", "activity"), ""), req("fields", &Value{Kind: KObject}, "its fields: literals or templates, checked against that object's fields")}},
	"convert_lead": {Name: "convert_lead", Objects: []string{"lead"}, Doc: "Convert the lead: match or create the account and the contact, create a deal. Outputs contact, account, deal.",
		Example: "- id: convert\n  action: convert_lead\n  with: { pipeline: New business, stage: Discovery }",
		Fields: []Field{opt("pipeline", ref("pipeline"), "the deal's pipeline (default: the default pipeline)"), opt("stage", str(), "its stage (default: the first)"),
			opt("deal_name", template(), "default: \"{{ lead.company }}\""), opt("create_deal", boolean(), "default true")}},
	"log_activity": {Name: "log_activity", Doc: "Log an activity or a note on the record.",
		Example: "- action: log_activity\n  with: { type: note, subject: \"Scored {{ lead.score }}\" }",
		Fields:  []Field{req("type", enum(records.ActivityTypes...), ""), opt("subject", template(), ""), opt("body", template(), "")}},
	"send_email": {Name: "send_email", Doc: "Email the lead or contact from a template, through the contact policy.",
		Example: "- action: send_email\n  with: { to: lead, template: missed-you, from: lead.owner }",
		Fields:  []Field{req("to", expression("lead|contact"), "a lead or contact"), req("template", ref("template"), ""), opt("from", expression("user"), "default: the record's owner")}},
	"notify": {Name: "notify", Doc: "Tell a person by email, or a channel by a Slack-compatible incoming webhook.",
		Example: "- action: notify\n  with: { channel: email, to: lead.owner, text: \"New lead {{ lead.email }}\" }",
		Fields: []Field{req("channel", enum("email", "slack"), ""),
			req("to", str(), "email: an expression for a user (lead.owner); slack: a channel name (#sales) configured with a webhook URL"),
			req("text", template(), "")}},
	"webhook": {Name: "webhook", Doc: "Call an outside system: a signed JSON POST with an idempotency key, retried with backoff.",
		Example: "- action: webhook\n  with: { url: \"https://hooks.example.com/lead\", body: \"{\\\"id\\\": \\\"{{ lead.id }}\\\"}\" }",
		Fields: []Field{req("url", template(), ""), opt("method", enum("POST", "PUT", "PATCH"), "default POST"), opt("body", template(), "JSON text"),
			opt("headers", mapOf(template()), ""), opt("secret_env", str(), "the environment variable holding the HMAC key")}},
	"enrich": {Name: "enrich", Objects: []string{"lead"}, Doc: "Fill company fields from the enrichment providers; values a person typed are kept unless overwrite is set.",
		Example: "- action: enrich", Fields: []Field{opt("providers", listOf(enum("directory", "free_mail", "http")), "default: all, in this order"), opt("overwrite", boolean(), "")}},
	"score":         {Name: "score", Objects: []string{"lead"}, Doc: "Score the lead with a model.", Example: "- action: score\n  with: { model: inbound-fit }", Fields: []Field{req("model", ref("scoring"), "")}},
	"assign":        {Name: "assign", Doc: "Give the record an owner: through a routing ruleset (with a \"why this rep\" trace) or to a user.", Example: "- action: assign\n  with: { routing: inbound-sales }", Exclusive: []string{"routing", "user"}, OneRequired: true, Fields: []Field{opt("routing", ref("routing"), ""), opt("user", expression("user"), "")}},
	"match_account": {Name: "match_account", Objects: []string{"lead"}, Doc: "Match the lead to an account by domain, website and company name; stores the match and its confidence.", Example: "- action: match_account", Fields: []Field{opt("min_confidence", number(), "0–1, default 0.8")}},
}

func actionNames() []string {
	names := make([]string, 0, len(ActionSpecs))
	for n := range ActionSpecs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// stepOutputs are what later steps read as steps.<id>.<output>.
func stepOutputs(kind, action string) map[string]string {
	switch kind {
	case "task":
		return map[string]string{"outcome": "string", "status": "string", "owner": "user", "completed_at": "timestamp", "reason": "string"}
	case "wait_for":
		return map[string]string{"event": "any", "timed_out": "bool"}
	case "split":
		return map[string]string{"branch": "string"}
	case "handoff":
		return map[string]string{"owner": "user", "accepted": "bool", "record": "any", "reason": "string"}
	case "action":
		switch action {
		case "convert_lead":
			return map[string]string{"contact": "contact", "account": "account", "deal": "deal"}
		case "assign":
			return map[string]string{"owner": "user", "rule": "string"}
		case "score":
			return map[string]string{"score": "number", "grade": "string"}
		case "webhook":
			return map[string]string{"status": "number", "body": "any"}
		case "create_record":
			return map[string]string{"record": "any"}
		case "match_account":
			return map[string]string{"account": "account", "confidence": "number"}
		}
	}
	return map[string]string{}
}
