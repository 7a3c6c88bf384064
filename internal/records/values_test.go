package records

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestNormalizeURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"bare domain", "acme.com", "https://acme.com"},
		{"www with capitals", "www.Acme.com", "https://www.acme.com"},
		{"keeps path, lowercases host", "http://ACME.com/Path", "http://acme.com/Path"},
		{"upper-case scheme", "HTTPS://ACME.COM/About?Q=1#Team", "https://acme.com/About?Q=1#Team"},
		{"port and query", "acme.com:8080/x?y=1", "https://acme.com:8080/x?y=1"},
		{"space in path is escaped", "https://acme.com/a b", "https://acme.com/a%20b"},
		{"subdomain", "https://shop.eu.acme.co.uk", "https://shop.eu.acme.co.uk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeURL(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			again, err := NormalizeURL(got)
			require.NoError(t, err)
			require.Equal(t, got, again, "normalising twice changes nothing")
		})
	}
}

func TestNormalizeURLRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
	}{
		{"ftp", "ftp://x.com"},
		{"javascript", "javascript:alert(1)"},
		{"no dot", "acme"},
		{"localhost", "http://localhost:8080"},
		{"empty host", "https://"},
		{"space in host", "https://ac me.com"},
		{"underscore in host", "https://ac_me.com"},
		{"credentials", "https://ann:secret@acme.com"},
		{"email address", "ann@acme.com"},
		{"mailto", "mailto:ann@acme.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeURL(tt.in)
			require.Error(t, err, "accepted as %q", got)
			require.Equal(t, "", got)
		})
	}
}

func TestNormalizeURLErrorQuotesInput(t *testing.T) {
	t.Parallel()
	_, err := NormalizeURL("acme")
	require.Equal(t, `"acme" is not a web address`, err.Error())
}

func TestPrepareCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		object string
		input  map[string]any
		want   Values
	}{
		{"defaults only", "lead", map[string]any{},
			Values{"status": "new", "score": 0.0}},
		{"canonical values", "lead", map[string]any{
			"first_name": "  Ann ", "email": "Ann <Ann@Acme.COM>", "website": "Acme.com",
			"employees": json.Number("1200"), "status": "working", "phone": "(415) 555-2671",
		}, Values{
			"first_name": "Ann", "email": "ann@acme.com", "website": "https://acme.com",
			"employees": 1200.0, "status": "working", "phone": "(415) 555-2671", "score": 0.0,
		}},
		{"given value beats default", "lead", map[string]any{"score": json.Number("42.5"), "status": "qualified"},
			Values{"score": 42.5, "status": "qualified"}},
		{"null takes the default", "lead", map[string]any{"status": nil, "score": nil},
			Values{"status": "new", "score": 0.0}},
		{"empty cell takes the default", "lead", map[string]any{"status": "", "score": " "},
			Values{"status": "new", "score": 0.0}},
		{"null without default is kept as a clear", "lead", map[string]any{"title": nil},
			Values{"title": nil, "status": "new", "score": 0.0}},
		{"user defaults", "user", map[string]any{"email": "ann@acme.com", "name": "Ann"},
			Values{"email": "ann@acme.com", "name": "Ann", "role": "rep", "timezone": "UTC",
				"working_hours": "mon-fri 09:00-17:00", "capacity": 50.0, "active": true}},
		{"bool false is not replaced by default", "user", map[string]any{"active": false},
			Values{"role": "rep", "timezone": "UTC", "working_hours": "mon-fri 09:00-17:00",
				"capacity": 50.0, "active": false}},
		{"datetime to UTC microseconds", "task", map[string]any{"title": "Call", "due_at": "2026-01-31T10:00:00.1234567+01:00"},
			Values{"title": "Call", "due_at": time.Date(2026, 1, 31, 9, 0, 0, 123456000, time.UTC),
				"type": "todo", "priority": "normal", "status": "open"}},
		{"json numbers become float64", "activity", map[string]any{"type": "note", "record_type": "lead", "record_id": "l1",
			"data": map[string]any{"n": json.Number("1")}},
			Values{"type": "note", "record_type": "lead", "record_id": "l1", "data": map[string]any{"n": 1.0}}},
		{"date", "deal", map[string]any{"name": "Big", "close_date": "2028-02-29", "currency": "eur"},
			Values{"name": "Big", "close_date": "2028-02-29", "currency": "eur"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := object(t, tt.object).Prepare(tt.input, true)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestPrepareErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		object string
		input  map[string]any
		want   []FieldError
	}{
		{"unknown field named", "lead", map[string]any{"favourite_color": "blue"},
			[]FieldError{{"favourite_color", "unknown field for lead"}}},
		{"id is read-only", "lead", map[string]any{"id": "x"},
			[]FieldError{{"id", "is read-only"}}},
		{"created_at is read-only", "deal", map[string]any{"name": "Big", "created_at": "2026-01-01T00:00:00Z"},
			[]FieldError{{"created_at", "is read-only"}}},
		{"company_domain is derived", "lead", map[string]any{"company_domain": "acme.com"},
			[]FieldError{{"company_domain", "is read-only"}}},
		{"number as string", "lead", map[string]any{"employees": "12"},
			[]FieldError{{"employees", "must be a number"}}},
		{"number overflows", "lead", map[string]any{"score": json.Number("1e999")},
			[]FieldError{{"score", "must be a number"}}},
		{"number as bool", "account", map[string]any{"name": "Acme", "annual_revenue": true},
			[]FieldError{{"annual_revenue", "must be a number"}}},
		{"bool as string", "user", map[string]any{"active": "true"},
			[]FieldError{{"active", "must be true or false"}}},
		{"string as number", "lead", map[string]any{"first_name": json.Number("12")},
			[]FieldError{{"first_name", "must be a string (string)"}}},
		{"enum not in options", "lead", map[string]any{"status": "hot"},
			[]FieldError{{"status", `"hot" is not one of new, working, nurturing, qualified, disqualified, converted`}}},
		{"enum with a near miss", "task", map[string]any{"title": "x", "priority": "Highest"},
			[]FieldError{{"priority", `"Highest" is not one of low, normal, high, urgent`}}},
		{"datetime not RFC 3339", "task", map[string]any{"title": "x", "due_at": "2026-01-31 09:00"},
			[]FieldError{{"due_at", `"2026-01-31 09:00" is not an RFC 3339 datetime (2026-01-31T09:00:00Z)`}}},
		{"date only for a datetime", "user", map[string]any{"out_of_office_until": "2026-01-31"},
			[]FieldError{{"out_of_office_until", `"2026-01-31" is not an RFC 3339 datetime (2026-01-31T09:00:00Z)`}}},
		{"impossible date", "deal", map[string]any{"name": "Big", "close_date": "2026-02-29"},
			[]FieldError{{"close_date", `"2026-02-29" is not a date (YYYY-MM-DD)`}}},
		{"bad email", "lead", map[string]any{"email": "ann at acme"},
			[]FieldError{{"email", `"ann at acme" is not an email address`}}},
		{"bad url", "lead", map[string]any{"website": "ftp://x.com"},
			[]FieldError{{"website", `"ftp://x.com" is not a web address`}}},
		{"string too long", "lead", map[string]any{"title": strings.Repeat("x", 1001)},
			[]FieldError{{"title", "is longer than 1000 bytes"}}},
		{"country longer than its two letters", "lead", map[string]any{"country": "DEU"},
			[]FieldError{{"country", "is longer than 2 characters"}}},
		{"currency longer than three letters", "deal", map[string]any{"name": "Big", "currency": "EURO"},
			[]FieldError{{"currency", "is longer than 3 characters"}}},
		{"NUL byte", "lead", map[string]any{"company": "Acme\x00"},
			[]FieldError{{"company", "must be valid UTF-8 text without NUL bytes"}}},
		{"invalid UTF-8", "lead", map[string]any{"company": "Acme \xff"},
			[]FieldError{{"company", "must be valid UTF-8 text without NUL bytes"}}},
		{"every error together, sorted by field", "lead", map[string]any{
			"zzz": 1, "website": "ftp://x.com", "status": "hot", "score": json.Number("1e999"),
			"id": "x", "first_name": 12.0, "employees": "12", "email": "nope", "company_domain": "acme.com",
			"last_name": "Lee", // valid fields do not hide the others' errors
		}, []FieldError{
			{"company_domain", "is read-only"},
			{"email", `"nope" is not an email address`},
			{"employees", "must be a number"},
			{"first_name", "must be a string (string)"},
			{"id", "is read-only"},
			{"score", "must be a number"},
			{"status", `"hot" is not one of new, working, nurturing, qualified, disqualified, converted`},
			{"website", `"ftp://x.com" is not a web address`},
			{"zzz", "unknown field for lead"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, create := range []bool{true, false} {
				got, err := object(t, tt.object).Prepare(tt.input, create)
				require.Equal(t, tt.want, fieldErrors(t, err), "create=%v", create)
				for _, fe := range tt.want {
					require.NotContains(t, got, fe.Field, "an invalid field is not among the valid values returned with the error")
				}
			}
		})
	}
}

func TestPrepareErrorText(t *testing.T) {
	t.Parallel()
	_, err := object(t, "lead").Prepare(map[string]any{"status": "hot", "id": "x"}, true)
	require.Equal(t, `invalid input: id: is read-only; status: "hot" is not one of new, working, nurturing, `+
		`qualified, disqualified, converted`, err.Error())
}

func TestPreparePatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input map[string]any
		want  Values
	}{
		{"empty patch, no defaults", map[string]any{}, Values{}},
		{"one field", map[string]any{"title": "CTO"}, Values{"title": "CTO"}},
		{"null clears, no default", map[string]any{"status": nil}, Values{"status": nil}},
		{"empty string clears", map[string]any{"email": "", "score": "  "}, Values{"email": nil, "score": nil}},
		{"canonical", map[string]any{"email": "ANN@ACME.COM", "employees": json.Number("5")},
			Values{"email": "ann@acme.com", "employees": 5.0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := object(t, "lead").Prepare(tt.input, false)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestPrepareDoesNotShareDefaults(t *testing.T) {
	t.Parallel()
	o := object(t, "lead")
	a, err := o.Prepare(nil, true)
	require.NoError(t, err)
	a["status"] = "working"
	b, err := o.Prepare(nil, true)
	require.NoError(t, err)
	require.Equal(t, "new", b["status"])
}

func TestCoerce(t *testing.T) {
	t.Parallel()
	num := Field{Name: "n", Type: Number}
	boolean := Field{Name: "b", Type: Bool}
	str := Field{Name: "s", Type: String}
	js := Field{Name: "j", Type: JSON}
	enum := Field{Name: "e", Type: Enum, Options: []string{"a", "b"}}
	tests := []struct {
		name    string
		f       Field
		raw     any
		want    any
		wantMsg string
	}{
		{"json.Number integer", num, json.Number("42"), 42.0, ""},
		{"json.Number exponent", num, json.Number("-1.5e3"), -1500.0, ""},
		{"json.Number overflow", num, json.Number("1e999"), nil, "must be a number"},
		{"json.Number underflow is zero", num, json.Number("1e-999"), 0.0, ""},
		{"json.Number garbage", num, json.Number("12abc"), nil, "must be a number"},
		{"float64", num, 3.25, 3.25, ""},
		{"int", num, 7, 7.0, ""},
		{"int64", num, int64(-9), -9.0, ""},
		{"NaN", num, math.NaN(), nil, "must be a finite number"},
		{"Inf", num, math.Inf(-1), nil, "must be a finite number"},
		{"number as string", num, "42", nil, "must be a number"},
		{"number as bool", num, true, nil, "must be a number"},
		{"null clears", num, nil, nil, ""},
		{"blank clears", num, "  ", nil, ""},
		{"bool", boolean, false, false, ""},
		{"bool as string", boolean, "true", nil, "must be true or false"},
		{"bool as number", boolean, json.Number("1"), nil, "must be true or false"},
		{"string", str, " Ann ", "Ann", ""},
		{"string as number", str, json.Number("1"), nil, "must be a string (string)"},
		{"string as object", str, map[string]any{}, nil, "must be a string (string)"},
		{"enum", enum, "b", "b", ""},
		{"enum trimmed", enum, " a ", "a", ""},
		{"enum unknown", enum, "c", nil, `"c" is not one of a, b`},
		{"json object", js, map[string]any{"k": "v"}, map[string]any{"k": "v"}, ""},
		{"json number", js, json.Number("2"), 2.0, ""},
		{"json keeps a blank string", js, "", "", ""},
		{"json null", js, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, msg := Coerce(tt.f, tt.raw)
			require.Equal(t, tt.wantMsg, msg)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestCoerceString(t *testing.T) {
	t.Parallel()
	num := Field{Name: "n", Type: Number}
	boolean := Field{Name: "b", Type: Bool}
	date := Field{Name: "d", Type: Date}
	dt := Field{Name: "t", Type: DateTime}
	country := Field{Name: "country", Type: String, MaxLen: 2}
	currency := Field{Name: "currency", Type: String, MaxLen: 3}
	text := Field{Name: "x", Type: Text}
	tests := []struct {
		name    string
		f       Field
		in      string
		want    any
		wantMsg string
	}{
		{"integer", num, "42", 42.0, ""},
		{"padded", num, " 42 ", 42.0, ""},
		{"thousands", num, "1,200", 1200.0, ""},
		{"thousands and decimals", num, "1,200.50", 1200.5, ""},
		{"millions", num, "-1,234,567", -1234567.0, ""},
		{"lakh grouping", num, "12,34,567", 1234567.0, ""},
		{"exponent", num, "1e3", 1000.0, ""},
		{"decimal point", num, "0.5", 0.5, ""},
		{"decimal comma is not a thousands separator", num, "1,5", nil, `"1,5" is not a number`},
		{"two-digit group", num, "1,20", nil, `"1,20" is not a number`},
		{"European thousands", num, "1.200,50", nil, `"1.200,50" is not a number`},
		{"leading comma", num, ",200", nil, `",200" is not a number`},
		{"currency sign", num, "$1,200", nil, `"$1,200" is not a number`},
		{"spaces inside", num, "1 200", nil, `"1 200" is not a number`},
		{"words", num, "twelve", nil, `"twelve" is not a number`},
		{"NaN", num, "NaN", nil, `"NaN" is not a number`},
		{"Inf", num, "-Inf", nil, `"-Inf" is not a number`},
		{"hex", num, "0x1p4", nil, `"0x1p4" is not a number`},
		{"underscores", num, "1_000", nil, `"1_000" is not a number`},
		{"too big", num, "1e999", nil, `"1e999" is not a number`},
		{"empty cell", num, "", nil, ""},
		{"yes", boolean, "yes", true, ""},
		{"Y", boolean, "Y", true, ""},
		{"TRUE", boolean, "TRUE", true, ""},
		{"1", boolean, "1", true, ""},
		{"No", boolean, "No", false, ""},
		{"n", boolean, "n", false, ""},
		{"false", boolean, "false", false, ""},
		{"0", boolean, "0", false, ""},
		{"maybe", boolean, "maybe", nil, `"maybe" is not true or false`},
		{"date", date, "2026-01-31", "2026-01-31", ""},
		{"leap day", date, "2028-02-29", "2028-02-29", ""},
		{"no leap day", date, "2026-02-29", nil, `"2026-02-29" is not a date (YYYY-MM-DD)`},
		{"German date", date, "31.01.2026", nil, `"31.01.2026" is not a date (YYYY-MM-DD)`},
		{"US date", date, "01/31/2026", nil, `"01/31/2026" is not a date (YYYY-MM-DD)`},
		{"unpadded date", date, "2026-1-5", nil, `"2026-1-5" is not a date (YYYY-MM-DD)`},
		{"first date", date, "0001-01-01", "0001-01-01", ""},
		{"last date", date, "9999-12-31", "9999-12-31", ""},
		{"year zero", date, "0000-12-31", nil, `"0000-12-31" is outside the years 0001 to 9999`},
		{"datetime Z", dt, "2026-01-31T09:00:00Z", time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC), ""},
		{"datetime offset", dt, "2026-01-31T10:00:00+01:00", time.Date(2026, 1, 31, 9, 0, 0, 0, time.UTC), ""},
		{"datetime nanoseconds truncated", dt, "2026-01-31T09:00:00.999999999Z", time.Date(2026, 1, 31, 9, 0, 0, 999999000, time.UTC), ""},
		{"last datetime", dt, "9999-12-31T23:59:59.999999Z", time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), ""},
		{"first datetime", dt, "0001-01-01T00:00:00Z", time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ""},
		{"datetime in year 10000 in UTC", dt, "9999-12-31T23:00:00-05:00", nil,
			`"9999-12-31T23:00:00-05:00" is outside the years 0001 to 9999 (in UTC)`},
		{"datetime in year 0 in UTC", dt, "0001-01-01T00:30:00+01:00", nil,
			`"0001-01-01T00:30:00+01:00" is outside the years 0001 to 9999 (in UTC)`},
		{"datetime in year 0", dt, "0000-06-01T00:00:00Z", nil, `"0000-06-01T00:00:00Z" is outside the years 0001 to 9999 (in UTC)`},
		{"datetime without zone", dt, "2026-01-31T09:00:00", nil, `"2026-01-31T09:00:00" is not an RFC 3339 datetime (2026-01-31T09:00:00Z)`},
		{"date for datetime", dt, "2026-01-31", nil, `"2026-01-31" is not an RFC 3339 datetime (2026-01-31T09:00:00Z)`},
		{"email", Field{Type: Email}, " ANN@ACME.COM ", "ann@acme.com", ""},
		{"url", Field{Type: URL}, "acme.com", "https://acme.com", ""},
		{"phone kept for Finish", Field{Type: Phone}, " (415) 555-2671 ", "(415) 555-2671", ""},
		{"ref", Field{Type: Ref, Ref: "user"}, "u1", "u1", ""},
		{"country", country, "de", "de", ""},
		{"country too long", country, "DEU", nil, "is longer than 2 characters"},
		{"currency sign counts as one character", currency, "€", "€", ""},
		{"string at the limit", Field{Type: String}, strings.Repeat("é", 500), strings.Repeat("é", 500), ""},
		{"string over the limit", Field{Type: String}, strings.Repeat("é", 501), nil, "is longer than 1000 bytes"},
		{"text over the string limit", text, strings.Repeat("x", 5000), strings.Repeat("x", 5000), ""},
		{"text over its limit", text, strings.Repeat("x", 100_001), nil, "is longer than 100000 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, msg := CoerceString(tt.f, tt.in)
			require.Equal(t, tt.wantMsg, msg)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestEqual(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	utc := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a, b any
		want bool
	}{
		{"same string", "a", "a", true},
		{"different string", "a", "b", false},
		{"nil and nil", nil, nil, true},
		{"nil and empty string", nil, "", false},
		{"numbers", 1.0, 1.0, true},
		{"time across locations", utc, utc.In(berlin), true},
		{"time across fixed zone", utc, utc.In(time.FixedZone("X", 3600)), true},
		{"different time", utc, utc.Add(time.Microsecond), false},
		{"time and string", utc, utc.Format(TimeLayout), false},
		{"string and time", utc.Format(TimeLayout), utc, false},
		{"json", []any{"a", map[string]any{"b": 1.0}}, []any{"a", map[string]any{"b": 1.0}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Equal(tt.a, tt.b))
		})
	}
}

func TestDiff(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	due := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		before, after Values
		want          map[string]Change
	}{
		{"created", nil, Values{"id": "l1", "title": "CTO", "created_at": created, "updated_at": created},
			map[string]Change{"id": {nil, "l1"}, "title": {nil, "CTO"}}},
		{"deleted", Values{"id": "l1", "title": "CTO", "email": nil, "created_at": created}, nil,
			map[string]Change{"id": {"l1", nil}, "title": {"CTO", nil}}},
		{"changed", Values{"title": "CTO", "score": 1.0}, Values{"title": "CEO", "score": 1.0},
			map[string]Change{"title": {"CTO", "CEO"}}},
		{"unchanged", Values{"title": "CTO", "tags": []any{"a"}}, Values{"title": "CTO", "tags": []any{"a"}},
			map[string]Change{}},
		{"same time in another location", Values{"due_at": due}, Values{"due_at": due.In(berlin)},
			map[string]Change{}},
		{"time moved", Values{"due_at": due}, Values{"due_at": due.Add(time.Hour)},
			map[string]Change{"due_at": {due, due.Add(time.Hour)}}},
		{"cleared", Values{"title": "CTO"}, Values{"title": nil},
			map[string]Change{"title": {"CTO", nil}}},
		{"removed field", Values{"title": "CTO", "email": "a@acme.com"}, Values{"email": "a@acme.com"},
			map[string]Change{"title": {"CTO", nil}}},
		{"removed field that was null", Values{"title": nil}, Values{}, map[string]Change{}},
		{"added null", Values{}, Values{"title": nil}, map[string]Change{}},
		{"timestamps ignored", Values{"title": "CTO", "created_at": created, "updated_at": created},
			Values{"title": "CTO", "created_at": due, "updated_at": due}, map[string]Change{}},
		{"removed timestamps ignored", Values{"created_at": created, "updated_at": created}, Values{},
			map[string]Change{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, Diff(tt.before, tt.after))
		})
	}
}

func TestValuesJSON(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	v := Values{"id": "l1", "due_at": time.Date(2026, 3, 1, 10, 0, 0, 1500, berlin), "score": 3.0, "email": nil}
	got := v.JSON()
	require.Equal(t, map[string]any{"id": "l1", "due_at": "2026-03-01T09:00:00.000001Z", "score": 3.0, "email": nil}, got)
	_, isTime := v["due_at"].(time.Time)
	require.True(t, isTime, "JSON must not change the values it formats")
	b, err := json.Marshal(got)
	require.NoError(t, err)
	require.Equal(t, `{"due_at":"2026-03-01T09:00:00.000001Z","email":null,"id":"l1","score":3}`, string(b))
	require.Equal(t, "l1", v.ID())
	require.Equal(t, "", v.String("score"), "String is empty for a non-string field")
	require.Equal(t, "", Values{}.ID())
}

func TestEnumForgivesCase(t *testing.T) {
	t.Parallel()
	got, err := object(t, "lead").Prepare(map[string]any{"status": "Qualified"}, false)
	require.NoError(t, err)
	require.Equal(t, "qualified", got["status"], "the option's own spelling is stored")
}
