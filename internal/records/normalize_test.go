package records

import (
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "ann@acme.com", "ann@acme.com"},
		{"mixed case", "Ann.Lee@Acme.COM", "ann.lee@acme.com"},
		{"display name", "Ann <Ann@Acme.COM>", "ann@acme.com"},
		{"quoted display name with comma", `"Lee, Ann" <ann@acme.com>`, "ann@acme.com"},
		{"angle brackets only", "<ann@acme.com>", "ann@acme.com"},
		{"plus tag and subdomain", "ann.lee+crm@mail.acme.co.uk", "ann.lee+crm@mail.acme.co.uk"},
		{"apostrophe", "o'brien@acme.ie", "o'brien@acme.ie"},
		{"hyphenated domain", "ann@acme-corp.com", "ann@acme-corp.com"},
		{"punycode domain", "ann@xn--bcher-kva.de", "ann@xn--bcher-kva.de"},
		{"unicode domain", "ann@Bücher.de", "ann@bücher.de"},
		{"unicode local part", "ÄNN@acme.com", "änn@acme.com"},
		{"needlessly quoted local part", `"ann"@acme.com`, "ann@acme.com"},
		{"trailing comment", "ann@acme.com (Ann Lee)", "ann@acme.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeEmail(tt.in)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			again, err := NormalizeEmail(got)
			require.NoError(t, err, "a normalised address must normalise again")
			require.Equal(t, got, again)
		})
	}
}

func TestNormalizeEmailRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"no at", "ann.acme.com"},
		{"no domain dot", "ann@acme"},
		{"trailing dot", "ann@acme.com."},
		{"leading domain dot", "ann@.acme.com"},
		{"double dot in domain", "ann@acme..com"},
		{"space in local part", "ann lee@acme.com"},
		{"space before at", "ann @acme.com"},
		{"empty local part", "@acme.com"},
		{"empty local part in brackets", "Ann <@acme.com>"},
		{"empty quoted local part", `""@acme.com`},
		{"two ats", "ann@@acme.com"},
		{"at inside quoted local part", `"ann@home"@acme.com`},
		{"space inside quoted local part", `"ann lee"@acme.com`},
		{"double dot in local part", "ann..lee@acme.com"},
		{"no-break space in local part", "ann\u00a0lee@acme.com"},
		{"zero-width space in local part", "ann\u200b@acme.com"},
		{"zero-width space in domain", "ann@acme\u200b.com"},
		{"leading dot in local part", ".ann@acme.com"},
		{"domain label starts with hyphen", "ann@-acme.com"},
		{"domain label ends with hyphen", "ann@acme-.com"},
		{"underscore in domain", "ann@ac_me.com"},
		{"punctuation in domain", "ann@ac!me.com"},
		{"address literal", "ann@[192.168.0.1]"},
		{"two addresses", "ann@acme.com, bob@acme.com"},
		{"unclosed bracket", "Ann <ann@acme.com"},
		{"display name only", "Ann Lee"},
		{"mailto", "mailto:ann@acme.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeEmail(tt.in)
			require.Error(t, err, "accepted as %q", got)
			require.Equal(t, "", got)
			require.Contains(t, err.Error(), "not an email address")
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, region, want string
	}{
		{"international with spaces", "+49 30 123456", "", "+4930123456"},
		{"international ignores region", "+44 20 7946 0958", "DE", "+442079460958"},
		{"US national with region", "(415) 555-2671", "US", "+14155552671"},
		{"US national without region", "415.555.2671", "", "+14155552671"},
		{"German national with DE", "030 1234567", "DE", "+49301234567"},
		{"German mobile, lower-case region", "0151 23456789", "de", "+4915123456789"},
		{"German with 00 prefix", "0049 30 123456", "DE", "+4930123456"},
		{"UK mobile", "07911 123456", "GB", "+447911123456"},
		{"US with 1 prefix", "1-415-555-2671", "US", "+14155552671"},
		{"vanity number", "1-800-FLOWERS", "US", "+18003569377"},
		// E.164 has no extensions; the extension is dropped rather than glued onto the number.
		{"extension", "+1 415 555 2671 ext. 12", "", "+14155552671"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizePhone(tt.in, tt.region)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			again, err := NormalizePhone(got, "")
			require.NoError(t, err)
			require.Equal(t, got, again, "E.164 must be stable")
		})
	}
}

func TestNormalizePhoneRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, region string
	}{
		{"garbage", "garbage", ""},
		{"empty", "", "US"},
		{"plus only", "+", ""},
		{"too short", "123", "US"},
		{"country code only", "+49", ""},
		{"too long", "12345678901234567890", "US"},
		// A subscriber number without its area code is only dialable locally; as E.164 it would be
		// +15552671, a wrong number.
		{"US local only", "555-2671", "US"},
		{"zeros", "+1 000 000 0000", ""},
		{"zeros with national prefix", "+84 00000000000", ""},
		{"national number, unknown region", "030 1234567", "XX"},
		{"national number, no such region", "030 1234567", "UK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizePhone(tt.in, tt.region)
			require.Error(t, err, "accepted as %q", got)
			require.Contains(t, err.Error(), "is not a phone number")
		})
	}
}

func TestIsFreeMail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		domain string
		want   bool
	}{
		{"gmail.com", true},
		{"GMail.COM", true},
		{"googlemail.com", true},
		{"web.de", true},
		{"acme.com", false},
		{"mail.google.com", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, IsFreeMail(tt.domain))
		})
	}
}

func TestRegistrableDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host, want string
	}{
		{"acme.com", "acme.com"},
		{"www.acme.com", "acme.com"},
		{"www.eu.acme.co.uk", "acme.co.uk"},
		{"WWW.Acme.COM.", "acme.com"},
		{"shop.acme.com.au", "acme.com.au"},
		{"acme.github.io", "acme.github.io"}, // a private suffix: each site is its own domain
		{"co.uk", "co.uk"},                   // a bare public suffix is kept as is
		{"localhost", "localhost"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, RegistrableDomain(tt.host))
		})
	}
}

func TestCompanyDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, website, email, want string
	}{
		{"website wins over email", "https://www.acme.com", "ann@other.org", "acme.com"},
		{"website wins over free mail", "https://acme.com/about", "ann@gmail.com", "acme.com"},
		{"multi-part public suffix", "https://www.eu.acme.co.uk/de", "", "acme.co.uk"},
		{"website with port", "https://shop.acme.io:8443/x", "", "acme.io"},
		{"email only", "", "ann@acme.com", "acme.com"},
		{"email subdomain", "", "ann@mail.acme.de", "acme.de"},
		{"gmail", "", "ann@gmail.com", ""},
		{"googlemail", "", "ann@googlemail.com", ""},
		{"free mail in upper case", "", "ann@GMAIL.COM", ""},
		{"nothing", "", "", ""},
		{"not an email", "", "ann", ""},
		{"unparseable website falls back to email", "https://ac me.com", "ann@acme.com", "acme.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, CompanyDomain(tt.website, tt.email))
		})
	}
}

// leadWithRegion is a lead with a required custom field added after records existed.
func leadWithRegion(t *testing.T) *Object {
	t.Helper()
	return object(t, "lead").WithCustom([]Field{{Name: "region", Type: String, Required: true, Custom: true}})
}

func TestFinish(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		object  string
		custom  bool // use leadWithRegion instead of object
		rec     Values
		changed []string // names from rec that this write set; nil = every field of rec
		create  bool
		want    Values   // fields of rec after Finish (only those listed are compared)
		errs    []string // fields with errors, in order
		message string   // part of the first error's message
	}{
		{name: "phone with record country", object: "lead", create: true,
			rec:  Values{"phone": "030 1234567", "country": "de"},
			want: Values{"phone": "+49301234567", "country": "DE"}},
		{name: "phone with international prefix ignores country", object: "contact", create: true,
			rec:  Values{"phone": "+44 20 7946 0958", "country": "DE"},
			want: Values{"phone": "+442079460958"}},
		{name: "phone without country reads as US", object: "lead", create: true,
			rec:  Values{"phone": "(415) 555-2671"},
			want: Values{"phone": "+14155552671"}},
		{name: "phone uses a stored country on patch", object: "lead",
			rec: Values{"phone": "0151 23456789", "country": "DE"}, changed: []string{"phone"},
			want: Values{"phone": "+4915123456789"}},
		{name: "bad phone", object: "lead", create: true,
			rec: Values{"phone": "garbage"}, errs: []string{"phone"}, message: `"garbage" is not a phone number`},
		{name: "unchanged legacy phone is left alone", object: "lead",
			rec: Values{"phone": "ask reception", "title": "CTO"}, changed: []string{"title"},
			want: Values{"phone": "ask reception"}},
		{name: "account phone", object: "account", create: true,
			rec:  Values{"name": "Acme", "phone": "030 1234567", "country": "DE"},
			want: Values{"phone": "+49301234567"}},
		{name: "timezone ok", object: "lead", create: true,
			rec: Values{"timezone": "Europe/Berlin"}, want: Values{"timezone": "Europe/Berlin"}},
		{name: "bad timezone", object: "lead", create: true,
			rec: Values{"timezone": "Mars/Olympus"}, errs: []string{"timezone"}, message: "not an IANA time zone"},
		{name: "Local is not a timezone", object: "contact", create: true,
			rec: Values{"timezone": "Local"}, errs: []string{"timezone"}},
		{name: "unchanged bad timezone is left alone", object: "lead",
			rec: Values{"timezone": "CEST", "title": "CTO"}, changed: []string{"title"}},
		{name: "working hours", object: "user", create: true,
			rec: Values{"email": "a@acme.com", "name": "Ann", "working_hours": "mon-fri 09:00-17:30"}},
		{name: "working hours, capitalised", object: "user", create: true,
			rec: Values{"email": "a@acme.com", "name": "Ann", "working_hours": "Mon-Fri 08:30-16:00"}},
		{name: "working hours, one day until midnight", object: "user", create: true,
			rec: Values{"email": "a@acme.com", "name": "Ann", "working_hours": "sat 10:00-24:00"}},
		{name: "working hours, loose times", object: "user", create: true,
			rec:     Values{"email": "a@acme.com", "name": "Ann", "working_hours": "mon-fri 9-5"},
			errs:    []string{"working_hours"},
			message: `is not like "mon-fri 09:00-17:30"`},
		{name: "working hours past midnight", object: "user", create: true,
			rec:  Values{"email": "a@acme.com", "name": "Ann", "working_hours": "mon-fri 09:00-24:30"},
			errs: []string{"working_hours"}},
		{name: "working hours, bad day", object: "user", create: true,
			rec:  Values{"email": "a@acme.com", "name": "Ann", "working_hours": "mon-fry 09:00-17:00"},
			errs: []string{"working_hours"}},
		{name: "working hours, 25 o'clock", object: "user", create: true,
			rec:  Values{"email": "a@acme.com", "name": "Ann", "working_hours": "mon-fri 25:00-26:00"},
			errs: []string{"working_hours"}},
		{name: "lower-case country uppercased", object: "contact", create: true,
			rec: Values{"country": "de"}, want: Values{"country": "DE"}},
		{name: "invalid country", object: "lead", create: true,
			rec: Values{"country": "D1"}, errs: []string{"country"}, message: `"D1" is not an ISO 3166 two-letter code`},
		{name: "invalid country spelled out", object: "account",
			rec: Values{"name": "Acme", "country": "germany"}, changed: []string{"country"},
			errs: []string{"country"}, message: `"GERMANY"`},
		{name: "invalid stored country unchanged", object: "lead",
			rec: Values{"country": "D1", "title": "CTO"}, changed: []string{"title"}},
		{name: "required missing on create", object: "account", create: true,
			rec: Values{"website": "https://acme.com"}, errs: []string{"name"}, message: "is required"},
		{name: "required empty string on create", object: "deal", create: true,
			rec: Values{"name": ""}, errs: []string{"name"}},
		{name: "every required field on create, sorted", object: "user", create: true,
			rec: Values{"role": "rep"}, errs: []string{"email", "name"}},
		{name: "required field untouched by patch", object: "account",
			rec: Values{"website": "https://acme.com"}, changed: []string{"website"}},
		{name: "patch clearing a required field", object: "account",
			rec: Values{"name": nil}, changed: []string{"name"}, errs: []string{"name"}, message: "is required"},
		{name: "new required custom field, old record patched", custom: true,
			rec: Values{"title": "CTO"}, changed: []string{"title"}},
		{name: "new required custom field, patch clears it", custom: true,
			rec: Values{"region": nil}, changed: []string{"region"}, errs: []string{"region"}},
		{name: "new required custom field, patch sets it", custom: true,
			rec: Values{"region": "EMEA"}, changed: []string{"region"}},
		{name: "new required custom field on create", custom: true, create: true,
			rec: Values{"title": "CTO"}, errs: []string{"region"}},
		{name: "errors together, sorted", object: "lead", create: true,
			rec:  Values{"timezone": "Nowhere", "phone": "garbage", "country": "D1"},
			errs: []string{"country", "phone", "timezone"}},
		{name: "format and required errors sorted together", object: "account", create: true,
			rec: Values{"phone": "garbage"}, errs: []string{"name", "phone"}},
		{name: "lead company_domain from website", object: "lead", create: true,
			rec:  Values{"website": "https://www.eu.acme.co.uk", "email": "ann@other.com"},
			want: Values{"company_domain": "acme.co.uk"}},
		{name: "lead company_domain from email", object: "lead", create: true,
			rec: Values{"email": "ann@acme.com"}, want: Values{"company_domain": "acme.com"}},
		{name: "lead company_domain not from free mail", object: "lead", create: true,
			rec: Values{"email": "ann@gmail.com"}, want: Values{"company_domain": nil}},
		{name: "lead company_domain cleared with website", object: "lead",
			rec:     Values{"website": nil, "email": "ann@gmail.com", "company_domain": "acme.com"},
			changed: []string{"website"}, want: Values{"company_domain": nil}},
		{name: "account domain from website", object: "account", create: true,
			rec:  Values{"name": "Acme", "website": "https://www.acme.co.uk/about"},
			want: Values{"domain": "acme.co.uk"}},
		{name: "account domain given wins", object: "account", create: true,
			rec:  Values{"name": "Acme", "domain": "WWW.Acme.com", "website": "https://acme-shop.io"},
			want: Values{"domain": "acme.com"}},
		{name: "account domain given as an address", object: "account", create: true,
			rec:  Values{"name": "Acme", "domain": "https://www.acme.com/about"},
			want: Values{"domain": "acme.com"}},
		{name: "account without domain or website", object: "account", create: true,
			rec: Values{"name": "Acme"}, want: Values{"domain": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var o *Object
			if tt.custom {
				o = leadWithRegion(t)
			} else {
				o = object(t, tt.object)
			}
			rec := maps.Clone(tt.rec)
			changed := maps.Clone(tt.rec)
			if tt.changed != nil {
				changed = Values{}
				for _, k := range tt.changed {
					changed[k] = rec[k]
				}
			}
			err := o.Finish(rec, changed, tt.create)
			require.Equal(t, tt.errs, errorFields(t, err))
			if tt.message != "" {
				require.Contains(t, fieldErrors(t, err)[0].Message, tt.message)
			}
			for k, v := range tt.want {
				require.Equal(t, v, rec[k], "field %s", k)
			}
		})
	}
}

func TestFinishLeavesOtherFieldsAlone(t *testing.T) {
	t.Parallel()
	o := object(t, "lead")
	rec := Values{"id": "l1", "first_name": "Ann", "email": "ann@acme.com", "score": 10.0, "status": "new"}
	require.NoError(t, o.Finish(rec, Values{"first_name": "Ann"}, false))
	require.Equal(t, Values{"id": "l1", "first_name": "Ann", "email": "ann@acme.com", "score": 10.0,
		"status": "new", "company_domain": "acme.com"}, rec)
}

func TestFinishErrorMessage(t *testing.T) {
	t.Parallel()
	err := object(t, "account").Finish(Values{"country": "D1"}, Values{"country": "D1"}, true)
	require.Equal(t, `invalid input: country: "D1" is not an ISO 3166 two-letter code (DE, US); name: is required`, err.Error())
	require.True(t, strings.HasPrefix(messageFor(t, err, "name"), "is required"))
}
