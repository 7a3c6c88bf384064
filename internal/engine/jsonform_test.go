package engine

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// TestJSONFormIsTheJSONRoundTrip: for any value a run's state may hold, jsonForm gives what encoding
// it to JSON and decoding it again gives, or the same error.
func TestJSONFormIsTheJSONRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v := drawValue(t, 3)
		want, wantErr := viaJSON(v)
		got, err := jsonForm(v)
		if wantErr != nil {
			require.Error(t, err)
			return
		}
		require.NoError(t, err)
		require.Equal(t, want, got)
	})
}

// TestJSONFormOfAValueThatContainsItselfIsAnError: as encoding/json's, not a stack overflow.
func TestJSONFormOfAValueThatContainsItselfIsAnError(t *testing.T) {
	m := map[string]any{}
	m["self"] = []any{m}
	_, err := jsonForm(m)
	require.Error(t, err)
}

type point struct {
	X int    `json:"x"`
	Y string `json:"y,omitempty"`
}

func drawValue(t *rapid.T, depth int) any {
	kinds := 14
	if depth == 0 {
		kinds = 10 // no containers
	}
	switch rapid.IntRange(0, kinds-1).Draw(t, "kind") {
	case 0:
		return nil
	case 1:
		return rapid.Bool().Draw(t, "bool")
	case 2:
		return rapid.String().Draw(t, "string")
	case 3:
		return string(rapid.SliceOf(rapid.Byte()).Draw(t, "bytes as text")) // not always UTF-8
	case 4:
		return rapid.SampledFrom([]float64{0, -0.5, 1e300, math.MaxFloat64, math.SmallestNonzeroFloat64, math.NaN(), math.Inf(1)}).Draw(t, "float")
	case 5:
		return rapid.Int64().Draw(t, "int64") // beyond 2^53 too
	case 6:
		return rapid.Int().Draw(t, "int")
	case 7:
		sec := rapid.Int64Range(-70_000_000_000, 300_000_000_000).Draw(t, "unix")
		tm := time.Unix(sec, rapid.Int64Range(0, 999_999_999).Draw(t, "nanos")).UTC()
		if rapid.Bool().Draw(t, "zoned") {
			tm = tm.In(time.FixedZone("x", rapid.IntRange(-100_000, 100_000).Draw(t, "offset")))
		}
		return tm
	case 8:
		return rapid.SampledFrom([]any{float32(0.1), []byte("raw"), point{X: 1}, &point{Y: "p"}, int32(-7), uint8(9)}).Draw(t, "other")
	case 9:
		return rapid.SliceOf(rapid.String()).Draw(t, "strings")
	case 10, 11:
		n := rapid.IntRange(0, 4).Draw(t, "len")
		m := make(map[string]any, n)
		for range n {
			key := rapid.String().Draw(t, "key")
			if rapid.IntRange(0, 9).Draw(t, "odd key") == 0 {
				key = string(rapid.SliceOf(rapid.Byte()).Draw(t, "key bytes"))
			}
			m[key] = drawValue(t, depth-1)
		}
		if n == 0 && rapid.Bool().Draw(t, "nil map") {
			return map[string]any(nil)
		}
		return m
	default:
		n := rapid.IntRange(0, 4).Draw(t, "len")
		s := make([]any, n)
		for i := range s {
			s[i] = drawValue(t, depth-1)
		}
		return s
	}
}
