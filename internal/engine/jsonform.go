package engine

import (
	"encoding/json"
	"math"
	"time"
	"unicode/utf8"
)

// jsonForm returns v as encoding it to JSON and decoding it into an any would (numbers as float64,
// times as RFC 3339 text, maps as map[string]any, slices as []any), without the text in between: a
// run's state goes through this twice a lead (storedState), and the round trip through JSON was 6 % of
// the single writer's time. The common shapes are copied directly; anything else (a struct, []byte, a
// float32, text that is not UTF-8, NaN) goes through JSON itself, so the result is the same either way.
func jsonForm(v any) (any, error) { return form(v, 0) }

// stateForm is jsonForm for a run's state: a copy in the form the store keeps it in (nil for nil).
func stateForm(state map[string]any) (map[string]any, error) {
	f, err := jsonForm(state)
	m, _ := f.(map[string]any)
	return m, err
}

// maxFormDepth is how deep form copies before it leaves the rest to JSON, which reports a value that
// contains itself instead of recursing until the stack overflows.
const maxFormDepth = 200

func form(v any, depth int) (any, error) {
	if depth > maxFormDepth {
		return viaJSON(v)
	}
	switch x := v.(type) {
	case nil, bool:
		return x, nil
	case string:
		if utf8.ValidString(x) {
			return x, nil
		}
	case float64:
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			return x, nil
		}
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case time.Time:
		if y := x.Year(); y >= 0 && y <= 9999 && x.Location() == time.UTC {
			return x.Format(time.RFC3339Nano), nil
		}
	case map[string]any:
		if x == nil {
			return nil, nil
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !utf8.ValidString(k) {
				return viaJSON(v)
			}
			f, err := form(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = f
		}
		return out, nil
	case []any:
		return sliceForm(x, depth)
	case []string:
		return sliceForm(x, depth)
	}
	return viaJSON(v)
}

// sliceForm is form for a slice: nil stays nil (JSON's null).
func sliceForm[T any](x []T, depth int) (any, error) {
	if x == nil {
		return nil, nil
	}
	out := make([]any, len(x))
	for i, e := range x {
		f, err := form(e, depth+1)
		if err != nil {
			return nil, err
		}
		out[i] = f
	}
	return out, nil
}

// viaJSON is jsonForm the long way.
func viaJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}
