package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var e164Pattern = regexp.MustCompile(`^\+[1-9]\d{1,14}$`)

// FuzzPrepareLead feeds arbitrary JSON objects through the lead's Prepare and Finish, as the API does on
// create, and checks what the store would be handed.
func FuzzPrepareLead(f *testing.F) {
	for _, seed := range []string{
		`{"first_name":"Ann","last_name":"Lee","email":"Ann <Ann@Acme.COM>","company":"Acme GmbH","website":"acme.de","phone":"030 1234567","country":"de","timezone":"Europe/Berlin"}`,
		`{"email":"bob@gmail.com","phone":"(415) 555-2671","employees":1200,"score":42.5,"status":"working","source":"webinar"}`,
		`{"email":"","phone":null,"status":"","score":" ","website":"http://WWW.Acme.co.uk/Team"}`,
		`{"phone":"+44 20 7946 0958","country":"GB","owner_id":"u1","industry":"SaaS","title":"CTO"}`,
		`{"id":"x","company_domain":"acme.com","created_at":"2026-01-01T00:00:00Z","unknown":true}`,
		`{"employees":"12","score":1e999,"status":"hot","website":"ftp://x.com","email":"\"a@b\"@acme.com"}`,
		`{"phone":"555-2671","country":"D1","timezone":"Mars/Olympus","first_name":12}`,
		`{"website":"https://ann:pw@acme.com","email":"ann@-acme.com","employees":-0.0}`,
		`{"phone":"+84 912 345 678","email":"ÄNN@Bücher.de","country":"vn","employees":"1,200"}`,
		`{"phone":"+39 06 1234 5678","website":"https://shop.eu.acme.co.uk:8443/a b?x=1#y","status":"nurturing"}`,
		`[1,2,3]`,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	lead, ok := NewCatalog().Get("lead")
	if !ok {
		f.Fatal("no lead object")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var input map[string]any
		if err := dec.Decode(&input); err != nil || input == nil {
			t.Skip("not a JSON object")
		}
		vals, err := lead.Prepare(input, true)
		if err != nil {
			checkValidationError(t, err, func(name string) bool { _, given := input[name]; return given })
			return
		}
		for name, v := range vals {
			fd, ok := lead.Field(name)
			if !ok || fd.ReadOnly {
				t.Fatalf("Prepare returned %q, which is not a writable lead field", name)
			}
			if _, given := input[name]; !given && fd.Default == nil {
				t.Fatalf("Prepare returned %q, which was neither given nor defaulted", name)
			}
			checkCanonical(t, fd, v)
		}
		if vals["status"] == nil || vals["score"] == nil {
			t.Fatalf("create without status or score defaults: %v", vals)
		}

		rec := maps.Clone(vals)
		rec["id"] = "l1"
		if err := lead.Finish(rec, vals, true); err != nil {
			checkValidationError(t, err, func(name string) bool { _, given := input[name]; return given })
			return
		}
		for name, v := range rec {
			if _, ok := lead.Field(name); !ok {
				t.Fatalf("Finish left unknown field %q", name)
			}
			if v == nil {
				continue
			}
			switch name {
			case "email":
				email := v.(string)
				if email != strings.ToLower(email) || strings.Count(email, "@") != 1 {
					t.Fatalf("email %q is not one lower-case address", email)
				}
				if again, err := NormalizeEmail(email); err != nil || again != email {
					t.Fatalf("stored email %q does not normalise to itself: %q, %v", email, again, err)
				}
			case "phone":
				phone := v.(string)
				if !strings.HasPrefix(phone, "+") || !e164Pattern.MatchString(phone) {
					t.Fatalf("phone %q is not E.164", phone)
				}
				if again, err := NormalizePhone(phone, ""); err != nil || again != phone {
					t.Fatalf("stored phone %q does not normalise to itself: %q, %v", phone, again, err)
				}
			case "website":
				site := v.(string)
				if again, err := NormalizeURL(site); err != nil || again != site {
					t.Fatalf("stored website %q does not normalise to itself: %q, %v", site, again, err)
				}
			case "country":
				if c, ok := input["country"].(string); ok && !countryCode.MatchString(v.(string)) {
					t.Fatalf("country %q (from %q) is not two capital letters", v, c)
				}
			case "company_domain":
				d := v.(string)
				if d == "" || d != strings.ToLower(d) {
					t.Fatalf("company_domain %q", d)
				}
			}
		}
	})
}

// checkValidationError checks that err lists, sorted, only fields the input named.
func checkValidationError(t *testing.T, err error, given func(string) bool) {
	t.Helper()
	var ve *ValidationError
	if !errors.As(err, &ve) || len(ve.Errors) == 0 {
		t.Fatalf("want a non-empty *ValidationError, got %T %v", err, err)
	}
	if !slices.IsSortedFunc(ve.Errors, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) }) {
		t.Fatalf("errors not sorted by field: %v", ve.Errors)
	}
	for _, fe := range ve.Errors {
		if fe.Message == "" {
			t.Fatalf("error without a message for %q", fe.Field)
		}
		if !given(fe.Field) {
			t.Fatalf("error for %q, which the input did not set: %v", fe.Field, err)
		}
	}
}

// checkCanonical checks that v has the Go type Values promises for fd's type.
func checkCanonical(t *testing.T, fd Field, v any) {
	t.Helper()
	if v == nil {
		return
	}
	switch fd.Type {
	case Number:
		x, ok := v.(float64)
		if !ok || math.IsNaN(x) || math.IsInf(x, 0) {
			t.Fatalf("%s: %#v is not a finite float64", fd.Name, v)
		}
	case Bool:
		if _, ok := v.(bool); !ok {
			t.Fatalf("%s: %#v is not a bool", fd.Name, v)
		}
	case DateTime:
		tm, ok := v.(time.Time)
		if !ok || tm.Location() != time.UTC {
			t.Fatalf("%s: %#v is not a UTC time", fd.Name, v)
		}
	case JSON:
	default:
		s, ok := v.(string)
		if !ok || s == "" || s != strings.TrimSpace(s) {
			t.Fatalf("%s: %#v is not a trimmed non-empty string", fd.Name, v)
		}
		if fd.Type == Enum && !slices.Contains(fd.Options, s) {
			t.Fatalf("%s: %q is not an option", fd.Name, s)
		}
	}
}
