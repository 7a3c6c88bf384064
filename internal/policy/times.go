package policy

import (
	"fmt"
	"time"
)

// quietRule binds quiet hours to the zone they are read in. A time of day in [From, To) on the
// wall clock is quiet; the rule next allows at the window's end, To on the same local day or, for
// a window crossing midnight entered in the evening, on the next.
func quietRule(q *QuietHours, loc *time.Location) rule {
	from, to := q.From.sinceMidnight(), q.To.sinceMidnight()
	return rule{name: RuleQuietHours, at: func(t time.Time) verdict {
		d, tod := localDay(t, loc)
		switch {
		case from < to && tod >= from && tod < to, from > to && tod < to:
			// quiet until To today
		case from > to && tod >= from:
			d = d.AddDays(1) // quiet until To tomorrow
		default:
			return verdict{ok: true}
		}
		return verdict{
			reason: fmt.Sprintf("it is %s in %s, within quiet hours %s-%s", t.In(loc).Format("15:04"), loc, q.From, q.To),
			next:   wallTime(d, q.To, loc, t),
		}
	}}
}

// holidayRule binds the calendar's holidays to the recipient's zone. A blocked touch waits for
// the next local midnight that does not start a holiday, skipping a run of holidays in one step.
func (p *Policy) holidayRule(loc *time.Location) rule {
	return rule{name: RuleCalendar, at: func(t time.Time) verdict {
		d, _ := localDay(t, loc)
		if !p.isHoliday(d) {
			return verdict{ok: true}
		}
		next := d.AddDays(1)
		for i := 0; i < len(p.holidays) && p.isHoliday(next); i++ {
			next = next.AddDays(1)
		}
		return verdict{
			reason: fmt.Sprintf("%s is a holiday in calendar %s (the recipient's date in %s)", d, p.CalendarName, loc),
			next:   wallTime(next, 0, loc, t),
		}
	}}
}
