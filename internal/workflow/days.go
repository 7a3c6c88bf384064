package workflow

import (
	"fmt"
	"slices"
	"strings"
)

var weekdays = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}

// parseDays reads "mon-fri", "sat", "mon,wed,fri" into weekday indexes (0 = Monday).
func parseDays(s string) ([]int, error) {
	var out []int
	for _, part := range splitComma(s) {
		from, to, isRange := cut(part, "-")
		a, b := slices.Index(weekdays, from), slices.Index(weekdays, to)
		switch {
		case !isRange && a >= 0:
			out = append(out, a)
		case isRange && a >= 0 && b >= a:
			for d := a; d <= b; d++ {
				out = append(out, d)
			}
		default:
			return nil, fmt.Errorf("%q is not days like mon-fri, sat or mon,wed", s)
		}
	}
	return out, nil
}

func splitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(p))
	}
	return out
}

func cut(s, sep string) (string, string, bool) {
	a, b, ok := strings.Cut(s, sep)
	return strings.TrimSpace(a), strings.TrimSpace(b), ok
}
