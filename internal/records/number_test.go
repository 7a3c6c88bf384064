package records

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{
		"0": 0, "42": 42, "+42": 42, "-42": -42, "007": 7, "0.5": 0.5, ".5": 0.5, "5.": 5, "-.5": -0.5,
		"1e3": 1000, "1E3": 1000, "1.5e-3": 0.0015, "-2e+2": -200, "1e-999": 0,
		"1,200": 1200, "1,200.50": 1200.5, "-1,234,567": -1234567, "12,34,567": 1234567, "1,000.": 1000,
	} {
		got, msg := ParseNumber(in)
		require.Empty(t, msg, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{
		"", "+", "-", ".", "e3", "1e", "1e+", "1.2.3", "1..2", "--1", "+-1", "1-", " 1", "1 ",
		"0x10", "0X1p4", "0b101", "0o17", "1_000", "Inf", "-inf", "Infinity", "NaN", "nan", "1e999", "-1e999",
		"1,5", "1,20", ",200", "1,200,", "1,,200", "1,2000", "1.200,50", "1,200e3", "1,2,3", "12,345,67",
		"$5", "5%", "twelve", "١٢", "１２",
	} {
		_, msg := ParseNumber(in)
		require.Equal(t, fmt.Sprintf("%q is not a number", in), msg)
	}
}
