package matching

import (
	"fmt"
	"strings"
	"time"
)

// How a lead was matched, in Scored.By.
const (
	ByEmailDomain = "email_domain"
	ByWebsite     = "website"
	ByName        = "name"
)

// Confidence of the domain rules. An email domain is the strongest evidence there is: the
// person works there. A website the lead typed into a form is nearly as strong, but is
// sometimes an agency's, a parent's or a typo, so it ranks just below.
const (
	emailDomainConfidence = 1.0
	websiteConfidence     = 0.97
)

// Name evidence must rank below domain evidence: a domain names one company, while "Acme Inc"
// may be the name of several. So the top of the similarity scale, (nameBandStart, 1], is
// squeezed into (nameBandStart, nameCeiling] for confidence. The squeeze keeps the order among
// name matches (an exact name still beats a typo) and leaves every threshold up to
// nameBandStart, DefaultMin included, meaning the same on both scales.
const (
	nameBandStart = 0.9
	nameCeiling   = 0.96
)

// nameConfidence converts a NameSimilarity into a Match confidence; see nameCeiling.
func nameConfidence(sim float64) float64 {
	if sim <= nameBandStart {
		return sim
	}
	return nameBandStart + (sim-nameBandStart)*(nameCeiling-nameBandStart)/(1-nameBandStart)
}

// Lead is what the matcher knows about an inbound lead. Domains are registrable domains
// ("acme.co.uk", not "mail.acme.co.uk"), lowercase; EmailDomain is empty for free-mail
// addresses, which say nothing about the employer.
type Lead struct {
	EmailDomain, WebsiteDomain, Company string
}

// Candidate is an account the store has narrowed the search to. Domain and WebsiteDomain are
// registrable and lowercase like Lead's; either may be empty. Contacts, OwnerActive and
// UpdatedAt only break ties.
type Candidate struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	Domain        string    `json:"domain"`
	WebsiteDomain string    `json:"website_domain"`
	Contacts      int       `json:"contacts"`
	OwnerActive   bool      `json:"owner_active"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Scored is a candidate with how well the lead matches it and why, for the activity log and
// for a human reviewing a routing decision.
type Scored struct {
	Candidate
	Confidence float64 `json:"confidence"`
	By         string  `json:"by"`     // ByEmailDomain, ByWebsite or ByName
	Reason     string  `json:"reason"` // e.g. `email domain acme.com equals the account's domain`
}

// Match scores every candidate against the lead and returns them best first, with the best
// one if its confidence is at least minConfidence (nil otherwise, and when cands is empty).
//
// Each candidate is scored by the strongest rule that applies: the lead's email domain equal to
// the account's domain or website domain (1.0), its website domain equal to either (0.97),
// otherwise NameSimilarity of the company names, whose top band (above 0.9) is squeezed to end
// at 0.96 so that a domain match always outranks a name match (see nameConfidence; Reason
// quotes the similarity itself). Equal confidences are ordered by more contacts, then an
// active owner, then the most recent update, then ID, so the result is deterministic and
// prefers the account people actually work in. When a tie-breaker decided between the two
// best, the winner's Reason says which.
//
// best is a copy: changing it does not change ranked.
func Match(l Lead, cands []Candidate, minConfidence float64) (best *Scored, ranked []Scored) {
	ranked = make([]Scored, len(cands))
	for i, c := range cands {
		ranked[i] = score(l, c)
	}
	sortRanked(ranked)
	if len(ranked) == 0 || ranked[0].Confidence < minConfidence {
		return nil, ranked
	}
	b := ranked[0]
	if len(ranked) > 1 {
		if why := tieBreak(ranked[0], ranked[1]); why != "" {
			b.Reason += "; tie on confidence broken by: " + why
		}
	}
	return &b, ranked
}

// score applies the first matching rule to one candidate.
func score(l Lead, c Candidate) Scored {
	if field, ok := sameDomain(l.EmailDomain, c); ok {
		return Scored{Candidate: c, Confidence: emailDomainConfidence, By: ByEmailDomain,
			Reason: fmt.Sprintf("email domain %s equals the account's %s", l.EmailDomain, field)}
	}
	if field, ok := sameDomain(l.WebsiteDomain, c); ok {
		return Scored{Candidate: c, Confidence: websiteConfidence, By: ByWebsite,
			Reason: fmt.Sprintf("website domain %s equals the account's %s", l.WebsiteDomain, field)}
	}
	sim := NameSimilarity(l.Company, c.Name)
	return Scored{Candidate: c, Confidence: nameConfidence(sim), By: ByName,
		Reason: fmt.Sprintf("company name %q ~ %q (%.2f)", l.Company, c.Name, sim)}
}

// sameDomain reports whether d is the candidate's domain or website domain, and which. An empty
// d matches nothing: two blanks are no evidence.
func sameDomain(d string, c Candidate) (field string, ok bool) {
	d = strings.TrimSpace(d)
	switch {
	case d == "":
		return "", false
	case strings.EqualFold(d, strings.TrimSpace(c.Domain)):
		return "domain", true
	case strings.EqualFold(d, strings.TrimSpace(c.WebsiteDomain)):
		return "website domain", true
	}
	return "", false
}
