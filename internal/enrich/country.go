package enrich

import (
	"fmt"
	"regexp"
	"strings"
)

var isoCountry = regexp.MustCompile(`^[A-Z]{2}$`)

// CountryCode upper-cases a two-letter code; UK is accepted for GB, as the record write path does.
func CountryCode(v string) (string, string) {
	c := strings.ToUpper(v)
	if c == "UK" {
		c = "GB"
	}
	if !isoCountry.MatchString(c) {
		return "", fmt.Sprintf("%q is not a two-letter ISO 3166 code (DE, US)", v)
	}
	return c, ""
}
