package records

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds of a JSON field's value. Both databases store such values as JSON text that every later read
// decodes, so anything the decoder or the database cannot take back must be refused on the way in.
const (
	maxJSONDepth  = 32     // nested arrays and objects
	maxJSONValues = 10_000 // values of every kind, containers included
)

// coerceJSON checks a JSON field's value and returns a copy in canonical form: numbers as finite
// float64, so that what is stored and what is read back compare equal; strings and keys valid UTF-8
// without NUL, which PostgreSQL's jsonb refuses; depth and size bounded.
func coerceJSON(raw any) (any, string) {
	c := jsonChecker{}
	return c.value(raw, 0)
}

type jsonChecker struct{ values int }

func (c *jsonChecker) value(v any, depth int) (any, string) {
	c.values++
	if c.values > maxJSONValues {
		return nil, fmt.Sprintf("holds more than %d values", maxJSONValues)
	}
	switch x := v.(type) {
	case nil, bool:
		return x, ""
	case string:
		if !cleanText(x) {
			return nil, `strings must be valid UTF-8 without NUL (\u0000)`
		}
		return x, ""
	case json.Number, float64, int, int64:
		return jsonNumber(x)
	case []any:
		if depth >= maxJSONDepth {
			return nil, fmt.Sprintf("is nested deeper than %d levels", maxJSONDepth)
		}
		out := make([]any, len(x))
		for i, e := range x {
			var msg string
			if out[i], msg = c.value(e, depth+1); msg != "" {
				return nil, msg
			}
		}
		return out, ""
	case map[string]any:
		if depth >= maxJSONDepth {
			return nil, fmt.Sprintf("is nested deeper than %d levels", maxJSONDepth)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !cleanText(k) {
				return nil, fmt.Sprintf(`key %q: keys must be valid UTF-8 without NUL (\u0000)`, k)
			}
			val, msg := c.value(e, depth+1)
			if msg != "" {
				return nil, msg
			}
			out[k] = val
		}
		return out, ""
	}
	return nil, fmt.Sprintf("holds a %T, which is not a JSON value", v)
}

// jsonNumber converts a number inside a JSON value to a finite float64.
func jsonNumber(v any) (any, string) {
	var x float64
	switch n := v.(type) {
	case json.Number:
		var err error
		if x, err = strconv.ParseFloat(string(n), 64); err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return nil, fmt.Sprintf("number %s is out of range", n)
			}
			return nil, fmt.Sprintf("%q is not a number", string(n))
		}
	case float64:
		x = n
	case int:
		x = float64(n)
	case int64:
		x = float64(n)
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, fmt.Sprintf("number %v is out of range", x)
	}
	return x, ""
}

// cleanText reports whether s is valid UTF-8 without NUL, which PostgreSQL cannot store in text or jsonb.
func cleanText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }
