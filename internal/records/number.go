package records

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// decimal is the one grammar for numbers written as text (API strings, CSV cells): an optional sign,
// decimal digits with at most one decimal point and an optional exponent, or digits grouped by commas
// in threes (1,234,567) or the Indian way (12,34,567). strconv.ParseFloat alone would also read hex
// ("0x10"), underscores ("1_000"), "Inf" and "NaN", which nobody types into a number field; and "1,5"
// is a decimal comma, which dropping the comma would silently read as 15.
var decimal = regexp.MustCompile(`^[+-]?(?:` +
	`(?:\d{1,3}(?:,\d{3})+|\d{1,2}(?:,\d{2})+,\d{3})(?:\.\d*)?` + // grouped thousands, no exponent
	`|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?` + // plain decimal notation
	`)$`)

// ParseNumber reads a number written as text (already trimmed) by the grammar above. It returns a
// message saying why s is not a number, or "".
func ParseNumber(s string) (float64, string) {
	if !decimal.MatchString(s) {
		return 0, fmt.Sprintf("%q is not a number", s)
	}
	x, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil || math.IsInf(x, 0) { // out of range: "1e999"
		return 0, fmt.Sprintf("%q is not a number", s)
	}
	return x, ""
}
