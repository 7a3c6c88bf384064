package workflow

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	cron "github.com/netresearch/go-cron"

	"github.com/salesflow/salesflow/internal/records"
)

// maxDuration bounds durations: nothing in a sales process waits longer, and it keeps arithmetic far
// from overflowing.
const maxDuration = 10 * 365 * 24 * time.Hour

var durationPart = regexp.MustCompile(`(\d+)(w|d|h|m|s)`)

// ParseDuration reads the format's durations: a number and a unit (w, d, h, m, s), repeated, as in
// 90s, 15m, 4h, 2d, 1w, 1h30m; a leading - makes it negative. Days are 24 hours: calendar-aware
// waits use business_days or time of day instead.
func ParseDuration(s string) (time.Duration, error) {
	body := strings.TrimPrefix(s, "-")
	if body == "" || durationPart.ReplaceAllString(body, "") != "" {
		return 0, fmt.Errorf("%q is not a duration (like 90s, 15m, 4h, 2d, 1w or 1h30m)", s)
	}
	var d time.Duration
	units := map[string]time.Duration{"w": 7 * 24 * time.Hour, "d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second}
	for _, m := range durationPart.FindAllStringSubmatch(body, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n > int64(maxDuration/units[m[2]]) {
			return 0, fmt.Errorf("%q is longer than the longest duration, 10 years", s)
		}
		d += time.Duration(n) * units[m[2]]
		if d > maxDuration {
			return 0, fmt.Errorf("%q is longer than the longest duration, 10 years", s)
		}
	}
	if strings.HasPrefix(s, "-") {
		d = -d
	}
	return d, nil
}

var clockRe = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d$`)

var nameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

var stepIDRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)

// scalar checks a scalar value of a simple kind and returns a message, or "".
func scalar(v *Value, s string) string {
	switch v.Kind {
	case KInt:
		i, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Sprintf("%q is not a whole number", s)
		}
		if v.Counted && i < 1 {
			return fmt.Sprintf("%d is less than 1: a cap of 0 or less would never let anyone through", i)
		}
	case KNumber:
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return fmt.Sprintf("%q is not a number", s)
		}
	case KBool:
		if s != "true" && s != "false" {
			return fmt.Sprintf("%q is not true or false", s)
		}
	case KDuration:
		d, err := ParseDuration(s)
		if err != nil {
			return err.Error()
		}
		if d < 0 && !v.Signed {
			return fmt.Sprintf("%q: a duration here cannot be negative", s)
		}
	case KCron:
		if _, err := cron.ParseStandard(s); err != nil {
			return fmt.Sprintf("%q is not a cron spec (minute hour day month weekday): %v", s, err)
		}
	case KClock:
		if !clockRe.MatchString(s) {
			return fmt.Sprintf("%q is not a time of day like 09:00", s)
		}
	case KZone:
		if s == "owner" || s == "recipient" || s == "record" {
			return ""
		}
		if _, err := time.LoadLocation(s); err != nil || s == "Local" || s == "" {
			return fmt.Sprintf("%q is not a time zone (an IANA name like Europe/Berlin, or owner, recipient, record)", s)
		}
	case KDate:
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return fmt.Sprintf("%q is not a date (YYYY-MM-DD)", s)
		}
	case KEmail:
		if _, err := records.NormalizeEmail(s); err != nil {
			return err.Error()
		}
	case KEnum:
		for _, o := range v.Options {
			if o == s {
				return ""
			}
		}
		msg := fmt.Sprintf("%q is not one of %s", s, strings.Join(v.Options, ", "))
		if near := closest(s, v.Options); near != "" {
			msg = fmt.Sprintf("%q is unknown (did you mean %s?)", s, near)
		}
		return msg
	}
	return ""
}

// closest returns the option nearest to s when it is a likely typo.
func closest(s string, options []string) string {
	best, bestD := "", 3
	for _, o := range options {
		if d := editDistance(s, o); d < bestD {
			best, bestD = o, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
