package enrich

import (
	"strconv"
	"strings"

	"github.com/salesflow/salesflow/internal/records"
)

// jsonPath walks a decoded JSON value along a dotted path: object keys, and array indexes written
// as numbers ("company.tags.0"). It returns nil when the path leads nowhere.
func jsonPath(v any, path string) any {
	for key := range strings.SplitSeq(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			v = node[key]
		case []any:
			i, err := strconv.Atoi(key)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			v = node[i]
		default:
			return nil
		}
	}
	return v
}

// numberField reports whether a lead or account field holds a number; all others mapped from an answer
// are text.
func numberField(field string) bool {
	switch field {
	case "employees", "annual_revenue", "budget":
		return true
	}
	return false
}

// convertValue turns an answer's value into the field's natural type: float64 for number fields
// (from a JSON number or a numeric string), a string for the rest, country as an upper-case ISO code.
// ok is false for values that say nothing (null, "", an object) or do not fit the field (a negative
// head count, "Germany" for country): such a value is left out rather than written wrong.
func convertValue(field string, v any) (any, bool) {
	if numberField(field) {
		var n float64
		switch x := v.(type) {
		case float64:
			n = x
		case string:
			var msg string
			if n, msg = records.ParseNumber(strings.TrimSpace(x)); msg != "" {
				return nil, false
			}
		default:
			return nil, false
		}
		return n, n >= 0
	}
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		s = strconv.FormatBool(x)
	default:
		return nil, false
	}
	if field == "country" {
		c, msg := CountryCode(s)
		return c, s != "" && msg == ""
	}
	return s, s != ""
}
