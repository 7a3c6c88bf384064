package httpapi

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/salesflow/salesflow/internal/enrich"
	"github.com/salesflow/salesflow/internal/records"
	"github.com/salesflow/salesflow/internal/store"
)

// importCompanies adds or replaces company directory entries (S1), all or nothing: every bad entry is
// reported by its index and field, and then nothing is stored.
func (a *API) importCompanies(w http.ResponseWriter, r *http.Request) {
	if !actorOf(r).IsAdmin() {
		writeProblem(w, r, problem(http.StatusForbidden, "forbidden", "only admins change the company directory"))
		return
	}
	b, p := readBody(r, 8<<20)
	var m map[string]any
	if p == nil {
		m, p = decodeObject(b)
	}
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	list, ok := m["companies"].([]any)
	if !ok || len(list) == 0 || len(list) > 1000 {
		writeProblem(w, r, fieldProblem(http.StatusUnprocessableEntity, "companies", "must be a list of 1 to 1000 entries"))
		return
	}
	var cs []store.Company
	var errs []records.FieldError
	for i, raw := range list {
		c, problems := companyOf(raw)
		for _, pr := range problems {
			errs = append(errs, records.FieldError{Field: fmt.Sprintf("companies[%d].%s", i, pr[0]), Message: pr[1]})
		}
		cs = append(cs, c)
	}
	if len(errs) > 0 {
		writeProblem(w, r, problem(http.StatusUnprocessableEntity, "validation", "some companies are not valid; nothing was imported", errs...))
		return
	}
	created, err := a.svc.ImportCompanies(r.Context(), cs)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"created": created, "updated": len(cs) - created})
}

// companyOf reads one directory entry, with each problem as (field, message).
func companyOf(raw any) (store.Company, [][2]string) {
	m, ok := raw.(map[string]any)
	if !ok {
		return store.Company{}, [][2]string{{"", "must be an object"}}
	}
	var c store.Company
	var bad [][2]string
	text := func(k string, dst *string) {
		switch v := m[k].(type) {
		case nil:
		case string:
			*dst = strings.TrimSpace(v)
		default:
			bad = append(bad, [2]string{k, "must be a string"})
		}
	}
	text("domain", &c.Domain)
	text("name", &c.Name)
	text("industry", &c.Industry)
	text("country", &c.Country)
	text("website", &c.Website)
	text("city", &c.City)
	c.Domain = records.RegistrableDomain(c.Domain)
	switch {
	case c.Domain == "" || !strings.Contains(c.Domain, "."):
		bad = append(bad, [2]string{"domain", "is required: a domain like acme.com"})
	case records.IsFreeMail(c.Domain):
		bad = append(bad, [2]string{"domain", c.Domain + " is a free-mail domain; its addresses say nothing about a company"})
	}
	if c.Country != "" {
		code, msg := enrich.CountryCode(c.Country)
		if msg != "" {
			bad = append(bad, [2]string{"country", msg})
		}
		c.Country = code
	}
	if raw, given := m["employees"]; given && raw != nil {
		v, err := strconv.ParseFloat(fmt.Sprint(raw), 64) // the body decodes numbers as json.Number
		switch _, isText := raw.(string); {
		case err != nil || isText:
			bad = append(bad, [2]string{"employees", "must be a number"})
		case v < 0 || v != math.Trunc(v):
			bad = append(bad, [2]string{"employees", "must be a whole number of 0 or more"})
		default:
			c.Employees = v
		}
	}
	for k := range m {
		switch k {
		case "domain", "name", "industry", "country", "website", "city", "employees":
		default:
			bad = append(bad, [2]string{k, "is not a company field (domain, name, industry, employees, country, website, city)"})
		}
	}
	return c, bad
}
