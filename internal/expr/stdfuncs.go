package expr

// StandardFunctions documents the CEL functions and macros (standard library, strings and math
// extensions) that workflows are most likely to need. They come from cel-go; this list exists so that
// docs/workflows.md can show them beside Functions, and its examples are compiled by the tests.
func StandardFunctions() []FuncDoc {
	return []FuncDoc{
		{"has", "has(record.field) -> bool", "Whether a field is set (not null).", `has(lead.email)`},
		{"?.", "record.?field.orValue(default)", "A field's value, or a default when it is null.", `lead.?industry.orValue("unknown") != "unknown"`},
		{"size", "size(string|list|map) -> int", "The length of a text (in characters), list or map.", `size(lead.first_name) > 1`},
		{"contains", "string.contains(string) -> bool", "Whether the text contains the other.", `lead.company.contains("GmbH")`},
		{"startsWith", "string.startsWith(string) -> bool", "Whether the text starts with the other.", `lead.phone.startsWith("+49")`},
		{"endsWith", "string.endsWith(string) -> bool", "Whether the text ends with the other.", `lead.email.endsWith("@acme.com")`},
		{"matches", "string.matches(string) -> bool", "Whether the text matches a regular expression (RE2 syntax, unanchored; (?i) ignores case).", `lead.title.matches("(?i)\\b(vp|director)\\b")`},
		{"lowerAscii", "string.lowerAscii() -> string", "The text with A–Z lower-cased (other letters unchanged).", `lead.country.lowerAscii() == "de"`},
		{"upperAscii", "string.upperAscii() -> string", "The text with a–z upper-cased.", `lead.country.upperAscii() == "DE"`},
		{"trim", "string.trim() -> string", "The text without leading and trailing white space.", `lead.company.trim() != ""`},
		{"replace", "string.replace(string, string) -> string", "The text with every occurrence of the first string replaced by the second.", `lead.phone.replace(" ", "") != ""`},
		{"split", "string.split(string) -> list(string)", "The text cut at every occurrence of the separator.", `lead.email.split("@")[0] != ""`},
		{"join", "list(string).join(string) -> string", "The texts joined with a separator.", `[lead.first_name, lead.last_name].join(" ") != ""`},
		{"substring", "string.substring(int, int) -> string", "The characters from the first index up to (not including) the second.", `lead.country.substring(0, 1) == "D"`},
		{"indexOf", "string.indexOf(string) -> int", "The index of the first occurrence of the other text, or -1.", `lead.email.indexOf("@") > 0`},
		{"format", "string.format(list) -> string", "printf-style formatting: %s, %d, %f, %.2f, ...", `"%s (%d)".format([lead.company, 3]) != ""`},
		{"in", "value in list", "Whether the value is an element of the list (or a key of the map).", `lead.country in ["US", "CA", "GB", "DE"]`},
		{"exists", "list.exists(x, condition) -> bool", "Whether the condition holds for some element.", `["vp", "cto"].exists(t, lead.title.lowerAscii().contains(t))`},
		{"all", "list.all(x, condition) -> bool", "Whether the condition holds for every element.", `[lead.first_name, lead.last_name].all(n, n != "")`},
		{"filter", "list.filter(x, condition) -> list", "The elements for which the condition holds.", `size(["a", "b"].filter(x, x == "a")) == 1`},
		{"map", "list.map(x, expr) -> list", "Each element transformed.", `["a", "b"].map(x, x.upperAscii()) == ["A", "B"]`},
		{"duration", "duration(string) -> duration", "A duration in Go syntax: h, m, s, ms, us, ns (no days: use dur or days).", `now() - lead.created_at > duration("90m")`},
		{"timestamp", "timestamp(string) -> timestamp", "An RFC 3339 instant.", `lead.created_at > timestamp("2026-01-01T00:00:00Z")`},
		{"getHours", "timestamp.getHours(string) -> int", "The hour in a time zone; also getMinutes, getDayOfWeek (0 = Sunday), getDayOfMonth (0-based), getDate (1-based), getMonth (0-based), getFullYear.", `now().getDayOfWeek("Europe/Berlin") in [1, 2, 3, 4, 5]`},
		{"int", "int(value) -> int", "Converts a number (truncating), text or timestamp (Unix seconds) to an int.", `int(lead.score) % 10 == 0`},
		{"double", "double(value) -> number", "Converts an int or text to a number.", `lead.score > double(size(lead.company))`},
		{"string", "string(value) -> string", "Converts a value to text.", `string(lead.score) != ""`},
		{"math.greatest", "math.greatest(number, ...) -> number", "The largest argument; also math.least.", `math.greatest(lead.score, 10.0) >= 10`},
		{"math.round", "math.round(number) -> number", "Rounds half away from zero; also math.ceil, math.floor, math.trunc, math.abs.", `math.round(lead.score) == 42`},
	}
}
