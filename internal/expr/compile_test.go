package expr

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// fullScope has every kind of variable: the object, an event, steps with hyphenated ids, an extra.
func fullScope() Scope {
	return Scope{
		Object: "lead",
		Event:  &EventScope{Type: "activity.created", Fields: map[string]Type{"activity": Object("activity")}},
		Steps: map[string]map[string]Type{
			"first-call": {"outcome": String(), "attempts": Number()},
			"handoff":    {"owner": Object("user")},
		},
		Extra: map[string]Type{"threshold": Number()},
	}
}

func TestCompileReportsTypeErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want []string
	}{
		{`lead.score >= "high"`, []string{"1:12: cannot compare number >= string"}},
		{`lead.status == 3`, []string{"1:13: cannot compare string == int"}},
		{`lead.owner.manager.email.size() > "x"`, []string{"1:33: cannot compare int > string"}},
		{`lead.cf_budget > "x"`, []string{"1:16: cannot compare number > string"}},                     // custom number field
		{`lead.cf_tier == 1`, []string{"1:14: cannot compare string == int"}},                          // custom enum field
		{`lead.cf_vip && lead.cf_qualified_on`, []string{"1:20: expected a bool here, not timestamp"}}, // custom bool and date
		{`lead.first_name + 1 == "x"`, []string{"1:17: cannot apply + to string and int"}},
		{`lead.country in [1, 2]`, []string{"1:14: cannot look for a string in list(int)"}},
		{`!lead.email`, []string{"1:1: cannot apply ! to string"}},
		{`lead.score == size(lead.email)`, []string{"1:12: cannot compare number == int"}},
		{`lead.created_at > 3`, []string{"1:17: cannot compare timestamp > int"}},
		{`lead.created_at > "2026-01-01"`, []string{`1:17: cannot compare timestamp > string (write a time as date("2026-01-31") or timestamp("2026-01-31T09:00:00Z"))`}},
		{`now() - lead.created_at > "3d"`, []string{`1:25: cannot compare duration > string (write a duration as dur("3d") or days(3))`}},
		{`lead.email.startsWith(1)`, []string{"1:22: cannot call startsWith on string with (int)"}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			p, iss := env.Compile(tc.src, leadScope(), Bool())
			require.Nil(t, p)
			require.Equal(t, tc.want, messages(iss))
		})
	}
}

func TestCompileUnknownNamesSuggest(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want []string
	}{
		{`lead.scroe > 1`, []string{"1:6: unknown field scroe of lead (did you mean score?)"}},
		{`lead.frist_name == "Ann"`, []string{"1:6: unknown field frist_name of lead (did you mean first_name?)"}},
		{`lead.cf_budgte > 1`, []string{"1:6: unknown field cf_budgte of lead (did you mean cf_budget?)"}},
		{`lead.owner.manager.emial == ""`, []string{"1:20: unknown field emial of user (did you mean email?)"}},
		{`lead.owenr == null`, []string{"1:6: unknown field owenr of lead (did you mean owner?)"}},
		{`lead.xyzzy == 1`, []string{"1:6: unknown field xyzzy of lead"}},
		{`laed.score > 1`, []string{"1:1: unknown variable laed (did you mean lead?)"}},
		{`account.name > 1`, []string{"1:1: unknown variable account"}},
		{`activity.contact.first_name == "x"`, []string{"1:1: unknown variable activity"}},
		{`is_fre_mail(lead.email)`, []string{"1:1: unknown function is_fre_mail (did you mean is_free_mail?)"}},
		{`lead.email.lowerAsci() == ""`, []string{"1:12: unknown function lowerAsci (did you mean lowerAscii?)"}},
		{`steps.first-call.outcom == "x"`, []string{"1:18: unknown output outcom of step first-call (did you mean outcome?)"}},
		{`steps.nosuch.outcome == "x"`, []string{"1:7: unknown step nosuch (earlier steps: first-call, handoff)"}},
		{`steps.frist-call.outcome == "x"`, []string{"1:7: unknown step frist-call (did you mean first-call?)"}},
		{`event.activty.type == "x"`, []string{"1:7: unknown field activty of event activity.created (did you mean activity?)"}},
		{`event.activity.tpye == "x"`, []string{"1:16: unknown field tpye of activity (did you mean type?)"}},
		{`threshhold > 1`, []string{"1:1: unknown variable threshhold (did you mean threshold?)"}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			p, iss := env.Compile(tc.src, fullScope(), Bool())
			require.Nil(t, p)
			require.Equal(t, tc.want, messages(iss))
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want Type
	}{
		{`lead.employees >= 200`, Bool()},
		{`lead.score == 3`, Bool()},
		{`3 != lead.score`, Bool()},
		{`lead.score + 10 > 50`, Bool()},
		{`lead.score * 2 + 1 - lead.cf_budget / 4 > 0`, Bool()},
		{`lead.score in [10, 20, 42]`, Bool()},
		{`lead.cf_vip ? lead.score : 0`, Number()},
		{`lead.matched_account != null && lead.matched_account.owner.active`, Bool()},
		{`lead.owner == null`, Bool()},
		{`lead.email != null && lead.email.endsWith("@acme.com")`, Bool()},
		{`has(lead.email)`, Bool()},
		{`lead.?industry.orValue("unknown")`, String()},
		{`lead.owner.manager.email`, String()},
		{`lead.owner.team.manager.name`, String()},
		{`lead.cf_qualified_on - days(3)`, Timestamp()},
		{`lead.cf_budget >= 1000.5`, Bool()},
		{`steps.first-call.outcome == "connected" && steps.handoff.owner.name != ""`, Bool()},
		{"steps.`first-call`.attempts > 1", Bool()},
		{`event.activity.type == "meeting_booked" && event.activity.meeting_start > now()`, Bool()},
		{`threshold < lead.score`, Bool()},
		{`lead.score`, Number()},
		{`size(lead.first_name)`, Number()}, // an int is a number where one is wanted
		{`lead.first_name`, Any()},
		{`[lead.first_name, lead.last_name]`, List(String())},
		{`lead.owner`, Object("user")},
		{`lead.created_at`, Timestamp()},
		{`dur("1d")`, Duration()},
		{`// a comment
		  lead.score > 1`, Bool()},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			p := mustCompile(t, env, tc.src, fullScope(), tc.want)
			require.True(t, tc.want.accepts(p.Type()), "type %s", p.Type())
		})
	}
}

func TestCompileRelations(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, r := range Relations() {
		t.Run(r.From+"."+r.Name, func(t *testing.T) {
			p := mustCompile(t, env, r.From+"."+r.Name+".id", Scope{Object: r.From}, String())
			require.Equal(t, []string{r.From + "." + r.Name + ".id"}, p.Reads())
		})
	}
	mustCompile(t, env, `activity.contact.first_name == "Ann"`, Scope{Object: "activity"}, Bool())
	_, iss := env.Compile(`activity.contact.frist_name == "Ann"`, Scope{Object: "activity"}, Bool())
	require.Equal(t, []string{"1:18: unknown field frist_name of contact (did you mean first_name?)"}, messages(iss))
}

func TestCompileWantType(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want Type
		msg  string
	}{
		{`lead.first_name`, Bool(), "1:1: condition must be a bool, not string"},
		{`lead.score`, Bool(), "1:1: condition must be a bool, not number"},
		{`lead.score > 1`, String(), "1:1: expression must be a string, not bool"},
		{`lead.first_name`, Number(), "1:1: expression must be a number, not string"},
		{`lead.owner`, Object("account"), "1:1: expression must be an account, not user"},
		{`lead.matched_account`, Object("user"), "1:1: expression must be a user, not account"},
		{`[1]`, List(String()), "1:1: expression must be a list(string), not list(int)"},
		{`null`, Bool(), "1:1: condition must be a bool, not null"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, iss := env.Compile(tc.src, leadScope(), tc.want)
			require.Equal(t, []string{tc.msg}, messages(iss))
		})
	}
}

func TestCompileReportsEveryIssueAtItsPosition(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	src := "lead.score >= \"high\" &&\n" +
		"  lead.frist_name == \"Ann\" &&\n" +
		"    steps.first-call.outcom == \"x\" &&\n" +
		"  \"é\" == lead.emial"
	_, iss := env.Compile(src, fullScope(), Bool())
	require.Equal(t, []string{
		"1:12: cannot compare number >= string",
		"2:8: unknown field frist_name of lead (did you mean first_name?)",
		"3:22: unknown output outcom of step first-call (did you mean outcome?)",
		"4:15: unknown field emial of lead (did you mean email?)",
	}, messages(iss))
}

func TestCompileSyntaxErrors(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want []string
	}{
		{`lead.score >= 1 &&`, []string{"1:19: syntax error: unexpected end of expression"}},
		{`1 +* 2`, []string{"1:4: syntax error: unexpected '*'"}},
		{"lead.score > 1 &&\n  lead.status = \"new\"", []string{"2:15: syntax error: unexpected character '='"}},
		{`"unterminated`, []string{"1:1: syntax error: unterminated string"}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, iss := env.Compile(tc.src, leadScope(), Bool())
			require.NotEmpty(t, iss)
			require.Equal(t, tc.want, messages(iss)[:len(tc.want)])
		})
	}
}

func TestCompileChecksLiterals(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want string
	}{
		{`lead.title.matches("(?i)vp|(")`, "1:20: invalid regular expression \"(?i)vp|(\": missing closing ): `(?i)vp|(`"},
		{`find(lead.title, "[") != ""`, "1:18: invalid regular expression \"[\": missing closing ]: `[`"},
		{`now() - lead.created_at > duration("3d")`, "1:36: invalid duration \"3d\": CEL's duration() takes h, m, s, ms, us and ns; dur(\"3d\") also takes d and w"},
		{`lead.created_at > timestamp("2026-13-01")`, "1:29: invalid timestamp \"2026-13-01\" (RFC 3339, like 2026-01-31T09:00:00Z)"},
		{`now() - lead.created_at > dur("3 days")`, "1:31: \"3 days\" is not a duration (like 90s, 15m, 4h, 2d, 1w or 1h30m)"},
		{`lead.created_at > date("2026-02-30")`, "1:24: invalid date \"2026-02-30\" (YYYY-MM-DD)"},
		{`at_local(now(), "9:00", "UTC") > now()`, "1:17: \"9:00\" is not a time of day (HH:MM, like 09:00)"},
		{`at_local(now(), "09:00", "Europe/Berln") > now()`, "1:26: unknown time zone \"Europe/Berln\""},
		{`local_date(now(), "Mars/Olympus") == ""`, "1:19: unknown time zone \"Mars/Olympus\""},
		{`now().getHours("Nowhere/City") > 9`, "1:16: unknown time zone \"Nowhere/City\""},
		{`add_business_days(now(), 1, "suport") > now()`, "1:29: unknown business calendar \"suport\": no calendar \"suport\""},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, iss := env.Compile(tc.src, leadScope(), Bool())
			require.Equal(t, []string{tc.want}, messages(iss))
		})
	}
	// Fixed offsets and names chosen at run time are left to run time.
	mustCompile(t, env, `now().getHours("+02:00") > 9 && local_hour(now(), lead.timezone) > 9`, leadScope(), Bool())
}

func TestCompileChecksEnumConstants(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	activity := Scope{Object: "activity"}
	leadStatuses := "(one of new, working, nurturing, qualified, disqualified, converted)"
	tests := []struct {
		name string
		src  string
		sc   Scope
		want []string
	}{
		{"==", `activity.type == "meeting_bookd"`, activity,
			[]string{`1:18: "meeting_bookd" is not a value of activity.type (did you mean meeting_booked?)`}},
		{"!=", `lead.status != "lost"`, leadScope(), []string{`1:16: "lost" is not a value of lead.status ` + leadStatuses}},
		{"reversed", `"qualifed" == lead.status`, leadScope(), []string{`1:1: "qualifed" is not a value of lead.status (did you mean qualified?)`}},
		{"case differs", `lead.status == "Qualified"`, leadScope(), []string{`1:16: "Qualified" is not a value of lead.status (did you mean qualified?)`}},
		{"case differs a lot", `lead.status == "QUALIFIED"`, leadScope(), []string{`1:16: "QUALIFIED" is not a value of lead.status (did you mean qualified?)`}},
		{"in", `lead.status in ["new", "wroking", lead.owner.name, "x"]`, leadScope(), []string{
			`1:24: "wroking" is not a value of lead.status (did you mean working?)`,
			`1:52: "x" is not a value of lead.status ` + leadStatuses,
		}},
		{"custom enum", `lead.cf_tier == "c"`, leadScope(), []string{`1:17: "c" is not a value of lead.cf_tier (did you mean a?)`}},
		{"custom enum, nothing close", `lead.cf_tier == "gold"`, leadScope(), []string{`1:17: "gold" is not a value of lead.cf_tier (one of a, b)`}},
		{"relation path", `lead.owner.role == "admn"`, leadScope(), []string{`1:20: "admn" is not a value of user.role (did you mean admin?)`}},
		{"two relations", `lead.owner.manager.role != "boss"`, leadScope(), []string{`1:28: "boss" is not a value of user.role (one of admin, manager, rep)`}},
		{"event record", `event.activity.type == "nte"`, fullScope(), []string{`1:24: "nte" is not a value of activity.type (did you mean note?)`}},
		{"extra variable", `record.status == "neww"`, Scope{Extra: map[string]Type{"record": Object("lead")}},
			[]string{`1:18: "neww" is not a value of lead.status (did you mean new?)`}},
		// The hyphenated step id is rewritten with backticks before the constant; positions are in the source as written.
		{"after a step rewrite", `steps.first-call.outcome == "x" &&` + "\n" + `  lead.status == "Working"`, fullScope(),
			[]string{`2:18: "Working" is not a value of lead.status (did you mean working?)`}},
		{"after a step rewrite, same line", `steps.first-call.outcome == "x" && lead.status == "nw"`, fullScope(),
			[]string{`1:51: "nw" is not a value of lead.status (did you mean new?)`}},
		{"inside a comprehension", `[lead.owner].exists(u, u.role == "sales")`, leadScope(),
			[]string{`1:34: "sales" is not a value of user.role (one of admin, manager, rep)`}},
		{"with other literal issues", `lead.status == "nw" && find(lead.title, "[") != ""`, leadScope(), []string{
			`1:16: "nw" is not a value of lead.status (did you mean new?)`,
			"1:41: invalid regular expression \"[\": missing closing ]: `[`",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, iss := env.Compile(tc.src, tc.sc, Bool())
			require.Nil(t, p)
			require.Equal(t, tc.want, messages(iss))
		})
	}
	// Options, other string fields, non-constants and tests for null are left alone.
	for _, src := range []string{
		`lead.status == "qualified" && "new" != lead.status && lead.status in ["new", "working"]`,
		`lead.cf_tier == "a" && lead.owner.role in ["admin"] && lead.owner.manager.role != "rep"`,
		`lead.status == lead.first_name && lead.status != null && has(lead.status)`,
		`lead.email == "x" && lead.country in ["zz"] && steps.first-call.outcome == "nope"`,
		`lead.status in [lead.first_name] && lead.status.startsWith("qual")`,
	} {
		mustCompile(t, env, src, fullScope(), Bool())
	}
}

func TestCompileScopeProblems(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	_, iss := env.Compile(`true`, Scope{Object: "lead", Extra: map[string]Type{"lead": Number()}}, Bool())
	require.Equal(t, []string{"1:1: variable lead is declared twice in this scope"}, messages(iss))
	_, iss = env.Compile(`true`, Scope{Object: "widget"}, Bool())
	require.Equal(t, []string{"1:1: variable widget: unknown object widget"}, messages(iss))
	_, iss = env.Compile(`x > 1`, Scope{}, Bool())
	require.Equal(t, []string{"1:1: unknown variable x (no variables are available here)"}, messages(iss))
	_, iss = env.Compile(`steps.a.b == 1`, Scope{Object: "lead", Steps: map[string]map[string]Type{}}, Bool())
	require.Equal(t, []string{"1:7: unknown step a (no earlier step has an id)"}, messages(iss))
}

func TestReads(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	tests := []struct {
		src  string
		want []string
	}{
		{`lead.status == "new"`, []string{"lead.status"}},
		{`lead.owner.email == "" || lead.owner.email == "x"`, []string{"lead.owner.email"}},
		{`lead.matched_account != null && lead.matched_account.owner.active`, []string{"lead.matched_account", "lead.matched_account.owner.active"}},
		{`has(lead.email) && lead.?industry.orValue("") == ""`, []string{"lead.email", "lead.industry"}},
		{`steps.first-call.outcome == "x" && event.activity.type == "note" && threshold > 1`,
			[]string{"event.activity.type", "steps.first-call.outcome", "threshold"}},
		{`["a"].exists(x, x == lead.country)`, []string{"lead.country"}},
		{`now() > timestamp("2026-01-01T00:00:00Z")`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			p := mustCompile(t, env, tc.src, fullScope(), Bool())
			require.Equal(t, tc.want, p.Reads())
		})
	}
}

func TestCalendars(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, func(o *Options) { o.Calendars = nil }) // lint time: names are not checked
	p := mustCompile(t, env, `add_business_hours(now(), 4, "support") < add_business_days(now(), 1, "emea") &&
		business_hours_between(lead.created_at, now(), lead.owner.timezone) > 1.0`, leadScope(), Bool())
	require.Equal(t, []string{"emea", "support"}, p.Calendars())
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		candidates []string
		want       string
	}{
		{"scroe", []string{"score", "status"}, " (did you mean score?)"},
		{"frist_name", []string{"first_name", "last_name"}, " (did you mean first_name?)"},
		{"sco", []string{"score"}, ""}, // two edits on a short name is not a typo
		{"score", []string{"score"}, ""},
		{"zzz", nil, ""},
		{"emial", []string{"email", "mail"}, " (did you mean email?)"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, suggest(tc.name, tc.candidates), tc.name)
	}
	require.Equal(t, 1, editDistance("scroe", "score"))
	require.Equal(t, 3, editDistance("kitten", "sitting"))
	require.Equal(t, 5, editDistance("", "héllo"))
}
