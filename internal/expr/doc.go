// Package expr is the typed CEL environment for workflow conditions and templated text (W3).
//
// An Env is built once per schema (built-in objects plus custom fields plus Relations); Compile
// type-checks an expression against a Scope (the workflow's object, the triggering event, earlier
// steps' outputs, extra variables) and the type the caller wants, and reports every problem with a
// line:col relative to the expression. The resulting Program is evaluated many times, concurrently,
// under a cost limit. CompileTemplate does the same for "text {{ expr }} text".
//
// # How records look to expressions
//
// Each object is a CEL struct type (salesflow.lead, salesflow.user, ...) declared by a type provider
// built from records.Catalog; the engine passes records as plain maps (records.Values or
// map[string]any) and field getters read them, so nothing is wrapped for CEL. Related records
// (lead.owner, user.manager; see Relations) are nested maps under the relation's name.
//
// Field types: string, text, email, phone, url, enum and ref are string; number is a double; bool is
// bool; datetime is a timestamp; json is dyn (anything; checked when it arrives).
//
// Enum fields are strings to the checker, so a string constant compared with one (==, !=, or in a
// list literal after in) must be one of its options, spelled exactly as stored:
// activity.type == "meeting_bookd" and lead.status == "Qualified" are compile errors with a
// suggestion, since they can never match.
//
// Dates (deal.close_date) are timestamps at midnight UTC, not "YYYY-MM-DD" strings, so that the
// date-relative arithmetic triggers need works directly: deal.close_date - days(3) and
// at_local(deal.close_date - days(3), "09:00", deal.owner.timezone). Compare them with date("2026-07-01")
// or format them with local_date(deal.close_date, "UTC"). A template renders one as an RFC 3339
// timestamp; use local_date for the plain date.
//
// Nulls: every field and relation may be absent. Primitive fields are declared nullable, so
// lead.email != null and lead.owner == null type-check, and an absent field is null at run time
// (a missing key and a nil value are the same). has(lead.email) is false for null, and
// lead.?email.orValue("") (CEL optional syntax) gives a default. Using a null in an operation is a
// run-time error (lead.score > 10 with no score), as is reading a field of a null relation
// (lead.owner.email with no owner) — guard with != null, has() or ?. and orValue; the helper
// functions that take text (is_free_mail, domain_of, find) treat null as "".
//
// Numbers: records hold float64. Comparisons across int and double are enabled
// (lead.employees >= 200), and an int literal that meets a double in ==, !=, in, + - * / or ?: is
// read as a double (lead.score == 3, lead.score + 10, lead.score in [1, 2]). A computed int, such as
// size(x), needs double(...) to mix with a number in arithmetic or equality.
//
// Step ids may contain '-' (steps.first-call.outcome): outside string literals the source is
// rewritten to CEL's escaped field syntax steps.`first-call`, keeping issue positions in the text as
// written. steps, each step and event are struct types too, so unknown steps, outputs and event fields
// are compile errors with suggestions.
//
// # Functions
//
// CEL's standard library (size, contains, startsWith, endsWith, matches (RE2), duration, timestamp,
// ts.getHours(tz), ..., has, all, exists, map, filter), cel-go's strings extension (lowerAscii,
// upperAscii, trim, replace, split, join, substring, indexOf, format, ...) and math extension
// (math.greatest, math.least, math.round, ...) are available; StandardFunctions lists the useful ones.
// Functions lists what Salesflow adds: now, date, days, hours, minutes, dur, at_local, local_date,
// local_hour, add_business_hours, add_business_days, business_hours_between, find, is_free_mail,
// domain_of. Literal arguments (regular expressions, durations, timestamps, dates, times of day,
// time zones, and calendar names when a CalendarResolver is configured) are checked at compile time.
// at_local is DST-correct: a wall time skipped when clocks go forward moves forward by the gap, one
// that happens twice when they go back is its first occurrence.
//
// # For the linter
//
// Issue positions are 1-based lines and columns counted in code points, relative to the compiled
// text (for a template, the whole template); add the position where the text starts in the file.
// Program.Reads lists the paths an expression reads ("lead.owner.email"), for dependency and cycle
// checks; reads through a comprehension variable ([lead.owner].exists(u, u.email == x)) are not
// attributed. Program.Calendars lists literal calendar names for reference checks.
// Schema.Resolve types a dotted field path for AND/OR field comparisons and set-field actions.
package expr
