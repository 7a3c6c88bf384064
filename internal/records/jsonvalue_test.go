package records

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// nested returns a value with depth arrays around a number.
func nested(depth int) any {
	var v any = json.Number("1")
	for range depth {
		v = []any{v}
	}
	return v
}

func TestCoerceJSON(t *testing.T) {
	t.Parallel()
	js := Field{Name: "data", Type: JSON}
	many := make([]any, maxJSONValues-1) // with the array itself: exactly the limit
	for i := range many {
		many[i] = json.Number("1")
	}
	tests := []struct {
		name    string
		raw     any
		want    any
		wantMsg string
	}{
		{"numbers become float64 at every level", map[string]any{"a": json.Number("1"), "b": []any{json.Number("2.5"), 3, int64(4)},
			"c": map[string]any{"d": 1e3}}, map[string]any{"a": 1.0, "b": []any{2.5, 3.0, 4.0}, "c": map[string]any{"d": 1000.0}}, ""},
		{"scalars and empties", []any{"x", true, false, nil, map[string]any{}, []any{}},
			[]any{"x", true, false, nil, map[string]any{}, []any{}}, ""},
		{"huge integer", json.Number("12345678901234567890"), 12345678901234567890.0, ""},
		{"number out of range", map[string]any{"x": json.Number("1e400")}, nil, "number 1e400 is out of range"},
		{"negative number out of range", []any{json.Number("-1e400")}, nil, "number -1e400 is out of range"},
		{"not a number", json.Number("12abc"), nil, `"12abc" is not a number`},
		{"NaN", []any{math.NaN()}, nil, "number NaN is out of range"},
		{"Inf", map[string]any{"x": math.Inf(1)}, nil, "number +Inf is out of range"},
		{"NUL in a string", map[string]any{"x": []any{"a\x00b"}}, nil, `strings must be valid UTF-8 without NUL (\u0000)`},
		{"invalid UTF-8 in a string", "a\xffb", nil, `strings must be valid UTF-8 without NUL (\u0000)`},
		{"NUL in a key", map[string]any{"a\x00": 1.0}, nil, `key "a\x00": keys must be valid UTF-8 without NUL (\u0000)`},
		{"invalid UTF-8 in a key", map[string]any{"\xfe": 1.0}, nil, `key "\xfe": keys must be valid UTF-8 without NUL (\u0000)`},
		{"32 levels", nested(32), nested32Float(), ""},
		{"33 levels", nested(33), nil, "is nested deeper than 32 levels"},
		{"33 levels of objects", map[string]any{"a": nested(32)}, nil, "is nested deeper than 32 levels"},
		{"10000 values", many, manyFloats(len(many)), ""},
		{"10001 values", append(many[:len(many):len(many)], "one more"), nil, "holds more than 10000 values"},
		{"not a JSON type", map[string]any{"x": []string{"a"}}, nil, "holds a []string, which is not a JSON value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, msg := Coerce(js, tt.raw)
			require.Equal(t, tt.wantMsg, msg)
			require.Equal(t, tt.want, got)
		})
	}
}

func nested32Float() any {
	var v any = 1.0
	for range 32 {
		v = []any{v}
	}
	return v
}

func manyFloats(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = 1.0
	}
	return out
}

// TestCoerceJSONDoesNotModifyInput checks that the canonical copy leaves the caller's value alone.
func TestCoerceJSONDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	in := map[string]any{"a": []any{json.Number("1")}}
	_, msg := Coerce(Field{Type: JSON}, in)
	require.Empty(t, msg)
	require.Equal(t, map[string]any{"a": []any{json.Number("1")}}, in)
}

// TestCoerceJSONRoundTrip checks that a canonical value survives encoding and decoding unchanged, as it
// does through the store.
func TestCoerceJSONRoundTrip(t *testing.T) {
	t.Parallel()
	dec := json.NewDecoder(strings.NewReader(`{"n":[1,-0.5,1e300,12345678901234567890,1e-400],"s":"é","t":true,"z":null}`))
	dec.UseNumber()
	var raw any
	require.NoError(t, dec.Decode(&raw))
	v, msg := Coerce(Field{Type: JSON}, raw)
	require.Empty(t, msg)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	var back any
	require.NoError(t, json.Unmarshal(b, &back))
	require.True(t, Equal(v, back), "%#v != %#v", v, back)
}

func TestPrepareJSONErrorNamesField(t *testing.T) {
	t.Parallel()
	_, err := object(t, "activity").Prepare(map[string]any{"type": "note", "record_type": "lead", "record_id": "l1",
		"data": map[string]any{"x": json.Number("1e400")}}, true)
	require.EqualError(t, err, "invalid input: data: number 1e400 is out of range")
}
