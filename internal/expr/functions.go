package expr

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/salesflow/salesflow/internal/records"
)

// FuncDoc documents one function for docs/workflows.md.
type FuncDoc struct {
	Name      string
	Signature string
	Doc       string
	Example   string
}

// helper is a Salesflow function: its documentation and its CEL declaration, kept together so that
// the docs cannot drift from what exists.
type helper struct {
	doc  FuncDoc
	decl cel.EnvOption
}

// Functions documents the functions Salesflow adds to CEL, in the order the docs list them. See
// StandardFunctions for the CEL functions that are also available.
func Functions() []FuncDoc {
	hs := (&Env{opts: Options{Now: time.Now}}).helpers()
	out := make([]FuncDoc, len(hs))
	for i, h := range hs {
		out[i] = h.doc
	}
	return out
}

// helpers declares the Salesflow functions. Their bindings close over e for the clock, the calendar
// resolver and the zone cache.
func (e *Env) helpers() []helper {
	ts, str, nstr := cel.TimestampType, cel.StringType, cel.NullableType(cel.StringType)
	dbl, i64, dur := cel.DoubleType, cel.IntType, cel.DurationType
	unit := func(name string, d time.Duration, doc, example string) helper {
		scale := func(x float64) ref.Val {
			if math.IsNaN(x) || math.Abs(x) > float64(maxDuration/d) {
				return types.NewErr("%s(%v): duration out of range", name, x)
			}
			return types.Duration{Duration: time.Duration(x * float64(d))}
		}
		return helper{
			FuncDoc{name, name + "(int|number) -> duration", doc, example},
			cel.Function(name,
				cel.Overload(name+"_int", []*cel.Type{i64}, dur, cel.UnaryBinding(func(v ref.Val) ref.Val {
					n := int64(v.(types.Int))
					if n > int64(maxDuration/d) || n < -int64(maxDuration/d) {
						return types.NewErr("%s(%d): duration out of range", name, n)
					}
					return types.Duration{Duration: time.Duration(n) * d}
				})),
				cel.Overload(name+"_double", []*cel.Type{dbl}, dur, cel.UnaryBinding(func(v ref.Val) ref.Val {
					return scale(float64(v.(types.Double)))
				}))),
		}
	}
	return []helper{
		{FuncDoc{"now", "now() -> timestamp", "The current time, from the engine's clock.", `now() - lead.created_at > hours(24)`},
			cel.Function("now", cel.Overload("now", nil, ts, cel.FunctionBinding(func(...ref.Val) ref.Val {
				return types.Timestamp{Time: e.opts.Now().UTC()}
			})))},
		{FuncDoc{"date", "date(string) -> timestamp", "A date written YYYY-MM-DD, as a timestamp at midnight UTC: the way date fields read.", `deal.close_date < date("2026-07-01")`},
			cel.Function("date", cel.Overload("date_string", []*cel.Type{str}, ts, cel.UnaryBinding(func(v ref.Val) ref.Val {
				t, err := time.Parse(time.DateOnly, string(v.(types.String)))
				if err != nil {
					return types.NewErr("date(%q): not a YYYY-MM-DD date", string(v.(types.String)))
				}
				return types.Timestamp{Time: t}
			})))},
		unit("days", 24*time.Hour, "A number of 24-hour days as a duration.", `deal.close_date - days(3)`),
		unit("hours", time.Hour, "A number of hours as a duration.", `now() + hours(1.5)`),
		unit("minutes", time.Minute, "A number of minutes as a duration.", `lead.created_at + minutes(15)`),
		{FuncDoc{"dur", "dur(string) -> duration", "A duration in the syntax of the file format's duration fields: a number and a unit (w, d, h, m, s), repeated, as in 90s, 15m, 4h, 2d, 1w, 1h30m; a leading - makes it negative. Days are 24 hours. (CEL's own duration(\"90m\") knows h, m, s, ms, us and ns only.)", `now() - lead.created_at >= dur("2d12h")`},
			cel.Function("dur", cel.Overload("dur_string", []*cel.Type{str}, dur, cel.UnaryBinding(func(v ref.Val) ref.Val {
				d, err := parseDur(string(v.(types.String)))
				if err != nil {
					return types.NewErr("%v", err)
				}
				return types.Duration{Duration: d}
			})))},
		{FuncDoc{"at_local", "at_local(timestamp, string, string) -> timestamp", "The instant at a time of day (HH:MM) on the timestamp's local date in an IANA time zone, correct across daylight-saving changes. A time skipped when clocks go forward moves forward by the gap (02:30 becomes 03:30); a time that happens twice when they go back is the first occurrence.", `at_local(deal.close_date - days(3), "09:00", deal.owner.timezone)`},
			cel.Function("at_local", cel.Overload("at_local_timestamp_string_string", []*cel.Type{ts, str, str}, ts,
				cel.FunctionBinding(e.atLocal)))},
		{FuncDoc{"local_date", "local_date(timestamp, string) -> string", "The timestamp's date (YYYY-MM-DD) in an IANA time zone.", `local_date(now(), "Europe/Berlin") == "2026-03-29"`},
			cel.Function("local_date", cel.Overload("local_date_timestamp_string", []*cel.Type{ts, str}, str,
				cel.BinaryBinding(func(t, tz ref.Val) ref.Val {
					return e.inZone(t, tz, func(lt time.Time) ref.Val { return types.String(lt.Format(time.DateOnly)) })
				})))},
		{FuncDoc{"local_hour", "local_hour(timestamp, string) -> int", "The hour (0–23) of the timestamp in an IANA time zone; the same as CEL's ts.getHours(tz).", `local_hour(now(), lead.timezone) >= 9`},
			cel.Function("local_hour", cel.Overload("local_hour_timestamp_string", []*cel.Type{ts, str}, i64,
				cel.BinaryBinding(func(t, tz ref.Val) ref.Val {
					return e.inZone(t, tz, func(lt time.Time) ref.Val { return types.Int(lt.Hour()) })
				})))},
		{FuncDoc{"add_business_hours", "add_business_hours(timestamp, int|number, string) -> timestamp", "The instant a number of business hours after the timestamp on the named business calendar (working hours, weekends and holidays).", `add_business_hours(now(), 4, "emea-support")`},
			cel.Function("add_business_hours",
				cel.Overload("add_business_hours_int", []*cel.Type{ts, i64, str}, ts, cel.LateFunctionBinding()),
				cel.Overload("add_business_hours_double", []*cel.Type{ts, dbl, str}, ts, cel.LateFunctionBinding()))},
		{FuncDoc{"add_business_days", "add_business_days(timestamp, int, string) -> timestamp", "The instant a number of business days after the timestamp on the named business calendar.", `add_business_days(lead.created_at, 2, "emea-support")`},
			cel.Function("add_business_days", cel.Overload("add_business_days_int", []*cel.Type{ts, i64, str}, ts,
				cel.LateFunctionBinding()))},
		{FuncDoc{"business_hours_between", "business_hours_between(timestamp, timestamp, string) -> number", "The business hours between two instants on the named business calendar (negative when the second is earlier).", `business_hours_between(lead.created_at, now(), "emea-support") > 8`},
			cel.Function("business_hours_between", cel.Overload("business_hours_between", []*cel.Type{ts, ts, str}, dbl,
				cel.LateFunctionBinding()))},
		{FuncDoc{"find", "find(string, string) -> string", "The first match of a regular expression (RE2 syntax) in the text, or \"\" when there is none or the text is null. Use CEL's text.matches(re) to test for a match.", `find(lead.title, "(?i)vp|director|chief") != ""`},
			cel.Function("find", cel.Overload("find_string_string", []*cel.Type{nstr, str}, str,
				cel.BinaryBinding(func(s, re ref.Val) ref.Val {
					text, ok := s.(types.String)
					if !ok {
						return types.String("")
					}
					rx, err := regexp.Compile(string(re.(types.String)))
					if err != nil {
						return types.NewErr("find: invalid regular expression: %v", err)
					}
					return types.String(rx.FindString(string(text)))
				})))},
		{FuncDoc{"is_free_mail", "is_free_mail(string) -> bool", "Whether an email address (or a domain) belongs to a consumer mail provider such as gmail.com; false for null.", `!is_free_mail(lead.email)`},
			cel.Function("is_free_mail", cel.Overload("is_free_mail_string", []*cel.Type{nstr}, cel.BoolType,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					s, ok := v.(types.String)
					if !ok {
						return types.False
					}
					d := domainOf(string(s))
					return types.Bool(d != "" && (records.IsFreeMail(d) || records.IsFreeMail(records.RegistrableDomain(d))))
				})))},
		{FuncDoc{"domain_of", "domain_of(string) -> string", "The registrable domain of an email address, a URL or a host name, lower-cased (\"ann@eu.Acme.co.uk\" → \"acme.co.uk\"); \"\" for null or when there is none.", `domain_of(lead.email) == domain_of(lead.website)`},
			cel.Function("domain_of", cel.Overload("domain_of_string", []*cel.Type{nstr}, str,
				cel.UnaryBinding(func(v ref.Val) ref.Val {
					s, ok := v.(types.String)
					if !ok {
						return types.String("")
					}
					d := domainOf(string(s))
					if d == "" {
						return types.String("")
					}
					return types.String(records.RegistrableDomain(d))
				})))},
	}
}

// domainOf extracts the host from an email address, a URL or a bare host ("acme.com/pricing").
func domainOf(s string) string {
	s = strings.TrimSpace(s)
	if at := strings.LastIndexByte(s, '@'); at >= 0 && !strings.Contains(s, "://") {
		return strings.ToLower(strings.TrimSuffix(s[at+1:], "."))
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
}

// inZone applies f to t in the zone named by tz.
func (e *Env) inZone(t, tz ref.Val, f func(time.Time) ref.Val) ref.Val {
	loc, err := e.zones.load(string(tz.(types.String)))
	if err != nil {
		return types.NewErr("%v", err)
	}
	return f(t.(types.Timestamp).Time.In(loc))
}

func (e *Env) atLocal(args ...ref.Val) ref.Val {
	clock := string(args[1].(types.String))
	h, m, err := parseClock(clock)
	if err != nil {
		return types.NewErr("at_local: %v", err)
	}
	return e.inZone(args[0], args[2], func(lt time.Time) ref.Val {
		return types.Timestamp{Time: wallClock(lt, h, m).UTC()}
	})
}

// wallClock is h:m on lt's date in lt's zone. A time skipped when clocks go forward moves forward by
// the gap (Go's rule); a time that happens twice when clocks go back is its first occurrence, which
// Go leaves unspecified, so it is chosen here.
func wallClock(lt time.Time, h, m int) time.Time {
	y, mo, d := lt.Date()
	t := time.Date(y, mo, d, h, m, 0, 0, lt.Location())
	for _, back := range []time.Duration{2 * time.Hour, time.Hour, 30 * time.Minute} {
		if e := t.Add(-back); e.Hour() == h && e.Minute() == m && e.Day() == d {
			return e
		}
	}
	return t
}

// parseClock reads a time of day written HH:MM (24-hour).
func parseClock(s string) (int, int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, fmt.Errorf("%q is not a time of day (HH:MM, like 09:00)", s)
	}
	return t.Hour(), t.Minute(), nil
}

// businessTime binds the business-time functions for one evaluation. They are bound then rather than
// with the Env because they look calendars up through the evaluation's context: the engine evaluates
// inside a transaction, and a lookup on a connection of its own could wait for the one the transaction
// holds (PostgreSQL's pool) and would not see a calendar the transaction applied.
func (e *Env) businessTime(ctx context.Context) map[string]cel.LateBoundFunction {
	return map[string]cel.LateBoundFunction{
		"add_business_hours": func(_ string, args ...ref.Val) ref.Val {
			cal, bad := e.calendar(ctx, "add_business_hours", args[2])
			if bad != nil {
				return bad
			}
			var h float64
			switch n := args[1].(type) {
			case types.Int:
				h = float64(n)
			case types.Double:
				h = float64(n)
			}
			return types.Timestamp{Time: cal.AddBusinessHours(args[0].(types.Timestamp).Time, h).UTC()}
		},
		"add_business_days": func(_ string, args ...ref.Val) ref.Val {
			cal, bad := e.calendar(ctx, "add_business_days", args[2])
			if bad != nil {
				return bad
			}
			return types.Timestamp{Time: cal.AddBusinessDays(args[0].(types.Timestamp).Time, int(args[1].(types.Int))).UTC()}
		},
		"business_hours_between": func(_ string, args ...ref.Val) ref.Val {
			cal, bad := e.calendar(ctx, "business_hours_between", args[2])
			if bad != nil {
				return bad
			}
			return types.Double(cal.BusinessHoursBetween(args[0].(types.Timestamp).Time, args[1].(types.Timestamp).Time))
		},
	}
}

// calendar resolves the calendar named by v, or explains why it cannot.
func (e *Env) calendar(ctx context.Context, fn string, v ref.Val) (BusinessCalendar, ref.Val) {
	if e.opts.Calendars == nil {
		return nil, types.NewErr("%s: %v", fn, errNoCalendars)
	}
	name := string(v.(types.String))
	cal, err := e.opts.Calendars.Calendar(ctx, name)
	if err != nil {
		return nil, types.NewErr("%s: calendar %q: %v", fn, name, err)
	}
	return cal, nil
}

// maxDuration is the longest duration days(), hours() and minutes() make: a century, well inside
// time.Duration's 292 years, so arithmetic on it cannot overflow silently.
const maxDuration = 100 * 365 * 24 * time.Hour

var durPart = regexp.MustCompile(`(\d+)(w|d|h|m|s)`)

// parseDur reads the file format's durations (see dur). It mirrors workflow.ParseDuration, which
// cannot be imported from here because the workflow package imports this one.
func parseDur(s string) (time.Duration, error) {
	body := strings.TrimPrefix(s, "-")
	if body == "" || durPart.ReplaceAllString(body, "") != "" {
		return 0, fmt.Errorf("%q is not a duration (like 90s, 15m, 4h, 2d, 1w or 1h30m)", s)
	}
	units := map[string]time.Duration{"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}
	var d time.Duration
	for _, m := range durPart.FindAllStringSubmatch(body, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil || n > 100000 {
			return 0, fmt.Errorf("%q is too long a duration", s)
		}
		d += time.Duration(n) * units[m[2]]
	}
	if strings.HasPrefix(s, "-") {
		d = -d
	}
	return d, nil
}
