package demo

import (
	"fmt"
	"math"
	"strings"

	"github.com/salesflow/salesflow/internal/store"
)

const accountCount = 60

type company struct {
	name, domain, country, industry string
	employees                       float64
}

type account struct {
	company
	id       string
	owner    *user
	customer bool // owned by Customer Success: an existing customer, up for renewal
	contacts []*contact
}

type contact struct {
	id, first, last, title string
}

// newCompany invents a company with a name stem not used before, so its domain is unique.
// An empty country picks one.
func (s *seeder) newCompany(country string) company {
	if country == "" {
		country = pickW(s.rng, countries)
	}
	c := company{country: country, industry: pick(s.rng, industries)}
	var stem, display string
	for stem == "" || s.bases[stem] {
		stem, display = s.companyStem()
	}
	s.bases[stem] = true
	c.name = display + " " + pick(s.rng, industryWords[c.industry])
	if s.chance(0.3) {
		c.name += " " + legalForms[c.country]
	}
	c.domain = stem + tld(c.country, c.industry, s.chance(0.4))
	c.employees = s.employees()
	s.made = append(s.made, c)
	return c
}

// prospects is how many companies the directory knows beyond the accounts and leads: where new
// inbound leads come from, so that enrichment has something to find.
const prospects = 150

// seedDirectory fills the enrichment directory (S1) with every company the demo invented, and as
// many again that nobody has heard from yet.
func (s *seeder) seedDirectory() error {
	for range prospects {
		s.newCompany("")
	}
	for _, c := range s.made {
		if _, err := s.tx.UpsertCompany(s.ctx, store.Company{Domain: c.domain, Name: c.name, Industry: c.industry,
			Country: c.country, Employees: c.employees, Website: "https://www." + c.domain}, s.now); err != nil {
			return fmt.Errorf("directory entry %s: %w", c.domain, err)
		}
	}
	s.sum.Companies = len(s.made)
	return nil
}

// companyStem returns a name like "Bluepeak" or "Harbor & Finch" and its domain stem, or "" for a
// combination that reads badly ("Stonestone", "Finch & Finch").
func (s *seeder) companyStem() (stem, display string) {
	if s.chance(0.15) {
		a, b := pick(s.rng, partnerNames), pick(s.rng, partnerNames)
		if a == b {
			return "", ""
		}
		return slug(a + b), a + " & " + b
	}
	p, x := pick(s.rng, namePrefixes), pick(s.rng, nameSuffixes)
	if strings.EqualFold(p, x) {
		return "", ""
	}
	return slug(p + x), p + x
}

func tld(country, industry string, alt bool) string {
	switch {
	case country == "GB":
		return ".co.uk"
	case country == "DE" && !alt:
		return ".de"
	case industry == "Software" && alt:
		return ".io"
	}
	return ".com"
}

// employees is skewed towards small companies: 10 to 20,000, rounded as a directory would.
func (s *seeder) employees() float64 {
	n := 10 * math.Pow(2000, math.Pow(s.rng.Float64(), 1.3))
	switch {
	case n < 100:
		return math.Round(n)
	case n < 1000:
		return math.Round(n/10) * 10
	}
	return math.Round(n/100) * 100
}

// seedAccounts creates the accounts, two thirds owned by AEs (prospects) and a third by CSMs
// (customers), each with one to four contacts.
func (s *seeder) seedAccounts() error {
	aes, csms := s.reps("ae", true), s.reps("csm", true)
	for i := range accountCount {
		a := &account{company: s.newCompany(""), customer: i%3 == 2}
		a.owner = pick(s.rng, aes)
		if a.customer {
			a.owner = pick(s.rng, csms)
		}
		perEmp := revenuePerEmployee[a.industry] * (0.6 + 0.8*s.rng.Float64())
		revenue := math.Round(a.employees*perEmp/100_000) * 100_000
		in := map[string]any{
			"name": a.name, "domain": a.domain, "website": "https://www." + a.domain, "industry": a.industry,
			"employees": a.employees, "annual_revenue": max(revenue, 500_000), "country": a.country,
			"owner_id": a.owner.id,
		}
		if s.chance(0.7) {
			in["phone"] = s.phone(a.country)
		}
		rec, err := s.create("account", a.name, in)
		if err != nil {
			return err
		}
		a.id = rec.ID()
		s.sum.Accounts++
		if err := s.seedContacts(a); err != nil {
			return err
		}
		s.accounts = append(s.accounts, a)
	}
	return nil
}

func (s *seeder) seedContacts(a *account) error {
	n := pickW(s.rng, []weighted[int]{{1, 20}, {2, 30}, {3, 30}, {4, 20}})
	titles := s.rng.Perm(len(contactTitles))
	for i := range n {
		first, last := s.person(a.country)
		c := &contact{first: first, last: last, title: contactTitles[titles[i]]}
		in := map[string]any{
			"first_name": first, "last_name": last, "email": s.email(first, last, a.domain), "title": c.title,
			"account_id": a.id, "owner_id": a.owner.id, "country": a.country,
			"timezone": pick(s.rng, timezones[a.country]),
		}
		if s.chance(0.75) {
			in["phone"] = s.phone(a.country)
		}
		rec, err := s.create("contact", fmt.Sprintf("%s %s at %s", first, last, a.name), in)
		if err != nil {
			return err
		}
		c.id = rec.ID()
		a.contacts = append(a.contacts, c)
		s.sum.Contacts++
	}
	return nil
}
