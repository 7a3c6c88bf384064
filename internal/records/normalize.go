package records

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/net/publicsuffix"
)

// NormalizeEmail parses an address ("Ann <Ann@Acme.COM>" or "ann@acme.com") and returns it lower-cased.
func NormalizeEmail(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	addr := strings.ToLower(a.Address)
	at := strings.LastIndexByte(addr, '@')
	domain := addr[at+1:]
	if at < 1 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.ContainsAny(domain, "[]") {
		return "", fmt.Errorf("%q is not an email address with a domain like example.com", s)
	}
	return addr, nil
}

// NormalizePhone returns the number in E.164. Numbers without a +country prefix are read as numbers
// of region (an ISO 3166 code; US when empty).
func NormalizePhone(s, region string) (string, error) {
	if region == "" {
		region = "US"
	}
	n, err := phonenumbers.Parse(s, strings.ToUpper(region))
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return "", fmt.Errorf("%q is not a phone number (use +CC… or a number of the record's country)", s)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// freeMail lists the big consumer mail providers, whose domain says nothing about a company.
// (The enrichment issue replaces this with a maintained list.)
var freeMail = []string{"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
	"icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "web.de",
	"yandex.ru", "mail.ru", "qq.com", "163.com", "hey.com", "fastmail.com", "zoho.com", "msn.com"}

// IsFreeMail reports whether domain belongs to a consumer mail provider.
func IsFreeMail(domain string) bool { return slices.Contains(freeMail, strings.ToLower(domain)) }

// RegistrableDomain reduces a host to the domain a company registers ("www.eu.acme.co.uk" → "acme.co.uk").
func RegistrableDomain(host string) string {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil {
		return d
	}
	return host
}

// CompanyDomain derives a company's domain from its website, else from a business email address.
func CompanyDomain(website, email string) string {
	if website != "" {
		if u, err := url.Parse(website); err == nil && u.Hostname() != "" {
			return RegistrableDomain(u.Hostname())
		}
	}
	if at := strings.LastIndexByte(email, '@'); at > 0 {
		if d := RegistrableDomain(email[at+1:]); !IsFreeMail(d) {
			return d
		}
	}
	return ""
}

var (
	countryCode  = regexp.MustCompile(`^[A-Z]{2}$`)
	workingHours = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))? ([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$`)
)

// Finish completes a record about to be written (rec holds every field after the change): phones to
// E.164 using the record's country, derived domains, uppercase countries, timezones and working hours
// checked, and required fields present. changed names the fields this write set, so that a stored
// value that predates a rule does not block an unrelated change.
func (o *Object) Finish(rec Values, changed Values) error {
	var errs []FieldError
	if c, ok := rec["country"].(string); ok {
		c = strings.ToUpper(c)
		rec["country"] = c
		if _, set := changed["country"]; set && !countryCode.MatchString(c) {
			errs = append(errs, FieldError{"country", fmt.Sprintf("%q is not an ISO 3166 two-letter code (DE, US)", c)})
		}
	}
	for _, f := range o.Fields {
		s, isStr := rec[f.Name].(string)
		if _, set := changed[f.Name]; !set || !isStr {
			continue
		}
		switch {
		case f.Type == Phone:
			p, err := NormalizePhone(s, rec.String("country"))
			if err != nil {
				errs = append(errs, FieldError{f.Name, err.Error()})
				continue
			}
			rec[f.Name] = p
		case f.Name == "timezone":
			if _, err := time.LoadLocation(s); err != nil || s == "Local" {
				errs = append(errs, FieldError{f.Name, fmt.Sprintf("%q is not an IANA time zone (Europe/Berlin)", s)})
			}
		case f.Name == "working_hours":
			if !workingHours.MatchString(strings.ToLower(s)) {
				errs = append(errs, FieldError{f.Name, fmt.Sprintf("%q is not like \"mon-fri 09:00-17:30\"", s)})
			}
		}
	}
	o.derive(rec)
	for _, f := range o.Fields {
		if f.Required && isEmpty(rec[f.Name]) {
			errs = append(errs, FieldError{f.Name, "is required"})
		}
	}
	if len(errs) > 0 {
		return &ValidationError{Errors: errs}
	}
	return nil
}

func (o *Object) derive(rec Values) {
	switch o.Name {
	case "lead":
		if d := CompanyDomain(rec.String("website"), rec.String("email")); d != "" {
			rec["company_domain"] = d
		} else {
			rec["company_domain"] = nil
		}
	case "account":
		if rec.String("domain") == "" {
			if d := CompanyDomain(rec.String("website"), ""); d != "" {
				rec["domain"] = d
			}
		} else {
			rec["domain"] = RegistrableDomain(rec.String("domain"))
		}
	}
}

func isEmpty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("not found")
