package records

import (
	_ "embed"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
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
	// net/mail unquotes a quoted local part ("a b"@x.com → a b@x.com, "a@b"@x.com → a@b@x.com), which
	// would store an address that is no longer one; only plain dot-atom local parts are kept.
	if at < 1 || !dotAtom.MatchString(addr[:at]) {
		return "", fmt.Errorf("%q is not an email address", s)
	}
	domain := addr[at+1:]
	if !strings.Contains(domain, ".") || !hostname(domain) {
		return "", fmt.Errorf("%q is not an email address with a domain like example.com", s)
	}
	return addr, nil
}

var (
	// dotAtom is RFC 5322 dot-atom text: atoms of printable characters but specials, joined by single dots.
	// Unicode spaces and invisible format characters (a pasted no-break or zero-width space) are refused
	// too: they would make one address look like another and defeat duplicate detection by email.
	dotAtom  = regexp.MustCompile(`^[^\x00-\x20\x7f"(),.:;<>@\[\\\]\p{Z}\p{C}]+(\.[^\x00-\x20\x7f"(),.:;<>@\[\\\]\p{Z}\p{C}]+)*$`)
	hostPart = regexp.MustCompile(`^[\p{L}\p{N}]([\p{L}\p{N}\p{M}-]{0,61}[\p{L}\p{N}\p{M}])?$`)
)

// hostname reports whether every dot-separated label of domain is a letter-digit-hyphen label (letters
// may be non-ASCII, for internationalised domains) that neither starts nor ends with a hyphen.
func hostname(domain string) bool {
	for label := range strings.SplitSeq(domain, ".") {
		if !hostPart.MatchString(label) {
			return false
		}
	}
	return true
}

// NormalizePhone returns the number in E.164. Numbers without a +country prefix are read as numbers
// of region (an ISO 3166 code; US when empty).
func NormalizePhone(s, region string) (string, error) {
	if region == "" {
		region = "US"
	}
	bad := fmt.Errorf("%q is not a phone number (use +CC… or a number of the record's country)", s)
	n, err := phonenumbers.Parse(s, strings.ToUpper(region))
	// IsPossibleNumber also accepts a subscriber number dialled without its area code ("555-2671"),
	// whose E.164 form (+15552671) would be a wrong number; only complete numbers are kept. A number of
	// zeros only ("+1 000 000 0000") is a placeholder, not a number.
	if err != nil || n.GetNationalNumber() == 0 || phonenumbers.IsPossibleNumberWithReason(n) != phonenumbers.IS_POSSIBLE {
		return "", bad
	}
	e164 := phonenumbers.Format(n, phonenumbers.E164)
	// The stored form must read back as itself, or every re-import or re-save would change it (and miss
	// duplicates); the library does not promise that for numbers outside its metadata.
	if again, err := phonenumbers.Parse(e164, "US"); err != nil || phonenumbers.Format(again, phonenumbers.E164) != e164 {
		return "", bad
	}
	return e164, nil
}

// freeMailList is freemail.txt: consumer, ISP and disposable mail domains, one a line. It lives in a
// text file so that updating it is a one-line change that needs no Go.
//
//go:embed freemail.txt
var freeMailList string

// freeMail is the set parsed from freeMailList, built on first use (not at start-up) and never changed.
var freeMail = sync.OnceValue(func() map[string]struct{} { return parseDomainList(freeMailList) })

// parseDomainList reads one domain per line; '#' starts a comment and blank lines are skipped.
func parseDomainList(text string) map[string]struct{} {
	set := map[string]struct{}{}
	for line := range strings.Lines(text) {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		if d := strings.ToLower(strings.TrimSpace(line)); d != "" {
			set[d] = struct{}{}
		}
	}
	return set
}

// IsFreeMail reports whether domain belongs to a consumer or disposable mail provider (exactly: a
// subdomain such as mail.google.com is not matched; callers reduce hosts with RegistrableDomain).
func IsFreeMail(domain string) bool {
	_, ok := freeMail()[strings.ToLower(domain)]
	return ok
}

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
	workingHours = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))? ([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$`)
)

// Finish completes a record about to be written (rec holds every field after the change): phones to
// E.164 using the record's country, derived domains, uppercase countries, timezones and working hours
// checked, and required fields present. changed names the fields this write set, so that a stored
// value that predates a rule does not block an unrelated change: on create every required field must be
// present, on a patch only the required fields it sets (a patch that clears one fails), so records that
// predate a newly added required custom field stay editable.
func (o *Object) Finish(rec, changed Values, create bool) error {
	var errs []FieldError
	if c, ok := rec["country"].(string); ok {
		c = strings.ToUpper(c)
		if c == "UK" {
			c = "GB" // the common name; ISO 3166 says GB
		}
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
		if _, set := changed[f.Name]; f.Required && (create || set) && isEmpty(rec[f.Name]) {
			errs = append(errs, FieldError{f.Name, "is required"})
		}
	}
	if len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
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
		if d := AccountDomain(rec.String("domain"), rec.String("website")); d != "" {
			rec["domain"] = d
		}
	}
}

// AccountDomain is an account's domain: the given one reduced to its registrable part (an address pasted
// into it, "https://www.acme.com/about", counts by its host), else its website's. The importer matches
// accounts by it, so it must be the same function the write path uses.
func AccountDomain(domain, website string) string {
	if domain == "" {
		return CompanyDomain(website, "")
	}
	if u, err := NormalizeURL(domain); err == nil {
		if pu, err := url.Parse(u); err == nil {
			domain = pu.Hostname()
		}
	}
	return RegistrableDomain(domain)
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
